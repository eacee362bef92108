package provider

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// numberPrecision is the mantissa precision, in bits, of numbers parsed from cells: the
// precision Terraform itself parses numbers with, far beyond the 38 digits of a
// DECIMAL(38,s), so that no digit is lost on the way.
const numberPrecision = 512

// rowConverter turns result cells into typed Terraform values, each column by the type
// Databricks declared for it. It is built once per result and applied to every row.
type rowConverter struct {
	columns []columnConverter
	rowType types.ObjectType
	// warnings collects one message per column that needed one (non-finite numbers,
	// unreadable types), in column order.
	warnings []string
}

type columnConverter struct {
	name      string
	sqlType   *databricks.SQLType
	attrType  attr.Type
	nonFinite bool // a NaN or Infinity was turned into null
}

// newRowConverter prepares a converter for columns. Duplicate column names are an error:
// a row is an object keyed by column name, and a second column would silently replace
// the first.
func newRowConverter(columns []databricks.Column) (*rowConverter, error) {
	c := &rowConverter{}
	attrTypes := make(map[string]attr.Type, len(columns))
	for _, col := range columns {
		if _, dup := attrTypes[col.Name]; dup {
			return nil, fmt.Errorf("the result has more than one column named %q; give each a distinct name with AS (e.g. SELECT a.id AS a_id, b.id AS b_id)", col.Name)
		}
		sqlType, err := databricks.ParseType(col.TypeText)
		if err != nil {
			// An unreadable type is not worth failing a query for: its cells are
			// still text, exactly as Databricks sent them.
			c.warnings = append(c.warnings, fmt.Sprintf("Column %q has a type the provider cannot read (%s); its values are returned as text.", col.Name, col.TypeText))
			sqlType = &databricks.SQLType{Name: "STRING"}
		}
		at, err := attrTypeOf(sqlType)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col.Name, err)
		}
		attrTypes[col.Name] = at
		c.columns = append(c.columns, columnConverter{name: col.Name, sqlType: sqlType, attrType: at})
	}
	c.rowType = types.ObjectType{AttrTypes: attrTypes}
	return c, nil
}

// attrTypeOf maps a Databricks type to the Terraform type of its values.
func attrTypeOf(t *databricks.SQLType) (attr.Type, error) {
	switch t.Kind() {
	case databricks.KindBool:
		return types.BoolType, nil
	case databricks.KindNumber:
		return types.NumberType, nil
	case databricks.KindArray:
		elem, err := attrTypeOf(t.Elem)
		return types.ListType{ElemType: elem}, err
	case databricks.KindMap:
		elem, err := attrTypeOf(t.Value)
		return types.MapType{ElemType: elem}, err
	case databricks.KindStruct:
		fields := make(map[string]attr.Type, len(t.Fields))
		for _, f := range t.Fields {
			if _, dup := fields[f.Name]; dup {
				return nil, fmt.Errorf("%s has two fields named %q", t, f.Name)
			}
			ft, err := attrTypeOf(f.Type)
			if err != nil {
				return nil, err
			}
			fields[f.Name] = ft
		}
		return types.ObjectType{AttrTypes: fields}, nil
	}
	// Strings, dates, timestamps, intervals, binary (base64), and VOID columns, whose
	// cells are all null.
	return types.StringType, nil
}

// convertRows converts every row into one list of objects.
func (c *rowConverter) convertRows(rows []databricks.Row) (types.List, error) {
	values := make([]attr.Value, len(rows))
	for i, row := range rows {
		v, err := c.convertRow(row)
		if err != nil {
			return types.ListNull(c.rowType), fmt.Errorf("row %d: %w", i, err)
		}
		values[i] = v
	}
	for _, col := range c.columns {
		if col.nonFinite {
			c.warnings = append(c.warnings, fmt.Sprintf("Column %q holds NaN or Infinity, which Terraform numbers cannot represent; those values are null.", col.name))
		}
	}
	list, diags := types.ListValue(c.rowType, values)
	return list, diagsError(diags)
}

func (c *rowConverter) convertRow(row databricks.Row) (attr.Value, error) {
	if len(row) != len(c.columns) {
		return nil, fmt.Errorf("%d values for %d columns", len(row), len(c.columns))
	}
	attrs := make(map[string]attr.Value, len(row))
	for i := range c.columns {
		col := &c.columns[i]
		v, nonFinite, err := convertCell(col.sqlType, col.attrType, row[i])
		if err != nil {
			return nil, fmt.Errorf("column %q (%s): %w", col.name, col.sqlType, err)
		}
		col.nonFinite = col.nonFinite || nonFinite
		attrs[col.name] = v
	}
	obj, diags := types.ObjectValue(c.rowType.AttrTypes, attrs)
	return obj, diagsError(diags)
}

// convertCell converts one cell's text. nonFinite reports a NaN or Infinity turned into null.
func convertCell(t *databricks.SQLType, at attr.Type, cell databricks.Cell) (v attr.Value, nonFinite bool, err error) {
	if !cell.Valid {
		return nullOf(at), false, nil
	}
	switch t.Kind() {
	case databricks.KindBool:
		b, err := parseBool(cell.Text)
		if err != nil {
			return nil, false, err
		}
		return types.BoolValue(b), false, nil
	case databricks.KindNumber:
		return parseNumber(cell.Text)
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		dec := json.NewDecoder(strings.NewReader(cell.Text))
		dec.UseNumber()
		var decoded any
		if err := dec.Decode(&decoded); err != nil {
			return nil, false, fmt.Errorf("the value is not valid JSON: %w", err)
		}
		if dec.More() {
			return nil, false, fmt.Errorf("the value has text after its JSON")
		}
		return convertJSON(t, at, decoded)
	case databricks.KindNull:
		return nullOf(at), false, nil
	}
	return types.StringValue(cell.Text), false, nil
}

// convertJSON converts a value decoded from a complex cell's JSON text. Nested scalars
// may arrive as JSON scalars or as strings; both are accepted.
func convertJSON(t *databricks.SQLType, at attr.Type, v any) (attr.Value, bool, error) {
	if v == nil {
		return nullOf(at), false, nil
	}
	switch t.Kind() {
	case databricks.KindBool:
		switch x := v.(type) {
		case bool:
			return types.BoolValue(x), false, nil
		case string:
			b, err := parseBool(x)
			return types.BoolValue(b), false, err
		}
	case databricks.KindNumber:
		switch x := v.(type) {
		case json.Number:
			return parseNumber(x.String())
		case string:
			return parseNumber(x)
		}
	case databricks.KindString:
		switch x := v.(type) {
		case string:
			return types.StringValue(x), false, nil
		case json.Number:
			return types.StringValue(x.String()), false, nil
		case bool:
			return types.StringValue(fmt.Sprint(x)), false, nil
		default:
			text, err := json.Marshal(x)
			return types.StringValue(string(text)), false, err
		}
	case databricks.KindNull:
		return nullOf(at), false, nil
	case databricks.KindArray:
		items, ok := v.([]any)
		if !ok {
			break
		}
		listType, ok := at.(types.ListType)
		if !ok {
			break
		}
		elemType := listType.ElemType
		values := make([]attr.Value, len(items))
		anyNonFinite := false
		for i, item := range items {
			ev, nf, err := convertJSON(t.Elem, elemType, item)
			if err != nil {
				return nil, false, fmt.Errorf("element %d: %w", i, err)
			}
			values[i], anyNonFinite = ev, anyNonFinite || nf
		}
		list, diags := types.ListValue(elemType, values)
		return list, anyNonFinite, diagsError(diags)
	case databricks.KindMap:
		entries, err := mapEntries(v)
		if err != nil {
			return nil, false, err
		}
		mapType, ok := at.(types.MapType)
		if !ok {
			break
		}
		elemType := mapType.ElemType
		values := make(map[string]attr.Value, len(entries))
		anyNonFinite := false
		for key, item := range entries {
			ev, nf, err := convertJSON(t.Value, elemType, item)
			if err != nil {
				return nil, false, fmt.Errorf("key %q: %w", key, err)
			}
			values[key], anyNonFinite = ev, anyNonFinite || nf
		}
		m, diags := types.MapValue(elemType, values)
		return m, anyNonFinite, diagsError(diags)
	case databricks.KindStruct:
		fields, ok := v.(map[string]any)
		if !ok {
			break
		}
		objType, ok := at.(types.ObjectType)
		if !ok {
			break
		}
		values := make(map[string]attr.Value, len(t.Fields))
		anyNonFinite := false
		for _, f := range t.Fields {
			fv, nf, err := convertJSON(f.Type, objType.AttrTypes[f.Name], fields[f.Name])
			if err != nil {
				return nil, false, fmt.Errorf("field %q: %w", f.Name, err)
			}
			values[f.Name], anyNonFinite = fv, anyNonFinite || nf
		}
		obj, diags := types.ObjectValue(objType.AttrTypes, values)
		return obj, anyNonFinite, diagsError(diags)
	}
	return nil, false, fmt.Errorf("expected a %s value, found %s", t, describeJSON(v))
}

// mapEntries reads a MAP value written as a JSON object, or as a list of [key, value]
// pairs or {"key":..,"value":..} objects, the shapes maps with non-string keys take.
func mapEntries(v any) (map[string]any, error) {
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case []any:
		entries := make(map[string]any, len(x))
		for _, item := range x {
			var key, value any
			switch pair := item.(type) {
			case []any:
				if len(pair) != 2 {
					return nil, fmt.Errorf("a map entry must be a [key, value] pair")
				}
				key, value = pair[0], pair[1]
			case map[string]any:
				key, value = pair["key"], pair["value"]
			default:
				return nil, fmt.Errorf("expected a map entry, found %s", describeJSON(item))
			}
			if key == nil {
				return nil, fmt.Errorf("a map key is null")
			}
			entries[scalarText(key)] = value
		}
		return entries, nil
	}
	return nil, fmt.Errorf("expected a map, found %s", describeJSON(v))
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func describeJSON(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

// parseNumber parses a numeric cell without passing through float64, so that a BIGINT
// or a DECIMAL(38,s) keeps every digit. NaN and infinities, which Terraform numbers
// cannot hold, become null.
func parseNumber(s string) (attr.Value, bool, error) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "infinity", "inf":
		return types.NumberNull(), true, nil
	}
	if !isDecimalText(s) {
		return nil, false, fmt.Errorf("%q is not a number", s)
	}
	f, _, err := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
	if err != nil {
		return nil, false, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return types.NumberValue(f), false, nil
}

// isDecimalText accepts plain decimal notation with an optional exponent, and nothing
// else big.ParseFloat would (hexadecimal, underscores, "Inf").
func isDecimalText(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	if s[i] == '+' || s[i] == '-' {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		expDigits := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			expDigits++
		}
		if expDigits == 0 || expDigits > 3 { // beyond any DOUBLE; and 1e999999 would print a million digits
			return false
		}
	}
	return i == len(s)
}

func nullOf(t attr.Type) attr.Value {
	switch tt := t.(type) {
	case types.ListType:
		return types.ListNull(tt.ElemType)
	case types.MapType:
		return types.MapNull(tt.ElemType)
	case types.ObjectType:
		return types.ObjectNull(tt.AttrTypes)
	}
	switch t {
	case types.BoolType:
		return types.BoolNull()
	case types.NumberType:
		return types.NumberNull()
	}
	return types.StringNull()
}

// diagsError turns the diagnostics of a value constructor into an error. The converter
// builds values from types it derived itself, so an error here is a bug, but a
// diagnostic is still better than a panic.
func diagsError(diags diag.Diagnostics) error {
	if !diags.HasError() {
		return nil
	}
	return fmt.Errorf("%s", diags.Errors()[0].Detail())
}
