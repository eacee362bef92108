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
	"time"
)

// StatementState is a statement's status.state.
type StatementState string

// The states of the Statement Execution API.
const (
	StatePending   StatementState = "PENDING" // waiting for the warehouse (a cold start can take minutes)
	StateRunning   StatementState = "RUNNING"
	StateSucceeded StatementState = "SUCCEEDED"
	StateFailed    StatementState = "FAILED"
	StateCanceled  StatementState = "CANCELED"
	StateClosed    StatementState = "CLOSED" // succeeded, but the result can no longer be fetched
)

// Terminal reports whether the statement will not change state again.
func (s StatementState) Terminal() bool {
	switch s {
	case StateSucceeded, StateFailed, StateCanceled, StateClosed:
		return true
	}
	return false
}

// StatementParameter is a named parameter, bound to a :name marker. A nil Value is SQL NULL.
type StatementParameter struct {
	Name  string  `json:"name"`
	Value *string `json:"value,omitempty"`
	Type  string  `json:"type,omitempty"` // default STRING
}

// ExecuteStatementRequest is the body of POST /api/2.0/sql/statements.
type ExecuteStatementRequest struct {
	Statement     string               `json:"statement"`
	WarehouseID   string               `json:"warehouse_id"`
	Catalog       string               `json:"catalog,omitempty"`
	Schema        string               `json:"schema,omitempty"`
	Parameters    []StatementParameter `json:"parameters,omitempty"`
	WaitTimeout   string               `json:"wait_timeout,omitempty"`    // "0s" or "5s".."50s"
	OnWaitTimeout string               `json:"on_wait_timeout,omitempty"` // CONTINUE or CANCEL
	Disposition   string               `json:"disposition,omitempty"`     // INLINE
	Format        string               `json:"format,omitempty"`          // JSON_ARRAY
	RowLimit      int64                `json:"row_limit,omitempty"`
	ByteLimit     int64                `json:"byte_limit,omitempty"`
}

// StatementResponse is what execute and get return.
type StatementResponse struct {
	StatementID string          `json:"statement_id"`
	Status      StatementStatus `json:"status"`
	Manifest    *ResultManifest `json:"manifest,omitempty"`
	Result      *ResultChunk    `json:"result,omitempty"`
}

// StatementStatus is a statement's state and, when it failed, why.
type StatementStatus struct {
	State    StatementState `json:"state"`
	Error    *ServiceError  `json:"error,omitempty"`
	SQLState string         `json:"sql_state,omitempty"`
}

// ServiceError is the error of a FAILED statement.
type ServiceError struct {
	ErrorCode errorCode `json:"error_code"`
	Message   string    `json:"message"`
}

// ResultManifest describes a result: its columns and its chunks.
type ResultManifest struct {
	Format          string       `json:"format"`
	Schema          ResultSchema `json:"schema"`
	TotalChunkCount int          `json:"total_chunk_count"`
	TotalRowCount   int64        `json:"total_row_count"`
	Chunks          []ChunkInfo  `json:"chunks"`
	Truncated       bool         `json:"truncated"`
}

// ResultSchema lists the result's columns.
type ResultSchema struct {
	ColumnCount int      `json:"column_count"`
	Columns     []Column `json:"columns"`
}

// Column is one result column. TypeName is the type's family (LONG, DECIMAL, ARRAY);
// TypeText is its SQL spelling with parameters (BIGINT, DECIMAL(10,2), ARRAY<INT>).
type Column struct {
	Name          string `json:"name"`
	Position      int    `json:"position"`
	TypeName      string `json:"type_name"`
	TypeText      string `json:"type_text"`
	TypePrecision int    `json:"type_precision,omitempty"`
	TypeScale     int    `json:"type_scale,omitempty"`
}

// ChunkInfo locates one chunk of a result.
type ChunkInfo struct {
	ChunkIndex int   `json:"chunk_index"`
	RowOffset  int64 `json:"row_offset"`
	RowCount   int64 `json:"row_count"`
}

// ResultChunk is one chunk of rows.
type ResultChunk struct {
	ChunkIndex            int    `json:"chunk_index"`
	RowOffset             int64  `json:"row_offset"`
	RowCount              int64  `json:"row_count"`
	DataArray             []Row  `json:"data_array"`
	NextChunkIndex        *int   `json:"next_chunk_index,omitempty"`
	NextChunkInternalLink string `json:"next_chunk_internal_link,omitempty"`
}

const statementsPath = "/api/2.0/sql/statements"

// ExecuteStatement submits a statement. It is sent once: a submission that may have
// reached the warehouse is never repeated (429 and 503, which were not processed, are).
func (c *Client) ExecuteStatement(ctx context.Context, req ExecuteStatementRequest) (*StatementResponse, error) {
	var resp StatementResponse
	_, err := c.do(ctx, call{method: "POST", path: statementsPath, body: req}, &resp)
	return &resp, err
}

// GetStatement returns a statement's current state (and, once it succeeded, its
// manifest and first chunk).
func (c *Client) GetStatement(ctx context.Context, statementID string) (*StatementResponse, error) {
	var resp StatementResponse
	_, err := c.do(ctx, call{method: "GET", path: statementsPath + "/" + url.PathEscape(statementID), retrySafe: true}, &resp)
	return &resp, err
}

// GetResultChunk fetches chunk index of a succeeded statement's result.
func (c *Client) GetResultChunk(ctx context.Context, statementID string, index int) (*ResultChunk, error) {
	return c.getChunk(ctx, chunkPath(statementID, index))
}

func (c *Client) getChunk(ctx context.Context, path string) (*ResultChunk, error) {
	var chunk ResultChunk
	_, err := c.do(ctx, call{method: "GET", path: path, retrySafe: true}, &chunk)
	return &chunk, err
}

// CancelStatement asks Databricks to cancel a statement. Success only means the request
// arrived; the statement's state says whether it stopped.
func (c *Client) CancelStatement(ctx context.Context, statementID string) error {
	_, err := c.do(ctx, call{method: "POST", path: statementsPath + "/" + url.PathEscape(statementID) + "/cancel", retrySafe: true}, nil)
	return err
}

// Sentinels for errors.Is on a *StatementError.
var (
	ErrStatementFailed   = errors.New("statement failed")
	ErrStatementCanceled = errors.New("statement canceled")
	ErrStatementClosed   = errors.New("statement result closed")
	// ErrResultExpired is a chunk that answered 404: results live for an hour.
	ErrResultExpired = errors.New("statement result expired")
)

// StatementError is a statement that ended in a state other than SUCCEEDED.
type StatementError struct {
	StatementID string
	WarehouseID string
	State       StatementState
	ErrorCode   string // status.error.error_code, e.g. BAD_REQUEST
	Message     string // status.error.message, e.g. "[PARSE_SYNTAX_ERROR] Syntax error at or near ..."
	SQLState    string
}

func (e *StatementError) Error() string {
	where := fmt.Sprintf("statement %s on warehouse %s", e.StatementID, e.WarehouseID)
	switch e.State {
	case StateFailed:
		msg := where + " failed"
		if e.ErrorCode != "" {
			msg += ": " + e.ErrorCode
		}
		if e.Message != "" {
			msg += ": " + e.Message
		}
		if e.SQLState != "" {
			msg += " (SQLSTATE " + e.SQLState + ")"
		}
		return msg
	case StateCanceled:
		return where + " was canceled before it finished (by a user, an administrator, or the warehouse stopping)"
	case StateClosed:
		return where + " succeeded, but its result was closed before it could be read"
	}
	return fmt.Sprintf("%s ended in state %s", where, e.State)
}

// Is matches ErrStatementFailed, ErrStatementCanceled or ErrStatementClosed.
func (e *StatementError) Is(target error) bool {
	switch e.State {
	case StateFailed:
		return target == ErrStatementFailed
	case StateCanceled:
		return target == ErrStatementCanceled
	case StateClosed:
		return target == ErrStatementClosed
	}
	return false
}

// InterruptedError is a statement abandoned before it finished because the caller's
// context ended (a read timeout, an interrupted apply). Unwrap gives the context's cause.
type InterruptedError struct {
	StatementID string
	State       StatementState // the last state seen
	Cause       error
	// CancelErr is why the cancel request failed; nil when Databricks accepted it.
	CancelErr error
}

func (e *InterruptedError) Error() string {
	msg := fmt.Sprintf("statement %s was still %s when the wait ended (%v)", e.StatementID, e.State, e.Cause)
	if e.CancelErr != nil {
		return msg + fmt.Sprintf("; cancelling it failed (%v), so it may still be running", e.CancelErr)
	}
	return msg + "; it was canceled on the warehouse"
}

func (e *InterruptedError) Unwrap() error { return e.Cause }

// LongPollWait returns the wait_timeout for a submission: as long as the API allows (50s)
// while leaving a third of the per-request timeout for the answer to arrive, and "0s"
// (answer at once) when the timeout is below the API's 5s minimum wait.
func LongPollWait(requestTimeout time.Duration) time.Duration {
	w := (requestTimeout * 2 / 3).Truncate(time.Second)
	w = min(w, 50*time.Second)
	if w < 5*time.Second {
		return 0
	}
	return w
}

// longPollWait is LongPollWait for the time the request really has: the per-request
// timeout, or less when ctx ends sooner, so that a short read timeout is not overrun by
// a long poll that started just before it.
func (c *Client) longPollWait(ctx context.Context) time.Duration {
	budget := c.timeout
	if deadline, ok := ctx.Deadline(); ok {
		budget = min(budget, time.Until(deadline))
	}
	return LongPollWait(budget)
}

func formatWait(d time.Duration) string { return fmt.Sprintf("%ds", int(d/time.Second)) }

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

// QueryResult is a finished query's columns and every row.
type QueryResult struct {
	StatementID string
	Columns     []Column
	Rows        []Row
	// Truncated is true when row_limit or byte_limit cut the result.
	Truncated bool
}

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

// Query runs a read-only statement to completion and returns its whole result: see
// StreamQuery, which it uses to collect every row.
func (c *Client) Query(ctx context.Context, q QueryRequest) (*QueryResult, error) {
	var rows rowCollector
	info, err := c.StreamQuery(ctx, q, &rows)
	if err != nil {
		return nil, err
	}
	return &QueryResult{StatementID: info.StatementID, Columns: info.Columns, Rows: rows.rows, Truncated: info.Truncated}, nil
}

// StreamQuery runs a read-only statement to completion and hands its rows to h as they
// are decoded, without keeping them. It submits with a long-poll wait, polls while the
// warehouse starts or the statement runs, fetches the chunks after the first
// Config.MaxParallelChunks at a time, and cancels the statement if ctx ends first. A result
// that expires while its chunks are read (404) is re-executed once. Because the
// statement only reads, a submission lost in a dropped connection is safe to send again.
func (c *Client) StreamQuery(ctx context.Context, q QueryRequest, h RowHandler) (ResultInfo, error) {
	if strings.TrimSpace(q.Statement) == "" {
		return ResultInfo{}, errors.New("the statement is empty")
	}
	if q.WarehouseID == "" {
		return ResultInfo{}, errors.New("no warehouse id was given")
	}
	info, err := c.streamQuery(ctx, q, h)
	if errors.Is(err, ErrResultExpired) {
		c.logger.Debug(ctx, "Statement result expired while reading chunks; executing again", map[string]any{"error": err.Error()})
		info, err = c.streamQuery(ctx, q, h)
	}
	return info, err
}

func (c *Client) streamQuery(ctx context.Context, q QueryRequest, h RowHandler) (ResultInfo, error) {
	started := time.Now()
	req := ExecuteStatementRequest{
		Statement:     q.Statement,
		WarehouseID:   q.WarehouseID,
		Catalog:       q.Catalog,
		Schema:        q.Schema,
		Parameters:    q.Parameters,
		WaitTimeout:   formatWait(c.longPollWait(ctx)),
		OnWaitTimeout: "CONTINUE",
		Disposition:   "INLINE",
		Format:        "JSON_ARRAY",
		RowLimit:      q.RowLimit,
		ByteLimit:     q.ByteLimit,
	}
	var resp statementStream
	// finishInFlight: an interrupt during the long poll still waits for the answer, which
	// carries the statement id the cancel request needs.
	_, err := c.do(ctx, call{method: "POST", path: statementsPath, body: req, retrySafe: true, finishInFlight: true}, &resp)
	if err != nil {
		return ResultInfo{}, err
	}
	id := resp.StatementID
	c.logger.Debug(ctx, "Statement submitted", map[string]any{"statement_id": id, "warehouse_id": q.WarehouseID, "state": string(resp.Status.State)})

	final := &resp
	if !resp.Status.State.Terminal() {
		if final, err = c.poll(ctx, id, resp.Status.State); err != nil {
			return ResultInfo{}, err
		}
	}
	if final.Status.State != StateSucceeded {
		return ResultInfo{}, statementError(&final.StatementResponse, q.WarehouseID)
	}
	info, err := c.readResult(ctx, final, q.RowLimit, c.maxParallelChunks, h)
	if err != nil {
		return ResultInfo{}, err
	}
	c.logger.Debug(ctx, "Statement result read", map[string]any{
		"statement_id": id, "chunk_count": final.Manifest.TotalChunkCount, "row_count": info.TotalRowCount,
		"truncated": info.Truncated, "max_parallel_chunks": c.maxParallelChunks, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	return info, nil
}

// statementStream is a statement response whose first chunk is kept as JSON until the
// statement is known to have succeeded, and is then decoded like every other chunk: as a
// stream into the RowHandler.
type statementStream struct {
	// The response's own Result stays nil: the field below takes "result".
	StatementResponse
	Result json.RawMessage `json:"result,omitempty"`
}

// Poll delays while a statement is PENDING or RUNNING: quick at first, for statements
// that just missed the long poll, then settling at a few seconds for cold starts. The
// GET of a statement has no long poll of its own, so backing off is what keeps a long
// wait down to a handful of requests.
const (
	firstPollDelay = 250 * time.Millisecond
	maxPollDelay   = 5 * time.Second
)

// awaitStatement polls until the statement is terminal. If ctx ends first it cancels the
// statement on the warehouse and returns an *InterruptedError.
func (c *Client) awaitStatement(ctx context.Context, resp *StatementResponse) (*StatementResponse, error) {
	if resp.Status.State.Terminal() {
		return resp, nil
	}
	final, err := c.poll(ctx, resp.StatementID, resp.Status.State)
	if err != nil {
		return nil, err
	}
	out := final.StatementResponse
	if len(final.Result) > 0 {
		if err := json.Unmarshal(final.Result, &out.Result); err != nil {
			return nil, &MalformedResponseError{Method: "GET", Path: statementsPath + "/" + resp.StatementID, StatusCode: 200, Err: err}
		}
	}
	return &out, nil
}

// poll GETs a statement that is not terminal until it is. If ctx ends first it cancels
// the statement on the warehouse and returns an *InterruptedError.
func (c *Client) poll(ctx context.Context, id string, state StatementState) (*statementStream, error) {
	delay := firstPollDelay
	for {
		if ctx.Err() != nil {
			return nil, c.interrupt(ctx, id, state)
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, c.interrupt(ctx, id, state)
		}
		delay = min(delay*2, maxPollDelay)
		var resp statementStream
		_, err := c.do(ctx, call{method: "GET", path: statementsPath + "/" + url.PathEscape(id), retrySafe: true}, &resp)
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.interrupt(ctx, id, state)
			}
			return nil, fmt.Errorf("checking statement %s: %w", id, err)
		}
		if resp.Status.State != state {
			c.logger.Debug(ctx, "Statement state changed", map[string]any{"statement_id": id, "from": string(state), "to": string(resp.Status.State)})
			state = resp.Status.State
		}
		if state.Terminal() {
			return &resp, nil
		}
	}
}

// interrupt cancels a statement that ctx no longer waits for. The cancel request gets a
// context of its own: the caller's is already done.
func (c *Client) interrupt(ctx context.Context, id string, state StatementState) error {
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	err := c.CancelStatement(cancelCtx, id)
	c.logger.Debug(ctx, "Statement canceled because the wait ended", map[string]any{"statement_id": id, "state": string(state), "cancel_sent": err == nil})
	return &InterruptedError{StatementID: id, State: state, Cause: context.Cause(ctx), CancelErr: err}
}

func statementError(resp *StatementResponse, warehouseID string) *StatementError {
	e := &StatementError{StatementID: resp.StatementID, WarehouseID: warehouseID, State: resp.Status.State, SQLState: resp.Status.SQLState}
	if resp.Status.Error != nil {
		e.ErrorCode = string(resp.Status.Error.ErrorCode)
		e.Message = resp.Status.Error.Message
	}
	return e
}

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
func (c *Client) readResult(ctx context.Context, resp *statementStream, rowLimit int64, parallel int, h RowHandler) (ResultInfo, error) {
	id := resp.StatementID
	if resp.Manifest == nil {
		return ResultInfo{}, &MalformedResponseError{Method: "GET", Path: statementsPath + "/" + id, StatusCode: 200, Err: errors.New("a SUCCEEDED statement has no manifest")}
	}
	m := resp.Manifest
	info := ResultInfo{StatementID: id, Columns: m.Schema.Columns, TotalRowCount: m.TotalRowCount, Truncated: m.Truncated}
	// Handlers make room for the rows the manifest promises before any arrives: a count
	// no result could have is refused rather than allocated.
	if m.TotalRowCount < 0 || rowLimit > 0 && m.TotalRowCount > rowLimit || m.TotalRowCount > maxInlineRows(len(m.Schema.Columns)) {
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

// maxInlineBytes is the size of an INLINE result above which Databricks fails the statement.
const maxInlineBytes = 25 << 20

// maxInlineRows is the most rows of width columns an INLINE JSON_ARRAY result can hold:
// each takes at least 3 bytes per cell ("",) and 2 more for its brackets.
func maxInlineRows(width int) int64 {
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
		// Without the first chunk's rows, the statement came without the first chunk.
		if got.data || r.manifest.TotalChunkCount == 0 {
			received, chunk = got.rows, 1
			link = nextLink(r.id, got)
		}
	}
	for link != "" {
		if !strings.HasPrefix(link, "/") {
			// The token must only ever go to the workspace: never follow a link elsewhere.
			return fmt.Errorf("statement %s: chunk link %q is not a path on the workspace", r.id, link)
		}
		got, err := r.fetch(ctx, link, fmt.Sprintf("the chunk after row %d", received), onRow)
		if err != nil {
			return err
		}
		received += got.rows
		chunk++
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

// rowCollector keeps every row, for Query.
type rowCollector struct {
	rows  []Row
	cells []Cell
	width int
}

func (rc *rowCollector) Begin(info ResultInfo) error {
	rc.width = len(info.Columns)
	rc.rows = make([]Row, info.TotalRowCount)
	// One array for every cell rather than one per row.
	rc.cells = make([]Cell, info.TotalRowCount*int64(rc.width))
	return nil
}

func (rc *rowCollector) Row(index int64, row Row) error {
	at := int(index) * rc.width
	dst := rc.cells[at : at+rc.width : at+rc.width]
	copy(dst, row)
	rc.rows[index] = dst
	return nil
}
