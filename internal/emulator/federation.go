package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// FederationPolicy trusts the identity tokens (JWTs) of one issuer, as a
// Databricks federation policy does: /oidc/v1/token exchanges a token that
// matches it for a workspace access token.
type FederationPolicy struct {
	// ServicePrincipal is the application id of the service principal a
	// matching token signs in as; the client exchanges with
	// client_id=<application id>. "" makes this an account federation policy:
	// the client exchanges without client_id, and the token's subject names
	// the principal (the workspace user's name or an application id).
	ServicePrincipal string
	// Issuer must equal the token's iss claim.
	Issuer string
	// Audiences: the token's aud must contain one of them. Required (the
	// emulator has no account id to default to).
	Audiences []string
	// Subject must equal the token's subject claim; required for a service
	// principal policy, empty for an account policy. Databricks matches it
	// exactly: there are no patterns.
	Subject string
	// SubjectClaim names the claim that holds the subject; default "sub".
	SubjectClaim string
	// JWKS is the issuer's public keys as a JWK Set (Databricks' jwks_json).
	// When empty the keys are fetched from JWKSURI, else from the jwks_uri of
	// the issuer's /.well-known/openid-configuration, at every exchange.
	JWKS    string
	JWKSURI string
}

// federationPolicy is a checked policy with its keys decoded.
type federationPolicy struct {
	FederationPolicy
	keys []verificationKey
}

// jwtLeeway is the clock skew allowed on exp, nbf and iat.
const jwtLeeway = 10 * time.Second

func (p *principalSet) addPolicy(fp FederationPolicy) error {
	if fp.Issuer == "" {
		return fmt.Errorf("emulator: a federation policy has no Issuer")
	}
	if len(fp.Audiences) == 0 || slices.Contains(fp.Audiences, "") {
		return fmt.Errorf("emulator: the federation policy for issuer %s needs non-empty Audiences", fp.Issuer)
	}
	if fp.SubjectClaim == "" {
		fp.SubjectClaim = "sub"
	}
	policy := &federationPolicy{FederationPolicy: fp}
	if fp.JWKS != "" {
		keys, err := parseJWKS([]byte(fp.JWKS))
		if err != nil {
			return fmt.Errorf("emulator: the federation policy for issuer %s: %w", fp.Issuer, err)
		}
		policy.keys = keys
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if fp.ServicePrincipal != "" {
		if _, ok := p.sps[fp.ServicePrincipal]; !ok {
			return fmt.Errorf("emulator: the federation policy for issuer %s names service principal %s, which is not in ServicePrincipals", fp.Issuer, fp.ServicePrincipal)
		}
		if fp.Subject == "" {
			return fmt.Errorf("emulator: the federation policy of service principal %s needs a Subject", fp.ServicePrincipal)
		}
	} else if fp.Subject != "" {
		return fmt.Errorf("emulator: the account federation policy for issuer %s must not have a Subject: the token's subject names the principal", fp.Issuer)
	}
	p.policies = append(p.policies, policy)
	return nil
}

// policiesFor returns the service principal's policies, or the account
// policies when appID is "".
func (p *principalSet) policiesFor(appID string) []*federationPolicy {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*federationPolicy
	for _, fp := range p.policies {
		if fp.ServicePrincipal == appID {
			out = append(out, fp)
		}
	}
	return out
}

func (e *Emulator) tokenExchangeGrant(x *exchange, form url.Values, auth clientAuth) {
	if tt := form.Get("subject_token_type"); tt != tokenTypeJWT {
		x.oauthError(http.StatusBadRequest, "invalid_request", "subject_token_type must be "+tokenTypeJWT+".")
		return
	}
	subject := form.Get("subject_token")
	if subject == "" {
		x.oauthError(http.StatusBadRequest, "invalid_request", "Missing required parameter: subject_token.")
		return
	}
	scope, ok := checkScope(x, form)
	if !ok {
		return
	}
	owner := "of the account"
	if auth.id != "" {
		sp, known := e.servicePrincipalFor(auth)
		if !known || (auth.secret != "" && !auth.secretMatches(sp.Secret)) {
			x.oauthError(http.StatusUnauthorized, "invalid_client", clientAuthFailed)
			return
		}
		auth.id = sp.ApplicationID
		owner = "of service principal " + sp.ApplicationID
	}
	policies := e.principals.policiesFor(auth.id)
	if len(policies) == 0 {
		x.oauthError(http.StatusBadRequest, "invalid_request", "Token exchange failed: there is no federation policy "+owner+".")
		return
	}
	// RFC 8693 section 2.2.2: a subject token that is invalid or unacceptable
	// by policy is an invalid_request.
	tok, err := parseJWT(subject)
	if err != nil {
		x.oauthError(http.StatusBadRequest, "invalid_request", "Token exchange failed: subject_token: "+err.Error()+".")
		return
	}
	principal, expires, err := e.matchPolicies(x.r.Context(), tok, policies, owner)
	if err != nil {
		x.oauthError(http.StatusBadRequest, "invalid_request", "Token exchange failed: "+err.Error()+".")
		return
	}
	// The access token lives no longer than the identity token, as on
	// Databricks; expires_in must stay at least one second.
	lifetime := max(min(e.opts.OAuthTokenLifetime, time.Until(expires)), time.Second)
	e.grantAccessToken(x, principal, scope, lifetime)
}

// The checks of a token against a policy, in the order they run: the
// signature is verified before the claims are compared, so that an unsigned
// token learns nothing about a policy but its issuer.
const (
	checkIssuer = iota
	checkSignature
	checkLifetime
	checkAudience
	checkSubject
	checkPrincipal
	checksPassed
)

// matchPolicies finds a policy the token satisfies and returns the principal
// it signs in as and the token's expiry. When none matches, the error is the
// failure of the policy the token came closest to.
func (e *Emulator) matchPolicies(ctx context.Context, tok *jwt, policies []*federationPolicy, owner string) (string, time.Time, error) {
	bestStage, bestErr := -1, error(nil)
	for _, p := range policies {
		principal, expires, stage, err := e.matchPolicy(ctx, tok, p)
		if stage == checksPassed {
			return principal, expires, nil
		}
		if stage > bestStage {
			bestStage, bestErr = stage, err
		}
	}
	if bestStage == checkIssuer {
		trusted := make([]string, len(policies))
		for i, p := range policies {
			trusted[i] = p.Issuer
		}
		return "", time.Time{}, fmt.Errorf("the token's issuer (iss) %q is not trusted by any federation policy %s (trusted issuers: %q)", tok.stringClaim("iss"), owner, trusted)
	}
	return "", time.Time{}, bestErr
}

func (e *Emulator) matchPolicy(ctx context.Context, tok *jwt, p *federationPolicy) (principal string, expires time.Time, stage int, err error) {
	if tok.stringClaim("iss") != p.Issuer {
		return "", time.Time{}, checkIssuer, nil
	}
	keys, err := p.verificationKeys(ctx)
	if err != nil {
		return "", time.Time{}, checkSignature, err
	}
	if err := tok.verify(keys); err != nil {
		return "", time.Time{}, checkSignature, fmt.Errorf("signature check for issuer %q: %w", p.Issuer, err)
	}
	expires, err = checkTokenTimes(tok, time.Now())
	if err != nil {
		return "", time.Time{}, checkLifetime, err
	}
	if aud := tok.audiences(); !slices.ContainsFunc(aud, func(a string) bool { return slices.Contains(p.Audiences, a) }) {
		return "", time.Time{}, checkAudience, fmt.Errorf("the token's audience (aud) %q matches none of the policy's audiences %q", aud, p.Audiences)
	}
	subject := tok.stringClaim(p.SubjectClaim)
	if p.ServicePrincipal != "" {
		if subject != p.Subject {
			return "", time.Time{}, checkSubject, fmt.Errorf("the token's subject (claim %q) %q does not match the policy's subject %q", p.SubjectClaim, subject, p.Subject)
		}
		return p.ServicePrincipal, expires, checksPassed, nil
	}
	if subject == "" {
		return "", time.Time{}, checkSubject, fmt.Errorf("the token has no %q claim to name a principal", p.SubjectClaim)
	}
	if subject == e.opts.UserName {
		return "", expires, checksPassed, nil
	}
	if _, ok := e.principals.servicePrincipal(subject); ok {
		return subject, expires, checksPassed, nil
	}
	return "", time.Time{}, checkPrincipal, fmt.Errorf("the token's subject (claim %q) %q names no user or service principal of the workspace", p.SubjectClaim, subject)
}

// checkTokenTimes checks exp (required), nbf and iat with jwtLeeway.
func checkTokenTimes(tok *jwt, now time.Time) (time.Time, error) {
	exp, ok, err := tok.timeClaim("exp")
	if err != nil {
		return time.Time{}, err
	}
	if !ok {
		return time.Time{}, fmt.Errorf("the token has no exp claim")
	}
	if now.After(exp.Add(jwtLeeway)) {
		return time.Time{}, fmt.Errorf("the token expired at %s", exp.UTC().Format(time.RFC3339))
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := tok.timeClaim(name)
		if err != nil {
			return time.Time{}, err
		}
		if ok && t.After(now.Add(jwtLeeway)) {
			return time.Time{}, fmt.Errorf("the token is not valid yet (%s %s)", name, t.UTC().Format(time.RFC3339))
		}
	}
	return exp, nil
}

// verificationKeys returns the policy's keys, fetching them when the policy
// does not hold them.
func (p *federationPolicy) verificationKeys(ctx context.Context) ([]verificationKey, error) {
	if p.keys != nil {
		return p.keys, nil
	}
	uri := p.JWKSURI
	if uri == "" {
		var disco struct {
			JWKSURI string `json:"jwks_uri"`
		}
		wellKnown := strings.TrimSuffix(p.Issuer, "/") + "/.well-known/openid-configuration"
		raw, err := fetch(ctx, wellKnown)
		if err == nil {
			err = json.Unmarshal(raw, &disco)
		}
		if err != nil || disco.JWKSURI == "" {
			return nil, fmt.Errorf("cannot discover the public keys of issuer %q at %s (give the policy its JWKS): %v", p.Issuer, wellKnown, err)
		}
		uri = disco.JWKSURI
	}
	raw, err := fetch(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("cannot fetch the public keys of issuer %q from %s: %w", p.Issuer, uri, err)
	}
	keys, err := parseJWKS(raw)
	if err != nil {
		return nil, fmt.Errorf("the public keys of issuer %q at %s: %w", p.Issuer, uri, err)
	}
	return keys, nil
}

// fetch GETs a small JSON document.
func fetch(ctx context.Context, uri string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
