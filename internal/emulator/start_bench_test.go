package emulator

import "testing"

// BenchmarkNew measures what every test and `make demo` pay first: a fresh
// emulator with its metastore, with and without the sample table.
func BenchmarkNew(b *testing.B) {
	for _, c := range []struct {
		name  string
		trips int
	}{{"samples", 0}, {"bare", -1}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				e, err := New(Options{SampleTrips: c.trips})
				if err != nil {
					b.Fatal(err)
				}
				_ = e.Close()
			}
		})
	}
}
