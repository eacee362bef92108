package databricks

// This file holds the lifecycle every statement goes through: one submission with a
// long-poll wait, polling with back-off while the warehouse starts or the statement runs,
// and a cancel request when the caller stops waiting.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

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
// stream into the RowHandler. A run, which wants no rows, never decodes it.
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

// execute is the one way a statement runs, for queries and runs alike: it submits req
// with a long-poll wait and polls until the statement is terminal. If ctx ends first the
// statement is canceled on the warehouse and an *InterruptedError returned. id is the
// statement's id once Databricks accepted the submission, also when an error follows.
//
// readOnly says whether the submission may be sent again after it may have reached the
// warehouse (a dropped connection): true only for a statement that only reads, because
// running a write twice is worse than failing. 429 and 503, which Databricks did not
// process, are retried either way. A write whose outcome the client could not learn,
// because the answer to its submission was lost or its status could not be checked, is
// an *OutcomeUnknownError.
func (c *Client) execute(ctx context.Context, req ExecuteStatementRequest, readOnly bool) (id string, final *statementStream, err error) {
	if strings.TrimSpace(req.Statement) == "" {
		return "", nil, errors.New("the statement is empty")
	}
	if req.WarehouseID == "" {
		return "", nil, errors.New("no warehouse id was given")
	}
	req.WaitTimeout = formatWait(c.longPollWait(ctx))
	req.OnWaitTimeout = "CONTINUE"
	if req.Disposition == "" {
		req.Disposition = dispositionInline
	}
	req.Format = "JSON_ARRAY"
	var resp statementStream
	// finishInFlight: an interrupt during the long poll still waits for the answer, which
	// carries the statement id the cancel request needs.
	_, err = c.do(ctx, call{method: "POST", path: statementsPath, body: req, retrySafe: readOnly, finishInFlight: true}, &resp)
	if err == nil {
		err = c.received(&resp, "POST", statementsPath)
	}
	if err != nil {
		if !readOnly && submissionMayHaveRun(err) {
			return "", nil, &OutcomeUnknownError{WarehouseID: req.WarehouseID, Err: err}
		}
		return "", nil, err
	}
	id = resp.StatementID
	c.logger.Debug(ctx, "Statement submitted", map[string]any{"statement_id": id, "warehouse_id": req.WarehouseID, "state": string(resp.Status.State)})
	if resp.Status.State.Terminal() {
		return id, &resp, nil
	}
	final, err = c.poll(ctx, id, resp.Status.State)
	var unknown *OutcomeUnknownError
	if errors.As(err, &unknown) {
		unknown.WarehouseID = req.WarehouseID
		if readOnly {
			// A read that may have run is no harm: say what failed, and that it was
			// canceled so it does not go on using the warehouse.
			err = fmt.Errorf("checking statement %s: %w (%s)", id, unknown.Err, cancelOutcome(unknown.CancelErr))
		}
	}
	return id, final, err
}

// poll GETs a statement that is not terminal until it is. Each status check is retried
// (500, 502, 503, 504, timeouts, network errors) for as long as the retry budget and ctx
// allow: the statement runs whether or not the client can see it, so its outcome is worth
// the wait. If ctx ends first it cancels the statement and returns an *InterruptedError;
// if the status stays out of reach it cancels the statement and returns an
// *OutcomeUnknownError.
func (c *Client) poll(ctx context.Context, id string, state StatementState) (*statementStream, error) {
	delay := firstPollDelay
	for {
		if sleep(ctx, delay) != nil {
			return nil, c.interrupt(ctx, id, state)
		}
		delay = min(delay*2, maxPollDelay)
		var resp statementStream
		_, err := c.do(ctx, call{method: "GET", path: statementsPath + "/" + url.PathEscape(id), retrySafe: true, untilDeadline: true}, &resp)
		if err == nil {
			// The id was checked at submission; the answer may leave it out.
			resp.StatementID = id
			err = c.received(&resp, "GET", statementsPath+"/"+id)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.interrupt(ctx, id, state)
			}
			cancelErr := c.cancelDetached(ctx, id)
			c.logger.Debug(ctx, "Statement status out of reach; canceled", map[string]any{"statement_id": id, "state": string(state), "cancel_sent": cancelErr == nil})
			return nil, &OutcomeUnknownError{StatementID: id, LastState: state, Err: err, CancelErr: cancelErr}
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

// statementIDPattern is what a statement id may look like (Databricks sends UUIDs such as
// 01ef1b8e-49a5-1c2f-9c3e-9e2a5b8f0d11): an id goes into request paths and into every
// message about the statement, so one that is neither is refused.
var statementIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// received makes a statement response safe to act on and to quote: its id must be a
// statement id, and the text the server chose (state, error, SQL state) is scrubbed of
// credentials and cut to size before any error can carry it.
func (c *Client) received(resp *statementStream, method, path string) error {
	sc := c.scrub()
	if !statementIDPattern.MatchString(resp.StatementID) {
		return &MalformedResponseError{Method: method, Path: path, StatusCode: http.StatusOK,
			Err: fmt.Errorf("statement_id %q is not a statement id", sc.text(resp.StatementID, 64))}
	}
	st := &resp.Status
	st.State = StatementState(sc.text(string(st.State), maxErrorField))
	st.SQLState = sc.text(st.SQLState, maxErrorField)
	if st.Error != nil {
		st.Error.ErrorCode = errorCode(sc.text(string(st.Error.ErrorCode), maxErrorField))
		st.Error.Message = sc.text(st.Error.Message, maxServerText)
	}
	return nil
}

// interrupt cancels a statement that ctx no longer waits for.
func (c *Client) interrupt(ctx context.Context, id string, state StatementState) error {
	err := c.cancelDetached(ctx, id)
	c.logger.Debug(ctx, "Statement canceled because the wait ended", map[string]any{"statement_id": id, "state": string(state), "cancel_sent": err == nil})
	return &InterruptedError{StatementID: id, State: state, Cause: context.Cause(ctx), CancelErr: err}
}

// cancelDetached asks Databricks to cancel a statement, best effort, with a context of
// its own: the caller's may be done already, and the cancel is what cleans up after it.
func (c *Client) cancelDetached(ctx context.Context, id string) error {
	cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	return c.CancelStatement(cancelCtx, id)
}

// cancelOutcome says what became of a best-effort cancel request.
func cancelOutcome(cancelErr error) string {
	if cancelErr != nil {
		return fmt.Sprintf("cancelling it failed too (%v), so it may still be running", cancelErr)
	}
	return "it was canceled"
}
