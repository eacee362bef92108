package emulator

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// renderFor renders a statement the way a query is rendered, on e's
// metastore, in main.default.
func renderFor(e *Emulator, sql string, params map[string]parameter, top bool) (string, error) {
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	one, err := oneStatement(sql, toks)
	if err != nil {
		return "", err
	}
	if err := checkBrackets(sql, one); err != nil {
		return "", err
	}
	if one, err = expandIdentifiers(sql, one, params); err != nil {
		return "", err
	}
	s := &session{e: e, ctx: context.Background(), src: sql, catalog: "main", schema: "default", params: params}
	return newRenderer(s).render(one[:len(one)-1], modeQuery, top)
}

func TestRender(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	params := map[string]parameter{
		"a": {name: "a", cast: "INTEGER"},
		"s": {name: "s", cast: "VARCHAR"},
		"v": {name: "v"},
		"t": {name: "t", cast: "VARCHAR", value: ptr("samples.nyctaxi.trips")},
	}
	trips := `"c$samples"."nyctaxi"."trips"`
	cases := []struct{ in, want string }{
		{"SELECT :a", "SELECT CAST($a AS INTEGER)"},
		{"SELECT :a + :a, :s", "SELECT CAST($a AS INTEGER) + CAST($a AS INTEGER), $s"},
		{"SELECT x::INT, :a::BIGINT, y::ARRAY<STRING>, z::MAP<STRING, ARRAY<INT>>", "SELECT x::INTEGER, CAST($a AS INTEGER)::BIGINT, y::VARCHAR[], z::MAP(VARCHAR, INTEGER[])"},
		{"SELECT CAST(x AS STRUCT<a: INT, b:STRING>), CAST(y AS DECIMAL(10,2))", `SELECT CAST(x AS STRUCT("a" INTEGER, "b" VARCHAR)), CAST(y AS DECIMAL(10,2))`},
		{"SELECT ':a', `:a`, \":a\"", `SELECT ':a', ":a", ':a'`},
		{"SELECT 1 -- :a\n, :a", "SELECT 1 , CAST($a AS INTEGER)"},
		{"SELECT /* :a /* nested :a */ still :a */ :a", "SELECT CAST($a AS INTEGER)"},
		{"SELECT 'it''s :a'", "SELECT 'it''s :a'"},
		{`SELECT 'a\'b :a', "q\"x"`, `SELECT 'a''b :a', 'q"x'`},
		{`SELECT r'C:\new', R"\d+"`, `SELECT 'C:\new', '\d+'`},
		{`SELECT 'a\u00e9b'`, "SELECT 'aéb'"},
		{`SELECT '\0'`, "SELECT ('' || chr(0) || '')"},
		{"SELECT 'a' 'b'", "SELECT 'a' || 'b'"},
		{"SELECT 1 AS `my col`, `we``ird`", `SELECT 1 AS "my col", "we` + "`" + `ird"`},
		{"SELECT * FROM samples.nyctaxi.trips", "SELECT * FROM " + trips},
		{"SELECT * FROM `samples`.`nyctaxi`.trips AS t", "SELECT * FROM " + trips + ` AS "t"`},
		{"SELECT * FROM IDENTIFIER(:t) x", "SELECT * FROM " + trips + ` AS "x"`},
		{"SELECT * FROM IDENTIFIER('samples.' || 'nyctaxi.trips')", "SELECT * FROM " + trips},
		{"SELECT :v", "SELECT NULL"},
		{"SELECT 1e5, 2L, 3S, 4Y, 1.5D, 2.5F, 1.50BD", "SELECT 1e5, CAST(2 AS BIGINT), CAST(3 AS SMALLINT), CAST(4 AS TINYINT), CAST(1.5 AS DOUBLE), CAST(2.5 AS FLOAT), CAST(1.50 AS DECIMAL(3,2))"},
		{"SELECT current_user(), Current_Catalog(), current_schema(), current_date", "SELECT 'emulator@example.com', 'main', 'default', current_date"},
		{"SELECT a[0], m['k'], nvl(a, b), 7 DIV 2, a <=> b", "SELECT a[(0) + 1], m['k'], coalesce(a, b), 7 // 2, a IS NOT DISTINCT FROM b"},
		{"SELECT i FROM range(5) AS t(i)", `SELECT i FROM (SELECT range AS id FROM range(5)) AS "t"("i")`},
		{"SELECT * EXCEPT (fare_amount) FROM samples.nyctaxi.trips", `SELECT * EXCLUDE (fare_amount) FROM ` + trips},
		{"SELECT DATE '2024-01-01', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP_NTZ '2024-01-01 00:00:00'", "SELECT CAST('2024-01-01' AS DATE), CAST('2024-01-01 00:00:00' AS TIMESTAMPTZ), CAST('2024-01-01 00:00:00' AS TIMESTAMP)"},
	}
	for _, c := range cases {
		got, err := renderFor(e, c.in, params, false)
		if err != nil {
			t.Errorf("render(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("render(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestRenderUnbound(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	_, err = renderFor(e, "SELECT :missing, ':ok'", nil, false)
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
		"ntz": {"TIMESTAMP_NTZ", "2016-01-01T10:15:00.000"}, "bin": {"BINARY", "YWJj"}, "str": {"STRING", "x"},
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

// FuzzRender feeds arbitrary SQL to the renderer: it must never panic, and
// a bound marker's value must never appear in the output.
func FuzzRender(f *testing.F) {
	for _, seed := range []string{
		"SELECT :a", "SELECT ':a'", "x::INT", "/* /* */", "`a``b`", `'\`, `r'\'`, `'\u12`, `'\U0001F600'`,
		"-- :a", ":", "::", ":::a", "SELECT \"a\"\"b\"", "main.default.t", `'\377'`, "SELECT a[", "CAST(x AS ARRAY<ARRAY<INT>>)",
		"SELECT * FROM IDENTIFIER(:a)", "SELECT named_struct('a', :a)", "WITH x AS (SELECT 1) SELECT * FROM x",
		"SELECT * FROM t LATERAL VIEW explode(a) e AS c", "SELECT count(*) FROM (VALUES (1), (2)) AS v(x)",
	} {
		f.Add(seed)
	}
	e, err := New(Options{SampleTrips: -1})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = e.Close() })
	params := map[string]parameter{"a": {name: "a", value: ptr("SECRET-VALUE"), cast: "VARCHAR"}}
	f.Fuzz(func(t *testing.T, sql string) {
		out, err := renderFor(e, sql, params, true)
		if err != nil {
			return
		}
		if strings.Contains(out, "SECRET-VALUE") && !strings.Contains(sql, "SECRET-VALUE") {
			t.Fatalf("value spliced into %q", out)
		}
	})
}

func ptr(s string) *string { return &s }
