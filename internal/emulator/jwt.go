package emulator

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Databricks accepts federated tokens signed with RS256 or ES256 only, so the
// emulator parses and verifies exactly those two, with the standard library,
// and rejects every other algorithm (above all "none" and the HMAC ones, whose
// "public key" would be a shared secret).
const (
	algES256 = "ES256"
	algRS256 = "RS256"
)

// maxJWTBytes bounds a subject token: CI tokens are a few KiB, and a huge one
// is an attack on the parser, not a credential.
const maxJWTBytes = 64 << 10

var b64 = base64.RawURLEncoding

// jwt is a compact JWS whose parts decoded; nothing in it is trusted until
// verify succeeds.
type jwt struct {
	alg, kid     string
	claims       map[string]any
	signingInput []byte
	signature    []byte
}

func parseJWT(token string) (*jwt, error) {
	if len(token) > maxJWTBytes {
		return nil, fmt.Errorf("the token is larger than %d KiB", maxJWTBytes>>10)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a compact JWT (three base64url parts separated by dots)")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodePart(parts[0], &header); err != nil {
		return nil, fmt.Errorf("the token's header: %w", err)
	}
	j := &jwt{alg: header.Alg, kid: header.Kid, signingInput: []byte(parts[0] + "." + parts[1])}
	if err := decodePart(parts[1], &j.claims); err != nil {
		return nil, fmt.Errorf("the token's claims: %w", err)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, errors.New("the token's signature is not base64url")
	}
	j.signature = sig
	return j, nil
}

func decodePart(part string, v any) error {
	raw, err := b64.DecodeString(part)
	if err != nil {
		return errors.New("not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return errors.New("not a JSON object")
	}
	return nil
}

// stringClaim returns a claim that must be a string; a claim of another type
// reads as absent.
func (j *jwt) stringClaim(name string) string {
	s, _ := j.claims[name].(string)
	return s
}

// audiences returns the aud claim, which RFC 7519 allows as a string or an
// array of strings.
func (j *jwt) audiences() []string {
	switch aud := j.claims["aud"].(type) {
	case string:
		return []string{aud}
	case []any:
		out := make([]string, 0, len(aud))
		for _, a := range aud {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// timeClaim returns a NumericDate claim; ok is false when it is absent, err
// set when it is there but not a number.
func (j *jwt) timeClaim(name string) (t time.Time, ok bool, err error) {
	v, present := j.claims[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, isNum := v.(json.Number)
	if !isNum {
		return time.Time{}, false, fmt.Errorf("the token's %s claim is not a number", name)
	}
	f, err := n.Float64()
	if err != nil {
		return time.Time{}, false, fmt.Errorf("the token's %s claim is not a number", name)
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true, nil
}

// verificationKey is one public key of a JWK Set.
type verificationKey struct {
	kid string
	pub crypto.PublicKey // *ecdsa.PublicKey (P-256) or *rsa.PublicKey
}

// verify checks the signature against keys: those with the token's kid when
// the token names one, else every key of the algorithm's type.
func (j *jwt) verify(keys []verificationKey) error {
	if j.alg != algES256 && j.alg != algRS256 {
		return fmt.Errorf("the token is signed with alg %q; Databricks accepts RS256 and ES256 only", j.alg)
	}
	digest := sha256.Sum256(j.signingInput)
	tried := 0
	for _, k := range keys {
		if j.kid != "" && k.kid != "" && k.kid != j.kid {
			continue
		}
		switch pub := k.pub.(type) {
		case *ecdsa.PublicKey:
			if j.alg != algES256 {
				continue
			}
			tried++
			if len(j.signature) == 64 {
				r, s := new(big.Int).SetBytes(j.signature[:32]), new(big.Int).SetBytes(j.signature[32:])
				if ecdsa.Verify(pub, digest[:], r, s) {
					return nil
				}
			}
		case *rsa.PublicKey:
			if j.alg != algRS256 {
				continue
			}
			tried++
			if rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], j.signature) == nil {
				return nil
			}
		}
	}
	if tried == 0 {
		return fmt.Errorf("the token's signature cannot be verified: no %s public key with kid %q is in the policy's key set", j.alg, j.kid)
	}
	return fmt.Errorf("the token's %s signature does not verify with the policy's public keys", j.alg)
}

// signJWT signs claims with an ES256 (*ecdsa.PrivateKey) or RS256
// (*rsa.PrivateKey) key into a compact JWT.
func signJWT(key crypto.Signer, kid string, claims any) (string, error) {
	alg := algRS256
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = algES256
	}
	header, err := json.Marshal(map[string]string{"alg": alg, "typ": "JWT", "kid": kid})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := b64.EncodeToString(header) + "." + b64.EncodeToString(payload)
	digest := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest[:])
		if err != nil {
			return "", err
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case *rsa.PrivateKey:
		if sig, err = rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, digest[:]); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("emulator: cannot sign with a %T", key)
	}
	return input + "." + b64.EncodeToString(sig), nil
}

// jwk is one JSON Web Key, public parts only.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// jwkOf describes a P-256 or RSA public key as a JWK.
func jwkOf(kid string, pub crypto.PublicKey) (jwk, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		point, err := k.Bytes()
		if err != nil || len(point) != 65 || k.Curve != elliptic.P256() {
			return jwk{}, errors.New("emulator: only P-256 EC keys are supported")
		}
		return jwk{Kty: "EC", Kid: kid, Use: "sig", Alg: algES256, Crv: "P-256", X: b64.EncodeToString(point[1:33]), Y: b64.EncodeToString(point[33:])}, nil
	case *rsa.PublicKey:
		return jwk{Kty: "RSA", Kid: kid, Use: "sig", Alg: algRS256, N: b64.EncodeToString(k.N.Bytes()), E: b64.EncodeToString(big.NewInt(int64(k.E)).Bytes())}, nil
	}
	return jwk{}, fmt.Errorf("emulator: unsupported public key type %T", pub)
}

// parseJWKS reads a JWK Set ({"keys":[...]}) and keeps its P-256 and RSA
// signing keys; it fails when none is usable.
func parseJWKS(doc []byte) ([]verificationKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("the JWKS is not a JSON key set: %w", err)
	}
	var keys []verificationKey
	for _, k := range set.Keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		pub, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("JWKS key %q: %w", k.Kid, err)
		}
		if pub != nil {
			keys = append(keys, verificationKey{kid: k.Kid, pub: pub})
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS has no P-256 EC or RSA signing key")
	}
	return keys, nil
}

// publicKey decodes the key; nil without error for a key type federation
// cannot use.
func (k jwk) publicKey() (crypto.PublicKey, error) {
	switch k.Kty {
	case "EC":
		if k.Crv != "P-256" {
			return nil, nil
		}
		x, errX := b64.DecodeString(k.X)
		y, errY := b64.DecodeString(k.Y)
		if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
			return nil, errors.New("x and y must be 32-byte base64url values")
		}
		return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	case "RSA":
		n, errN := b64.DecodeString(k.N)
		e, errE := b64.DecodeString(k.E)
		if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return nil, errors.New("n and e must be base64url big-endian integers")
		}
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}, nil
	}
	return nil, nil
}
