package emulator

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testAppID  = "6f1c8e2a-5b7d-4e3f-9a10-2c4d6e8f0a1b"
	testSecret = "dose0123456789abcdef0123456789ab"
)

// startOAuth runs an emulator with one service principal that has a secret.
func startOAuth(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.SampleTrips = -1
	opts.ServicePrincipals = append(opts.ServicePrincipals, ServicePrincipal{ApplicationID: testAppID, Secret: testSecret, DisplayName: "ci-deployer"})
	return start(t, opts)
}

// postForm posts a form to the emulator, with HTTP Basic when user is set.
func postForm(t *testing.T, s *Server, path string, form url.Values, user, pass string) call {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) call {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return call{status: resp.StatusCode, header: resp.Header, body: raw}
}

type wireTokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
}

type wireOAuthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func m2mForm() url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis"}}
}

// m2mToken gets an access token with client credentials in HTTP Basic.
func m2mToken(t *testing.T, s *Server) wireTokenResponse {
	t.Helper()
	c := postForm(t, s, "/oidc/v1/token", m2mForm(), testAppID, testSecret)
	var tok wireTokenResponse
	c.decode(t, &tok)
	if c.status != http.StatusOK || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Scope != "all-apis" {
		t.Fatalf("token: HTTP %d %s", c.status, c.body)
	}
	return tok
}

// oauthFailure asserts an OAuth error answer and returns its description.
func oauthFailure(t *testing.T, c call, status int, code string) string {
	t.Helper()
	var e wireOAuthError
	c.decode(t, &e)
	if c.status != status || e.Error != code || e.ErrorDescription == "" {
		t.Fatalf("want HTTP %d %s, got HTTP %d %s", status, code, c.status, c.body)
	}
	return e.ErrorDescription
}

type wireMe struct {
	ID          string   `json:"id"`
	UserName    string   `json:"userName"`
	DisplayName string   `json:"displayName"`
	Emails      []any    `json:"emails"`
	Schemas     []string `json:"schemas"`
}

func me(t *testing.T, s *Server, token string) (call, wireMe) {
	t.Helper()
	c := doToken(t, s, token, http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil)
	var m wireMe
	if c.status == http.StatusOK {
		c.decode(t, &m)
	}
	return c, m
}

func TestOAuthDiscovery(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{})
	for _, path := range []string{"/oidc/.well-known/oauth-authorization-server", "/oidc/.well-known/openid-configuration"} {
		c := doToken(t, s, "", http.MethodGet, path, nil)
		var d struct {
			Issuer                string   `json:"issuer"`
			AuthorizationEndpoint string   `json:"authorization_endpoint"`
			TokenEndpoint         string   `json:"token_endpoint"`
			GrantTypes            []string `json:"grant_types_supported"`
		}
		c.decode(t, &d)
		if c.status != http.StatusOK || d.Issuer != s.URL+"/oidc" || d.TokenEndpoint != s.URL+"/oidc/v1/token" ||
			d.AuthorizationEndpoint != s.URL+"/oidc/v1/authorize" || strings.Join(d.GrantTypes, " ") != grantClientCredentials+" "+grantTokenExchange {
			t.Errorf("%s: HTTP %d %s", path, c.status, c.body)
		}
	}
	if n := s.Log().Count(EndpointOAuthDiscovery); n != 2 {
		t.Errorf("%d discovery requests logged", n)
	}
	// A wrong method on an OAuth endpoint is refused as such, not for the
	// missing bearer token.
	if c := doToken(t, s, "", http.MethodGet, "/oidc/v1/token", nil); c.status != http.StatusMethodNotAllowed {
		t.Errorf("GET token endpoint: HTTP %d %s", c.status, c.body)
	}
}

func TestOAuthClientCredentials(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{})
	tok := m2mToken(t, s)
	if tok.ExpiresIn != 3600 || strings.Count(tok.AccessToken, ".") != 2 {
		t.Errorf("token response %+v", tok)
	}
	c, m := me(t, s, tok.AccessToken)
	if c.status != http.StatusOK || m.UserName != testAppID || m.DisplayName != "ci-deployer" || m.ID == "" || m.ID == testAppID ||
		len(m.Emails) != 0 || len(m.Schemas) != 1 || m.Schemas[0] != "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal" {
		t.Fatalf("Me as service principal: HTTP %d %s", c.status, c.body)
	}
	if c.header.Get("X-Databricks-Org-Id") != DefaultWorkspaceID {
		t.Errorf("org id header %q", c.header.Get("X-Databricks-Org-Id"))
	}
	st := submitWith(t, s, tok.AccessToken, "SELECT 41 + 1")
	if st.Status.State != statementSucceeded || single(t, st) != "42" {
		t.Fatalf("statement with an OAuth token: %+v", st.Status)
	}

	// client_secret_post works too, and so do form-encoded Basic
	// credentials (RFC 6749 2.3.1, what Go's x/oauth2 sends).
	form := m2mForm()
	form.Set("client_id", testAppID)
	form.Set("client_secret", testSecret)
	if c := postForm(t, s, "/oidc/v1/token", form, "", ""); c.status != http.StatusOK {
		t.Errorf("client_secret_post: HTTP %d %s", c.status, c.body)
	}
	odd := ServicePrincipal{ApplicationID: "odd-app", Secret: "a+b/c:d%e f"}
	if err := s.AddServicePrincipal(odd); err != nil {
		t.Fatal(err)
	}
	for _, pass := range []string{url.QueryEscape(odd.Secret), odd.Secret} {
		if c := postForm(t, s, "/oidc/v1/token", m2mForm(), odd.ApplicationID, pass); c.status != http.StatusOK {
			t.Errorf("Basic secret %q: HTTP %d %s", pass, c.status, c.body)
		}
	}
}

// submitWith runs SQL with a given token and waits for the end.
func submitWith(t *testing.T, s *Server, token, sql string) wireStatement {
	t.Helper()
	c := doToken(t, s, token, http.MethodPost, "/api/2.0/sql/statements", map[string]any{
		"statement": sql, "warehouse_id": DefaultWarehouseID, "wait_timeout": "30s",
	})
	if c.status != http.StatusOK {
		t.Fatalf("execute: HTTP %d %s", c.status, c.body)
	}
	var st wireStatement
	c.decode(t, &st)
	return st
}

func TestOAuthClientCredentialsFailures(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{ServicePrincipals: []ServicePrincipal{{ApplicationID: "federated-only"}}})
	for name, tc := range map[string]struct{ user, pass string }{
		"wrong secret":   {testAppID, "dose-wrong"},
		"unknown client": {"no-such-app", testSecret},
		"no secret set":  {"federated-only", ""},
	} {
		c := postForm(t, s, "/oidc/v1/token", m2mForm(), tc.user, tc.pass)
		if d := oauthFailure(t, c, http.StatusUnauthorized, "invalid_client"); d != clientAuthFailed ||
			!strings.HasPrefix(c.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("%s: %q %v", name, d, c.header)
		}
	}
	oauthFailure(t, postForm(t, s, "/oidc/v1/token", m2mForm(), "", ""), http.StatusUnauthorized, "invalid_client")

	malformed := map[string]struct {
		form url.Values
		code string
	}{
		"no grant":        {url.Values{"scope": {"all-apis"}}, "invalid_request"},
		"password grant":  {url.Values{"grant_type": {"password"}, "scope": {"all-apis"}}, "unsupported_grant_type"},
		"no scope":        {url.Values{"grant_type": {"client_credentials"}}, "invalid_scope"},
		"unknown scope":   {url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis admin"}}, "invalid_scope"},
		"repeated":        {url.Values{"grant_type": {"client_credentials", "client_credentials"}, "scope": {"all-apis"}}, "invalid_request"},
		"two credentials": {url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis"}, "client_secret": {testSecret}}, "invalid_request"},
	}
	for name, tc := range malformed {
		c := postForm(t, s, "/oidc/v1/token", tc.form, testAppID, testSecret)
		if d := oauthFailure(t, c, http.StatusBadRequest, tc.code); strings.Contains(d, testSecret) {
			t.Errorf("%s: description quotes the secret: %s", name, d)
		}
	}
	// JSON is not a token request, and neither are parameters in the URL.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/oidc/v1/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	oauthFailure(t, send(t, req), http.StatusBadRequest, "invalid_request")
	c := postForm(t, s, "/oidc/v1/token?client_secret="+testSecret, m2mForm(), testAppID, testSecret)
	oauthFailure(t, c, http.StatusBadRequest, "invalid_request")

	for _, r := range s.Log().Requests() {
		if strings.Contains(r.Path+string(r.Body), testSecret) {
			t.Errorf("request log keeps the secret: %s %s", r.Path, r.Body)
		}
	}
}

func TestOAuthTokenExpires(t *testing.T) {
	t.Parallel()
	// Two seconds: short enough to wait for, long enough that the first use
	// comes before the end even on a loaded machine.
	s := startOAuth(t, Options{OAuthTokenLifetime: 2 * time.Second})
	tok := m2mToken(t, s)
	if tok.ExpiresIn != 2 {
		t.Fatalf("expires_in %d", tok.ExpiresIn)
	}
	if c, _ := me(t, s, tok.AccessToken); c.status != http.StatusOK {
		t.Fatalf("fresh token: HTTP %d %s", c.status, c.body)
	}
	// Poll rather than sleep a fixed time; the deadline only stops a broken
	// emulator from hanging the test.
	deadline := time.Now().Add(10 * time.Second)
	var c call
	for {
		if c, _ = me(t, s, tok.AccessToken); c.status != http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	e := c.apiError(t)
	if c.status != http.StatusForbidden || e.ErrorCode != float64(403) || e.Message != expiredTokenMessage ||
		c.header.Get("X-Databricks-Reason-Phrase") != expiredTokenMessage {
		t.Fatalf("expired token: HTTP %d %v %s", c.status, c.header, c.body)
	}
	// A new token works again, and personal access tokens never expired.
	if c, _ := me(t, s, m2mToken(t, s).AccessToken); c.status != http.StatusOK {
		t.Errorf("refreshed token: HTTP %d", c.status)
	}
	if c, m := me(t, s, DefaultToken); c.status != http.StatusOK || m.UserName != DefaultUserName {
		t.Errorf("PAT: HTTP %d %s", c.status, c.body)
	}
	if c, _ := me(t, s, tok.AccessToken+"x"); c.status != http.StatusForbidden || !strings.Contains(string(c.body), "Invalid access token.") {
		t.Errorf("unknown token: HTTP %d %s", c.status, c.body)
	}
}

func TestOAuthRequestLog(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		lines bytes.Buffer
	)
	s := startOAuth(t, Options{Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines.WriteString(strings.TrimSpace(format) + "\n")
		for _, a := range args {
			if str, ok := a.(string); ok {
				lines.WriteString(str + "\n")
			}
		}
	}})
	tok := m2mToken(t, s)
	for range 3 {
		me(t, s, tok.AccessToken)
	}
	me(t, s, DefaultToken)

	reqs := s.Log().Requests()
	if len(reqs) != 5 || s.Log().Count(EndpointOAuthToken) != 1 {
		t.Fatalf("%d requests, %d token requests", len(reqs), s.Log().Count(EndpointOAuthToken))
	}
	tr := reqs[0]
	if tr.Endpoint != EndpointOAuthToken || tr.GrantType != grantClientCredentials || tr.ClientID != testAppID ||
		tr.Principal != testAppID || tr.Status != http.StatusOK || tr.Path != "/oidc/v1/token" ||
		string(tr.Body) != "grant_type=client_credentials&scope=all-apis" {
		t.Errorf("token request %+v body %s", tr, tr.Body)
	}
	for _, r := range reqs[1:4] {
		if r.Principal != testAppID || r.TokenID != "" {
			t.Errorf("OAuth request principal %q", r.Principal)
		}
	}
	if reqs[4].Principal != DefaultUserName {
		t.Errorf("PAT request principal %q", reqs[4].Principal)
	}
	basic := base64.StdEncoding.EncodeToString([]byte(testAppID + ":" + testSecret))
	mu.Lock()
	all := lines.String()
	mu.Unlock()
	for _, r := range reqs {
		all += r.Path + string(r.Body)
	}
	for _, secret := range []string{testSecret, tok.AccessToken, basic} {
		if strings.Contains(all, secret) {
			t.Errorf("a secret is in the log: %s", all)
		}
	}
	if !strings.Contains(all, "principal="+testAppID) {
		t.Errorf("Logf lines do not name the principal: %s", all)
	}
}

func TestOAuthTokenEndpointFaults(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{})
	s.AddFault(Fault{Endpoint: EndpointOAuthToken, Kind: FaultUnavailable, Times: 1, RetryAfter: 1})
	c := postForm(t, s, "/oidc/v1/token", m2mForm(), testAppID, testSecret)
	if c.status != http.StatusServiceUnavailable || c.header.Get("Retry-After") != "1" {
		t.Fatalf("faulted token request: HTTP %d %v", c.status, c.header)
	}
	m2mToken(t, s)
	if reqs := s.Log().Requests(); reqs[0].Fault != FaultUnavailable || reqs[1].Fault != "" {
		t.Errorf("faults in the log: %+v", reqs)
	}
}
