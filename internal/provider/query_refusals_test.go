package provider

// dbsql_query's refusals and failures: what is refused at plan time, and what a failing
// statement reports.

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

func TestAccQuery_failedStatement(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "SELECT * FROM no_such_table" }`,
			ConfigVariables: ws.variables(),
			ExpectError: expectError(
				"Statement Failed",
				"could not run the statement (warehouse "+emulator.DefaultWarehouseID+")",
				"Statement: the statement argument (SELECT …)",
				"failed: BAD_REQUEST: [TABLE_OR_VIEW_NOT_FOUND]",
				"Fix the statement",
			),
		}},
	})
}

// A write is refused at plan time, before anything is sent.
func TestAccQuery_writeRejectedAtPlan(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "/* nightly */ CREATE TABLE t AS SELECT 1" }`,
				ConfigVariables: ws.variables(),
				PlanOnly:        true,
				ExpectError:     expectError("Statement Is Not Read-Only", "starts with CREATE", "Data sources run on every plan", "dbsql_statement"),
			},
			{
				// A write after a CTE, which a first-keyword check took for a query.
				Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "WITH c AS (SELECT 9 AS x) INSERT INTO t SELECT x FROM c" }`,
				ConfigVariables: ws.variables(),
				PlanOnly:        true,
				ExpectError:     expectError("Statement Is Not Read-Only", "After its WITH clause", "INSERT"),
			},
			{
				Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "SELECT 1; INSERT INTO t VALUES (42)" }`,
				ConfigVariables: ws.variables(),
				PlanOnly:        true,
				ExpectError:     expectError("More Than One Statement"),
			},
		},
	})
	if n := ws.Log().Count(emulator.EndpointExecute); n != 0 {
		t.Errorf("a refused statement was sent %d times", n)
	}
}

func TestAccQuery_duplicateColumns(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "SELECT 1 AS id, 2 AS id" }`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("Unusable Result Columns", `more than one column named "id"`, "AS"),
		}},
	})
}

// No warehouse anywhere is a clear error listing every place to set one.
func TestAccQuery_noWarehouse(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + `
provider "dbsql" {
  base_url     = var.base_url
  access_token = var.access_token
}
data "dbsql_query" "test" { statement = "SELECT 1" }`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("No SQL Warehouse", "warehouse_id here", "DATABRICKS_WAREHOUSE_ID"),
		}},
	})
}
