package provider

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// jsonRows makes a result into one JSON document as the client decodes it (a
// databricks.RowHandler), for result_format = "json": an array with an array per row, in
// result order, values in column order (Databricks' own JSON_ARRAY shape), with the
// typing rules of the typed rows (rows.go) where JSON has them: numbers are JSON numbers
// with every digit Databricks sent, booleans are booleans, ARRAY, MAP and STRUCT are
// arrays and objects, the rest strings, NaN and Infinity null.
//
// Rows are arrays rather than objects keyed by column name because the form is for large
// results, and the names repeated on every row made the document half as large again
// for a result of 8 short columns: more to hold for the provider (the document, then
// Terraform's copies of it), the CLI and the state. The columns attribute names them.
//
// A row is written as JSON the moment it is decoded and never exists as a Terraform
// value: the document is the one copy of the result the provider makes, and a string in
// the state costs the framework nothing to check or convert beyond copying its bytes.
type jsonRows struct {
	statementID string
	columns     []jsonColumn
	warns       []string
	rows        rowRuns
}

var _ databricks.RowHandler = (*jsonRows)(nil)

type jsonColumn struct {
	name    string
	sqlType *databricks.SQLType
	kind    databricks.Kind
	// nonFinite is set when a NaN or Infinity became null; rows are written concurrently.
	nonFinite atomic.Bool
}

// Begin prepares for a result; it starts over when the client executes the statement again.
func (r *jsonRows) Begin(info databricks.ResultInfo) error {
	types, warnings, err := columnTypes(info.Columns)
	if err != nil {
		return &unusableColumnsError{statementID: info.StatementID, err: err}
	}
	r.statementID, r.warns = info.StatementID, warnings
	r.columns = make([]jsonColumn, len(info.Columns))
	for i, col := range info.Columns {
		r.columns[i] = jsonColumn{name: col.Name, sqlType: types[i], kind: types[i].Kind()}
	}
	r.rows.reset(info.TotalRowCount)
	return nil
}

// Row writes one row. The client calls it concurrently, each index once.
func (r *jsonRows) Row(index int64, row databricks.Row) error {
	err := r.rows.add(index, []byte{','}, func(dst []byte) ([]byte, error) { return r.appendRow(dst, row) })
	if err != nil {
		return &unreadableValueError{statementID: r.statementID, row: index, err: err}
	}
	return nil
}

// appendRow writes a row as a JSON array.
func (r *jsonRows) appendRow(dst []byte, row databricks.Row) ([]byte, error) {
	if len(row) != len(r.columns) {
		return dst, fmt.Errorf("%d values for %d columns", len(row), len(r.columns))
	}
	dst = append(dst, '[')
	for i := range r.columns {
		col := &r.columns[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = col.appendCell(dst, row[i]); err != nil {
			return dst, fmt.Errorf("column %q (%s): %w", col.name, col.sqlType, err)
		}
	}
	return append(dst, ']'), nil
}

// appendCell writes one cell of the column.
func (col *jsonColumn) appendCell(dst []byte, cell databricks.Cell) ([]byte, error) {
	if !cell.Valid {
		return append(dst, "null"...), nil
	}
	switch col.kind {
	case databricks.KindBool:
		return appendJSONBool(dst, cell.Text)
	case databricks.KindNumber:
		out, nonFinite, err := appendJSONNumber(dst, cell.Text)
		if nonFinite {
			col.nonFinite.Store(true)
		}
		return out, err
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		out, nonFinite, err := appendComplexJSON(dst, col.sqlType, cell.Text)
		if nonFinite {
			col.nonFinite.Store(true)
		}
		return out, err
	case databricks.KindNull:
		return append(dst, "null"...), nil
	}
	return appendJSONString(dst, cell.Text), nil
}

// document is the rows as one JSON array, once every row was read.
func (r *jsonRows) document() (string, error) {
	size, err := r.rows.size([]byte{','})
	if err != nil {
		return "", err
	}
	var doc strings.Builder
	doc.Grow(size + 2)
	doc.WriteByte('[')
	r.rows.writeTo(&doc, []byte{','})
	doc.WriteByte(']')
	return doc.String(), nil
}

// size is the length of the document encoded as a msgpack string, for the provider's
// server (server.go), which sends it in the state without making a string of it.
func (r *jsonRows) size() (int, error) {
	size, err := r.rows.size([]byte{','})
	if err != nil {
		return 0, err
	}
	return len(appendMsgpackStringLen(nil, size+2)) + size + 2, nil
}

// appendParts appends the document encoded as a msgpack string, after size.
func (r *jsonRows) appendParts(parts [][]byte) [][]byte {
	size, _ := r.rows.size([]byte{','}) // checked by size
	parts = append(parts, append(appendMsgpackStringLen(nil, size+2), '['))
	parts = r.rows.appendParts(parts, []byte{','})
	return append(parts, []byte{']'})
}

// warnings are the column warnings of the result, once every row was read.
func (r *jsonRows) warnings() []string {
	out := slices.Clone(r.warns)
	for i := range r.columns {
		if r.columns[i].nonFinite.Load() {
			out = append(out, nonFiniteWarning(r.columns[i].name))
		}
	}
	return out
}
