package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

const connectionConfig = testVariables + `
variable "timeout" {
  type    = number
  default = 30
}
resource "dbsql_connection" "test" {
  name         = "Sales warehouse"
  base_url     = var.base_url
  access_token = var.access_token
  timeout      = var.timeout
  warehouse_id = var.warehouse_id
}
`

func TestAccConnection_lifecycle(t *testing.T) {
	const reportingID = "b2b2b2b2b2b2b2b2"
	ws := newWorkspace(t, emulator.Options{
		SampleTrips: -1,
		Warehouses: []emulator.Warehouse{
			{ID: emulator.DefaultWarehouseID, Name: "Starter Warehouse"},
			{ID: reportingID, Name: "Reporting"},
		},
	})
	rotated := randomToken(t)
	ws.AddToken(rotated)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	address := "dbsql_connection.test"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          connectionConfig,
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
						plancheck.ExpectSensitiveValue(address, tfjsonpath.New("access_token")),
						// Known at plan time: derived from the Base URL alone.
						plancheck.ExpectKnownValue(address, tfjsonpath.New("workspace_host"), knownvalue.StringExact(ws.host())),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(address, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("user_name"), knownvalue.StringExact(emulator.DefaultUserName)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("workspace_id"), knownvalue.StringExact(emulator.DefaultWorkspaceID)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("workspace_host"), knownvalue.StringExact(ws.host())),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("warehouse_name"), knownvalue.StringExact("Starter Warehouse")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("timeout"), knownvalue.Int64Exact(30)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("authentication_type"), knownvalue.StringExact("personal_access_token")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("test_connection"), knownvalue.Bool(true)),
				},
			},
			{
				// Token rotation and a new timeout update in place and test again.
				Config: connectionConfig,
				ConfigVariables: merge(ws.variables(), config.Variables{
					"access_token": config.StringVariable(rotated),
					"timeout":      config.IntegerVariable(45),
				}),
				PreConfig: func() { ws.Log().Reset() },
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
						plancheck.ExpectSensitiveValue(address, tfjsonpath.New("access_token")),
						plancheck.ExpectUnknownValue(address, tfjsonpath.New("user_name")),
						plancheck.ExpectKnownValue(address, tfjsonpath.New("workspace_id"), knownvalue.StringExact(emulator.DefaultWorkspaceID)),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(address, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("timeout"), knownvalue.Int64Exact(45)),
				},
				Check: func(*terraform.State) error {
					if ws.Log().Count(emulator.EndpointMe) == 0 {
						return fmt.Errorf("the update did not test the connection again")
					}
					return nil
				},
			},
			{
				// Only the rotated token works from here on: the update must have stored it.
				PreConfig: func() { ws.RevokeToken(ws.token) },
				Config:    connectionConfig,
				ConfigVariables: merge(ws.variables(), config.Variables{
					"access_token": config.StringVariable(rotated),
					"timeout":      config.IntegerVariable(45),
					"warehouse_id": config.StringVariable(reportingID),
				}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(address, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("warehouse_name"), knownvalue.StringExact("Reporting")),
				},
			},
			{
				// The token is revoked: refresh warns and keeps the saved values, and the
				// plan still works, so that the plan that fixes the token can run.
				PreConfig: func() {
					ws.RevokeToken(rotated)
					ws.Log().Reset()
				},
				Config: connectionConfig,
				ConfigVariables: merge(ws.variables(), config.Variables{
					"access_token": config.StringVariable(rotated),
					"timeout":      config.IntegerVariable(45),
					"warehouse_id": config.StringVariable(reportingID),
				}),
				PlanOnly: true,
			},
		},
		CheckDestroy: func(*terraform.State) error {
			for _, r := range ws.Log().Requests() {
				if r.Endpoint == emulator.EndpointMe && r.Status == 403 {
					return nil
				}
			}
			return fmt.Errorf("refresh with the revoked token never reached the workspace")
		},
	})
}

func TestAccConnection_wrongToken(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          connectionConfig,
			ConfigVariables: merge(ws.variables(), config.Variables{"access_token": config.StringVariable(randomToken(t))}),
			ExpectError: expectError(
				"Connection Test Failed",
				`Connection "Sales warehouse" (`+ws.URL+`) could not authenticate`,
				"HTTP 403: Invalid access token.",
				"The workspace rejected the access token",
				"Generate a new personal access token",
			),
		}},
	})
}

func TestAccConnection_unreachableHost(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	nowhere := "http://" + closedPort(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          connectionConfig,
			ConfigVariables: merge(ws.variables(), config.Variables{"base_url": config.StringVariable(nowhere)}),
			ExpectError: expectError(
				"Connection Test Failed",
				"could not reach the workspace",
				"connection refused",
				"Check the Base URL and that this machine can reach the workspace",
			),
		}},
	})
}

func TestAccConnection_missingWarehouse(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          connectionConfig,
			ConfigVariables: merge(ws.variables(), config.Variables{"warehouse_id": config.StringVariable("ffffffffffffffff")}),
			ExpectError: expectError(
				"Connection Test Failed",
				"could not find the warehouse (warehouse ffffffffffffffff)",
				"HTTP 404 RESOURCE_DOES_NOT_EXIST",
				"Check warehouse_id",
			),
		}},
	})
}

func TestAccConnection_slowWorkspace(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	ws.AddFault(emulator.Fault{Endpoint: emulator.EndpointMe, Kind: emulator.FaultSlow, Delay: 3 * time.Second})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          connectionConfig,
			ConfigVariables: merge(ws.variables(), config.Variables{"timeout": config.IntegerVariable(1)}),
			ExpectError:     expectError("could not reach the workspace", "within the 1s request timeout", "Raise timeout"),
		}},
	})
}

// With test_connection = false nothing is contacted: a wrong token applies, and the
// values only a test can learn stay null.
func TestAccConnection_testDisabled(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	address := "dbsql_connection.test"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + `
resource "dbsql_connection" "test" {
  name            = "Untested"
  base_url        = var.base_url
  access_token    = "dapi-not-a-real-token"
  test_connection = false
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(address, tfjsonpath.New("user_name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("warehouse_name"), knownvalue.Null()),
				statecheck.ExpectKnownValue(address, tfjsonpath.New("workspace_host"), knownvalue.StringExact(ws.host())),
			},
			Check: func(*terraform.State) error {
				if n := len(ws.Log().Requests()); n != 0 {
					return fmt.Errorf("test_connection = false still sent %d requests", n)
				}
				return nil
			},
		}},
	})
}

// Validation runs at plan time, before anything is contacted.
func TestAccConnection_planTimeValidation(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	cases := map[string]struct {
		hcl  string
		want []string
	}{
		"base_url":  {`base_url = "adb-1234567890123456.7.azuredatabricks.net"`, []string{"Invalid Base URL", "Did you mean https://adb-1234567890123456.7.azuredatabricks.net?"}},
		"timeout":   {`timeout = 0`, []string{"timeout", "must be between 1 and 3600"}},
		"auth":      {`authentication_type = "oauth"`, []string{"authentication_type", `value must be one of:`, `"personal_access_token"`, `"oauth-m2m"`}},
		"warehouse": {`warehouse_id = "/sql/1.0/warehouses/abc123"`, []string{"Invalid Warehouse ID", `Use only the id at its end: "abc123"`}},
		"name":      {`name = " padded"`, []string{"Invalid Connection Name", "leading or trailing white space"}},
		"token":     {`access_token = "dapi123\n"`, []string{"Invalid Access Token", "trimspace()"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			attrs := map[string]string{
				"name": `name = "Sales"`, "base_url": `base_url = var.base_url`, "token": `access_token = var.access_token`,
			}
			attrs[name] = tc.hcl // replaces a required argument, or adds an optional one
			hcl := testVariables + "resource \"dbsql_connection\" \"test\" {\n"
			for _, a := range attrs {
				hcl += "  " + a + "\n"
			}
			hcl += "}\n"
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				Steps: []resource.TestStep{{
					Config:          hcl,
					ConfigVariables: ws.variables(),
					PlanOnly:        true,
					ExpectError:     expectError(tc.want...),
				}},
			})
			if n := len(ws.Log().Requests()); n != 0 {
				t.Errorf("validation sent %d requests", n)
			}
		})
	}
}

func merge(base config.Variables, overrides config.Variables) config.Variables {
	out := config.Variables{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range overrides {
		out[k] = v
	}
	return out
}

// A connection has one set of credentials: a token and its write-only form together are
// refused, and so is a connection with none at all, at plan time.
func TestAccConnection_oneSetOfCredentials(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	for name, tc := range map[string]struct {
		credentials string
		needs       *version.Version // write-only arguments need Terraform 1.11
		want        []string
	}{
		"both":    {"access_token = var.access_token\n  access_token_wo = var.access_token", tfversion.Version1_11_0, []string{`These attributes cannot be configured together: [access_token,access_token_wo]`}},
		"neither": {"", tfversion.Version0_12_26, []string{"No Databricks Credentials", "No credentials are set for the connection", "access_token", "client_secret"}},
		"two types": {"access_token = var.access_token\n  client_id = \"b1b2c3d4\"\n  client_secret = var.access_token", tfversion.Version0_12_26,
			[]string{"More Than One Way to Authenticate", "oauth-m2m (from client_secret)", "pat (from access_token)", "set authentication_type"}},
		"incomplete": {`authentication_type = "oauth-m2m"` + "\n  client_secret = var.access_token", tfversion.Version0_12_26,
			[]string{"Incomplete Authentication Settings", "oauth-m2m", "application id: client_id"}},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tc.needs)},
				Steps: []resource.TestStep{{
					Config: testVariables + `
resource "dbsql_connection" "test" {
  name     = "Credentials"
  base_url = var.base_url
  ` + tc.credentials + `
}`,
					ConfigVariables: ws.variables(),
					PlanOnly:        true,
					ExpectError:     expectError(tc.want...),
				}},
			})
		})
	}
}
