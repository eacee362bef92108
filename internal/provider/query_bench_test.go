package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// benchRowsPerChunk is the chunk size of the query benchmarks: small enough that 100
// chunks stay a quick query, large enough that a chunk is real work to decode.
const benchRowsPerChunk = 1000

// benchQuery selects rows rows of the 8 column types of benchColumns.
func benchQuery(rows int) string {
	return fmt.Sprintf(`SELECT i AS id, CAST(i %% 500 AS INT) AS qty, CAST((i %% 1000000) / 100 AS DECIMAL(10,2)) AS price,
  CAST(i AS DOUBLE) / 7 AS ratio, 'customer-' || CAST(i AS STRING) AS name, i %% 2 = 0 AS active,
  DATE '2024-01-01' + CAST(i %% 365 AS INT) AS day, timestampadd(SECOND, i %% 86400, TIMESTAMP '2024-03-15 12:00:00') AS updated
FROM range(%d) AS t(i) ORDER BY i`, rows)
}

// BenchmarkQuery is the whole query path of dbsql_query against the in-process emulator:
// submit, chunks fetched in parallel, decoded and encoded for the state as they arrive,
// the rows attribute written. ns/op is the wall time of one query; requests/op counts what it cost
// on the wire. With latency, every request waits that long before the emulator handles
// it, as a distant workspace would.
func BenchmarkQuery(b *testing.B) {
	for _, latency := range []time.Duration{0, 20 * time.Millisecond} {
		for _, chunks := range []int{1, 10, 16, 100} {
			b.Run(fmt.Sprintf("chunks=%d/latency=%s", chunks, latency), func(b *testing.B) {
				benchmarkQuery(b, chunks, latency)
			})
		}
	}
}

func benchmarkQuery(b *testing.B, chunks int, latency time.Duration) {
	srv, err := emulator.Start(emulator.Options{RowsPerChunk: benchRowsPerChunk, Latency: latency, SampleTrips: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Credentials: databricks.PersonalAccessToken(emulator.DefaultToken)})
	if err != nil {
		b.Fatal(err)
	}
	rows := chunks * benchRowsPerChunk
	q := databricks.QueryRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: benchQuery(rows)}
	run := func() {
		var result msgpackRows
		info, err := client.StreamQuery(context.Background(), q, &result)
		if err != nil {
			b.Fatal(err)
		}
		if info.TotalRowCount != int64(rows) {
			b.Fatalf("%d rows, want %d", info.TotalRowCount, rows)
		}
		joined(b, &result)
	}
	run() // warms the connection pool, as the provider's is after its first request
	srv.Log().Reset()
	b.ReportAllocs()
	for b.Loop() {
		run()
	}
	b.ReportMetric(float64(len(srv.Log().Requests()))/float64(b.N), "requests/op")
	b.ReportMetric(float64(rows*len(benchColumns))*float64(b.N)/b.Elapsed().Seconds(), "cells/s")
}

// BenchmarkQueryPastTheInlineLimit is what a result past the 25 MiB INLINE limit costs,
// read the two ways the provider could: inline first, which Databricks fails, then with
// EXTERNAL_LINKS (auto, what dbsql_query does), or with EXTERNAL_LINKS from the start
// (direct, what an argument asking for it would do). statements/op counts the runs.
func BenchmarkQueryPastTheInlineLimit(b *testing.B) {
	const rows = 260_000 // 27.7 MB of JSON
	for _, mode := range []string{"auto", "direct"} {
		b.Run("mode="+mode, func(b *testing.B) {
			srv, err := emulator.Start(emulator.Options{SampleTrips: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Credentials: databricks.PersonalAccessToken(emulator.DefaultToken)})
			if err != nil {
				b.Fatal(err)
			}
			q := databricks.QueryRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: benchQuery(rows), RowLimit: rows, ExternalLinks: mode == "direct"}
			b.ReportAllocs()
			for b.Loop() {
				var result jsonRows
				if _, err := client.StreamQuery(context.Background(), q, &result); err != nil {
					b.Fatal(err)
				}
				if _, err := result.document(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(srv.Log().Count(emulator.EndpointExecute))/float64(b.N), "statements/op")
		})
	}
}
