package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// jsonDocument reads rows into a jsonRows from several goroutines, chunk by chunk in
// random order as the client does, and returns the document.
func jsonDocument(t *testing.T, columns []databricks.Column, rows []databricks.Row, chunk int) (string, []string) {
	t.Helper()
	var doc jsonRows
	if err := doc.Begin(databricks.ResultInfo{StatementID: "01ef-test", Columns: columns, TotalRowCount: int64(len(rows))}); err != nil {
		t.Fatal(err)
	}
	var starts []int
	for i := 0; i < len(rows); i += chunk {
		starts = append(starts, i)
	}
	rand.Shuffle(len(starts), func(i, j int) { starts[i], starts[j] = starts[j], starts[i] })
	var wg sync.WaitGroup
	for _, start := range starts {
		wg.Go(func() {
			for i := start; i < min(start+chunk, len(rows)); i++ {
				if err := doc.Row(int64(i), rows[i]); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	text, err := doc.document()
	if err != nil {
		t.Fatal(err)
	}
	return text, doc.warnings()
}

// Every type reaches the JSON document typed as in rows, in column and row order.
func TestJSONRowsTypeEveryColumn(t *testing.T) {
	t.Parallel()
	columns := []databricks.Column{
		{Name: "id", TypeText: "BIGINT"}, {Name: "price", TypeText: "DECIMAL(38,12)"}, {Name: "ratio", TypeText: "DOUBLE"},
		{Name: "ok", TypeText: "BOOLEAN"}, {Name: "name", TypeText: "STRING"}, {Name: "day", TypeText: "DATE"},
		{Name: "tags", TypeText: "ARRAY<INT>"}, {Name: "m", TypeText: "MAP<STRING,DOUBLE>"},
		{Name: "s", TypeText: "STRUCT<id: DECIMAL(20,0), ok: BOOLEAN, note: STRING>"}, {Name: "v", TypeText: "VOID"},
	}
	rows := []databricks.Row{
		{cell("9223372036854775807"), cell("12345678901234567890123456.789012345678"), cell("1.5E-7"), cell("true"), cell(`it's "quoted" \ é`),
			cell("2024-02-29"), cell("[1,2,null]"), cell(`{"b":1.5,"a":"NaN"}`), cell(`{"id":"12345678901234567890","ok":"false","note":{"x":1}}`), null},
		{null, cell("-.5"), cell("Infinity"), cell("FALSE"), cell("line\nbreak\u2028"), null, cell("[]"), cell(`[["k",2]]`), cell(`{"id":1}`), null},
	}
	text, warnings := jsonDocument(t, columns, rows, 1)
	want := `[[9223372036854775807,12345678901234567890123456.789012345678,1.5E-7,true,"it's \"quoted\" \\ é",` +
		`"2024-02-29",[1,2,null],{"a":null,"b":1.5},{"id":12345678901234567890,"ok":false,"note":"{\"x\":1}"},null],` +
		`[null,-0.5,null,false,"line\nbreak\u2028",null,[],{"k":2},{"id":1,"ok":null,"note":null},null]]`
	if text != want {
		t.Errorf("document\n got %s\nwant %s", text, want)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], `"ratio"`) || !strings.Contains(warnings[1], `"m"`) {
		t.Errorf("warnings = %q", warnings)
	}
}

// Many rows, many chunks, any order: the document holds each row once, in order.
func TestJSONRowsInOrderWhateverTheArrival(t *testing.T) {
	t.Parallel()
	columns := []databricks.Column{{Name: "i", TypeText: "INT"}, {Name: "pad", TypeText: "STRING"}}
	rows := make([]databricks.Row, 20_000)
	for i := range rows {
		rows[i] = databricks.Row{cell(fmt.Sprint(i)), cell(strings.Repeat("x", i%50))}
	}
	text, _ := jsonDocument(t, columns, rows, 777)
	var got [][]any
	if err := json.Unmarshal([]byte(text), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d rows", len(got))
	}
	for i, r := range got {
		if len(r) != 2 || r[0] != float64(i) || r[1] != strings.Repeat("x", i%50) {
			t.Fatalf("row %d = %v", i, r)
		}
	}
}

// A row missing is a bug the document refuses to hide.
func TestJSONRowsRefuseAGap(t *testing.T) {
	t.Parallel()
	var doc jsonRows
	if err := doc.Begin(databricks.ResultInfo{Columns: []databricks.Column{{Name: "i", TypeText: "INT"}}, TotalRowCount: 3}); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int64{0, 2} {
		if err := doc.Row(i, databricks.Row{cell("1")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := doc.document(); err == nil || !strings.Contains(err.Error(), "rows 1 to 1 are missing") {
		t.Errorf("err = %v", err)
	}
}

// What the typed rows refuse, the JSON document refuses.
func TestJSONRowsRefuseWhatTypedRowsRefuse(t *testing.T) {
	t.Parallel()
	for typ, text := range map[string]string{"INT": "12abc", "BOOLEAN": "yes", "DOUBLE": "1e9999", "ARRAY<INT>": "[1,", "MAP<STRING,INT>": `"x"`, "INT ": "0x10"} {
		var doc jsonRows
		if err := doc.Begin(databricks.ResultInfo{Columns: []databricks.Column{{Name: "c", TypeText: typ}}, TotalRowCount: 1}); err != nil {
			t.Fatal(err)
		}
		err := doc.Row(0, databricks.Row{cell(text)})
		var unreadable *unreadableValueError
		if !errors.As(err, &unreadable) {
			t.Errorf("%s %q: err = %v", typ, text, err)
		}
	}
	var doc jsonRows
	err := doc.Begin(databricks.ResultInfo{Columns: []databricks.Column{{Name: "id", TypeText: "INT"}, {Name: "id", TypeText: "INT"}}})
	if err == nil || !strings.Contains(err.Error(), `more than one column named "id"`) {
		t.Errorf("duplicate columns: %v", err)
	}
}

// Numbers keep every digit: the JSON number is the number the text says, respelled only
// where JSON spells numbers more strictly.
func TestAppendJSONNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"1": "1", "-0": "-0", "+1": "1", ".5": "0.5", "-.5": "-0.5", "7.": "7", "007.50": "7.50", "1E+10": "1E+10",
		"1.e3": "1e3", "-0.000001": "-0.000001", "12345678901234567890123456.789012345678": "12345678901234567890123456.789012345678",
		"NaN": "null", "-Infinity": "null", "inf": "null",
	} {
		got, _, err := appendJSONNumber(nil, in)
		if err != nil || string(got) != want {
			t.Errorf("%q = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1e9999", "0x10", "1_000", "--1", "1e", "."} {
		if got, _, err := appendJSONNumber(nil, in); err == nil {
			t.Errorf("%q = %q, want an error", in, got)
		}
	}
}

func FuzzAppendJSONNumber(f *testing.F) {
	for _, seed := range []string{"0.1", "-0", "+.5", "7.", "007", "1e3", "1.7976931348623157E308", "4.9E-324", "-9223372036854775808", "99999999999999999999999999999999999999"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, nonFinite, err := appendJSONNumber(nil, s)
		if err != nil || nonFinite {
			return
		}
		if !json.Valid(got) {
			t.Fatalf("%q became %q, not JSON", s, got)
		}
		want, _, err := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
		if err != nil {
			t.Fatalf("%q accepted, but it is not a number: %v", s, err)
		}
		if read, _, err := big.ParseFloat(string(got), 10, numberPrecision, big.ToNearestEven); err != nil || read.Cmp(want) != 0 {
			t.Fatalf("%q became %q, another number", s, got)
		}
	})
}

// Strings come out as encoding/json writes them, whatever bytes go in.
func FuzzAppendJSONString(f *testing.F) {
	for _, seed := range []string{"plain", `quote " back \ `, "ctl \x00\x1f\t\n\r", "é 日本 😀", "\xff\xfe bad", "\u2028\u2029", "<&>"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		var a, b string
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("%q became %q, not JSON: %v", s, got, err)
		}
		if err := json.Unmarshal(buf.Bytes(), &b); err != nil || a != b {
			t.Fatalf("%q reads back as %q, encoding/json's as %q", s, a, b)
		}
	})
}
