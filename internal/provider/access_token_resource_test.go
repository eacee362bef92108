package provider

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// accessTokenConfig mints a token with the provider's (bootstrap) connection and hands
// it to a connection, which tests it.
func accessTokenConfig(rotateBefore string) string {
	rotate := ""
	if rotateBefore != "" {
		rotate = fmt.Sprintf("rotate_before = %q", rotateBefore)
	}
	return testVariables + providerBlock + fmt.Sprintf(`
resource "dbsql_access_token" "flow" {
  comment          = "Flow pipeline"
  lifetime_seconds = 7776000
  %s
  lifecycle {
    create_before_destroy = true
  }
}
resource "dbsql_connection" "flow" {
  name         = "Flow"
  base_url     = var.base_url
  access_token = dbsql_access_token.flow.token_value
}`, rotate)
}

// tokenCheck asserts on the emulator's list of minted tokens.
func tokenCheck(ws *workspace, check func([]emulator.TokenInfo) error) resource.TestCheckFunc {
	return func(*terraform.State) error { return check(ws.Tokens()) }
}

func TestAccAccessToken_lifecycle(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	const token = "dbsql_access_token.flow"
	const connection = "dbsql_connection.flow"
	firstID := statecheck.CompareValue(compare.ValuesSame())
	var minted []string // token ids in the order they were minted

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          accessTokenConfig(""),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					firstID.AddStateValue(token, tfjsonpath.New("token_id")),
					statecheck.ExpectSensitiveValue(token, tfjsonpath.New("token_value")),
					statecheck.ExpectKnownValue(token, tfjsonpath.New("comment"), knownvalue.StringExact("Flow pipeline")),
					statecheck.ExpectKnownValue(token, tfjsonpath.New("expiry_time"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))),
					// The minted token works: the connection test used it.
					statecheck.ExpectKnownValue(connection, tfjsonpath.New("user_name"), knownvalue.StringExact(emulator.DefaultUserName)),
				},
				Check: tokenCheck(ws, func(tokens []emulator.TokenInfo) error {
					if len(tokens) != 1 || tokens[0].Comment != "Flow pipeline" || tokens[0].Revoked {
						return fmt.Errorf("tokens = %+v, want one live token", tokens)
					}
					minted = append(minted, tokens[0].TokenID)
					for _, r := range ws.Log().Requests() {
						if r.Endpoint == emulator.EndpointMe && r.TokenID == tokens[0].TokenID {
							return nil
						}
					}
					return fmt.Errorf("the connection was never tested with the minted token")
				}),
			},
			{
				// Imported by id; its value and lifetime cannot be read back.
				ResourceName:            token,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"token_value", "lifetime_seconds"},
				Config:                  accessTokenConfig(""),
				ConfigVariables:         ws.variables(),
			},
			{
				// The token expires: refresh forgets it, apply mints a new one, and the
				// connection updates in place with a test of the new token.
				PreConfig: func() {
					if err := ws.ExpireToken(minted[0]); err != nil {
						t.Fatal(err)
					}
				},
				Config:          accessTokenConfig(""),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(token, plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(connection, plancheck.ResourceActionUpdate),
					},
				},
				Check: tokenCheck(ws, func(tokens []emulator.TokenInfo) error {
					if len(tokens) != 2 || tokens[1].Revoked {
						return fmt.Errorf("tokens = %+v, want a second, live token", tokens)
					}
					minted = append(minted, tokens[1].TokenID)
					return nil
				}),
			},
			{
				// Within rotate_before (100 days, longer than the 90-day lifetime): the
				// token is replaced through the plan, and the old one revoked. Every plan
				// of this configuration rotates again, hence the non-empty plan.
				Config:          accessTokenConfig("2400h"),
				ConfigVariables: ws.variables(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(token, plancheck.ResourceActionCreateBeforeDestroy),
						plancheck.ExpectResourceAction(connection, plancheck.ResourceActionUpdate),
					},
				},
				ExpectNonEmptyPlan: true,
				Check: tokenCheck(ws, func(tokens []emulator.TokenInfo) error {
					for _, tok := range tokens {
						if tok.TokenID == minted[1] && !tok.Revoked {
							return fmt.Errorf("the rotated token %s was left valid", tok.TokenID)
						}
					}
					if live := liveTokens(tokens); len(live) != 1 {
						return fmt.Errorf("%d live tokens after rotation, want 1", len(live))
					}
					return nil
				}),
			},
		},
		CheckDestroy: tokenCheck(ws, func(tokens []emulator.TokenInfo) error {
			if live := liveTokens(tokens); len(live) != 0 {
				return fmt.Errorf("destroy left tokens valid: %v", live)
			}
			return nil
		}),
	})
}

func liveTokens(tokens []emulator.TokenInfo) []string {
	var live []string
	for _, tok := range tokens {
		if !tok.Revoked && !tok.Expired(time.Now()) {
			live = append(live, tok.TokenID)
		}
	}
	return live
}

func TestAccAccessToken_quotaExceeded(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1, MaxTokens: 1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config: testVariables + providerBlock + `
resource "dbsql_access_token" "one" {
  comment = "one"
}
resource "dbsql_access_token" "two" {
  comment    = "two"
  depends_on = [dbsql_access_token.one]
}`,
			ConfigVariables: ws.variables(),
			ExpectError:     expectError("Access Token Request Failed", "could not create the access token", "QUOTA_EXCEEDED", "Revoke tokens it no longer uses"),
		}},
	})
}

// A token without lifetime or comment: nulls stay nulls (no perpetual diff), and
// destroy revokes it.
func TestAccAccessToken_minimal(t *testing.T) {
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{{
			Config:          testVariables + providerBlock + `resource "dbsql_access_token" "t" {}`,
			ConfigVariables: ws.variables(),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("dbsql_access_token.t", tfjsonpath.New("expiry_time"), knownvalue.Null()),
				statecheck.ExpectKnownValue("dbsql_access_token.t", tfjsonpath.New("comment"), knownvalue.Null()),
			},
		}},
		CheckDestroy: tokenCheck(ws, func(tokens []emulator.TokenInfo) error {
			if len(tokens) != 1 || !tokens[0].Revoked {
				return fmt.Errorf("tokens = %+v, want the one token revoked", tokens)
			}
			return nil
		}),
	})
}
