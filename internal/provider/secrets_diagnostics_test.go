package provider

// Secrets in what the CLI prints: diagnostics never repeat a credential or a statement.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// TestAccSecretsNotEchoedInErrors makes the workspace and the validators refuse tokens
// of every shape, and proves no message repeats any of it, not even a prefix: a token
// shaped like a URL or holding quotes gets the very message a plain one gets.
func TestAccSecretsNotEchoedInErrors(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	var cores []string
	core := func() string {
		c := randomToken(t)
		cores = append(cores, c)
		return c
	}
	// Refused by the workspace, at apply time: valid shapes, unknown tokens.
	wrong := map[string]string{"plain": core(), "url": "https://" + core() + "@evil.example/x?y=" + core(), "quoted": `"` + core() + `'\"`}
	// Refused by the validators, at plan time: white space inside.
	malformed := map[string]string{"plain": core() + " " + core(), "url": "https://evil.example/ " + core(), "quoted": `"` + core() + `" '\"`}
	envWrong, envMalformed := core(), " "+core()

	h := newCLI(t, refusedConnections)
	for _, m := range []map[string]string{wrong, malformed} {
		for _, v := range m {
			h.secrets = append(h.secrets, v)
		}
	}
	h.secrets = append(h.secrets, envMalformed)
	h.secrets = append(h.secrets, cores...)
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PROVIDER"] = "TRACE"
	h.env["TF_VAR_base_url"] = ws.URL
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID

	apply := func(tokens map[string]string) []diagnostic {
		t.Helper()
		for k, v := range tokens {
			h.env["TF_VAR_"+k] = v
		}
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, fmt.Sprintf("%d-apply.log", h.runs+1))
		r := h.run("apply", "-auto-approve", "-input=false", "-json")
		if r.exitCode == 0 {
			t.Fatalf("the apply succeeded with refused tokens")
		}
		return jsonDiagnostics(t, r.stdout)
	}
	connections := []string{"dbsql_connection.plain", "dbsql_connection.url", "dbsql_connection.quoted"}

	diags := apply(wrong)
	expectSameDetail(t, diags, "Connection Test Failed", connections...)
	expectDetailContains(t, diags, "HTTP 403: Invalid access token.", connections...)

	diags = apply(malformed)
	expectSameDetail(t, diags, "Invalid Access Token", connections...)
	expectDetailContains(t, diags, "white space", connections...)

	// The provider's own connection, with the token from the environment, which no
	// plan-time validator sees.
	h.writeConfig(`
data "dbsql_query" "via_provider" {
  statement = "SELECT 1 AS one"
}
`)
	h.env["DATABRICKS_TOKEN"] = envWrong
	expectDetailContains(t, apply(nil), "HTTP 403: Invalid access token.", "data.dbsql_query.via_provider")
	h.env["DATABRICKS_TOKEN"] = envMalformed
	expectDetailContains(t, apply(nil), "The access token from DATABRICKS_TOKEN is invalid", "data.dbsql_query.via_provider")

	if n := ws.Log().Count(emulator.EndpointMe) + ws.Log().Count(emulator.EndpointExecute); n != 4 {
		t.Errorf("the workspace saw %d requests, want one per refused token (3 connection tests and 1 query)", n)
	}
	expectNoLeaks(t, h)
}

// refusedConnections is three connections, each with its own token variable. They share
// a name so that their messages can be compared word for word.
const refusedConnections = `
variable "base_url" {
  type = string
}
variable "plain" {
  type      = string
  sensitive = true
}
variable "url" {
  type      = string
  sensitive = true
}
variable "quoted" {
  type      = string
  sensitive = true
}
resource "dbsql_connection" "plain" {
  name         = "Refused"
  base_url     = var.base_url
  access_token = var.plain
}
resource "dbsql_connection" "url" {
  name         = "Refused"
  base_url     = var.base_url
  access_token = var.url
}
resource "dbsql_connection" "quoted" {
  name         = "Refused"
  base_url     = var.base_url
  access_token = var.quoted
}
`

// diagnostic is one diagnostic of the CLI's -json output.
type diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
}

// jsonDiagnostics reads the diagnostics of a -json run.
func jsonDiagnostics(t *testing.T, stdout string) []diagnostic {
	t.Helper()
	var out []diagnostic
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			Type       string     `json:"type"`
			Diagnostic diagnostic `json:"diagnostic"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Type == "diagnostic" {
			out = append(out, line.Diagnostic)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// errorFor returns the error diagnostic with summary for address; ok is false when
// there is none.
func errorFor(diags []diagnostic, summary, address string) (diagnostic, bool) {
	for _, d := range diags {
		if d.Severity == "error" && d.Summary == summary && d.Address == address {
			return d, true
		}
	}
	return diagnostic{}, false
}

// requestID matches the request id in a message, which differs from request to request.
var requestID = regexp.MustCompile(`request id [0-9a-f-]+`)

// expectSameDetail asserts each address has an error with summary, all with one detail.
func expectSameDetail(t *testing.T, diags []diagnostic, summary string, addresses ...string) {
	t.Helper()
	var details []string
	for _, a := range addresses {
		d, ok := errorFor(diags, summary, a)
		if !ok {
			t.Errorf("no %q error for %s; the errors were %v", summary, a, summaries(diags))
			return
		}
		details = append(details, requestID.ReplaceAllString(d.Detail, "request id <id>"))
	}
	for i, d := range details[1:] {
		if d != details[0] {
			t.Errorf("the token's shape changed the message: %s and %s are told different things:\n%s\n%s", addresses[0], addresses[i+1], details[0], d)
		}
	}
}

// expectDetailContains asserts each address has an error whose detail holds text.
func expectDetailContains(t *testing.T, diags []diagnostic, text string, addresses ...string) {
	t.Helper()
	for _, a := range addresses {
		found := false
		for _, d := range diags {
			found = found || d.Severity == "error" && d.Address == a && strings.Contains(d.Detail, text)
		}
		if !found {
			t.Errorf("no error for %s says %q; the errors were %v", a, text, summaries(diags))
		}
	}
}

func summaries(diags []diagnostic) []string {
	var s []string
	for _, d := range diags {
		s = append(s, d.Severity+" "+d.Address+": "+d.Summary)
	}
	return s
}

// TestAccSecretsNotQuotedFromStatements fails a statement whose text holds a sensitive
// value: the plan shows it as sensitive, and neither the apply's output, its error nor
// the provider's TRACE log may repeat it, since a diagnostic names a statement by its
// argument and leading keywords only.
func TestAccSecretsNotQuotedFromStatements(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1})
	password := randomToken(t)
	const variable = `
variable "password" {
  type      = string
  sensitive = true
}
`
	h := newCLI(t, variable+`
resource "dbsql_statement" "secret" {
  execute = "INSERT INTO no_such_table VALUES ('${var.password}')"
}
`)
	h.secrets = append(h.secrets, password, ws.token)
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PROVIDER"] = "TRACE"
	h.env["TF_VAR_password"] = password
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_TOKEN"] = ws.token
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	apply := func() []diagnostic {
		t.Helper()
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, fmt.Sprintf("%d-apply.log", h.runs+1))
		r := h.run("apply", "-auto-approve", "-input=false", "-json")
		if r.exitCode == 0 {
			t.Fatalf("the apply succeeded with a failing statement")
		}
		return jsonDiagnostics(t, r.stdout)
	}
	expectDetailContains(t, apply(), "Statement: the execute argument (INSERT INTO …)", "dbsql_statement.secret")

	h.writeConfig(variable + `
data "dbsql_query" "secret" {
  statement = "SELECT * FROM no_such_view WHERE pw = '${var.password}'"
}
`)
	expectDetailContains(t, apply(), "Statement: the statement argument (SELECT …)", "data.dbsql_query.secret")
	if n := ws.Log().Count(emulator.EndpointExecute); n != 2 {
		t.Errorf("%d statements were sent, want the statement and the query", n)
	}
	expectNoLeaks(t, h)
}
