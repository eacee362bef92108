package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func fetchChunk(t *testing.T, s *Server, path string) wireResult {
	t.Helper()
	c := do(t, s, http.MethodGet, path, nil)
	if c.status != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d %s", path, c.status, c.body)
	}
	var r wireResult
	c.decode(t, &r)
	return r
}

func TestChunks(t *testing.T) {
	t.Parallel()
	s := start(t, Options{RowsPerChunk: 3, SampleTrips: -1})
	st := mustSucceed(t, s, "SELECT i, 'row ' || i AS label FROM range(10) t(i) ORDER BY i")
	m := st.Manifest
	if m.TotalRowCount != 10 || m.TotalChunkCount != 4 || len(m.Chunks) != 4 || m.Truncated {
		t.Fatalf("manifest %+v", m)
	}
	offset := 0
	for i, c := range m.Chunks {
		want := min(3, 10-offset)
		if c.ChunkIndex != i || c.RowOffset != offset || c.RowCount != want {
			t.Fatalf("chunk %d: %+v", i, c)
		}
		offset += c.RowCount
	}
	first := st.Result
	if first.ChunkIndex != 0 || first.RowCount != 3 || len(first.DataArray) != 3 || first.NextChunkIndex == nil || *first.NextChunkIndex != 1 {
		t.Fatalf("first chunk %+v", first)
	}
	wantLink := fmt.Sprintf("/api/2.0/sql/statements/%s/result/chunks/1?row_offset=3", st.StatementID)
	if first.NextChunkInternalLink != wantLink {
		t.Fatalf("next link %q, want %q", first.NextChunkInternalLink, wantLink)
	}

	// Follow the links as given, query string included.
	rows := cells(first)
	link := first.NextChunkInternalLink
	for link != "" {
		r := fetchChunk(t, s, link)
		rows = append(rows, cells(&r)...)
		link = r.NextChunkInternalLink
		if r.ChunkIndex == 3 && (r.NextChunkIndex != nil || link != "") {
			t.Fatalf("last chunk links on: %+v", r)
		}
	}
	for i, row := range rows {
		if row[0] != strconv.Itoa(i) || row[1] != "row "+strconv.Itoa(i) {
			t.Fatalf("row %d = %v", i, row)
		}
	}
	if len(rows) != 10 {
		t.Fatalf("%d rows via links", len(rows))
	}

	// Any order, without the query string.
	for _, i := range []int{3, 1, 2, 0} {
		r := fetchChunk(t, s, fmt.Sprintf("/api/2.0/sql/statements/%s/result/chunks/%d", st.StatementID, i))
		if r.ChunkIndex != i || r.RowOffset != m.Chunks[i].RowOffset || len(r.DataArray) != m.Chunks[i].RowCount || cells(&r)[0][0] != strconv.Itoa(r.RowOffset) {
			t.Fatalf("chunk %d out of order: %+v", i, r)
		}
	}
	for _, bad := range []string{"4", "-1", "x"} {
		c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+st.StatementID+"/result/chunks/"+bad, nil)
		if c.status != http.StatusBadRequest {
			t.Errorf("chunk %s: HTTP %d", bad, c.status)
		}
	}
	if c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/01efffff-ffff-1fff-ffff-ffffffffffff/result/chunks/0", nil); c.status != http.StatusNotFound {
		t.Errorf("chunk of unknown statement: HTTP %d", c.status)
	}
	if n := s.Log().Count(EndpointChunk); n != 3+4+3+1 {
		t.Errorf("chunk requests logged: %d", n)
	}
}

// TestZeroRows: no chunks, total_chunk_count 0, a result without data_array.
func TestZeroRows(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	st := mustSucceed(t, s, "SELECT 1 AS x WHERE false")
	m := st.Manifest
	if m.TotalRowCount != 0 || m.TotalChunkCount != 0 || len(m.Chunks) != 0 || m.Schema.ColumnCount != 1 || m.Schema.Columns[0].Name != "x" {
		t.Fatalf("manifest %+v", m)
	}
	if st.Result == nil || st.Result.RowCount != 0 || st.Result.DataArray != nil || st.Result.NextChunkIndex != nil {
		t.Fatalf("result %+v", st.Result)
	}
	r := fetchChunk(t, s, "/api/2.0/sql/statements/"+st.StatementID+"/result/chunks/0")
	if r.RowCount != 0 || r.DataArray != nil {
		t.Fatalf("chunk 0 %+v", r)
	}
}

func TestRowLimit(t *testing.T) {
	t.Parallel()
	s := start(t, Options{RowsPerChunk: 2, SampleTrips: -1})
	st := mustSucceed(t, s, "SELECT i FROM range(10) t(i)", map[string]any{"row_limit": 5})
	if st.Manifest.TotalRowCount != 5 || !st.Manifest.Truncated || st.Manifest.TotalChunkCount != 3 {
		t.Fatalf("row_limit 5: %+v", st.Manifest)
	}
	st = mustSucceed(t, s, "SELECT i FROM range(10) t(i)", map[string]any{"row_limit": 10})
	if st.Manifest.TotalRowCount != 10 || st.Manifest.Truncated {
		t.Fatalf("row_limit 10 of 10: %+v", st.Manifest)
	}
}

func TestByteLimit(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	st := mustSucceed(t, s, "SELECT 'xxxxxxxxxx' AS v FROM range(100)", map[string]any{"byte_limit": 100})
	n := st.Manifest.TotalRowCount
	if !st.Manifest.Truncated || n == 0 || n >= 100 || len(st.Result.DataArray) != n {
		t.Fatalf("byte_limit 100: %d rows, truncated %v", n, st.Manifest.Truncated)
	}
	st = mustSucceed(t, s, "SELECT 1", map[string]any{"byte_limit": 1 << 20})
	if st.Manifest.Truncated {
		t.Fatalf("small result truncated")
	}
}

func TestInlineLimit(t *testing.T) {
	t.Parallel()
	s := start(t, Options{InlineLimit: 100, SampleTrips: -1})
	st := query(t, s, "SELECT i FROM range(1000) t(i)")
	if st.Status.State != statementFailed || st.Status.Error == nil {
		t.Fatalf("over the inline limit: %+v", st.Status)
	}
	msg := st.Status.Error.Message
	if !strings.Contains(msg, "Inline byte limit exceeded") || !strings.Contains(msg, "at most 100 bytes") || !strings.Contains(msg, "disposition=EXTERNAL_LINKS") {
		t.Fatalf("message %q", msg)
	}
	mustSucceed(t, s, "SELECT 1")
	// byte_limit truncates before the inline limit fails the statement.
	st = mustSucceed(t, s, "SELECT i FROM range(1000) t(i)", map[string]any{"byte_limit": 50})
	if !st.Manifest.Truncated {
		t.Fatalf("byte_limit under the inline limit: %+v", st.Manifest)
	}
}

func TestDefaultInlineLimitMessage(t *testing.T) {
	t.Parallel()
	if msg := inlineLimitFailure(defaultInlineLimit).message(); !strings.Contains(msg, "at most 26214400 bytes") {
		t.Fatalf("message %q", msg)
	}
}

func TestExpireResults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{RowsPerChunk: 1, SampleTrips: -1})
	st := mustSucceed(t, s, "SELECT 1 UNION ALL SELECT 2")
	s.ExpireResults()
	for _, path := range []string{"/api/2.0/sql/statements/" + st.StatementID, "/api/2.0/sql/statements/" + st.StatementID + "/result/chunks/1"} {
		c := do(t, s, http.MethodGet, path, nil)
		if e := c.apiError(t); c.status != http.StatusNotFound || e.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
			t.Errorf("GET %s after expiry: HTTP %d %s", path, c.status, c.body)
		}
	}
	if s.StatementState(st.StatementID) != statementSucceeded {
		t.Errorf("StatementState after expiry: %s", s.StatementState(st.StatementID))
	}
}

func TestResultTTL(t *testing.T) {
	t.Parallel()
	s := start(t, Options{ResultTTL: 50 * time.Millisecond, SampleTrips: -1})
	st := mustSucceed(t, s, "SELECT 1")
	deadline := time.Now().Add(10 * time.Second)
	for {
		c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+st.StatementID, nil)
		if c.status == http.StatusNotFound {
			break
		}
		if c.status != http.StatusOK || time.Now().After(deadline) {
			t.Fatalf("HTTP %d %s", c.status, c.body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
