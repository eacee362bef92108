package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
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

// rowRecorder is a RowHandler that remembers what it was given, and can fail on purpose.
type rowRecorder struct {
	mu     sync.Mutex
	begins int
	info   databricks.ResultInfo
	rows   map[int64]string // index -> the first cell
	twice  []int64          // indexes given more than once
	failAt int64            // Row fails at this index; -1 never
}

func newRowRecorder() *rowRecorder { return &rowRecorder{failAt: -1} }

func (r *rowRecorder) Begin(info databricks.ResultInfo) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begins++
	r.info = info
	r.rows = map[int64]string{}
	return nil
}

func (r *rowRecorder) Row(index int64, row databricks.Row) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if index == r.failAt {
		return errConverter
	}
	if _, seen := r.rows[index]; seen {
		r.twice = append(r.twice, index)
	}
	r.rows[index] = row[0].Text
	return nil
}

var errConverter = errors.New("the converter refuses this row")

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

// fakeWorkspace answers the statement and its chunks from canned JSON, for results the
// emulator would never send.
func fakeWorkspace(t *testing.T, statement string, chunks map[string]string) (*databricks.Client, *requestCounter) {
	t.Helper()
	counter := &requestCounter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		counter.add(r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			fmt.Fprint(w, statement)
			return
		}
		body, ok := chunks[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"no such chunk"}`)
			return
		}
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Token: emulator.DefaultToken, Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	return client, counter
}

type requestCounter struct {
	mu    sync.Mutex
	paths []string
}

func (c *requestCounter) add(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.paths = append(c.paths, p)
}

const chunkPath = "/api/2.0/sql/statements/s1/result/chunks/"

// A manifest that does not list its chunks is read by following each chunk's link.
func TestQueryFollowsLinksWhenTheManifestListsNoChunks(t *testing.T) {
	t.Parallel()
	client, counter := fakeWorkspace(t,
		`{"statement_id":"s1","status":{"state":"SUCCEEDED"},
		  "manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},"total_chunk_count":3,"total_row_count":5},
		  "result":{"chunk_index":0,"row_offset":0,"row_count":2,"data_array":[["0"],["1"]],"next_chunk_index":1,"next_chunk_internal_link":"`+chunkPath+`1?row_offset=2"}}`,
		map[string]string{
			// Fields in another order, and fields the client does not know, with nesting.
			chunkPath + "1": ` { "data_array" : [ ["2"] , ["3"] ], "external_links": null, "x": {"a": [1, {"b": "}]"}]},
			                     "next_chunk_index": 2, "row_count": 2, "chunk_index": 1 } `,
			chunkPath + "2": `{"chunk_index":2,"row_offset":4,"row_count":1,"data_array":[["4"]]}`,
		})
	res, err := client.Query(context.Background(), query("SELECT i"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range res.Rows {
		got = append(got, row[0].Text)
	}
	if strings.Join(got, ",") != "0,1,2,3,4" {
		t.Errorf("rows = %v", got)
	}
	want := []string{"/api/2.0/sql/statements", chunkPath + "1?row_offset=2", chunkPath + "2"}
	if strings.Join(counter.paths, " ") != strings.Join(want, " ") {
		t.Errorf("requests = %v, want %v", counter.paths, want)
	}
}

// The rows the manifest promises are the rows that must arrive, chunk by chunk; the
// handler never sees an index outside the result.
func TestQueryChecksRowsAgainstTheManifest(t *testing.T) {
	t.Parallel()
	const listed = `"total_chunk_count":2,"total_row_count":4,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":2},{"chunk_index":1,"row_offset":2,"row_count":2}]`
	const unlisted = `"total_chunk_count":2,"total_row_count":3`
	first := `"result":{"chunk_index":0,"row_offset":0,"row_count":2,"data_array":[["0"],["1"]],"next_chunk_index":1}`
	cases := map[string]struct{ manifest, chunk1, want string }{
		"listed chunk short":      {listed, `{"chunk_index":1,"data_array":[["2"]]}`, "promises 2 rows in chunk 1 but it held 1"},
		"listed chunk long":       {listed, `{"chunk_index":1,"data_array":[["2"],["3"],["4"]]}`, "holds more than the 2 rows"},
		"listed wrong chunk":      {listed, `{"chunk_index":0,"data_array":[["2"],["3"]]}`, "asked for chunk 1, received chunk 0"},
		"listed wrong width":      {listed, `{"chunk_index":1,"data_array":[["2","x"],["3","y"]]}`, "has 2 values for 1 columns"},
		"unlisted chunks short":   {unlisted, `{"chunk_index":1,"data_array":[]}`, "promises 3 rows but the chunks held 2"},
		"unlisted chunks long":    {unlisted, `{"chunk_index":1,"data_array":[["2"],["3"]]}`, "hold more than the 3 rows"},
		"malformed chunk is told": {listed, `{"chunk_index":1,"data_array":[["2"],[3}`, "not valid JSON"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := fakeWorkspace(t,
				`{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},`+tc.manifest+`},`+first+`}`,
				map[string]string{chunkPath + "1": tc.chunk1})
			rec := newRowRecorder()
			_, err := client.StreamQuery(context.Background(), query("SELECT i"), rec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for index := range rec.rows {
				if index < 0 || index >= rec.info.TotalRowCount {
					t.Errorf("the handler was given row %d of %d", index, rec.info.TotalRowCount)
				}
			}
		})
	}
}

// A manifest promising more rows than the result can hold is refused before a handler
// makes room for them.
func TestQueryRefusesImpossibleRowCounts(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		total    string
		rowLimit int64
	}{
		"beyond an INLINE result": {total: "1000000000000"},
		"beyond the row limit":    {total: "11", rowLimit: 10},
		"negative":                {total: "-1"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := fakeWorkspace(t, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},
			  "manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},"total_chunk_count":1,"total_row_count":`+tc.total+`}}`, nil)
			rec := newRowRecorder()
			q := query("SELECT i")
			q.RowLimit = tc.rowLimit
			_, err := client.StreamQuery(context.Background(), q, rec)
			if err == nil || !strings.Contains(err.Error(), "cannot hold") || rec.begins != 0 {
				t.Errorf("err = %v after %d calls of Begin", err, rec.begins)
			}
		})
	}
}
