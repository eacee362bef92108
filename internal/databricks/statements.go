package databricks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
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
	return c.getChunk(ctx, fmt.Sprintf("%s/%s/result/chunks/%d", statementsPath, url.PathEscape(statementID), index))
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

// QueryResult is a finished query's columns and every row.
type QueryResult struct {
	StatementID string
	Columns     []Column
	Rows        []Row
	// Truncated is true when row_limit or byte_limit cut the result.
	Truncated bool
}

// Query runs a read-only statement to completion and returns its whole result: it submits
// with a long-poll wait, polls while the warehouse starts or the statement runs, follows
// every chunk, and cancels the statement if ctx ends first. A result that expires while
// its chunks are read (404) is re-executed once. Because the statement only reads, a
// submission lost in a dropped connection is safe to send again.
func (c *Client) Query(ctx context.Context, q QueryRequest) (*QueryResult, error) {
	if strings.TrimSpace(q.Statement) == "" {
		return nil, errors.New("the statement is empty")
	}
	if q.WarehouseID == "" {
		return nil, errors.New("no warehouse id was given")
	}
	res, err := c.query(ctx, q)
	if errors.Is(err, ErrResultExpired) {
		c.logger.Debug(ctx, "Statement result expired while reading chunks; executing again", map[string]any{"error": err.Error()})
		res, err = c.query(ctx, q)
	}
	return res, err
}

func (c *Client) query(ctx context.Context, q QueryRequest) (*QueryResult, error) {
	started := time.Now()
	req := ExecuteStatementRequest{
		Statement:     q.Statement,
		WarehouseID:   q.WarehouseID,
		Catalog:       q.Catalog,
		Schema:        q.Schema,
		Parameters:    q.Parameters,
		WaitTimeout:   formatWait(LongPollWait(c.timeout)),
		OnWaitTimeout: "CONTINUE",
		Disposition:   "INLINE",
		Format:        "JSON_ARRAY",
		RowLimit:      q.RowLimit,
		ByteLimit:     q.ByteLimit,
	}
	var resp StatementResponse
	// finishInFlight: an interrupt during the long poll still waits for the answer, which
	// carries the statement id the cancel request needs.
	_, err := c.do(ctx, call{method: "POST", path: statementsPath, body: req, retrySafe: true, finishInFlight: true}, &resp)
	if err != nil {
		return nil, err
	}
	id := resp.StatementID
	c.logger.Debug(ctx, "Statement submitted", map[string]any{"statement_id": id, "warehouse_id": q.WarehouseID, "state": string(resp.Status.State)})

	final, err := c.awaitStatement(ctx, &resp)
	if err != nil {
		return nil, err
	}
	if final.Status.State != StateSucceeded {
		return nil, statementError(final, q.WarehouseID)
	}
	result, err := c.collect(ctx, final)
	if err != nil {
		return nil, err
	}
	c.logger.Debug(ctx, "Statement result read", map[string]any{
		"statement_id": id, "chunk_count": final.Manifest.TotalChunkCount, "row_count": len(result.Rows),
		"truncated": result.Truncated, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	return result, nil
}

// Poll delays while a statement is PENDING or RUNNING: quick at first, for statements
// that just missed the long poll, then settling at a few seconds for cold starts.
const (
	firstPollDelay = 250 * time.Millisecond
	maxPollDelay   = 5 * time.Second
)

// awaitStatement polls until the statement is terminal. If ctx ends first it cancels the
// statement on the warehouse and returns an *InterruptedError.
func (c *Client) awaitStatement(ctx context.Context, resp *StatementResponse) (*StatementResponse, error) {
	id, state := resp.StatementID, resp.Status.State
	delay := firstPollDelay
	for !resp.Status.State.Terminal() {
		if ctx.Err() != nil {
			return nil, c.interrupt(ctx, id, state)
		}
		if err := sleep(ctx, delay); err != nil {
			return nil, c.interrupt(ctx, id, state)
		}
		delay = min(delay*2, maxPollDelay)
		next, err := c.GetStatement(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.interrupt(ctx, id, state)
			}
			return nil, fmt.Errorf("checking statement %s: %w", id, err)
		}
		resp = next
		if resp.Status.State != state {
			c.logger.Debug(ctx, "Statement state changed", map[string]any{"statement_id": id, "from": string(state), "to": string(resp.Status.State)})
			state = resp.Status.State
		}
	}
	if ctx.Err() != nil && !state.Terminal() {
		return nil, c.interrupt(ctx, id, state)
	}
	return resp, nil
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

// collect gathers every row of a succeeded statement, following the chunk links.
func (c *Client) collect(ctx context.Context, resp *StatementResponse) (*QueryResult, error) {
	id := resp.StatementID
	if resp.Manifest == nil {
		return nil, &MalformedResponseError{Method: "GET", Path: statementsPath + "/" + id, StatusCode: 200, Err: errors.New("a SUCCEEDED statement has no manifest")}
	}
	m := resp.Manifest
	result := &QueryResult{StatementID: id, Columns: m.Schema.Columns, Truncated: m.Truncated}
	if m.TotalRowCount > 0 {
		result.Rows = make([]Row, 0, m.TotalRowCount)
	}
	chunk := resp.Result
	for chunk != nil {
		for i, row := range chunk.DataArray {
			if len(row) != len(m.Schema.Columns) {
				return nil, fmt.Errorf("statement %s: row %d of chunk %d has %d values for %d columns", id, i, chunk.ChunkIndex, len(row), len(m.Schema.Columns))
			}
		}
		result.Rows = append(result.Rows, chunk.DataArray...)
		link := chunk.NextChunkInternalLink
		if link == "" && chunk.NextChunkIndex != nil {
			link = fmt.Sprintf("%s/%s/result/chunks/%d", statementsPath, url.PathEscape(id), *chunk.NextChunkIndex)
		}
		if link == "" {
			break
		}
		if !strings.HasPrefix(link, "/") {
			// The token must only ever go to the workspace: never follow a link elsewhere.
			return nil, fmt.Errorf("statement %s: chunk link %q is not a path on the workspace", id, link)
		}
		next, err := c.getChunk(ctx, link)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return nil, fmt.Errorf("statement %s: reading chunk after %d: %w: %w", id, chunk.ChunkIndex, ErrResultExpired, err)
			}
			return nil, fmt.Errorf("statement %s: reading a result chunk: %w", id, err)
		}
		chunk = next
	}
	if int64(len(result.Rows)) != m.TotalRowCount {
		return nil, fmt.Errorf("statement %s: the manifest promises %d rows but the chunks held %d", id, m.TotalRowCount, len(result.Rows))
	}
	return result, nil
}
