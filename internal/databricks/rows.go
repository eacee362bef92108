package databricks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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

// scanner reads the JSON of result rows from a buffer that encoding/json has already
// read whole (and checked) for the value being decoded.
type scanner struct {
	buf []byte
	pos int
	// spans is scratch space for the cells of the row being read, reused from row to row.
	spans []cellSpan
}

// cellSpan locates one cell's value in the buffer while its row is read.
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
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

func (s *scanner) consume(c byte) bool {
	if s.pos < len(s.buf) && s.buf[s.pos] == c {
		s.pos++
		return true
	}
	return false
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
			return nil, fmt.Errorf("a result row has an unexpected character at offset %d", s.pos)
		}
	}
	return s.fill(dst)
}

// fill turns the spans of the row just read into cells.
func (s *scanner) fill(dst Row) (Row, error) {
	size := 0
	for _, sp := range s.spans {
		size += sp.end - sp.start
	}
	var text strings.Builder
	text.Grow(size)
	for i, sp := range s.spans {
		switch sp.kind {
		case spanPlain:
			text.Write(s.buf[sp.start:sp.end])
		case spanJSON:
			var decoded string
			if err := json.Unmarshal(s.buf[sp.start-1:sp.end+1], &decoded); err != nil {
				return nil, fmt.Errorf("a result cell is not a valid JSON string at offset %d: %w", sp.start-1, err)
			}
			text.WriteString(decoded)
		}
		s.spans[i].end = text.Len() // from here on: where the cell's text ends in the row's
	}
	all := text.String()
	row := dst[:0]
	if cap(row) < len(s.spans) {
		row = make(Row, 0, len(s.spans))
	}
	start := 0
	for _, sp := range s.spans {
		var cell Cell
		if sp.kind != spanNull {
			cell = Cell{Text: all[start:sp.end], Valid: true}
		}
		row = append(row, cell)
		start = sp.end
	}
	return row, nil
}

// cell reads one value at s.pos.
func (s *scanner) cell() (cellSpan, error) {
	if s.pos >= len(s.buf) {
		return cellSpan{}, fmt.Errorf("a result row ends early")
	}
	switch c := s.buf[s.pos]; {
	case c == '"':
		return s.str()
	case c == 'n' && bytes.HasPrefix(s.buf[s.pos:], []byte("null")):
		s.pos += len("null")
		return cellSpan{kind: spanNull}, nil
	default:
		// Any other JSON value: keep its exact text.
		start, end, err := s.value()
		return cellSpan{start: start, end: end, kind: spanPlain}, err
	}
}

// value reads any JSON value at s.pos and returns where its text starts and ends. It is
// the slow path, for what Databricks does not send in rows, and for chunk fields.
func (s *scanner) value() (start, end int, err error) {
	start = s.pos
	dec := json.NewDecoder(bytes.NewReader(s.buf[start:]))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return 0, 0, fmt.Errorf("a result holds an invalid value at offset %d: %w", start, err)
	}
	s.pos = start + int(dec.InputOffset())
	return start, s.pos, nil
}

// str reads a JSON string at s.pos. Strings without escapes and in valid UTF-8, nearly
// all of them, are used as they are in the buffer.
func (s *scanner) str() (cellSpan, error) {
	start := s.pos
	s.pos++ // opening quote
	kind := spanPlain
	ascii := true
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; {
		case c == '"':
			s.pos++
			span := cellSpan{start: start + 1, end: s.pos - 1, kind: kind}
			if kind == spanPlain && !ascii && !utf8.Valid(s.buf[span.start:span.end]) {
				// encoding/json replaces each invalid byte with U+FFFD; so do we.
				span.kind = spanJSON
			}
			return span, nil
		case c == '\\':
			kind = spanJSON
			s.pos += 2
		case c < 0x20:
			return cellSpan{}, fmt.Errorf("a result cell has a control character at offset %d", s.pos)
		default:
			ascii = ascii && c < utf8.RuneSelf
			s.pos++
		}
	}
	return cellSpan{}, fmt.Errorf("a result cell string is not terminated")
}

// chunkStream is a result chunk whose rows are handed to onRow as they are decoded,
// instead of being kept: a chunk of a large result then never exists as cells, only as
// the response body encoding/json has read and as whatever onRow makes of each row.
type chunkStream struct {
	ChunkIndex            *int
	RowOffset             *int64
	RowCount              *int64
	NextChunkIndex        *int
	NextChunkInternalLink string

	// onRow receives the rows of data_array in order, i counting from 0 in the chunk.
	// row is reused for the next row once onRow returns.
	onRow func(i int64, row Row) error
	// data is set when the chunk has a data_array, rows is how many of its rows onRow
	// accepted.
	data bool
	rows int64
	// err is why onRow stopped the chunk. UnmarshalJSON returns it too, and the request
	// path then reports a malformed body: callers look here first.
	err error
	// decoded is set once a body has been read to the end, so that a request retried
	// after that (its connection failed while it was drained) delivers no row twice.
	decoded bool
}

// UnmarshalJSON reads a result object: the body of a chunk request.
func (c *chunkStream) UnmarshalJSON(data []byte) error {
	if c.decoded {
		return nil
	}
	s := scanner{buf: data}
	s.skipSpace()
	if !s.consume('{') {
		return errors.New("a result chunk must be a JSON object")
	}
	var row Row
	for {
		s.skipSpace()
		if s.consume('}') {
			c.decoded = true
			return nil
		}
		key, err := s.str()
		if err != nil {
			return err
		}
		s.skipSpace()
		if !s.consume(':') {
			return fmt.Errorf("a result chunk has an unexpected character at offset %d", s.pos)
		}
		s.skipSpace()
		switch string(s.buf[key.start:key.end]) {
		case "data_array":
			row, err = c.dataArray(&s, row)
		case "chunk_index":
			err = s.field(&c.ChunkIndex)
		case "row_offset":
			err = s.field(&c.RowOffset)
		case "row_count":
			err = s.field(&c.RowCount)
		case "next_chunk_index":
			err = s.field(&c.NextChunkIndex)
		case "next_chunk_internal_link":
			err = s.field(&c.NextChunkInternalLink)
		default:
			_, _, err = s.value()
		}
		if err != nil {
			return err
		}
		s.skipSpace()
		if !s.consume(',') && (s.pos >= len(s.buf) || s.buf[s.pos] != '}') {
			return fmt.Errorf("a result chunk has an unexpected character at offset %d", s.pos)
		}
	}
}

// dataArray reads data_array, handing each row to onRow; row is the reused row buffer.
func (c *chunkStream) dataArray(s *scanner, row Row) (Row, error) {
	if bytes.HasPrefix(s.buf[s.pos:], []byte("null")) {
		s.pos += len("null")
		return row, nil
	}
	if !s.consume('[') {
		return row, fmt.Errorf("data_array must be a JSON array")
	}
	c.data = true
	s.skipSpace()
	if s.consume(']') {
		return row, nil
	}
	for {
		s.skipSpace()
		var err error
		if row, err = s.row(row[:0]); err != nil {
			return row, err
		}
		if err := c.onRow(c.rows, row); err != nil {
			c.err = err
			return row, err
		}
		c.rows++
		s.skipSpace()
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			return row, nil
		}
		return row, fmt.Errorf("data_array has an unexpected character at offset %d", s.pos)
	}
}

// field decodes the value at s.pos into out with encoding/json.
func (s *scanner) field(out any) error {
	start, end, err := s.value()
	if err != nil {
		return err
	}
	return json.Unmarshal(s.buf[start:end], out)
}
