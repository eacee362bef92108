package databricks_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The fuzz targets of this file feed arbitrary bytes to the client's decoding, through
// the client itself where they can (a local server answers with the fuzzed bytes), so
// that every path a response takes is covered: status handling, error bodies, JSON
// decoding, statement states and chunk links. Any bytes in, an error or a value out,
// never a panic, never the token in an error.

// fuzzToken is the client's token; the fuzzed server never sends it back, so an error
// that holds it made it up from the request.
const fuzzToken = "dapiFUZZ0123456789abcdef0123456789"

// fuzzServer answers every request from whatever answer is set. A fuzz worker runs
// inputs one after another, so one server serves them all.
type fuzzServer struct {
	*httptest.Server
	mu     sync.Mutex
	answer func(r *http.Request) (int, []byte)
}

func newFuzzServer(f *testing.F) *fuzzServer {
	s := &fuzzServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		answer := s.answer
		s.mu.Unlock()
		status, body := answer(r)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	f.Cleanup(s.Close)
	return s
}

func (s *fuzzServer) set(answer func(r *http.Request) (int, []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answer = answer
}

// fuzzClient talks to s and never retries: a fuzzed 429 or 503 is answered at once.
func fuzzClient(t testing.TB, s *fuzzServer) *databricks.Client {
	t.Helper()
	client, err := databricks.New(databricks.Config{
		BaseURL:     s.URL,
		Credentials: databricks.PersonalAccessToken(fuzzToken),
		Timeout:     5 * time.Second,
		Retry:       databricks.RetryPolicy{MaxElapsed: time.Nanosecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// checkError asserts what every error must be: readable text, valid UTF-8 when what
// the server sent was, and without the token.
func checkError(t *testing.T, what string, err error, validInput bool) {
	t.Helper()
	msg := err.Error()
	switch {
	case strings.TrimSpace(msg) == "":
		t.Fatalf("%s: an empty error", what)
	case validInput && !utf8.ValidString(msg):
		t.Fatalf("%s: an error that is not valid UTF-8 from a response that was: %q", what, msg)
	case strings.Contains(msg, fuzzToken) || strings.Contains(msg, fuzzToken[:12]):
		t.Fatalf("%s: the error holds the token", what)
	}
}

// Bodies of the shapes Databricks sends, for the seed corpora.
var responseSeeds = []string{
	`{"id":"1","userName":"a@example.com","displayName":"A","active":true}`,
	`{"statement_id":"01ef","status":{"state":"SUCCEEDED"},"manifest":{"format":"JSON_ARRAY","schema":{"column_count":2,"columns":[{"name":"id","position":0,"type_name":"LONG","type_text":"BIGINT"},{"name":"p","position":1,"type_name":"DECIMAL","type_text":"DECIMAL(10,2)","type_precision":10,"type_scale":2}]},"total_chunk_count":2,"total_row_count":3,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":2},{"chunk_index":1,"row_offset":2,"row_count":1}],"truncated":false},"result":{"chunk_index":0,"row_offset":0,"row_count":2,"data_array":[["1","9.99"],["2",null]],"next_chunk_index":1,"next_chunk_internal_link":"/api/2.0/sql/statements/01ef/result/chunks/1?row_offset=2"}}`,
	`{"chunk_index":1,"row_offset":2,"row_count":1,"data_array":[["3","0.01"]]}`,
	`{"statement_id":"01ef","status":{"state":"PENDING"}}`,
	`{"statement_id":"01ef","status":{"state":"FAILED","error":{"error_code":"BAD_REQUEST","message":"[PARSE_SYNTAX_ERROR] x"},"sql_state":"42601"}}`,
	`{"statement_id":"01ef","status":{"state":"FAILED","error":{"error_code":403,"message":"x"}}}`,
	`{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"gone","details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","request_id":"r1"}]}`,
	`{"error_code":403,"message":"Invalid access token."}`,
	`{"warehouses":[{"id":"a1","name":"W","state":"RUNNING","health":{"status":"HEALTHY"}}],"next_page_token":"p2"}`,
	`{"token_value":"dapiNEW","token_info":{"token_id":"t1","creation_time":1,"expiry_time":-1,"comment":"c"}}`,
	`{"token_infos":[{"token_id":"t1","comment":"c","creation_time":1,"expiry_time":2}]}`,
	"<html><head><title>Error 403 Invalid access token.</title></head></html>",
	"TEMPORARILY_UNAVAILABLE: try later",
	`{"statement_id":"01ef`,
	"",
	"\xff\xfe",
	// An error text cut to length must not be cut inside a character.
	strings.Repeat("a", 299) + "é and more",
}

// FuzzClientResponses answers every call of the client with one status and body.
func FuzzClientResponses(f *testing.F) {
	for _, body := range responseSeeds {
		for _, status := range []uint16{200, 403, 429, 503} {
			f.Add(status, []byte(body))
		}
	}
	srv := newFuzzServer(f)
	client := fuzzClient(f, srv)
	f.Fuzz(func(t *testing.T, rawStatus uint16, body []byte) {
		// 1xx is not an answer, and net/http refuses 600 and up.
		status := int(rawStatus)
		if status < 200 || status > 599 {
			status = 200 + status%400
		}
		srv.set(func(*http.Request) (int, []byte) { return status, body })
		ctx := context.Background()
		calls := map[string]func() (bool, error){
			"CurrentUser":     func() (bool, error) { v, err := client.CurrentUser(ctx); return v != nil, err },
			"GetWarehouse":    func() (bool, error) { v, err := client.GetWarehouse(ctx, "a1"); return v != nil, err },
			"ListWarehouses":  func() (bool, error) { _, err := client.ListWarehouses(ctx); return true, err },
			"CancelStatement": func() (bool, error) { return true, client.CancelStatement(ctx, "01ef") },
			"CreateToken": func() (bool, error) {
				v, err := client.CreateToken(ctx, databricks.CreateTokenRequest{Comment: "c"})
				return v != nil, err
			},
			"ListTokens":  func() (bool, error) { _, err := client.ListTokens(ctx); return true, err },
			"DeleteToken": func() (bool, error) { return true, client.DeleteToken(ctx, "t1") },
		}
		for name, call := range calls {
			gotValue, err := call()
			if err == nil {
				if status > 299 {
					t.Fatalf("%s: HTTP %d was taken for a success", name, status)
				}
				if !gotValue {
					t.Fatalf("%s: neither a value nor an error", name)
				}
				continue
			}
			checkError(t, name, err, utf8.Valid(body))
			var apiErr *databricks.APIError
			var redirect *databricks.RedirectError
			switch {
			case status >= 300 && status <= 399 && (!errors.As(err, &redirect) || redirect.StatusCode != status):
				t.Fatalf("%s: HTTP %d gave %T %v, want a RedirectError with that status", name, status, err, err)
			case status > 399 && (!errors.As(err, &apiErr) || apiErr.StatusCode != status):
				t.Fatalf("%s: HTTP %d gave %T %v, want an APIError with that status", name, status, err, err)
			case status <= 299 && !errors.Is(err, databricks.ErrMalformedResponse):
				t.Fatalf("%s: HTTP %d gave %v, want a malformed-response error", name, status, err)
			}
		}
	})
}

// FuzzQuery runs a whole query, and a run, against a workspace whose submission, polling
// and chunk answers are fuzzed: states that never end, chunk links that loop, manifests
// that lie.
func FuzzQuery(f *testing.F) {
	succeeded, chunk := responseSeeds[1], responseSeeds[2]
	f.Add([]byte(succeeded), []byte(succeeded), []byte(chunk))
	f.Add([]byte(responseSeeds[3]), []byte(succeeded), []byte(chunk))
	f.Add([]byte(responseSeeds[3]), []byte(responseSeeds[4]), []byte(chunk))
	f.Add([]byte(responseSeeds[5]), []byte(""), []byte(""))
	f.Add([]byte(succeeded), []byte(""), []byte(`{"chunk_index":1,"data_array":[["3","x"]],"next_chunk_index":1}`))
	f.Add([]byte(succeeded), []byte(""), []byte(`{"data_array":[["3"]],"next_chunk_internal_link":"https://evil.example/x"}`))
	f.Add([]byte(`{"statement_id":"01ef","status":{"state":"SUCCEEDED"}}`), []byte(""), []byte(""))
	f.Add([]byte(`{"statement_id":"01ef","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i"}]},"total_chunk_count":2,"total_row_count":2,`+
		`"chunks":[{"chunk_index":0,"row_offset":0,"row_count":1},{"chunk_index":1,"row_offset":1,"row_count":1}]},`+
		`"result":{"external_links":[{"chunk_index":0,"row_count":1,"external_link":"ftp://storage.invalid/0","http_headers":{"Cookie":"x"}}]}}`),
		[]byte(""), []byte(`{"external_links":[{"chunk_index":1,"external_link":"https://user:pw@storage.invalid/1","expiration":"2000-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{"statement_id":"01ef","status":{"state":"SUCCEEDED"},"manifest":{"total_row_count":-5,"schema":{"columns":[]}}}`), []byte(""), []byte(""))

	srv := newFuzzServer(f)
	client := fuzzClient(f, srv)
	f.Fuzz(func(t *testing.T, submit, poll, chunk []byte) {
		srv.set(func(r *http.Request) (int, []byte) {
			switch {
			case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/cancel"):
				return http.StatusOK, nil
			case r.Method == http.MethodPost:
				return http.StatusOK, submit
			case strings.Contains(r.URL.Path, "/result/chunks/"):
				return http.StatusOK, chunk
			default:
				return http.StatusOK, poll
			}
		})
		// Bounded: a statement that never ends is polled until this runs out.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		validInput := utf8.Valid(submit) && utf8.Valid(poll) && utf8.Valid(chunk)
		res, err := client.Query(ctx, databricks.QueryRequest{WarehouseID: "a1", Statement: "SELECT 1"})
		switch {
		case err != nil:
			checkError(t, "Query", err, validInput)
		case res == nil:
			t.Fatal("neither a result nor an error")
		default:
			for i, row := range res.Rows {
				if len(row) != len(res.Columns) {
					t.Fatalf("row %d has %d cells for %d columns", i, len(row), len(res.Columns))
				}
			}
		}
		// A run takes the same path to a terminal state, sending its statement once.
		runCtx, cancelRun := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancelRun()
		if _, err := client.Run(runCtx, databricks.RunRequest{WarehouseID: "a1", Statement: "DELETE FROM t"}); err != nil {
			checkError(t, "Run", err, validInput)
		}
	})
}

// FuzzDecodeTypes decodes any bytes into each response type the client exports, the
// shortest path to the custom decoders (rows, numeric or text error codes).
func FuzzDecodeTypes(f *testing.F) {
	for _, body := range responseSeeds {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{
			&databricks.StatementResponse{}, &databricks.ResultChunk{}, &databricks.ResultManifest{},
			&databricks.CurrentUser{}, &databricks.Warehouse{}, &databricks.CreatedToken{}, &databricks.TokenInfo{},
			&databricks.Row{},
		} {
			_ = json.Unmarshal(data, v) // any error is fine; a panic is not
		}
		var resp databricks.StatementResponse
		if json.Unmarshal(data, &resp) == nil && resp.Status.Error != nil {
			_ = resp.Status.Error.Message
		}
	})
}
