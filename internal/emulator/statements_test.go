package emulator

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestExecuteValidation(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		msg    string
	}{
		{"no statement", map[string]any{"warehouse_id": DefaultWarehouseID}, 400, "INVALID_PARAMETER_VALUE", "statement"},
		{"no warehouse", map[string]any{"statement": "SELECT 1"}, 400, "INVALID_PARAMETER_VALUE", "warehouse_id"},
		{"unknown warehouse", map[string]any{"statement": "SELECT 1", "warehouse_id": "nope123"}, 404, "RESOURCE_DOES_NOT_EXIST", "nope123"},
		{"wait 1s", map[string]any{"statement": "SELECT 1", "wait_timeout": "1s"}, 400, "INVALID_PARAMETER_VALUE", "wait_timeout"},
		{"wait 51s", map[string]any{"statement": "SELECT 1", "wait_timeout": "51s"}, 400, "INVALID_PARAMETER_VALUE", "wait_timeout"},
		{"wait no unit", map[string]any{"statement": "SELECT 1", "wait_timeout": "10"}, 400, "INVALID_PARAMETER_VALUE", "wait_timeout"},
		{"wait garbage", map[string]any{"statement": "SELECT 1", "wait_timeout": "soon"}, 400, "INVALID_PARAMETER_VALUE", "wait_timeout"},
		{"on_wait_timeout", map[string]any{"statement": "SELECT 1", "on_wait_timeout": "LATER"}, 400, "INVALID_PARAMETER_VALUE", "on_wait_timeout"},
		{"disposition", map[string]any{"statement": "SELECT 1", "disposition": "ATTACHED"}, 400, "INVALID_PARAMETER_VALUE", "EXTERNAL_LINKS"},
		{"arrow links", map[string]any{"statement": "SELECT 1", "disposition": "EXTERNAL_LINKS", "format": "ARROW_STREAM"}, 400, "INVALID_PARAMETER_VALUE", "JSON_ARRAY only"},
		{"arrow inline", map[string]any{"statement": "SELECT 1", "format": "ARROW_STREAM"}, 400, "INVALID_PARAMETER_VALUE", "EXTERNAL_LINKS"},
		{"csv inline", map[string]any{"statement": "SELECT 1", "format": "CSV"}, 400, "INVALID_PARAMETER_VALUE", "EXTERNAL_LINKS"},
		{"row_limit 0", map[string]any{"statement": "SELECT 1", "row_limit": 0}, 400, "INVALID_PARAMETER_VALUE", "row_limit"},
		{"byte_limit -1", map[string]any{"statement": "SELECT 1", "byte_limit": -1}, 400, "INVALID_PARAMETER_VALUE", "byte_limit"},
		{"malformed", nil, 400, "MALFORMED_REQUEST", "JSON"},
	}
	for _, c := range cases {
		var body any = c.body
		if c.body == nil {
			body = `{"statement": `
		} else if _, ok := c.body["warehouse_id"]; !ok && c.name != "no warehouse" {
			c.body["warehouse_id"] = DefaultWarehouseID
		}
		got := do(t, s, http.MethodPost, "/api/2.0/sql/statements", body)
		e := got.apiError(t)
		if got.status != c.status || e.ErrorCode != c.code || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: HTTP %d %s", c.name, got.status, got.body)
		}
		if len(e.Details) != 1 || e.Details[0].RequestID != got.header.Get("X-Request-Id") || got.header.Get("X-Request-Id") == "" {
			t.Errorf("%s: details %+v do not carry the request id %q", c.name, e.Details, got.header.Get("X-Request-Id"))
		}
	}
	for _, wait := range []string{"0s", "5s", "50s"} {
		st := submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": wait})
		if st.StatementID == "" {
			t.Errorf("wait_timeout %s: no statement id", wait)
		}
	}
	if s.Log().Count(EndpointExecute) != len(cases)+3 {
		t.Errorf("logged %d execute requests", s.Log().Count(EndpointExecute))
	}
}

func TestExecuteTrailingSlashAndDefaults(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	// No wait_timeout: the default 10s wait returns the finished statement.
	c := do(t, s, http.MethodPost, "/api/2.0/sql/statements/", map[string]any{"statement": "SELECT 'ok' AS v", "warehouse_id": DefaultWarehouseID})
	var st wireStatement
	c.decode(t, &st)
	if c.status != http.StatusOK || st.Status.State != statementSucceeded || single(t, st) != "ok" {
		t.Fatalf("HTTP %d %s", c.status, c.body)
	}
	if !strings.HasPrefix(st.StatementID, "01ef") || len(st.StatementID) != 36 {
		t.Errorf("statement id %q does not look like a Databricks one", st.StatementID)
	}
	if st.Manifest.Format != "JSON_ARRAY" {
		t.Errorf("format %q", st.Manifest.Format)
	}
	got := getStatement(t, s, st.StatementID)
	if got.Status.State != statementSucceeded || single(t, got) != "ok" || got.Manifest == nil {
		t.Errorf("GET after success: %+v", got)
	}
}

func TestAsyncExecutionAndPolling(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Warehouses: []Warehouse{{ID: "w1", State: "STOPPED", StartDelay: time.Hour}}, SampleTrips: -1})
	st := submit(t, s, map[string]any{"statement": "SELECT 1", "warehouse_id": "w1", "wait_timeout": "0s"})
	if st.Status.State != statementPending || st.Manifest != nil || st.Result != nil {
		t.Fatalf("wait_timeout 0s: %+v", st)
	}
	if got := getStatement(t, s, st.StatementID); got.Status.State != statementPending {
		t.Fatalf("GET: %s", got.Status.State)
	}
	s.SetWarehouseState("w1", "RUNNING")
	done := waitState(t, s, st.StatementID, terminal)
	if done.Status.State != statementSucceeded || single(t, done) != "1" {
		t.Fatalf("after start: %+v", done)
	}
}

// TestColdStart: a statement on a STOPPED warehouse starts it, stays PENDING
// while it is STARTING, then runs. No wall-clock assertion: the test polls.
func TestColdStart(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Warehouses: []Warehouse{{ID: "cold", State: "STOPPED", StartDelay: 300 * time.Millisecond}}, SampleTrips: -1})
	if got := warehouseState(t, s, "cold"); got != stateStopped {
		t.Fatalf("initial state %s", got)
	}
	st := submit(t, s, map[string]any{"statement": "SELECT 42", "warehouse_id": "cold", "wait_timeout": "0s"})
	if st.Status.State != statementPending {
		t.Fatalf("state right after submit: %s", st.Status.State)
	}
	if got := warehouseState(t, s, "cold"); got != stateStarting && got != stateRunning {
		t.Fatalf("warehouse after submit: %s", got)
	}
	done := waitState(t, s, st.StatementID, terminal)
	if done.Status.State != statementSucceeded || single(t, done) != "42" {
		t.Fatalf("final: %+v", done.Status)
	}
	if got := warehouseState(t, s, "cold"); got != stateRunning {
		t.Fatalf("warehouse after the statement: %s", got)
	}
}

func warehouseState(t *testing.T, s *Server, id string) string {
	t.Helper()
	c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses/"+id, nil)
	var w struct {
		State string `json:"state"`
	}
	c.decode(t, &w)
	return w.State
}

func TestCancelPendingStatement(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Warehouses: []Warehouse{{ID: "w", State: "STOPPED", StartDelay: time.Hour}}, SampleTrips: -1})
	st := submit(t, s, map[string]any{"statement": "SELECT 1", "warehouse_id": "w", "wait_timeout": "0s"})
	c := do(t, s, http.MethodPost, "/api/2.0/sql/statements/"+st.StatementID+"/cancel", nil)
	if c.status != http.StatusOK || len(c.body) != 0 {
		t.Fatalf("cancel: HTTP %d %q", c.status, c.body)
	}
	if got := waitState(t, s, st.StatementID, terminal); got.Status.State != statementCanceled {
		t.Fatalf("after cancel: %s", got.Status.State)
	}
	if !s.Log().Canceled(st.StatementID) || s.StatementState(st.StatementID) != statementCanceled {
		t.Fatalf("log/state do not show the cancel")
	}
	if c := do(t, s, http.MethodPost, "/api/2.0/sql/statements/01efffff-ffff-1fff-ffff-ffffffffffff/cancel", nil); c.status != http.StatusNotFound {
		t.Fatalf("cancel unknown: HTTP %d", c.status)
	}
}

// TestCancelRunningStatement interrupts a query that DuckDB is executing.
func TestCancelRunningStatement(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	st := submit(t, s, map[string]any{"statement": "SELECT sum(a.i * b.i) FROM range(1000000) a(i), range(1000000) b(i)", "wait_timeout": "0s"})
	waitState(t, s, st.StatementID, is(statementRunning))
	do(t, s, http.MethodPost, "/api/2.0/sql/statements/"+st.StatementID+"/cancel", nil)
	if got := waitState(t, s, st.StatementID, terminal); got.Status.State != statementCanceled {
		t.Fatalf("after cancel: %+v", got.Status)
	}
}

func TestOnWaitTimeout(t *testing.T) {
	t.Parallel()
	for mode, want := range map[string]string{"CANCEL": statementCanceled, "CONTINUE": statementPending} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			s := startBare(t)
			s.AddFault(Fault{Kind: FaultStuckPending})
			st := submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": "5s", "on_wait_timeout": mode})
			if st.Status.State != want {
				t.Fatalf("on_wait_timeout %s: %s", mode, st.Status.State)
			}
		})
	}
}

func TestSQLErrors(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	cases := []struct{ sql, prefix, state string }{
		{"SELEC 1", "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'", "42601"},
		{"SELECT * FROM nope", "[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found", "42P01"},
		{"SELECT nope", "[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column, variable, or function parameter with name `nope` cannot be resolved", "42703"},
		{"SELECT CAST('abc' AS INT)", "[CAST_INVALID_INPUT] The value 'abc' of the type \"STRING\" cannot be cast to \"INT\"", "22018"},
		{"SELECT * FROM main.nope.t", "[", ""},
	}
	for _, c := range cases {
		st := query(t, s, c.sql)
		if st.Status.State != statementFailed || st.Status.Error == nil {
			t.Errorf("%s: %+v", c.sql, st.Status)
			continue
		}
		if st.Status.Error.ErrorCode != "BAD_REQUEST" || !strings.HasPrefix(st.Status.Error.Message, c.prefix) || st.Status.SQLState != c.state && c.state != "" {
			t.Errorf("%s: %s / %q / %s", c.sql, st.Status.Error.ErrorCode, st.Status.Error.Message, st.Status.SQLState)
		}
		if strings.Contains(st.Status.Error.Message, catalogPrefix) || strings.Contains(st.Status.Error.Message, metaDB) {
			t.Errorf("%s: message leaks the DuckDB catalog name: %s", c.sql, st.Status.Error.Message)
		}
	}
}

func TestCatalogSchemaAndDDL(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SampleTrips: 25})
	ddl := mustSucceed(t, s, "CREATE TABLE main.default.people (id BIGINT, name STRING)")
	if ddl.Manifest.Schema.ColumnCount != 0 || ddl.Manifest.TotalRowCount != 0 {
		t.Errorf("DDL manifest %+v", ddl.Manifest)
	}
	ins := mustSucceed(t, s, "INSERT INTO people VALUES (1, 'ada'), (2, 'grace')")
	cols := ins.Manifest.Schema.Columns
	if len(cols) != 2 || cols[0].Name != "num_affected_rows" || cols[1].Name != "num_inserted_rows" || cols[0].TypeName != "LONG" {
		t.Errorf("INSERT columns %+v", cols)
	}
	if got := cells(ins.Result)[0]; got[0] != "2" || got[1] != "2" {
		t.Errorf("INSERT counts %v", got)
	}
	upd := mustSucceed(t, s, "UPDATE main.default.people SET name = 'Ada' WHERE id = 1")
	if len(upd.Manifest.Schema.Columns) != 1 || single(t, upd) != "1" {
		t.Errorf("UPDATE result %+v", upd.Manifest.Schema)
	}
	// The catalog and schema fields choose where unqualified names resolve.
	if got := single(t, mustSucceed(t, s, "SELECT count(*) FROM trips", map[string]any{"catalog": "samples", "schema": "nyctaxi"})); got != "25" {
		t.Errorf("count in samples.nyctaxi: %s", got)
	}
	st := mustSucceed(t, s, "SELECT name FROM people WHERE id = 1", map[string]any{"catalog": "main"})
	if got := single(t, st); got != "Ada" {
		t.Errorf("people: %s", got)
	}
	st = mustSucceed(t, s, "SELECT current_catalog(), current_schema(), current_user()", map[string]any{"catalog": "main"})
	if got := cells(st.Result)[0]; got[0] != "main" || got[1] != "default" || got[2] != DefaultUserName {
		t.Errorf("session functions: %v", got)
	}
	st = query(t, s, "SELECT 1", map[string]any{"catalog": "nope"})
	if st.Status.State != statementFailed || !strings.HasPrefix(st.Status.Error.Message, "[NO_SUCH_CATALOG_EXCEPTION]") {
		t.Errorf("unknown catalog: %+v", st.Status)
	}
	st = query(t, s, "SELECT 1", map[string]any{"catalog": "samples", "schema": "nope"})
	if st.Status.State != statementFailed || !strings.HasPrefix(st.Status.Error.Message, "[SCHEMA_NOT_FOUND]") {
		t.Errorf("unknown schema: %+v", st.Status)
	}
}

func TestConcurrentStatements(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SampleTrips: 1000})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := query(t, s, "SELECT count(*) FROM samples.nyctaxi.trips WHERE pickup_zip > :z",
				map[string]any{"parameters": []any{map[string]any{"name": "z", "value": "10000", "type": "INT"}}})
			if st.Status.State != statementSucceeded || cells(st.Result)[0][0] != "1000" {
				t.Errorf("statement %d: %+v", i, st.Status)
			}
		}()
	}
	wg.Wait()
	if n := s.Log().MaxConcurrentStatements(); n < 1 || n > 8 {
		t.Errorf("MaxConcurrentStatements %d", n)
	}
}

// TestCloseWithStatementInFlight: closing the server does not hang on a
// statement that would never finish.
func TestCloseWithStatementInFlight(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	s.AddFault(Fault{Kind: FaultStuckPending})
	st := submit(t, s, map[string]any{"statement": "SELECT 1", "wait_timeout": "0s"})
	s.Close()
	if got := s.StatementState(st.StatementID); got != statementCanceled {
		t.Fatalf("state after Close: %s", got)
	}
}
