package emulator

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestTranslateSQL(t *testing.T) {
	t.Parallel()
	params := map[string]parameter{
		"a": {name: "a", cast: "INTEGER"},
		"s": {name: "s", cast: "VARCHAR"},
		"v": {name: "v"},
	}
	cases := []struct{ in, want string }{
		{"SELECT :a", "SELECT CAST($a AS INTEGER)"},
		{"SELECT :a + :a, :s", "SELECT CAST($a AS INTEGER) + CAST($a AS INTEGER), $s"},
		{"SELECT x::INT, :a::BIGINT", "SELECT x::INT, CAST($a AS INTEGER)::BIGINT"},
		{"SELECT ':a', `:a`, \":a\"", `SELECT ':a', ":a", ':a'`},
		{"SELECT 1 -- :a\n, :a", "SELECT 1 -- :a\n, CAST($a AS INTEGER)"},
		{"SELECT /* :a /* nested :a */ still :a */ :a", "SELECT /* :a /* nested :a */ still :a */ CAST($a AS INTEGER)"},
		{"SELECT 'it''s :a'", "SELECT 'it''s :a'"},
		{`SELECT 'a\'b :a', "q\"x"`, `SELECT 'a''b :a', 'q"x'`},
		{`SELECT 'tab\there'`, "SELECT 'tab\there'"},
		{`SELECT r'C:\new', R"\d+"`, `SELECT 'C:\new', '\d+'`},
		{`SELECT 'a\u00e9b'`, "SELECT 'aéb'"},
		{`SELECT '\0'`, "SELECT ('' || chr(0) || '')"},
		{"SELECT 1 AS `my col`, `we``ird`", `SELECT 1 AS "my col", "we` + "`" + `ird"`},
		{`SELECT 1 AS "x"`, `SELECT 1 AS 'x'`},
		{"SELECT * FROM main.default.t", `SELECT * FROM main_catalog."default".t`},
		{"SELECT * FROM `main`.`default`.t", `SELECT * FROM main_catalog."default".t`},
		{"SELECT main FROM t.main.x", "SELECT main FROM t.main.x"},
		{"CREATE TABLE t (a INT DEFAULT 5)", "CREATE TABLE t (a INT DEFAULT 5)"},
		{"USE CATALOG main", "USE main_catalog"},
		{"USE SCHEMA default", `USE "default"`},
		{"SELECT :v", "SELECT NULL"},
		{"SELECT {'k': 1}", "SELECT {'k': 1}"},
		{"SELECT 1e5, 2L", "SELECT 1e5, 2L"},
		{"SELECT 'unterminated :a", "SELECT 'unterminated :a"},
		{"SELECT current_user(), Current_Catalog(), current_timestamp(), user_id()", "SELECT 'me@example.com', replace(current_catalog(), 'main_catalog', 'main'), current_timestamp, user_id()"},
		{"SELECT x FROM t WHERE y = :s; SELECT :a", "SELECT x FROM t WHERE y = $s; SELECT CAST($a AS INTEGER)"},
	}
	for _, c := range cases {
		got, err := translateSQL(c.in, params, "me@example.com")
		if err != nil {
			t.Errorf("translateSQL(%q): %v", c.in, err)
			continue
		}
		if got.sql != c.want {
			t.Errorf("translateSQL(%q)\n got %q\nwant %q", c.in, got.sql, c.want)
		}
	}
}

func TestTranslateSQLUnbound(t *testing.T) {
	t.Parallel()
	_, err := translateSQL("SELECT :missing, ':ok'", nil, "")
	var f *sqlFailure
	if !errors.As(err, &f) || f.class != "UNBOUND_SQL_PARAMETER" || !strings.Contains(f.message(), "Found the unbound parameter: missing") {
		t.Fatalf("got %v", err)
	}
}

func TestParameterTypes(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	p := func(name, value, typ string) map[string]any {
		m := map[string]any{"name": name, "value": value}
		if typ != "" {
			m["type"] = typ
		}
		return m
	}
	st := mustSucceed(t, s, "SELECT :i AS i, :l AS l, :d AS d, :dec AS dec, :b AS b, :day AS day, :ts AS ts, :ntz AS ntz, :bin AS bin, :str AS str, :plain AS plain, :n AS n, :v AS v, :sh AS sh, :by AS by, :f AS f",
		map[string]any{"parameters": []any{
			p("i", "42", "INT"),
			p("l", "9223372036854775807", "BIGINT"),
			p("d", "0.1", "double"),
			p("dec", "12345678901234567890123456.1234567891", "DECIMAL(38, 10)"),
			p("b", "true", "BOOLEAN"),
			p("day", "2016-02-29", "DATE"),
			p("ts", "2016-01-01T10:15:00+02:00", "TIMESTAMP"),
			p("ntz", "2016-01-01 10:15:00", "TIMESTAMP_NTZ"),
			p("bin", "abc", "BINARY"),
			p("str", "x", "STRING"),
			p("plain", "untyped", ""),
			map[string]any{"name": "n", "type": "INT"},
			map[string]any{"name": "v", "value": nil, "type": "VOID"},
			p("sh", "-5", "SHORT"),
			p("by", "7", "TINYINT"),
			p("f", "1.5", "FLOAT"),
		}})
	want := map[string][2]string{
		"i": {"INT", "42"}, "l": {"BIGINT", "9223372036854775807"}, "d": {"DOUBLE", "0.1"},
		"dec": {"DECIMAL(38,10)", "12345678901234567890123456.1234567891"}, "b": {"BOOLEAN", "true"},
		"day": {"DATE", "2016-02-29"}, "ts": {"TIMESTAMP", "2016-01-01T08:15:00.000Z"},
		"ntz": {"TIMESTAMP", "2016-01-01T10:15:00.000Z"}, "bin": {"BINARY", "YWJj"}, "str": {"STRING", "x"},
		"plain": {"STRING", "untyped"}, "n": {"INT", "NULL"}, "v": {"", "NULL"},
		"sh": {"SMALLINT", "-5"}, "by": {"TINYINT", "7"}, "f": {"FLOAT", "1.5"},
	}
	row := cells(st.Result)[0]
	for i, col := range st.Manifest.Schema.Columns {
		w, ok := want[col.Name]
		if !ok {
			t.Fatalf("unexpected column %s", col.Name)
		}
		if w[1] != row[i] || (w[0] != "" && w[0] != col.TypeText) {
			t.Errorf("%s: %s %q, want %s %q", col.Name, col.TypeText, row[i], w[0], w[1])
		}
	}
}

// TestParameterValuesAreNeverSpliced proves a value that would break a
// spliced statement arrives as data.
func TestParameterValuesAreNeverSpliced(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SampleTrips: 10})
	evil := `x'; DROP TABLE samples.nyctaxi.trips; -- " \ :other`
	st := mustSucceed(t, s, "SELECT :v AS v, ':v' AS literal, 2::INT AS cast, /* :v */ 1 AS c",
		map[string]any{"parameters": []any{map[string]any{"name": "v", "value": evil}}})
	if got := cells(st.Result)[0]; got[0] != evil || got[1] != ":v" || got[2] != "2" {
		t.Fatalf("row %q", got)
	}
	if n := single(t, mustSucceed(t, s, "SELECT count(*) FROM samples.nyctaxi.trips")); n != "10" {
		t.Fatalf("trips count %s after the evil parameter", n)
	}
	// A STRING compared with a number is cast, as on Databricks: a number
	// works, and an injection attempt is a malformed number.
	zip := func(v string) map[string]any {
		return map[string]any{"parameters": []any{map[string]any{"name": "zip", "value": v}}}
	}
	if n := single(t, mustSucceed(t, s, "SELECT count(*) FROM samples.nyctaxi.trips WHERE pickup_zip >= :zip", zip("10001"))); n != "10" {
		t.Fatalf("count with zip >= 10001: %s", n)
	}
	st = query(t, s, "SELECT count(*) FROM samples.nyctaxi.trips WHERE pickup_zip > :zip", zip("0 OR 1=1"))
	if st.Status.State != statementFailed || !strings.Contains(st.Status.Error.Message, "CAST_INVALID_INPUT") {
		t.Fatalf("injection attempt: %+v", st.Status)
	}
}

func TestParameterFailures(t *testing.T) {
	t.Parallel()
	s := startBare(t)

	st := query(t, s, "SELECT :missing")
	if st.Status.State != statementFailed || st.Status.Error == nil ||
		!strings.HasPrefix(st.Status.Error.Message, "[UNBOUND_SQL_PARAMETER] Found the unbound parameter: missing") {
		t.Fatalf("unbound: %+v", st.Status)
	}

	st = query(t, s, "SELECT :n", map[string]any{"parameters": []any{map[string]any{"name": "n", "value": "abc", "type": "INT"}}})
	if st.Status.State != statementFailed || !strings.HasPrefix(st.Status.Error.Message, "[CAST_INVALID_INPUT] The value 'abc'") ||
		st.Status.Error.ErrorCode != "BAD_REQUEST" || st.Status.SQLState != "22018" {
		t.Fatalf("bad cast: %+v %+v", st.Status, st.Status.Error)
	}

	for _, typ := range []string{"ARRAY<INT>", "map<string,int>", "STRUCT<a: INT>", "NOPE", "DECIMAL(40,2)"} {
		c := do(t, s, http.MethodPost, "/api/2.0/sql/statements", map[string]any{
			"statement": "SELECT :x", "warehouse_id": DefaultWarehouseID,
			"parameters": []any{map[string]any{"name": "x", "value": "1", "type": typ}},
		})
		if e := c.apiError(t); c.status != http.StatusBadRequest || e.ErrorCode != "INVALID_PARAMETER_VALUE" {
			t.Errorf("type %s: HTTP %d %s", typ, c.status, c.body)
		}
	}
	c := do(t, s, http.MethodPost, "/api/2.0/sql/statements", map[string]any{
		"statement": "SELECT 1", "warehouse_id": DefaultWarehouseID,
		"parameters": []any{map[string]any{"name": "bad name", "value": "1"}},
	})
	if c.status != http.StatusBadRequest {
		t.Errorf("bad name: HTTP %d", c.status)
	}
}

// FuzzTranslateParameters feeds arbitrary SQL to the translator: it must never
// panic, and a bound marker's value must never appear in the output.
func FuzzTranslateParameters(f *testing.F) {
	for _, seed := range []string{
		"SELECT :a", "SELECT ':a'", "x::INT", "/* /* */", "`a``b`", `'\`, `r'\'`, `'\u12`, `'\U0001F600'`,
		"-- :a", ":", "::", ":::a", "SELECT \"a\"\"b\"", "USE CATALOG main", "main.default.t", `'\377'`,
	} {
		f.Add(seed)
	}
	params := map[string]parameter{"a": {name: "a", value: ptr("SECRET-VALUE"), cast: "VARCHAR"}}
	f.Fuzz(func(t *testing.T, sql string) {
		tr, err := translateSQL(sql, params, "user")
		if err != nil {
			return
		}
		if strings.Contains(tr.sql, "SECRET-VALUE") && !strings.Contains(sql, "SECRET-VALUE") {
			t.Fatalf("value spliced into %q", tr.sql)
		}
	})
}

func ptr(s string) *string { return &s }
