package emulator

import (
	"slices"
	"sync"
	"time"
)

// Request is one HTTP request the emulator received, as a test sees it.
type Request struct {
	Seq      int
	Time     time.Time
	Endpoint Endpoint // "" for a path the emulator does not know
	Method   string
	Path     string // path and raw query
	// Status is the HTTP status sent; 0 while the request is in flight or when
	// no response was written (the client went away first).
	Status int
	// Body is the request body as received. The token is never in it: it only
	// travels in the Authorization header, which is never recorded.
	Body        []byte
	ConnID      int // TCP connection, numbered from 1 in accept order; 0 if ConnState is not wired
	StatementID string
	Fault       FaultKind // the fault injected into this request, "" if none
	UserAgent   string
	// TokenID is the id of the minted token (Token API) that authenticated the
	// request; "" for a bootstrap token or an unauthenticated request. It says
	// which credential a client used without recording the credential.
	TokenID string
	// Principal is who the request ran as: the workspace user's name, or a
	// service principal's application id (Databricks or Entra ID); "" when no
	// credential was accepted. On a token request that succeeded it is the
	// principal the access token was issued to.
	Principal string
	// GrantType and ClientID describe a token request (oauth.token,
	// azure.token) as sent, whether the client id came in the form or in HTTP
	// Basic. The Body of a token request keeps only its harmless parameters:
	// secrets, identity tokens and access tokens are never recorded.
	GrantType string
	ClientID  string
}

// RequestLog records every request an emulator receives, plus the
// concurrency and connection counts tests assert on. It is safe for
// concurrent use.
type RequestLog struct {
	mu       sync.Mutex
	requests []*logEntry
	seq      int

	inFlight, maxInFlight     int
	statements, maxStatements int

	connections int
	nextConnID  int
	connIDs     map[string]int // remote address -> id, while the connection is open
	canceled    map[string]bool
}

// logEntry is a recorded request and whether it still counts as in flight.
type logEntry struct {
	Request
	inFlight bool
}

func newRequestLog() *RequestLog {
	return &RequestLog{connIDs: map[string]int{}, canceled: map[string]bool{}}
}

// Requests returns a copy of the log in arrival order.
func (l *RequestLog) Requests() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, len(l.requests))
	for i, r := range l.requests {
		out[i] = r.Request
		out[i].Body = slices.Clone(r.Body)
	}
	return out
}

// Count returns how many requests hit endpoint ep.
func (l *RequestLog) Count(ep Endpoint) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.requests {
		if r.Endpoint == ep {
			n++
		}
	}
	return n
}

// MaxConcurrentRequests is the largest number of requests that were being
// handled at the same moment.
func (l *RequestLog) MaxConcurrentRequests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxInFlight
}

// MaxConcurrentStatements is the largest number of statements that were in
// flight (submitted and not yet terminal) at the same moment.
func (l *RequestLog) MaxConcurrentStatements() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxStatements
}

// Connections is the number of TCP connections accepted.
func (l *RequestLog) Connections() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.connections
}

// Canceled reports whether a cancel request arrived for the statement.
func (l *RequestLog) Canceled(statementID string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.canceled[statementID]
}

// Reset forgets every recorded request and count. Requests and statements
// still in flight keep counting towards the maxima from now on.
func (l *RequestLog) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = nil
	l.maxInFlight = l.inFlight
	l.maxStatements = l.statements
	l.connections = 0
	l.canceled = map[string]bool{}
}

// begin records the arrival of a request and returns its entry.
func (l *RequestLog) begin(r Request, remoteAddr string) *logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	r.Seq = l.seq
	r.ConnID = l.connIDs[remoteAddr]
	entry := &logEntry{Request: r, inFlight: true}
	l.requests = append(l.requests, entry)
	l.inFlight++
	l.maxInFlight = max(l.maxInFlight, l.inFlight)
	return entry
}

// update changes a recorded entry under the log's lock, since tests may read
// the log while the request is still being handled.
func (l *RequestLog) update(entry *logEntry, change func(*Request)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	change(&entry.Request)
}

// responding stops counting a request as in flight. It is called just before
// the first byte of the answer goes out: once the client can read the answer
// it may send its next request, and the two must not count as concurrent.
func (l *RequestLog) responding(entry *logEntry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if entry.inFlight {
		entry.inFlight = false
		l.inFlight--
	}
}

// end records the status of a request whose handling is over.
func (l *RequestLog) end(entry *logEntry, status int) Request {
	l.responding(entry)
	l.mu.Lock()
	defer l.mu.Unlock()
	entry.Status = status
	return entry.Request
}

func (l *RequestLog) statementStarted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statements++
	l.maxStatements = max(l.maxStatements, l.statements)
}

func (l *RequestLog) statementFinished() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.statements--
}

func (l *RequestLog) cancelArrived(statementID string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.canceled[statementID] = true
}

func (l *RequestLog) connOpened(remoteAddr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.connections++
	l.nextConnID++
	l.connIDs[remoteAddr] = l.nextConnID
}

func (l *RequestLog) connClosed(remoteAddr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.connIDs, remoteAddr)
}
