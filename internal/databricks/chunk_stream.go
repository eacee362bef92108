package databricks

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// chunkStream is a result chunk whose rows are handed to onRow as they are decoded,
// instead of being kept. A chunk fetched by its own request is decoded from the response
// body as it arrives (decodeFrom), so that it never exists whole: not as cells, and not
// as the bytes of the body either, only as a buffer of a few rows and whatever onRow
// makes of each row.
type chunkStream struct {
	ChunkIndex            *int
	RowOffset             *int64
	RowCount              *int64
	NextChunkIndex        *int
	NextChunkInternalLink string
	// ExternalLinks replace data_array in a result of disposition EXTERNAL_LINKS.
	ExternalLinks []externalLink

	// onRow receives the rows of data_array in order, i counting from 0 in the chunk.
	// row, and the text of its cells, are reused for the next row once onRow returns.
	onRow func(i int64, row Row) error
	// data is set when the chunk has a data_array, rows is how many of its rows were read.
	data bool
	rows int64
	// delivered is how many rows onRow accepted, over every attempt to read the chunk:
	// a request sent again after its connection broke mid-body reads the chunk from its
	// start, and the rows onRow has already had are not handed on twice.
	delivered int64
	// err is why onRow stopped the chunk. Decoding returns it too, and the request path
	// then reports a malformed body: callers look here first.
	err error
	// decoded is set once a body has been read to the end, so that a request retried
	// after that (its connection failed while it was drained) delivers no row twice.
	decoded bool
}

// bodyDecoder is a response that decodes its body itself, as it arrives, rather than
// through encoding/json, which reads a value whole before decoding it.
type bodyDecoder interface {
	decodeFrom(r io.Reader) error
}

// decodeBody decodes a 2xx response body into out. An empty body is io.EOF, as
// encoding/json has it.
func decodeBody(r io.Reader, out any) error {
	if d, ok := out.(bodyDecoder); ok {
		return d.decodeFrom(r)
	}
	return json.NewDecoder(r).Decode(out)
}

// decodeFrom reads a result object (the body of a chunk request) from r.
func (c *chunkStream) decodeFrom(r io.Reader) error {
	if c.decoded {
		return nil
	}
	*c = chunkStream{onRow: c.onRow, delivered: c.delivered}
	s := newStreamScanner(r)
	s.skipSpace()
	if !s.at() {
		if s.err != nil && !errors.Is(s.err, io.EOF) {
			return s.err
		}
		return io.EOF
	}
	return c.object(s)
}

// UnmarshalJSON reads a result object that was read whole: the first chunk, which came
// with the statement.
func (c *chunkStream) UnmarshalJSON(data []byte) error {
	if c.decoded {
		return nil
	}
	s := scanner{buf: data}
	s.skipSpace()
	return c.object(&s)
}

func (c *chunkStream) object(s *scanner) error {
	s.lend = true // onRow is done with a row when it returns
	if !s.consume('{') {
		return errors.New("a result chunk must be a JSON object")
	}
	var row Row
	for {
		s.keepFrom()
		key, done, err := s.member(whatChunk)
		if err != nil {
			return err
		}
		if done {
			c.decoded = true
			return nil
		}
		switch string(key) {
		case "data_array":
			c.data = !s.literal("null")
			if c.data {
				row, err = c.dataArray(s, row)
			}
		case "external_links":
			err = s.field(&c.ExternalLinks)
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
		if err == nil {
			err = s.memberEnd(whatChunk)
		}
		if err != nil {
			return err
		}
	}
}

// dataArray reads an array of rows, handing each row to onRow; row is the reused row
// buffer.
func (c *chunkStream) dataArray(s *scanner, row Row) (Row, error) {
	if !s.consume('[') {
		return row, fmt.Errorf("data_array must be a JSON array")
	}
	s.skipSpace()
	if s.consume(']') {
		return row, nil
	}
	for {
		s.keepFrom()
		s.skipSpace()
		var err error
		if row, err = s.row(row[:0]); err != nil {
			return row, err
		}
		if c.rows >= c.delivered {
			if err := c.onRow(c.rows, row); err != nil {
				c.err = err
				return row, err
			}
			c.delivered = c.rows + 1
		}
		c.rows++
		s.skipSpace()
		if s.consume(',') {
			continue
		}
		if s.consume(']') {
			return row, nil
		}
		if s.pos >= len(s.buf) {
			return row, s.early("data_array ends early")
		}
		return row, s.unexpected("data_array")
	}
}

// field decodes the value at s.pos into out with encoding/json.
func (s *scanner) field(out any) error {
	start, end, err := s.value()
	if err != nil {
		return err
	}
	return json.Unmarshal(s.text(start, end), out)
}

// decodeFrom reads a statement response (from a submission or a status check) from r.
// Its first chunk ("result") can be megabytes: it is kept as the bytes read, not decoded
// nor checked, until the statement is known to have succeeded, when readResult decodes
// it like every chunk. The other fields are small and go through encoding/json.
func (st *statementStream) decodeFrom(r io.Reader) error {
	*st = statementStream{}
	s := newStreamScanner(r) // keepFrom is never called: the buffer keeps the whole body
	s.skipSpace()
	if !s.at() {
		if s.err != nil && !errors.Is(s.err, io.EOF) {
			return s.err
		}
		return io.EOF
	}
	if !s.consume('{') {
		return errors.New("a statement must be a JSON object")
	}
	for {
		key, done, err := s.member(whatStatement)
		if err != nil || done {
			return err
		}
		// Keys match as encoding/json matches them, case aside.
		switch name := string(key); {
		case strings.EqualFold(name, "result"):
			var start, end int
			if start, end, err = s.skip(); err == nil {
				st.Result = s.text(start, end)
			}
		case strings.EqualFold(name, "statement_id"):
			err = s.field(&st.StatementID)
		case strings.EqualFold(name, "status"):
			err = s.field(&st.Status)
		case strings.EqualFold(name, "manifest"):
			err = s.field(&st.Manifest)
		default:
			_, _, err = s.value()
		}
		if err == nil {
			err = s.memberEnd(whatStatement)
		}
		if err != nil {
			return err
		}
	}
}

// What the objects read here are called in errors.
const (
	whatChunk     = "a result chunk"
	whatStatement = "a statement"
)

// member reads the name of the next member of the object what, up to its value; done
// at the object's end instead. The name is the body's bytes, good until the next read.
func (s *scanner) member(what string) (name []byte, done bool, err error) {
	s.skipSpace()
	if s.consume('}') {
		return nil, true, nil
	}
	if !s.at() {
		return nil, false, s.early(what + " ends early")
	}
	if s.buf[s.pos] != '"' {
		return nil, false, s.unexpected(what)
	}
	key, err := s.str()
	if err != nil {
		return nil, false, err
	}
	s.skipSpace()
	if !s.consume(':') {
		return nil, false, s.unexpected(what)
	}
	s.skipSpace()
	return s.text(key.start, key.end), false, nil
}

// memberEnd reads what follows a member's value in the object what: a comma, or the
// object's end, which member reads next.
func (s *scanner) memberEnd(what string) error {
	s.skipSpace()
	if s.consume(',') || (s.at() && s.buf[s.pos] == '}') {
		return nil
	}
	if s.pos >= len(s.buf) {
		return s.early(what + " ends early")
	}
	return s.unexpected(what)
}

// unexpected is the error of a character out of place in what is being read.
func (s *scanner) unexpected(what string) error {
	return fmt.Errorf("%s has an unexpected character at offset %d", what, s.offset())
}
