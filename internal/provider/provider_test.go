package provider

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// protoV6Providers serves the provider from the test process; the real CLI
// (TF_ACC_TERRAFORM_PATH) talks to it.
var protoV6Providers = map[string]func() (tfprotov6.ProviderServer, error){
	"dbsql": func() (tfprotov6.ProviderServer, error) { return NewServer("test")(), nil },
}

// workspace is an emulator started for one test, with a token of its own so that a test
// can look for that token in logs and output.
type workspace struct {
	*emulator.Server
	token string
}

func newWorkspace(t *testing.T, opts emulator.Options) *workspace {
	t.Helper()
	token := randomToken(t)
	opts.Tokens = append([]string{token}, opts.Tokens...)
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	return &workspace{Server: srv, token: token}
}

func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "dapi" + hex.EncodeToString(b)
}

// host is the emulator's host:port, as workspace_host reports it.
func (w *workspace) host() string { return strings.TrimPrefix(w.URL, "http://") }

// variables are the values every test configuration declares in testVariables. The token
// travels as a variable, as users are told to pass it, never as a literal in the HCL.
func (w *workspace) variables() config.Variables {
	return config.Variables{
		"base_url":     config.StringVariable(w.URL),
		"access_token": config.StringVariable(w.token),
		"warehouse_id": config.StringVariable(emulator.DefaultWarehouseID),
	}
}

// testVariables declares the variables of workspace.variables.
const testVariables = `
variable "base_url" {
  type = string
}
variable "access_token" {
  type      = string
  sensitive = true
}
variable "warehouse_id" {
  type = string
}
`

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// expectError builds an ExpectError pattern from fragments that must appear in order.
// Terraform wraps long messages, so any white space in a fragment matches any run of
// white space, and the fragments may be separated by anything.
func expectError(fragments ...string) *regexp.Regexp {
	parts := make([]string, len(fragments))
	for i, f := range fragments {
		words := strings.Fields(f)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

func TestResolveProviderSettingsPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "databrickscfg")
	writeFile(t, cfg, `
[__settings__]
default_profile = team

[DEFAULT]
host = https://default.cloud.databricks.com
token = dapiDEFAULT

[team]
host = https://team.cloud.databricks.com
token = dapiTEAM
warehouse_id = team0001

[prod]
host  =  https://prod.cloud.databricks.com
token = dapiPROD
`)
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	tests := []struct {
		name                        string
		config                      providerModel
		env                         map[string]string
		baseURL, token, warehouseID string
		baseURLFrom                 string
		timeout                     time.Duration
	}{
		{
			name: "arguments win over environment and profile",
			config: providerModel{
				connectionFields: connectionFields{
					BaseURL: types.StringValue("https://arg.cloud.databricks.com"), AccessToken: types.StringValue("dapiARG"),
					WarehouseID: types.StringValue("arg0001"), Timeout: types.Int64Value(90),
				},
				ConfigFile: types.StringValue(cfg),
			},
			env:     map[string]string{envHost: "https://env.cloud.databricks.com", envToken: "dapiENV", envWarehouseID: "env0001"},
			baseURL: "https://arg.cloud.databricks.com", token: "dapiARG", warehouseID: "arg0001", baseURLFrom: "argument", timeout: 90 * time.Second,
		},
		{
			name:    "environment wins over profile",
			config:  providerModel{ConfigFile: types.StringValue(cfg)},
			env:     map[string]string{envHost: "https://env.cloud.databricks.com", envToken: "dapiENV"},
			baseURL: "https://env.cloud.databricks.com", token: "dapiENV", warehouseID: "team0001", baseURLFrom: envHost, timeout: databricks.DefaultTimeout,
		},
		{
			name:    "default_profile of __settings__",
			config:  providerModel{},
			env:     map[string]string{envConfigFile: cfg},
			baseURL: "https://team.cloud.databricks.com", token: "dapiTEAM", warehouseID: "team0001", baseURLFrom: "profile team of " + cfg, timeout: databricks.DefaultTimeout,
		},
		{
			name:    "profile from the environment",
			config:  providerModel{ConfigFile: types.StringValue(cfg)},
			env:     map[string]string{envProfile: "prod"},
			baseURL: "https://prod.cloud.databricks.com", token: "dapiPROD", baseURLFrom: "profile prod of " + cfg, timeout: databricks.DefaultTimeout,
		},
		{
			name:    "profile argument wins over the environment's",
			config:  providerModel{ConfigFile: types.StringValue(cfg), Profile: types.StringValue("DEFAULT")},
			env:     map[string]string{envProfile: "prod"},
			baseURL: "https://default.cloud.databricks.com", token: "dapiDEFAULT", baseURLFrom: "profile DEFAULT of " + cfg, timeout: databricks.DefaultTimeout,
		},
		{
			name:    "nothing anywhere is not an error",
			config:  providerModel{},
			timeout: databricks.DefaultTimeout,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The default file is absent: only files named by an argument or the environment are read.
			got, err := resolveProviderSettings(tc.config, env(tc.env), filepath.Join(dir, "absent-default"))
			if err != nil {
				t.Fatal(err)
			}
			token := got.credentials.token.value
			if got.baseURL.value != tc.baseURL || token != tc.token || got.warehouseID.value != tc.warehouseID || got.timeout != tc.timeout || got.baseURL.from != tc.baseURLFrom {
				t.Errorf("got base_url %q (from %q) token %q warehouse %q timeout %v; want %q (from %q) %q %q %v",
					got.baseURL.value, got.baseURL.from, token, got.warehouseID.value, got.timeout, tc.baseURL, tc.baseURLFrom, tc.token, tc.warehouseID, tc.timeout)
			}
		})
	}
}

func TestResolveProviderSettingsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "databrickscfg")
	writeFile(t, cfg, "[DEFAULT]\nhost = https://a.cloud.databricks.com\n")
	noEnv := func(string) (string, bool) { return "", false }
	absent := filepath.Join(dir, "absent")

	_, err := resolveProviderSettings(providerModel{ConfigFile: types.StringValue(cfg), Profile: types.StringValue("staging")}, noEnv, absent)
	if err == nil || !strings.Contains(err.Error(), "no [staging] profile") {
		t.Errorf("a missing profile: err = %v", err)
	}
	_, err = resolveProviderSettings(providerModel{ConfigFile: types.StringValue(absent)}, noEnv, absent)
	if err == nil || !strings.Contains(err.Error(), "does not exist (set by argument)") {
		t.Errorf("a missing file named by the argument: err = %v", err)
	}
	_, err = resolveProviderSettings(providerModel{}, func(k string) (string, bool) { return absent, k == envConfigFile }, absent)
	if err == nil || !strings.Contains(err.Error(), "does not exist (set by "+envConfigFile+")") {
		t.Errorf("a missing file named by the environment: err = %v", err)
	}
	_, err = resolveProviderSettings(providerModel{Profile: types.StringValue("prod")}, noEnv, absent)
	if err == nil || !strings.Contains(err.Error(), "does not exist (set by argument)") {
		t.Errorf("a profile asked for while the default file is absent: err = %v", err)
	}
	writeFile(t, cfg, "[DEFAULT\nhost = x\n")
	_, err = resolveProviderSettings(providerModel{ConfigFile: types.StringValue(cfg)}, noEnv, absent)
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a broken file: err = %v", err)
	}
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMain keeps the tests hermetic: the provider under test must not read the
// developer's DATABRICKS_* variables or ~/.databrickscfg.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "dbsql-provider-test-home")
	if err != nil {
		panic(err)
	}
	for _, k := range []string{envHost, envToken, envWarehouseID, envProfile, envConfigFile} {
		err = errors.Join(err, os.Unsetenv(k))
	}
	if err = errors.Join(err, os.Setenv("HOME", home)); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(home)
	os.Exit(code)
}

// The provider configured through the real CLI from the environment alone: an empty
// provider block. Not parallel: the environment belongs to the whole process.
func TestAccProvider_environment(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	t.Setenv(envHost, ws.URL)
	t.Setenv(envToken, ws.token)
	t.Setenv(envWarehouseID, emulator.DefaultWarehouseID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: `
provider "dbsql" {}
data "dbsql_query" "test" { statement = "SELECT 'from the environment' AS how" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "how"), knownvalue.StringExact("from the environment")),
			},
		}},
	})
}

// A profile of a configuration file named by the environment; the argument still wins
// over the profile for the warehouse.
func TestAccProvider_profile(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1, Warehouses: []emulator.Warehouse{
		{ID: emulator.DefaultWarehouseID, Name: "Default"},
		{ID: "c3c3c3c3c3c3c3c3", Name: "Argument"},
	}})
	cfg := filepath.Join(t.TempDir(), "databrickscfg")
	writeFile(t, cfg, "[DEFAULT]\nhost = https://wrong.cloud.databricks.com\n\n[ci]\nhost = "+ws.URL+"\ntoken = "+ws.token+"\nwarehouse_id = "+emulator.DefaultWarehouseID+"\n")
	t.Setenv(envConfigFile, cfg)
	t.Setenv(envProfile, "ci")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: `
provider "dbsql" {
  warehouse_id = "c3c3c3c3c3c3c3c3"
}
data "dbsql_query" "test" { statement = "SELECT 1 AS one" }`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "one"), knownvalue.Int64Exact(1)),
			},
			Check: func(*terraform.State) error {
				for _, r := range ws.Log().Requests() {
					if r.Endpoint == emulator.EndpointExecute && !strings.Contains(string(r.Body), `"warehouse_id":"c3c3c3c3c3c3c3c3"`) {
						return fmt.Errorf("the provider argument did not win over the profile: %s", r.Body)
					}
				}
				return nil
			},
		}},
	})
}

// A provider argument that is unknown until apply is an error at configure time that
// says how to proceed, as the framework's guide prescribes.
func TestAccProvider_unknownConfiguration(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + `
resource "dbsql_connection" "bootstrap" {
  name         = "Bootstrap"
  base_url     = var.base_url
  access_token = var.access_token
}
provider "dbsql" {
  alias        = "late"
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = dbsql_connection.bootstrap.id
}
data "dbsql_query" "test" {
  provider  = dbsql.late
  statement = "SELECT 1"
}`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("Unknown Provider Configuration", "warehouse_id depends on a value that is not known until apply"),
		}},
	})
}

// Invalid values from the environment are reported where they are used, naming their
// source: no plan-time validator ever saw them.
func TestAccProvider_invalidEnvironment(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	t.Setenv(envHost, "adb-1234567890123456.7.azuredatabricks.net")
	t.Setenv(envToken, ws.token)
	t.Setenv(envWarehouseID, emulator.DefaultWarehouseID)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:      `data "dbsql_query" "test" { statement = "SELECT 1" }`,
			ExpectError: expectError("Invalid Base URL", "The Base URL from DATABRICKS_HOST is invalid", "Did you mean https://adb-1234567890123456.7.azuredatabricks.net?"),
		}},
	})
}

// client returns a Databricks client for the workspace, for tests that set up or
// inspect data behind the provider's back.
func (w *workspace) client(t *testing.T) *databricks.Client {
	t.Helper()
	c, err := databricks.New(databricks.Config{BaseURL: w.URL, Credentials: databricks.PersonalAccessToken(w.token)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
