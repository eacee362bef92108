package databricks

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"
)

// QueryRequest is a read-only statement to run to completion.
type QueryRequest struct {
	WarehouseID string
	Catalog     string
	Schema      string
	Statement   string
	Parameters  []StatementParameter
	RowLimit    int64 // 0 = no limit
	ByteLimit   int64 // 0 = no limit
	// ExternalLinks reads the result through cloud storage (disposition EXTERNAL_LINKS)
	// from the start, for a result known to pass the limit of an INLINE result. Without
	// it the result is read INLINE, and the statement runs once more with EXTERNAL_LINKS
	// only if Databricks fails it for its size.
	ExternalLinks bool
}

// DefaultMaxParallelChunks is how many result chunks a query fetches at once unless told
// otherwise: enough to hide the round trip of each on a distant workspace, few enough
// not to look like a flood to its rate limits.
const DefaultMaxParallelChunks = 8

// ResultInfo describes a succeeded statement's result before any of its rows.
type ResultInfo struct {
	StatementID   string
	Columns       []Column
	TotalRowCount int64
	// Truncated is true when row_limit or byte_limit cut the result.
	Truncated bool
}

// RowHandler receives a result row by row, as Client.StreamQuery reads it.
type RowHandler interface {
	// Begin is called once the statement has succeeded, before any row. It is called
	// again if the result expired while it was read and the statement ran once more:
	// the rows received until then are to be forgotten.
	Begin(ResultInfo) error
	// Row receives the row at index, counted from 0 in result order. After each Begin,
	// every index below ResultInfo.TotalRowCount arrives exactly once, and no other.
	// Chunks are read in parallel, so Row is called from several goroutines at once, in
	// no particular order across chunks. row has one cell per column. It is reused once
	// Row returns, and so is the text of its cells, which is not copied out of the
	// response as it is read: a handler that keeps a row or a cell's text keeps a copy
	// (Row.Clone, strings.Clone). An error stops the query, and StreamQuery returns it as
	// it is.
	Row(index int64, row Row) error
}

// StreamQuery runs a read-only statement to completion and hands its rows to h as they
// are decoded, without keeping them. It submits with a long-poll wait, polls while the
// warehouse starts or the statement runs, fetches the chunks after the first
// Config.MaxParallelChunks at a time, and cancels the statement if ctx ends first. A result
// that expires while its chunks are read (404) is re-executed once. Because the
// statement only reads, a submission lost in a dropped connection is safe to send again.
//
// A result larger than Databricks allows INLINE (25 MiB) fails the statement; it then
// runs once more, read through cloud storage (EXTERNAL_LINKS, see links.go), unless
// q.ExternalLinks asked for that from the start.
func (c *Client) StreamQuery(ctx context.Context, q QueryRequest, h RowHandler) (ResultInfo, error) {
	disposition := dispositionInline
	if q.ExternalLinks {
		disposition = dispositionExternalLinks
	}
	info, err := c.streamQuery(ctx, q, disposition, h)
	if disposition == dispositionInline && inlineLimitExceeded(err) {
		c.logger.Debug(ctx, "Statement result too large to read inline; executing again with EXTERNAL_LINKS", map[string]any{"error": err.Error()})
		disposition = dispositionExternalLinks
		info, err = c.streamQuery(ctx, q, disposition, h)
	}
	if errors.Is(err, ErrResultExpired) {
		c.logger.Debug(ctx, "Statement result expired while reading chunks; executing again", map[string]any{"error": err.Error()})
		info, err = c.streamQuery(ctx, q, disposition, h)
	}
	return info, err
}

// The dispositions of a statement's result: in the API's answers, or on cloud storage.
const (
	dispositionInline        = "INLINE"
	dispositionExternalLinks = "EXTERNAL_LINKS"
)

// inlineLimitPattern is how Databricks says a result is too large for INLINE, in a
// FAILED statement's message ("Inline byte limit exceeded. Statements executed with
// disposition=INLINE can have a result size of at most 26214400 bytes. Please execute
// the statement with disposition=EXTERNAL_LINKS if you want to download the full
// result.").
var inlineLimitPattern = regexp.MustCompile(`(?i)inline byte limit|disposition=EXTERNAL_LINKS`)

// inlineLimitExceeded reports whether err is Databricks refusing a result for its size,
// as a FAILED statement or as the answer to the request.
func inlineLimitExceeded(err error) bool {
	var stmtErr *StatementError
	var apiErr *APIError
	switch {
	case errors.As(err, &stmtErr):
		return stmtErr.State == StateFailed && inlineLimitPattern.MatchString(stmtErr.Message)
	case errors.As(err, &apiErr):
		return apiErr.StatusCode == http.StatusBadRequest && inlineLimitPattern.MatchString(apiErr.Message)
	}
	return false
}

func (c *Client) streamQuery(ctx context.Context, q QueryRequest, disposition string, h RowHandler) (ResultInfo, error) {
	started := time.Now()
	_, final, err := c.execute(ctx, ExecuteStatementRequest{
		Statement:   q.Statement,
		WarehouseID: q.WarehouseID,
		Catalog:     q.Catalog,
		Schema:      q.Schema,
		Parameters:  q.Parameters,
		RowLimit:    q.RowLimit,
		ByteLimit:   q.ByteLimit,
		Disposition: disposition,
	}, true)
	if err != nil {
		return ResultInfo{}, err
	}
	if final.Status.State != StateSucceeded {
		return ResultInfo{}, statementError(&final.StatementResponse, q.WarehouseID)
	}
	info, err := c.readResult(ctx, final, disposition, q.RowLimit, c.maxParallelChunks, h)
	if err != nil {
		return ResultInfo{}, err
	}
	c.logger.Debug(ctx, "Statement result read", map[string]any{
		"statement_id": final.StatementID, "chunk_count": final.Manifest.TotalChunkCount, "row_count": info.TotalRowCount,
		"truncated": info.Truncated, "max_parallel_chunks": c.maxParallelChunks, "disposition": disposition, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	return info, nil
}
