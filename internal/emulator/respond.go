package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// exchange is one request being handled: what arrived, where the answer goes
// and the log entry that tracks it.
type exchange struct {
	w      *statusWriter
	r      *http.Request
	body   []byte
	reqID  string
	params map[string]string // path parameters of the matched route
	entry  *logEntry
	log    *RequestLog
	// fault is the statement fault picked for this request, for the execute
	// handler; HTTP faults never reach a handler.
	fault FaultKind
	// principal is who the request runs as once authenticated: "" for the
	// workspace user, else a service principal's application id.
	principal string
}

// statusWriter remembers the status code for the request log and tells it
// when the answer starts.
type statusWriter struct {
	http.ResponseWriter
	status  int
	onStart func()
}

// start records the status of the answer about to go out, once.
func (w *statusWriter) start(code int) {
	if w.status == 0 {
		w.status = code
		w.onStart()
	}
}

// WriteHeader records the status and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	w.start(code)
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200 and passes the bytes on.
func (w *statusWriter) Write(b []byte) (int, error) {
	w.start(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (for hijacking).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// setStatementID records the statement a request is about.
func (x *exchange) setStatementID(id string) {
	x.log.update(x.entry, func(r *Request) { r.StatementID = id })
}

// reply writes v as JSON. HTML escaping is off so that result data keeps its
// characters as they are.
func (x *exchange) reply(status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		x.fail(http.StatusInternalServerError, "INTERNAL_ERROR", "encoding the response: "+err.Error())
		return
	}
	x.w.Header().Set("Content-Type", "application/json")
	x.w.WriteHeader(status)
	_, _ = x.w.Write(buf.Bytes())
}

// apiError is the usual Databricks error body.
type apiError struct {
	ErrorCode string          `json:"error_code"`
	Message   string          `json:"message"`
	Details   []requestDetail `json:"details,omitempty"`
}

// requestDetail is the google.rpc.RequestInfo detail Databricks attaches to
// errors, carrying the request id.
type requestDetail struct {
	Type        string `json:"@type"`
	RequestID   string `json:"request_id"`
	ServingData string `json:"serving_data"`
}

func (x *exchange) details() []requestDetail {
	return []requestDetail{{Type: "type.googleapis.com/google.rpc.RequestInfo", RequestID: x.reqID}}
}

// fail answers with a Databricks error body.
func (x *exchange) fail(status int, code, message string) {
	x.reply(status, apiError{ErrorCode: code, Message: message, Details: x.details()})
}

// numericError is the body of authentication failures, whose error_code is a
// number.
type numericError struct {
	ErrorCode int             `json:"error_code"`
	Message   string          `json:"message"`
	Details   []requestDetail `json:"details,omitempty"`
}

// unauthenticated is the answer to a request without usable credentials.
func (x *exchange) unauthenticated() {
	x.reply(http.StatusUnauthorized, numericError{
		ErrorCode: http.StatusUnauthorized,
		Message:   "Credential was not sent or was of an unsupported type for this API. [ReqId: " + x.reqID + "]",
	})
}

// invalidToken is the answer to an unknown, expired or revoked token.
func (x *exchange) invalidToken() {
	x.w.Header().Set("X-Databricks-Reason-Phrase", "Invalid access token.")
	x.reply(http.StatusForbidden, numericError{
		ErrorCode: http.StatusForbidden,
		Message:   "Invalid access token.",
		Details:   x.details(),
	})
}

// decodeBody reads the JSON request body into v, answering 400 when it cannot.
// An empty body is an empty object, as Databricks treats it.
func (x *exchange) decodeBody(v any) bool {
	if len(bytes.TrimSpace(x.body)) == 0 {
		return true
	}
	if err := json.Unmarshal(x.body, v); err != nil {
		x.fail(http.StatusBadRequest, "MALFORMED_REQUEST", "Invalid JSON given in the body of the request: "+err.Error())
		return false
	}
	return true
}
