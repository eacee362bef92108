package emulator

import (
	"crypto/subtle"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The workspace's OAuth authorization server, as the Databricks SDKs use it:
// discovery, then /oidc/v1/token with client credentials (oauth-m2m) or an
// RFC 8693 token exchange (workload identity federation). Errors take the
// OAuth shape ({"error","error_description"}), not the Databricks one.

const (
	grantClientCredentials = "client_credentials"
	grantTokenExchange     = "urn:ietf:params:oauth:grant-type:token-exchange"
	tokenTypeJWT           = "urn:ietf:params:oauth:token-type:jwt"
)

// clientAuthFailed is Databricks' description for an unknown client or a
// wrong secret; it says no more, so that it tells an attacker nothing.
const clientAuthFailed = "Client authentication failed"

// baseURL is the emulator's URL as this client reached it, so that discovery
// answers with addresses the client can use.
func baseURL(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func (e *Emulator) handleOIDCDiscovery(x *exchange) {
	base := baseURL(x.r)
	x.reply(http.StatusOK, map[string]any{
		"issuer":                                base + "/oidc",
		"authorization_endpoint":                base + "/oidc/v1/authorize",
		"token_endpoint":                        base + "/oidc/v1/token",
		"grant_types_supported":                 []string{grantClientCredentials, grantTokenExchange},
		"response_types_supported":              []string{"code"},
		"scopes_supported":                      []string{"all-apis", "sql"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// oauthError answers with the OAuth error shape (RFC 6749 section 5.2).
// error_id is there because Databricks sends one.
func (x *exchange) oauthError(status int, code, description string) {
	x.w.Header().Set("Cache-Control", "no-store")
	x.reply(status, struct {
		Error            string `json:"error"`
		ErrorID          string `json:"error_id"`
		ErrorDescription string `json:"error_description"`
	}{code, x.reqID, description})
}

// clientAuth is the client authentication of a token request.
type clientAuth struct {
	id, secret string
	// raw are the Basic credentials before form-decoding: RFC 6749 has
	// clients form-encode them (Go's x/oauth2 does), curl -u does not.
	rawID, rawSecret string
	basic            bool
}

// parseTokenForm reads a token request's form and its client authentication.
// On failure it returns a description for an invalid_request answer.
func parseTokenForm(x *exchange) (url.Values, clientAuth, string) {
	var auth clientAuth
	mediaType, _, _ := mime.ParseMediaType(x.r.Header.Get("Content-Type"))
	if mediaType != "application/x-www-form-urlencoded" {
		return nil, auth, "The token request must be a POST with Content-Type application/x-www-form-urlencoded."
	}
	if x.r.URL.RawQuery != "" {
		return nil, auth, "Token request parameters belong in the request body, not in the URL."
	}
	form, err := url.ParseQuery(string(x.body))
	if err != nil {
		return nil, auth, "The request body is not a valid form."
	}
	for name, values := range form {
		if len(values) > 1 {
			return nil, auth, "Parameter " + name + " is repeated."
		}
	}
	auth.id = form.Get("client_id")
	auth.secret = form.Get("client_secret")
	if user, pass, ok := x.r.BasicAuth(); ok {
		if auth.secret != "" {
			return nil, auth, "The client authenticated both with HTTP Basic and with client_secret in the body; use one."
		}
		auth.basic, auth.rawID, auth.rawSecret = true, user, pass
		id, errID := url.QueryUnescape(user)
		secret, errSecret := url.QueryUnescape(pass)
		if errID != nil || errSecret != nil {
			id, secret = user, pass
		}
		if auth.id != "" && auth.id != id && auth.id != user {
			return nil, auth, "client_id in the body differs from the client in HTTP Basic."
		}
		auth.id, auth.secret = id, secret
	}
	return form, auth, ""
}

// secretMatches compares in constant time, trying the Basic credentials both
// form-decoded and as sent.
func (a clientAuth) secretMatches(want string) bool {
	if want == "" {
		return false
	}
	ok := subtle.ConstantTimeCompare([]byte(a.secret), []byte(want)) == 1
	if a.basic {
		ok = ok || subtle.ConstantTimeCompare([]byte(a.rawSecret), []byte(want)) == 1
	}
	return ok
}

// servicePrincipalFor finds the principal a client id names; Basic ids are
// tried form-decoded, then as sent.
func (e *Emulator) servicePrincipalFor(a clientAuth) (ServicePrincipal, bool) {
	if sp, ok := e.principals.servicePrincipal(a.id); ok {
		return sp, true
	}
	if a.basic {
		return e.principals.servicePrincipal(a.rawID)
	}
	return ServicePrincipal{}, false
}

func (e *Emulator) handleOIDCToken(x *exchange) {
	form, auth, problem := parseTokenForm(x)
	if problem != "" {
		x.oauthError(http.StatusBadRequest, "invalid_request", problem)
		return
	}
	grant := form.Get("grant_type")
	e.log.update(x.entry, func(r *Request) { r.GrantType, r.ClientID = grant, auth.id })
	switch grant {
	case "":
		x.oauthError(http.StatusBadRequest, "invalid_request", "Missing required parameter: grant_type.")
	case grantClientCredentials:
		e.clientCredentialsGrant(x, form, auth)
	case grantTokenExchange:
		e.tokenExchangeGrant(x, form, auth)
	default:
		x.oauthError(http.StatusBadRequest, "unsupported_grant_type", "grant_type "+grant+" is not supported by the emulator; use client_credentials or "+grantTokenExchange+".")
	}
}

func (e *Emulator) clientCredentialsGrant(x *exchange, form url.Values, auth clientAuth) {
	sp, known := e.servicePrincipalFor(auth)
	if !known || !auth.secretMatches(sp.Secret) {
		if auth.basic {
			// RFC 6749: a failed Basic authentication answers 401 with the
			// scheme the client used.
			x.w.Header().Set("WWW-Authenticate", `Basic realm="oidc"`)
		}
		x.oauthError(http.StatusUnauthorized, "invalid_client", clientAuthFailed)
		return
	}
	scope, ok := checkScope(x, form)
	if !ok {
		return
	}
	e.grantAccessToken(x, sp.ApplicationID, scope, e.opts.OAuthTokenLifetime)
}

// checkScope accepts the scopes Databricks documents for these grants.
func checkScope(x *exchange, form url.Values) (string, bool) {
	scope := form.Get("scope")
	if scope == "" {
		x.oauthError(http.StatusBadRequest, "invalid_scope", "Missing required parameter: scope; use scope=all-apis.")
		return "", false
	}
	for _, s := range strings.Fields(scope) {
		if s != "all-apis" && s != "sql" {
			x.oauthError(http.StatusBadRequest, "invalid_scope", "Scope "+s+" is not supported; use all-apis or sql.")
			return "", false
		}
	}
	return scope, true
}

// grantAccessToken issues a workspace access token and answers with it.
func (e *Emulator) grantAccessToken(x *exchange, principal, scope string, lifetime time.Duration) {
	base := baseURL(x.r)
	token, _ := e.accessTokens.issue(principal, "", lifetime, map[string]any{
		"iss": base + "/oidc", "aud": base + "/oidc/v1/token", "sub": e.principalName(principal),
		"client_id": principal, "scope": scope,
	})
	name := e.principalName(principal)
	e.log.update(x.entry, func(r *Request) { r.Principal = name })
	x.w.Header().Set("Cache-Control", "no-store")
	x.reply(http.StatusOK, struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int64  `json:"expires_in"`
		Scope       string `json:"scope"`
	}{token, "Bearer", int64(lifetime / time.Second), scope})
}

// loggableParams are the token-request parameters that carry no secret.
var loggableParams = map[string]bool{
	"grant_type": true, "scope": true, "client_id": true, "subject_token_type": true,
	"requested_token_type": true, "resource": true, "audience": true,
}

// redactForm is the body of an OAuth request as the request log keeps it:
// the values of every parameter that could carry a secret become REDACTED,
// and a body that is not a form is not kept at all.
func redactForm(body []byte) []byte {
	if len(body) == 0 {
		return nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil
	}
	for name, values := range form {
		if !loggableParams[name] {
			for i := range values {
				values[i] = "REDACTED"
			}
		}
	}
	return []byte(form.Encode())
}
