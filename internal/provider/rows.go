package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// numberPrecision is the mantissa precision, in bits, of numbers parsed from cells: the
// precision Terraform itself parses numbers with, far beyond the 38 digits of a
// DECIMAL(38,s), so that no digit is lost on the way.
const numberPrecision = 512

// rowConverter turns result cells into typed Terraform values, each column by the type
// Databricks declared for it. It is built once per result and applied to every row, from
// several goroutines at once when chunks are read in parallel.
//
// Rows are built as tftypes values, the form in which the state goes to Terraform, rather
// than as framework values: a framework list of objects holds a map per row, and the
// framework turns it into tftypes values with another map per row (plus a copy of the
// row type per row when the list is checked), so a large result would be held twice
// over before the framework makes its own copies.
type rowConverter struct {
	columns []columnConverter
	rowType types.ObjectType
	// tfRowType is rowType as tftypes; its one map of attribute types is shared by every row.
	tfRowType tftypes.Object
	// numbers is how many columns hold numbers.
	numbers int
	// warnings collects one message per column that needed one (non-finite numbers,
	// unreadable types), in column order.
	warnings []string
}

type columnConverter struct {
	name     string
	sqlType  *databricks.SQLType
	kind     databricks.Kind
	attrType attr.Type
	tfType   tftypes.Type
	null     tftypes.Value // made once: every null of the column is the same value
	// nonFinite is set when a NaN or Infinity was turned into null; rows are converted
	// concurrently.
	nonFinite atomic.Bool
}

// newRowConverter prepares a converter for columns. Duplicate column names are an error:
// a row is an object keyed by column name, and a second column would silently replace
// the first.
func newRowConverter(columns []databricks.Column) (*rowConverter, error) {
	c := &rowConverter{columns: make([]columnConverter, len(columns))}
	attrTypes := make(map[string]attr.Type, len(columns))
	tfTypes := make(map[string]tftypes.Type, len(columns))
	for i, col := range columns {
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
		c.columns[i].init(col.Name, sqlType, at)
		if c.columns[i].kind == databricks.KindNumber {
			c.numbers++
		}
		attrTypes[col.Name] = at
		tfTypes[col.Name] = c.columns[i].tfType
	}
	c.rowType = types.ObjectType{AttrTypes: attrTypes}
	c.tfRowType = tftypes.Object{AttributeTypes: tfTypes}
	return c, nil
}

func (col *columnConverter) init(name string, t *databricks.SQLType, at attr.Type) {
	col.name, col.sqlType, col.kind, col.attrType = name, t, t.Kind(), at
	col.tfType = at.TerraformType(context.Background())
	col.null = tftypes.NewValue(col.tfType, nil)
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

// convertRows converts every row into one list of objects, as framework values.
func (c *rowConverter) convertRows(rows []databricks.Row) (types.List, error) {
	values := make([]tftypes.Value, len(rows))
	for i, row := range rows {
		v, err := c.convertRow(row)
		if err != nil {
			return types.ListNull(c.rowType), fmt.Errorf("row %d: %w", i, err)
		}
		values[i] = v
	}
	listType := types.ListType{ElemType: c.rowType}
	v, err := listType.ValueFromTerraform(context.Background(), c.finish(values))
	if err != nil {
		return types.ListNull(c.rowType), err
	}
	list, ok := v.(types.List)
	if !ok {
		return types.ListNull(c.rowType), fmt.Errorf("a list type made a %T", v)
	}
	return list, nil
}

// finish makes the list of the converted rows and adds the warnings that could only be
// known once every row was seen.
func (c *rowConverter) finish(rows []tftypes.Value) tftypes.Value {
	for i := range c.columns {
		if c.columns[i].nonFinite.Load() {
			c.warnings = append(c.warnings, fmt.Sprintf("Column %q holds NaN or Infinity, which Terraform numbers cannot represent; those values are null.", c.columns[i].name))
		}
	}
	return tftypes.NewValue(tftypes.List{ElementType: c.tfRowType}, rows)
}

// convertRow converts one row into an object. It is safe for concurrent use.
func (c *rowConverter) convertRow(row databricks.Row) (tftypes.Value, error) {
	if len(row) != len(c.columns) {
		return tftypes.Value{}, fmt.Errorf("%d values for %d columns", len(row), len(c.columns))
	}
	attrs := make(map[string]tftypes.Value, len(row))
	// The row's numbers share one allocation.
	numbers := make([]big.Float, c.numbers)
	for i := range c.columns {
		col := &c.columns[i]
		var number *big.Float
		if col.kind == databricks.KindNumber {
			number, numbers = &numbers[0], numbers[1:]
		}
		v, err := col.convert(row[i], number)
		if err != nil {
			return tftypes.Value{}, fmt.Errorf("column %q (%s): %w", col.name, col.sqlType, err)
		}
		attrs[col.name] = v
	}
	// Every value has its column's type (convert checks those it does not make itself),
	// so this cannot panic.
	return tftypes.NewValue(c.tfRowType, attrs), nil
}

// Booleans are made once: every true is the same value. The primitive types are held as
// tftypes.Type once, rather than converted to the interface for every cell.
var (
	tfTrue       = tftypes.NewValue(tftypes.Bool, true)
	tfFalse      = tftypes.NewValue(tftypes.Bool, false)
	tfNumberType = tftypes.Type(tftypes.Number)
	tfStringType = tftypes.Type(tftypes.String)
)

// convert converts one cell of the column; a number is read into number, or into a new
// one if it is nil.
func (col *columnConverter) convert(cell databricks.Cell, number *big.Float) (tftypes.Value, error) {
	if !cell.Valid {
		return col.null, nil
	}
	switch col.kind {
	case databricks.KindBool:
		b, err := parseBool(cell.Text)
		if err != nil {
			return tftypes.Value{}, err
		}
		if b {
			return tfTrue, nil
		}
		return tfFalse, nil
	case databricks.KindNumber:
		f, nonFinite, err := parseDecimal(number, cell.Text)
		if err != nil {
			return tftypes.Value{}, err
		}
		if nonFinite {
			col.nonFinite.Store(true)
			return col.null, nil
		}
		return tftypes.NewValue(tfNumberType, f), nil
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		// Complex values are rare enough to go through framework values.
		v, nonFinite, err := convertCell(col.sqlType, col.attrType, cell)
		if err != nil {
			return tftypes.Value{}, err
		}
		if nonFinite {
			col.nonFinite.Store(true)
		}
		tv, err := v.ToTerraformValue(context.Background())
		if err == nil && !tv.Type().Equal(col.tfType) {
			err = fmt.Errorf("the value converts to %s, not %s; this is a bug in the provider", tv.Type(), col.tfType)
		}
		return tv, err
	case databricks.KindNull:
		return col.null, nil
	}
	return tftypes.NewValue(tfStringType, cell.Text), nil
}

// convertCell converts one cell's text into a framework value: ARRAY, MAP and STRUCT
// cells from their JSON, other cells as a column converts them. nonFinite reports a NaN
// or Infinity turned into null.
func convertCell(t *databricks.SQLType, at attr.Type, cell databricks.Cell) (v attr.Value, nonFinite bool, err error) {
	switch t.Kind() {
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		if !cell.Valid {
			return nullOf(at), false, nil
		}
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
	}
	var col columnConverter
	col.init("", t, at)
	tv, err := col.convert(cell, nil)
	if err != nil {
		return nil, false, err
	}
	v, err = at.ValueFromTerraform(context.Background(), tv)
	return v, col.nonFinite.Load(), err
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

// parseNumber parses a numeric cell into a Terraform number. NaN and infinities, which
// Terraform numbers cannot hold, become null.
func parseNumber(s string) (attr.Value, bool, error) {
	f, nonFinite, err := parseDecimal(nil, s)
	switch {
	case err != nil:
		return nil, false, err
	case nonFinite:
		return types.NumberNull(), true, nil
	}
	return types.NumberValue(f), false, nil
}

// parseDecimal parses a numeric cell into z (a new number if z is nil) without passing
// through float64, so that a BIGINT or a DECIMAL(38,s) keeps every digit. nonFinite
// reports NaN and infinities.
func parseDecimal(z *big.Float, s string) (f *big.Float, nonFinite bool, err error) {
	if z == nil {
		z = new(big.Float)
	}
	// Most numbers are short and plain: read them without big.ParseFloat's scanner. An
	// integer is exact in 64 bits; a fraction is the one division ParseFloat would do,
	// rounded the same way.
	if m, scale, ok := shortDecimal(s); ok {
		if scale == 0 {
			return z.SetInt64(m), false, nil
		}
		z.SetPrec(numberPrecision).SetInt64(m)
		return z.Quo(z, powersOfTen[scale]), false, nil
	}
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "nan", "infinity", "inf":
		return nil, true, nil
	}
	if !isDecimalText(s) {
		return nil, false, fmt.Errorf("%q is not a number", s)
	}
	f, _, err = z.SetPrec(numberPrecision).SetMode(big.ToNearestEven).Parse(s, 10)
	if err != nil {
		return nil, false, fmt.Errorf("%q is not a number: %w", s, err)
	}
	return f, false, nil
}

// maxShortDigits is the most digits whose value always fits an int64.
const maxShortDigits = 18

// powersOfTen holds 10^0 to 10^maxShortDigits, exactly. They are only ever read.
var powersOfTen = func() (p [maxShortDigits + 1]*big.Float) {
	n := int64(1)
	for i := range p {
		p[i] = new(big.Float).SetInt64(n)
		n *= 10
	}
	return p
}()

// shortDecimal reads plain decimal text of at most maxShortDigits digits, such as
// "-123.45", as m x 10^-scale. Anything else (exponents, long numbers, words) is left to
// the general path.
func shortDecimal(s string) (m int64, scale int, ok bool) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg, i = s[i] == '-', i+1
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			m = m*10 + int64(c-'0')
			digits++
			if dot {
				scale++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || digits > maxShortDigits {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, scale, true
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

// resultRows converts a result row by row as the client decodes it (a
// databricks.RowHandler), so that a chunk's cells are dropped as soon as they are read
// and a result never exists as cells and as Terraform values at once.
type resultRows struct {
	statementID string
	converter   *rowConverter
	rows        []tftypes.Value
}

var _ databricks.RowHandler = (*resultRows)(nil)

// unusableColumnsError is a result whose columns cannot become an object type.
type unusableColumnsError struct{ err error }

func (e *unusableColumnsError) Error() string { return e.err.Error() }

// unreadableValueError is a cell the converter cannot read.
type unreadableValueError struct {
	row int64
	err error
}

func (e *unreadableValueError) Error() string { return fmt.Sprintf("row %d: %v", e.row, e.err) }

// Begin prepares for a result; it starts over when the client executes the statement again.
func (r *resultRows) Begin(info databricks.ResultInfo) error {
	r.statementID = info.StatementID
	converter, err := newRowConverter(info.Columns)
	if err != nil {
		return &unusableColumnsError{err: err}
	}
	r.converter = converter
	r.rows = make([]tftypes.Value, info.TotalRowCount)
	return nil
}

// Row converts one row. The client calls it concurrently, each index once.
func (r *resultRows) Row(index int64, row databricks.Row) error {
	v, err := r.converter.convertRow(row)
	if err != nil {
		return &unreadableValueError{row: index, err: err}
	}
	r.rows[index] = v
	return nil
}

// value is the rows attribute, once every row was read.
func (r *resultRows) value() tftypes.Value { return r.converter.finish(r.rows) }
