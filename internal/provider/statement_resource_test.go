package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// auditLog reads the audit table the statements of these tests write to.
func auditLog(t *testing.T, ws *workspace) []string {
	t.Helper()
	var steps []string
	for _, row := range queryRows(t, ws.client(t), databricks.QueryRequest{
		WarehouseID: emulator.DefaultWarehouseID, Statement: "SELECT step FROM audit ORDER BY seq",
	}) {
		steps = append(steps, row[0].Text)
	}
	return steps
}

// queryRows runs q and returns every row in result order, for tests that look at a
// small result whole (the provider itself streams rows into state values).
func queryRows(tb testing.TB, client *databricks.Client, q databricks.QueryRequest) []databricks.Row {
	tb.Helper()
	var rows rowKeeper
	if _, err := client.StreamQuery(context.Background(), q, &rows); err != nil {
		tb.Fatalf("running %q: %v", q.Statement, err)
	}
	return rows.rows
}

// rowKeeper is a RowHandler that keeps a copy of every row at its index. Rows arrive
// from several goroutines at once, each with indexes of its own.
type rowKeeper struct{ rows []databricks.Row }

func (k *rowKeeper) Begin(info databricks.ResultInfo) error {
	k.rows = make([]databricks.Row, info.TotalRowCount)
	return nil
}

func (k *rowKeeper) Row(index int64, row databricks.Row) error {
	k.rows[index] = row.Clone()
	return nil
}

func newAuditedWorkspace(t *testing.T) *workspace {
	t.Helper()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	_, err := ws.client(t).Run(context.Background(), databricks.RunRequest{
		WarehouseID: emulator.DefaultWarehouseID,
		Statement:   "CREATE TABLE audit (seq INT, step STRING)",
	})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

const statementConfig = testVariables + providerBlock + `
variable "grant_version" {
  type = string
}
resource "dbsql_statement" "grant" {
  execute = "INSERT INTO audit SELECT (SELECT count(*) FROM audit), 'execute ' || :version"
  revert  = "INSERT INTO audit SELECT (SELECT count(*) FROM audit), 'revert ' || :version"
  parameters = [
    { name = "version", value = var.grant_version },
  ]
  triggers = {
    version = var.grant_version
  }
}`

// Created, replaced on a trigger change (revert, then the new execute, in that order),
// destroyed with revert.
func TestAccStatement_lifecycle(t *testing.T) {
	ws := newAuditedWorkspace(t)
	const address = "dbsql_statement.grant"
	expectAudit := func(want ...string) resource.TestCheckFunc {
		return func(*terraform.State) error {
			if got := auditLog(t, ws); !slices.Equal(got, want) {
				return fmt.Errorf("audit log %q, want %q", got, want)
			}
			return nil
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          statementConfig,
				ConfigVariables: merge(ws.variables(), config.Variables{"grant_version": config.StringVariable("1")}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: expectAudit("execute 1"),
			},
			{
				Config:          statementConfig,
				ConfigVariables: merge(ws.variables(), config.Variables{"grant_version": config.StringVariable("2")}),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(address, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: func(s *terraform.State) error {
					if err := expectAudit("execute 1", "revert 1", "execute 2")(s); err != nil {
						return err
					}
					// The emulator's own log agrees on the order.
					var sent []string
					for _, r := range ws.Log().Requests() {
						if r.Endpoint == emulator.EndpointExecute && strings.Contains(string(r.Body), "INSERT INTO audit") {
							sent = append(sent, strings.Fields(strings.SplitN(string(r.Body), "'", 3)[1])[0])
						}
					}
					if !slices.Equal(sent, []string{"execute", "revert", "execute"}) {
						return fmt.Errorf("statements sent in the order %v", sent)
					}
					return nil
				},
			},
		},
		CheckDestroy: expectAudit("execute 1", "revert 1", "execute 2", "revert 2"),
	})
}

// A failing execute fails the apply and leaves nothing in state: nothing to revert.
func TestAccStatement_failingExecute(t *testing.T) {
	ws := newAuditedWorkspace(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
resource "dbsql_statement" "broken" {
  execute = "INSERT INTO no_such_table VALUES (1)"
  revert  = "INSERT INTO audit VALUES (0, 'revert')"
}`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("Statement Failed", "Statement: the execute argument (INSERT INTO …)", "TABLE_OR_VIEW_NOT_FOUND"),
		}},
		CheckDestroy: func(*terraform.State) error {
			if got := auditLog(t, ws); len(got) != 0 {
				return fmt.Errorf("a revert ran for a statement that never succeeded: %q", got)
			}
			return nil
		},
	})
}

// Changing revert alone runs nothing; the new revert is the one destroy runs.
func TestAccStatement_revertUpdatesInPlace(t *testing.T) {
	ws := newAuditedWorkspace(t)
	hcl := func(revert string) string {
		return testVariables + providerBlock + fmt.Sprintf(`
resource "dbsql_statement" "s" {
  execute = "INSERT INTO audit VALUES (0, 'execute')"
  revert  = "INSERT INTO audit VALUES (1, '%s')"
}`, revert)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{Config: hcl("old revert"), ConfigVariables: ws.variables()},
			{
				Config:          hcl("new revert"),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("dbsql_statement.s", plancheck.ResourceActionUpdate)},
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if got := auditLog(t, ws); !slices.Equal(got, []string{"execute", "new revert"}) {
				return fmt.Errorf("audit log %q", got)
			}
			return nil
		},
	})
}

// The grants example, applied as it is written in examples/grants: a table created and a
// grant given on apply, SHOW GRANTS listing it, and both undone on destroy.
func TestAccStatement_grantsExample(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "grants", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	h := newCLI(t, "")
	writeFile(t, filepath.Join(h.dir, "main.tf"), string(example))
	h.secrets = append(h.secrets, ws.token)
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_TOKEN"] = ws.token
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color")
	out := h.mustRun("output", "-json", "grants")
	var grants []string
	if err := json.Unmarshal([]byte(out.stdout), &grants); err != nil {
		t.Fatalf("reading the grants output %q: %v", out.stdout, err)
	}
	if !slices.Contains(grants, "analysts SELECT TABLE main.default.orders") {
		t.Errorf("SHOW GRANTS lists %q, want the analysts' SELECT on main.default.orders", grants)
	}

	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
	for _, row := range queryRows(t, ws.client(t), databricks.QueryRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: "SHOW TABLES IN main.default"}) {
		for _, c := range row {
			if c.Text == "orders" {
				t.Errorf("the table outlived destroy: %v", row)
			}
		}
	}
}
