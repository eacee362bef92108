package emulator

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Issuer is a test identity provider: it mints the JWTs a CI system gives its
// jobs (GitHub Actions, GitLab, a Kubernetes service account), for tests of
// workload identity federation. Put Issuer.Policy (or its JWKS) in the
// emulator's federation policies, then exchange what Mint returns.
type Issuer struct {
	url string
	kid string
	key crypto.Signer
}

// NewIssuer returns an issuer that signs with a fresh ES256 (P-256) key. The
// URL is the iss claim of its tokens; it need not be served unless a policy
// has no JWKS (then Handler must answer there).
func NewIssuer(issuerURL string) (*Issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("emulator: issuer key: %w", err)
	}
	return newIssuer(issuerURL, key)
}

// NewRSAIssuer returns an issuer that signs with a fresh RS256 (2048-bit)
// key, the algorithm GitHub Actions uses.
func NewRSAIssuer(issuerURL string) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("emulator: issuer key: %w", err)
	}
	return newIssuer(issuerURL, key)
}

func newIssuer(issuerURL string, key crypto.Signer) (*Issuer, error) {
	if issuerURL == "" {
		return nil, fmt.Errorf("emulator: an issuer needs a URL")
	}
	return &Issuer{url: issuerURL, kid: randomHex(8), key: key}, nil
}

// URL is the issuer's iss claim.
func (i *Issuer) URL() string { return i.url }

// JWKS is the issuer's public key as a JWK Set, for FederationPolicy.JWKS.
func (i *Issuer) JWKS() string {
	k, err := jwkOf(i.kid, i.key.Public())
	if err != nil {
		// The issuer only ever holds the two key types jwkOf describes.
		return `{"keys":[]}`
	}
	raw, _ := json.Marshal(map[string][]jwk{"keys": {k}})
	return string(raw)
}

// Policy returns a service principal federation policy that trusts this
// issuer's tokens for subject with any of audiences, with the issuer's key.
func (i *Issuer) Policy(servicePrincipal, subject string, audiences ...string) FederationPolicy {
	return FederationPolicy{
		ServicePrincipal: servicePrincipal,
		Issuer:           i.url,
		Subject:          subject,
		Audiences:        audiences,
		JWKS:             i.JWKS(),
	}
}

// Mint signs a token for subject and audience that expires after lifetime. A
// lifetime of zero or less gives a token that has already expired (issued
// five minutes before its expiry), for tests of the refusal.
func (i *Issuer) Mint(subject, audience string, lifetime time.Duration) (string, error) {
	now := time.Now()
	exp := now.Add(lifetime)
	iat := now
	if lifetime <= 0 {
		iat = exp.Add(-5 * time.Minute)
	}
	return i.MintClaims(map[string]any{
		"sub": subject, "aud": audience,
		"iat": iat.Unix(), "nbf": iat.Unix(), "exp": exp.Unix(),
	})
}

// MintClaims signs arbitrary claims, for tests of odd tokens (no exp, a
// future nbf, an audience list). It adds iss and jti unless claims has them.
func (i *Issuer) MintClaims(claims map[string]any) (string, error) {
	c := make(map[string]any, len(claims)+2)
	c["iss"] = i.url
	c["jti"] = newRequestID()
	for k, v := range claims {
		c[k] = v
	}
	return signJWT(i.key, i.kid, c)
}

// Handler serves the issuer's discovery document and keys, at
// <issuer path>/.well-known/openid-configuration and
// <issuer path>/.well-known/jwks, for policies that give no JWKS.
func (i *Issuer) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration"):
			_ = json.NewEncoder(w).Encode(map[string]any{
				"issuer":                                i.url,
				"jwks_uri":                              strings.TrimSuffix(i.url, "/") + "/.well-known/jwks",
				"id_token_signing_alg_values_supported": []string{algRS256, algES256},
			})
		case strings.HasSuffix(r.URL.Path, "/.well-known/jwks"):
			_, _ = w.Write([]byte(i.JWKS()))
		default:
			http.NotFound(w, r)
		}
	})
}

// githubTokenLifetime is how long GitHub Actions' ID tokens live.
const githubTokenLifetime = 5 * time.Minute

// GitHubActionsHandler serves GitHub Actions' ID-token request, mounted where
// ACTIONS_ID_TOKEN_REQUEST_URL points: GET with "Authorization: Bearer
// <requestToken>" and an optional audience query parameter answers
// {"value":"<JWT>"} for subject (e.g. "repo:my-org/my-repo:environment:prod").
// Without audience the token's aud is the repository owner's URL, as on
// GitHub. A wrong or missing request token gets 401.
func (i *Issuer) GitHubActionsHandler(requestToken, subject string) http.Handler {
	owner, repo := githubRepository(subject)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet {
			w.Header().Set("Allow", http.MethodGet)
			w.WriteHeader(http.StatusMethodNotAllowed)
			_, _ = w.Write([]byte(`{"message":"Method not allowed"}`))
			return
		}
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || requestToken == "" ||
			subtle.ConstantTimeCompare([]byte(got), []byte(requestToken)) != 1 {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"message":"Bad credentials: the request token is missing or not valid for this job"}`))
			return
		}
		audience := r.URL.Query().Get("audience")
		if audience == "" {
			audience = "https://github.com/" + owner
		}
		now := time.Now()
		token, err := i.MintClaims(map[string]any{
			"sub": subject, "aud": audience, "repository": repo, "repository_owner": owner,
			"iat": now.Unix(), "nbf": now.Add(-5 * time.Minute).Unix(), "exp": now.Add(githubTokenLifetime).Unix(),
		})
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"message":"signing failed"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"count": len(token), "value": token})
	})
}

// githubRepository reads owner and owner/repo out of a GitHub subject
// ("repo:owner/repo:..."); other subjects give empty strings.
func githubRepository(subject string) (owner, repo string) {
	rest, ok := strings.CutPrefix(subject, "repo:")
	if !ok {
		return "", ""
	}
	repo, _, _ = strings.Cut(rest, ":")
	owner, _, _ = strings.Cut(repo, "/")
	return owner, repo
}
