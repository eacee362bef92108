package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

const (
	loadQueries     = 200
	loadParallelism = 20
)

// TestAccLoad reads 200 queries in one configuration with -parallelism=20 against a
// workspace that throttles one request in five. Every query must succeed, the provider
// must never run more statements at once than the CLI runs reads, and it must reuse its
// connections rather than open one per request. Only counts are asserted, never time.
func TestAccLoad(t *testing.T) {
	requireCLI(t)
	t.Parallel()
	// A warehouse that takes 2s to start holds the first statements PENDING, so that as
	// many pile up as the CLI lets run: without it each finishes in a millisecond and
	// the bound below would hold whatever the provider did.
	ws := newWorkspace(t, emulator.Options{
		SampleTrips: -1,
		Warehouses:  []emulator.Warehouse{{ID: emulator.DefaultWarehouseID, State: "STOPPED", StartDelay: 2 * time.Second}},
	})
	ws.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit, Every: 5, RetryAfter: 1})

	// Each query returns its own index, so the sum proves every one was answered with
	// its own result.
	h := newCLI(t, fmt.Sprintf(`
data "dbsql_query" "q" {
  count      = %d
  statement  = "SELECT :i AS i"
  parameters = [{ name = "i", value = tostring(count.index), type = "INT" }]
}
output "sum" {
  value = sum([for q in data.dbsql_query.q : q.rows[0].i])
}
`, loadQueries))
	h.secrets = []string{ws.token}
	h.env["DATABRICKS_HOST"] = ws.URL
	h.env["DATABRICKS_TOKEN"] = ws.token
	h.env["DATABRICKS_WAREHOUSE_ID"] = emulator.DefaultWarehouseID

	h.mustRun("apply", "-auto-approve", "-input=false", "-no-color", fmt.Sprintf("-parallelism=%d", loadParallelism))
	if got, want := strings.TrimSpace(h.mustRun("output", "-raw", "sum").stdout), fmt.Sprint(loadQueries*(loadQueries-1)/2); got != want {
		t.Errorf("the queries' indexes sum to %s, want %s", got, want)
	}

	log := ws.Log()
	reqs := log.Requests()
	throttled := 0
	for _, r := range reqs {
		if r.Status == 429 {
			throttled++
		}
	}
	executed := log.Count(emulator.EndpointExecute)
	t.Logf("%d requests (%d throttled, %d submissions), %d connections, at most %d statements and %d requests at once",
		len(reqs), throttled, executed, log.Connections(), log.MaxConcurrentStatements(), log.MaxConcurrentRequests())
	if executed-throttled < loadQueries {
		t.Errorf("%d submissions, %d throttled: fewer than %d statements ran", executed, throttled, loadQueries)
	}
	if throttled < len(reqs)/5 {
		t.Errorf("only %d of %d requests were throttled: the fault did not apply", throttled, len(reqs))
	}
	if n := log.MaxConcurrentStatements(); n > loadParallelism {
		t.Errorf("%d statements ran at once, more than -parallelism=%d", n, loadParallelism)
	}
	// Otherwise the bound above proves nothing.
	if n := log.MaxConcurrentStatements(); n < 2 {
		t.Errorf("at most %d statement at a time: the reads did not run in parallel", n)
	}
	// One pool per provider process, kept alive between requests: about one connection
	// per parallel read, far fewer than the requests.
	if n := log.Connections(); n > 2*loadParallelism || n*5 > len(reqs) {
		t.Errorf("%d connections for %d requests: connections are not reused", n, len(reqs))
	}
}
