package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// The service principal of these tests, as the emulator knows it.
const (
	spApplicationID = "b1b2c3d4-0000-4000-8000-0000000000a1"
	spDisplayName   = "etl-pipeline"
)

// newOAuthWorkspace is an emulator with one service principal and its OAuth secret.
func newOAuthWorkspace(t *testing.T, opts emulator.Options) (*workspace, string) {
	t.Helper()
	secret := "dose" + randomToken(t)[4:]
	opts.SampleTrips = -1
	opts.ServicePrincipals = append(opts.ServicePrincipals, emulator.ServicePrincipal{ApplicationID: spApplicationID, Secret: secret, DisplayName: spDisplayName})
	return newWorkspace(t, opts), secret
}

// queries declares n queries on the provider's connection, so that a test can count
// the token requests of a run of many.
func queries(n int) string {
	return fmt.Sprintf(`
data "dbsql_query" "many" {
  count     = %d
  statement = "SELECT CAST(:n AS INT) AS n"
  parameters = [{ name = "n", value = tostring(count.index), type = "INT" }]
}
`, n)
}

// oauthVariables declares the service principal's id and secret.
const oauthVariables = testVariables + `
variable "client_id" {
  type = string
}
variable "client_secret" {
  type      = string
  sensitive = true
}
`

// oauth-m2m in the provider block and in dbsql_connection: queries run as the service
// principal, the connection test reports its application id, dbsql_access_token mints a
// PAT for it, and a wrong secret gets a diagnostic that says so.
func TestAccAuth_oauthM2M(t *testing.T) {
	ws, secret := newOAuthWorkspace(t, emulator.Options{})
	vars := merge(ws.variables(), config.Variables{
		"client_id":     config.StringVariable(spApplicationID),
		"client_secret": config.StringVariable(secret),
	})
	const hcl = oauthVariables + `
provider "dbsql" {
  base_url      = var.base_url
  client_id     = var.client_id
  client_secret = var.client_secret
  warehouse_id  = var.warehouse_id
}
data "dbsql_query" "who" {
  statement = "SELECT current_user() AS me"
}
resource "dbsql_connection" "sp" {
  name          = "As a service principal"
  base_url      = var.base_url
  client_id     = var.client_id
  client_secret = var.client_secret
  warehouse_id  = var.warehouse_id
}
resource "dbsql_access_token" "for_tools" {
  comment          = "minted by a service principal over OAuth"
  lifetime_seconds = 3600
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          hcl,
				ConfigVariables: merge(vars, config.Variables{"client_secret": config.StringVariable("dose" + randomToken(t)[4:])}),
				ExpectError: expectError("Authentication Failed", "token endpoint refused service principal "+spApplicationID+"'s client secret",
					"Create a new OAuth secret"),
			},
			{
				Config:          hcl,
				ConfigVariables: vars,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dbsql_connection.sp", tfjsonpath.New("user_name"), knownvalue.StringExact(spApplicationID)),
					statecheck.ExpectKnownValue("dbsql_connection.sp", tfjsonpath.New("authentication_type"), knownvalue.StringExact("oauth-m2m")),
					statecheck.ExpectKnownValue("data.dbsql_query.who", rowPath(0, "me"), knownvalue.StringExact(spApplicationID)),
				},
				Check: func(*terraform.State) error {
					for _, r := range ws.Log().Requests() {
						if r.Endpoint == emulator.EndpointExecute && r.Principal != spApplicationID {
							return fmt.Errorf("a statement ran as %q, not as the service principal", r.Principal)
						}
					}
					for _, tok := range ws.Tokens() {
						if tok.Comment == "minted by a service principal over OAuth" && tok.Owner == spApplicationID {
							return nil
						}
					}
					return fmt.Errorf("no token owned by the service principal: %v", ws.Tokens())
				},
			},
		},
	})
}

// One token request per run, whatever the number of queries, and each way to hand the
// provider the service principal: the environment and a profile.
func TestAccAuth_oauthM2MFromEnvironmentAndProfile(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	ws, secret := newOAuthWorkspace(t, emulator.Options{})
	h := newCLI(t, queries(10))
	h.secrets = append(h.secrets, secret)
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	h.env["DATABRICKS_CLIENT_ID"] = spApplicationID
	h.env["DATABRICKS_CLIENT_SECRET"] = secret
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "environment.log")
	h.mustRun("plan", "-input=false")
	if n := ws.Log().Count(emulator.EndpointOAuthToken); n != 1 {
		t.Errorf("%d token requests for a plan of 10 queries, want 1", n)
	}

	delete(h.env, "DATABRICKS_CLIENT_ID")
	delete(h.env, "DATABRICKS_CLIENT_SECRET")
	writeFile(t, filepath.Join(h.env["HOME"], ".databrickscfg"), fmt.Sprintf(`
[DEFAULT]
host          = %s
auth_type     = oauth-m2m
client_id     = %s
client_secret = %s
`, ws.URL, spApplicationID, secret))
	ws.Log().Reset()
	h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "profile.log")
	h.mustRun("plan", "-input=false")
	if n := ws.Log().Count(emulator.EndpointOAuthToken); n != 1 {
		t.Errorf("%d token requests with the profile, want 1", n)
	}

	// A wrong secret: refused at the token endpoint, and repeated nowhere.
	wrong := "dose" + randomToken(t)[4:]
	h.secrets = append(h.secrets, wrong)
	writeFile(t, filepath.Join(h.env["HOME"], ".databrickscfg"), "")
	h.env["DATABRICKS_CLIENT_ID"] = spApplicationID
	h.env["DATABRICKS_CLIENT_SECRET"] = wrong
	h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "wrong-secret.log")
	r := h.run("plan", "-input=false", "-no-color")
	if r.exitCode == 0 || !containsWords(r.output(), "Authentication Failed") || !containsWords(r.output(), "refused service principal") {
		t.Errorf("a wrong client secret: exit %d\n%s", r.exitCode, h.redact(r.output()))
	}
	expectNoLeaks(t, h)
}

// azure-client-secret: an Entra ID application, its token from the Entra ID endpoint
// AZURE_AUTHORITY_HOST points at (the emulator's), queries run as the application.
func TestAccAuth_azureClientSecret(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	const tenant, clientID = "7e5f0000-0000-4000-8000-00000000aad1", "a2a2a2a2-0000-4000-8000-0000000000a2"
	secret := "azsecret~" + randomToken(t)[4:]
	ws := newWorkspace(t, emulator.Options{
		SampleTrips:            -1,
		AzureServicePrincipals: []emulator.AzureServicePrincipal{{TenantID: tenant, ClientID: clientID, ClientSecret: secret, DisplayName: "azure-etl"}},
	})
	h := newCLI(t, queries(3))
	h.secrets = append(h.secrets, secret)
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	h.env["ARM_TENANT_ID"] = tenant
	h.env["ARM_CLIENT_ID"] = clientID
	h.env["ARM_CLIENT_SECRET"] = secret
	h.env["AZURE_AUTHORITY_HOST"] = ws.URL + "/"
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "azure.log")
	h.mustRun("plan", "-input=false")
	if n := ws.Log().Count(emulator.EndpointAzureToken); n != 1 {
		t.Errorf("%d Entra ID token requests for a plan of 3 queries, want 1", n)
	}
	for _, r := range ws.Log().Requests() {
		if r.Endpoint == emulator.EndpointExecute && r.Principal != clientID && r.Principal != "azure-etl" {
			t.Errorf("a statement ran as %q, not as the Entra ID application", r.Principal)
		}
	}
	expectNoLeaks(t, h)
}

// A token that expires in the middle of an apply is replaced, and the apply succeeds.
func TestAccAuth_tokenExpiresMidApply(t *testing.T) {
	ws, secret := newOAuthWorkspace(t, emulator.Options{OAuthTokenLifetime: 3 * time.Second})
	// Each statement takes a second and a half: the chain outlives a token.
	ws.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultSlow, Delay: 1500 * time.Millisecond})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: oauthVariables + `
provider "dbsql" {
  base_url      = var.base_url
  client_id     = var.client_id
  client_secret = var.client_secret
  warehouse_id  = var.warehouse_id
}
resource "dbsql_statement" "first" {
  execute = "CREATE TABLE expiry_one AS SELECT 1 AS a"
}
resource "dbsql_statement" "second" {
  execute    = "CREATE TABLE expiry_two AS SELECT 2 AS a"
  depends_on = [dbsql_statement.first]
}
resource "dbsql_statement" "third" {
  execute    = "CREATE TABLE expiry_three AS SELECT 3 AS a"
  depends_on = [dbsql_statement.second]
}
resource "dbsql_statement" "fourth" {
  execute    = "CREATE TABLE expiry_four AS SELECT 4 AS a"
  depends_on = [dbsql_statement.third]
}`,
			ConfigVariables: merge(ws.variables(), config.Variables{
				"client_id":     config.StringVariable(spApplicationID),
				"client_secret": config.StringVariable(secret),
			}),
			Check: func(*terraform.State) error {
				for _, r := range ws.Log().Requests() {
					if r.Status == 401 || r.Status == 403 {
						return fmt.Errorf("the workspace refused a request (%s %s: %d): a token was used past its life", r.Method, r.Path, r.Status)
					}
				}
				if n := ws.Log().Count(emulator.EndpointOAuthToken); n < 2 {
					return fmt.Errorf("%d token requests over an apply longer than a token's life", n)
				}
				return nil
			},
		}},
	})
}

// A client secret given write-only is in neither the state file nor the plan, and the
// connection still tests as the service principal.
func TestAccAuth_writeOnlyClientSecret(t *testing.T) {
	t.Parallel()
	ws, secret := newOAuthWorkspace(t, emulator.Options{})
	h := newCLI(t, testVariables+`
variable "client_secret" {
  type      = string
  sensitive = true
}
resource "dbsql_connection" "test" {
  name                     = "Write-only secret"
  base_url                 = var.base_url
  client_id                = "`+spApplicationID+`"
  client_secret_wo         = var.client_secret
  client_secret_wo_version = 1
}`)
	skipCLIBelow(t, h, tfversion.Version1_11_0)
	h.secrets = []string{secret, ws.token}
	h.env["TF_VAR_base_url"] = ws.URL
	h.env["TF_VAR_access_token"] = ws.token
	h.env["TF_VAR_warehouse_id"] = emulator.DefaultWarehouseID
	h.env["TF_VAR_client_secret"] = secret
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, "apply.log")
	h.mustRun("plan", "-input=false", "-out=tfplan")
	h.mustRun("apply", "-auto-approve", "-input=false", "tfplan")
	raw, err := os.ReadFile(filepath.Join(h.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"user_name": "`+spApplicationID+`"`) {
		t.Errorf("the connection was not tested as the service principal:\n%s", h.redact(string(raw)))
	}
	// The plan file and the state are searched too: only the workspace token (unused here) may be anywhere.
	h.secrets = []string{secret}
	for _, l := range findLeaks(t, h.secrets, func(string) bool { return false }, h.logDir, h.dir) {
		t.Error(l)
	}
	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}
