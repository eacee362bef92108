package databricks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode"
)

// The workspace's own OAuth authorization server, as the Databricks CLI and SDKs use it:
// discovery names the token endpoint, which hands out access tokens for a service
// principal's client credentials (oauth-m2m) or in exchange for a CI's identity token
// (workload identity federation, RFC 8693). See WIRE.md, "OAuth".

// OAuthM2MConfig configures oauth-m2m credentials: a Databricks service principal
// signing in with an OAuth secret.
type OAuthM2MConfig struct {
	BaseURL      string // the workspace; validated with ParseBaseURL
	ClientID     string // the service principal's application id
	ClientSecret string // an OAuth secret of the service principal
	Fetch        FetchOptions
}

// NewOAuthM2M validates cfg and returns oauth-m2m credentials. It contacts nothing: the
// first Authorization discovers the token endpoint and fetches a token.
func NewOAuthM2M(cfg OAuthM2MConfig) (Credentials, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := validateClientID(cfg.ClientID, "the service principal's application id"); err != nil {
		return nil, err
	}
	if err := validateSecret(cfg.ClientSecret, "client secret", "Create an OAuth secret on the service principal's Secrets tab."); err != nil {
		return nil, err
	}
	o := cfg.Fetch.withDefaults()
	source := &m2mSource{oidc: newWorkspaceOIDC(base, newAuthHTTP(AuthTypeOAuthM2M, o)), clientID: cfg.ClientID, clientSecret: cfg.ClientSecret}
	return newTokenCredentials(AuthTypeOAuthM2M, source, o, cfg.ClientSecret).boundTo(base), nil
}

type m2mSource struct {
	oidc                   *workspaceOIDC
	clientID, clientSecret string
}

func (s *m2mSource) token(ctx context.Context, c *tokenCredentials) (issuedToken, error) {
	endpoint, err := s.oidc.tokenEndpoint(ctx, c)
	if err != nil {
		return issuedToken{}, err
	}
	return s.oidc.requestToken(ctx, c, authRequest{
		step: StepTokenEndpoint, method: http.MethodPost, endpoint: endpoint,
		form:      url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis"}},
		basicUser: s.clientID, basicPassword: s.clientSecret,
	})
}

// WorkloadIdentityConfig configures workload identity federation: a CI job's identity
// token (a JWT from IDToken) exchanged at the workspace's token endpoint for an access
// token, with no secret stored anywhere. The auth type follows IDToken: github-oidc,
// env-oidc or file-oidc.
type WorkloadIdentityConfig struct {
	BaseURL string // the workspace; validated with ParseBaseURL
	// ClientID is the application id of the service principal whose federation policy
	// trusts the token; empty for an account-wide federation policy, where the token's
	// subject names the principal.
	ClientID string
	// Audience is the aud the identity token is requested with (GitHub Actions); default,
	// as in the Databricks SDKs at workspace level, the workspace's token endpoint URL.
	Audience string
	IDToken  IDTokenSource
	Fetch    FetchOptions
}

// NewWorkloadIdentity validates cfg and returns token-exchange credentials. It contacts
// nothing and reads no identity token until the first Authorization.
func NewWorkloadIdentity(cfg WorkloadIdentityConfig) (Credentials, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.IDToken == nil {
		return nil, &InputError{Problem: "No identity token source is set.", Fix: "Use EnvIDToken, FileIDToken or GitHubActionsIDToken."}
	}
	if cfg.ClientID != "" {
		if err := validateClientID(cfg.ClientID, "the service principal's application id"); err != nil {
			return nil, err
		}
	}
	if strings.IndexFunc(cfg.Audience, unicode.IsSpace) >= 0 {
		return nil, &InputError{Problem: "The token audience contains white space.", Fix: "Copy it from the federation policy."}
	}
	o := cfg.Fetch.withDefaults()
	authType := cfg.IDToken.authType()
	source := &exchangeSource{
		oidc: newWorkspaceOIDC(base, newAuthHTTP(authType, o)), clientID: cfg.ClientID, audience: cfg.Audience, idTokens: cfg.IDToken,
	}
	return newTokenCredentials(authType, source, o, cfg.IDToken.heldSecrets()...).boundTo(base), nil
}

type exchangeSource struct {
	oidc               *workspaceOIDC
	clientID, audience string
	idTokens           IDTokenSource
}

func (s *exchangeSource) token(ctx context.Context, c *tokenCredentials) (issuedToken, error) {
	endpoint, err := s.oidc.tokenEndpoint(ctx, c)
	if err != nil {
		return issuedToken{}, err
	}
	audience := s.audience
	if audience == "" {
		audience = endpoint.String()
	}
	// A fresh identity token for every exchange: CI tokens live minutes, and one that
	// expired since the last exchange would be refused.
	subject, err := s.idTokens.idToken(ctx, audience, c, s.oidc.http)
	if err != nil {
		return issuedToken{}, err
	}
	form := url.Values{
		"grant_type":         {"urn:ietf:params:oauth:grant-type:token-exchange"},
		"subject_token":      {subject},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"},
		"scope":              {"all-apis"},
	}
	if s.clientID != "" {
		form.Set("client_id", s.clientID)
	}
	return s.oidc.requestToken(ctx, c, authRequest{step: StepTokenEndpoint, method: http.MethodPost, endpoint: endpoint, form: form})
}

// workspaceOIDC is a workspace's authorization server: its token endpoint, discovered
// once and then remembered.
type workspaceOIDC struct {
	base BaseURL
	http *authHTTP

	mu       sync.Mutex
	endpoint *url.URL
}

func newWorkspaceOIDC(base BaseURL, h *authHTTP) *workspaceOIDC {
	return &workspaceOIDC{base: base, http: h}
}

// discoveryPath is where a workspace describes its authorization server.
const discoveryPath = "/oidc/.well-known/oauth-authorization-server"

func (w *workspaceOIDC) tokenEndpoint(ctx context.Context, c *tokenCredentials) (*url.URL, error) {
	w.mu.Lock()
	known := w.endpoint
	w.mu.Unlock()
	if known != nil {
		return known, nil
	}
	discovery, err := url.Parse(w.base.String() + discoveryPath)
	if err != nil {
		return nil, fmt.Errorf("discovery URL: %w", err)
	}
	body, err := w.http.send(ctx, c, authRequest{step: StepDiscovery, method: http.MethodGet, endpoint: discovery, readOnly: true})
	if err != nil {
		return nil, err
	}
	fail := func(problem string) error {
		return &CredentialsError{AuthType: w.http.authType, Step: StepDiscovery, Endpoint: discovery.String(), Code: CodeMalformed, Description: problem}
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fail(fmt.Sprintf("the answer is not an OAuth discovery document (%s); check the Base URL and any proxy in between", describeJSONError(err)))
	}
	endpoint, problem := checkTokenEndpoint(w.base, doc.TokenEndpoint, c.scrubber())
	if problem != "" {
		return nil, fail(problem)
	}
	w.mu.Lock()
	w.endpoint = endpoint
	w.mu.Unlock()
	return endpoint, nil
}

// checkTokenEndpoint accepts a discovered token endpoint only on the workspace itself
// (same scheme, host and port). Whatever answers discovery chooses where the client
// secret or identity token goes next; a workspace's endpoint is always on its own host,
// so anything else is a proxy's or an attacker's answer, and is refused.
func checkTokenEndpoint(base BaseURL, raw string, sc scrubber) (*url.URL, string) {
	if raw == "" {
		return nil, "the discovery document names no token_endpoint"
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, "the discovery document's token_endpoint is not an absolute URL"
	}
	if u.User != nil || !sameOrigin(u, base.u) {
		return nil, fmt.Sprintf("the discovery document's token_endpoint %s is not on the workspace %s, so no credentials were sent to it; "+
			"check the Base URL and any proxy in between", sc.text(endpointText(u), maxLocationText), base)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, ""
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && effectivePort(a) == effectivePort(b)
}

func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "http") {
		return "80"
	}
	return "443"
}

// requestToken posts a token request and reads the access token from the answer.
func (w *workspaceOIDC) requestToken(ctx context.Context, c *tokenCredentials, r authRequest) (issuedToken, error) {
	started := c.now()
	body, err := w.http.send(ctx, c, r)
	if err != nil {
		return issuedToken{}, err
	}
	tok, problem := parseTokenAnswer(body, started)
	if problem != "" {
		return issuedToken{}, &CredentialsError{AuthType: w.http.authType, Step: r.step, Endpoint: endpointText(r.endpoint), Code: CodeMalformed, Description: problem}
	}
	return tok, nil
}

// validateClientID checks an application (client) id without contacting anyone.
func validateClientID(id, what string) error {
	switch {
	case id == "":
		return &InputError{Problem: "The client id is empty.", Fix: "Set it to " + what + "."}
	case strings.TrimSpace(id) != id:
		return &InputError{Problem: "The client id has leading or trailing white space.", Fix: "Remove it."}
	case strings.IndexFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return &InputError{Problem: "The client id contains white space.", Fix: "Set it to " + what + "."}
	}
	return nil
}

// validateSecret checks a secret's shape. Messages never repeat it.
func validateSecret(secret, what, fix string) error {
	switch {
	case secret == "":
		return &InputError{Problem: "The " + what + " is empty.", Fix: fix}
	case strings.TrimSpace(secret) != secret:
		return &InputError{Problem: "The " + what + " has leading or trailing white space.", Fix: "A secret read with file() keeps its final newline: wrap it in trimspace()."}
	case strings.IndexFunc(secret, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		return &InputError{Problem: "The " + what + " contains white space.", Fix: "Copy it again; a secret is one word."}
	}
	return nil
}

// loopbackHTTP reports whether u may use plain http: only on a loopback address (an
// emulator or a test), as ParseBaseURL allows for the workspace.
func loopbackHTTP(u *url.URL) bool {
	return strings.EqualFold(u.Scheme, "http") && isLoopback(u.Hostname())
}
