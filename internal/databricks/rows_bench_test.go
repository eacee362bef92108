package databricks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// benchChunk is the body of a chunk request: rows rows of 8 cells of the shapes
// Databricks sends (numbers, text, dates, booleans as strings), one cell in 80 null.
func benchChunk(rows int) []byte {
	data := make([][]*string, rows)
	for i := range data {
		row := []string{
			fmt.Sprint(1_000_000 + i), fmt.Sprint(i % 500), fmt.Sprintf("%d.%02d", i%10000, i%100),
			fmt.Sprint(float64(i) / 7), fmt.Sprintf("customer-%06d", i), fmt.Sprint(i%2 == 0),
			fmt.Sprintf("2024-%02d-%02d", i%12+1, i%28+1), fmt.Sprintf("2024-03-15T12:%02d:%02d.%03dZ", i%60, i/60%60, i%1000),
		}
		data[i] = make([]*string, len(row))
		for j := range row {
			data[i][j] = &row[j]
		}
		if i%10 == 3 {
			data[i][i%len(row)] = nil
		}
	}
	body, err := json.Marshal(map[string]any{"chunk_index": 1, "row_offset": rows, "row_count": rows, "data_array": data})
	if err != nil {
		panic(err)
	}
	return body
}

// BenchmarkDecodeChunk is the client's share of BenchmarkDecodeConvert (internal/provider):
// a chunk of 10,000 rows x 8 cells decoded row by row, as the request path does it: from
// the body as it arrives (stream), with rows handed to a handler that drops them. whole
// is the way a chunk was read before, and the first chunk still is: encoding/json reads
// the value whole and checks it, then chunkStream decodes it.
func BenchmarkDecodeChunk(b *testing.B) {
	const rows, columns = 10_000, 8
	body := benchChunk(rows)
	for _, mode := range []string{"stream", "whole"} {
		b.Run(mode, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				stream := chunkStream{onRow: func(int64, Row) error { return nil }}
				var err error
				if mode == "stream" {
					err = stream.decodeFrom(bytes.NewReader(body))
				} else {
					err = json.NewDecoder(bytes.NewReader(body)).Decode(&stream)
				}
				if err != nil || stream.rows != rows {
					b.Fatalf("%d rows, %v", stream.rows, err)
				}
			}
			b.ReportMetric(float64(rows*columns)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}

// BenchmarkDecodeChunkWhole decodes the same chunk the way a ResultChunk is read: every
// row kept as cells. The difference to BenchmarkDecodeChunk is what streaming saves.
func BenchmarkDecodeChunkWhole(b *testing.B) {
	const rows, columns = 10_000, 8
	body := benchChunk(rows)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var chunk ResultChunk
		if err := json.Unmarshal(body, &chunk); err != nil || len(chunk.DataArray) != rows {
			b.Fatalf("%d rows, %v", len(chunk.DataArray), err)
		}
	}
	b.ReportMetric(float64(rows*columns)*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}
