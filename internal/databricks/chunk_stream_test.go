package databricks

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// decoded is what a chunk decoder produced, to compare one way of reading with another.
type decoded struct {
	Fields []any
	Rows   []Row
	Err    bool
}

// decodeChunk decodes a chunk through read, keeping copies of its rows.
func decodeChunk(read func(*chunkStream) error) decoded {
	var got decoded
	stream := chunkStream{onRow: func(_ int64, row Row) error {
		got.Rows = append(got.Rows, row.Clone())
		return nil
	}}
	got.Err = read(&stream) != nil
	got.Fields = []any{stream.ChunkIndex, stream.RowOffset, stream.RowCount, stream.NextChunkIndex, stream.NextChunkInternalLink, stream.ExternalLinks, stream.data}
	return got
}

// readers are the ways a body may arrive: whole, a byte at a time, in halves, with its
// last bytes and io.EOF together, and with a read that answers nothing.
var readers = map[string]func([]byte) io.Reader{
	"whole":    func(b []byte) io.Reader { return bytes.NewReader(b) },
	"one byte": func(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) },
	"halves":   func(b []byte) io.Reader { return iotest.HalfReader(bytes.NewReader(b)) },
	"data+EOF": func(b []byte) io.Reader { return iotest.DataErrReader(bytes.NewReader(b)) },
	"empty ok": func(b []byte) io.Reader { return &stutterReader{r: bytes.NewReader(b)} },
}

// stutterReader answers every other read with nothing, which io.Reader allows.
type stutterReader struct {
	r    io.Reader
	idle bool
}

func (s *stutterReader) Read(p []byte) (int, error) {
	if s.idle = !s.idle; s.idle {
		return 0, nil
	}
	return s.r.Read(p)
}

var chunkBodies = []string{
	`{"chunk_index":1,"row_offset":2,"row_count":2,"data_array":[["2","x"],[null,"y"]],"next_chunk_index":2,"next_chunk_internal_link":"/api/2.0/sql/statements/s/result/chunks/2?row_offset=4"}`,
	` { "data_array" : [ ["\u00e9t\u00e9", "quote \" and \\ slash"] , [ "日本", "\ud83d\ude00" ] ], "x": {"a": [1, {"b": "}]"}]}, "y": -1.5e3, "z": true,
	   "chunk_index": 7 } `,
	`{"external_links":[{"chunk_index":3,"row_offset":30,"row_count":10,"external_link":"https://storage.example/x?sig=1","expiration":"2030-01-01T00:00:00Z","http_headers":{"x-amz-key":"k"}}],"row_count":10}`,
	`{"data_array":null,"chunk_index":0}`,
	`{"data_array":[[12, true, [1,"x"], {"k": [null]}, "\u0000"]]}`,
	`{"data_array":[]}`,
	`{}`,
	// Broken bodies must be refused, whichever way they arrive.
	`{"data_array":[["a"],["b"]`,
	`{"data_array":[["a"]}`,
	`{"chunk_index":1,`,
	`{"chunk_index":tru}`,
	`{"data_array":[["unterminated]]}`,
	`[["not","an","object"]]`,
	`{"data_array":[["a" "b"]]}`,
	`{"k":"` + "\x01" + `"}`,
}

// Decoding a body as it arrives gives what decoding it whole gives, however the reads
// split it.
func TestChunkStreamReadsAsItArrives(t *testing.T) {
	t.Parallel()
	for _, body := range chunkBodies {
		want := decodeChunk(func(c *chunkStream) error { return c.UnmarshalJSON([]byte(body)) })
		for name, reader := range readers {
			got := decodeChunk(func(c *chunkStream) error { return c.decodeFrom(reader([]byte(body))) })
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, read %s:\n got %+v\nwant %+v", body, name, got, want)
			}
		}
	}
}

// Rows longer than the buffer grow it; rows far beyond it in number move through it.
func TestChunkStreamRowsLargerThanItsBuffer(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 3*streamBufferSize)
	var body strings.Builder
	body.WriteString(`{"data_array":[`)
	for i := range 5000 {
		if i > 0 {
			body.WriteString(",")
		}
		if i%1000 == 500 {
			body.WriteString(`["` + long + `", null]`)
			continue
		}
		body.WriteString(`["row", "` + strings.Repeat("x", i%97) + `"]`)
	}
	body.WriteString(`]}`)
	for name, reader := range readers {
		got := decodeChunk(func(c *chunkStream) error { return c.decodeFrom(reader([]byte(body.String()))) })
		if got.Err || len(got.Rows) != 5000 {
			t.Fatalf("read %s: %d rows, error %v", name, len(got.Rows), got.Err)
		}
		if got.Rows[1500][0].Text != long || got.Rows[1500][1].Valid || got.Rows[4999][1].Text != strings.Repeat("x", 4999%97) {
			t.Errorf("read %s: rows changed on the way", name)
		}
	}
}

// One value larger than the scanner may hold stops the body rather than the process.
func TestChunkStreamRefusesAValueTooLarge(t *testing.T) {
	t.Parallel()
	body := `{"data_array":[["` + strings.Repeat("x", 3<<20) + `"]]}`
	s := newStreamScanner(strings.NewReader(body))
	s.maxValue = 1 << 20
	stream := chunkStream{onRow: func(int64, Row) error { t.Error("a row was handed on"); return nil }}
	s.skipSpace()
	err := stream.object(s)
	if err == nil || !strings.Contains(err.Error(), "larger than 1 MiB") {
		t.Fatalf("err = %v", err)
	}
	if cap(s.buf) > 2<<20 {
		t.Errorf("the buffer grew to %d bytes", cap(s.buf))
	}
}

// A read that fails mid-body is reported as the read's error, so that the request path
// can tell a broken connection from a body that is not JSON.
func TestChunkStreamReportsTheReadError(t *testing.T) {
	t.Parallel()
	broken := errors.New("connection reset by peer")
	body := io.MultiReader(strings.NewReader(`{"data_array":[["a"],["b`), iotest.ErrReader(broken))
	var rows int
	stream := chunkStream{onRow: func(int64, Row) error { rows++; return nil }}
	err := stream.decodeFrom(body)
	if !errors.Is(err, broken) || rows != 1 {
		t.Errorf("err = %v after %d rows", err, rows)
	}
}

// Whatever the bytes, streaming and whole decoding agree, and neither panics.
func FuzzChunkStream(f *testing.F) {
	for _, body := range chunkBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want := decodeChunk(func(c *chunkStream) error { return c.UnmarshalJSON(body) })
		got := decodeChunk(func(c *chunkStream) error { return c.decodeFrom(iotest.OneByteReader(bytes.NewReader(body))) })
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n streamed %+v\n whole    %+v", body, got, want)
		}
	})
}

var statementBodies = []string{
	`{"statement_id":"01ef","status":{"state":"SUCCEEDED"},"manifest":{"format":"JSON_ARRAY","schema":{"column_count":1,"columns":[{"name":"i","position":0,"type_name":"INT","type_text":"INT"}]},` +
		`"total_chunk_count":1,"total_row_count":2,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":2}]},"result":{"chunk_index":0,"data_array":[["1"],[null]]}}`,
	` { "result" : null , "status" : { "state" : "FAILED", "error": {"error_code": 403, "message": "x"} }, "statement_id": "01ef", "extra": [1, {"a": "}"}] } `,
	`{"statement_id":"01ef","status":{"state":"PENDING"}}`,
	`{"statement_id":"01ef","result":{"external_links":[{"chunk_index":0,"external_link":"https://x"}]},"status":{"state":"SUCCEEDED"}}`,
	`{"statement_id":"01ef"`,
	`{"statement_id":1}`,
	`[]`,
	``,
	`   `,
}

// decodeStatement reads body into a statementStream through read.
func decodeStatement(read func(*statementStream) error) (statementStream, bool) {
	var st statementStream
	return st, read(&st) == nil
}

// A statement response reads as encoding/json reads it, however the body arrives; the
// first chunk is kept as its bytes.
func TestStatementStreamReadsWhatEncodingJSONReads(t *testing.T) {
	t.Parallel()
	for _, body := range statementBodies {
		want, wantOK := decodeStatement(func(st *statementStream) error { return json.Unmarshal([]byte(body), st) })
		for name, reader := range readers {
			got, ok := decodeStatement(func(st *statementStream) error { return st.decodeFrom(reader([]byte(body))) })
			if ok != wantOK || ok && !reflect.DeepEqual(got, want) {
				t.Errorf("%q, read %s:\n got %v %+v\nwant %v %+v", body, name, ok, got, wantOK, want)
			}
		}
	}
}

// Whatever encoding/json reads as a statement, the statement decoder reads the same way.
func FuzzStatementStream(f *testing.F) {
	for _, body := range statementBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantOK := decodeStatement(func(st *statementStream) error { return json.Unmarshal(body, st) })
		got, ok := decodeStatement(func(st *statementStream) error { return st.decodeFrom(iotest.OneByteReader(bytes.NewReader(body))) })
		if wantOK && (!ok || !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q:\n streamed %v %+v\n encoding/json %+v", body, ok, got, want)
		}
	})
}

// A chunk's rows are lent to the handler rather than copied out one by one: reading ten
// times the rows costs no more allocations, whether the chunk is read as it arrives or
// came whole with the statement. A row a handler keeps is its to copy (Row.Clone).
func TestChunkStreamLendsItsRows(t *testing.T) {
	allocs := func(rows int, whole bool) float64 {
		body := benchChunk(rows)
		return testing.AllocsPerRun(5, func() {
			stream := chunkStream{onRow: func(int64, Row) error { return nil }}
			var err error
			if whole {
				err = stream.UnmarshalJSON(body)
			} else {
				err = stream.decodeFrom(bytes.NewReader(body))
			}
			if err != nil || stream.rows != int64(rows) {
				t.Fatalf("%d rows, %v", stream.rows, err)
			}
		})
	}
	for _, whole := range []bool{false, true} {
		if few, many := allocs(1_000, whole), allocs(10_000, whole); many-few > 20 {
			t.Errorf("read whole %v: %.0f allocations for 1,000 rows, %.0f for 10,000", whole, few, many)
		}
	}
	var kept []Row
	stream := chunkStream{onRow: func(_ int64, row Row) error { kept = append(kept, row.Clone()); return nil }}
	if err := stream.decodeFrom(bytes.NewReader(benchChunk(3))); err != nil {
		t.Fatal(err)
	}
	if got := kept[0][4].Text + " " + kept[2][4].Text; got != "customer-000000 customer-000002" {
		t.Errorf("rows kept as clones changed: %q", got)
	}
}
