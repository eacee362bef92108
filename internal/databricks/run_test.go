package databricks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// A write is sent once, and when its outcome cannot be learned the error says it may
// have run, names it, and says how to check: never to try again.

func write() databricks.RunRequest {
	return databricks.RunRequest{WarehouseID: testWarehouse, Statement: "INSERT INTO audit VALUES (1)"}
}

const (
	pending   = `{"statement_id":"s1","status":{"state":"PENDING"}}`
	running   = `{"statement_id":"s1","status":{"state":"RUNNING"}}`
	succeeded = `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[]},"total_chunk_count":0,"total_row_count":0}}`
)

// statementServer answers a submission with submitted, each status check with the next
// of checks (the last one repeating), and a cancel with cancel (200 when nil).
func statementServer(t *testing.T, submitted string, cancel http.HandlerFunc, checks ...http.HandlerFunc) *fakeServer {
	t.Helper()
	var n atomic.Int32
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cancel"):
			if cancel != nil {
				cancel(w, r)
			}
		case r.Method == http.MethodPost:
			answer(w, http.StatusOK, submitted)
		default:
			i := min(int(n.Add(1))-1, len(checks)-1)
			checks[i](w, r)
		}
	})
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		apiError(w, code, "INTERNAL_ERROR", http.StatusText(code))
	}
}

func body(b string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { answer(w, http.StatusOK, b) }
}

func drop(w http.ResponseWriter, _ *http.Request) { dropConnection(w) }

// assertMayHaveRun checks the error a write whose outcome is unknown must give.
func assertMayHaveRun(t *testing.T, err error, statementID string) *databricks.OutcomeUnknownError {
	t.Helper()
	var unknown *databricks.OutcomeUnknownError
	if !errors.As(err, &unknown) || !errors.Is(err, databricks.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want an OutcomeUnknownError", err)
	}
	msg := err.Error()
	if unknown.StatementID != statementID || unknown.WarehouseID != testWarehouse || unknown.Err == nil {
		t.Errorf("the error does not name the statement %q and warehouse: %+v", statementID, unknown)
	}
	if !strings.Contains(msg, "MAY HAVE RUN") || !strings.Contains(msg, "query history") || !strings.Contains(msg, testWarehouse) ||
		(statementID != "" && !strings.Contains(msg, "statement "+statementID)) {
		t.Errorf("the message does not say the statement may have run, which one, and how to check: %v", msg)
	}
	if strings.Contains(strings.ToLower(msg), "try again") {
		t.Errorf("the message says to try again: %v", msg)
	}
	// Matching the cause would give the cause's advice (try again): the error does not
	// unwrap to it.
	if errors.Is(err, databricks.ErrInternal) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the error unwraps to its cause: %v", err)
	}
	return unknown
}

// Status checks are idempotent: a failed one is asked again, and the write is neither
// reported failed nor submitted twice.
func TestRunRetriesStatusChecks(t *testing.T) {
	t.Parallel()
	srv := statementServer(t, pending, nil,
		status(http.StatusInternalServerError), status(http.StatusBadGateway), status(http.StatusServiceUnavailable),
		status(http.StatusGatewayTimeout), drop, body(running), status(http.StatusBadGateway), body(succeeded))
	id, err := srv.client(t, databricks.Config{}).Run(context.Background(), write())
	if err != nil || id != "s1" {
		t.Fatalf("Run = %q, %v", id, err)
	}
	if n := srv.count("POST", statementsPath); n != 1 {
		t.Errorf("the write was submitted %d times", n)
	}
	if n := srv.count("GET", statementsPath); n != 8 {
		t.Errorf("%d status checks, want 8", n)
	}
}

// A status that stays out of reach: the statement is canceled, best effort, and the
// error says it may have run.
func TestRunWhoseStatusStaysUnknown(t *testing.T) {
	t.Parallel()
	budget := databricks.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxElapsed: 300 * time.Millisecond}
	for name, tc := range map[string]struct {
		check, cancel http.HandlerFunc
		minChecks     int
		cancelFails   bool
	}{
		"500s":                   {check: status(http.StatusInternalServerError), minChecks: 3},
		"dropped connections":    {check: drop, minChecks: 4}, // more than MaxNetworkAttempts
		"a statement now gone":   {check: status(http.StatusNotFound), minChecks: 1},
		"a body that is not one": {check: body(`<html>`), minChecks: 1},
		"and the cancel fails":   {check: status(http.StatusBadGateway), cancel: status(http.StatusForbidden), minChecks: 3, cancelFails: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := statementServer(t, running, tc.cancel, tc.check)
			id, err := srv.client(t, databricks.Config{Retry: budget}).Run(context.Background(), write())
			unknown := assertMayHaveRun(t, err, "s1")
			if id != "s1" || unknown.LastState != databricks.StateRunning {
				t.Errorf("id %q, last state %q", id, unknown.LastState)
			}
			if n := srv.count("GET", statementsPath); n < tc.minChecks {
				t.Errorf("%d status checks, want at least %d", n, tc.minChecks)
			}
			if n := srv.count("POST", statementsPath+"/s1/cancel"); n < 1 {
				t.Errorf("the statement was not canceled")
			}
			if n := srv.count("POST", statementsPath) - srv.count("POST", statementsPath+"/s1/cancel"); n != 1 {
				t.Errorf("the write was submitted %d times", n)
			}
			switch {
			case tc.cancelFails && (unknown.CancelErr == nil || !strings.Contains(err.Error(), "may still be running")):
				t.Errorf("a failed cancel is not reported: %v", err)
			case !tc.cancelFails && unknown.CancelErr != nil:
				t.Errorf("cancel error %v", unknown.CancelErr)
			}
		})
	}
}

// A write whose submission may have reached the warehouse, but whose answer was lost, is
// never sent again, and the error says it may have run.
func TestRunWhoseSubmissionAnswerIsLost(t *testing.T) {
	t.Parallel()
	for name, submit := range map[string]http.HandlerFunc{
		"dropped connection": drop,
		"bad gateway":        status(http.StatusBadGateway),
		"gateway timeout":    status(http.StatusGatewayTimeout),
		"no answer in time": func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		},
		"an answer that cannot be read": body(`{"statement_id":"s1","status":`),
		"an answer without an id":       body(`{"status":{"state":"RUNNING"}}`),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, submit)
			// Bounded, so that a client that polls an id-less statement fails rather than hangs.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			id, err := srv.client(t, databricks.Config{Timeout: 500 * time.Millisecond}).Run(ctx, write())
			unknown := assertMayHaveRun(t, err, "")
			if id != "" || unknown.LastState != "" || unknown.CancelErr != nil {
				t.Errorf("id %q, last state %q, cancel error %v: there was no statement to see or cancel", id, unknown.LastState, unknown.CancelErr)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests, want the one submission and nothing else", n)
			}
		})
	}
}

// What surely did not run is not reported as maybe run: refusals, redirects, 503s that
// ran out of retries, and a submission never sent.
func TestRunWhoseSubmissionWasRefused(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		submit   http.HandlerFunc
		sentinel error
	}{
		"bad request":  {status(http.StatusBadRequest), databricks.ErrBadRequest},
		"forbidden":    {status(http.StatusForbidden), databricks.ErrPermissionDenied},
		"unavailable":  {status(http.StatusServiceUnavailable), databricks.ErrUnavailable},
		"internal 500": {status(http.StatusInternalServerError), databricks.ErrInternal},
		"redirect": {func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/login", http.StatusFound)
		}, databricks.ErrRedirect},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, tc.submit)
			client := srv.client(t, databricks.Config{Retry: databricks.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxElapsed: 100 * time.Millisecond}})
			_, err := client.Run(context.Background(), write())
			if !errors.Is(err, tc.sentinel) || errors.Is(err, databricks.ErrOutcomeUnknown) {
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
		})
	}
	refused, err := databricks.New(databricks.Config{BaseURL: "http://127.0.0.1:1", Credentials: databricks.PersonalAccessToken(testToken), Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	_, err = refused.Run(context.Background(), write())
	var netErr *databricks.NetworkError
	if !errors.As(err, &netErr) || errors.Is(err, databricks.ErrOutcomeUnknown) || netErr.Attempts != 3 {
		t.Errorf("a refused connection, which surely sent nothing and may be retried: %v", err)
	}
}

// A query is a read: its lost submission is sent again, and a status out of reach is an
// ordinary error (with the statement canceled), not a warning that it may have run.
func TestQueryResendsAndReportsPlainly(t *testing.T) {
	t.Parallel()
	var drops atomic.Int32
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && drops.Add(1) == 1:
			dropConnection(w)
		case r.Method == http.MethodPost:
			answer(w, http.StatusOK, succeeded)
		}
	})
	if _, err := srv.client(t, databricks.Config{}).StreamQuery(context.Background(), fakeQuery("SELECT 1"), newRowRecorder()); err != nil {
		t.Fatal(err)
	}
	if n := srv.count("POST", statementsPath); n != 2 {
		t.Errorf("%d submissions, want the lost one and one more", n)
	}

	srv = statementServer(t, running, nil, status(http.StatusNotFound))
	_, err := srv.client(t, databricks.Config{}).StreamQuery(context.Background(), fakeQuery("SELECT 1"), newRowRecorder())
	if !errors.Is(err, databricks.ErrNotFound) || errors.Is(err, databricks.ErrOutcomeUnknown) ||
		!strings.Contains(err.Error(), "checking statement s1") || !strings.Contains(err.Error(), "it was canceled") {
		t.Errorf("err = %v", err)
	}
	if srv.count("POST", statementsPath+"/s1/cancel") != 1 {
		t.Errorf("the query was not canceled")
	}
}
