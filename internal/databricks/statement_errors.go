package databricks

import (
	"errors"
	"fmt"
	"net/http"
)

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

// ErrOutcomeUnknown marks a statement that may have run although the client could not
// learn whether it did.
var ErrOutcomeUnknown = errors.New("statement outcome unknown")

// OutcomeUnknownError is a write that may have run, or may still be running, although
// the client could not learn its outcome: the answer to its submission was lost after the
// submission may have reached the warehouse, or its status could not be checked however
// long the client retried. Running it again could run it twice, so the message says to
// look in the warehouse's query history first, never to try again.
//
// It does not unwrap to Err: a caller that matched the cause (a 500, a timeout, a
// dropped connection) would give that cause's advice, to try again, which is the one
// thing not to do here.
type OutcomeUnknownError struct {
	// StatementID is empty when the answer to the submission, which carries it, was lost.
	StatementID string
	WarehouseID string
	// LastState is the last state seen (PENDING, RUNNING); empty when none was.
	LastState StatementState
	// Err is what kept the outcome from the client.
	Err error
	// CancelErr is why the best-effort cancel request failed; nil when Databricks accepted
	// it, or when there was no statement id to cancel.
	CancelErr error
}

func (e *OutcomeUnknownError) Error() string {
	if e.StatementID == "" {
		return fmt.Sprintf("the statement sent to warehouse %s MAY HAVE RUN: the answer to its submission was lost (%v), "+
			"so neither its outcome nor its statement id is known. Look for it in the warehouse's query history before running it again",
			e.WarehouseID, e.Err)
	}
	msg := fmt.Sprintf("statement %s on warehouse %s MAY HAVE RUN: it was %s when its status could no longer be checked (%v). ",
		e.StatementID, e.WarehouseID, e.LastState, e.Err)
	if e.CancelErr != nil {
		msg += fmt.Sprintf("Cancelling it failed too (%v), so it may still be running. ", e.CancelErr)
	} else {
		msg += "A cancel request was accepted, but the statement may have finished before it. "
	}
	return msg + fmt.Sprintf("Check statement %s in the warehouse's query history before running it again", e.StatementID)
}

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// submissionMayHaveRun reports whether a submission that failed with err may still have
// reached the warehouse and run: anything but an answer that says it was refused or a
// request that was surely never sent.
func submissionMayHaveRun(err error) bool {
	var (
		apiErr   *APIError
		netErr   *NetworkError
		redirect *RedirectError
		unsent   *unsentError
	)
	switch {
	case errors.As(err, &apiErr):
		// A gateway's 502 or 504 answers for a workspace that may have the request; any
		// other status is Databricks refusing it (429 and 503 were retried already).
		return apiErr.StatusCode == http.StatusBadGateway || apiErr.StatusCode == http.StatusGatewayTimeout
	case errors.As(err, &netErr):
		return !notSent(netErr.Err)
	case errors.As(err, &redirect), errors.As(err, &unsent):
		return false
	}
	// A timeout, an answer that cannot be read, a caller that gave up while the request
	// was on its way: the submission may have arrived.
	return true
}

func statementError(resp *StatementResponse, warehouseID string) *StatementError {
	e := &StatementError{StatementID: resp.StatementID, WarehouseID: warehouseID, State: resp.Status.State, SQLState: resp.Status.SQLState}
	if resp.Status.Error != nil {
		e.ErrorCode = string(resp.Status.Error.ErrorCode)
		e.Message = resp.Status.Error.Message
	}
	return e
}
