package databricks_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The service principal of the fake workspaces, and a JWT-shaped identity token their
// token exchange trusts. Tests check that none of them appears in an error or a log.
const (
	testClientID     = "6b2a3c4d-1111-2222-3333-444455556666"
	testClientSecret = "dose0123456789abcdef0123456789abcd"
	testIDToken      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvZXRsIn0.c2lnbmF0dXJlLW9mLXRoZS1jaQ"
)

// fakeIdP is a fake workspace with an OAuth authorization server: discovery, a token
// endpoint for client credentials and token exchange, and SCIM Me, which accepts only
// access tokens it issued and has not revoked.
type fakeIdP struct {
	*fakeServer
	clientID, secret string
	subjectToken     string // the identity token the token exchange trusts

	mu        sync.Mutex
	lifetime  int // expires_in of new tokens, in seconds
	issued    []string
	revoked   map[string]bool
	delay     time.Duration                                     // before each token answer
	arrived   func()                                            // called as each token request arrives
	override  func(w http.ResponseWriter, r *http.Request) bool // answers token requests instead when it returns true
	api       http.HandlerFunc                                  // answers API requests instead when set
	exchanges []url.Values
}

func newFakeIdP(t testing.TB) *fakeIdP {
	t.Helper()
	p := &fakeIdP{clientID: testClientID, secret: testClientSecret, subjectToken: testIDToken, lifetime: 3600, revoked: map[string]bool{}}
	p.fakeServer = newFakeServer(t, p.serve)
	return p
}

const (
	discoveryURL = "/oidc/.well-known/oauth-authorization-server"
	tokenURL     = "/oidc/v1/token"
)

func (p *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == discoveryURL:
		answer(w, http.StatusOK, fmt.Sprintf(`{"issuer":"http://%[1]s/oidc","token_endpoint":"http://%[1]s/oidc/v1/token"}`, r.Host))
	case r.Method == http.MethodPost && r.URL.Path == tokenURL:
		p.token(w, r)
	case r.URL.Path == meURL || r.URL.Path == statementsPath:
		p.mu.Lock()
		api := p.api
		p.mu.Unlock()
		if api != nil {
			api(w, r)
			return
		}
		if !p.accepts(r.Header.Get("Authorization")) {
			invalidToken(w)
			return
		}
		if r.URL.Path == statementsPath {
			answer(w, http.StatusOK, succeeded)
			return
		}
		answer(w, http.StatusOK, fmt.Sprintf(`{"userName":%q}`, p.clientID))
	default:
		apiError(w, http.StatusNotFound, "ENDPOINT_NOT_FOUND", "no such endpoint")
	}
}

func (p *fakeIdP) token(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	delay, override, arrived := p.delay, p.override, p.arrived
	p.mu.Unlock()
	if arrived != nil {
		arrived()
	}
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	if override != nil && override(w, r) {
		return
	}
	if err := r.ParseForm(); err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		answer(w, http.StatusBadRequest, `{"error":"invalid_request","error_description":"not a form"}`)
		return
	}
	form := r.PostForm
	switch form.Get("grant_type") {
	case "client_credentials":
		user, pass, ok := r.BasicAuth()
		id, _ := url.QueryUnescape(user)
		secret, _ := url.QueryUnescape(pass)
		if !ok || id != p.clientID || secret != p.secret {
			answer(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
			return
		}
	case "urn:ietf:params:oauth:grant-type:token-exchange":
		p.mu.Lock()
		p.exchanges = append(p.exchanges, form)
		p.mu.Unlock()
		if form.Get("subject_token") != p.subjectToken || form.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt" ||
			form.Get("client_id") != p.clientID {
			// A careless server that quotes what it refused: the client must blank it.
			answer(w, http.StatusBadRequest, fmt.Sprintf(`{"error":"invalid_request","error_description":"Token exchange failed: issuer not trusted for %s"}`, form.Get("subject_token")))
			return
		}
	default:
		answer(w, http.StatusBadRequest, `{"error":"unsupported_grant_type"}`)
		return
	}
	if form.Get("scope") != "all-apis" {
		answer(w, http.StatusBadRequest, `{"error":"invalid_scope"}`)
		return
	}
	tok := p.issue()
	p.mu.Lock()
	lifetime := p.lifetime
	p.mu.Unlock()
	answer(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"token_type":"Bearer","expires_in":%d,"scope":"all-apis"}`, tok, lifetime))
}

func (p *fakeIdP) issue() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	p.mu.Lock()
	defer p.mu.Unlock()
	tok := fmt.Sprintf("oauth-access-%d-%s", len(p.issued)+1, hex.EncodeToString(b[:]))
	p.issued = append(p.issued, tok)
	return tok
}

func (p *fakeIdP) accepts(authorization string) bool {
	tok, ok := strings.CutPrefix(authorization, "Bearer ")
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, issued := range p.issued {
		if ok && tok == issued && !p.revoked[tok] {
			return true
		}
	}
	return false
}

func (p *fakeIdP) tokens() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.issued...)
}

func (p *fakeIdP) set(f func(p *fakeIdP)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

// m2m returns oauth-m2m credentials for the fake workspace, logging to logger.
func (p *fakeIdP) m2m(t testing.TB, secret string, logger databricks.Logger) databricks.Credentials {
	t.Helper()
	creds, err := databricks.NewOAuthM2M(databricks.OAuthM2MConfig{
		BaseURL: p.URL, ClientID: p.clientID, ClientSecret: secret,
		Fetch: databricks.FetchOptions{Retry: fastRetries, Logger: logger, UserAgent: "terraform-provider-dbsql/9.9.9"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// recordingLogger keeps every line a client logs, for tests that look for secrets in
// them.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func (l *recordingLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// assertNoSecret fails when text holds any of secrets, naming which without printing it.
func assertNoSecret(t *testing.T, what, text string, secrets ...string) {
	t.Helper()
	for i, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains secret #%d (%d bytes)", what, i, len(s))
		}
	}
}

// credentialsError asserts err is a *CredentialsError and returns it.
func credentialsError(t *testing.T, err error) *databricks.CredentialsError {
	t.Helper()
	var ce *databricks.CredentialsError
	if !errors.As(err, &ce) || !errors.Is(err, databricks.ErrCredentials) {
		t.Fatalf("err = %v, want a *CredentialsError", err)
	}
	return ce
}
