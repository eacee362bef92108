//go:build cgo

package databricks_test

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// A statement that finishes inside the long poll, with a one-chunk result, costs one request.
func TestQueryFastStatementIsOneRequest(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	res, err := client.Query(context.Background(), query("SELECT 1 AS one, 'x' AS two, NULL AS three"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] != (databricks.Cell{Text: "1", Valid: true}) || res.Rows[0][2].Valid {
		t.Errorf("rows = %+v", res.Rows)
	}
	if len(res.Columns) != 3 || res.Columns[0].Name != "one" || res.Columns[1].TypeName != "STRING" {
		t.Errorf("columns = %+v", res.Columns)
	}
	if n := len(srv.Log().Requests()); n != 1 {
		t.Errorf("%d requests, want exactly 1", n)
	}
	var body map[string]any
	if err := json.Unmarshal(srv.Log().Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["wait_timeout"] != "20s" || body["on_wait_timeout"] != "CONTINUE" || body["disposition"] != "INLINE" || body["format"] != "JSON_ARRAY" {
		t.Errorf("submission = %v", body)
	}
}

// Every chunk is followed, in order, using the links as given (with their query string).
func TestQueryFollowsEveryChunk(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 7}, databricks.Config{})
	res, err := client.Query(context.Background(), query("SELECT i FROM range(100) AS t(i) ORDER BY i"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 100 {
		t.Fatalf("%d rows", len(res.Rows))
	}
	for i, row := range res.Rows {
		if row[0].Text != strconv.Itoa(i) {
			t.Fatalf("row %d = %q: chunks out of order", i, row[0].Text)
		}
	}
	chunks := 0
	for _, r := range srv.Log().Requests() {
		if r.Endpoint == emulator.EndpointChunk {
			chunks++
			if !strings.Contains(r.Path, "?row_offset=") {
				t.Errorf("chunk link used without its query string: %s", r.Path)
			}
		}
	}
	if chunks != 14 { // 15 chunks, the first inline
		t.Errorf("%d chunk requests, want 14", chunks)
	}
}

func TestQueryParametersAndTruncation(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	q := query("SELECT i * :factor AS v, :label AS label FROM range(10) AS t(i) ORDER BY i")
	factor, label := "3", "it's"
	q.Parameters = []databricks.StatementParameter{{Name: "factor", Value: &factor, Type: "INT"}, {Name: "label", Value: &label}}
	q.RowLimit = 4
	res, err := client.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated || len(res.Rows) != 4 || res.Rows[3][0].Text != "9" || res.Rows[0][1].Text != "it's" {
		t.Errorf("truncated %v rows %+v", res.Truncated, res.Rows)
	}
}

func TestQueryStatementOutcomes(t *testing.T) {
	t.Parallel()
	cases := map[emulator.FaultKind]struct {
		sentinel error
		text     string
	}{
		emulator.FaultStatementFailed:   {databricks.ErrStatementFailed, "failed"},
		emulator.FaultStatementCanceled: {databricks.ErrStatementCanceled, "was canceled before it finished"},
		emulator.FaultStatementClosed:   {databricks.ErrStatementClosed, "its result was closed"},
	}
	for kind, want := range cases {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
			srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: kind})
			_, err := client.Query(context.Background(), query("SELECT 1"))
			var stmtErr *databricks.StatementError
			if !errors.As(err, &stmtErr) || !errors.Is(err, want.sentinel) || !strings.Contains(err.Error(), want.text) {
				t.Fatalf("err = %v, want %v", err, want.sentinel)
			}
			if stmtErr.StatementID == "" || stmtErr.WarehouseID != emulator.DefaultWarehouseID {
				t.Errorf("the error does not name the statement and warehouse: %+v", stmtErr)
			}
		})
	}
}

func TestQuerySQLError(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	_, err := client.Query(context.Background(), query("SELEC 1"))
	var stmtErr *databricks.StatementError
	if !errors.As(err, &stmtErr) || stmtErr.ErrorCode != "BAD_REQUEST" || !strings.Contains(stmtErr.Message, "PARSE_SYNTAX_ERROR") {
		t.Fatalf("err = %v", err)
	}
}

// A statement stuck in PENDING past the caller's deadline is canceled on the warehouse.
func TestQueryCancelsOnDeadline(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{Timeout: 6 * time.Second}) // long poll of 0s
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStuckPending})
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	_, err := client.Query(ctx, query("SELECT 1"))
	var interrupted *databricks.InterruptedError
	if !errors.As(err, &interrupted) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want an InterruptedError", err)
	}
	if interrupted.CancelErr != nil || !srv.Log().Canceled(interrupted.StatementID) {
		t.Errorf("the statement was not canceled on the server (cancel error %v)", interrupted.CancelErr)
	}
	if srv.Log().Count(emulator.EndpointGetStatement) == 0 {
		t.Errorf("the statement was never polled")
	}
	// The cancel's answer only says it arrived, as on Databricks: the statement settles
	// just after, on a loaded machine a moment after. The deadline only ends a broken test.
	for deadline := time.Now().Add(5 * time.Second); srv.StatementState(interrupted.StatementID) != "CANCELED" && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if state := srv.StatementState(interrupted.StatementID); state != "CANCELED" {
		t.Errorf("the statement is %s on the server", state)
	}
}

// An interrupt during the submission's long poll still learns the statement id and
// cancels it.
func TestQueryCancelsWhenInterruptedDuringTheLongPoll(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{Timeout: 8 * time.Second}) // long poll of 5s
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultStuckPending})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := client.Query(ctx, query("SELECT 1"))
	var interrupted *databricks.InterruptedError
	if !errors.As(err, &interrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an InterruptedError", err)
	}
	if !srv.Log().Canceled(interrupted.StatementID) {
		t.Errorf("the statement was not canceled on the server")
	}
}

func TestQueryWaitsForAColdWarehouse(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{Warehouses: []emulator.Warehouse{
		{ID: emulator.DefaultWarehouseID, State: "STOPPED", StartDelay: time.Second},
	}}, databricks.Config{Timeout: 5 * time.Second}) // long poll of 0s
	res, err := client.Query(context.Background(), query("SELECT 42 AS answer"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0].Text != "42" {
		t.Errorf("rows = %+v", res.Rows)
	}
	if srv.Log().Count(emulator.EndpointGetStatement) < 2 {
		t.Errorf("a cold start should take several polls, took %d", srv.Log().Count(emulator.EndpointGetStatement))
	}
}

// A result that expires while its chunks are read is executed once more, then reported.
func TestQueryReExecutesAnExpiredResultOnce(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 2}, databricks.Config{})
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultResultExpired, Times: 1})
	res, err := client.Query(context.Background(), query("SELECT i FROM range(5) AS t(i) ORDER BY i"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 5 || srv.Log().Count(emulator.EndpointExecute) != 2 {
		t.Errorf("%d rows after %d executions, want 5 after 2", len(res.Rows), srv.Log().Count(emulator.EndpointExecute))
	}

	srv.Log().Reset()
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultResultExpired})
	_, err = client.Query(context.Background(), query("SELECT i FROM range(5) AS t(i) ORDER BY i"))
	if !errors.Is(err, databricks.ErrResultExpired) || !errors.Is(err, databricks.ErrNotFound) {
		t.Fatalf("err = %v, want an expired result", err)
	}
	if n := srv.Log().Count(emulator.EndpointExecute); n != 2 {
		t.Errorf("%d executions, want the first and exactly one more", n)
	}
}

// A long poll never outlasts the caller's deadline: with a read timeout shorter than the
// request timeout, the wait asked of Databricks shrinks to fit.
func TestLongPollFitsTheCallersDeadline(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{}) // 30s: a 20s long poll
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
	defer cancel()
	if _, err := client.Query(ctx, query("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(srv.Log().Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if w := body["wait_timeout"]; w != "5s" {
		t.Errorf("wait_timeout = %v with 9s left, want 5s", w)
	}
}

// Run sends a write once: a dropped connection after submission is reported, not
// repeated, while a 503 (not processed) is retried.
func TestRunNeverRepeatsASubmission(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	run := databricks.RunRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: "CREATE TABLE once (id INT)"}

	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultDropConnection, Times: 1})
	if _, err := client.Run(context.Background(), run); err == nil {
		t.Fatal("a submission lost in a dropped connection was reported as a success")
	}
	if n := srv.Log().Count(emulator.EndpointExecute); n != 1 {
		t.Errorf("the write was sent %d times after a dropped connection", n)
	}

	srv.Log().Reset()
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointExecute, Kind: emulator.FaultUnavailable, Times: 2})
	id, err := client.Run(context.Background(), run)
	if err != nil || id == "" {
		t.Fatalf("Run after 503s: %q, %v", id, err)
	}
	if n := srv.Log().Count(emulator.EndpointExecute); n != 3 {
		t.Errorf("%d submissions, want two 503s and one success", n)
	}
	_, err = client.Run(context.Background(), run) // the table exists now
	var stmtErr *databricks.StatementError
	if !errors.As(err, &stmtErr) || !strings.Contains(stmtErr.Message, "ALREADY_EXISTS") {
		t.Errorf("a failing write: %v", err)
	}
}
