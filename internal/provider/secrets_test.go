package provider

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// The tests of this file look for tokens in everything the CLI writes. They never print
// a token themselves: a finding names the file, the offset and the form that was found.

// leakForms returns the shapes a secret could take in output or a log: as is; escaped
// for JSON, Go or a URL; hex; base64 (standard and URL alphabets, at each of the three
// alignments it can have inside a longer encoded text); and its first ten characters
// and each half, so that a partial echo such as "dapi1a2b3c…" is caught too.
func leakForms(secret string) map[string]string {
	forms := map[string]string{"verbatim": secret}
	add := func(name, form string) {
		for _, f := range forms {
			if f == form {
				return
			}
		}
		if len(form) >= 8 {
			forms[name] = form
		}
	}
	if b, err := json.Marshal(secret); err == nil {
		add("JSON-escaped", string(b[1:len(b)-1]))
	}
	add("Go-quoted", strings.Trim(strconv.Quote(secret), `"`))
	add("URL query-escaped", url.QueryEscape(secret))
	add("URL path-escaped", url.PathEscape(secret))
	add("hex", hex.EncodeToString([]byte(secret)))
	for _, enc := range []struct {
		name string
		enc  *base64.Encoding
	}{{"base64", base64.StdEncoding}, {"base64url", base64.URLEncoding}} {
		for k := range 3 {
			// The secret's bytes start k bytes into the encoded data: keep only the
			// characters that encode the secret's bits alone.
			encoded := enc.enc.EncodeToString(append(make([]byte, k), secret...))
			start, end := (8*k+5)/6, (8*k+8*len(secret))/6
			add(fmt.Sprintf("%s at offset %d", enc.name, k), encoded[start:end])
		}
	}
	if len(secret) >= 20 {
		add("first half", secret[:len(secret)/2])
		add("second half", secret[len(secret)/2:])
	}
	// Ten characters are only telling when they are random: "https://ev" is not.
	// Tokens that wrap a random one list it as a secret of its own.
	if randomTokenShape.MatchString(secret) {
		add("first 10 characters", secret[:10])
	}
	return forms
}

// randomTokenShape is the shape of randomToken's tokens.
var randomTokenShape = regexp.MustCompile(`^dapi[0-9a-f]{32}$`)

// leak is a secret found where it must not be.
type leak struct {
	file   string
	offset int
	form   string
	secret int // index into the secrets searched
}

func (l leak) String() string {
	return fmt.Sprintf("secret #%d appeared (%s) in %s at offset %d", l.secret, l.form, l.file, l.offset)
}

// findLeaks searches every file under each root for every form of every secret. skip
// says which files may hold them (the state does, by design).
func findLeaks(t *testing.T, secrets []string, skip func(path string) bool, roots ...string) []leak {
	t.Helper()
	var leaks []leak
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || skip(path) {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Dir(root), path)
			for i, secret := range secrets {
				for form, needle := range leakForms(secret) {
					if at := bytes.Index(data, []byte(needle)); at >= 0 {
						leaks = append(leaks, leak{file: rel, offset: at, form: form, secret: i})
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Slice(leaks, func(i, j int) bool { return leaks[i].String() < leaks[j].String() })
	return leaks
}

// isState is a file that holds tokens by design: dbsql_connection keeps access_token in
// state so that connection_info can hand it on.
func isState(path string) bool {
	return strings.HasPrefix(filepath.Base(path), "terraform.tfstate")
}

// expectNoLeaks fails the test for every secret found outside the state, in the CLI's
// output, its logs (TF_LOG_PATH) and anything it wrote in the working directory, such as
// a crash log.
func expectNoLeaks(t *testing.T, h *cliHarness) {
	t.Helper()
	for _, l := range findLeaks(t, h.secrets, isState, h.logDir, h.dir) {
		t.Error(l)
	}
}

// TestAccSecretsNeverLeak runs a full create, query, update (rotating the token) and
// destroy with every log at TRACE, then searches everything the CLI wrote for the
// tokens. Tokens shaped like URLs or holding quotes must work like any other token.
func TestAccSecretsNeverLeak(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	rotated, envToken := randomToken(t), randomToken(t)
	urlCore, quotedCore := randomToken(t), randomToken(t)
	// Valid tokens (no white space) that a careless log, URL builder or quoting could
	// mangle or echo.
	urlToken := "https://" + urlCore + ":x@evil.example/?token=" + urlCore
	quotedToken := `"` + quotedCore + `'\"`
	ws := newWorkspace(t, emulator.Options{SampleTrips: -1, Tokens: []string{rotated, envToken, urlToken, quotedToken}})

	h := newCLI(t, secretsConfig)
	// The random cores are secrets of their own: an echo of the URL-shaped token that
	// dropped its scheme must still be found.
	first := ws.token
	h.secrets = []string{first, rotated, envToken, urlToken, quotedToken, urlCore, quotedCore}
	h.env["TF_LOG"] = "TRACE"
	h.env["TF_LOG_PROVIDER"] = "TRACE"
	h.env["TF_VAR_base_url"] = ws.URL
	h.env["TF_VAR_warehouse_id"] = emulator.DefaultWarehouseID
	h.env["TF_VAR_token"] = first
	h.env["TF_VAR_url_token"] = urlToken
	h.env["TF_VAR_quoted_token"] = quotedToken
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_TOKEN"] = envToken
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
	step := func(args ...string) cliResult {
		t.Helper()
		h.env["TF_LOG_PATH"] = filepath.Join(h.logDir, fmt.Sprintf("%d-%s.log", h.runs+1, args[0]))
		return h.mustRun(args...)
	}

	// Create, and query through every connection.
	r := step("apply", "-auto-approve", "-input=false", "-no-color")
	expectSensitiveInPlan(t, h, r.stdout, 3)
	if !strings.Contains(r.stdout, `ones = [`) {
		t.Errorf("the queries returned nothing:\n%s", h.redact(r.stdout))
	}
	// The search works: the state holds the tokens, by design.
	state := filepath.Join(h.dir, "terraform.tfstate")
	found := map[int]bool{}
	for _, l := range findLeaks(t, []string{first, urlToken, quotedToken}, func(p string) bool { return p != state }, h.dir) {
		found[l.secret] = true
	}
	if len(found) != 3 {
		t.Fatalf("the search found %d of the 3 tokens in the state, where they all are", len(found))
	}
	// The provider's own log lines reached the CLI's log: the search covers them.
	log, err := os.ReadFile(filepath.Join(h.logDir, "1-apply.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("Databricks request")) {
		t.Fatalf("the provider's request log is not in the CLI's log: TF_LOG_PROVIDER did not reach the plugin")
	}

	// Rotate: the first token is revoked, so refresh tests the connection with it and
	// warns; the update tests the new one.
	ws.RevokeToken(first)
	h.env["TF_VAR_token"] = rotated
	h.env["TF_VAR_name"] = "Renamed"
	r = step("apply", "-auto-approve", "-input=false", "-no-color")
	expectSensitiveInPlan(t, h, r.stdout, 1)
	if !strings.Contains(r.output(), "Connection Test Failed During Refresh") {
		t.Errorf("refresh with the revoked token did not warn:\n%s", h.redact(r.output()))
	}
	step("plan", "-input=false", "-no-color", "-detailed-exitcode")
	step("destroy", "-auto-approve", "-input=false", "-no-color")

	expectNoLeaks(t, h)
	if n := len(ws.Log().Requests()); n == 0 {
		t.Fatal("the workspace saw no request")
	}
}

// planTokenLine is a plan line that shows access_token.
var planTokenLine = regexp.MustCompile(`(?m)^\s*[-+~]?\s*access_token\s+=.*$`)

// expectSensitiveInPlan asserts the plan in stdout shows access_token at least atLeast
// times, and always as (sensitive value).
func expectSensitiveInPlan(t *testing.T, h *cliHarness, stdout string, atLeast int) {
	t.Helper()
	lines := planTokenLine.FindAllString(stdout, -1)
	if len(lines) < atLeast {
		t.Errorf("the plan shows access_token %d times, want at least %d:\n%s", len(lines), atLeast, h.redact(stdout))
	}
	for _, l := range lines {
		if !strings.HasSuffix(l, "= (sensitive value)") && !strings.HasSuffix(l, "(sensitive value) -> (sensitive value)") {
			t.Errorf("the plan shows access_token as %q, not (sensitive value)", h.redact(strings.TrimSpace(l)))
		}
	}
}

// secretsConfig is three connections (a plain token, one shaped like a URL and one with
// quotes), a query through each, and one through the provider's connection, which
// comes from DATABRICKS_HOST and DATABRICKS_TOKEN.
const secretsConfig = `
variable "base_url" {
  type = string
}
variable "warehouse_id" {
  type = string
}
variable "name" {
  type    = string
  default = "Secrets"
}
variable "token" {
  type      = string
  sensitive = true
}
variable "url_token" {
  type      = string
  sensitive = true
}
variable "quoted_token" {
  type      = string
  sensitive = true
}
locals {
  tokens = {
    plain  = var.token
    url    = var.url_token
    quoted = var.quoted_token
  }
}
resource "dbsql_connection" "c" {
  for_each     = local.tokens
  name         = "${var.name} ${each.key}"
  base_url     = var.base_url
  access_token = each.value
  warehouse_id = var.warehouse_id
}
data "dbsql_query" "via_connection" {
  for_each        = dbsql_connection.c
  connection_info = each.value
  statement       = "SELECT 1 AS one"
}
data "dbsql_query" "via_provider" {
  statement = "SELECT 1 AS one"
}
output "ones" {
  value = concat([for q in data.dbsql_query.via_connection : q.rows[0].one], [data.dbsql_query.via_provider.rows[0].one])
}
`
