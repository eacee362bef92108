//go:build cgo

package databricks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// OAuth end to end against the emulator's authorization server: its tokens expire for
// real, and its federation policies check real signatures.

const (
	emulatorAppID  = "9f1c0a3e-5b7d-4e21-8c6a-0d2e4f6a8b1c"
	emulatorSecret = "dose5f3a9c1e7b2d4f6a8c0e2b4d6f8a0c2e"
)

func startOAuthWorkspace(t *testing.T, lifetime time.Duration) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{
		SampleTrips:        -1,
		ServicePrincipals:  []emulator.ServicePrincipal{{ApplicationID: emulatorAppID, Secret: emulatorSecret, DisplayName: "etl"}},
		OAuthTokenLifetime: lifetime,
	})
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func TestOAuthM2MRefreshesAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	srv := startOAuthWorkspace(t, 2*time.Second)
	creds, err := databricks.NewOAuthM2M(databricks.OAuthM2MConfig{BaseURL: srv.URL, ClientID: emulatorAppID, ClientSecret: emulatorSecret})
	if err != nil {
		t.Fatal(err)
	}
	client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Credentials: creds, Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	me, err := client.CurrentUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.UserName != emulatorAppID {
		t.Errorf("signed in as %q, want the service principal", me.UserName)
	}
	// Queries for longer than a token lives: each token is replaced before it expires.
	for start := time.Now(); time.Since(start) < 3500*time.Millisecond; time.Sleep(200 * time.Millisecond) {
		if _, err := client.Query(ctx, query("SELECT 1 AS one")); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Log().Count(emulator.EndpointOAuthToken); n < 2 || n > 4 {
		t.Errorf("%d token requests over 3.5 s of 2 s tokens, want 2 to 4", n)
	}
	// Replaced before expiry, not after the workspace refused an expired token.
	for _, r := range srv.Log().Requests() {
		if r.Status == http.StatusForbidden || r.Status == http.StatusUnauthorized {
			t.Errorf("%s %s was refused (%d): a token was used past its life", r.Method, r.Path, r.Status)
		}
	}
}

func TestOAuthM2MWrongSecretAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	srv := startOAuthWorkspace(t, time.Hour)
	creds, err := databricks.NewOAuthM2M(databricks.OAuthM2MConfig{BaseURL: srv.URL, ClientID: emulatorAppID, ClientSecret: "dose-not-the-secret"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = creds.Authorization(context.Background())
	if ce := credentialsError(t, err); ce.Step != databricks.StepTokenEndpoint || ce.StatusCode != http.StatusUnauthorized || ce.Code != "invalid_client" {
		t.Errorf("error %+v", ce)
	}
}

func TestGitHubOIDCAgainstTheEmulator(t *testing.T) {
	t.Parallel()
	srv := startOAuthWorkspace(t, time.Hour)
	const subject, requestToken = "repo:acme/etl:ref:refs/heads/main", "ghs-emulator-request-token"
	issuer, err := emulator.NewRSAIssuer("https://token.actions.githubusercontent.com")
	if err != nil {
		t.Fatal(err)
	}
	// Trusted for the token endpoint's URL, the audience the client asks for by default.
	if err := srv.AddFederationPolicy(issuer.Policy(emulatorAppID, subject, srv.URL+"/oidc/v1/token")); err != nil {
		t.Fatal(err)
	}
	github := httptest.NewServer(issuer.GitHubActionsHandler(requestToken, subject))
	t.Cleanup(github.Close)
	exchange := func(issuerURL string) (databricks.Credentials, *databricks.Client) {
		creds, err := databricks.NewWorkloadIdentity(databricks.WorkloadIdentityConfig{
			BaseURL: srv.URL, ClientID: emulatorAppID, IDToken: databricks.GitHubActionsIDToken(issuerURL+"/idtoken?api-version=2.0", requestToken),
		})
		if err != nil {
			t.Fatal(err)
		}
		client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Credentials: creds})
		if err != nil {
			t.Fatal(err)
		}
		return creds, client
	}
	_, client := exchange(github.URL)
	for range 5 {
		me, err := client.CurrentUser(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if me.UserName != emulatorAppID {
			t.Errorf("signed in as %q", me.UserName)
		}
	}
	if n := srv.Log().Count(emulator.EndpointOAuthToken); n != 1 {
		t.Errorf("%d token exchanges for five requests, want 1", n)
	}

	// A token from an issuer no policy trusts.
	stranger, err := emulator.NewIssuer("https://ci.example.com")
	if err != nil {
		t.Fatal(err)
	}
	other := httptest.NewServer(stranger.GitHubActionsHandler(requestToken, subject))
	t.Cleanup(other.Close)
	creds, _ := exchange(other.URL)
	_, err = creds.Authorization(context.Background())
	ce := credentialsError(t, err)
	if ce.AuthType != databricks.AuthTypeGitHubOIDC || ce.Step != databricks.StepTokenEndpoint || ce.Code != "invalid_request" ||
		!strings.HasPrefix(ce.Description, "Token exchange failed: ") {
		t.Errorf("error %+v", ce)
	}
}
