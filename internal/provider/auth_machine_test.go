package provider

// Authentication whose proof is on the machine, not in the configuration: a CI's identity
// token (workload identity federation) and the Databricks CLI's login.

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// federatedWorkspace is a workspace whose service principal trusts the identity tokens
// of a test issuer for subject, with the audience the provider asks for by default: the
// workspace's token endpoint.
func federatedWorkspace(t *testing.T, subject string) (*workspace, *emulator.Issuer) {
	t.Helper()
	ws := newWorkspace(t, emulator.Options{
		SampleTrips:       -1,
		ServicePrincipals: []emulator.ServicePrincipal{{ApplicationID: spApplicationID, DisplayName: spDisplayName}},
	})
	issuer, err := emulator.NewRSAIssuer("https://token.actions.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.AddFederationPolicy(issuer.Policy(spApplicationID, subject, ws.URL+"/oidc/v1/token")); err != nil {
		t.Fatal(err)
	}
	return ws, issuer
}

// Workload identity federation in CI, with no stored secret: env-oidc (the token in an
// environment variable) and github-oidc (asked of GitHub Actions), each one token
// exchange for a run of many queries; a token from an issuer the workspace does not
// trust gets a diagnostic that says so.
func TestAccAuth_workloadIdentity(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	const subject = "repo:dbsqlhq/pipelines:environment:prod"
	ws, issuer := federatedWorkspace(t, subject)
	jwt, err := issuer.Mint(subject, ws.URL+"/oidc/v1/token", 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	h := newCLI(t, queries(10))
	h.secrets = append(h.secrets, jwt)
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	h.env["DATABRICKS_CLIENT_ID"] = spApplicationID
	h.env["TF_LOG"] = "TRACE"

	t.Run("env-oidc", func(t *testing.T) {
		h.env["DATABRICKS_OIDC_TOKEN"] = jwt
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "env-oidc.log")
		defer delete(h.env, "DATABRICKS_OIDC_TOKEN")
		ws.Log().Reset()
		h.mustRun("plan", "-input=false")
		expectExchanges(t, ws, 1)
	})

	t.Run("github-oidc", func(t *testing.T) {
		requestToken := randomToken(t)
		h.secrets = append(h.secrets, requestToken)
		github := httptest.NewServer(issuer.GitHubActionsHandler(requestToken, subject))
		t.Cleanup(github.Close)
		h.env["ACTIONS_ID_TOKEN_REQUEST_URL"] = github.URL + "/token?api-version=2.0"
		h.env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = requestToken
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "github-oidc.log")
		ws.Log().Reset()
		h.mustRun("plan", "-input=false")
		expectExchanges(t, ws, 1)
	})

	t.Run("untrusted", func(t *testing.T) {
		stranger, err := emulator.NewIssuer("https://ci.stranger.example")
		if err != nil {
			t.Fatal(err)
		}
		untrusted, err := stranger.Mint(subject, ws.URL+"/oidc/v1/token", 10*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		h.secrets = append(h.secrets, untrusted)
		h.env["DATABRICKS_AUTH_TYPE"] = "env-oidc"
		h.env["DATABRICKS_OIDC_TOKEN"] = untrusted
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "untrusted.log")
		r := h.run("plan", "-input=false", "-no-color")
		if r.exitCode == 0 {
			t.Fatal("a plan with an untrusted identity token succeeded")
		}
		for _, want := range []string{"Authentication Failed", "does not trust the CI's identity token", "federation policy", "issuer"} {
			if !containsWords(r.output(), want) {
				t.Errorf("the failure does not say %q:\n%s", want, h.redact(r.output()))
			}
		}
	})
	expectNoLeaks(t, h)
}

// expectExchanges asserts the number of token requests the workspace received, each a
// token exchange.
func expectExchanges(t *testing.T, ws *workspace, want int) {
	t.Helper()
	var exchanges int
	for _, r := range ws.Log().Requests() {
		if r.Endpoint == emulator.EndpointOAuthToken {
			exchanges++
			if !strings.HasSuffix(r.GrantType, "token-exchange") {
				t.Errorf("a token request of grant type %q", r.GrantType)
			}
		}
	}
	if exchanges != want {
		t.Errorf("%d token exchanges for a plan of 10 queries, want %d", exchanges, want)
	}
}

// fakeDatabricksCLI writes a script that answers `databricks auth token --host HOST` as
// the Databricks CLI does, with body's output, and returns the directory it is in.
func fakeDatabricksCLI(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "databricks"), "#!/bin/sh\n"+body+"\n")
	if err := os.Chmod(filepath.Join(dir, "databricks"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// databricks-cli: the provider borrows the CLI's login; an expired login gets a
// diagnostic that says to log in again.
func TestAccAuth_databricksCLI(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	token, expiry, err := ws.IssueAccessToken("", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := json.Marshal(map[string]string{"access_token": token, "token_type": "Bearer", "expiry": expiry.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	loggedIn := fakeDatabricksCLI(t, fmt.Sprintf(`[ "$1 $2 $3 $4" = "auth token --host %s" ] || { echo "unexpected arguments: $*" >&2; exit 2; }
printf '%%s\n' '%s'`, ws.URL, answer))
	h := newCLI(t, queries(3))
	h.secrets = append(h.secrets, token)
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	h.env["DATABRICKS_AUTH_TYPE"] = "databricks-cli"
	h.env["PATH"] = loggedIn + string(os.PathListSeparator) + os.Getenv("PATH")
	h.mustRun("plan", "-input=false")

	expired := fakeDatabricksCLI(t, `echo "Error: A new access token could not be retrieved because the refresh token is invalid. To reauthenticate, run: databricks auth login --host $4" >&2
exit 1`)
	h.env["PATH"] = expired + string(os.PathListSeparator) + os.Getenv("PATH")
	r := h.run("plan", "-input=false", "-no-color")
	if r.exitCode == 0 {
		t.Fatal("a plan with an expired CLI login succeeded")
	}
	for _, want := range []string{"Authentication Failed", "has no valid login for " + ws.URL, "databricks auth login --host " + ws.URL} {
		if !containsWords(r.output(), want) {
			t.Errorf("the failure does not say %q:\n%s", want, h.redact(r.output()))
		}
	}
	expectNoLeaks(t, h)
}
