package databricks

import (
	"context"
	"errors"
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
	// no particular order across chunks. row has one cell per column and is reused once
	// Row returns; the strings of its cells may be kept. An error stops the query, and
	// StreamQuery returns it as it is.
	Row(index int64, row Row) error
}

// StreamQuery runs a read-only statement to completion and hands its rows to h as they
// are decoded, without keeping them. It submits with a long-poll wait, polls while the
// warehouse starts or the statement runs, fetches the chunks after the first
// Config.MaxParallelChunks at a time, and cancels the statement if ctx ends first. A result
// that expires while its chunks are read (404) is re-executed once. Because the
// statement only reads, a submission lost in a dropped connection is safe to send again.
func (c *Client) StreamQuery(ctx context.Context, q QueryRequest, h RowHandler) (ResultInfo, error) {
	info, err := c.streamQuery(ctx, q, h)
	if errors.Is(err, ErrResultExpired) {
		c.logger.Debug(ctx, "Statement result expired while reading chunks; executing again", map[string]any{"error": err.Error()})
		info, err = c.streamQuery(ctx, q, h)
	}
	return info, err
}

func (c *Client) streamQuery(ctx context.Context, q QueryRequest, h RowHandler) (ResultInfo, error) {
	started := time.Now()
	_, final, err := c.execute(ctx, ExecuteStatementRequest{
		Statement:   q.Statement,
		WarehouseID: q.WarehouseID,
		Catalog:     q.Catalog,
		Schema:      q.Schema,
		Parameters:  q.Parameters,
		RowLimit:    q.RowLimit,
		ByteLimit:   q.ByteLimit,
	}, true)
	if err != nil {
		return ResultInfo{}, err
	}
	if final.Status.State != StateSucceeded {
		return ResultInfo{}, statementError(&final.StatementResponse, q.WarehouseID)
	}
	info, err := c.readResult(ctx, final, q.RowLimit, c.maxParallelChunks, h)
	if err != nil {
		return ResultInfo{}, err
	}
	c.logger.Debug(ctx, "Statement result read", map[string]any{
		"statement_id": final.StatementID, "chunk_count": final.Manifest.TotalChunkCount, "row_count": info.TotalRowCount,
		"truncated": info.Truncated, "max_parallel_chunks": c.maxParallelChunks, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	return info, nil
}
