package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// A connection_info without a token borrows the provider's only on the provider's own
// workspace: to any other host the provider refuses to send it, and nothing reaches
// that host at all.
func TestAccQuery_providerTokenStaysOnItsWorkspace(t *testing.T) {
	home := newWorkspace(t, emulator.Options{SampleTrips: -1})
	other := newWorkspace(t, emulator.Options{SampleTrips: -1})
	hcl := testVariables + `
variable "other_url" {
  type = string
}
provider "dbsql" {
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "test" {
  connection_info = { name = "Elsewhere", base_url = var.other_url }
  statement       = "SELECT 1 AS one"
}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6Providers,
		Steps: []resource.TestStep{
			{
				Config:          hcl,
				ConfigVariables: merge(home.variables(), config.Variables{"other_url": config.StringVariable(other.URL)}),
				ExpectError: expectError("No Credentials for This Workspace", "connection_info of data.dbsql_query has no credentials of its own",
					"belong to "+home.URL, "not to "+other.URL, "never sends its credentials to another workspace"),
			},
			{
				// The same workspace, its URL written with a trailing slash: the token serves it.
				PreConfig:       func() { other.Log().Reset() },
				Config:          hcl,
				ConfigVariables: merge(home.variables(), config.Variables{"other_url": config.StringVariable(home.URL + "/")}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(query, rowPath(0, "one"), knownvalue.Int64Exact(1)),
				},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if n := len(other.Log().Requests()); n != 0 {
				return fmt.Errorf("the other workspace received %d requests", n)
			}
			return nil
		},
	})
}

// readQueryDataSource reads a dbsql_query with the given arguments through the plugin
// protocol, as the CLI does, from a provider configured for srv.
func readQueryDataSource(t *testing.T, srv *emulator.Server, args map[string]tftypes.Value) *tfprotov6.ReadDataSourceResponse {
	t.Helper()
	ctx := context.Background()
	server := NewServer("test")()
	schemas := configure(t, server, srv)
	config := dynamicValue(t, schemas.DataSourceSchemas["dbsql_query"].ValueType(), args)
	resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "dbsql_query", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// A result cut at row_limit is said out loud, with how to read the rest; a whole result
// is not.
func TestQueryWarnsWhenTruncated(t *testing.T) {
	t.Parallel()
	srv, err := emulator.Start(emulator.Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	read := func(limit int) []*tfprotov6.Diagnostic {
		return readQueryDataSource(t, srv, map[string]tftypes.Value{
			"statement": tftypes.NewValue(tftypes.String, "SELECT i FROM range(20) AS t(i) ORDER BY i"),
			"row_limit": tftypes.NewValue(tftypes.Number, limit),
		}).Diagnostics
	}
	diags := read(5)
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityWarning || diags[0].Summary != "Result Truncated" {
		t.Fatalf("diagnostics = %v, want one Result Truncated warning", diags)
	}
	for _, want := range []string{"data.dbsql_query returned the first 5 rows", "row_limit is 5", "Raise row_limit"} {
		if !strings.Contains(diags[0].Detail, want) {
			t.Errorf("the warning lacks %q: %s", want, diags[0].Detail)
		}
	}
	if got := diags[0].Attribute.String(); got != tftypes.NewAttributePath().WithAttributeName("row_limit").String() {
		t.Errorf("the warning is on %s, want row_limit", got)
	}
	if diags := read(20); len(diags) != 0 {
		t.Errorf("a whole result warns: %v", diags)
	}
}

// A result past the INLINE limit whose downloads storage refuses says so, and what to
// check, without quoting the links' credentials.
func TestQueryDownloadRefusedIsExplained(t *testing.T) {
	t.Parallel()
	srv, err := emulator.Start(emulator.Options{SampleTrips: -1, InlineLimit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointDownload, Kind: emulator.FaultLinkExpired})
	diags := readQueryDataSource(t, srv, map[string]tftypes.Value{
		"statement": tftypes.NewValue(tftypes.String, "SELECT i FROM range(500) AS t(i)"),
	}).Diagnostics
	if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError || diags[0].Summary != "Result Download Failed" {
		t.Fatalf("diagnostics = %v", diags)
	}
	for _, want := range []string{"downloading chunk 0", "HTTP 403 AccessDenied", "cloud storage (S3, ADLS or GCS)", "check this machine's time"} {
		if !strings.Contains(diags[0].Detail, want) {
			t.Errorf("the diagnostic lacks %q: %s", want, diags[0].Detail)
		}
	}
	if strings.Contains(diags[0].Detail, "signature=") {
		t.Errorf("the diagnostic quotes a link: %s", diags[0].Detail)
	}
}
