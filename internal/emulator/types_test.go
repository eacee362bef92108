package emulator

import (
	"context"
	"strings"
	"testing"
)

type typeCase struct {
	expr, name, text, cell string
	precision, scale       int // DECIMAL only
}

// TestTypesAndCells checks the Databricks types and the text of the cells
// over HTTP for values written as users write them, including exact digits
// of BIGINT and DECIMAL(38,x), the special doubles and nested values.
func TestTypesAndCells(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	cases := []typeCase{
		{"true", "BOOLEAN", "BOOLEAN", "true", 0, 0},
		{"CAST(-128 AS TINYINT)", "BYTE", "TINYINT", "-128", 0, 0},
		{"CAST(32767 AS SMALLINT)", "SHORT", "SMALLINT", "32767", 0, 0},
		{"2147483647", "INT", "INT", "2147483647", 0, 0},
		{"CAST(9223372036854775807 AS BIGINT)", "LONG", "BIGINT", "9223372036854775807", 0, 0},
		{"CAST(-9223372036854775808 AS BIGINT)", "LONG", "BIGINT", "-9223372036854775808", 0, 0},
		{"(SELECT sum(x) FROM VALUES (2147483647), (1) AS v(x))", "LONG", "BIGINT", "2147483648", 0, 0},
		{"(SELECT count(*) FROM VALUES (1), (2) AS v(x))", "LONG", "BIGINT", "2", 0, 0},
		{"CAST(1.5 AS FLOAT)", "FLOAT", "FLOAT", "1.5", 0, 0},
		{"CAST(0.1 AS FLOAT)", "FLOAT", "FLOAT", "0.1", 0, 0},
		{"CAST(0.1 AS DOUBLE)", "DOUBLE", "DOUBLE", "0.1", 0, 0},
		{"2D", "DOUBLE", "DOUBLE", "2.0", 0, 0},
		{"1e300", "DOUBLE", "DOUBLE", "1.0E300", 0, 0},
		{"CAST('NaN' AS DOUBLE)", "DOUBLE", "DOUBLE", "NaN", 0, 0},
		{"CAST('Infinity' AS DOUBLE)", "DOUBLE", "DOUBLE", "Infinity", 0, 0},
		{"CAST('-Infinity' AS DOUBLE)", "DOUBLE", "DOUBLE", "-Infinity", 0, 0},
		{"CAST('12345678901234567890123456.1234567891' AS DECIMAL(38,10))", "DECIMAL", "DECIMAL(38,10)", "12345678901234567890123456.1234567891", 38, 10},
		{"CAST('-0.0000000001' AS DECIMAL(38,10))", "DECIMAL", "DECIMAL(38,10)", "-0.0000000001", 38, 10},
		{"CAST(1.5 AS DECIMAL(10,2))", "DECIMAL", "DECIMAL(10,2)", "1.50", 10, 2},
		{"1.50", "DECIMAL", "DECIMAL(3,2)", "1.50", 3, 2},
		{"CAST(42 AS DECIMAL(18,0))", "DECIMAL", "DECIMAL(18,0)", "42", 18, 0},
		{"'héllo <&> \"x\"'", "STRING", "STRING", `héllo <&> "x"`, 0, 0},
		{"DATE '2016-01-01'", "DATE", "DATE", "2016-01-01", 0, 0},
		{"TIMESTAMP '2016-01-01 08:15:00'", "TIMESTAMP", "TIMESTAMP", "2016-01-01T08:15:00.000Z", 0, 0},
		{"TIMESTAMP '2016-01-01 08:15:00.123'", "TIMESTAMP", "TIMESTAMP", "2016-01-01T08:15:00.123Z", 0, 0},
		{"TIMESTAMP '2016-01-01 08:15:00.123456'", "TIMESTAMP", "TIMESTAMP", "2016-01-01T08:15:00.123456Z", 0, 0},
		{"CAST('2016-01-01 10:15:00+02:00' AS TIMESTAMP)", "TIMESTAMP", "TIMESTAMP", "2016-01-01T08:15:00.000Z", 0, 0},
		{"TIMESTAMP_NTZ '2016-01-01 10:15:00'", "TIMESTAMP", "TIMESTAMP_NTZ", "2016-01-01T10:15:00.000", 0, 0},
		{"CAST('abc' AS BINARY)", "BINARY", "BINARY", "YWJj", 0, 0},
		{"INTERVAL '1 day 2 hours 3 minutes 4 seconds'", "INTERVAL", "INTERVAL DAY TO SECOND", "1 02:03:04.000000000", 0, 0},
		{"CAST(NULL AS INT)", "INT", "INT", "NULL", 0, 0},
		{"array(1, 2, NULL)", "ARRAY", "ARRAY<INT>", "[1,2,null]", 0, 0},
		{"CAST(array(1, 2) AS ARRAY<BIGINT>)", "ARRAY", "ARRAY<BIGINT>", "[1,2]", 0, 0},
		{"array('a', 'b\"c')", "ARRAY", "ARRAY<STRING>", `["a","b\"c"]`, 0, 0},
		{"array(CAST('NaN' AS DOUBLE), 1.5)", "ARRAY", "ARRAY<DOUBLE>", `["NaN",1.5]`, 0, 0},
		{"array(CAST(1.5 AS DECIMAL(38,10)))", "ARRAY", "ARRAY<DECIMAL(38,10)>", "[1.5000000000]", 0, 0},
		{"array(9223372036854775807L)", "ARRAY", "ARRAY<BIGINT>", "[9223372036854775807]", 0, 0},
		{"named_struct('a', 1, 'b', 'x', 'c', CAST(NULL AS INT))", "STRUCT", "STRUCT<a: INT, b: STRING, c: INT>", `{"a":1,"b":"x","c":null}`, 0, 0},
		{"struct(1 AS z, 2 AS a)", "STRUCT", "STRUCT<z: INT, a: INT>", `{"z":1,"a":2}`, 0, 0},
		{"map('k', CAST(1.5 AS DOUBLE), 'a', NULL)", "MAP", "MAP<STRING, DOUBLE>", `{"k":1.5,"a":null}`, 0, 0},
		{"map(2, true, 1, false)", "MAP", "MAP<INT, BOOLEAN>", `{"2":true,"1":false}`, 0, 0},
		{"array(named_struct('x', array(map(1, 9223372036854775807L)), 'd', DATE '2016-02-29'))", "ARRAY",
			"ARRAY<STRUCT<x: ARRAY<MAP<INT, BIGINT>>, d: DATE>>", `[{"x":[{"1":9223372036854775807}],"d":"2016-02-29"}]`, 0, 0},
		{"named_struct('my field', 1)", "STRUCT", "STRUCT<`my field`: INT>", `{"my field":1}`, 0, 0},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr + " AS c" + string(rune('a'+i/26)) + string(rune('a'+i%26))
	}
	st := mustSucceed(t, s, "SELECT "+strings.Join(exprs, ",\n  "))
	checkTypes(t, cases, st.Manifest.Schema.Columns, cells(st.Result)[0])
}

// TestDuckDBOnlyTypesOnTheWire: a file loaded with -load can bring types
// Databricks does not have (unsigned integers, UUID, TIME, fixed arrays);
// each is shown as the Databricks type that holds every value.
func TestDuckDBOnlyTypesOnTheWire(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cases := []typeCase{
		{"CAST(170141183460469231731687303715884105727 AS HUGEINT)", "LONG", "BIGINT", "170141183460469231731687303715884105727", 0, 0},
		{"CAST(18446744073709551615 AS UBIGINT)", "DECIMAL", "DECIMAL(38,0)", "18446744073709551615", 38, 0},
		{"CAST(255 AS UTINYINT)", "SHORT", "SMALLINT", "255", 0, 0},
		{"CAST(65535 AS USMALLINT)", "INT", "INT", "65535", 0, 0},
		{"CAST(4294967295 AS UINTEGER)", "LONG", "BIGINT", "4294967295", 0, 0},
		{"CAST('6ba7b810-9dad-11d1-80b4-00c04fd430c8' AS UUID)", "STRING", "STRING", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", 0, 0},
		{"TIME '10:00:01'", "STRING", "STRING", "10:00:01", 0, 0},
		{"CAST([1, 2] AS INTEGER[2])", "ARRAY", "ARRAY<INT>", "[1,2]", 0, 0},
		{"TIMESTAMP '2016-01-01 08:15:00'", "TIMESTAMP", "TIMESTAMP_NTZ", "2016-01-01T08:15:00.000", 0, 0},
	}
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.expr + " AS c" + string(rune('a'+i))
	}
	conn, err := e.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	s := &session{e: e, ctx: context.Background(), conn: conn}
	res, err := s.query("SELECT "+strings.Join(exprs, ", "), nil, rowsResult)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]string, len(res.rows[0]))
	for i, c := range res.rows[0] {
		row[i] = "NULL"
		if c != nil {
			row[i] = *c
		}
	}
	cols := make([]wireColumn, len(res.columns))
	for i, c := range res.columns {
		cols[i] = wireColumn(c)
	}
	checkTypes(t, cases, cols, row)
}

func checkTypes(t *testing.T, cases []typeCase, cols []wireColumn, row []string) {
	t.Helper()
	if len(cols) != len(cases) {
		t.Fatalf("got %d columns, want %d", len(cols), len(cases))
	}
	for i, c := range cases {
		col := cols[i]
		if col.Position != i {
			t.Errorf("%s: position %d, want %d", c.expr, col.Position, i)
		}
		if col.TypeName != c.name || col.TypeText != c.text {
			t.Errorf("%s: type %s / %s, want %s / %s", c.expr, col.TypeName, col.TypeText, c.name, c.text)
		}
		if c.name == "DECIMAL" {
			if col.TypePrecision == nil || col.TypeScale == nil || *col.TypePrecision != c.precision || *col.TypeScale != c.scale {
				t.Errorf("%s: precision/scale %v/%v, want %d/%d", c.expr, col.TypePrecision, col.TypeScale, c.precision, c.scale)
			}
		} else if col.TypePrecision != nil || col.TypeScale != nil {
			t.Errorf("%s: unexpected precision/scale on %s", c.expr, c.name)
		}
		if row[i] != c.cell {
			t.Errorf("%s: cell %q, want %q", c.expr, row[i], c.cell)
		}
	}
}

func TestBacktickColumnName(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	st := mustSucceed(t, s, "SELECT 1 AS `my col`, 'x' AS `we``ird`")
	cols := st.Manifest.Schema.Columns
	if cols[0].Name != "my col" || cols[1].Name != "we`ird" {
		t.Fatalf("column names %q, %q", cols[0].Name, cols[1].Name)
	}
}

func TestParseDuckType(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		`INTEGER`:                               "INT",
		`DECIMAL(38,10)`:                        "DECIMAL(38,10)",
		`INTEGER[][]`:                           "ARRAY<ARRAY<INT>>",
		`VARCHAR[3]`:                            "ARRAY<STRING>",
		`STRUCT("a b" INTEGER, "q""x" VARCHAR)`: "STRUCT<`a b`: INT, `q\"x`: STRING>",
		`MAP(VARCHAR, STRUCT("v" DOUBLE[]))`:    "MAP<STRING, STRUCT<v: ARRAY<DOUBLE>>>",
		`TIMESTAMP WITH TIME ZONE`:              "TIMESTAMP",
		`TIMESTAMP`:                             "TIMESTAMP_NTZ",
		`UNION("k" INTEGER)`:                    "STRING",
		`SOMETHING NEW(`:                        "STRING",
		``:                                      "STRING",
	}
	for in, want := range cases {
		if got := parseDuckType(in).databricks().text; got != want {
			t.Errorf("parseDuckType(%q) -> %s, want %s", in, got, want)
		}
	}
}

func TestFloatText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{0, 64, "0.0"}, {2, 64, "2.0"}, {-2.5, 64, "-2.5"}, {0.1, 64, "0.1"}, {1234567, 64, "1234567.0"},
		{1e7, 64, "1.0E7"}, {1e-5, 64, "1.0E-5"}, {1.25e-5, 64, "1.25E-5"}, {0.001, 64, "0.001"},
		{float64(float32(0.1)), 32, "0.1"}, {1.7976931348623157e308, 64, "1.7976931348623157E308"},
	}
	for _, c := range cases {
		if got := floatText(c.f, c.bits); got != c.want {
			t.Errorf("floatText(%v) = %s, want %s", c.f, got, c.want)
		}
	}
}
