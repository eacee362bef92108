package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// A token minted for the run feeds a provider block and a write-only argument, and is
// revoked before the run ends.
func TestAccAccessTokenEphemeral_mintedAndRevoked(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
ephemeral "dbsql_access_token" "run" {
  comment          = "ci run"
  lifetime_seconds = 900
}
provider "dbsql" {
  alias        = "minted"
  base_url     = var.base_url
  access_token = ephemeral.dbsql_access_token.run.token_value
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "test" {
  provider  = dbsql.minted
  statement = "SELECT 'minted' AS how"
}
resource "dbsql_connection" "test" {
  name                    = "Run"
  base_url                = var.base_url
  access_token_wo         = ephemeral.dbsql_access_token.run.token_value
  access_token_wo_version = 1
}`,
			ConfigVariables: ws.variables(),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(query, rowPath(0, "how"), knownvalue.StringExact("minted")),
				statecheck.ExpectKnownValue("dbsql_connection.test", tfjsonpath.New("user_name"), knownvalue.StringExact(emulator.DefaultUserName)),
				statecheck.ExpectKnownValue("dbsql_connection.test", tfjsonpath.New("access_token"), knownvalue.Null()),
			},
			Check: func(s *terraform.State) error {
				tokens := ws.Tokens()
				if len(tokens) == 0 {
					return fmt.Errorf("no token was minted")
				}
				minted := map[string]bool{}
				for _, tok := range tokens {
					if tok.Comment != "ci run" || !tok.Revoked {
						return fmt.Errorf("token %s (%q) is still valid after the run", tok.TokenID, tok.Comment)
					}
					minted[tok.TokenID] = true
				}
				usedBy := map[string]bool{}
				for _, r := range ws.Log().Requests() {
					if minted[r.TokenID] {
						usedBy[string(r.Endpoint)] = true
					}
				}
				if !usedBy[string(emulator.EndpointExecute)] || !usedBy[string(emulator.EndpointMe)] {
					return fmt.Errorf("the minted token was not what the query and the connection test used (used by %v)", usedBy)
				}
				return noTokenInState(s, ws)
			},
		}},
	})
}

// noTokenInState fails when any attribute in state holds a token: ephemeral values
// must never be written there.
func noTokenInState(s *terraform.State, ws *workspace) error {
	for name, res := range s.RootModule().Resources {
		for key, value := range res.Primary.Attributes {
			if value == ws.token {
				return fmt.Errorf("%s.%s holds the bootstrap token", name, key)
			}
			if len(value) >= 36 && value[:4] == "dapi" {
				return fmt.Errorf("%s.%s holds what looks like a token", name, key)
			}
		}
	}
	return nil
}
