package provider

// This file is the fault matrix, one table of rows, each a fault and what must come of
// it; it is a little over 400 lines because the table reads best whole.

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// faultRow is one row of the fault matrix: a configuration run through the real CLI
// against an emulator with faults switched on, and what must come of it.
type faultRow struct {
	name   string
	opts   emulator.Options
	faults []emulator.Fault
	config string // HCL after testVariables
	// want is nil for a configuration that must apply despite the faults; else the
	// fragments (in order) of the diagnostic it must fail with.
	want []string
	// state checks a configuration that applied.
	state []statecheck.StateCheck
	// check asserts on the emulator's log once the CLI is done; errText is the
	// failure's text ("" when it applied).
	check func(t *testing.T, ws *workspace, errText string)
}

// faultProvider is the provider's own connection with a request timeout in seconds.
// Most rows keep the default; rows about timeouts and cancellation need a short one
// (below 8s the submission does not long-poll, so nothing waits on the server).
func faultProvider(timeout int) string {
	return fmt.Sprintf(`
provider "dbsql" {
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
  timeout      = %d
}
`, timeout)
}

// faultQuery is the data source of the data-source rows. readTimeout "" keeps the default.
func faultQuery(statement, readTimeout string) string {
	timeouts := ""
	if readTimeout != "" {
		timeouts = fmt.Sprintf("\n  timeouts = { read = %q }", readTimeout)
	}
	return fmt.Sprintf(`
data "dbsql_query" "test" {
  statement = %s%s
}
`, hclString(statement), timeouts)
}

// faultConnection is the connection resource of the connection-test rows.
const faultConnection = `
resource "dbsql_connection" "test" {
  name         = "Faulty"
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
}
`

// TestAccFaults is the fault matrix: each thing Databricks does under load or in an
// outage, injected by the emulator, through the real CLI. Faults the provider can ride
// out must not fail the run; the others must end in a diagnostic that says what
// happened and what to do, never in a panic.
func TestAccFaults(t *testing.T) {
	if os.Getenv(resource.EnvTfAcc) == "" {
		// Before sixteen emulators start for nothing.
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
	t.Parallel()
	one := []statecheck.StateCheck{statecheck.ExpectKnownValue(query, rowPath(0, "one"), knownvalue.Int64Exact(1))}
	five := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(query, tfjsonpath.New("row_count"), knownvalue.Int64Exact(5)),
		statecheck.ExpectKnownValue(query, rowPath(4, "i"), knownvalue.Int64Exact(4)),
	}
	const fiveRows = "SELECT i FROM range(5) AS t(i) ORDER BY i"
	twoRowsPerChunk := emulator.Options{RowsPerChunk: 2}

	rows := []faultRow{
		{
			name:   "429 with Retry-After is waited out",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultRateLimit, Times: 1, RetryAfter: 2}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			state:  one,
			check: func(t *testing.T, ws *workspace, _ string) {
				execs := requestsTo(ws, emulator.EndpointExecute)
				if len(execs) < 2 || execs[0].Status != 429 || execs[1].Status != 200 {
					t.Fatalf("submissions answered %v, want a 429 then a 200", statuses(execs))
				}
				// The back-off of a first retry is about 1s: a gap of 2s is Retry-After's.
				if gap := execs[1].Time.Sub(execs[0].Time); gap < 2*time.Second {
					t.Errorf("the retry came %v after the 429, before its Retry-After of 2s", gap)
				}
			},
		},
		{
			name:   "a burst of 503s is ridden out",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultUnavailable, Times: 2}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			state:  one,
			check: func(t *testing.T, ws *workspace, _ string) {
				if got := statuses(requestsTo(ws, emulator.EndpointExecute)); !strings.HasPrefix(got, "503 503 200") {
					t.Errorf("submissions answered %s, want 503 503 200 first", got)
				}
			},
		},
		{
			name:   "503s that never stop fail within timeouts.read",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultUnavailable}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", "4s"),
			want:   []string{"Databricks Request Failed", "HTTP 503 TEMPORARILY_UNAVAILABLE", "The workspace is temporarily unavailable", "attempts were made"},
			check: func(t *testing.T, ws *workspace, errText string) {
				execs := requestsTo(ws, emulator.EndpointExecute)
				n := len(execs)
				if n < 2 {
					t.Fatalf("the submission was sent %d times: a 503 must be retried", n)
				}
				// The count in the message is the one the workspace saw.
				if !containsWords(errText, fmt.Sprintf("after %d attempts", n)) || !containsWords(errText, fmt.Sprintf("(%d attempts were made)", n)) {
					t.Errorf("the workspace saw %d attempts; the message does not say so:\n%s", n, errText)
				}
				if span := execs[n-1].Time.Sub(execs[0].Time); span >= 4*time.Second {
					t.Errorf("retries went on for %v, past timeouts.read of 4s", span)
				}
			},
		},
		{
			name:   "a connection dropped during the submission is retried",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultDropConnection, Times: 1}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			state:  one,
			check: func(t *testing.T, ws *workspace, _ string) {
				// A read-only statement may be submitted again: running it twice changes nothing.
				execs := requestsTo(ws, emulator.EndpointExecute)
				if len(execs) < 2 || execs[0].Fault != emulator.FaultDropConnection || execs[1].Status != 200 {
					t.Errorf("submissions %v: want the dropped one, then a 200", statuses(execs))
				}
			},
		},
		{
			name:   "a connection dropped during a chunk is retried",
			opts:   twoRowsPerChunk,
			faults: []emulator.Fault{{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultDropConnection, Times: 1}},
			config: faultProvider(30) + faultQuery(fiveRows, ""),
			state:  five,
			check: func(t *testing.T, ws *workspace, _ string) {
				// Chunks may be fetched in parallel: look for the dropped one fetched again
				// later, whatever came in between.
				chunks := requestsTo(ws, emulator.EndpointChunk)
				for i, r := range chunks {
					if r.Fault != emulator.FaultDropConnection {
						continue
					}
					for _, again := range chunks[i+1:] {
						if again.Path == r.Path && again.Status == 200 {
							return
						}
					}
					t.Fatalf("the dropped chunk %s was not fetched again", r.Path)
				}
				t.Errorf("no chunk request was dropped")
			},
		},
		{
			name:   "a connection dropped during the connection test is retried",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointMe, Kind: emulator.FaultDropConnection, Times: 1}},
			config: faultConnection,
			state: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("dbsql_connection.test", tfjsonpath.New("user_name"), knownvalue.StringExact(emulator.DefaultUserName)),
			},
			check: func(t *testing.T, ws *workspace, _ string) {
				me := requestsTo(ws, emulator.EndpointMe)
				if len(me) < 2 || me[0].Fault != emulator.FaultDropConnection || me[1].Status != 200 {
					t.Errorf("SCIM Me requests %v: want the dropped one, then a 200", statuses(me))
				}
			},
		},
		{
			name:   "a response slower than timeout names the setting",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultSlow, Delay: 10 * time.Second}},
			config: faultProvider(1) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"no response to POST /api/2.0/sql/statements within the 1s request timeout", "Raise timeout (1 to 3600 seconds)"},
			check: func(t *testing.T, ws *workspace, _ string) {
				if n := len(requestsTo(ws, emulator.EndpointExecute)); n != 1 {
					t.Errorf("a submission that timed out was sent %d times; it may be running, so it is sent once", n)
				}
			},
		},
		{
			name:   "malformed JSON is a readable error",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultMalformedJSON}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"HTTP 200 from POST /api/2.0/sql/statements is not valid JSON", "Something other than the Databricks API answered"},
		},
		{
			name:   "an HTML error page is a readable error",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointMe, Kind: emulator.FaultHTMLError}},
			config: faultConnection,
			want:   []string{"Connection Test Failed", "could not authenticate", "HTTP 403: Invalid access token.", "The workspace rejected the access token"},
		},
		{
			name:   "a numeric error_code on a statement is a readable error",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultNumericErrorCode}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			// The token itself was refused: advice about permissions would send the
			// user to the wrong place.
			want: []string{"HTTP 403: Invalid access token.", "The workspace rejected the access token"},
		},
		{
			name:   "a 500 is reported, not retried",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultInternalError}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"HTTP 500 INTERNAL_ERROR", "request id"},
			check: func(t *testing.T, ws *workspace, _ string) {
				if n := len(requestsTo(ws, emulator.EndpointExecute)); n != 1 {
					t.Errorf("a submission answered 500 was sent %d times; it may have run, so it is sent once", n)
				}
			},
		},
		{
			name:   "a FAILED statement",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStatementFailed}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"Statement Failed", "Statement: the statement argument (SELECT …)", "failed: INTERNAL_ERROR", "SQLSTATE XX000", "Fix the statement"},
		},
		{
			name:   "a CANCELED statement",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStatementCanceled}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"Statement Did Not Complete", "was canceled before it finished", "Run it again"},
		},
		{
			name:   "a CLOSED statement",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStatementClosed}},
			config: faultProvider(30) + faultQuery("SELECT 1 AS one", ""),
			want:   []string{"Statement Did Not Complete", "its result was closed before it could be read", "Run it again"},
		},
		{
			name:   "a result that expires once is read again",
			opts:   twoRowsPerChunk,
			faults: []emulator.Fault{{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultResultExpired, Times: 1}},
			config: faultProvider(30) + faultQuery(fiveRows, ""),
			state:  five,
			check: func(t *testing.T, ws *workspace, _ string) {
				// The expired result is executed again (the state checks prove the rows are
				// whole), not its chunk fetched again: it is gone.
				reqs := ws.Log().Requests()
				for i, r := range reqs {
					if r.Fault != emulator.FaultResultExpired {
						continue
					}
					for _, next := range reqs[i+1:] {
						if next.Endpoint == emulator.EndpointExecute {
							return
						}
						if next.Path == r.Path {
							t.Fatalf("the expired chunk was fetched again")
						}
					}
					t.Fatalf("the expired result was not executed again")
				}
				t.Errorf("no chunk request expired")
			},
		},
		{
			name:   "a result that keeps expiring",
			opts:   twoRowsPerChunk,
			faults: []emulator.Fault{{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultResultExpired}},
			config: faultProvider(30) + faultQuery(fiveRows, ""),
			want:   []string{"statement result expired", "HTTP 404 RESOURCE_DOES_NOT_EXIST", "The statement's result expired on the warehouse", "Run it again"},
			check: func(t *testing.T, ws *workspace, errText string) {
				if n := len(requestsTo(ws, emulator.EndpointExecute)); n != 2 {
					t.Errorf("%d submissions, want the first and one more", n)
				}
				// An expired result is not a missing warehouse.
				if containsWords(errText, "Check warehouse_id") {
					t.Errorf("an expired result is blamed on the warehouse id:\n%s", errText)
				}
			},
		},
		{
			// A status check that keeps failing after the submission was accepted leaves
			// the outcome unknown: the checks are retried, the statement is canceled as
			// a precaution, and the message says it may have run, never "try again".
			name: "a write whose status checks keep failing may have run",
			faults: []emulator.Fault{
				{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStuckPending},
				{Endpoint: emulator.EndpointGetStatement, Kind: emulator.FaultInternalError},
			},
			config: faultProvider(5) + `
resource "dbsql_statement" "test" {
  execute  = "CREATE TABLE may_have_run (a INT)"
  timeouts = { create = "4s" }
}
`,
			want: []string{"Statement May Have Run", "MAY HAVE RUN", "query history", "Do not simply apply again"},
			check: func(t *testing.T, ws *workspace, errText string) {
				if n := len(requestsTo(ws, emulator.EndpointGetStatement)); n < 2 {
					t.Errorf("%d status checks: a failed check is retried within the deadline", n)
				}
				if n := len(requestsTo(ws, emulator.EndpointExecute)); n != 1 {
					t.Errorf("the statement was submitted %d times, want once", n)
				}
				execs := requestsTo(ws, emulator.EndpointExecute)
				if len(execs) == 1 && !ws.Log().Canceled(execs[0].StatementID) {
					t.Errorf("statement %s was not canceled", execs[0].StatementID)
				}
				if containsWords(errText, "Try again") || containsWords(errText, "try again") {
					t.Errorf("the message tells the user to try again:\n%s", errText)
				}
			},
		},
		{
			name:   "a statement stuck in PENDING past timeouts.read is canceled",
			faults: []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStuckPending}},
			config: faultProvider(5) + faultQuery("SELECT 1 AS one", "2s"),
			want:   []string{"Statement Timed Out", "was still PENDING when the wait ended", "it was canceled on the warehouse", "Raise timeouts.read"},
			check: func(t *testing.T, ws *workspace, _ string) {
				execs := requestsTo(ws, emulator.EndpointExecute)
				if len(execs) != 1 || execs[0].StatementID == "" {
					t.Fatalf("submissions: %v", statuses(execs))
				}
				id := execs[0].StatementID
				if !ws.Log().Canceled(id) {
					t.Errorf("no cancel request arrived for statement %s", id)
				}
				if state := ws.StatementState(id); state != "CANCELED" {
					t.Errorf("statement %s is %s on the warehouse", id, state)
				}
			},
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			opts := row.opts
			opts.SampleTrips = -1
			ws := newWorkspace(t, opts)
			for _, f := range row.faults {
				ws.AddFault(f)
			}
			// A failure is captured by ErrorCheck rather than matched by ExpectError,
			// so that its text can be compared with the emulator's log.
			var errText string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6Providers,
				ErrorCheck: func(err error) error {
					if row.want == nil {
						return err
					}
					errText = err.Error()
					return nil
				},
				Steps: []resource.TestStep{{
					Config:            testVariables + row.config,
					ConfigVariables:   ws.variables(),
					ConfigStateChecks: row.state,
				}},
			})
			if row.want != nil {
				switch {
				case errText == "":
					t.Fatalf("the run succeeded; want it to fail with %q", row.want)
				case !expectError(row.want...).MatchString(errText):
					t.Fatalf("the failure does not say %q:\n%s", row.want, errText)
				case strings.Contains(errText, "panic") || strings.Contains(errText, "plugin crashed"):
					t.Fatalf("the provider crashed:\n%s", errText)
				}
			}
			if row.check != nil {
				row.check(t, ws, errText)
			}
		})
	}
}

// requestsTo returns the emulator's requests to one endpoint, in arrival order.
func requestsTo(ws *workspace, ep emulator.Endpoint) []emulator.Request {
	var out []emulator.Request
	for _, r := range ws.Log().Requests() {
		if r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

// statuses lists the HTTP statuses of reqs, for messages ("0" when none was sent).
func statuses(reqs []emulator.Request) string {
	s := make([]string, len(reqs))
	for i, r := range reqs {
		s[i] = fmt.Sprint(r.Status)
	}
	return strings.Join(s, " ")
}

// containsWords reports whether text holds phrase, allowing the CLI's line wrapping
// between its words.
func containsWords(text, phrase string) bool {
	return expectError(phrase).MatchString(text)
}
