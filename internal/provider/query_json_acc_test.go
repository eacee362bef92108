package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// The acceptance tests of result_format = "json" and of results past the INLINE limit.

// The rows as one JSON string: typed as rows are, every digit kept through jsondecode(),
// and objects keyed by column name with zipmap(), as the docs say.
func TestAccQuery_json(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	statement := strings.Join([]string{
		"SELECT CAST(9223372036854775807 AS BIGINT) AS long_col",
		"CAST('12345678901234567890123456.789012345678' AS DECIMAL(38,12)) AS decimal_col",
		"CAST('NaN' AS DOUBLE) AS nan_col",
		"true AS bool_col",
		"'it''s \"text\"' AS string_col",
		"DATE '2016-02-13' AS date_col",
		"array(1, 2, NULL) AS array_col",
		"map('b', 1.5, 'a', NULL) AS map_col",
		"CAST(NULL AS INT) AS null_int",
	}, ", ")
	want := `[[9223372036854775807,12345678901234567890123456.789012345678,null,true,"it's \"text\"","2016-02-13",[1,2,null],{"a":null,"b":1.5},null]]`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_query" "test" {
  statement     = ` + hclString(statement) + `
  result_format = "json"
}
output "long" {
  value = jsondecode(data.dbsql_query.test.rows_json)[0][0]
}
output "decimal" {
  value = [for r in jsondecode(data.dbsql_query.test.rows_json) : zipmap(data.dbsql_query.test.columns[*].name, r)][0].decimal_col
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, tfjsonpath.New("rows_json"), knownvalue.StringExact(want)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("rows"), knownvalue.Null()),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("row_count"), knownvalue.Int64Exact(1)),
				statecheck.ExpectKnownValue(query, tfjsonpath.New("columns").AtSliceIndex(1).AtMapKey("type_text"), knownvalue.StringExact("DECIMAL(38,12)")),
				statecheck.ExpectKnownOutputValue("long", knownvalue.Int64Exact(9223372036854775807)),
				statecheck.ExpectKnownOutputValue("decimal", exactNumber(t, "12345678901234567890123456.789012345678")),
			},
		}},
	})
}

// result_format takes "typed" or "json", and says so at plan time.
func TestAccQuery_jsonFormatChecked(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_query" "test" {
  statement     = "SELECT 1 AS one"
  result_format = "csv"
}`,
			ConfigVariables: ws.variables(),
			PlanOnly:        true,
			ExpectError:     expectError("result_format", `value must be one of: ["typed" "json"]`),
		}},
	})
}

// A result past the INLINE limit is read through external links, in either form, with
// downloads that carry no credential (the emulator's storage refuses one that does).
func TestAccQuery_pastTheInlineLimit(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{RowsPerChunk: 100, InlineLimit: 4000, SampleTrips: -1})
	const statement = "SELECT i, 'row ' || i AS label FROM range(1050) AS t(i) ORDER BY i"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
data "dbsql_query" "typed" {
  statement = "` + statement + `"
}
data "dbsql_query" "json" {
  statement     = "` + statement + `"
  result_format = "json"
}
output "last" {
  value = zipmap(data.dbsql_query.json.columns[*].name, jsondecode(data.dbsql_query.json.rows_json)[1049])
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dbsql_query.typed", tfjsonpath.New("row_count"), knownvalue.Int64Exact(1050)),
				statecheck.ExpectKnownValue("data.dbsql_query.typed", rowPath(1049, "label"), knownvalue.StringExact("row 1049")),
				statecheck.ExpectKnownValue("data.dbsql_query.json", tfjsonpath.New("row_count"), knownvalue.Int64Exact(1050)),
				statecheck.ExpectKnownOutputValue("last", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"i": knownvalue.Int64Exact(1049), "label": knownvalue.StringExact("row 1049"),
				})),
			},
			Check: func(*terraform.State) error {
				links, downloads := 0, 0
				for _, r := range ws.Log().Requests() {
					switch {
					case r.Endpoint == emulator.EndpointExecute && strings.Contains(string(r.Body), `"disposition":"EXTERNAL_LINKS"`):
						links++
					case r.Endpoint == emulator.EndpointDownload:
						downloads++
						if r.Status != 200 {
							return fmt.Errorf("a download of %s answered %d", r.Path, r.Status)
						}
					}
				}
				if links == 0 || downloads < 11 {
					return fmt.Errorf("%d statements with EXTERNAL_LINKS, %d downloads", links, downloads)
				}
				return nil
			},
		}},
	})
}

// The ephemeral form returns JSON too, for a secret read with jsondecode().
func TestAccQueryEphemeral_json(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
ephemeral "dbsql_query" "secret" {
  statement     = "SELECT :token AS token, 42 AS n"
  parameters    = [{ name = "token", value = var.access_token }]
  result_format = "json"
}
provider "dbsql" {
  alias        = "from_json"
  base_url     = var.base_url
  access_token = jsondecode(ephemeral.dbsql_query.secret.rows_json)[0][0]
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "test" {
  provider  = dbsql.from_json
  statement = "SELECT 'via json' AS how"
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "how"), knownvalue.StringExact("via json")),
			},
			Check: func(s *terraform.State) error { return noTokenInState(s, ws) },
		}},
	})
}
