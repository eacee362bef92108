package provider

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// providerBlock configures the provider's own connection from the test variables.
const providerBlock = `
provider "dbsql" {
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
}
`

const query = "data.dbsql_query.test"

func rowPath(row int, column string) tfjsonpath.Path {
	return tfjsonpath.New("rows").AtSliceIndex(row).AtMapKey(column)
}

func exactNumber(t *testing.T, s string) knownvalue.Check {
	t.Helper()
	f, _, err := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
	if err != nil {
		t.Fatal(err)
	}
	return knownvalue.NumberExact(f)
}

// The README's query, through the provider block's connection, on the sample data.
func TestAccQuery_sampleDataWithParameters(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_query" "test" {
  catalog   = "samples"
  schema    = "nyctaxi"
  statement = "SELECT pickup_zip, count(*) AS trips, avg(fare_amount) AS avg_fare FROM trips WHERE trip_distance > :min_miles GROUP BY pickup_zip ORDER BY trips DESC, pickup_zip LIMIT :n"
  parameters = [
    { name = "min_miles", value = "2.5", type = "DOUBLE" },
    { name = "n", value = "10", type = "INT" },
  ]
}
output "top_zip" {
  value = data.dbsql_query.test.rows[0].pickup_zip
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, tfjsonpath.New("row_count"), knownvalue.Int64Exact(10)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("row_limit"), knownvalue.Int64Exact(defaultRowLimit)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("columns"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("pickup_zip"), "type_name": knownvalue.StringExact("INT"), "type_text": knownvalue.StringExact("INT"), "position": knownvalue.Int64Exact(0)}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("trips"), "type_name": knownvalue.StringExact("LONG"), "type_text": knownvalue.StringExact("BIGINT"), "position": knownvalue.Int64Exact(1)}),
					knownvalue.ObjectExact(map[string]knownvalue.Check{"name": knownvalue.StringExact("avg_fare"), "type_name": knownvalue.StringExact("DOUBLE"), "type_text": knownvalue.StringExact("DOUBLE"), "position": knownvalue.Int64Exact(2)}),
				})),
				// A number, not a string: the point of typed rows.
				statecheck.ExpectKnownOutputValue("top_zip", knownvalue.NumberFunc(func(v *big.Float) error {
					if z, _ := v.Int64(); z < 10001 || z > 11697 {
						return fmt.Errorf("top zip %v is not a New York zip", v)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(query, rowPath(0, "trips"), knownvalue.NumberFunc(func(v *big.Float) error {
					if v.Sign() <= 0 {
						return fmt.Errorf("trips = %v", v)
					}
					return nil
				})),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("statement_id"), knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{20,}$`))),
			},
			Check: func(*terraform.State) error {
				// Values travel as parameters, never spliced into the text.
				for _, r := range ws.Log().Requests() {
					if r.Endpoint == emulator.EndpointExecute && (strings.Contains(string(r.Body), "> 2.5") || !strings.Contains(string(r.Body), `"name":"min_miles"`)) {
						return fmt.Errorf("the statement was not sent with named parameters: %s", r.Body)
					}
				}
				return nil
			},
		}},
	})
}

// Every type of the mapping, asserted on its real value: number versus string matters.
func TestAccQuery_types(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	// DuckDB spellings, since the emulator runs DuckDB; the types Databricks reports
	// for them are what this test is about.
	statement := strings.Join([]string{
		"SELECT CAST(-128 AS TINYINT) AS byte_col",
		"CAST(32767 AS SMALLINT) AS short_col",
		"CAST(42 AS INT) AS int_col",
		"CAST(9223372036854775807 AS BIGINT) AS long_col",
		"CAST(1.5 AS FLOAT) AS float_col",
		"CAST(2.25 AS DOUBLE) AS double_col",
		"CAST('12345678901234567890123456.789012345678' AS DECIMAL(38,12)) AS decimal_col",
		"CAST('NaN' AS DOUBLE) AS nan_col",
		"true AS bool_col",
		"'it''s text' AS string_col",
		"DATE '2016-02-13' AS date_col",
		"TIMESTAMP '2016-02-13 21:47:53' AS timestamp_col",
		"unhex('010203') AS binary_col",
		"array(1, 2, NULL) AS array_col",
		"map('a', 1.5, 'b', NULL) AS map_col",
		"named_struct('id', 12345678901234567890::DECIMAL(20,0), 'tags', array('x', 'y'), 'ok', false) AS struct_col",
		"CAST(NULL AS INT) AS null_int",
		"CAST(NULL AS VARCHAR) AS null_string",
		"CAST(NULL AS ARRAY<INT>) AS null_array",
	}, ", ")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = ` + hclString(statement) + " }",
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "byte_col"), knownvalue.Int64Exact(-128)),
				statecheck.ExpectKnownValue(query, rowPath(0, "short_col"), knownvalue.Int64Exact(32767)),
				statecheck.ExpectKnownValue(query, rowPath(0, "int_col"), knownvalue.Int64Exact(42)),
				statecheck.ExpectKnownValue(query, rowPath(0, "long_col"), knownvalue.Int64Exact(9223372036854775807)),
				statecheck.ExpectKnownValue(query, rowPath(0, "float_col"), exactNumber(t, "1.5")),
				statecheck.ExpectKnownValue(query, rowPath(0, "double_col"), exactNumber(t, "2.25")),
				statecheck.ExpectKnownValue(query, rowPath(0, "decimal_col"), exactNumber(t, "12345678901234567890123456.789012345678")),
				statecheck.ExpectKnownValue(query, rowPath(0, "nan_col"), knownvalue.Null()),
				statecheck.ExpectKnownValue(query, rowPath(0, "bool_col"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(query, rowPath(0, "string_col"), knownvalue.StringExact("it's text")),
				statecheck.ExpectKnownValue(query, rowPath(0, "date_col"), knownvalue.StringExact("2016-02-13")),
				statecheck.ExpectKnownValue(query, rowPath(0, "timestamp_col"), knownvalue.StringRegexp(regexp.MustCompile(`^2016-02-13[T ]21:47:53`))),
				statecheck.ExpectKnownValue(query, rowPath(0, "binary_col"), knownvalue.StringExact("AQID")),
				statecheck.ExpectKnownValue(query, rowPath(0, "array_col"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.Int64Exact(1), knownvalue.Int64Exact(2), knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue(query, rowPath(0, "map_col"), knownvalue.MapExact(map[string]knownvalue.Check{
					"a": exactNumber(t, "1.5"), "b": knownvalue.Null(),
				})),
				statecheck.ExpectKnownValue(query, rowPath(0, "struct_col"), knownvalue.ObjectExact(map[string]knownvalue.Check{
					"id":   exactNumber(t, "12345678901234567890"),
					"tags": knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("x"), knownvalue.StringExact("y")}),
					"ok":   knownvalue.Bool(false),
				})),
				statecheck.ExpectKnownValue(query, rowPath(0, "null_int"), knownvalue.Null()),
				statecheck.ExpectKnownValue(query, rowPath(0, "null_string"), knownvalue.Null()),
				statecheck.ExpectKnownValue(query, rowPath(0, "null_array"), knownvalue.Null()),
			},
		}},
	})
}

// Parameters of several types, NULL, and a value that would break string splicing.
func TestAccQuery_parameters(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	const tricky = `O'Brien "quoted" \ '; DROP TABLE trips; --`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
variable "tricky" {
  type = string
}
data "dbsql_query" "test" {
  statement = "SELECT :s AS s, :n + 1 AS n, :d AS d, :b AS b, :day AS day, :missing AS missing, :big AS big"
  parameters = [
    { name = "s", value = var.tricky },
    { name = "n", value = "41", type = "INT" },
    { name = "d", value = "10.25", type = "DECIMAL(10,2)" },
    { name = "b", value = "true", type = "BOOLEAN" },
    { name = "day", value = "2024-02-29", type = "DATE" },
    { name = "missing", type = "STRING" },
    { name = "big", value = "9223372036854775807", type = "BIGINT" },
  ]
}`,
			ConfigVariables: merge(ws.variables(), config.Variables{"tricky": config.StringVariable(tricky)}),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "s"), knownvalue.StringExact(tricky)),
				statecheck.ExpectKnownValue(query, rowPath(0, "n"), knownvalue.Int64Exact(42)),
				statecheck.ExpectKnownValue(query, rowPath(0, "d"), exactNumber(t, "10.25")),
				statecheck.ExpectKnownValue(query, rowPath(0, "b"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(query, rowPath(0, "day"), knownvalue.StringExact("2024-02-29")),
				statecheck.ExpectKnownValue(query, rowPath(0, "missing"), knownvalue.Null()),
				statecheck.ExpectKnownValue(query, rowPath(0, "big"), knownvalue.Int64Exact(9223372036854775807)),
			},
		}},
	})
}

// A result of many chunks: every chunk followed, in order.
func TestAccQuery_multiChunk(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{RowsPerChunk: 100, SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          testVariables + providerBlock + `data "dbsql_query" "test" { statement = "SELECT i, 'row ' || i AS label FROM range(1050) AS t(i) ORDER BY i" }`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, tfjsonpath.New("row_count"), knownvalue.Int64Exact(1050)),
				statecheck.ExpectKnownValue(query, rowPath(0, "i"), knownvalue.Int64Exact(0)),
				statecheck.ExpectKnownValue(query, rowPath(100, "i"), knownvalue.Int64Exact(100)),
				statecheck.ExpectKnownValue(query, rowPath(1049, "label"), knownvalue.StringExact("row 1049")),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("truncated"), knownvalue.Bool(false)),
			},
			Check: func(*terraform.State) error {
				// 11 chunks: the first arrives with the statement, ten more are fetched
				// (per read; Terraform reads a data source more than once per step).
				if n := ws.Log().Count(emulator.EndpointChunk); n == 0 || n%10 != 0 {
					return fmt.Errorf("%d chunk requests, want a multiple of 10", n)
				}
				return nil
			},
		}},
	})
}

func TestAccQuery_truncated(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_query" "test" {
  statement = "SELECT i FROM range(20) AS t(i) ORDER BY i"
  row_limit = 5
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, tfjsonpath.New("row_count"), knownvalue.Int64Exact(5)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("truncated"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue(query, rowPath(4, "i"), knownvalue.Int64Exact(4)),
			},
		}},
	})
}

// A stopped warehouse keeps the statement PENDING while it starts; the query waits.
func TestAccQuery_coldStart(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{
		SampleTrips: -1,
		Warehouses:  []emulator.Warehouse{{ID: emulator.DefaultWarehouseID, Name: "Cold", State: "STOPPED", StartDelay: 2 * time.Second}},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			// A short request timeout makes the long poll end before the warehouse is up.
			Config: testVariables + `
provider "dbsql" {
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
  timeout      = 5
}
data "dbsql_query" "test" { statement = "SELECT 1 AS one" }`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "one"), knownvalue.Int64Exact(1)),
			},
			Check: func(*terraform.State) error {
				if ws.Log().Count(emulator.EndpointGetStatement) == 0 {
					return fmt.Errorf("the statement never had to be polled: the warehouse was not cold")
				}
				return nil
			},
		}},
	})
}

// The whole dbsql_connection resource handed over as connection_info, with no provider
// connection at all; the data source's warehouse comes from the connection.
func TestAccQuery_connectionInfoFromResource(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + `
resource "dbsql_connection" "sales" {
  name         = "Sales warehouse"
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "test" {
  connection_info = dbsql_connection.sales
  statement       = "SELECT 'via connection' AS how"
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "how"), knownvalue.StringExact("via connection")),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("connection_info").AtMapKey("name"), knownvalue.StringExact("Sales warehouse")),
			},
		}},
	})
}

// hclString quotes s as an HCL string literal.
func hclString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "${", "$${", "%{", "%%{")
	return `"` + r.Replace(s) + `"`
}

// max_parallel_chunks bounds the chunks fetched at once; out of range is refused at plan.
func TestAccQuery_maxParallelChunks(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{RowsPerChunk: 10, Latency: 10 * time.Millisecond, SampleTrips: -1})
	hcl := func(limit int) string {
		return testVariables + fmt.Sprintf(`
provider "dbsql" {
  base_url            = var.base_url
  access_token        = var.access_token
  warehouse_id        = var.warehouse_id
  max_parallel_chunks = %d
}
data "dbsql_query" "test" { statement = "SELECT i FROM range(100) AS t(i) ORDER BY i" }`, limit)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{Config: hcl(17), ConfigVariables: ws.variables(), PlanOnly: true, ExpectError: expectError("max_parallel_chunks", "must be between 1 and 16")},
			{
				Config:          hcl(1),
				ConfigVariables: ws.variables(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(query, rowPath(99, "i"), knownvalue.Int64Exact(99)),
				},
				Check: func(*terraform.State) error {
					if n := ws.Log().MaxConcurrentRequests(); n != 1 {
						return fmt.Errorf("%d requests at once with max_parallel_chunks = 1", n)
					}
					return nil
				},
			},
		},
	})
}
