package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// resultReader hands every row of one succeeded statement to a RowHandler.
type resultReader struct {
	c        *Client
	id       string
	manifest *ResultManifest
	h        RowHandler
}

// readResult reads every row of a succeeded statement into h. The first chunk came with
// the statement; the others are fetched by index, in parallel, when the manifest lists
// them all, and by following each chunk's link otherwise.
func (c *Client) readResult(ctx context.Context, resp *statementStream, disposition string, rowLimit int64, parallel int, h RowHandler) (ResultInfo, error) {
	id := resp.StatementID
	if resp.Manifest == nil {
		return ResultInfo{}, &MalformedResponseError{Method: "GET", Path: statementsPath + "/" + id, StatusCode: 200, Err: errors.New("a SUCCEEDED statement has no manifest")}
	}
	m := resp.Manifest
	info := ResultInfo{StatementID: id, Columns: m.Schema.Columns, TotalRowCount: m.TotalRowCount, Truncated: m.Truncated}
	// Handlers make room for the rows the manifest promises before any arrives: a count
	// no result could have is refused rather than allocated.
	if m.TotalRowCount < 0 || rowLimit > 0 && m.TotalRowCount > rowLimit || m.TotalRowCount > maxResultRows(len(m.Schema.Columns), disposition) {
		return ResultInfo{}, fmt.Errorf("statement %s: the manifest promises %d rows, which a result of %d columns with a row limit of %d cannot hold", id, m.TotalRowCount, len(m.Schema.Columns), rowLimit)
	}
	if err := h.Begin(info); err != nil {
		return ResultInfo{}, err
	}
	r := &resultReader{c: c, id: id, manifest: m, h: h}
	first := resp.Result
	if bytes.Equal(first, []byte("null")) {
		first = nil // nothing inline: the manifest's first chunk, if any, is fetched too
	}
	var err error
	if chunksListed(m) {
		err = r.readListed(ctx, first, parallel)
	} else {
		err = r.readLinked(ctx, first)
	}
	return info, err
}

// The largest results Databricks serves: an INLINE result above 25 MiB fails the
// statement; one read through EXTERNAL_LINKS stops at 100 GiB (its default byte_limit).
const (
	maxInlineBytes        = 25 << 20
	maxExternalLinksBytes = 100 << 30
)

// maxResultRows is the most rows of width columns a JSON_ARRAY result of a disposition
// can hold: each takes at least 3 bytes per cell ("",) and 2 more for its brackets.
func maxResultRows(width int, disposition string) int64 {
	if disposition == dispositionExternalLinks {
		return maxExternalLinksBytes / int64(3*width+2)
	}
	return maxInlineBytes / int64(3*width+2)
}

// chunksListed reports whether the manifest lists every chunk, in order, each starting
// where the one before ended, with the rows the manifest promises in all.
func chunksListed(m *ResultManifest) bool {
	if len(m.Chunks) != m.TotalChunkCount {
		return false
	}
	var offset int64
	for i, ch := range m.Chunks {
		if ch.ChunkIndex != i || ch.RowOffset != offset || ch.RowCount < 0 {
			return false
		}
		offset += ch.RowCount
	}
	return offset == m.TotalRowCount
}

// readListed decodes the inline first chunk while fetching the others by index. At most
// parallel requests are in flight; a failure cancels the rest.
func (r *resultReader) readListed(ctx context.Context, first json.RawMessage, parallel int) error {
	pending := r.manifest.Chunks
	// A result without rows lists no chunk, and comes with an empty one.
	firstChunk := ChunkInfo{}
	if first != nil && len(pending) > 0 {
		firstChunk, pending = pending[0], pending[1:]
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		failOnce sync.Once
		failure  error
		next     atomic.Int64
	)
	fail := func(err error) {
		failOnce.Do(func() {
			failure = err
			cancel()
		})
	}
	// Workers take chunks in index order, so that the first rows come first.
	for range min(parallel, len(pending)) {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(len(pending)) || ctx.Err() != nil {
					return
				}
				if err := r.fetchChunk(ctx, pending[i]); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	if first != nil {
		got, err := r.decode(first, "the statement's first chunk", r.onRow(firstChunk))
		switch {
		case err != nil:
		case !got.data && len(got.ExternalLinks) > 0:
			if got, err = r.readLinks(ctx, firstChunk, got.ExternalLinks, r.onRow(firstChunk)); err == nil {
				err = r.check(firstChunk, got)
			}
		case !got.data && firstChunk.RowCount > 0:
			// The statement came without the first chunk's rows: fetch them too.
			err = r.fetchChunk(ctx, firstChunk)
		default:
			err = r.check(firstChunk, got)
		}
		if err != nil {
			fail(err)
		}
	}
	wg.Wait()
	return failure
}

// onRow hands the rows of chunk ch on, checked.
func (r *resultReader) onRow(ch ChunkInfo) func(int64, Row) error {
	return func(i int64, row Row) error { return r.row(ch, i, row) }
}

// row checks row i of chunk ch against the manifest and hands it on.
func (r *resultReader) row(ch ChunkInfo, i int64, row Row) error {
	if i >= ch.RowCount {
		return fmt.Errorf("statement %s: chunk %d holds more than the %d rows the manifest promises", r.id, ch.ChunkIndex, ch.RowCount)
	}
	if len(row) != len(r.manifest.Schema.Columns) {
		return fmt.Errorf("statement %s: row %d of chunk %d has %d values for %d columns", r.id, i, ch.ChunkIndex, len(row), len(r.manifest.Schema.Columns))
	}
	return r.h.Row(ch.RowOffset+i, row)
}

// check compares a chunk read whole with what the manifest says of it.
func (r *resultReader) check(ch ChunkInfo, got *chunkStream) error {
	if got.ChunkIndex != nil && *got.ChunkIndex != ch.ChunkIndex {
		return fmt.Errorf("statement %s: asked for chunk %d, received chunk %d", r.id, ch.ChunkIndex, *got.ChunkIndex)
	}
	if got.rows != ch.RowCount {
		return fmt.Errorf("statement %s: the manifest promises %d rows in chunk %d but it held %d", r.id, ch.RowCount, ch.ChunkIndex, got.rows)
	}
	return nil
}

// fetchChunk reads chunk ch, handing its rows on as they are decoded.
func (r *resultReader) fetchChunk(ctx context.Context, ch ChunkInfo) error {
	// The offset goes in the query string as in the links Databricks writes itself.
	path := fmt.Sprintf("%s?row_offset=%d", chunkPath(r.id, ch.ChunkIndex), ch.RowOffset)
	got, err := r.fetch(ctx, path, fmt.Sprintf("chunk %d", ch.ChunkIndex), r.onRow(ch))
	if err != nil {
		return err
	}
	if !got.data && len(got.ExternalLinks) > 0 {
		if err := r.check(ch, &chunkStream{ChunkIndex: got.ChunkIndex, rows: ch.RowCount}); err != nil {
			return err
		}
		if got, err = r.readLinks(ctx, ch, got.ExternalLinks, r.onRow(ch)); err != nil {
			return err
		}
	}
	return r.check(ch, got)
}

// fetch requests one chunk and streams its rows to onRow. A chunk that is gone (404)
// is an expired result, which the caller may execute again.
func (r *resultReader) fetch(ctx context.Context, path, what string, onRow func(int64, Row) error) (*chunkStream, error) {
	stream := &chunkStream{onRow: onRow}
	_, err := r.c.do(ctx, call{method: "GET", path: path, retrySafe: true}, stream)
	switch {
	case stream.err != nil:
		return nil, stream.err // not the malformed body the request path took it for
	case errors.Is(err, ErrNotFound):
		return nil, fmt.Errorf("statement %s: reading %s: %w: %w", r.id, what, ErrResultExpired, err)
	case err != nil:
		return nil, fmt.Errorf("statement %s: reading %s: %w", r.id, what, err)
	}
	return stream, nil
}

// decode streams the rows of a chunk that came with the statement to onRow.
func (r *resultReader) decode(raw json.RawMessage, what string, onRow func(int64, Row) error) (*chunkStream, error) {
	stream := &chunkStream{onRow: onRow}
	// The statement's body was read and checked as JSON already.
	err := stream.UnmarshalJSON(raw)
	switch {
	case stream.err != nil:
		return nil, stream.err
	case err != nil:
		return nil, &MalformedResponseError{Method: "GET", Path: statementsPath + "/" + r.id, StatusCode: 200, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return stream, nil
}

// readLinked reads the chunks one after the other, following each one's link to the
// next: the way for a manifest that does not list its chunks.
func (r *resultReader) readLinked(ctx context.Context, first json.RawMessage) error {
	total := r.manifest.TotalRowCount
	var received int64 // rows of the chunks before the current one
	chunk := 0
	// Rows are counted against the manifest's total as they arrive, so that the handler
	// never sees an index beyond it.
	onRow := func(i int64, row Row) error {
		if received+i >= total {
			return fmt.Errorf("statement %s: the chunks hold more than the %d rows the manifest promises", r.id, total)
		}
		return r.row(ChunkInfo{ChunkIndex: chunk, RowOffset: received, RowCount: total - received}, i, row)
	}
	link := ""
	if r.manifest.TotalChunkCount > 0 {
		link = chunkPath(r.id, 0)
	}
	if first != nil {
		got, err := r.decode(first, "the statement's first chunk", onRow)
		if err != nil {
			return err
		}
		if !got.data && len(got.ExternalLinks) > 0 {
			if got, err = r.readLinkedLinks(ctx, got, &received, &chunk, onRow); err != nil {
				return err
			}
			link = nextLink(r.id, got)
		} else if got.data || r.manifest.TotalChunkCount == 0 {
			// Without the first chunk's rows, the statement came without the first chunk.
			received, chunk = got.rows, 1
			link = nextLink(r.id, got)
		}
	}
	for link != "" {
		if !strings.HasPrefix(link, "/") {
			// The token must only ever go to the workspace: never follow a link elsewhere.
			return fmt.Errorf("statement %s: chunk link %q is not a path on the workspace", r.id, r.c.scrub().text(link, maxPageText))
		}
		got, err := r.fetch(ctx, link, fmt.Sprintf("the chunk after row %d", received), onRow)
		if err != nil {
			return err
		}
		if !got.data && len(got.ExternalLinks) > 0 {
			if got, err = r.readLinkedLinks(ctx, got, &received, &chunk, onRow); err != nil {
				return err
			}
		} else {
			received += got.rows
			chunk++
		}
		link = nextLink(r.id, got)
	}
	if received != total {
		return fmt.Errorf("statement %s: the manifest promises %d rows but the chunks held %d", r.id, total, received)
	}
	return nil
}

// nextLink is the path of the chunk after got: the link Databricks gave, as given, or
// one built from the next index; "" after the last chunk.
func nextLink(id string, got *chunkStream) string {
	if got.NextChunkInternalLink == "" && got.NextChunkIndex != nil {
		return chunkPath(id, *got.NextChunkIndex)
	}
	return got.NextChunkInternalLink
}

// chunkPath is the path of chunk index of a statement's result.
func chunkPath(id string, index int) string {
	return fmt.Sprintf("%s/%s/result/chunks/%d", statementsPath, url.PathEscape(id), index)
}
