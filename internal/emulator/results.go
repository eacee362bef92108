package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// resultSet is a finished statement's materialised result, already in
// JSON_ARRAY cells and cut into chunks.
type resultSet struct {
	columns   []columnJSON
	rows      [][]*string
	rowBytes  []int64 // JSON size of each row, for byte counts
	truncated bool
	chunks    []chunkJSON
}

type manifestJSON struct {
	Format          string      `json:"format"`
	Schema          schemaJSON  `json:"schema"`
	TotalChunkCount int         `json:"total_chunk_count"`
	TotalRowCount   int64       `json:"total_row_count"`
	TotalByteCount  int64       `json:"total_byte_count"`
	Chunks          []chunkJSON `json:"chunks,omitempty"`
	Truncated       bool        `json:"truncated"`
}

type schemaJSON struct {
	ColumnCount int          `json:"column_count"`
	Columns     []columnJSON `json:"columns,omitempty"`
}

type columnJSON struct {
	Name          string `json:"name"`
	Position      int    `json:"position"`
	TypeName      string `json:"type_name"`
	TypeText      string `json:"type_text"`
	TypePrecision *int   `json:"type_precision,omitempty"`
	TypeScale     *int   `json:"type_scale,omitempty"`
}

type chunkJSON struct {
	ChunkIndex int   `json:"chunk_index"`
	RowOffset  int64 `json:"row_offset"`
	RowCount   int64 `json:"row_count"`
	ByteCount  int64 `json:"byte_count"`
}

// resultDataJSON is one chunk of a result: the "result" of a statement
// response and the body of a chunk request.
type resultDataJSON struct {
	ChunkIndex int         `json:"chunk_index"`
	RowOffset  int64       `json:"row_offset"`
	RowCount   int64       `json:"row_count"`
	ByteCount  int64       `json:"byte_count"`
	DataArray  [][]*string `json:"data_array,omitempty"`
	// ExternalLinks replace DataArray in a result of disposition EXTERNAL_LINKS.
	ExternalLinks         []externalLinkJSON `json:"external_links,omitempty"`
	NextChunkIndex        *int               `json:"next_chunk_index,omitempty"`
	NextChunkInternalLink string             `json:"next_chunk_internal_link,omitempty"`
}

// newColumn describes one result column the way the manifest does.
func newColumn(name string, position int, t *duckType) columnJSON {
	dt := t.databricks()
	c := columnJSON{Name: name, Position: position, TypeName: dt.name, TypeText: dt.text}
	if dt.name == "DECIMAL" {
		p, s := dt.precision, dt.scale
		c.TypePrecision, c.TypeScale = &p, &s
	}
	return c
}

// textResult is a result the emulator builds itself (SHOW, DESCRIBE, SET):
// every column a STRING unless kinds names its DuckDB type (BOOLEAN, BIGINT).
func (s *session) textResult(names []string, rows [][]*string, kinds ...string) *resultSet {
	res := &resultSet{rows: rows}
	for i, n := range names {
		kind := "VARCHAR"
		if i < len(kinds) && kinds[i] != "" {
			kind = kinds[i]
		}
		res.columns = append(res.columns, newColumn(n, i, &duckType{kind: kind}))
	}
	sizer := newRowSizer()
	for _, row := range rows {
		res.rowBytes = append(res.rowBytes, sizer.size(row))
	}
	res.cutChunks(s.e.opts.RowsPerChunk)
	return res
}

// cutChunks splits the rows into chunks of at most rowsPerChunk rows. A
// zero-row result has no chunks at all: Databricks answers such a result with
// total_chunk_count 0 and no "chunks" in the manifest.
func (r *resultSet) cutChunks(rowsPerChunk int) {
	r.chunks = nil
	for off := 0; off < len(r.rows); off += rowsPerChunk {
		n := min(rowsPerChunk, len(r.rows)-off)
		var size int64
		for _, b := range r.rowBytes[off : off+n] {
			size += b
		}
		r.chunks = append(r.chunks, chunkJSON{ChunkIndex: len(r.chunks), RowOffset: int64(off), RowCount: int64(n), ByteCount: size})
	}
}

func (r *resultSet) manifest() manifestJSON {
	m := manifestJSON{
		Format:          "JSON_ARRAY",
		Schema:          schemaJSON{ColumnCount: len(r.columns), Columns: r.columns},
		TotalChunkCount: len(r.chunks),
		TotalRowCount:   int64(len(r.rows)),
		Chunks:          r.chunks,
		Truncated:       r.truncated,
	}
	for _, c := range r.chunks {
		m.TotalByteCount += c.ByteCount
	}
	return m
}

// chunk returns chunk i. Every chunk but the last links to the next one with
// the row offset in the query string, as Databricks' internal links do. Chunk
// 0 of a zero-row result is an empty result without data_array.
func (r *resultSet) chunk(statementID string, i int) resultDataJSON {
	if i >= len(r.chunks) {
		return resultDataJSON{}
	}
	c := r.chunks[i]
	out := resultDataJSON{
		ChunkIndex: c.ChunkIndex,
		RowOffset:  c.RowOffset,
		RowCount:   c.RowCount,
		ByteCount:  c.ByteCount,
		DataArray:  r.rows[c.RowOffset : c.RowOffset+c.RowCount],
	}
	if i+1 < len(r.chunks) {
		next := r.chunks[i+1]
		out.NextChunkIndex = &next.ChunkIndex
		out.NextChunkInternalLink = fmt.Sprintf("/api/2.0/sql/statements/%s/result/chunks/%d?row_offset=%d", statementID, next.ChunkIndex, next.RowOffset)
	}
	return out
}

// rowSizer measures rows as they will appear in data_array.
type rowSizer struct {
	buf bytes.Buffer
	enc *json.Encoder
}

func newRowSizer() *rowSizer {
	s := &rowSizer{}
	s.enc = json.NewEncoder(&s.buf)
	s.enc.SetEscapeHTML(false)
	return s
}

// size is the JSON length of the row plus the comma that separates it.
func (s *rowSizer) size(row []*string) int64 {
	s.buf.Reset()
	_ = s.enc.Encode(row)     // a slice of string pointers always encodes
	return int64(s.buf.Len()) // the encoder's newline stands in for the comma
}

// inlineLimitFailure is how a statement fails when its INLINE result is too
// big, in Databricks' words (with its limit of 26214400 bytes by default).
func inlineLimitFailure(limit int64) *sqlFailure {
	return &sqlFailure{
		errorCode: "BAD_REQUEST",
		text: fmt.Sprintf("Inline byte limit exceeded. Statements executed with disposition=INLINE can have a result size of at most %d bytes. "+
			"Please execute the statement with disposition=EXTERNAL_LINKS if you want to download the full result.", limit),
	}
}
