package provider

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The appenders write what the Encoder tftypes uses writes, at every size boundary.
func TestMsgpackAppendersMatchTheEncoder(t *testing.T) {
	t.Parallel()
	encoded := func(f func(*msgpack.Encoder) error) []byte {
		var buf bytes.Buffer
		if err := f(msgpack.NewEncoder(&buf)); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	check := func(what string, got, want []byte) {
		t.Helper()
		if !bytes.Equal(got, want) {
			t.Errorf("%s: % x, the encoder writes % x", what, got, want)
		}
	}
	for _, n := range []int64{0, 1, 127, 128, 255, 256, 65535, 65536, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt64,
		-1, -32, -33, -128, -129, -32768, -32769, math.MinInt32, math.MinInt32 - 1, math.MinInt64} {
		check(fmt.Sprint("int ", n), appendMsgpackInt(nil, n), encoded(func(e *msgpack.Encoder) error { return e.EncodeInt(n) }))
	}
	for _, f := range []float64{0.5, -2.25, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		check(fmt.Sprint("float ", f), appendMsgpackFloat64(nil, f), encoded(func(e *msgpack.Encoder) error { return e.EncodeFloat64(f) }))
	}
	for _, n := range []int{0, 31, 32, 255, 256, 65535, 65536} {
		s := strings.Repeat("é", n)[:n]
		check(fmt.Sprint("string ", n), appendMsgpackString(nil, s), encoded(func(e *msgpack.Encoder) error { return e.EncodeString(s) }))
		check(fmt.Sprint("array ", n), appendMsgpackArrayLen(nil, n), encoded(func(e *msgpack.Encoder) error { return e.EncodeArrayLen(n) }))
		check(fmt.Sprint("map ", n), appendMsgpackMapLen(nil, n), encoded(func(e *msgpack.Encoder) error { return e.EncodeMapLen(n) }))
	}
	check("true", appendMsgpackBool(nil, true), encoded(func(e *msgpack.Encoder) error { return e.EncodeBool(true) }))
	check("false", appendMsgpackBool(nil, false), encoded(func(e *msgpack.Encoder) error { return e.EncodeBool(false) }))
	check("nil", appendMsgpackNil(nil), encoded(func(e *msgpack.Encoder) error { return e.EncodeNil() }))
}

// encodeRows reads rows into both typed forms, a chunk at a time, and returns the
// encoded rows and the framework's encoding of the typed rows value.
func encodeRows(t *testing.T, columns []databricks.Column, rows []databricks.Row) (encoded, framework []byte) {
	t.Helper()
	info := databricks.ResultInfo{StatementID: "01ef-test", Columns: columns, TotalRowCount: int64(len(rows))}
	var typed resultRows
	var direct msgpackRows
	if err := typed.Begin(info); err != nil {
		t.Fatal(err)
	}
	if err := direct.Begin(info); err != nil {
		t.Fatal(err)
	}
	// Backwards, so that the runs have to be put in order.
	for i := len(rows) - 1; i >= 0; i-- {
		if err := typed.Row(int64(i), rows[i]); err != nil {
			t.Fatal(err)
		}
		if err := direct.Row(int64(i), rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	return joined(t, &direct), msgpackOf(t, typed.value(), tftypes.DynamicPseudoType)
}

// Rows encoded from their cells are the bytes the framework sends for the typed rows.
func TestMsgpackRowsAreWhatTheFrameworkSends(t *testing.T) {
	t.Parallel()
	columns := []databricks.Column{
		{Name: "zeta", TypeText: "BIGINT"}, {Name: "price", TypeText: "DECIMAL(38,12)"}, {Name: "ratio", TypeText: "DOUBLE"},
		{Name: "ok", TypeText: "BOOLEAN"}, {Name: "name", TypeText: "STRING"}, {Name: "day", TypeText: "DATE"},
		{Name: "tags", TypeText: "ARRAY<INT>"}, {Name: "s", TypeText: "STRUCT<id: DECIMAL(20,0), ok: BOOLEAN>"},
		{Name: "v", TypeText: "VOID"}, {Name: "odd", TypeText: "GEOMETRY<<"}, {Name: "Aa", TypeText: "INT"},
	}
	rows := []databricks.Row{
		{cell("9223372036854775807"), cell("12345678901234567890123456.789012345678"), cell("1.5E-7"), cell("true"), cell(strings.Repeat("long ", 20)),
			cell("2024-02-29"), cell("[1,2,null]"), cell(`{"id":"12345678901234567890","ok":"false"}`), null, cell("POINT(1 2)"), cell("-33")},
		{null, cell("-.5"), cell("Infinity"), cell("FALSE"), cell("é"), null, cell("[]"), cell(`{"id":1}`), null, null, cell("70000")},
		{cell("-9223372036854775808"), cell("0.10"), cell("142857.14285714286"), null, cell(""), null, null, null, null, null, cell("0")},
	}
	encoded, framework := encodeRows(t, columns, rows)
	if !bytes.Equal(encoded, framework) {
		t.Errorf("the rows are encoded as\n% x\nthe framework sends\n% x", encoded, framework)
	}
}

// The rows of the benchmarks, 10,000 of them: the same bytes too.
func TestMsgpackRowsOfTheBenchmarkResult(t *testing.T) {
	t.Parallel()
	body, _ := benchStatementBody(10_000)
	client, err := databricks.New(databricks.Config{BaseURL: "https://bench.cloud.databricks.com",
		Credentials: databricks.PersonalAccessToken("dapi0123456789abcdef"), Transport: cannedTransport{body: body}})
	if err != nil {
		t.Fatal(err)
	}
	encoded, framework := encodeRows(t, benchColumns, queryRows(t, client, databricks.QueryRequest{WarehouseID: "0123456789abcdef", Statement: "SELECT 1"}))
	if !bytes.Equal(encoded, framework) {
		t.Errorf("the rows differ from the framework's encoding (%d and %d bytes)", len(encoded), len(framework))
	}
}

// A map's keys come in the order Go's map iteration gives: compare what Terraform reads.
func TestMsgpackRowsWithMaps(t *testing.T) {
	t.Parallel()
	columns := []databricks.Column{{Name: "m", TypeText: "MAP<STRING,DOUBLE>"}}
	encoded, framework := encodeRows(t, columns, []databricks.Row{{cell(`{"b":1.5,"a":null,"c":"NaN"}`)}})
	got, err := (&tfprotov6.DynamicValue{MsgPack: encoded}).Unmarshal(tftypes.DynamicPseudoType)
	if err != nil {
		t.Fatal(err)
	}
	want, err := (&tfprotov6.DynamicValue{MsgPack: framework}).Unmarshal(tftypes.DynamicPseudoType)
	if err != nil || !got.Equal(want) {
		t.Errorf("rows %v, the framework's %v (%v)", got, want, err)
	}
}

// Whatever the text, a number is encoded as the framework encodes the number the typed
// rows read from it.
func FuzzMsgpackNumberIsWhatTheFrameworkSends(f *testing.F) {
	for _, seed := range []string{"0.1", "-0", "+.5", "7.", "007", "1e3", "0.000000000000000001", "-999999999999999999", "123456789.123456789",
		"1.7976931348623157E308", "4.9E-324", "-9223372036854775808", "99999999999999999999999999999999999999", "0.5", "-2.25", "1234.50"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		number, nonFinite, err := parseDecimal(nil, s)
		got, gotNonFinite, gotErr := appendMsgpackNumber(nil, s)
		if (err != nil) != (gotErr != nil) || nonFinite != gotNonFinite {
			t.Fatalf("%q: error %v and %v, non-finite %v and %v", s, err, gotErr, nonFinite, gotNonFinite)
		}
		if err != nil || nonFinite {
			return
		}
		want := msgpackOf(t, tftypes.NewValue(tftypes.Number, number))
		if !bytes.Equal(got, want) {
			t.Fatalf("%q is encoded as % x, the framework's as % x (%s)", s, got, want, number.Text('g', -1))
		}
	})
}

// A hand-picked fraction check: exactly a float64, or the decimal's own text.
func TestShortDecimals(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]any{"0.5": 0.5, "-2.25": -2.25, "1234.50": 1234.5, "0.1": "0.1", "-0.000001": "-0.000001",
		"1234.56": "1234.56", "100.00": int64(100), "999999999999999999": int64(999999999999999999)} {
		var w []byte
		switch v := want.(type) {
		case float64:
			w = appendMsgpackFloat64(nil, v)
		case string:
			w = appendMsgpackString(nil, v)
		case int64:
			w = appendMsgpackInt(nil, v)
		}
		if got, _, err := appendMsgpackNumber(nil, in); err != nil || !bytes.Equal(got, w) {
			t.Errorf("%q = % x, %v; want % x", in, got, err, w)
		}
	}
}

// Short decimals of every length and scale, at random: the encoding without a big.Float
// is the framework's.
func TestShortDecimalsAtRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for range 100_000 {
		digits := 1 + r.IntN(maxShortDigits)
		m := r.Int64N(powersOfTen64[digits])
		if r.IntN(2) == 0 {
			m = -m
		}
		scale := r.IntN(digits + 1)
		s := strconv.FormatInt(m, 10)
		if scale > 0 {
			neg := strings.HasPrefix(s, "-")
			s = strings.TrimPrefix(s, "-")
			s = strings.Repeat("0", max(0, scale-len(s)+1)) + s
			s = s[:len(s)-scale] + "." + s[len(s)-scale:]
			if neg {
				s = "-" + s
			}
		}
		number, _, err := parseDecimal(nil, s)
		if err != nil {
			t.Fatal(err)
		}
		want := msgpackOf(t, tftypes.NewValue(tftypes.Number, number))
		if got, _, err := appendMsgpackNumber(nil, s); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%q is encoded as % x, the framework's as % x", s, got, want)
		}
	}
}
