package provider

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"sync"
)

// rowRuns holds the encoding of a result's rows (JSON, rows_json.go; msgpack,
// rows_msgpack.go), written as the client decodes them, to be joined in result order once
// every row has arrived.
//
// Chunks arrive in parallel, each row once, the rows of a chunk in order. Rows are
// appended to runs of consecutive indexes: a row extends the run that ended just before
// it, or starts a new one. A run grows in blocks rather than by reallocating, so that
// the result is held once while it arrives; the blocks are what is sent (server.go).
type rowRuns struct {
	total int64

	mu   sync.Mutex
	open map[int64]*rowRun // by the index of the row each run takes next
	runs []*rowRun
}

// rowRun is the encoding of consecutive rows, from start on, in blocks.
type rowRun struct {
	start, next int64
	blocks      [][]byte
	size        int
	scratch     []byte // the row being written
}

// A run's blocks double in size from firstBlockSize to runBlockSize: a small result
// takes little memory, a large one is in blocks large enough that their bookkeeping is
// nothing next to their rows, and small enough that a run wastes little of its last one.
// The blocks live until the response that holds them is sent, so a plan of many small
// queries would otherwise hold a large block for each.
const (
	firstBlockSize = 4 << 10
	runBlockSize   = 256 << 10
)

// reset prepares for a result of total rows.
func (rr *rowRuns) reset(total int64) {
	rr.total, rr.open, rr.runs = total, map[int64]*rowRun{}, nil
}

// add encodes row index into the run it continues, after sep when it is not the run's
// first row. It is safe for concurrent use, each index once.
func (rr *rowRuns) add(index int64, sep []byte, encode func(dst []byte) ([]byte, error)) error {
	rr.mu.Lock()
	run := rr.open[index]
	if run != nil {
		delete(rr.open, index)
	} else {
		run = &rowRun{start: index, next: index}
		rr.runs = append(rr.runs, run)
	}
	rr.mu.Unlock()

	var err error
	if run.scratch, err = encode(run.scratch[:0]); err != nil {
		return err
	}
	if index > run.start {
		run.write(sep)
	}
	run.write(run.scratch)
	run.next = index + 1

	// Only now may the row after this one continue the run: the lock orders this
	// goroutine's writes before those of whichever goroutine delivers it.
	rr.mu.Lock()
	rr.open[index+1] = run
	rr.mu.Unlock()
	return nil
}

// write appends p to the run's blocks.
func (run *rowRun) write(p []byte) {
	run.size += len(p)
	for len(p) > 0 {
		if n := len(run.blocks); n == 0 {
			run.blocks = append(run.blocks, make([]byte, 0, firstBlockSize))
		} else if last := run.blocks[n-1]; len(last) == cap(last) {
			run.blocks = append(run.blocks, make([]byte, 0, min(2*cap(last), runBlockSize)))
		}
		last := &run.blocks[len(run.blocks)-1]
		k := min(len(p), cap(*last)-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
}

// size is the length of the rows joined with sep, once every row has arrived; an error
// if a row is missing, which is a bug.
func (rr *rowRuns) size(sep []byte) (int, error) {
	slices.SortFunc(rr.runs, func(a, b *rowRun) int { return cmp.Compare(a.start, b.start) })
	size := 0
	var next int64
	for i, run := range rr.runs {
		if run.start != next {
			return 0, fmt.Errorf("rows %d to %d are missing", next, run.start-1)
		}
		size += run.size
		if i > 0 {
			size += len(sep)
		}
		next = run.next
	}
	if next != rr.total {
		return 0, fmt.Errorf("%d rows of %d arrived", next, rr.total)
	}
	return size, nil
}

// writeTo writes the rows, joined with sep, to w (a strings.Builder or a bytes.Buffer,
// which do not fail), which size said how to make room for.
func (rr *rowRuns) writeTo(w io.Writer, sep []byte) {
	for _, part := range rr.appendParts(nil, sep) {
		_, _ = w.Write(part)
	}
}

// appendParts appends the rows, joined with sep, to parts as the blocks they were
// written into, after size: the rows are not copied, and the blocks are the caller's.
func (rr *rowRuns) appendParts(parts [][]byte, sep []byte) [][]byte {
	for i, run := range rr.runs {
		if i > 0 && len(sep) > 0 {
			parts = append(parts, sep)
		}
		parts = append(parts, run.blocks...)
	}
	return parts
}
