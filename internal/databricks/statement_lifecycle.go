package databricks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

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

// CancelStatement asks Databricks to cancel a statement. Success only means the request
// arrived; the statement's state says whether it stopped.
func (c *Client) CancelStatement(ctx context.Context, statementID string) error {
	_, err := c.do(ctx, call{method: "POST", path: statementsPath + "/" + url.PathEscape(statementID) + "/cancel", retrySafe: true}, nil)
	return err
}

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
