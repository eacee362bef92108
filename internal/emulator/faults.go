package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Endpoint names one API operation, for fault targeting and the request log.
type Endpoint string

// The endpoints the emulator serves.
const (
	EndpointMe             Endpoint = "scim.me"
	EndpointExecute        Endpoint = "statements.execute"
	EndpointGetStatement   Endpoint = "statements.get"
	EndpointChunk          Endpoint = "statements.chunk"
	EndpointCancel         Endpoint = "statements.cancel"
	EndpointListWarehouses Endpoint = "warehouses.list"
	EndpointGetWarehouse   Endpoint = "warehouses.get"
	EndpointStartWarehouse Endpoint = "warehouses.start"
	EndpointStopWarehouse  Endpoint = "warehouses.stop"
	EndpointCreateToken    Endpoint = "tokens.create"
	EndpointListTokens     Endpoint = "tokens.list"
	EndpointDeleteToken    Endpoint = "tokens.delete"
	// The OAuth authorization server of the workspace, and the emulator's
	// stand-in for Entra ID (login.microsoftonline.com).
	EndpointOAuthDiscovery Endpoint = "oauth.discovery"
	EndpointOAuthToken     Endpoint = "oauth.token"
	EndpointAzureDiscovery Endpoint = "azure.discovery"
	EndpointAzureToken     Endpoint = "azure.token"
)

// FaultKind is a way for a request to go wrong on purpose.
type FaultKind string

// The faults a test can inject.
const (
	// FaultRateLimit answers 429 REQUEST_LIMIT_EXCEEDED with a Retry-After
	// header of Fault.RetryAfter seconds (which may be 0).
	FaultRateLimit FaultKind = "rate_limit"
	// FaultUnavailable answers 503 TEMPORARILY_UNAVAILABLE, with Retry-After
	// when Fault.RetryAfter is set.
	FaultUnavailable FaultKind = "unavailable"
	// FaultSlow waits Fault.Delay (or until the client gives up) and then
	// answers normally.
	FaultSlow FaultKind = "slow"
	// FaultDropConnection writes a status line and part of a body, then closes
	// the TCP connection: the client reads an unexpected EOF. The request is
	// not processed.
	FaultDropConnection FaultKind = "drop_connection"
	// FaultMalformedJSON answers 200 with a truncated JSON body.
	FaultMalformedJSON FaultKind = "malformed_json"
	// FaultHTMLError answers 403 with the HTML page older workspaces send for
	// an invalid token.
	FaultHTMLError FaultKind = "html_error"
	// FaultNumericErrorCode answers 403 {"error_code":403,...}, the shape of
	// an invalid-token answer.
	FaultNumericErrorCode FaultKind = "numeric_error_code"
	// FaultInternalError answers 500 INTERNAL_ERROR.
	FaultInternalError FaultKind = "internal_error"
	// FaultResultExpired answers 404 RESOURCE_DOES_NOT_EXIST, as a result
	// chunk does once its hour is up; aim it at statements.chunk.
	FaultResultExpired FaultKind = "result_expired"
	// FaultStatementFailed makes the submitted statement end FAILED with
	// error_code INTERNAL_ERROR, without running its SQL.
	FaultStatementFailed FaultKind = "statement_failed"
	// FaultStatementCanceled makes the submitted statement end CANCELED, as if
	// someone else canceled it, without running its SQL.
	FaultStatementCanceled FaultKind = "statement_canceled"
	// FaultStatementClosed runs the statement, then closes it at once: the
	// state is CLOSED and the result cannot be fetched.
	FaultStatementClosed FaultKind = "statement_closed"
	// FaultStuckPending keeps the statement PENDING until it is canceled.
	FaultStuckPending FaultKind = "stuck_pending"
)

// statementFault reports whether a kind shapes the fate of a submitted
// statement rather than the HTTP answer; those only ever match
// statements.execute.
func (k FaultKind) statementFault() bool {
	switch k {
	case FaultStatementFailed, FaultStatementCanceled, FaultStatementClosed, FaultStuckPending:
		return true
	}
	return false
}

// Fault is one injected failure. Faults are checked in the order they were
// added; the first that hits a request is the only one applied to it.
type Fault struct {
	Endpoint Endpoint // "" = every endpoint (statement faults: statements.execute only)
	Kind     FaultKind
	// Times is the number of requests the fault hits; 0 = no end.
	Times int
	// Every, when above 1, makes the fault hit only every Nth matching request
	// (the Nth, the 2Nth, ...).
	Every int
	// RetryAfter is the Retry-After header in seconds, for FaultRateLimit and
	// FaultUnavailable.
	RetryAfter int
	// Delay is the wait of FaultSlow.
	Delay time.Duration
}

// faultSet holds the faults of one emulator with their counters.
type faultSet struct {
	mu     sync.Mutex
	faults []*activeFault
}

type activeFault struct {
	Fault
	matched int // matching requests seen
	hits    int // requests hit
}

func (s *faultSet) add(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f})
}

func (s *faultSet) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// pick returns the fault that hits this request to ep, if any, and counts it.
func (s *faultSet) pick(ep Endpoint) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Kind.statementFault() && ep != EndpointExecute {
			continue
		}
		if f.Endpoint != "" && f.Endpoint != ep {
			continue
		}
		if f.Times > 0 && f.hits >= f.Times {
			continue
		}
		f.matched++
		if f.Every > 1 && f.matched%f.Every != 0 {
			continue
		}
		f.hits++
		return f.Fault, true
	}
	return Fault{}, false
}

// AddFault switches a fault on; it takes effect for the next request.
func (e *Emulator) AddFault(f Fault) { e.faults.add(f) }

// ClearFaults switches every fault off.
func (e *Emulator) ClearFaults() { e.faults.clear() }

// injectHTTPFault applies a fault that replaces or delays the HTTP answer. It
// reports whether the request was answered (or abandoned) by the fault, in
// which case the handler must not run.
func (e *Emulator) injectHTTPFault(x *exchange, f Fault) bool {
	switch f.Kind {
	case FaultRateLimit:
		x.w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		x.fail(http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Too many requests. Please wait a moment and try again. (emulator fault rate_limit)")
	case FaultUnavailable:
		if f.RetryAfter > 0 {
			x.w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		x.fail(http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable. Please try again later. (emulator fault unavailable)")
	case FaultSlow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-x.r.Context().Done():
			return true
		}
	case FaultDropConnection:
		e.dropConnection(x)
	case FaultMalformedJSON:
		x.w.Header().Set("Content-Type", "application/json")
		x.w.WriteHeader(http.StatusOK)
		_, _ = x.w.Write([]byte(`{"statement_id":"01ef`))
	case FaultHTMLError:
		x.w.Header().Set("Content-Type", "text/html;charset=utf-8")
		x.w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(x.w, "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n<title>Error 403 Invalid access token.</title>\n</head>\n<body><h2>HTTP ERROR 403</h2>\n<p>Problem accessing %s. Reason:\n<pre>    Invalid access token.</pre></p>\n</body>\n</html>\n", x.r.URL.Path)
	case FaultNumericErrorCode:
		x.invalidToken()
	case FaultInternalError:
		x.fail(http.StatusInternalServerError, "INTERNAL_ERROR", "An internal error occurred. (emulator fault internal_error)")
	case FaultResultExpired:
		x.fail(http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", "The statement does not exist or its result has expired. (emulator fault result_expired)")
	default:
		return false
	}
	return true
}

// dropConnection takes the TCP connection over, writes the start of a
// plausible response and closes it, so the client sees a body cut short.
func (e *Emulator) dropConnection(x *exchange) {
	conn, buf, err := http.NewResponseController(x.w.ResponseWriter).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest is a reset via panic.
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	x.w.start(http.StatusOK)
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\nX-Request-Id: " + x.reqID + "\r\n\r\n{\"statement_id\":\"01ef")
	_ = buf.Flush()
}
