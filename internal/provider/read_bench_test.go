package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"google.golang.org/grpc/mem"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// BenchmarkReadDataSource is what the provider process does for one dbsql_query in a
// plan, in process: the ReadDataSource call of the plugin protocol, through the
// framework, down to the msgpack-encoded state the CLI receives. The rows are those of
// the end-to-end benchmark (scripts/bench-e2e.sh). Besides time and allocations it
// reports the size of the rows' JSON and of the state sent, and the largest heap seen
// during a read (live values and garbage not yet collected, the emulator's included).
func BenchmarkReadDataSource(b *testing.B) {
	for _, form := range []string{resultFormatTyped, resultFormatJSON} {
		for _, rows := range []int{10_000, 100_000} {
			b.Run(fmt.Sprintf("form=%s/rows=%d", form, rows), func(b *testing.B) {
				benchmarkReadDataSource(b, form, rows)
			})
		}
	}
}

func benchmarkReadDataSource(b *testing.B, form string, rows int) {
	srv, err := emulator.Start(emulator.Options{SampleTrips: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	server := NewServer("bench")()
	schemas := configure(b, server, srv)
	queryType := schemas.DataSourceSchemas["dbsql_query"].ValueType()
	config := dynamicValue(b, queryType, map[string]tftypes.Value{
		"statement":     tftypes.NewValue(tftypes.String, benchQuery(rows)),
		"row_limit":     tftypes.NewValue(tftypes.Number, rows),
		"result_format": tftypes.NewValue(tftypes.String, form),
	})
	// Up to the message gRPC sends, encoded by the provider's codec.
	read := func() mem.BufferSlice {
		resp, err := server.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "dbsql_query", Config: config})
		if err != nil || len(resp.Diagnostics) > 0 {
			b.Fatalf("reading: %v %v", err, resp.Diagnostics)
		}
		return sentResponse(b, resp.State)
	}
	stateSize := read().Len()
	runtime.GC()
	peak := peakHeap(read)
	b.ReportAllocs()
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(stateSize)/(1<<20), "state-MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(jsonSize(b, srv, benchQuery(rows), rows))/(1<<20), "json-MiB")
}

// peakHeap runs f and returns the largest heap it saw, sampled every millisecond.
func peakHeap(f func() mem.BufferSlice) uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return peak
}

// jsonSize is the JSON size of the rows of statement, as they travel in data_array.
func jsonSize(b *testing.B, srv *emulator.Server, statement string, rows int) int {
	client, err := databricks.New(databricks.Config{BaseURL: srv.URL, Credentials: databricks.PersonalAccessToken(emulator.DefaultToken)})
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, row := range queryRows(b, client, databricks.QueryRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: statement, RowLimit: int64(rows)}) {
		cells := make([]*string, len(row))
		for i := range row {
			if row[i].Valid {
				cells[i] = &row[i].Text
			}
		}
		text, err := json.Marshal(cells)
		if err != nil {
			b.Fatal(err)
		}
		size += len(text) + 1 // and the comma
	}
	return size
}

// dynamicValue encodes an object of type typ with the given attributes, the others null.
func dynamicValue(b testing.TB, typ tftypes.Type, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	object, ok := typ.(tftypes.Object)
	if !ok {
		b.Fatalf("a schema of type %s", typ)
	}
	attrs := make(map[string]tftypes.Value, len(object.AttributeTypes))
	for name, t := range object.AttributeTypes {
		attrs[name] = tftypes.NewValue(t, nil)
		if v, ok := set[name]; ok {
			attrs[name] = v
		}
	}
	dv, err := tfprotov6.NewDynamicValue(object, tftypes.NewValue(object, attrs))
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}
