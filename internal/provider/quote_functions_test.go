package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// Both functions through the real CLI, on a table of tricky values: the outputs are
// what the client's quoting produces, and the SQL engine reads them back unchanged.
func TestAccFunctions_quoting(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	cases := map[string]string{
		"quote":    "O'Connell",
		"slash":    `C:\temp\`,
		"tick":     "my `odd` table",
		"newline":  "two\nlines",
		"sql":      "x'; DROP TABLE trips; --",
		"unicode":  "Zürich 東京",
		"template": "${not_interpolated} %{nor_this}",
	}
	for name, text := range cases {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
				Steps: []resource.TestStep{{
					Config: testVariables + providerBlock + `
variable "text" {
  type = string
}
output "identifier" {
  value = provider::dbsql::quote_identifier(var.text)
}
output "literal" {
  value = provider::dbsql::quote_string(var.text)
}
data "dbsql_query" "test" {
  statement = "SELECT ${provider::dbsql::quote_string(var.text)} AS ${provider::dbsql::quote_identifier(var.text)}"
}`,
					ConfigVariables: merge(ws.variables(), config.Variables{"text": config.StringVariable(text)}),
					ConfigStateChecks: []statecheck.StateCheck{
						statecheck.ExpectKnownOutputValue("identifier", knownvalue.StringExact(databricks.QuoteIdentifier(text))),
						statecheck.ExpectKnownOutputValue("literal", knownvalue.StringExact(databricks.QuoteString(text))),
						statecheck.ExpectKnownValue(query, rowPath(0, text), knownvalue.StringExact(text)),
					},
				}},
			})
		})
	}
}

func TestAccFunctions_emptyIdentifier(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		Steps: []resource.TestStep{{
			Config:      `output "x" { value = provider::dbsql::quote_identifier("") }`,
			ExpectError: expectError("The name is empty"),
		}},
	})
}
