package provider

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// TestAccInterrupt sends SIGINT to the CLI while a query waits on the warehouse, as a
// user's Ctrl-C or a CI system's cancel button does, and proves the statement is
// canceled on the server: a statement left running keeps a warehouse busy (and billed)
// for nothing.
func TestAccInterrupt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGINT cannot be sent to a process on Windows")
	}
	requireCLI(t)
	t.Parallel()
	cases := []struct {
		name    string
		command string
		opts    emulator.Options
		faults  []emulator.Fault
		hcl     string
	}{
		{
			// A plan, on the provider's connection. A request timeout below 8s means no
			// long poll: the provider is polling when the signal comes.
			//
			// A plan, not the planning phase of an apply: there, Terraform 1.5 and
			// OpenTofu 1.12 do not pass an interrupt on to providers (only a second one,
			// which kills them), so a read waits out its timeouts.read whatever the
			// provider does.
			name:    "a plan polling a warehouse that is starting",
			command: "plan",
			opts:    emulator.Options{Warehouses: []emulator.Warehouse{{ID: emulator.DefaultWarehouseID, State: "STOPPED", StartDelay: time.Hour}}},
			hcl: `
provider "dbsql" {
  timeout = 5
}
data "dbsql_query" "slow" {
  statement = "SELECT 1 AS one"
}
`,
		},
		{
			// Read while applying (it depends on a connection created in the same run),
			// and interrupted during the submission's long poll (8s: a 5s wait): the
			// provider must still learn the statement id to cancel it.
			name:    "an apply during the long poll of a read",
			command: "apply",
			faults:  []emulator.Fault{{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStuckPending}},
			hcl: `
variable "base_url" {
  type = string
}
variable "warehouse_id" {
  type = string
}
variable "access_token" {
  type      = string
  sensitive = true
}
resource "dbsql_connection" "c" {
  name         = "Interrupted"
  base_url     = var.base_url
  access_token = var.access_token
  warehouse_id = var.warehouse_id
  timeout      = 8
}
data "dbsql_query" "slow" {
  connection_info = dbsql_connection.c
  statement       = "SELECT 1 AS one"
}
`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.SampleTrips = -1
			ws := newWorkspace(t, opts)
			for _, f := range tc.faults {
				ws.AddFault(f)
			}
			h := newCLI(t, tc.hcl)
			h.secrets = []string{ws.token}
			h.env["DATABRICKS_HOST"] = ws.URL
			h.env["DATABRICKS_TOKEN"] = ws.token
			h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID
			h.env["TF_VAR_base_url"] = ws.URL
			h.env["TF_VAR_access_token"] = ws.token
			h.env["TF_VAR_warehouse_id"] = emulator.DefaultWarehouseID

			args := []string{tc.command, "-input=false", "-no-color"}
			if tc.command == "apply" {
				args = append(args, "-auto-approve")
			}
			p := h.start(args...)
			id := awaitSubmission(t, ws, p)
			// The search for surviving plugins finds the running one (where /proc exists).
			if _, err := os.Stat("/proc/self/exe"); err == nil && len(pluginProcesses(filepath.Dir(h.dir))) == 0 {
				t.Fatal("the running provider process is not found under /proc: the check for surviving plugins is broken")
			}
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatalf("sending SIGINT: %v", err)
			}
			r := p.wait()
			out := h.redact(r.output())
			if r.exitCode == 0 {
				t.Fatalf("the interrupted %s succeeded:\n%s", tc.command, out)
			}
			if !strings.Contains(out, "Interrupt received") {
				t.Errorf("the CLI did not shut down gracefully:\n%s", out)
			}
			if !ws.Log().Canceled(id) {
				t.Errorf("statement %s was never canceled on the server; the CLI said:\n%s", id, out)
			}
			if state := ws.StatementState(id); state != "CANCELED" {
				t.Errorf("statement %s is %s on the server", id, state)
			}
		})
	}
}

// awaitSubmission waits until the emulator's log shows a statement submitted by p and
// returns its id. It fails if p exits first.
func awaitSubmission(t *testing.T, ws *workspace, p *cliProcess) string {
	t.Helper()
	deadline := time.After(cliTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, r := range ws.Log().Requests() {
			// The id is logged as soon as the statement exists, before the long poll
			// answers.
			if r.Endpoint == emulator.EndpointExecute && r.StatementID != "" {
				return r.StatementID
			}
		}
		select {
		case <-tick.C:
		case <-p.done:
			r := p.wait()
			t.Fatalf("the CLI exited (%d) before a statement was submitted:\n%s", r.exitCode, p.h.redact(r.output()))
		case <-deadline:
			t.Fatalf("no statement was submitted within %v", cliTimeout)
		}
	}
}
