package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const mePath = "/api/2.0/preview/scim/v2/Me"

func TestFaultRateLimitAndTimes(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultRateLimit, Times: 2, RetryAfter: 3})
	for i := range 2 {
		c := do(t, s, http.MethodGet, mePath, nil)
		if e := c.apiError(t); c.status != http.StatusTooManyRequests || e.ErrorCode != "REQUEST_LIMIT_EXCEEDED" || c.header.Get("Retry-After") != "3" {
			t.Fatalf("request %d: HTTP %d %v %s", i, c.status, c.header, c.body)
		}
	}
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("after Times: HTTP %d", c.status)
	}
	reqs := s.Log().Requests()
	if reqs[0].Fault != FaultRateLimit || reqs[1].Fault != FaultRateLimit || reqs[2].Fault != "" || reqs[0].Status != http.StatusTooManyRequests {
		t.Fatalf("log %+v", reqs)
	}
}

func TestFaultUnavailable(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Kind: FaultUnavailable, Times: 1})
	c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses", nil)
	if e := c.apiError(t); c.status != http.StatusServiceUnavailable || e.ErrorCode != "TEMPORARILY_UNAVAILABLE" || c.header.Get("Retry-After") != "" {
		t.Fatalf("HTTP %d %v %s", c.status, c.header, c.body)
	}
	s.AddFault(Fault{Kind: FaultUnavailable, Times: 1, RetryAfter: 1})
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusServiceUnavailable || c.header.Get("Retry-After") != "1" {
		t.Fatalf("with RetryAfter: HTTP %d %v", c.status, c.header)
	}
}

func TestFaultEveryAndEndpoint(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultInternalError, Every: 2})
	var got []int
	for range 4 {
		got = append(got, do(t, s, http.MethodGet, mePath, nil).status)
	}
	if got[0] != 200 || got[1] != 500 || got[2] != 200 || got[3] != 500 {
		t.Fatalf("statuses %v", got)
	}
	if c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses", nil); c.status != http.StatusOK {
		t.Fatalf("other endpoint hit: HTTP %d", c.status)
	}
	// The fault has matched 4 requests: the 5th passes, the 6th is hit.
	do(t, s, http.MethodGet, mePath, nil)
	c := do(t, s, http.MethodGet, mePath, nil)
	if e := c.apiError(t); c.status != 500 || e.ErrorCode != "INTERNAL_ERROR" {
		t.Fatalf("internal error: HTTP %d %s", c.status, c.body)
	}
	s.ClearFaults()
	for range 2 {
		if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
			t.Fatalf("after ClearFaults: HTTP %d", c.status)
		}
	}
}

func TestFaultSlow(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultSlow, Delay: time.Hour, Times: 1})
	// The client gives up; the emulator must let go too (no hang at Close).
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+mePath, nil)
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow request: %v", err)
	}
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultSlow, Delay: 20 * time.Millisecond, Times: 1})
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("short delay: HTTP %d", c.status)
	}
}

func TestFaultDropConnection(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Endpoint: EndpointExecute, Kind: FaultDropConnection, Times: 1})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/2.0/sql/statements", strings.NewReader(`{"statement":"SELECT 1","warehouse_id":"`+DefaultWarehouseID+`"}`))
	req.Header.Set("Authorization", "Bearer "+DefaultToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the status line should arrive: %v", err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the cut body: %v", err)
	}
	if got := s.Log().Requests()[0]; got.Fault != FaultDropConnection {
		t.Fatalf("log %+v", got)
	}
	// The request was not processed: no statement ran.
	if n := s.Log().MaxConcurrentStatements(); n != 0 {
		t.Fatalf("a statement was submitted: %d", n)
	}
	mustSucceed(t, s, "SELECT 1")
}

func TestFaultMalformedJSON(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Kind: FaultMalformedJSON, Times: 1})
	c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses/"+DefaultWarehouseID, nil)
	var v any
	if c.status != http.StatusOK || json.Unmarshal(c.body, &v) == nil {
		t.Fatalf("HTTP %d %s", c.status, c.body)
	}
}

func TestFaultHTMLError(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Kind: FaultHTMLError})
	c := do(t, s, http.MethodGet, mePath, nil)
	if c.status != http.StatusForbidden || !strings.HasPrefix(c.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(c.body), "<title>Error 403 Invalid access token.</title>") {
		t.Fatalf("HTTP %d %v %s", c.status, c.header, c.body)
	}
}

func TestFaultNumericErrorCode(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Kind: FaultNumericErrorCode})
	c := do(t, s, http.MethodGet, mePath, nil)
	var body map[string]any
	c.decode(t, &body)
	if c.status != http.StatusForbidden || body["error_code"] != float64(403) || body["message"] != "Invalid access token." ||
		c.header.Get("X-Databricks-Reason-Phrase") != "Invalid access token." {
		t.Fatalf("HTTP %d %v %s", c.status, c.header, c.body)
	}
}

func TestStatementFaults(t *testing.T) {
	t.Parallel()
	s := startBare(t)

	// Statement faults only ever match statements.execute, even with no endpoint.
	s.AddFault(Fault{Kind: FaultStatementFailed, Times: 1})
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("Me hit by a statement fault: HTTP %d", c.status)
	}
	st := query(t, s, "SELECT 1")
	if st.Status.State != statementFailed || st.Status.Error.ErrorCode != "INTERNAL_ERROR" || st.Status.Error.Message == "" {
		t.Fatalf("statement_failed: %+v", st.Status)
	}

	s.AddFault(Fault{Kind: FaultStatementCanceled, Times: 1})
	if st := query(t, s, "SELECT 1"); st.Status.State != statementCanceled {
		t.Fatalf("statement_canceled: %+v", st.Status)
	}

	s.AddFault(Fault{Kind: FaultStatementClosed, Times: 1})
	st = query(t, s, "SELECT 1")
	if st.Status.State != statementClosed || st.Manifest != nil || st.Result != nil {
		t.Fatalf("statement_closed: %+v", st)
	}
	if got := getStatement(t, s, st.StatementID); got.Status.State != statementClosed {
		t.Fatalf("GET closed: %s", got.Status.State)
	}
	if c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+st.StatementID+"/result/chunks/0", nil); c.status != http.StatusNotFound {
		t.Fatalf("chunk of a closed statement: HTTP %d", c.status)
	}

	s.AddFault(Fault{Kind: FaultStuckPending, Times: 1})
	st = submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": "0s"})
	if got := getStatement(t, s, st.StatementID); got.Status.State != statementPending {
		t.Fatalf("stuck_pending: %s", got.Status.State)
	}
	do(t, s, http.MethodPost, "/api/2.0/sql/statements/"+st.StatementID+"/cancel", nil)
	if got := waitState(t, s, st.StatementID, terminal); got.Status.State != statementCanceled {
		t.Fatalf("stuck_pending after cancel: %s", got.Status.State)
	}
	if st := query(t, s, "SELECT 1"); st.Status.State != statementSucceeded {
		t.Fatalf("after the faults: %+v", st.Status)
	}
	faulted := 0
	for _, r := range s.Log().Requests() {
		if r.Fault != "" {
			faulted++
			if r.Endpoint != EndpointExecute {
				t.Errorf("statement fault logged on %s", r.Endpoint)
			}
		}
	}
	if faulted != 4 {
		t.Errorf("%d requests logged with a fault, want 4", faulted)
	}
}

func TestFaultResultExpired(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	s.AddFault(Fault{Endpoint: EndpointMe, Kind: FaultResultExpired, Times: 1})
	c := do(t, s, http.MethodGet, mePath, nil)
	if e := c.apiError(t); c.status != http.StatusNotFound || e.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
		t.Fatalf("HTTP %d %s", c.status, c.body)
	}
	if c := do(t, s, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("after Times: HTTP %d", c.status)
	}
}
