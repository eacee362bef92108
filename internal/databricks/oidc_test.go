package databricks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// Workload identity federation: each identity-token source, the exchange it feeds, and
// the failures of each.

// exchange returns token-exchange credentials for the fake workspace.
func (p *fakeIdP) exchange(t *testing.T, source databricks.IDTokenSource, audience string, logger databricks.Logger) databricks.Credentials {
	t.Helper()
	creds, err := databricks.NewWorkloadIdentity(databricks.WorkloadIdentityConfig{
		BaseURL: p.URL, ClientID: p.clientID, Audience: audience, IDToken: source,
		Fetch: databricks.FetchOptions{Retry: fastRetries, Logger: logger},
	})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// assertExchanged checks that creds got a token by exchanging testIDToken, as the
// Databricks SDKs do.
func assertExchanged(t *testing.T, idp *fakeIdP, creds databricks.Credentials, authType string) {
	t.Helper()
	client := idp.client(t, databricks.Config{Credentials: creds})
	if _, err := client.CurrentUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	if creds.AuthType() != authType {
		t.Errorf("auth type %q, want %q", creds.AuthType(), authType)
	}
	idp.mu.Lock()
	defer idp.mu.Unlock()
	if len(idp.exchanges) != 1 {
		t.Fatalf("%d token exchanges, want 1", len(idp.exchanges))
	}
	form := idp.exchanges[0]
	if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange" || form.Get("subject_token") != testIDToken ||
		form.Get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt" || form.Get("scope") != "all-apis" || form.Get("client_id") != testClientID {
		t.Errorf("exchange form has the wrong fields: %v", keys(form))
	}
	if !strings.Contains(strings.Join(creds.Secrets(), " "), testIDToken) {
		t.Error("Secrets() lacks the identity token")
	}
}

func TestEnvIdentityToken(t *testing.T) {
	idp := newFakeIdP(t)
	t.Setenv(databricks.DefaultOIDCTokenEnv, " "+testIDToken+"\n")
	assertExchanged(t, idp, idp.exchange(t, databricks.EnvIDToken(""), "", nil), databricks.AuthTypeEnvOIDC)
}

func TestEnvIdentityTokenFailures(t *testing.T) {
	const variable = "DBSQL_TEST_OIDC_TOKEN"
	for _, tc := range []struct {
		name, value string
		set         bool
		code        string
	}{
		{"unset", "", false, databricks.CodeNotFound},
		{"empty", " ", true, databricks.CodeNotFound},
		{"a personal access token instead", testToken, true, databricks.CodeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idp := newFakeIdP(t)
			if tc.set {
				t.Setenv(variable, tc.value)
			} else {
				t.Setenv(variable, "") // restored after the test
				if err := os.Unsetenv(variable); err != nil {
					t.Fatal(err)
				}
			}
			_, err := idp.exchange(t, databricks.EnvIDToken(variable), "", nil).Authorization(context.Background())
			ce := credentialsError(t, err)
			if ce.Step != databricks.StepIdentityToken || ce.Code != tc.code || ce.Endpoint != "$"+variable || ce.AuthType != databricks.AuthTypeEnvOIDC {
				t.Errorf("error %+v", ce)
			}
			assertNoSecret(t, "the error", err.Error(), testToken)
			if n := idp.count(http.MethodPost, tokenURL); n != 0 {
				t.Errorf("%d token requests without an identity token", n)
			}
		})
	}
}

func TestFileIdentityToken(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(testIDToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	assertExchanged(t, idp, idp.exchange(t, databricks.FileIDToken(path), "", nil), databricks.AuthTypeFileOIDC)

	_, err := idp.exchange(t, databricks.FileIDToken(path+".missing"), "", nil).Authorization(context.Background())
	if ce := credentialsError(t, err); ce.Step != databricks.StepIdentityToken || ce.Code != databricks.CodeNotFound || ce.Endpoint != path+".missing" {
		t.Errorf("missing file: error %+v", ce)
	}
}

func TestFileIdentityTokenIsReadForEachExchange(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("eyJhbGciOiJub25lIn0.eyJvbGQiOnRydWV9.old"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := idp.exchange(t, databricks.FileIDToken(path), "", nil)
	databricks.SetFailureHold(creds, 0)
	if _, err := creds.Authorization(context.Background()); err == nil {
		t.Fatal("an untrusted token was exchanged")
	}
	// The CI (or kubelet) rotates the file in place: the next exchange reads it again.
	if err := os.WriteFile(path, []byte(testIDToken), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Authorization(context.Background()); err != nil {
		t.Fatalf("the rotated token was not read: %v", err)
	}
}

func TestUntrustedIdentityToken(t *testing.T) {
	t.Setenv("DBSQL_TEST_UNTRUSTED", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzb21lb25lLWVsc2UifQ.dW50cnVzdGVk")
	idp := newFakeIdP(t)
	logger := &recordingLogger{}
	_, err := idp.exchange(t, databricks.EnvIDToken("DBSQL_TEST_UNTRUSTED"), "", logger).Authorization(context.Background())
	ce := credentialsError(t, err)
	// The fake quotes the refused token in its description, as a careless server might.
	if ce.Step != databricks.StepTokenEndpoint || ce.StatusCode != http.StatusBadRequest || ce.Code != "invalid_request" ||
		!strings.HasPrefix(ce.Description, "Token exchange failed: issuer not trusted for [REDACTED]") {
		t.Errorf("error %+v", ce)
	}
	assertNoSecret(t, "the error", err.Error(), os.Getenv("DBSQL_TEST_UNTRUSTED"))
	assertNoSecret(t, "the log", logger.text(), os.Getenv("DBSQL_TEST_UNTRUSTED"))
}

// fakeGitHub serves GitHub Actions' ID-token request: GET with the job's request token
// as a bearer token answers {"value": <JWT>}, recording the audience asked for.
func fakeGitHub(t *testing.T, requestToken string) (*fakeServer, func() []string) {
	t.Helper()
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+requestToken || r.URL.Query().Get("api-version") != "2.0" {
			answer(w, http.StatusUnauthorized, `{"message":"Bad credentials"}`)
			return
		}
		raw, _ := json.Marshal(map[string]any{"count": len(testIDToken), "value": testIDToken})
		answer(w, http.StatusOK, string(raw))
	})
	audiences := func() []string {
		var out []string
		for _, r := range srv.requests() {
			if u, err := url.Parse(r.Path); err == nil && r.Authorization == "Bearer "+requestToken {
				out = append(out, u.Query().Get("audience"))
			}
		}
		return out
	}
	return srv, audiences
}

const githubRequestToken = "ghs-request-token-0123456789abcdef"

func TestGitHubIdentityToken(t *testing.T) {
	t.Parallel()
	github, audiences := fakeGitHub(t, githubRequestToken)
	idp := newFakeIdP(t)
	requestURL := github.URL + "/_apis/distributedtask/hubs/Actions/plans/p1/jobs/j1/idtoken?api-version=2.0"
	creds := idp.exchange(t, databricks.GitHubActionsIDToken(requestURL, githubRequestToken), "", nil)
	assertExchanged(t, idp, creds, databricks.AuthTypeGitHubOIDC)
	// Without an audience of its own, the token is asked for the token endpoint, as the
	// Databricks SDKs do at workspace level.
	if got := audiences(); len(got) != 1 || got[0] != idp.URL+tokenURL {
		t.Errorf("audiences asked for: %q, want the token endpoint", got)
	}
	if !strings.Contains(strings.Join(creds.Secrets(), " "), githubRequestToken) {
		t.Error("Secrets() lacks the request token")
	}

	custom := idp.exchange(t, databricks.GitHubActionsIDToken(requestURL, githubRequestToken), "https://accounts.example/aud&x=1", nil)
	if _, err := custom.Authorization(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := audiences(); len(got) != 2 || got[1] != "https://accounts.example/aud&x=1" {
		t.Errorf("a custom audience was not passed whole: %q", got)
	}
}

func TestGitHubRefusesTheRequestToken(t *testing.T) {
	t.Parallel()
	github, _ := fakeGitHub(t, githubRequestToken)
	idp := newFakeIdP(t)
	const wrong = "ghs-wrong-request-token"
	_, err := idp.exchange(t, databricks.GitHubActionsIDToken(github.URL+"/idtoken?api-version=2.0", wrong), "", nil).Authorization(context.Background())
	ce := credentialsError(t, err)
	if ce.Step != databricks.StepIdentityToken || ce.StatusCode != http.StatusUnauthorized || ce.Description != "Bad credentials" ||
		ce.Endpoint != github.URL+"/idtoken" {
		t.Errorf("error %+v", ce)
	}
	assertNoSecret(t, "the error", err.Error(), wrong)
	if n := idp.count(http.MethodPost, tokenURL); n != 0 {
		t.Errorf("%d token requests without an identity token", n)
	}
}

func TestGitHubWithoutIDTokenPermission(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	_, err := idp.exchange(t, databricks.GitHubActionsIDToken("", ""), "", nil).Authorization(context.Background())
	ce := credentialsError(t, err)
	if ce.Step != databricks.StepIdentityToken || ce.Code != databricks.CodeNotFound || !strings.Contains(ce.Description, "id-token: write") {
		t.Errorf("error %+v", ce)
	}
	if errors.Is(err, databricks.ErrLoginRequired) {
		t.Error("a missing GitHub permission reads as a CLI login")
	}
}
