package provider

import (
	"archive/zip"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

const secretQueryConfig = testVariables + providerBlock + `
ephemeral "dbsql_query" "secret" {
  statement  = "SELECT secret FROM credentials WHERE name = :name"
  parameters = [{ name = "name", value = "ci" }]
}
provider "dbsql" {
  alias        = "from_table"
  base_url     = var.base_url
  access_token = ephemeral.dbsql_query.secret.rows[0].secret
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "as_ci" {
  provider  = dbsql.from_table
  statement = "SELECT 'ok' AS status"
}
resource "dbsql_connection" "ci" {
  name                    = "CI"
  base_url                = var.base_url
  access_token_wo         = ephemeral.dbsql_query.secret.rows[0].secret
  access_token_wo_version = 1
}
output "status" {
  value = data.dbsql_query.as_ci.rows[0].status
}`

// A secret read with the ephemeral query feeds a provider block and a write-only
// argument, and appears in neither the plan file nor the state file.
func TestAccQueryEphemeral_secretNeverStored(t *testing.T) {
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	h := newCLI(t, secretQueryConfig)
	skipCLIBelow(t, h, tfversion.Version1_11_0)

	// The secret: a token minted for the purpose and kept in a table.
	client := ws.client(t)
	ctx := context.Background()
	minted, err := client.CreateToken(ctx, databricks.CreateTokenRequest{Comment: "kept in a table"})
	if err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{"CREATE TABLE credentials (name STRING, secret STRING)", "INSERT INTO credentials VALUES ('ci', " + databricks.QuoteString(minted.TokenValue) + ")"} {
		if _, err := client.Run(ctx, databricks.RunRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: sql}); err != nil {
			t.Fatal(err)
		}
	}
	h.secrets = []string{ws.token, minted.TokenValue}
	h.env["TF_VAR_base_url"] = ws.URL
	h.env["TF_VAR_access_token"] = ws.token
	h.env["TF_VAR_warehouse_id"] = emulator.DefaultWarehouseID

	h.mustRun("plan", "-input=false", "-no-color", "-out=tfplan")
	shown := h.mustRun("show", "-json", "tfplan")
	h.mustRun("apply", "-input=false", "-no-color", "tfplan")
	if out := h.mustRun("output", "-raw", "status"); out.stdout != "ok" {
		t.Errorf("the query through the provider fed by the ephemeral query returned %q", out.stdout)
	}

	// The secret did its work: the minted token authenticated the query and the
	// connection test.
	usedBy := map[emulator.Endpoint]bool{}
	for _, r := range ws.Log().Requests() {
		if r.TokenID == minted.TokenInfo.TokenID {
			usedBy[r.Endpoint] = true
		}
	}
	if !usedBy[emulator.EndpointExecute] || !usedBy[emulator.EndpointMe] {
		t.Errorf("the secret read from the table was not what the provider and the connection used: %v", usedBy)
	}

	state, err := os.ReadFile(filepath.Join(h.dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"the rendered plan": shown.stdout, "the state file": string(state)}
	// The plan file is a zip archive: search what is inside it, not its compressed bytes.
	plan, err := zip.OpenReader(filepath.Join(h.dir, "tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = plan.Close() }()
	for _, f := range plan.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files["the plan file's "+f.Name] = string(content)
	}
	for name, content := range files {
		for _, form := range leakForms(minted.TokenValue) {
			if i := strings.Index(content, form); i >= 0 {
				t.Errorf("a form of the secret is in %s at offset %d", name, i)
			}
		}
	}
	h.mustRun("destroy", "-auto-approve", "-input=false", "-no-color")
}
