package provider

import (
	"bytes"
	"testing"
)

// A run's blocks grow with it: a small result holds one small block until it is sent, a
// large one wastes at most about a block's worth, and the rows come back whole, in order.
func TestRowRunsGrowWithTheResult(t *testing.T) {
	t.Parallel()
	row := bytes.Repeat([]byte{'x'}, 100)
	for _, rows := range []int{10, 50_000} {
		var rr rowRuns
		rr.reset(int64(rows))
		for i := range rows {
			if err := rr.add(int64(i), []byte{','}, func(dst []byte) ([]byte, error) { return append(dst, row...), nil }); err != nil {
				t.Fatal(err)
			}
		}
		size, err := rr.size([]byte{','})
		if err != nil {
			t.Fatal(err)
		}
		held := 0
		for _, run := range rr.runs {
			for _, b := range run.blocks {
				held += cap(b)
			}
		}
		if limit := max(firstBlockSize, min(2*size, size+runBlockSize)); held > limit {
			t.Errorf("%d rows (%d bytes) held in %d bytes of blocks, want at most %d", rows, size, held, limit)
		}
		if got := bytes.Join(rr.appendParts(nil, []byte{','}), nil); len(got) != size || bytes.Count(got, []byte{','}) != rows-1 {
			t.Errorf("%d rows: %d bytes joined, size said %d", rows, len(got), size)
		}
	}
}
