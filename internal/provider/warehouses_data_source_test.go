package provider

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

func TestAccWarehouses(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{
		SampleTrips:       -1,
		WarehousePageSize: 2, // five warehouses: three pages
		Warehouses: []emulator.Warehouse{
			{ID: "aaaa000000000001", Name: "etl-small"},
			{ID: "aaaa000000000002", Name: "Reporting", State: "STOPPED", ClusterSize: "Medium", Serverless: true},
			{ID: "aaaa000000000003", Name: "etl-large", ClusterSize: "Large", WarehouseType: "CLASSIC"},
			{ID: "aaaa000000000004", Name: "adhoc"},
			{ID: "aaaa000000000005", Name: "etl-archive"},
		},
	})
	names := func(names ...string) knownvalue.Check {
		var checks []knownvalue.Check
		for _, n := range names {
			checks = append(checks, knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(n)}))
		}
		return knownvalue.ListExact(checks)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_warehouses" "all" {}
data "dbsql_warehouses" "reporting" {
  name = "Reporting"
}
data "dbsql_warehouses" "etl" {
  name_regex = "^etl-"
}
data "dbsql_warehouses" "none" {
  name = "nope"
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dbsql_warehouses.all", tfjsonpath.New("warehouses"), names("etl-small", "Reporting", "etl-large", "adhoc", "etl-archive")),
				statecheck.ExpectKnownValue("data.dbsql_warehouses.etl", tfjsonpath.New("warehouses"), names("etl-small", "etl-large", "etl-archive")),
				statecheck.ExpectKnownValue("data.dbsql_warehouses.none", tfjsonpath.New("warehouses"), knownvalue.ListExact(nil)),
				statecheck.ExpectKnownValue("data.dbsql_warehouses.reporting", tfjsonpath.New("warehouses"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                        knownvalue.StringExact("aaaa000000000002"),
						"name":                      knownvalue.StringExact("Reporting"),
						"state":                     knownvalue.StringExact("STOPPED"),
						"cluster_size":              knownvalue.StringExact("Medium"),
						"warehouse_type":            knownvalue.StringExact("PRO"),
						"enable_serverless_compute": knownvalue.Bool(true),
						"health":                    knownvalue.StringExact("HEALTHY"),
					}),
				})),
			},
		}},
	})
	if n := ws.Log().Count(emulator.EndpointListWarehouses); n < 3 {
		t.Errorf("%d list requests: the pages were not followed", n)
	}
}

func TestAccWarehouses_nameAndRegexConflict(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_warehouses" "x" {
  name       = "a"
  name_regex = "(unclosed"
}`,
			ConfigVariables: ws.variables(),
			PlanOnly:        true,
			ExpectError:     expectError("These attributes cannot be configured together: [name,name_regex]"),
		}},
	})
}

// timeouts.read bounds the whole listing: a workspace that never answers fails the read
// when it runs out, with advice that names it.
func TestAccWarehouses_readTimeout(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	ws.AddFault(emulator.Fault{Endpoint: emulator.EndpointListWarehouses, Kind: emulator.FaultSlow, Delay: time.Minute})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_warehouses" "all" {
  timeouts = { read = "2s" }
}`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("Timed Out", "could not list the warehouses", "Raise timeouts.read"),
		}},
	})
}
