package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"runtime"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// benchColumns are the 8 columns of the benchmark result: every family of scalar the
// converter reads.
var benchColumns = []databricks.Column{
	{Name: "id", Position: 0, TypeName: "LONG", TypeText: "BIGINT"},
	{Name: "qty", Position: 1, TypeName: "INT", TypeText: "INT"},
	{Name: "price", Position: 2, TypeName: "DECIMAL", TypeText: "DECIMAL(10,2)"},
	{Name: "ratio", Position: 3, TypeName: "DOUBLE", TypeText: "DOUBLE"},
	{Name: "name", Position: 4, TypeName: "STRING", TypeText: "STRING"},
	{Name: "active", Position: 5, TypeName: "BOOLEAN", TypeText: "BOOLEAN"},
	{Name: "day", Position: 6, TypeName: "DATE", TypeText: "DATE"},
	{Name: "updated", Position: 7, TypeName: "TIMESTAMP", TypeText: "TIMESTAMP"},
}

// benchStatementBody is a SUCCEEDED statement whose one chunk holds rows rows of
// benchColumns, as Databricks sends it; one cell in 80 is null. dataSize is the JSON size
// of the rows alone (data_array).
func benchStatementBody(rows int) (body []byte, dataSize int) {
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
	dataArray, err := json.Marshal(data)
	if err != nil {
		panic(err)
	}
	body, err = json.Marshal(map[string]any{
		"statement_id": "01ef-bench",
		"status":       map[string]any{"state": "SUCCEEDED"},
		"manifest": map[string]any{
			"format": "JSON_ARRAY", "schema": map[string]any{"column_count": len(benchColumns), "columns": benchColumns},
			"total_chunk_count": 1, "total_row_count": rows, "chunks": []map[string]any{{"chunk_index": 0, "row_offset": 0, "row_count": rows}},
		},
		"result": map[string]any{"chunk_index": 0, "row_offset": 0, "row_count": rows, "data_array": json.RawMessage(dataArray)},
	})
	if err != nil {
		panic(err)
	}
	return body, len(dataArray)
}

// cannedTransport answers every request with the same body, so that a benchmark of the
// query path measures decoding and conversion rather than a network.
type cannedTransport struct{ body []byte }

func (t cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: int64(len(t.body)), Request: req,
	}, nil
}

// BenchmarkDecodeConvert measures one chunk of 10,000 rows x 8 columns, from the bytes
// of the response to what the provider hands on, through the same calls dbsql_query
// makes: the client's streaming decoder, then the rows encoded for Terraform's state
// (to=msgpack, typed rows as the provider's server sends them), written as one JSON
// document (to=json, result_format = "json"), or converted into tftypes values (to=tftypes,
// the way typed rows went before, and verify's first row still goes). Run it with
// -cpu 1 for the one-core figure. held-B/row is what the result keeps on the heap, and
// held/JSON that against the JSON of the rows.
func BenchmarkDecodeConvert(b *testing.B) {
	const rows = 10_000
	body, dataSize := benchStatementBody(rows)
	client, err := databricks.New(databricks.Config{BaseURL: "https://bench.cloud.databricks.com", Credentials: databricks.PersonalAccessToken("dapi0123456789abcdef"), Transport: cannedTransport{body: body}})
	if err != nil {
		b.Fatal(err)
	}
	q := databricks.QueryRequest{WarehouseID: "0123456789abcdef", Statement: "SELECT 1"}
	read := map[string]func() any{
		"msgpack": func() any {
			var result msgpackRows
			if _, err := client.StreamQuery(context.Background(), q, &result); err != nil {
				b.Fatal(err)
			}
			return joined(b, &result)
		},
		"json": func() any {
			var result jsonRows
			if _, err := client.StreamQuery(context.Background(), q, &result); err != nil {
				b.Fatal(err)
			}
			document, err := result.document()
			if err != nil {
				b.Fatal(err)
			}
			return document
		},
		"tftypes": func() any {
			var result resultRows
			if _, err := client.StreamQuery(context.Background(), q, &result); err != nil {
				b.Fatal(err)
			}
			return result.value()
		},
	}
	for _, to := range []string{"msgpack", "json", "tftypes"} {
		b.Run("to="+to, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				read[to]()
			}
			cells := float64(rows*len(benchColumns)) * float64(b.N)
			b.ReportMetric(cells/b.Elapsed().Seconds(), "cells/s")

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			held := read[to]()
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(held)
			heldBytes := float64(after.HeapAlloc) - float64(before.HeapAlloc)
			b.ReportMetric(heldBytes/rows, "held-B/row")
			b.ReportMetric(heldBytes/float64(dataSize), "held/JSON")
		})
	}
}

// FuzzParseDecimal: whatever precision parseDecimal reads a number at, Terraform receives
// the msgpack a number read at its own 512 bits gives.
func FuzzParseDecimal(f *testing.F) {
	for _, seed := range []string{"0.1", "-0.000001", "1234.56", "142857.14285714286", "999999999999999999", "+.5", "7.", "-0", "1e3", "12345678901234567890.5",
		"1.7976931348623157E308", "4.9E-324", "-9223372036854775808", "99999999999999999999999999999999999999", "0.00000000000000000000000000000000000001"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !isDecimalText(s) {
			return
		}
		got, _, err := parseDecimal(nil, s)
		want, _, wantErr := big.ParseFloat(s, 10, numberPrecision, big.ToNearestEven)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("%q: error %v, big.ParseFloat's %v", s, err, wantErr)
		}
		if err != nil {
			return
		}
		if g, w := msgpackOf(t, tftypes.NewValue(tftypes.Number, got)), msgpackOf(t, tftypes.NewValue(tftypes.Number, want)); !bytes.Equal(g, w) {
			t.Fatalf("%q reaches Terraform as %q, a 512-bit number as %q", s, g, w)
		}
	})
}
