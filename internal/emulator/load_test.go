package emulator

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// TestLoadFiles: CSV, Parquet and JSON files become tables typed from the
// file, in catalogs and schemas created for them, readable through the API
// like any table, while SQL itself still cannot read a file.
func TestLoadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "orders.csv")
	writeFile(t, csvPath, "id,customer,amount,placed_at\n1,ada,12.5,2024-03-01 10:00:00\n2,grace,7.25,2024-03-02 11:30:00\n")
	jsonPath := filepath.Join(dir, "events.ndjson")
	writeFile(t, jsonPath, `{"id": 1, "kind": "click", "tags": ["a", "b"]}`+"\n"+`{"id": 2, "kind": "view", "tags": []}`+"\n")
	parquetPath := filepath.Join(dir, "zones.parquet")
	writeParquet(t, parquetPath, "SELECT 10001 + i AS zip, 'zone ' || i AS name FROM range(3) t(i)")

	s := start(t, Options{SampleTrips: -1, Load: []Load{
		{Table: "shop.raw.orders", Path: csvPath},
		{Table: "shop.raw.events", Path: jsonPath},
		{Table: "main.default.zones", Path: parquetPath},
	}})
	for _, c := range []struct{ sql, want, types string }{
		{"SELECT id, customer, amount, placed_at FROM shop.raw.orders ORDER BY id", "1|ada|12.5|2024-03-01T10:00:00.000Z\n2|grace|7.25|2024-03-02T11:30:00.000Z", "BIGINT|STRING|DOUBLE|TIMESTAMP"},
		{"SELECT id, kind, size(tags) FROM shop.raw.events ORDER BY id", "1|click|2\n2|view|0", "BIGINT|STRING|INT"},
		{"SELECT zip, name FROM zones ORDER BY zip", "10001|zone 0\n10002|zone 1\n10003|zone 2", ""},
		{"SHOW TABLES IN shop.raw", "raw|events|false\nraw|orders|false", ""},
		{"SELECT comment FROM shop.information_schema.tables WHERE table_name = 'orders'", "Loaded from orders.csv", ""},
	} {
		st := mustSucceed(t, s, c.sql)
		var rows, types []string
		for _, r := range cells(st.Result) {
			rows = append(rows, strings.Join(r, "|"))
		}
		for _, col := range st.Manifest.Schema.Columns {
			types = append(types, col.TypeText)
		}
		if strings.Join(rows, "\n") != c.want || c.types != "" && strings.Join(types, "|") != c.types {
			t.Errorf("%s:\n got %q %q\nwant %q %q", c.sql, strings.Join(rows, "\n"), strings.Join(types, "|"), c.want, c.types)
		}
	}
	// The file was read before the lockdown; SQL cannot read it now.
	st := query(t, s, "SELECT * FROM read_csv('"+csvPath+"')")
	if st.Status.State != statementFailed || strings.Contains(st.Status.Error.Message, dir) {
		t.Errorf("reading the file through SQL: %+v", st.Status)
	}
}

func TestLoadFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "ok.csv")
	writeFile(t, good, "a\n1\n")
	for _, c := range []struct {
		load Load
		want string
	}{
		{Load{Table: "main.default.t", Path: filepath.Join(dir, "missing.csv")}, "missing.csv"},
		{Load{Table: "default.t", Path: good}, "three parts"},
		{Load{Table: "main.default.t", Path: filepath.Join(dir, "data.xlsx")}, ".csv, .parquet or .json"},
		{Load{Table: "samples.nyctaxi.trips", Path: good}, "already exists"},
	} {
		e, err := New(Options{SampleTrips: 1, Load: []Load{c.load}})
		if err == nil {
			e.Close()
			t.Errorf("%+v: loaded", c.load)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.load.Table) {
			t.Errorf("%+v: %v", c.load, err)
		}
	}
}

// TestInitScript: the -init script runs at start with Databricks' dialect:
// DDL, inserts and grants, comments and semicolons in literals included.
func TestInitScript(t *testing.T) {
	t.Parallel()
	script := `-- The workspace our pipeline expects.
CREATE CATALOG IF NOT EXISTS ops;
CREATE SCHEMA ops.audit COMMENT 'Audit trail; kept forever';
CREATE TABLE ops.audit.events (id INT, note STRING) USING DELTA;
INSERT INTO ops.audit.events VALUES (1, 'first; with a semicolon'), (2, 'it''s /* not a comment */');
/* a block comment; with a semicolon */
GRANT SELECT ON TABLE ops.audit.events TO ` + "`auditors`" + `;
`
	s := start(t, Options{SampleTrips: -1, InitSQL: script})
	st := mustSucceed(t, s, "SELECT id, note FROM ops.audit.events ORDER BY id")
	if got := cells(st.Result); len(got) != 2 || got[0][1] != "first; with a semicolon" || got[1][1] != "it's /* not a comment */" {
		t.Errorf("rows %v", got)
	}
	st = mustSucceed(t, s, "SHOW GRANTS ON TABLE ops.audit.events")
	if got := cells(st.Result); len(got) != 1 || strings.Join(got[0], "|") != "auditors|SELECT|TABLE|ops.audit.events" {
		t.Errorf("grants %v", got)
	}

	_, err := New(Options{SampleTrips: -1, InitSQL: "CREATE CATALOG ok;\n\nSELECT * FROM nope.nope.nope;\nCREATE CATALOG never"})
	if err == nil || !strings.Contains(err.Error(), "statement 2 (line 3, pos 0)") || !strings.Contains(err.Error(), "[TABLE_OR_VIEW_NOT_FOUND]") {
		t.Errorf("a failing init statement: %v", err)
	}
	_, err = New(Options{SampleTrips: -1, InitSQL: "SELECT 1;\nCOPY (SELECT 1) TO '/tmp/x.csv'"})
	if err == nil || !strings.Contains(err.Error(), "PARSE_SYNTAX_ERROR") {
		t.Errorf("DuckDB's COPY in an init script: %v", err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// writeParquet writes a Parquet file with a DuckDB of the test's own.
func writeParquet(t *testing.T, path, query string) {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer func() { _ = db.Close() }()
	if _, err := db.ExecContext(context.Background(), "COPY ("+query+") TO '"+strings.ReplaceAll(path, "'", "''")+"' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
}
