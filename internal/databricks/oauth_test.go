package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// oauth-m2m against fake workspaces: the requests it sends, how each failure reads, and
// where its secrets never go.

func TestOAuthM2M(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	logger := &recordingLogger{}
	creds := idp.m2m(t, testClientSecret, logger)
	client := idp.client(t, databricks.Config{Credentials: creds, Logger: logger})
	me, err := client.CurrentUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.UserName != testClientID || client.AuthType() != databricks.AuthTypeOAuthM2M {
		t.Errorf("user %q, auth type %q", me.UserName, client.AuthType())
	}
	reqs := idp.requests()
	if len(reqs) != 3 || reqs[0].Path != discoveryURL || reqs[1].Path != tokenURL || reqs[2].Path != meURL {
		t.Fatalf("requests %v, want discovery, token, Me", idp.paths())
	}
	if reqs[0].Authorization != "" {
		t.Error("discovery carried credentials; it needs none")
	}
	form, _ := url.ParseQuery(string(reqs[1].Body))
	if form.Get("grant_type") != "client_credentials" || form.Get("scope") != "all-apis" || form.Has("client_secret") {
		t.Errorf("token request form has %v; want grant_type and scope, the secret in HTTP Basic only", keys(form))
	}
	if reqs[1].UserAgent != "terraform-provider-dbsql/9.9.9" {
		t.Errorf("token request User-Agent %q", reqs[1].UserAgent)
	}
	if reqs[2].Authorization != "Bearer "+idp.tokens()[0] {
		t.Error("the API request did not carry the access token")
	}
	log := logger.text()
	if !strings.Contains(log, "step:token endpoint") || !strings.Contains(log, "status:200") {
		t.Errorf("no log line for the token request:\n%s", log)
	}
	assertNoSecret(t, "the log", log, testClientSecret, idp.tokens()[0])
	if secrets := strings.Join(creds.Secrets(), " "); !strings.Contains(secrets, testClientSecret) || !strings.Contains(secrets, idp.tokens()[0]) {
		t.Error("Secrets() lacks the client secret or the access token, which must be scrubbed")
	}
}

func keys(v url.Values) []string {
	var out []string
	for k := range v {
		out = append(out, k)
	}
	return out
}

func TestOAuthM2MWrongSecret(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	logger := &recordingLogger{}
	const wrong = "dose-this-is-the-wrong-secret"
	client := idp.client(t, databricks.Config{Credentials: idp.m2m(t, wrong, logger)})
	_, err := client.CurrentUser(context.Background())
	ce := credentialsError(t, err)
	if ce.AuthType != databricks.AuthTypeOAuthM2M || ce.Step != databricks.StepTokenEndpoint || ce.StatusCode != http.StatusUnauthorized ||
		ce.Code != "invalid_client" || ce.Description != "Client authentication failed" || ce.Endpoint != idp.URL+tokenURL {
		t.Errorf("error %+v", ce)
	}
	if errors.Is(err, databricks.ErrUnauthenticated) || errors.Is(err, databricks.ErrLoginRequired) {
		t.Error("a refused client secret matches a workspace or CLI sentinel")
	}
	if n := idp.count(http.MethodGet, meURL); n != 0 {
		t.Errorf("%d API requests without a token", n)
	}
	assertNoSecret(t, "the error", err.Error(), wrong)
	assertNoSecret(t, "the log", logger.text(), wrong)
}

func TestCredentialsOfAnotherWorkspaceAreRefused(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	creds := idp.m2m(t, testClientSecret, nil)
	_, err := databricks.New(databricks.Config{BaseURL: "https://other.cloud.databricks.com", Credentials: creds})
	var inputErr *databricks.InputError
	if !errors.As(err, &inputErr) {
		t.Errorf("err = %v: a token of one workspace would be sent to another", err)
	}
}

func TestOAuthM2MRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]databricks.OAuthM2MConfig{
		"no client id":        {BaseURL: "https://x.cloud.databricks.com", ClientSecret: "s"},
		"no secret":           {BaseURL: "https://x.cloud.databricks.com", ClientID: "id"},
		"secret with newline": {BaseURL: "https://x.cloud.databricks.com", ClientID: "id", ClientSecret: "dose-secret\n"},
		"http base URL":       {BaseURL: "http://x.cloud.databricks.com", ClientID: "id", ClientSecret: "s"},
	} {
		_, err := databricks.NewOAuthM2M(cfg)
		var inputErr *databricks.InputError
		if !errors.As(err, &inputErr) {
			t.Errorf("%s: err = %v, want an InputError", name, err)
		} else if strings.Contains(err.Error(), "dose-secret") {
			t.Errorf("%s: the error repeats the secret", name)
		}
	}
}

// elsewhere is a server that must never be contacted: it fails the test if it is.
func elsewhere(t *testing.T) *fakeServer {
	t.Helper()
	s := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		answer(w, http.StatusOK, `{"access_token":"stolen","token_type":"Bearer","expires_in":3600}`)
	})
	t.Cleanup(func() {
		for _, r := range s.requests() {
			t.Errorf("a request went elsewhere: %s %s, with credentials %v", r.Method, r.Path, r.Authorization != "" || len(r.Body) > 0)
		}
	})
	return s
}

func TestDiscoveryPointingOffTheWorkspaceIsRefused(t *testing.T) {
	t.Parallel()
	evil := elsewhere(t)
	idp := newFakeIdP(t)
	workspace := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == discoveryURL {
			answer(w, http.StatusOK, fmt.Sprintf(`{"token_endpoint":"%s/oidc/v1/token"}`, evil.URL))
			return
		}
		idp.serve(w, r)
	})
	creds, err := databricks.NewOAuthM2M(databricks.OAuthM2MConfig{BaseURL: workspace.URL, ClientID: testClientID, ClientSecret: testClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = creds.Authorization(context.Background())
	ce := credentialsError(t, err)
	if ce.Step != databricks.StepDiscovery || ce.Code != databricks.CodeMalformed || !strings.Contains(ce.Description, "not on the workspace") {
		t.Errorf("error %+v", ce)
	}
}

func TestTokenEndpointRedirectIsNotFollowed(t *testing.T) {
	t.Parallel()
	evil := elsewhere(t)
	idp := newFakeIdP(t)
	idp.set(func(p *fakeIdP) {
		p.override = func(w http.ResponseWriter, r *http.Request) bool {
			http.Redirect(w, r, evil.URL+"/steal?next=1", http.StatusTemporaryRedirect)
			return true
		}
	})
	_, err := idp.m2m(t, testClientSecret, nil).Authorization(context.Background())
	ce := credentialsError(t, err)
	if ce.Step != databricks.StepTokenEndpoint || !errors.Is(err, databricks.ErrRedirect) || strings.Contains(err.Error(), "next=1") {
		t.Errorf("err = %v", err)
	}
}

func TestTokenRequestRetries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		status   int
		requests int // token requests before the outcome
		ok       bool
	}{
		// Not processed: sent again.
		{"429", http.StatusTooManyRequests, 2, true},
		{"503", http.StatusServiceUnavailable, 2, true},
		// May have been processed, and a token request is not a read: reported.
		{"500", http.StatusInternalServerError, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t)
			var answered atomic.Bool
			idp.set(func(p *fakeIdP) {
				p.override = func(w http.ResponseWriter, r *http.Request) bool {
					if answered.Swap(true) {
						return false
					}
					w.Header().Set("Retry-After", "0")
					answer(w, tc.status, `{"error":"temporarily_unavailable","error_description":"try again"}`)
					return true
				}
			})
			_, err := idp.m2m(t, testClientSecret, nil).Authorization(context.Background())
			if (err == nil) != tc.ok {
				t.Errorf("err = %v", err)
			}
			if n := idp.count(http.MethodPost, tokenURL); n != tc.requests {
				t.Errorf("%d token requests, want %d", n, tc.requests)
			}
			if !tc.ok {
				if ce := credentialsError(t, err); ce.StatusCode != tc.status || ce.Code != "temporarily_unavailable" {
					t.Errorf("error %+v", ce)
				}
			}
		})
	}
}

func TestMalformedTokenAnswers(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"an HTML page":          `<html><title>Sign in</title>Bearer oauth-secret-token</html>`,
		"no access token":       `{"token_type":"Bearer","expires_in":3600}`,
		"not a bearer token":    `{"access_token":"oauth-secret-token","token_type":"mac","expires_in":3600}`,
		"a header injection":    `{"access_token":"oauth-secret-token\r\nX-Evil: 1","token_type":"Bearer"}`,
		"a negative lifetime":   `{"access_token":"oauth-secret-token","token_type":"Bearer","expires_in":-5}`,
		"a lifetime in letters": `{"access_token":"oauth-secret-token","token_type":"Bearer","expires_in":"soon"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t)
			idp.set(func(p *fakeIdP) {
				p.override = func(w http.ResponseWriter, r *http.Request) bool {
					answer(w, http.StatusOK, body)
					return true
				}
			})
			_, err := idp.m2m(t, testClientSecret, nil).Authorization(context.Background())
			ce := credentialsError(t, err)
			if ce.Step != databricks.StepTokenEndpoint || ce.Code != databricks.CodeMalformed {
				t.Errorf("error %+v", ce)
			}
			assertNoSecret(t, "the error", err.Error(), "oauth-secret-token")
		})
	}
}

func TestHugeLifetimeDoesNotOverflow(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	idp.set(func(p *fakeIdP) { p.lifetime = 1 << 62 })
	creds := idp.m2m(t, testClientSecret, nil)
	ctx := context.Background()
	for range 3 {
		if _, err := creds.Authorization(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// An expiry overflowed into the past would fetch on every call.
	if n := idp.count(http.MethodPost, tokenURL); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}
}

func TestServerTextIsScrubbedOfEverySecret(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	logger := &recordingLogger{}
	creds := idp.m2m(t, testClientSecret, logger)
	client := idp.client(t, databricks.Config{Credentials: creds, Logger: logger})
	ctx := context.Background()
	if _, err := client.CurrentUser(ctx); err != nil {
		t.Fatal(err)
	}
	token := idp.tokens()[0]
	// A workspace (or proxy) that quotes the request's credentials in its error: the
	// access token fetched after the client was made is blanked like the secret.
	idp.set(func(p *fakeIdP) {
		p.api = func(w http.ResponseWriter, r *http.Request) {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "bad request from "+token+" ("+testClientSecret+")")
		}
	})
	_, err := client.CurrentUser(ctx)
	if err == nil || !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("err = %v", err)
	}
	assertNoSecret(t, "the error", err.Error(), token, testClientSecret)
	assertNoSecret(t, "the log", logger.text(), token, testClientSecret)
}
