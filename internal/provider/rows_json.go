package provider

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
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
//
// Chunks arrive in parallel, each row once, the rows of a chunk in order. Rows are
// appended to runs of consecutive indexes: a row extends the run that ended just before
// it, or starts a new one. A run grows in blocks rather than by reallocating, so that
// the result is held once while it arrives, then copied once into the document.
type jsonRows struct {
	statementID string
	columns     []jsonColumn
	warns       []string
	total       int64

	mu   sync.Mutex
	open map[int64]*jsonRun // by the index of the row each run takes next
	runs []*jsonRun
}

var _ databricks.RowHandler = (*jsonRows)(nil)

type jsonColumn struct {
	name    string
	sqlType *databricks.SQLType
	kind    databricks.Kind
	// nonFinite is set when a NaN or Infinity became null; rows are written concurrently.
	nonFinite atomic.Bool
}

// jsonRun is the JSON of consecutive rows, from start on, in blocks.
type jsonRun struct {
	start, next int64
	blocks      [][]byte
	size        int
	scratch     []byte // the row being written
}

// jsonBlockSize is the size of a run's blocks: large enough that a block's bookkeeping is
// nothing next to its rows, small enough that a run wastes little of its last one.
const jsonBlockSize = 256 << 10

// Begin prepares for a result; it starts over when the client executes the statement again.
func (r *jsonRows) Begin(info databricks.ResultInfo) error {
	types, warnings, err := columnTypes(info.Columns)
	if err != nil {
		return &unusableColumnsError{statementID: info.StatementID, err: err}
	}
	r.statementID, r.warns, r.total = info.StatementID, warnings, info.TotalRowCount
	r.columns = make([]jsonColumn, len(info.Columns))
	for i, col := range info.Columns {
		r.columns[i] = jsonColumn{name: col.Name, sqlType: types[i], kind: types[i].Kind()}
	}
	r.open, r.runs = map[int64]*jsonRun{}, nil
	return nil
}

// Row writes one row. The client calls it concurrently, each index once.
func (r *jsonRows) Row(index int64, row databricks.Row) error {
	r.mu.Lock()
	run := r.open[index]
	if run != nil {
		delete(r.open, index)
	} else {
		run = &jsonRun{start: index, next: index}
		r.runs = append(r.runs, run)
	}
	r.mu.Unlock()

	var err error
	if run.scratch, err = r.appendRow(run.scratch[:0], row); err != nil {
		return &unreadableValueError{statementID: r.statementID, row: index, err: err}
	}
	if index > run.start {
		run.write([]byte{','})
	}
	run.write(run.scratch)
	run.next = index + 1

	// Only now may the row after this one continue the run: the lock orders this
	// goroutine's writes before those of whichever goroutine delivers it.
	r.mu.Lock()
	r.open[index+1] = run
	r.mu.Unlock()
	return nil
}

// write appends p to the run's blocks.
func (run *jsonRun) write(p []byte) {
	run.size += len(p)
	for len(p) > 0 {
		if n := len(run.blocks); n == 0 || len(run.blocks[n-1]) == cap(run.blocks[n-1]) {
			run.blocks = append(run.blocks, make([]byte, 0, jsonBlockSize))
		}
		last := &run.blocks[len(run.blocks)-1]
		k := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
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
	slices.SortFunc(r.runs, func(a, b *jsonRun) int { return cmp.Compare(a.start, b.start) })
	size := 2
	var next int64
	for i, run := range r.runs {
		if run.start != next {
			return "", fmt.Errorf("rows %d to %d are missing", next, run.start-1)
		}
		size += run.size
		if i > 0 {
			size++
		}
		next = run.next
	}
	if next != r.total {
		return "", fmt.Errorf("%d rows of %d arrived", next, r.total)
	}
	var doc strings.Builder
	doc.Grow(size)
	doc.WriteByte('[')
	for i, run := range r.runs {
		if i > 0 {
			doc.WriteByte(',')
		}
		for _, b := range run.blocks {
			doc.Write(b)
		}
		r.runs[i] = nil // the blocks may go as soon as the collector likes
	}
	doc.WriteByte(']')
	return doc.String(), nil
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
