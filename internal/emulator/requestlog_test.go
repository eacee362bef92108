package emulator

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRequestLog(t *testing.T) {
	t.Parallel()
	var lines []string
	var mu sync.Mutex
	s := start(t, Options{SampleTrips: -1, Logf: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, format)
		for _, a := range args {
			if str, ok := a.(string); ok {
				lines = append(lines, str)
			}
		}
	}})
	st := mustSucceed(t, s, "SELECT 1")
	do(t, s, http.MethodGet, "/api/2.0/sql/warehouses?page_size=1", nil)

	reqs := s.Log().Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	exec, list := reqs[0], reqs[1]
	if exec.Seq != 1 || list.Seq != 2 || exec.Endpoint != EndpointExecute || exec.Method != http.MethodPost ||
		exec.Path != "/api/2.0/sql/statements" || exec.Status != http.StatusOK || exec.StatementID != st.StatementID ||
		!strings.Contains(string(exec.Body), `"SELECT 1"`) || exec.UserAgent != "emulator-test/1.0" || exec.ConnID == 0 || exec.Time.IsZero() {
		t.Errorf("execute entry %+v", exec)
	}
	if list.Path != "/api/2.0/sql/warehouses?page_size=1" || list.Endpoint != EndpointListWarehouses {
		t.Errorf("list entry %+v", list)
	}
	if s.Log().Count(EndpointExecute) != 1 || s.Log().Count(EndpointMe) != 0 {
		t.Errorf("counts")
	}
	// Requests returns a copy.
	reqs[0].Body[0] = 'X'
	if s.Log().Requests()[0].Body[0] == 'X' {
		t.Errorf("Requests shares memory with the log")
	}
	mu.Lock()
	joined := strings.Join(lines, "\n")
	mu.Unlock()
	if !strings.Contains(joined, "/api/2.0/sql/statements") || strings.Contains(joined, DefaultToken) {
		t.Errorf("Logf lines %q", joined)
	}

	s.Log().Reset()
	if len(s.Log().Requests()) != 0 || s.Log().Connections() != 0 {
		t.Errorf("Reset left entries")
	}
}

func TestConnectionsAndConcurrency(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	// Keep-alive: sequential requests share a connection.
	for range 3 {
		do(t, s, http.MethodGet, mePath, nil)
	}
	reqs := s.Log().Requests()
	if reqs[0].ConnID != reqs[2].ConnID {
		t.Errorf("keep-alive requests on connections %d and %d", reqs[0].ConnID, reqs[2].ConnID)
	}
	before := s.Log().Connections()
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	for range 2 {
		req, _ := http.NewRequest(http.MethodGet, s.URL+mePath, nil)
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		resp, err := fresh.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if got := s.Log().Connections(); got != before+2 {
		t.Errorf("connections %d, want %d", got, before+2)
	}

	// Concurrent slow requests overlap.
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultSlow, Delay: 200 * time.Millisecond})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do(t, s, http.MethodGet, mePath, nil)
		}()
	}
	wg.Wait()
	if got := s.Log().MaxConcurrentRequests(); got < 2 {
		t.Errorf("MaxConcurrentRequests %d", got)
	}
	s.ClearFaults()

	// Statements in flight at once.
	s.AddFault(Fault{Kind: FaultStuckPending, Times: 3})
	var ids []string
	for range 3 {
		ids = append(ids, submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": "0s"}).StatementID)
	}
	if got := s.Log().MaxConcurrentStatements(); got != 3 {
		t.Errorf("MaxConcurrentStatements %d", got)
	}
	for _, id := range ids {
		do(t, s, http.MethodPost, "/api/2.0/sql/statements/"+id+"/cancel", nil)
		waitState(t, s, id, terminal)
		if !s.Log().Canceled(id) {
			t.Errorf("Canceled(%s) false", id)
		}
	}
	s.Log().Reset()
	if s.Log().MaxConcurrentStatements() != 0 || s.Log().Canceled(ids[0]) {
		t.Errorf("Reset kept statement stats")
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Latency: 10 * time.Millisecond, SampleTrips: -1})
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("HTTP %d", c.status)
	}
}

// TestSequentialClientIsNeverConcurrent: a client that waits for each answer
// before the next request must count as one request and one statement at a
// time, however quickly it follows up.
func TestSequentialClientIsNeverConcurrent(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	for range 50 {
		mustSucceed(t, s, "SELECT 1")
		do(t, s, http.MethodGet, mePath, nil)
	}
	if got := s.Log().MaxConcurrentRequests(); got != 1 {
		t.Errorf("MaxConcurrentRequests %d", got)
	}
	if got := s.Log().MaxConcurrentStatements(); got != 1 {
		t.Errorf("MaxConcurrentStatements %d", got)
	}
}
