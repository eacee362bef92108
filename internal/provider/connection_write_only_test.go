package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
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

// A write-only token: applied, rotated by its version, never in state.
func TestAccConnection_writeOnlyToken(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	rotated := randomToken(t)
	ws.AddToken(rotated)
	const address = "dbsql_connection.test"
	hcl := testVariables + `
variable "token_version" {
  type = number
}
resource "dbsql_connection" "test" {
  name                    = "Write-only"
  base_url                = var.base_url
  access_token_wo         = var.access_token
  access_token_wo_version = var.token_version
  warehouse_id            = var.warehouse_id
}`
	notInState := func(tokens ...string) resource.TestCheckFunc {
		return func(s *terraform.State) error {
			for name, res := range s.RootModule().Resources {
				for key, value := range res.Primary.Attributes {
					for _, tok := range tokens {
						if strings.Contains(value, tok) {
							return fmt.Errorf("%s.%s holds the write-only token", name, key)
						}
					}
				}
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{
			{
				Config:          hcl,
				ConfigVariables: merge(ws.variables(), config.Variables{"token_version": config.IntegerVariable(1)}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("access_token"), knownvalue.Null()),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("access_token_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("user_name"), knownvalue.StringExact(emulator.DefaultUserName)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("warehouse_name"), knownvalue.StringExact("Starter Warehouse")),
				},
				Check: notInState(ws.token),
			},
			{
				// Rotation: a new token and a new version. The old token is revoked first,
				// so the update's test passes only with the new one.
				PreConfig: func() { ws.RevokeToken(ws.token) },
				Config:    hcl,
				ConfigVariables: merge(ws.variables(), config.Variables{
					"access_token":  config.StringVariable(rotated),
					"token_version": config.IntegerVariable(2),
				}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
					// Nothing of the token is stored, yet nothing changes on the next plan.
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("access_token_wo_version"), knownvalue.Int64Exact(2)),
				},
				Check: notInState(ws.token, rotated),
			},
		},
	})
}

// The write-only token is not in the state file itself: read the raw file the CLI
// wrote, not the CLI's rendering of it.
func TestAccConnection_writeOnlyTokenRawState(t *testing.T) {
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	h := newCLI(t, testVariables+`
resource "dbsql_connection" "test" {
  name                    = "Write-only"
  base_url                = var.base_url
  access_token_wo         = var.access_token
  access_token_wo_version = 1
}`)
	skipCLIBelow(t, h, tfversion.Version1_11_0)
	h.secrets = []string{ws.token}
	h.env["TF_VAR_base_url"] = ws.URL
	h.env["TF_VAR_access_token"] = ws.token
	h.env["TF_VAR_warehouse_id"] = emulator.DefaultWarehouseID
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")

	raw, err := os.ReadFile(filepath.Join(h.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	for _, form := range leakForms(ws.token) {
		if i := strings.Index(string(raw), form); i >= 0 {
			t.Fatalf("a form of the write-only token is in terraform.tfstate at offset %d", i)
		}
	}
	var state struct {
		Resources []struct {
			Instances []struct {
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &state); err != nil || len(state.Resources) != 1 {
		t.Fatalf("reading the state: %v", err)
	}
	attrs := state.Resources[0].Instances[0].Attributes
	if attrs["access_token_wo"] != nil || attrs["access_token"] != nil || attrs["user_name"] != emulator.DefaultUserName {
		t.Errorf("state attributes: access_token_wo=%v access_token=%v user_name=%v", attrs["access_token_wo"] != nil, attrs["access_token"] != nil, attrs["user_name"])
	}
	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}

// skipCLIBelow skips a subprocess test whose CLI is older than minimum.
func skipCLIBelow(t *testing.T, h *cliHarness, minimum *version.Version) {
	t.Helper()
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal([]byte(h.mustRun("version", "-json").stdout), &v); err != nil {
		t.Fatalf("reading the CLI's version: %v", err)
	}
	got, err := version.NewVersion(v.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got.Core().LessThan(minimum) {
		t.Skipf("%s %s is below %s", filepath.Base(h.cli), got, minimum)
	}
}
