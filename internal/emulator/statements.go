package emulator

import (
	"context"
	"sync"
	"time"
)

// Statement states, as the Statement Execution API spells them.
const (
	statementPending   = "PENDING"
	statementRunning   = "RUNNING"
	statementSucceeded = "SUCCEEDED"
	statementFailed    = "FAILED"
	statementCanceled  = "CANCELED"
	statementClosed    = "CLOSED"
)

func terminal(state string) bool {
	switch state {
	case statementSucceeded, statementFailed, statementCanceled, statementClosed:
		return true
	}
	return false
}

// statement is one submitted statement. Its SQL runs on its own goroutine;
// requests read its state through the mutex and wait for it on done.
type statement struct {
	id          string
	warehouseID string
	disposition string // INLINE or EXTERNAL_LINKS
	cancel      context.CancelFunc
	done        chan struct{} // closed once the state is terminal

	mu       sync.Mutex
	state    string
	failure  *sqlFailure
	result   *resultSet
	finished time.Time
	expired  bool
}

func (st *statement) setState(state string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.state = state
}

// finish moves the statement to its terminal state, once.
func (st *statement) finish(state string, failure *sqlFailure, result *resultSet) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if terminal(st.state) {
		return
	}
	st.state, st.failure, st.result, st.finished = state, failure, result, time.Now()
	close(st.done)
}

// view is a consistent copy of what requests show of a statement.
type statementView struct {
	id          string
	disposition string
	state       string
	failure     *sqlFailure
	result      *resultSet
}

func (st *statement) view() statementView {
	st.mu.Lock()
	defer st.mu.Unlock()
	return statementView{id: st.id, disposition: st.disposition, state: st.state, failure: st.failure, result: st.result}
}

// gone reports whether the statement can no longer be fetched: its result
// outlived the TTL or was expired by a test.
func (st *statement) gone(now time.Time, ttl time.Duration) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.expired || terminal(st.state) && now.Sub(st.finished) > ttl
}

// statementStore holds the statements of one emulator.
type statementStore struct {
	mu     sync.Mutex
	byID   map[string]*statement
	closed bool
}

func newStatementStore() *statementStore {
	return &statementStore{byID: map[string]*statement{}}
}

// lookup returns a statement that can still be fetched.
func (s *statementStore) lookup(id string, ttl time.Duration) (*statement, bool) {
	s.mu.Lock()
	st, ok := s.byID[id]
	s.mu.Unlock()
	if !ok || st.gone(time.Now(), ttl) {
		return nil, false
	}
	return st, true
}

// sweep drops the results that expired, so a long demo run does not keep
// every result in memory. The statements stay, for StatementState.
func (s *statementStore) sweep(ttl time.Duration) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.byID {
		if st.gone(now, ttl) {
			st.mu.Lock()
			st.result = nil
			st.mu.Unlock()
		}
	}
}

// executePlan is everything a statement's goroutine needs to run it.
type executePlan struct {
	// user is who runs the statement, as current_user() names them: the
	// workspace user's name or a service principal's application id.
	user      string
	sql       string
	catalog   string
	schema    string
	params    map[string]parameter
	rowLimit  int64
	byteLimit int64
	// disposition is INLINE or EXTERNAL_LINKS; inlineLimit is the size above which an
	// INLINE result fails the statement, 0 for none.
	disposition string
	inlineLimit int64
	fault       FaultKind
	// wait is how long the execute call waits for a terminal state; with
	// cancelOnTimeout the statement is canceled when the wait runs out.
	wait            time.Duration
	cancelOnTimeout bool
}

// submit registers a statement and starts running it. It returns false once
// the emulator is closing.
func (e *Emulator) submit(warehouseID string, plan executePlan) (*statement, bool) {
	ctx, cancel := context.WithCancel(e.ctx)
	st := &statement{
		id:          newStatementID(),
		warehouseID: warehouseID,
		disposition: plan.disposition,
		cancel:      cancel,
		done:        make(chan struct{}),
		state:       statementPending,
	}
	s := e.statements
	s.mu.Lock()
	if s.closed || e.ctx.Err() != nil {
		s.mu.Unlock()
		cancel()
		return nil, false
	}
	s.byID[st.id] = st
	// Added under the store's lock so that Close, which sets closed under the
	// same lock before waiting, never races an Add.
	e.running.Add(1)
	s.mu.Unlock()

	e.log.statementStarted()
	if plan.fault != FaultStuckPending {
		e.warehouses.wake(warehouseID)
	}
	go e.runStatement(ctx, st, plan)
	return st, true
}

// runStatement is the life of one statement: wait for the warehouse, run the
// SQL, and settle in a terminal state.
func (e *Emulator) runStatement(ctx context.Context, st *statement, plan executePlan) {
	defer e.running.Done()
	defer st.cancel()
	state, failure, result := e.outcome(ctx, st, plan)
	// Counted out before the state turns terminal: a client that sees the
	// result and submits its next statement must not find this one still in
	// flight, or MaxConcurrentStatements would over-count.
	e.log.statementFinished()
	st.finish(state, failure, result)
}

// outcome runs the statement and says how it ends.
func (e *Emulator) outcome(ctx context.Context, st *statement, plan executePlan) (string, *sqlFailure, *resultSet) {
	if plan.fault == FaultStuckPending {
		<-ctx.Done()
		return statementCanceled, nil, nil
	}
	if err := e.warehouses.awaitRunning(ctx, st.warehouseID); err != nil {
		return statementCanceled, nil, nil //nolint:nilerr // only a cancel interrupts the start, and that ends the statement CANCELED
	}
	st.setState(statementRunning)
	switch plan.fault {
	case FaultStatementFailed:
		return statementFailed, &sqlFailure{
			errorCode: "INTERNAL_ERROR",
			class:     "INTERNAL_ERROR",
			sqlState:  "XX000",
			text:      "Query execution failed on the warehouse (fault statement_failed injected by the emulator).",
		}, nil
	case FaultStatementCanceled:
		return statementCanceled, nil, nil
	}
	res, err := e.runSQL(ctx, plan)
	switch {
	case err != nil && ctx.Err() != nil:
		return statementCanceled, nil, nil //nolint:nilerr // a query interrupted by cancel ends CANCELED, not FAILED
	case err != nil:
		return statementFailed, classifyDuckDBError(err), nil
	case plan.fault == FaultStatementClosed:
		return statementClosed, nil, nil
	default:
		return statementSucceeded, nil, res
	}
}

// close stops new submissions; Close calls it before waiting for the running
// statements.
func (s *statementStore) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}

// StatementState returns the current state of a statement ("PENDING",
// "RUNNING", "SUCCEEDED", ...), or "" for an id the emulator never issued. It
// keeps answering after the result expired.
func (e *Emulator) StatementState(id string) string {
	e.statements.mu.Lock()
	st, ok := e.statements.byID[id]
	e.statements.mu.Unlock()
	if !ok {
		return ""
	}
	return st.view().state
}

// ExpireResults makes every finished statement answer 404, as after
// Options.ResultTTL. Statements still running are not affected.
func (e *Emulator) ExpireResults() {
	e.statements.mu.Lock()
	defer e.statements.mu.Unlock()
	for _, st := range e.statements.byID {
		st.mu.Lock()
		if terminal(st.state) {
			st.expired = true
		}
		st.mu.Unlock()
	}
}
