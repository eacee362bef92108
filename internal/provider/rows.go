package provider

import (
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// rowConverter turns result cells into typed Terraform values, each column by the type
// Databricks declared for it. It is built once per result and applied to every row, from
// several goroutines at once when chunks are read in parallel.
//
// Rows are built as tftypes values, the form in which the state goes to Terraform, rather
// than as framework values: a framework list of objects holds a map per row, and the
// framework turns it into tftypes values with another map per row (plus a copy of the
// row type per row when the list is checked), so a large result would be held twice
// over before the framework makes its own copies. Complex cells (ARRAY, MAP, STRUCT)
// are decoded into tftypes values too (complex_values.go): one engine for every cell.
type rowConverter struct {
	columns []columnConverter
	// rowType is the type of a row; its one map of attribute types is shared by every row.
	rowType tftypes.Object
	// numbers is how many columns hold numbers.
	numbers int
	// warnings collects one message per column that needed one (non-finite numbers,
	// unreadable types), in column order.
	warnings []string
}

type columnConverter struct {
	name    string
	sqlType *databricks.SQLType
	kind    databricks.Kind
	tfType  tftypes.Type
	null    tftypes.Value // made once: every null of the column is the same value
	// nonFinite is set when a NaN or Infinity was turned into null; rows are converted
	// concurrently.
	nonFinite atomic.Bool
}

// newRowConverter prepares a converter for columns.
func newRowConverter(columns []databricks.Column) (*rowConverter, error) {
	types, warnings, err := columnTypes(columns)
	if err != nil {
		return nil, err
	}
	c := &rowConverter{columns: make([]columnConverter, len(columns)), warnings: warnings}
	attributeTypes := make(map[string]tftypes.Type, len(columns))
	for i, col := range columns {
		tfType, err := terraformType(types[i])
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col.Name, err)
		}
		cc := &c.columns[i]
		cc.name, cc.sqlType, cc.kind, cc.tfType = col.Name, types[i], types[i].Kind(), tfType
		cc.null = tftypes.NewValue(tfType, nil)
		if cc.kind == databricks.KindNumber {
			c.numbers++
		}
		attributeTypes[col.Name] = tfType
	}
	c.rowType = tftypes.Object{AttributeTypes: attributeTypes}
	return c, nil
}

// columnTypes parses the types of a result's columns, for either form of the rows.
// Duplicate column names are an error: a typed row is an object keyed by column name,
// and a second column would silently replace the first; the JSON form refuses them too,
// so that a statement reads in both forms or in neither. A type the provider cannot read is
// not worth failing a query for: its cells are still text, exactly as Databricks sent
// them, and a warning says so.
func columnTypes(columns []databricks.Column) (types []*databricks.SQLType, warnings []string, err error) {
	seen := make(map[string]bool, len(columns))
	types = make([]*databricks.SQLType, len(columns))
	for i, col := range columns {
		if seen[col.Name] {
			return nil, nil, fmt.Errorf("the result has more than one column named %q; give each a distinct name with AS (e.g. SELECT a.id AS a_id, b.id AS b_id)", col.Name)
		}
		seen[col.Name] = true
		if types[i], err = databricks.ParseType(col.TypeText); err != nil {
			warnings = append(warnings, fmt.Sprintf("Column %q has a type the provider cannot read (%s); its values are returned as text.", col.Name, col.TypeText))
			types[i] = &databricks.SQLType{Name: "STRING"}
		}
	}
	return types, warnings, nil
}

// nonFiniteWarning is the warning of a column whose NaN or Infinity became null.
func nonFiniteWarning(column string) string {
	return fmt.Sprintf("Column %q holds NaN or Infinity, which neither Terraform numbers nor JSON can represent; those values are null.", column)
}

// terraformType maps a Databricks type to the Terraform type of its values.
func terraformType(t *databricks.SQLType) (tftypes.Type, error) {
	switch t.Kind() {
	case databricks.KindBool:
		return tftypes.Bool, nil
	case databricks.KindNumber:
		return tftypes.Number, nil
	case databricks.KindArray:
		elem, err := terraformType(t.Elem)
		return tftypes.List{ElementType: elem}, err
	case databricks.KindMap:
		elem, err := terraformType(t.Value)
		return tftypes.Map{ElementType: elem}, err
	case databricks.KindStruct:
		fields := make(map[string]tftypes.Type, len(t.Fields))
		for _, f := range t.Fields {
			if _, dup := fields[f.Name]; dup {
				return nil, fmt.Errorf("%s has two fields named %q", t, f.Name)
			}
			ft, err := terraformType(f.Type)
			if err != nil {
				return nil, err
			}
			fields[f.Name] = ft
		}
		return tftypes.Object{AttributeTypes: fields}, nil
	}
	// Strings, dates, timestamps, intervals, binary (base64), and VOID columns, whose
	// cells are all null.
	return tftypes.String, nil
}

// finish makes the list of the converted rows.
func (c *rowConverter) finish(rows []tftypes.Value) tftypes.Value {
	return tftypes.NewValue(tftypes.List{ElementType: c.rowType}, rows)
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
	// Every value has its column's type, so this cannot panic.
	return tftypes.NewValue(c.rowType, attrs), nil
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
		return boolValue(cell.Text)
	case databricks.KindNumber:
		v, nonFinite, err := numberValue(number, cell.Text)
		if nonFinite {
			col.nonFinite.Store(true)
		}
		return v, err
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		v, nonFinite, err := complexValue(col.sqlType, col.tfType, cell.Text)
		if nonFinite {
			col.nonFinite.Store(true)
		}
		return v, err
	case databricks.KindNull:
		return col.null, nil
	}
	return tftypes.NewValue(tfStringType, cell.Text), nil
}

// boolValue reads a BOOLEAN as Databricks writes it.
func boolValue(s string) (tftypes.Value, error) {
	b, err := readBool(s)
	switch {
	case err != nil:
		return tftypes.Value{}, err
	case b:
		return tfTrue, nil
	}
	return tfFalse, nil
}

// readBool reads a BOOLEAN's text.
func readBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", s)
}

// numberValue reads a number into z (a new one if z is nil). NaN and infinities, which
// Terraform numbers cannot hold, become null and are reported as nonFinite.
func numberValue(z *big.Float, s string) (v tftypes.Value, nonFinite bool, err error) {
	f, nonFinite, err := parseDecimal(z, s)
	switch {
	case err != nil:
		return tftypes.Value{}, false, err
	case nonFinite:
		return tftypes.NewValue(tfNumberType, nil), true, nil
	}
	return tftypes.NewValue(tfNumberType, f), false, nil
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
type unusableColumnsError struct {
	statementID string
	err         error
}

func (e *unusableColumnsError) Error() string { return e.err.Error() }

// unreadableValueError is a cell the converter cannot read.
type unreadableValueError struct {
	statementID string
	row         int64
	err         error
}

func (e *unreadableValueError) Error() string { return fmt.Sprintf("row %d: %v", e.row, e.err) }

// Begin prepares for a result; it starts over when the client executes the statement again.
func (r *resultRows) Begin(info databricks.ResultInfo) error {
	r.statementID = info.StatementID
	converter, err := newRowConverter(info.Columns)
	if err != nil {
		return &unusableColumnsError{statementID: info.StatementID, err: err}
	}
	r.converter = converter
	r.rows = make([]tftypes.Value, info.TotalRowCount)
	return nil
}

// Row converts one row. The client calls it concurrently, each index once. The values
// keep the row's text, which the client lends only for the call: it is copied first.
func (r *resultRows) Row(index int64, row databricks.Row) error {
	v, err := r.converter.convertRow(row.Clone())
	if err != nil {
		return &unreadableValueError{statementID: r.statementID, row: index, err: err}
	}
	r.rows[index] = v
	return nil
}

// value is the rows attribute, once every row was read.
func (r *resultRows) value() tftypes.Value { return r.converter.finish(r.rows) }

// warnings are the converter's, with those only known once every row was seen.
func (r *resultRows) warnings() []string { return r.converter.allWarnings() }

// allWarnings are the warnings of the columns, with those only known once every row was
// converted.
func (c *rowConverter) allWarnings() []string {
	out := slices.Clone(c.warnings)
	for i := range c.columns {
		if c.columns[i].nonFinite.Load() {
			out = append(out, nonFiniteWarning(c.columns[i].name))
		}
	}
	return out
}
