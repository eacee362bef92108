package provider

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// msgpackRows encodes typed rows straight into the msgpack Terraform receives for the
// rows attribute, as the client decodes them (a databricks.RowHandler): the value
// resultRows would make, byte for byte as the framework would encode it
// (TestMsgpackRowsAreWhatTheFrameworkSends), without making it.
//
// Why: for a large result the framework, not the provider, did most of the work. Once
// Read has set the rows, terraform-plugin-framework copies the state, converts it into
// framework values to look for semantic equality, compares the two deeply, rebuilds it
// for null blocks and finally encodes it, printing every fraction from a 512-bit float:
// 80% of the provider's CPU and most of its 50x-the-JSON of memory for 100,000 rows
// (BENCHMARKS.md). A dynamic attribute has none of the semantics those steps serve. So
// dbsql_query leaves rows null in the state the framework handles, and the provider's
// server (server.go) puts these bytes in their place in the encoded state.
//
// Scalars are encoded from the cell's text: strings and booleans as they are, numbers
// as tftypes encodes the number parseDecimal reads (an int64, a float64 when the value is
// exactly one and not an integer, else its shortest decimal text), short decimals
// without a big.Float at all. ARRAY, MAP and STRUCT cells go through the converter's
// tftypes values, and tftypes encodes them: they are rare, and one engine for them is
// worth more than speed.
type msgpackRows struct {
	statementID string
	converter   *rowConverter
	// order lists the columns by name, the order of an object's attributes in msgpack;
	// keys are the names encoded.
	order []int
	keys  [][]byte
	// typeHeader is a dynamic value's start: its type, then its value, the list.
	typeHeader []byte
	rows       rowRuns
}

var _ databricks.RowHandler = (*msgpackRows)(nil)

// Begin prepares for a result; it starts over when the client executes the statement again.
func (r *msgpackRows) Begin(info databricks.ResultInfo) error {
	r.statementID = info.StatementID
	converter, err := newRowConverter(info.Columns)
	if err != nil {
		return &unusableColumnsError{statementID: info.StatementID, err: err}
	}
	r.converter = converter
	r.order = make([]int, len(converter.columns))
	for i := range r.order {
		r.order[i] = i
	}
	slices.SortFunc(r.order, func(a, b int) int { return compareStrings(converter.columns[a].name, converter.columns[b].name) })
	r.keys = make([][]byte, len(converter.columns))
	for i := range converter.columns {
		r.keys[i] = appendMsgpackString(nil, converter.columns[i].name)
	}
	// The encoding of an empty list of rows as a dynamic value is the header of every
	// list of rows of this type, its length last (an empty fixarray, one byte).
	empty, err := tfprotov6.NewDynamicValue(tftypes.DynamicPseudoType, tftypes.NewValue(tftypes.List{ElementType: converter.rowType}, []tftypes.Value{}))
	if err != nil {
		return &unusableColumnsError{statementID: info.StatementID, err: err}
	}
	r.typeHeader = empty.MsgPack[:len(empty.MsgPack)-1]
	r.rows.reset(info.TotalRowCount)
	return nil
}

// compareStrings orders as sort.Strings does, which tftypes sorts attribute names with.
func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Row encodes one row. The client calls it concurrently, each index once.
func (r *msgpackRows) Row(index int64, row databricks.Row) error {
	err := r.rows.add(index, nil, func(dst []byte) ([]byte, error) { return r.appendRow(dst, row) })
	if err != nil {
		return &unreadableValueError{statementID: r.statementID, row: index, err: err}
	}
	return nil
}

// appendRow encodes a row as tftypes encodes an object: its attributes by name.
func (r *msgpackRows) appendRow(dst []byte, row databricks.Row) ([]byte, error) {
	if len(row) != len(r.converter.columns) {
		return dst, fmt.Errorf("%d values for %d columns", len(row), len(r.converter.columns))
	}
	dst = appendMsgpackMapLen(dst, len(r.order))
	for _, i := range r.order {
		col := &r.converter.columns[i]
		dst = append(dst, r.keys[i]...)
		var err error
		if dst, err = col.appendMsgpack(dst, row[i]); err != nil {
			return dst, fmt.Errorf("column %q (%s): %w", col.name, col.sqlType, err)
		}
	}
	return dst, nil
}

// appendMsgpack encodes one cell of the column, as convert reads it.
func (col *columnConverter) appendMsgpack(dst []byte, cell databricks.Cell) ([]byte, error) {
	if !cell.Valid {
		return appendMsgpackNil(dst), nil
	}
	switch col.kind {
	case databricks.KindBool:
		b, err := readBool(cell.Text)
		return appendMsgpackBool(dst, b), err
	case databricks.KindNumber:
		out, nonFinite, err := appendMsgpackNumber(dst, cell.Text)
		if nonFinite {
			col.nonFinite.Store(true)
		}
		return out, err
	case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
		v, err := col.convert(cell, nil)
		if err != nil {
			return dst, err
		}
		encoded, err := tfprotov6.NewDynamicValue(col.tfType, v)
		if err != nil {
			return dst, err
		}
		return append(dst, encoded.MsgPack...), nil
	case databricks.KindNull:
		return appendMsgpackNil(dst), nil
	}
	return appendMsgpackString(dst, cell.Text), nil
}

// appendMsgpackNumber encodes a number cell as tftypes encodes the number parseDecimal
// reads from it; NaN and infinities are null, reported as nonFinite.
func appendMsgpackNumber(dst []byte, s string) (out []byte, nonFinite bool, err error) {
	if m, scale, ok := shortDecimal(s); ok {
		return appendShortDecimal(dst, m, scale), false, nil
	}
	f, nonFinite, err := parseDecimal(nil, s)
	switch {
	case err != nil:
		return dst, false, err
	case nonFinite:
		return appendMsgpackNil(dst), true, nil
	}
	// tftypes' marshalMsgPackNumber, for a finite number.
	if i, acc := f.Int64(); acc == big.Exact {
		return appendMsgpackInt(dst, i), false, nil
	}
	if v, acc := f.Float64(); acc == big.Exact && !f.IsInt() {
		return appendMsgpackFloat64(dst, v), false, nil
	}
	return appendMsgpackString(dst, f.Text('f', -1)), false, nil
}

// pow5 holds 5^0 to 5^maxShortDigits.
var pow5 = func() (p [maxShortDigits + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 5
	}
	return p
}()

// appendShortDecimal encodes m x 10^-scale (at most maxShortDigits digits) as tftypes
// encodes the number parseDecimal makes of it, without making it. An integer is an
// int64. A fraction m/10^k is exactly a float64 when 5^k divides m and m/5^k fits 53
// bits; parseDecimal's 128-bit quotient is then exact, and otherwise never is: the
// binary expansion of such a fraction cannot hold the 75 zero bits (or 75 one bits,
// rounding up) past a float64's mantissa that exactness would take, since its runs of
// equal bits are shorter than log2(5^18) < 42. A fraction that is not a float64 is its
// shortest decimal text at 128 bits, which for 18 digits or fewer is the decimal itself,
// written out without trailing zeros (FuzzMsgpackNumberIsWhatTheFrameworkSends).
func appendShortDecimal(dst []byte, m int64, scale int) []byte {
	for scale > 0 && m%10 == 0 {
		m, scale = m/10, scale-1
	}
	if scale == 0 {
		return appendMsgpackInt(dst, m)
	}
	if q := m / pow5[scale]; m%pow5[scale] == 0 && q < 1<<53 && q > -1<<53 {
		return appendMsgpackFloat64(dst, math.Ldexp(float64(q), -scale))
	}
	var text [2 + 2*maxShortDigits]byte
	t := text[:0]
	u := uint64(m)
	if m < 0 {
		t, u = append(t, '-'), uint64(-m)
	}
	whole, fraction := u/uint64(powersOfTen64[scale]), u%uint64(powersOfTen64[scale])
	t = append(strconv.AppendUint(t, whole, 10), '.')
	digits := 1
	for v := fraction; v >= 10; v /= 10 {
		digits++
	}
	for ; digits < scale; digits++ {
		t = append(t, '0') // the fraction's leading zeros
	}
	t = strconv.AppendUint(t, fraction, 10)
	return append(appendMsgpackStringLen(dst, len(t)), t...)
}

// powersOfTen64 holds 10^0 to 10^maxShortDigits.
var powersOfTen64 = func() (p [maxShortDigits + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// size is the length of the encoded rows attribute, once every row was read.
func (r *msgpackRows) size() (int, error) {
	rows, err := r.rows.size(nil)
	if err != nil {
		return 0, err
	}
	return len(r.header()) + rows, nil
}

// header is what comes before the rows: the dynamic value's type, and the list's length.
func (r *msgpackRows) header() []byte {
	return appendMsgpackArrayLen(slices.Clip(r.typeHeader), int(r.rows.total))
}

// appendParts appends the encoded rows attribute, after size.
func (r *msgpackRows) appendParts(parts [][]byte) [][]byte {
	return r.rows.appendParts(append(parts, r.header()), nil)
}

// warnings are the converter's, with those only known once every row was seen.
func (r *msgpackRows) warnings() []string { return r.converter.allWarnings() }
