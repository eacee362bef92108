package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The wire shapes as a client decodes them. They are declared here rather
// than reusing the emulator's own types so that a wrong JSON tag in the
// emulator shows up as a failing test.
type wireStatement struct {
	StatementID string `json:"statement_id"`
	Status      struct {
		State string `json:"state"`
		Error *struct {
			ErrorCode string `json:"error_code"`
			Message   string `json:"message"`
		} `json:"error"`
		SQLState string `json:"sql_state"`
	} `json:"status"`
	Manifest *wireManifest `json:"manifest"`
	Result   *wireResult   `json:"result"`
}

type wireManifest struct {
	Format string `json:"format"`
	Schema struct {
		ColumnCount int          `json:"column_count"`
		Columns     []wireColumn `json:"columns"`
	} `json:"schema"`
	TotalChunkCount int  `json:"total_chunk_count"`
	TotalRowCount   int  `json:"total_row_count"`
	Truncated       bool `json:"truncated"`
	Chunks          []struct {
		ChunkIndex int `json:"chunk_index"`
		RowOffset  int `json:"row_offset"`
		RowCount   int `json:"row_count"`
	} `json:"chunks"`
}

type wireColumn struct {
	Name          string `json:"name"`
	Position      int    `json:"position"`
	TypeName      string `json:"type_name"`
	TypeText      string `json:"type_text"`
	TypePrecision *int   `json:"type_precision"`
	TypeScale     *int   `json:"type_scale"`
}

type wireResult struct {
	ChunkIndex            int         `json:"chunk_index"`
	RowOffset             int         `json:"row_offset"`
	RowCount              int         `json:"row_count"`
	DataArray             [][]*string `json:"data_array"`
	NextChunkIndex        *int        `json:"next_chunk_index"`
	NextChunkInternalLink string      `json:"next_chunk_internal_link"`
}

type wireError struct {
	ErrorCode any    `json:"error_code"` // a string, or a number for auth failures
	Message   string `json:"message"`
	Details   []struct {
		Type      string `json:"@type"`
		RequestID string `json:"request_id"`
	} `json:"details"`
}

// start runs an emulator for one test. Tests that do not read the sample
// table skip loading it.
func start(t *testing.T, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func startBare(t *testing.T) *Server {
	t.Helper()
	return start(t, Options{SampleTrips: -1})
}

// call is one HTTP exchange with the emulator.
type call struct {
	status int
	header http.Header
	body   []byte
}

func (c call) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(c.body, v); err != nil {
		t.Fatalf("decoding %s: %v", c.body, err)
	}
}

func (c call) apiError(t *testing.T) wireError {
	t.Helper()
	var e wireError
	c.decode(t, &e)
	return e
}

// do sends a request with the default token.
func do(t *testing.T, s *Server, method, path string, body any) call {
	t.Helper()
	return doToken(t, s, DefaultToken, method, path, body)
}

func doToken(t *testing.T, s *Server, token, method, path string, body any) call {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("User-Agent", "emulator-test/1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return call{status: resp.StatusCode, header: resp.Header, body: raw}
}

// submit posts a statement and returns the response; it fails the test on a
// non-200 answer.
func submit(t *testing.T, s *Server, body map[string]any) wireStatement {
	t.Helper()
	if _, ok := body["warehouse_id"]; !ok {
		body["warehouse_id"] = DefaultWarehouseID
	}
	c := do(t, s, http.MethodPost, "/api/2.0/sql/statements", body)
	if c.status != http.StatusOK {
		t.Fatalf("execute: HTTP %d: %s", c.status, c.body)
	}
	var st wireStatement
	c.decode(t, &st)
	return st
}

// query runs SQL to a terminal state and returns the final response.
func query(t *testing.T, s *Server, sql string, extra ...map[string]any) wireStatement {
	t.Helper()
	body := map[string]any{"statement": sql, "wait_timeout": "30s"}
	for _, e := range extra {
		for k, v := range e {
			body[k] = v
		}
	}
	st := submit(t, s, body)
	if !terminal(st.Status.State) {
		st = waitState(t, s, st.StatementID, terminal)
	}
	return st
}

// mustSucceed runs SQL and fails the test unless it SUCCEEDED.
func mustSucceed(t *testing.T, s *Server, sql string, extra ...map[string]any) wireStatement {
	t.Helper()
	st := query(t, s, sql, extra...)
	if st.Status.State != statementSucceeded {
		t.Fatalf("%s: state %s, error %+v", sql, st.Status.State, st.Status.Error)
	}
	return st
}

// getStatement fetches a statement's current state.
func getStatement(t *testing.T, s *Server, id string) wireStatement {
	t.Helper()
	c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+id, nil)
	if c.status != http.StatusOK {
		t.Fatalf("get statement: HTTP %d: %s", c.status, c.body)
	}
	var st wireStatement
	c.decode(t, &st)
	return st
}

// waitState polls GET until the state satisfies ok. It does not measure time:
// the deadline only keeps a broken test from hanging.
func waitState(t *testing.T, s *Server, id string, ok func(string) bool) wireStatement {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := getStatement(t, s, id)
		if ok(st.Status.State) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("statement %s still %s", id, st.Status.State)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func is(states ...string) func(string) bool {
	return func(s string) bool {
		for _, want := range states {
			if s == want {
				return true
			}
		}
		return false
	}
}

// cells flattens a result's data to strings, "NULL" for null.
func cells(r *wireResult) [][]string {
	if r == nil {
		return nil
	}
	out := make([][]string, len(r.DataArray))
	for i, row := range r.DataArray {
		out[i] = make([]string, len(row))
		for j, c := range row {
			if c == nil {
				out[i][j] = "NULL"
			} else {
				out[i][j] = *c
			}
		}
	}
	return out
}

// single returns the only cell of a one-row, one-column result.
func single(t *testing.T, st wireStatement) string {
	t.Helper()
	rows := cells(st.Result)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("want one cell, got %v", rows)
	}
	return rows[0][0]
}
