package databricks

import (
	"errors"
	"fmt"
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

func statementError(resp *StatementResponse, warehouseID string) *StatementError {
	e := &StatementError{StatementID: resp.StatementID, WarehouseID: warehouseID, State: resp.Status.State, SQLState: resp.Status.SQLState}
	if resp.Status.Error != nil {
		e.ErrorCode = string(resp.Status.Error.ErrorCode)
		e.Message = resp.Status.Error.Message
	}
	return e
}
