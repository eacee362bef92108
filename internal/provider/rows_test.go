package provider

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

func cell(s string) databricks.Cell { return databricks.Cell{Text: s, Valid: true} }

var null = databricks.Cell{}

func number(s string) attr.Value {
	f, _, err := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
	if err != nil {
		panic(err)
	}
	return types.NumberValue(f)
}

func list(elem attr.Type, values ...attr.Value) attr.Value {
	return types.ListValueMust(elem, values)
}

func object(types_ map[string]attr.Type, values map[string]attr.Value) attr.Value {
	return types.ObjectValueMust(types_, values)
}

// convertThroughResult converts one cell of a column of typeText the way a query does:
// the client hands a one-column, one-row result to the query's RowHandler.
func convertThroughResult(typeText string, c databricks.Cell) (tftypes.Value, error) {
	var rows resultRows
	info := databricks.ResultInfo{StatementID: "01ef-test", Columns: []databricks.Column{{Name: "v", TypeText: typeText}}, TotalRowCount: 1}
	if err := rows.Begin(info); err != nil {
		return tftypes.Value{}, err
	}
	if err := rows.Row(0, databricks.Row{c}); err != nil {
		return tftypes.Value{}, err
	}
	var list []tftypes.Value
	if err := rows.value().As(&list); err != nil {
		return tftypes.Value{}, err
	}
	var row map[string]tftypes.Value
	if err := list[0].As(&row); err != nil {
		return tftypes.Value{}, err
	}
	return row["v"], nil
}

// terraformValue is a framework value as the state carries it.
func terraformValue(t *testing.T, v attr.Value) tftypes.Value {
	t.Helper()
	tv, err := v.ToTerraformValue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tv
}

func TestConvertCell(t *testing.T) {
	t.Parallel()
	abType := map[string]attr.Type{"a": types.NumberType, "b": types.StringType}
	cases := []struct {
		typeText string
		cell     databricks.Cell
		want     attr.Value
	}{
		{"BOOLEAN", cell("true"), types.BoolValue(true)},
		{"BOOLEAN", cell("false"), types.BoolValue(false)},
		{"BOOLEAN", null, types.BoolNull()},
		{"TINYINT", cell("-128"), number("-128")},
		{"SMALLINT", cell("32767"), number("32767")},
		{"INT", cell("42"), number("42")},
		{"BIGINT", cell("9223372036854775807"), number("9223372036854775807")},
		{"BIGINT", cell("-9223372036854775808"), number("-9223372036854775808")},
		{"DECIMAL(38,0)", cell("99999999999999999999999999999999999999"), number("99999999999999999999999999999999999999")},
		{"DECIMAL(38,10)", cell("1234567890123456789012345678.0123456789"), number("1234567890123456789012345678.0123456789")},
		{"DECIMAL(10,2)", cell("0.10"), number("0.1")},
		{"DOUBLE", cell("1.5E10"), number("15000000000")},
		{"DOUBLE", cell("-0.000001"), number("-0.000001")},
		{"FLOAT", cell("3.25"), number("3.25")},
		{"DOUBLE", cell("NaN"), types.NumberNull()},
		{"DOUBLE", cell("Infinity"), types.NumberNull()},
		{"DOUBLE", cell("-Infinity"), types.NumberNull()},
		{"INT", null, types.NumberNull()},
		{"STRING", cell("héllo, 'world'"), types.StringValue("héllo, 'world'")},
		{"STRING", cell(""), types.StringValue("")},
		{"STRING", null, types.StringNull()},
		{"CHAR(3)", cell("abc"), types.StringValue("abc")},
		{"DATE", cell("2016-02-13"), types.StringValue("2016-02-13")},
		{"TIMESTAMP", cell("2016-02-13T21:47:53.000Z"), types.StringValue("2016-02-13T21:47:53.000Z")},
		{"INTERVAL DAY TO SECOND", cell("1 02:03:04.000000000"), types.StringValue("1 02:03:04.000000000")},
		{"BINARY", cell("AQID"), types.StringValue("AQID")},
		{"VOID", null, types.StringNull()},
		{"ARRAY<INT>", cell("[1,2,null]"), list(types.NumberType, number("1"), number("2"), types.NumberNull())},
		{"ARRAY<BIGINT>", cell(`["9223372036854775807"]`), list(types.NumberType, number("9223372036854775807"))},
		{"ARRAY<STRING>", cell(`["a","b"]`), list(types.StringType, types.StringValue("a"), types.StringValue("b"))},
		{"array<boolean>", cell(`[true,"false"]`), list(types.BoolType, types.BoolValue(true), types.BoolValue(false))},
		{"ARRAY<DATE>", cell(`["2020-01-01"]`), list(types.StringType, types.StringValue("2020-01-01"))},
		{"ARRAY<INT>", cell("[]"), list(types.NumberType)},
		{"ARRAY<INT>", null, types.ListNull(types.NumberType)},
		{"MAP<STRING, INT>", cell(`{"a":1,"b":null}`), types.MapValueMust(types.NumberType, map[string]attr.Value{"a": number("1"), "b": types.NumberNull()})},
		{"MAP<INT, STRING>", cell(`{"1":"x"}`), types.MapValueMust(types.StringType, map[string]attr.Value{"1": types.StringValue("x")})},
		{"MAP<INT, STRING>", cell(`[[1,"x"],[2,"y"]]`), types.MapValueMust(types.StringType, map[string]attr.Value{"1": types.StringValue("x"), "2": types.StringValue("y")})},
		{"STRUCT<a: INT, b: STRING>", cell(`{"a":7,"b":"x"}`), object(abType, map[string]attr.Value{"a": number("7"), "b": types.StringValue("x")})},
		{"struct<a:int,b:string>", cell(`{"a":"7"}`), object(abType, map[string]attr.Value{"a": number("7"), "b": types.StringNull()})},
		{"STRUCT<`a`: INT, `b`: STRING>", null, types.ObjectNull(abType)},
		{
			"ARRAY<STRUCT<id: BIGINT, tags: MAP<STRING, ARRAY<DECIMAL(38,2)>>>>",
			cell(`[{"id":12345678901234567890,"tags":{"x":[1.10,"2.20"]}}]`),
			list(
				types.ObjectType{AttrTypes: map[string]attr.Type{"id": types.NumberType, "tags": types.MapType{ElemType: types.ListType{ElemType: types.NumberType}}}},
				object(
					map[string]attr.Type{"id": types.NumberType, "tags": types.MapType{ElemType: types.ListType{ElemType: types.NumberType}}},
					map[string]attr.Value{
						"id":   number("12345678901234567890"),
						"tags": types.MapValueMust(types.ListType{ElemType: types.NumberType}, map[string]attr.Value{"x": list(types.NumberType, number("1.1"), number("2.2"))}),
					},
				),
			),
		},
		{"STRUCT<s: STRING>", cell(`{"s":{"nested":1}}`), object(map[string]attr.Type{"s": types.StringType}, map[string]attr.Value{"s": types.StringValue(`{"nested":1}`)})},
	}
	for _, tc := range cases {
		t.Run(tc.typeText+" "+tc.cell.Text, func(t *testing.T) {
			got, err := convertThroughResult(tc.typeText, tc.cell)
			if err != nil {
				t.Fatalf("converting: %v", err)
			}
			// Compared as Terraform receives them: numbers are parsed at the precision
			// their digits need, not at the 512 bits of the expected values.
			if want := terraformValue(t, tc.want); !asTerraformSeesIt(t, got).Equal(asTerraformSeesIt(t, want)) {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}

// Numbers keep every digit: the text Terraform will see is the text Databricks sent.
func TestConvertCellKeepsDigits(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"9223372036854775807", "-9223372036854775808", "99999999999999999999999999999999999999", "1234567890123456789012345678.0123456789", "0.1", "123.45"} {
		v, err := convertThroughResult("DECIMAL(38,10)", cell(s))
		if err != nil {
			t.Fatal(err)
		}
		var n big.Float
		if err := v.As(&n); err != nil {
			t.Fatalf("%s converted to %s: %v", s, v, err)
		}
		if got := n.Text('f', -1); got != s {
			t.Errorf("%s came back as %s", s, got)
		}
	}
}

func TestConvertCellRejects(t *testing.T) {
	t.Parallel()
	cases := [][2]string{
		{"BOOLEAN", "yes"},
		{"INT", "0x1F"},
		{"BIGINT", "1_000"},
		{"DOUBLE", ""},
		{"DECIMAL(10,2)", "1e"},
		{"ARRAY<INT>", "[1,"},
		{"ARRAY<INT>", `{"a":1}`},
		{"ARRAY<INT>", `[1] [2]`},
		{"MAP<STRING,INT>", `"x"`},
		{"STRUCT<a:INT>", "[1]"},
		{"ARRAY<BOOLEAN>", `[1]`},
	}
	for _, tc := range cases {
		typeText, text := tc[0], tc[1]
		if got, err := convertThroughResult(typeText, cell(text)); err == nil {
			t.Errorf("%s cell %q converted to %s, want an error", typeText, text, got)
		}
	}
}

func TestRowConverter(t *testing.T) {
	t.Parallel()
	columns := []databricks.Column{
		{Name: "zip", TypeName: "INT", TypeText: "INT"},
		{Name: "fare", TypeName: "DOUBLE", TypeText: "DOUBLE"},
		{Name: "odd", TypeName: "USER_DEFINED_TYPE", TypeText: "GEOMETRY<<"},
	}
	var rows resultRows
	if err := rows.Begin(databricks.ResultInfo{StatementID: "01ef-test", Columns: columns, TotalRowCount: 3}); err != nil {
		t.Fatal(err)
	}
	for i, row := range []databricks.Row{
		{cell("10001"), cell("12.5"), cell("POINT(1 2)")},
		{null, cell("NaN"), null},
		{cell("10002"), cell("Infinity"), cell("x")},
	} {
		if err := rows.Row(int64(i), row); err != nil {
			t.Fatal(err)
		}
	}
	var list []tftypes.Value
	if err := rows.value().As(&list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 {
		t.Fatalf("%d rows", len(list))
	}
	var first map[string]tftypes.Value
	if err := list[0].As(&first); err != nil {
		t.Fatalf("a row is a %s: %v", list[0].Type(), err)
	}
	if !first["zip"].Equal(terraformValue(t, number("10001"))) || !first["odd"].Equal(tftypes.NewValue(tftypes.String, "POINT(1 2)")) {
		t.Errorf("first row = %v", first)
	}
	// One warning for the unreadable type, one (not two) for the column with NaN and Infinity.
	warnings := rows.warnings()
	if len(warnings) != 2 || !strings.Contains(warnings[0], `"odd"`) || !strings.Contains(warnings[1], `"fare"`) {
		t.Errorf("warnings = %q", warnings)
	}
}

func TestRowConverterRefusesDuplicateColumns(t *testing.T) {
	t.Parallel()
	_, err := newRowConverter([]databricks.Column{{Name: "id", TypeText: "INT"}, {Name: "id", TypeText: "STRING"}})
	if err == nil || !strings.Contains(err.Error(), `more than one column named "id"`) || !strings.Contains(err.Error(), "AS") {
		t.Errorf("err = %v", err)
	}
}

// FuzzConvertCell: any type text and any cell text, an error or a value, never a panic.
func FuzzConvertCell(f *testing.F) {
	for _, seed := range [][2]string{
		{"INT", "1"}, {"DOUBLE", "NaN"}, {"ARRAY<STRUCT<a: INT, b: MAP<STRING, ARRAY<DOUBLE>>>>", `[{"a":1,"b":{"k":[1.5,null]}}]`},
		{"MAP<INT,STRING>", `[[1,"x"]]`}, {"STRUCT<a:BOOLEAN>", `{"a":"true"}`}, {"BOOLEAN", "TRUE"}, {"DECIMAL(38,2)", "1e999999"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, typeText, text string) {
		typ, err := databricks.ParseType(typeText)
		if err != nil {
			return
		}
		want, err := terraformType(typ)
		if err != nil {
			return
		}
		v, err := convertThroughResult(typeText, cell(text))
		if err == nil && !v.Type().Equal(want) {
			t.Fatalf("%s cell %q converted to a %s, want a %s", typeText, text, v.Type(), want)
		}
	})
}
