package databricks_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// fakeWorkspace answers the statement and its chunks from canned JSON, for results the
// emulator would never send.
func fakeWorkspace(t *testing.T, statement string, chunks map[string]string) (*databricks.Client, *fakeServer) {
	t.Helper()
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			answer(w, http.StatusOK, statement)
			return
		}
		body, ok := chunks[r.URL.Path]
		if !ok {
			apiError(w, http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "no such chunk")
			return
		}
		answer(w, http.StatusOK, body)
	})
	return srv.client(t, databricks.Config{}), srv
}

const chunkPath = "/api/2.0/sql/statements/s1/result/chunks/"

// A manifest that does not list its chunks is read by following each chunk's link.
func TestQueryFollowsLinksWhenTheManifestListsNoChunks(t *testing.T) {
	t.Parallel()
	client, srv := fakeWorkspace(t,
		`{"statement_id":"s1","status":{"state":"SUCCEEDED"},
		  "manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},"total_chunk_count":3,"total_row_count":5},
		  "result":{"chunk_index":0,"row_offset":0,"row_count":2,"data_array":[["0"],["1"]],"next_chunk_index":1,"next_chunk_internal_link":"`+chunkPath+`1?row_offset=2"}}`,
		map[string]string{
			// Fields in another order, and fields the client does not know, with nesting.
			chunkPath + "1": ` { "data_array" : [ ["2"] , ["3"] ], "external_links": null, "x": {"a": [1, {"b": "}]"}]},
			                     "next_chunk_index": 2, "row_count": 2, "chunk_index": 1 } `,
			chunkPath + "2": `{"chunk_index":2,"row_offset":4,"row_count":1,"data_array":[["4"]]}`,
		})
	res, err := client.Query(context.Background(), fakeQuery("SELECT i"))
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
	if strings.Join(srv.paths(), " ") != strings.Join(want, " ") {
		t.Errorf("requests = %v, want %v", srv.paths(), want)
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
			_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), rec)
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
			q := fakeQuery("SELECT i")
			q.RowLimit = tc.rowLimit
			_, err := client.StreamQuery(context.Background(), q, rec)
			if err == nil || !strings.Contains(err.Error(), "cannot hold") || rec.begins != 0 {
				t.Errorf("err = %v after %d calls of Begin", err, rec.begins)
			}
		})
	}
}

// A chunk is decoded as it arrives, so a connection lost mid-body has already handed
// rows on: the retried request reads the chunk from its start, and hands on only the
// rows not yet handed on.
func TestQueryChunkCutMidBodyHandsEachRowOnce(t *testing.T) {
	t.Parallel()
	var rows []string
	for i := 2; i < 2002; i++ {
		rows = append(rows, fmt.Sprintf(`["%d"]`, i))
	}
	chunk1 := `{"chunk_index":1,"row_offset":2,"row_count":2000,"data_array":[` + strings.Join(rows, ",") + `]}`
	var mu sync.Mutex
	attempts := 0
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			answer(w, http.StatusOK, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
			  "total_chunk_count":2,"total_row_count":2002,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":2},{"chunk_index":1,"row_offset":2,"row_count":2000}]},
			  "result":{"chunk_index":0,"row_offset":0,"row_count":2,"data_array":[["0"],["1"]]}}`)
			return
		}
		mu.Lock()
		attempts++
		first := attempts == 1
		mu.Unlock()
		if !first {
			answer(w, http.StatusOK, chunk1)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(chunk1), chunk1[:len(chunk1)/2])
		_ = buf.Flush()
	})
	rec := newRowRecorder()
	if _, err := srv.client(t, databricks.Config{}).StreamQuery(context.Background(), fakeQuery("SELECT i"), rec); err != nil {
		t.Fatal(err)
	}
	if attempts != 2 {
		t.Errorf("chunk 1 was requested %d times, want 2", attempts)
	}
	if len(rec.twice) > 0 || len(rec.rows) != 2002 || rec.rows[2001] != "2001" {
		t.Errorf("%d rows, given twice: %v", len(rec.rows), rec.twice)
	}
}
