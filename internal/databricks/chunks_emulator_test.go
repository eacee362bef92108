//go:build cgo

package databricks_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// The chunks after the first are fetched at the same time, and the rows still come back
// in order. The injected latency makes requests overlap on the server, where the log
// counts them.
func TestQueryFetchesChunksInParallel(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 10, Latency: 50 * time.Millisecond}, databricks.Config{})
	res, err := client.Query(context.Background(), query("SELECT i FROM range(160) AS t(i) ORDER BY i"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 160 {
		t.Fatalf("%d rows, want 160", len(res.Rows))
	}
	for i, row := range res.Rows {
		if row[0].Text != strconv.Itoa(i) {
			t.Fatalf("row %d = %q: chunks out of order", i, row[0].Text)
		}
	}
	if n := srv.Log().Count(emulator.EndpointChunk); n != 15 {
		t.Errorf("%d chunk requests, want 15 (16 chunks, the first inline)", n)
	}
	if n := srv.Log().MaxConcurrentRequests(); n < 2 || n > databricks.DefaultMaxParallelChunks {
		t.Errorf("at most %d requests at once, want 2 to %d", n, databricks.DefaultMaxParallelChunks)
	}
	for _, r := range srv.Log().Requests() {
		if r.Endpoint == emulator.EndpointChunk && !strings.HasPrefix(r.Path, "/api/2.0/sql/statements/"+res.StatementID+"/result/chunks/") {
			t.Errorf("chunk fetched from %s", r.Path)
		}
	}
}

func TestQueryBoundsParallelChunks(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 3} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			t.Parallel()
			srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 5, Latency: 20 * time.Millisecond}, databricks.Config{MaxParallelChunks: limit})
			res, err := client.Query(context.Background(), query("SELECT i FROM range(60) AS t(i) ORDER BY i"))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) != 60 || res.Rows[59][0].Text != "59" {
				t.Fatalf("%d rows", len(res.Rows))
			}
			if n := srv.Log().MaxConcurrentRequests(); n > limit {
				t.Errorf("%d requests at once, want at most %d", n, limit)
			}
		})
	}
}

// Each row arrives once, at its index; the handler learns the result's shape first.
func TestStreamQueryHandsEveryRowOnceAtItsIndex(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{RowsPerChunk: 7}, databricks.Config{})
	rec := newRowRecorder()
	info, err := client.StreamQuery(context.Background(), query("SELECT i, 'x' AS s FROM range(100) AS t(i) ORDER BY i"), rec)
	if err != nil {
		t.Fatal(err)
	}
	if rec.begins != 1 || info.TotalRowCount != 100 || len(info.Columns) != 2 || rec.info.StatementID != info.StatementID {
		t.Errorf("begins %d, info %+v", rec.begins, info)
	}
	if len(rec.rows) != 100 || len(rec.twice) > 0 {
		t.Fatalf("%d rows, given twice: %v", len(rec.rows), rec.twice)
	}
	for i := range int64(100) {
		if rec.rows[i] != strconv.FormatInt(i, 10) {
			t.Fatalf("row %d = %q", i, rec.rows[i])
		}
	}
}

// A result that expires while its chunks are read starts over: the handler is told.
func TestStreamQueryBeginsAgainAfterAnExpiredResult(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 3}, databricks.Config{})
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultResultExpired, Times: 1})
	rec := newRowRecorder()
	if _, err := client.StreamQuery(context.Background(), query("SELECT i FROM range(30) AS t(i) ORDER BY i"), rec); err != nil {
		t.Fatal(err)
	}
	if rec.begins != 2 || len(rec.rows) != 30 || len(rec.twice) > 0 {
		t.Errorf("begins %d, %d rows, given twice %v", rec.begins, len(rec.rows), rec.twice)
	}
}

// The handler's error ends the query as it is, not as a malformed response, and is not
// a reason to run the statement again.
func TestStreamQueryStopsAtTheHandlersError(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 4}, databricks.Config{})
	for _, failAt := range []int64{2, 21} { // in the inline chunk, in a fetched one
		rec := newRowRecorder()
		rec.failAt = failAt
		_, err := client.StreamQuery(context.Background(), query("SELECT i FROM range(40) AS t(i) ORDER BY i"), rec)
		if !errors.Is(err, errConverter) || errors.Is(err, databricks.ErrMalformedResponse) {
			t.Errorf("failing at row %d: err = %v", failAt, err)
		}
	}
	if n := srv.Log().Count(emulator.EndpointExecute); n != 2 {
		t.Errorf("%d executions for 2 queries", n)
	}
}

// A chunk that fails cancels the chunks in flight instead of waiting for them.
func TestQueryCancelsTheOtherChunksWhenOneFails(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 1}, databricks.Config{Timeout: 10 * time.Minute, MaxParallelChunks: 4})
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultInternalError, Times: 1})
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointChunk, Kind: emulator.FaultSlow, Delay: 5 * time.Minute})
	// The deadline is only there to tell an abandoned wait from a cancellation: a client
	// that waited for the slow chunks would return when it passed.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := client.Query(ctx, query("SELECT i FROM range(20) AS t(i) ORDER BY i"))
	if !errors.Is(err, databricks.ErrInternal) {
		t.Fatalf("err = %v, want the failed chunk's 500", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the query waited for the slow chunks instead of canceling them")
	}
	if n := srv.Log().Count(emulator.EndpointChunk); n > 4 {
		t.Errorf("%d chunk requests after the failure, want none beyond the first 4", n)
	}
}

// Polling a statement that missed the long poll backs off: a warehouse that takes a
// second to start costs a handful of requests, not a stream of them.
func TestQueryPollsWithBackOff(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{Warehouses: []emulator.Warehouse{
		{ID: emulator.DefaultWarehouseID, State: "STOPPED", StartDelay: time.Second},
	}}, databricks.Config{Timeout: 5 * time.Second}) // long poll of 0s
	if _, err := client.Query(context.Background(), query("SELECT 1")); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log().Count(emulator.EndpointGetStatement); n > 5 {
		t.Errorf("%d polls for a one-second start", n)
	}
}
