package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// accessToken is an OAuth access token the emulator issued, from its own
// token endpoint or its Entra ID stand-in.
type accessToken struct {
	principal string // "" = the workspace user, else an application id
	// audience is "" for tokens of the workspace's own endpoint, the resource
	// for Entra ID tokens: only those for Azure Databricks open the API.
	audience string
	expires  time.Time
}

// accessTokenStore remembers issued tokens by value. The tokens look like the
// JWTs Databricks and Entra ID issue (clients may read their exp), but their
// signature is random bytes: the emulator recognises its tokens by lookup.
type accessTokenStore struct {
	mu      sync.Mutex
	byValue map[string]accessToken
}

func newAccessTokenStore() *accessTokenStore {
	return &accessTokenStore{byValue: map[string]accessToken{}}
}

// forgetAfter is how long an expired token is still recognised (and answered
// as expired rather than unknown) before the store drops it.
const forgetAfter = time.Hour

// issue creates a token for principal valid for lifetime; claims are the
// informational JWT claims (iss, aud, ...) to which it adds sub, iat and exp.
func (s *accessTokenStore) issue(principal, audience string, lifetime time.Duration, claims map[string]any) (string, time.Time) {
	now := time.Now()
	expires := now.Add(lifetime)
	if claims == nil {
		claims = map[string]any{}
	}
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = expires.Unix()
	claims["jti"] = newRequestID()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "at+jwt", "kid": "dbsql-emulator"})
	// Claims are strings and numbers the emulator built itself: they encode.
	payload, _ := json.Marshal(claims)
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	value := b64.EncodeToString(header) + "." + b64.EncodeToString(payload) + "." + b64.EncodeToString(sig)

	s.mu.Lock()
	defer s.mu.Unlock()
	for v, t := range s.byValue {
		if now.Sub(t.expires) > forgetAfter {
			delete(s.byValue, v)
		}
	}
	s.byValue[value] = accessToken{principal: principal, audience: audience, expires: expires}
	return value, expires
}

func (s *accessTokenStore) identify(value string) (accessToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.byValue[value]
	return t, ok
}

// IssueAccessToken issues a workspace OAuth access token for a principal as if
// it had signed in through a flow the emulator does not serve, such as the
// Databricks CLI's browser login that a test fakes: principal "" is the
// workspace user, anything else must be a service principal's application id.
// A lifetime of 0 means Options.OAuthTokenLifetime.
func (e *Emulator) IssueAccessToken(principal string, lifetime time.Duration) (token string, expiry time.Time, err error) {
	if principal != "" {
		if _, ok := e.principals.servicePrincipal(principal); !ok {
			return "", time.Time{}, fmt.Errorf("emulator: no service principal with application id %q", principal)
		}
	}
	if lifetime <= 0 {
		lifetime = e.opts.OAuthTokenLifetime
	}
	token, expiry = e.accessTokens.issue(principal, "", lifetime, map[string]any{
		"sub": e.principalName(principal), "scope": "all-apis offline_access",
	})
	return token, expiry, nil
}

// acceptAccessToken decides on an OAuth access token presented to the API.
func (e *Emulator) acceptAccessToken(x *exchange, t accessToken) bool {
	if t.audience != "" && t.audience != AzureDatabricksResourceID {
		// An Entra ID token for another resource (e.g. Azure management)
		// does not open the workspace, as on Azure Databricks.
		x.invalidToken()
		return false
	}
	if !time.Now().Before(t.expires) {
		x.expiredToken()
		return false
	}
	e.signedIn(x, t.principal, "")
	return true
}

// expiredTokenMessage is the emulator's answer to an expired OAuth token.
// Databricks answers 403 (not 401) for one, with a reason that ends in
// "(token expired)"; the exact wording is not documented.
const expiredTokenMessage = "Token is expired. (token expired)"

func (x *exchange) expiredToken() {
	x.w.Header().Set("X-Databricks-Reason-Phrase", expiredTokenMessage)
	x.reply(http.StatusForbidden, numericError{
		ErrorCode: http.StatusForbidden,
		Message:   expiredTokenMessage,
		Details:   x.details(),
	})
}
