package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// maxStatementBytes is the largest statement text the API accepts.
const maxStatementBytes = 16 << 20

// executeRequest is the body of POST /api/2.0/sql/statements.
type executeRequest struct {
	Statement     string             `json:"statement"`
	WarehouseID   string             `json:"warehouse_id"`
	Catalog       string             `json:"catalog"`
	Schema        string             `json:"schema"`
	Parameters    []requestParameter `json:"parameters"`
	WaitTimeout   string             `json:"wait_timeout"`
	OnWaitTimeout string             `json:"on_wait_timeout"`
	Disposition   string             `json:"disposition"`
	Format        string             `json:"format"`
	RowLimit      *int64             `json:"row_limit"`
	ByteLimit     *int64             `json:"byte_limit"`
}

type requestParameter struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
	Type  string          `json:"type"`
}

// badRequest is a request-level rejection: HTTP 400 (or 404), no statement.
type badRequest struct {
	status int
	code   string
	msg    string
}

func invalid(format string, args ...any) *badRequest {
	return &badRequest{status: http.StatusBadRequest, code: "INVALID_PARAMETER_VALUE", msg: fmt.Sprintf(format, args...)}
}

var waitTimeoutPattern = regexp.MustCompile(`^(\d+)s$`)

// parseWaitTimeout accepts "0s" or "5s".."50s"; empty means the default 10s.
func parseWaitTimeout(s string) (time.Duration, *badRequest) {
	if s == "" {
		return 10 * time.Second, nil
	}
	m := waitTimeoutPattern.FindStringSubmatch(s)
	if m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil && (n == 0 || n >= 5 && n <= 50) {
			return time.Duration(n) * time.Second, nil
		}
	}
	return 0, invalid("wait_timeout must be 0s or between 5s and 50s (for example \"30s\"), got %q.", s)
}

// plan validates an execute request the way the API does and turns it into
// what the statement's goroutine runs.
func (e *Emulator) plan(req executeRequest) (executePlan, *badRequest) {
	var p executePlan
	if strings.TrimSpace(req.Statement) == "" {
		return p, invalid("Missing required field: statement")
	}
	if len(req.Statement) > maxStatementBytes {
		return p, invalid("statement is %d bytes; the limit is 16 MiB.", len(req.Statement))
	}
	if req.WarehouseID == "" {
		return p, invalid("Missing required field: warehouse_id")
	}
	wait, bad := parseWaitTimeout(req.WaitTimeout)
	if bad != nil {
		return p, bad
	}
	cancelOnTimeout := false
	switch strings.ToUpper(req.OnWaitTimeout) {
	case "", "CONTINUE":
	case "CANCEL":
		cancelOnTimeout = true
	default:
		return p, invalid("on_wait_timeout must be CONTINUE or CANCEL, got %q.", req.OnWaitTimeout)
	}
	disposition := strings.ToUpper(req.Disposition)
	format := strings.ToUpper(req.Format)
	switch disposition {
	case "", "INLINE":
		disposition = dispositionInline
	case dispositionExternalLinks:
		if e.storage == nil {
			return p, invalid("disposition EXTERNAL_LINKS needs the emulator's storage listener, which an emulator used as a bare handler does not run.")
		}
	default:
		return p, invalid("disposition must be INLINE or EXTERNAL_LINKS, got %q.", req.Disposition)
	}
	switch format {
	case "", "JSON_ARRAY":
	case "ARROW_STREAM", "CSV":
		if disposition == dispositionInline {
			return p, invalid("format %s is only supported with disposition EXTERNAL_LINKS; use JSON_ARRAY with INLINE.", format)
		}
		return p, invalid("format %s is not supported by the emulator: it serves external links in JSON_ARRAY only.", format)
	default:
		return p, invalid("format must be JSON_ARRAY, ARROW_STREAM or CSV, got %q.", req.Format)
	}
	if req.RowLimit != nil && *req.RowLimit <= 0 {
		return p, invalid("row_limit must be a positive number, got %d.", *req.RowLimit)
	}
	if req.ByteLimit != nil && *req.ByteLimit <= 0 {
		return p, invalid("byte_limit must be a positive number, got %d.", *req.ByteLimit)
	}
	params, bad := bindParameters(req.Parameters)
	if bad != nil {
		return p, bad
	}
	if !e.warehouses.usable(req.WarehouseID) {
		return p, &badRequest{status: http.StatusNotFound, code: "RESOURCE_DOES_NOT_EXIST", msg: fmt.Sprintf("SQL warehouse %s does not exist.", req.WarehouseID)}
	}
	p = executePlan{
		sql:             req.Statement,
		catalog:         req.Catalog,
		schema:          req.Schema,
		params:          params,
		wait:            wait,
		cancelOnTimeout: cancelOnTimeout,
		disposition:     disposition,
	}
	if disposition == dispositionInline {
		p.inlineLimit = e.opts.InlineLimit
	}
	if req.RowLimit != nil {
		p.rowLimit = *req.RowLimit
	}
	if req.ByteLimit != nil {
		p.byteLimit = *req.ByteLimit
	}
	return p, nil
}

// bindParameters checks the named parameters and prepares their values.
func bindParameters(in []requestParameter) (map[string]parameter, *badRequest) {
	out := make(map[string]parameter, len(in))
	for _, rp := range in {
		if !isParamName(rp.Name) {
			return nil, invalid("Parameter name %q is not valid: use letters, digits and underscores, starting with a letter or underscore.", rp.Name)
		}
		if _, dup := out[rp.Name]; dup {
			return nil, invalid("Parameter %q is given more than once.", rp.Name)
		}
		cast, err := paramCast(rp.Type)
		if err != nil {
			return nil, invalid("Parameter %s: %s.", rp.Name, err)
		}
		p := parameter{name: rp.Name, cast: cast}
		raw := strings.TrimSpace(string(rp.Value))
		switch {
		case raw == "" || raw == "null":
		case strings.HasPrefix(raw, `"`):
			var s string
			if err := json.Unmarshal(rp.Value, &s); err != nil {
				return nil, invalid("Parameter %s: value is not a valid JSON string.", rp.Name)
			}
			p.value = &s
		default:
			// Numbers and booleans sent without quotes: take their text.
			p.value = &raw
		}
		out[rp.Name] = p
	}
	return out, nil
}

func (e *Emulator) handleExecute(x *exchange) {
	var req executeRequest
	if !x.decodeBody(&req) {
		return
	}
	plan, bad := e.plan(req)
	plan.user = e.principalName(x.principal)
	if bad != nil {
		x.fail(bad.status, bad.code, bad.msg)
		return
	}
	plan.fault = x.fault
	e.statements.sweep(e.opts.ResultTTL)
	st, ok := e.submit(req.WarehouseID, plan)
	if !ok {
		x.fail(http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE", "The emulator is shutting down.")
		return
	}
	x.setStatementID(st.id)

	// With wait_timeout 0s the call is asynchronous and on_wait_timeout does
	// not apply.
	if plan.wait > 0 {
		timer := time.NewTimer(plan.wait)
		defer timer.Stop()
		select {
		case <-st.done:
		case <-x.r.Context().Done():
			return // the client left; the statement goes on, as on Databricks
		case <-timer.C:
			if plan.cancelOnTimeout {
				st.cancel()
				select {
				case <-st.done:
				case <-x.r.Context().Done():
					return
				}
			}
		}
	}
	x.reply(http.StatusOK, e.statementResponse(st.view()))
}

// fetchable finds the statement named in the path, or answers 404.
func (e *Emulator) fetchable(x *exchange) *statement {
	id := x.params["id"]
	x.setStatementID(id)
	st, ok := e.statements.lookup(id, e.opts.ResultTTL)
	if !ok {
		x.fail(http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Statement %s does not exist or its result has expired.", id))
		return nil
	}
	return st
}

// handleGetStatement answers with the current state at once; the real API
// does not long-poll on GET either.
func (e *Emulator) handleGetStatement(x *exchange) {
	if st := e.fetchable(x); st != nil {
		x.reply(http.StatusOK, e.statementResponse(st.view()))
	}
}

func (e *Emulator) handleChunk(x *exchange) {
	st := e.fetchable(x)
	if st == nil {
		return
	}
	v := st.view()
	switch {
	case v.state == statementClosed:
		x.fail(http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("The result of statement %s is closed and can no longer be fetched.", v.id))
		return
	case v.state != statementSucceeded || v.result == nil:
		x.fail(http.StatusBadRequest, "INVALID_STATE", fmt.Sprintf("Statement %s is %s; results can only be fetched once it SUCCEEDED.", v.id, v.state))
		return
	}
	n, err := strconv.Atoi(x.params["chunk"])
	if err != nil || n < 0 || n >= max(len(v.result.chunks), 1) {
		x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("chunk_index %q is out of range: the result has %d chunks.", x.params["chunk"], len(v.result.chunks)))
		return
	}
	x.reply(http.StatusOK, e.resultChunk(v, n))
}

// The dispositions of a result: in the API's answers, or on the emulated cloud storage.
const (
	dispositionInline        = "INLINE"
	dispositionExternalLinks = "EXTERNAL_LINKS"
)

// resultChunk is chunk n of a statement's result as its disposition serves it.
func (e *Emulator) resultChunk(v statementView, n int) resultDataJSON {
	if v.disposition == dispositionExternalLinks {
		return e.externalChunk(v.id, v.result, n)
	}
	return v.result.chunk(v.id, n)
}

// handleCancel asks a statement to stop. Like the real API it answers an
// empty 200 at once: the answer only means the request arrived.
func (e *Emulator) handleCancel(x *exchange) {
	e.log.cancelArrived(x.params["id"])
	st := e.fetchable(x)
	if st == nil {
		return
	}
	st.cancel()
	x.w.WriteHeader(http.StatusOK)
}

type statementResponseJSON struct {
	StatementID string          `json:"statement_id"`
	Status      statusJSON      `json:"status"`
	Manifest    *manifestJSON   `json:"manifest,omitempty"`
	Result      *resultDataJSON `json:"result,omitempty"`
}

type statusJSON struct {
	State    string            `json:"state"`
	Error    *serviceErrorJSON `json:"error,omitempty"`
	SQLState string            `json:"sql_state,omitempty"`
}

type serviceErrorJSON struct {
	ErrorCode string `json:"error_code"`
	Message   string `json:"message"`
}

func (e *Emulator) statementResponse(v statementView) statementResponseJSON {
	resp := statementResponseJSON{StatementID: v.id, Status: statusJSON{State: v.state}}
	if v.failure != nil {
		resp.Status.Error = &serviceErrorJSON{ErrorCode: v.failure.code(), Message: v.failure.message()}
		resp.Status.SQLState = v.failure.sqlState
	}
	if v.state == statementSucceeded && v.result != nil {
		m := v.result.manifest()
		first := e.resultChunk(v, 0)
		resp.Manifest, resp.Result = &m, &first
	}
	return resp
}
