package databricks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Cell is one value of a JSON_ARRAY result: the text Databricks sent, or SQL NULL.
// Whatever the column type, Databricks sends text; ARRAY, MAP and STRUCT values are JSON
// text inside that string. Turning the text into a typed value is the caller's job, done
// once, with the column's type in hand.
type Cell struct {
	Text  string
	Valid bool // false for SQL NULL
}

// Row is one row of a result, in column order.
type Row []Cell

// UnmarshalJSON decodes a row without reflection: result chunks hold millions of cells,
// and encoding/json's generic path allocates per cell for what is nearly always a plain
// string or null. Scalars that are not strings (which Databricks does not send in
// JSON_ARRAY, but a proxy or a future format might) keep their literal text; nested
// arrays and objects keep their JSON text, as complex cells do.
func (r *Row) UnmarshalJSON(data []byte) error {
	s := scanner{buf: data, spans: make([]cellSpan, 0, 8)}
	s.skipSpace()
	row, err := s.row((*r)[:0])
	if err != nil {
		return err
	}
	if row == nil {
		row = Row{}
	}
	*r = row
	return nil
}

// scanner reads the JSON of results: from a buffer that holds the whole value (a row, a
// chunk that came with the statement), or from a response body as it arrives (r set), so
// that a chunk is decoded while it is received and never held whole.
//
// Reading a body, buf holds what was read from mark on. Bytes before mark are only
// dropped when buf is full, so positions kept across reads (the spans of the row being
// read, where a value started) are offsets in the body: base is how many bytes of it came
// before buf[0]. mark only moves at points where nothing is kept: between rows, and
// between the fields of a chunk.
type scanner struct {
	buf []byte
	pos int // index in buf
	// spans is scratch space for the cells of the row being read, reused from row to row.
	spans []cellSpan
	// rowText is the text of the row being read, its cells one after the other, reused
	// from row to row. When lend is set, the cells handed on are views of it, good until
	// the next row (chunkStream's onRow takes them so, and its RowHandler): a row of a
	// large result costs no allocation, and reading one leaves next to no garbage.
	// Otherwise every row's text is a string of its own, which may be kept.
	rowText []byte
	lend    bool

	r    io.Reader
	base int
	mark int
	// maxValue bounds buf, and so the size of one value.
	maxValue int
	// err is why reading the body stopped: io.EOF at its end, a read error, or a value
	// too large to hold.
	err error
}

// Buffer sizes of a body read as it arrives: the first read, and the most one value
// (a row, an unknown field) may take, well above any row a Terraform state could hold,
// so that a hostile answer cannot grow it without bound.
const (
	streamBufferSize = 64 << 10
	maxStreamedValue = 256 << 20
)

func newStreamScanner(r io.Reader) *scanner {
	return &scanner{buf: make([]byte, 0, streamBufferSize), spans: make([]cellSpan, 0, 8), r: r, maxValue: maxStreamedValue}
}

// more reads more of the body into buf; false once there is no more (see s.err).
func (s *scanner) more() bool {
	if s.r == nil || s.err != nil {
		return false
	}
	if len(s.buf) == cap(s.buf) {
		if s.mark > 0 {
			// Drop what is done with: what is kept is the value being read.
			n := copy(s.buf, s.buf[s.mark:])
			s.buf, s.pos, s.base, s.mark = s.buf[:n], s.pos-s.mark, s.base+s.mark, 0
		}
		if len(s.buf) == cap(s.buf) {
			if cap(s.buf) >= s.maxValue {
				s.err = fmt.Errorf("a value of the result is larger than %d MiB", s.maxValue>>20)
				return false
			}
			grown := make([]byte, len(s.buf), 2*cap(s.buf))
			copy(grown, s.buf)
			s.buf = grown
		}
	}
	for range 100 { // a reader answering nothing forever is a broken reader
		n, err := s.r.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.err = err
		}
		if n > 0 || err != nil {
			return n > 0
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// at reports whether the byte at s.pos is there, reading more of the body if it must.
func (s *scanner) at() bool {
	for s.pos >= len(s.buf) {
		if !s.more() {
			return false
		}
	}
	return true
}

// keepFrom marks the point before which nothing will be looked at again.
func (s *scanner) keepFrom() { s.mark = s.pos }

// offset is the position in the whole body, for messages and for positions kept across
// reads.
func (s *scanner) offset() int { return s.base + s.pos }

// text is the body's bytes between two offsets, which must still be in buf.
func (s *scanner) text(start, end int) []byte { return s.buf[start-s.base : end-s.base] }

// early is the error of a body that ended inside a value: the reader's, when it failed.
func (s *scanner) early(what string) error {
	if s.err != nil && !errors.Is(s.err, io.EOF) {
		return fmt.Errorf("%s: %w", what, s.err)
	}
	return errors.New(what)
}

// cellSpan locates one cell's value in the body while its row is read.
type cellSpan struct {
	start, end int // a string's contents without its quotes, or another value's whole text
	kind       spanKind
}

type spanKind uint8

const (
	spanNull  spanKind = iota
	spanPlain          // the bytes are the text
	spanJSON           // a string with escapes or invalid UTF-8: decoded by encoding/json, for its exact semantics
)

func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) || s.at() {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if (s.pos < len(s.buf) || s.at()) && s.buf[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// literal consumes word (null) if it is next.
func (s *scanner) literal(word string) bool {
	for len(s.buf)-s.pos < len(word) {
		if !s.more() {
			return false
		}
	}
	if string(s.buf[s.pos:s.pos+len(word)]) != word {
		return false
	}
	s.pos += len(word)
	return true
}

// row reads the array at s.pos into dst's backing array. The text of all the row's cells
// is one string, which the cells share: one allocation per row rather than per cell.
// A cell's string keeps its row's text alive, which is at most a row's worth of bytes.
func (s *scanner) row(dst Row) (Row, error) {
	if !s.consume('[') {
		return nil, fmt.Errorf("a result row must be a JSON array")
	}
	s.spans = s.spans[:0]
	s.skipSpace()
	if !s.consume(']') {
		for {
			s.skipSpace()
			span, err := s.cell()
			if err != nil {
				return nil, err
			}
			s.spans = append(s.spans, span)
			s.skipSpace()
			if s.consume(',') {
				continue
			}
			if s.consume(']') {
				break
			}
			if s.pos >= len(s.buf) {
				return nil, s.early("a result row ends early")
			}
			return nil, s.unexpected("a result row")
		}
	}
	return s.fill(dst)
}

// fill turns the spans of the row just read into cells.
func (s *scanner) fill(dst Row) (Row, error) {
	var text []byte
	if s.lend {
		text = s.rowText[:0]
	} else {
		size := 0
		for _, sp := range s.spans {
			size += sp.end - sp.start // at least the text, escapes and all
		}
		text = make([]byte, 0, size) // the row's own, never written again once filled
	}
	for i, sp := range s.spans {
		switch sp.kind {
		case spanPlain:
			text = append(text, s.text(sp.start, sp.end)...)
		case spanJSON:
			var decoded string
			if err := json.Unmarshal(s.text(sp.start-1, sp.end+1), &decoded); err != nil {
				return nil, fmt.Errorf("a result cell is not a valid JSON string at offset %d: %w", sp.start-1, err)
			}
			text = append(text, decoded...)
		}
		s.spans[i].end = len(text) // from here on: where the cell's text ends in the row's
	}
	if s.lend {
		s.rowText = text
	}
	return cells(dst, s.spans, unsafe.String(unsafe.SliceData(text), len(text))), nil
}

// cells fills dst with the cells of spans, whose ends are offsets in text.
func cells(dst Row, spans []cellSpan, text string) Row {
	row := dst[:0]
	if cap(row) < len(spans) {
		row = make(Row, 0, len(spans))
	}
	start := 0
	for _, sp := range spans {
		var cell Cell
		if sp.kind != spanNull {
			cell = Cell{Text: text[start:sp.end], Valid: true}
		}
		row = append(row, cell)
		start = sp.end
	}
	return row
}

// Clone is a copy of r whose cells' text is its own: one allocation for the text of
// every cell, as a row has when it is decoded whole.
func (r Row) Clone() Row {
	size := 0
	for _, c := range r {
		size += len(c.Text)
	}
	var text strings.Builder
	text.Grow(size)
	out := make(Row, len(r))
	for i, c := range r {
		text.WriteString(c.Text)
		out[i].Valid = c.Valid
	}
	all, start := text.String(), 0
	for i, c := range r {
		out[i].Text = all[start : start+len(c.Text)]
		start += len(c.Text)
	}
	return out
}

// cell reads one value at s.pos.
func (s *scanner) cell() (cellSpan, error) {
	if !s.at() {
		return cellSpan{}, s.early("a result row ends early")
	}
	switch c := s.buf[s.pos]; {
	case c == '"':
		return s.str()
	case c == 'n' && s.literal("null"):
		return cellSpan{kind: spanNull}, nil
	default:
		// Any other JSON value: keep its exact text.
		start, end, err := s.value()
		return cellSpan{start: start, end: end, kind: spanPlain}, err
	}
}

// value reads any JSON value at s.pos and returns the offsets where its text starts and
// ends. It is the slow path, for what Databricks does not send in rows, and for chunk
// fields: the end is found by following strings and nesting, then encoding/json checks
// the text.
func (s *scanner) value() (start, end int, err error) {
	if start, end, err = s.skip(); err != nil {
		return 0, 0, err
	}
	if !json.Valid(s.text(start, end)) {
		return 0, 0, fmt.Errorf("a result holds an invalid value at offset %d", start)
	}
	return start, end, nil
}

// skip reads a JSON value at s.pos as value does, without checking its text: for a value
// that is decoded later, which checks it then.
func (s *scanner) skip() (start, end int, err error) {
	start = s.offset()
	depth := 0
scan:
	for {
		if !s.at() {
			if depth > 0 || s.offset() == start {
				return 0, 0, s.early("a result ends inside a value")
			}
			break // a number or a word at the end of the body
		}
		switch s.buf[s.pos] {
		case '"':
			if _, err := s.str(); err != nil {
				return 0, 0, err
			}
			if depth == 0 {
				break scan
			}
			continue
		case '[', '{':
			depth++
		case ']', '}':
			if depth == 0 {
				break scan // the end of a number or word, inside the enclosing value
			}
			if depth--; depth == 0 {
				s.pos++
				break scan
			}
		case ',', ':', ' ', '\t', '\n', '\r':
			if depth == 0 {
				break scan
			}
		}
		s.pos++
	}
	return start, s.offset(), nil
}

// str reads a JSON string at s.pos. Strings without escapes and in valid UTF-8, nearly
// all of them, are used as they are in the buffer.
func (s *scanner) str() (cellSpan, error) {
	start := s.offset()
	s.pos++ // opening quote
	kind := spanPlain
	ascii := true
	for s.pos < len(s.buf) || s.at() {
		switch c := s.buf[s.pos]; {
		case c == '"':
			s.pos++
			span := cellSpan{start: start + 1, end: s.offset() - 1, kind: kind}
			if kind == spanPlain && !ascii && !utf8.Valid(s.text(span.start, span.end)) {
				// encoding/json replaces each invalid byte with U+FFFD; so do we.
				span.kind = spanJSON
			}
			return span, nil
		case c == '\\':
			kind = spanJSON
			s.pos += 2
		case c < 0x20:
			return cellSpan{}, fmt.Errorf("a result cell has a control character at offset %d", s.offset())
		default:
			ascii = ascii && c < utf8.RuneSelf
			s.pos++
		}
	}
	return cellSpan{}, s.early("a result cell string is not terminated")
}
