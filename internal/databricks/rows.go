package databricks

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	s := scanner{buf: data}
	s.skipSpace()
	if !s.consume('[') {
		return fmt.Errorf("a result row must be a JSON array")
	}
	row := (*r)[:0]
	if row == nil {
		row = make(Row, 0, 8)
	}
	s.skipSpace()
	if s.consume(']') {
		*r = row
		return nil
	}
	for {
		s.skipSpace()
		cell, err := s.cell()
		if err != nil {
			return err
		}
		row = append(row, cell)
		s.skipSpace()
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			*r = row
			return nil
		}
		return fmt.Errorf("a result row has an unexpected character at offset %d", s.pos)
	}
}

type scanner struct {
	buf []byte
	pos int
}

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

func (s *scanner) cell() (Cell, error) {
	if s.pos >= len(s.buf) {
		return Cell{}, fmt.Errorf("a result row ends early")
	}
	switch c := s.buf[s.pos]; {
	case c == '"':
		text, err := s.str()
		return Cell{Text: text, Valid: true}, err
	case c == 'n' && bytes.HasPrefix(s.buf[s.pos:], []byte("null")):
		s.pos += len("null")
		return Cell{}, nil
	default:
		// Any other JSON value: keep its exact text.
		start := s.pos
		dec := json.NewDecoder(bytes.NewReader(s.buf[start:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Cell{}, fmt.Errorf("a result row holds an invalid value at offset %d: %w", start, err)
		}
		s.pos = start + int(dec.InputOffset())
		return Cell{Text: string(raw), Valid: true}, nil
	}
}

// str reads a JSON string at s.pos. Strings without escapes, the common case, cost one
// allocation; strings with escapes go through encoding/json for exact JSON semantics.
func (s *scanner) str() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	escaped := false
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; {
		case c == '"':
			s.pos++
			body := s.buf[start+1 : s.pos-1]
			if !escaped {
				if !utf8.Valid(body) {
					return string(bytes.ToValidUTF8(body, []byte("\uFFFD"))), nil
				}
				return string(body), nil
			}
			var out string
			if err := json.Unmarshal(s.buf[start:s.pos], &out); err != nil {
				return "", fmt.Errorf("a result cell is not a valid JSON string at offset %d: %w", start, err)
			}
			return out, nil
		case c == '\\':
			escaped = true
			s.pos += 2
		case c < 0x20:
			return "", fmt.Errorf("a result cell has a control character at offset %d", s.pos)
		default:
			s.pos++
		}
	}
	return "", fmt.Errorf("a result cell string is not terminated")
}
