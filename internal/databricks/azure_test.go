package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// Entra ID (a fake at a local authority host) and the Azure CLI (a fake script).

const (
	testTenant      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testAzureClient = "0a1b2c3d-4e5f-6789-abcd-ef0123456789"
	testAzureSecret = "azure~secret.0123456789abcdefghij"
	entraToken      = "entra-access-token-0123456789"
)

// fakeEntra answers the v2.0 client-credentials grant as Entra ID does, errors included.
func fakeEntra(t *testing.T) *fakeServer {
	t.Helper()
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		aad := func(status int, code string, aadsts int, message string) {
			answer(w, status, fmt.Sprintf(`{"error":%q,"error_description":"AADSTS%d: %s Trace ID: 0000 Correlation ID: 1111 Timestamp: 2025-01-01 00:00:00Z","error_codes":[%d]}`,
				code, aadsts, message, aadsts))
		}
		if r.Method != http.MethodPost || r.URL.Path != "/"+testTenant+"/oauth2/v2.0/token" {
			aad(http.StatusBadRequest, "invalid_request", 90002, "Tenant not found.")
			return
		}
		if err := r.ParseForm(); err != nil {
			aad(http.StatusBadRequest, "invalid_request", 900144, "Not a form.")
			return
		}
		f := r.PostForm
		switch {
		case f.Get("grant_type") != "client_credentials" || f.Get("scope") != databricks.AzureDatabricksResourceID+"/.default":
			aad(http.StatusBadRequest, "invalid_scope", 1002012, "Bad scope.")
		case f.Get("client_id") != testAzureClient:
			aad(http.StatusBadRequest, "unauthorized_client", 700016, "Application not found in the directory.")
		case f.Get("client_secret") != testAzureSecret:
			// Quoting what it got, as no real server should: the client blanks it.
			aad(http.StatusUnauthorized, "invalid_client", 7000215, "Invalid client secret provided: "+f.Get("client_secret"))
		default:
			answer(w, http.StatusOK, fmt.Sprintf(`{"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":%q}`, entraToken))
		}
	})
}

func azureClientSecret(t *testing.T, authority, tenant, secret string) databricks.Credentials {
	t.Helper()
	creds, err := databricks.NewAzureClientSecret(databricks.AzureClientSecretConfig{
		TenantID: tenant, ClientID: testAzureClient, ClientSecret: secret, AuthorityHost: authority,
		Fetch: databricks.FetchOptions{Retry: fastRetries},
	})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func TestAzureClientSecret(t *testing.T) {
	t.Parallel()
	entra := fakeEntra(t)
	creds := azureClientSecret(t, entra.URL+"/", testTenant, testAzureSecret)
	auth, err := creds.Authorization(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer "+entraToken || creds.AuthType() != databricks.AuthTypeAzureClientSecret {
		t.Errorf("authorization for %s is not the Entra ID token", creds.AuthType())
	}
	reqs := entra.requests()
	if len(reqs) != 1 || reqs[0].Authorization != "" {
		t.Errorf("%d requests; the secret goes in the body, as Entra ID documents", len(reqs))
	}
}

func TestAzureClientSecretFailures(t *testing.T) {
	t.Parallel()
	entra := fakeEntra(t)
	for _, tc := range []struct {
		name, tenant, secret string
		status               int
		code, aadsts         string
	}{
		{"wrong secret", testTenant, "azure~wrong.secret", http.StatusUnauthorized, "invalid_client", "AADSTS7000215"},
		{"unknown tenant", "contoso.onmicrosoft.com", testAzureSecret, http.StatusBadRequest, "invalid_request", "AADSTS90002"},
	} {
		_, err := azureClientSecret(t, entra.URL, tc.tenant, tc.secret).Authorization(context.Background())
		ce := credentialsError(t, err)
		if ce.Step != databricks.StepEntraID || ce.StatusCode != tc.status || ce.Code != tc.code || !strings.HasPrefix(ce.Description, tc.aadsts+":") {
			t.Errorf("%s: error %+v", tc.name, ce)
		}
		assertNoSecret(t, tc.name, err.Error(), tc.secret)
	}
}

func TestAzureClientSecretRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]databricks.AzureClientSecretConfig{
		"a tenant that adds a path": {TenantID: "evil/../x", ClientID: testAzureClient, ClientSecret: testAzureSecret},
		"no tenant":                 {ClientID: testAzureClient, ClientSecret: testAzureSecret},
		"http authority":            {TenantID: testTenant, ClientID: testAzureClient, ClientSecret: testAzureSecret, AuthorityHost: "http://login.example.com/"},
		"authority with a query":    {TenantID: testTenant, ClientID: testAzureClient, ClientSecret: testAzureSecret, AuthorityHost: "https://login.example.com/?x=1"},
		"no secret":                 {TenantID: testTenant, ClientID: testAzureClient},
	} {
		var inputErr *databricks.InputError
		if _, err := databricks.NewAzureClientSecret(cfg); !errors.As(err, &inputErr) {
			t.Errorf("%s: err = %v, want an InputError", name, err)
		}
	}
}

func azureCLI(t *testing.T, path, tenant string) databricks.Credentials {
	t.Helper()
	creds, err := databricks.NewAzureCLI(databricks.AzureCLIConfig{TenantID: tenant, Path: path, Fetch: databricks.FetchOptions{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func TestAzureCLI(t *testing.T) {
	expires := time.Now().Add(time.Hour)
	az := fakeCLI(t, "az", fmt.Sprintf(`echo '{"accessToken":"%s","expiresOn":"%s","expires_on":%d,"subscription":"s","tenant":"%s","tokenType":"Bearer"}'`,
		entraToken, expires.Format("2006-01-02 15:04:05.000000"), expires.Unix(), testTenant))
	creds := azureCLI(t, az, testTenant)
	for range 2 {
		auth, err := creds.Authorization(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if auth != "Bearer "+entraToken {
			t.Error("authorization is not the Azure CLI's token")
		}
	}
	runs := cliRuns(t, az)
	want := "account get-access-token --resource " + databricks.AzureDatabricksResourceID + " --output json --tenant " + testTenant
	if len(runs) != 1 || strings.Join(runs[0], " ") != want {
		t.Errorf("az ran %q, want once with %q", runs, want)
	}
}

func TestAzureCLIFailures(t *testing.T) {
	for _, tc := range []struct {
		name, body, code string
	}{
		{"not logged in", "echo \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1", databricks.CodeLoginRequired},
		{"login expired", "echo \"ERROR: AADSTS70043: The refresh token has expired due to inactivity. Run 'az login' to sign in again.\" >&2\nexit 1", databricks.CodeLoginExpired},
		{"an expired token", `echo '{"accessToken":"az-old-token","expires_on":1000000000,"tokenType":"Bearer"}'`, databricks.CodeLoginExpired},
		{"garbage", "echo 'WARNING: something az-secret-in-output'", databricks.CodeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := azureCLI(t, fakeCLI(t, "az", tc.body), "").Authorization(context.Background())
			ce := credentialsError(t, err)
			if ce.Step != databricks.StepAzureCLI || ce.Code != tc.code || ce.AuthType != databricks.AuthTypeAzureCLI {
				t.Errorf("error %+v", ce)
			}
			assertNoSecret(t, "the error", err.Error(), "az-old-token", "az-secret-in-output")
		})
	}
}
