package databricks_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The helpers of this file need no cgo: wire-level behaviour is tested against httptest
// servers that answer exactly as each test scripts them, so that
// `CGO_ENABLED=0 go test ./internal/databricks/...` runs it. End-to-end SQL goes through
// the emulator, in the files built only with cgo (emulator_test.go).

// testToken is the token of every client of a fake workspace; tests check it never
// appears in an error or reaches a server it was not meant for.
const testToken = "dapi0123456789abcdef0123456789abcdef"

// testWarehouse is the warehouse id fake workspaces are asked about.
const testWarehouse = "a1b2c3d4e5f60718"

// fastRetries keeps retry tests quick while exercising the real back-off path.
var fastRetries = databricks.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}

// fakeServer is an httptest server that logs every request it receives.
type fakeServer struct {
	*httptest.Server
	mu    sync.Mutex
	reqs  []seenRequest
	conns int
}

// seenRequest is one request as the fake server received it.
type seenRequest struct {
	Method        string
	Path          string // with the query string
	Authorization string
	UserAgent     string
	Body          []byte
	Time          time.Time
}

// newFakeServer serves handler, logging each request before handler answers it.
func newFakeServer(t testing.TB, handler http.HandlerFunc) *fakeServer {
	t.Helper()
	s := &fakeServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body)) // for handlers that read it again
		s.mu.Lock()
		s.reqs = append(s.reqs, seenRequest{
			Method: r.Method, Path: r.URL.RequestURI(), Authorization: r.Header.Get("Authorization"),
			UserAgent: r.Header.Get("User-Agent"), Body: body, Time: time.Now(),
		})
		s.mu.Unlock()
		handler(w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// client returns a client of the fake workspace: cfg as given, with the fake's URL, the
// test token and quick retries unless cfg says otherwise.
func (s *fakeServer) client(t testing.TB, cfg databricks.Config) *databricks.Client {
	t.Helper()
	cfg.BaseURL = s.URL
	if cfg.Credentials == nil {
		cfg.Credentials = databricks.PersonalAccessToken(testToken)
	}
	if cfg.Retry == (databricks.RetryPolicy{}) {
		cfg.Retry = fastRetries
	}
	client, err := databricks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

func (s *fakeServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.reqs...)
}

// count is how many requests of method reached a path starting with prefix.
func (s *fakeServer) count(method, prefix string) int {
	n := 0
	for _, r := range s.requests() {
		if r.Method == method && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// paths lists the path (with query string) of every request, in order.
func (s *fakeServer) paths() []string {
	var out []string
	for _, r := range s.requests() {
		out = append(out, r.Path)
	}
	return out
}

func (s *fakeServer) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// answer writes a JSON body with status.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

// apiError writes a Databricks error body.
func apiError(w http.ResponseWriter, status int, code, message string) {
	answer(w, status, fmt.Sprintf(`{"error_code":%q,"message":%q}`, code, message))
}

// dropConnection takes the connection over, writes the start of a 200 response and
// closes it: the request reached the server, and the client sees a body cut short.
func dropConnection(w http.ResponseWriter) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"statement_id\":\"01ef")
	_ = buf.Flush()
}

// Statement paths of the fake workspaces.
const (
	statementsPath = "/api/2.0/sql/statements"
	meURL          = "/api/2.0/preview/scim/v2/Me"
	warehousesURL  = "/api/2.0/sql/warehouses"
)

// fakeQuery is a query of a fake workspace.
func fakeQuery(statement string) databricks.QueryRequest {
	return databricks.QueryRequest{WarehouseID: testWarehouse, Statement: statement}
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
	r.rows[index] = strings.Clone(row[0].Text)
	return nil
}

var errConverter = errors.New("the converter refuses this row")
