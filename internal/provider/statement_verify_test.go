package provider

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// verifiedTableConfig creates a table, drops it on destroy, and verifies that it exists
// with a parameterised verify. Every execute is also written to the audit table, so the
// tests can count them.
func verifiedTableConfig(verify string) string {
	return testVariables + providerBlock + fmt.Sprintf(`
resource "dbsql_statement" "table" {
  execute = "CREATE TABLE drifting AS SELECT 1 AS a"
  revert  = "DROP TABLE IF EXISTS drifting"
  verify  = %s
  parameters = [
    { name = "table_name", value = "drifting" },
  ]
}
resource "dbsql_statement" "audit" {
  execute    = "INSERT INTO audit SELECT (SELECT count(*) FROM audit), 'created ' || :table_name"
  parameters = [{ name = "table_name", value = "drifting" }]
  triggers   = { table = dbsql_statement.table.statement_id }
}`, hclString(verify))
}

const tableExists = "SELECT count(*) > 0 AS present FROM information_schema.tables WHERE table_name = :table_name"

// runSQL runs a statement on the workspace behind the provider's back, as someone
// changing things by hand would.
func runSQL(t *testing.T, ws *workspace, statement string) {
	t.Helper()
	if _, err := ws.client(t).Run(context.Background(), databricks.RunRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: statement}); err != nil {
		t.Fatalf("running %q: %v", statement, err)
	}
}

// A table dropped out of band shows in the next plan as "will be created", and the
// apply creates it again; a verify that cannot run keeps the state.
func TestAccStatement_verifySeesDrift(t *testing.T) {
	ws := newAuditedWorkspace(t)
	const address = "dbsql_statement.table"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          verifiedTableConfig(tableExists),
				ConfigVariables: ws.variables(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("verify_result").AtMapKey("present"), knownvalue.Bool(true)),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Someone drops the table by hand: the refresh finds it gone.
				PreConfig:       func() { runSQL(t, ws, "DROP TABLE drifting") },
				Config:          verifiedTableConfig(tableExists),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if got := auditLog(t, ws); !slices.Equal(got, []string{"created drifting", "created drifting"}) {
						return fmt.Errorf("audit log %q, want the table created twice", got)
					}
					return nil
				},
			},
			{
				// The warehouse fails every statement during the refresh: nothing is known,
				// so nothing is planned.
				PreConfig: func() {
					ws.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultInternalError})
				},
				Config:             verifiedTableConfig(tableExists),
				ConfigVariables:    ws.variables(),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				// The workspace cannot be reached at all during the refresh: the same.
				Config:             verifiedTableConfig(tableExists),
				ConfigVariables:    merge(ws.variables(), config.Variables{"base_url": config.StringVariable("http://" + closedPort(t))}),
				PlanOnly:           true,
				ExpectNonEmptyPlan: false,
			},
			{
				// Changing only verify updates in place and runs nothing but verify.
				PreConfig: func() {
					ws.ClearFaults()
					ws.Log().Reset()
				},
				Config:          verifiedTableConfig("SELECT 'still there' AS note FROM information_schema.tables WHERE table_name = :table_name"),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("verify_result").AtMapKey("note"), knownvalue.StringExact("still there")),
				},
				Check: func(*terraform.State) error {
					if got := auditLog(t, ws); len(got) != 2 {
						return fmt.Errorf("audit log %q: a verify change ran execute", got)
					}
					for _, r := range ws.Log().Requests() {
						if r.Endpoint == emulator.EndpointExecute && !containsWords(string(r.Body), "information_schema.tables") && !containsWords(string(r.Body), "FROM audit") {
							return fmt.Errorf("a statement other than verify ran: %s", r.Body)
						}
					}
					return nil
				},
			},
		},
	})
}

// A verify that never holds fails the create with a message that says execute ran; a
// verify that writes is refused at plan; import is refused with what to do instead.
func TestAccStatement_verifyRefusals(t *testing.T) {
	ws := newAuditedWorkspace(t)
	hcl := func(verify string) string {
		return testVariables + providerBlock + fmt.Sprintf(`
resource "dbsql_statement" "s" {
  execute = "INSERT INTO audit VALUES (0, 'execute')"
  verify  = %s
}`, hclString(verify))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          hcl("INSERT INTO audit VALUES (1, 'verify')"),
				ConfigVariables: ws.variables(),
				PlanOnly:        true,
				ExpectError:     expectError("Statement Is Not Read-Only", "starts with INSERT"),
			},
			{
				Config:          hcl("SELECT false AS present"),
				ConfigVariables: ws.variables(),
				ExpectError: expectError("Verify Disagrees With Execute", "execute ran", "verify says its effect does not stand",
					"the first column (present) of verify's first row is false", "saved as tainted"),
			},
			{
				Config:          hcl("SELECT 1 AS one WHERE false"),
				ConfigVariables: ws.variables(),
				ExpectError:     expectError("Verify Disagrees With Execute", "verify returned no rows"),
			},
			{
				Config:          hcl("SELECT 1 AS one"),
				ConfigVariables: ws.variables(),
				ResourceName:    "dbsql_statement.s",
				ImportState:     true,
				ImportStateId:   "anything",
				ExpectError:     expectError("Import Not Supported", "Declare the resource with execute and verify"),
			},
		},
	})
}
