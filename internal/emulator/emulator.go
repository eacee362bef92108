package emulator

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// maxBodyBytes bounds a request body: a statement may be 16 MiB, plus room
// for its parameters.
const maxBodyBytes = 20 << 20

// Emulator is an emulated Databricks workspace. It is an http.Handler; Start
// and Listen wrap it in a running server.
type Emulator struct {
	opts  Options
	db    *sql.DB
	log   *RequestLog
	table []route

	faults     faultSet
	tokens     *tokenStore
	warehouses *warehouseSet
	statements *statementStore
	storage    *storage // serves EXTERNAL_LINKS results; nil without a storage listener
	meta       *metastore

	// ctx is the parent of every statement's execution; Close cancels it.
	ctx       context.Context
	stop      context.CancelFunc
	running   sync.WaitGroup
	closeOnce sync.Once
	closeErr  error

	// principals are who can sign in with OAuth besides the workspace user,
	// accessTokens the OAuth tokens they were issued.
	principals   *principalSet
	accessTokens *accessTokenStore
}

// New opens an in-memory DuckDB, creates the catalogs and loads the sample
// data. The caller must Close the emulator.
func New(opts Options) (*Emulator, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	principals, err := newPrincipalSet(opts)
	if err != nil {
		return nil, err
	}
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		return nil, fmt.Errorf("emulator: opening DuckDB: %w", err)
	}
	db := sql.OpenDB(connector)
	ctx, stop := context.WithCancel(context.Background())
	e := &Emulator{
		opts:       opts,
		db:         db,
		meta:       newMetastore(),
		log:        newRequestLog(),
		tokens:     newTokenStore(opts.Tokens, opts.MaxTokens),
		warehouses: newWarehouseSet(opts.Warehouses),
		statements: newStatementStore(),
		ctx:        ctx,
		stop:       stop,
	}
	e.principals, e.accessTokens = principals, newAccessTokenStore()
	e.table = e.routes()
	if err := e.start(ctx); err != nil {
		stop()
		_ = db.Close()
		return nil, err
	}
	return e, nil
}

// start prepares the workspace, loads the user's files, locks DuckDB down
// (the files must be read before) and runs the user's init script (after, so
// that whatever it says runs with the doors closed).
func (e *Emulator) start(ctx context.Context) error {
	if err := e.prepare(ctx); err != nil {
		return fmt.Errorf("emulator: preparing DuckDB: %w", err)
	}
	if err := e.loadFiles(ctx); err != nil {
		return err
	}
	if err := lockDown(ctx, e.db); err != nil {
		return fmt.Errorf("emulator: locking DuckDB down: %w", err)
	}
	return e.runInit(ctx)
}

// Close cancels the statements still running, waits for them and closes the
// database. Requests that arrive afterwards answer 503.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() {
		e.statements.close()
		e.stop()
		e.running.Wait()
		e.warehouses.close()
		e.closeErr = e.db.Close()
	})
	return e.closeErr
}

// Log returns the emulator's request log.
func (e *Emulator) Log() *RequestLog { return e.log }

// ConnState counts TCP connections and numbers them for the request log. Set
// it as http.Server.ConnState (Start and Listen do).
func (e *Emulator) ConnState(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		e.log.connOpened(c.RemoteAddr().String())
	case http.StateClosed, http.StateHijacked:
		e.log.connClosed(c.RemoteAddr().String())
	}
}

// ServeHTTP answers one API request: it records it, adds the configured
// latency, checks the Host header and the token, routes it, injects any fault that matches and
// runs the handler.
func (e *Emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	reqID := newRequestID()
	w.Header().Set("X-Request-Id", reqID)

	body, bodyErr := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	rt, params, allowed := e.match(r.Method, r.URL.Path)
	var ep Endpoint
	if rt != nil {
		ep = rt.endpoint
	}
	// OAuth requests carry secrets in their form (and clients may err and
	// put them in the query): the log keeps neither.
	logged, loggedPath := body, r.URL.RequestURI()
	if e.oauthPath(r.URL.Path) {
		logged, loggedPath = redactForm(body), r.URL.Path
	}
	x, end := e.begin(w, r, Request{
		Time:      started,
		Endpoint:  ep,
		Method:    r.Method,
		Path:      loggedPath,
		Body:      logged,
		UserAgent: r.UserAgent(),
	}, reqID)
	defer end()
	x.body, x.params = body, params

	if !e.delay(r) {
		return
	}
	if e.ctx.Err() != nil {
		x.fail(http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE", "The emulator is shutting down.")
		return
	}
	if !e.opts.AllowRemote && !IsLoopback(r.Host) {
		// Before the token is even looked at: see IsLoopback.
		x.fail(http.StatusForbidden, "PERMISSION_DENIED", fmt.Sprintf("The emulator only answers requests addressed to localhost, 127.0.0.1 or [::1], not to %q. Start it with -allow-remote to serve other host names.", r.Host))
		return
	}
	if !e.authenticate(x) {
		return
	}
	if rt == nil {
		if len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			x.fail(http.StatusMethodNotAllowed, "BAD_REQUEST", fmt.Sprintf("Method %s is not allowed for %s; use %s.", r.Method, r.URL.Path, strings.Join(allowed, " or ")))
			return
		}
		x.fail(http.StatusNotFound, "ENDPOINT_NOT_FOUND", fmt.Sprintf("No API found for '%s %s'", r.Method, r.URL.Path))
		return
	}
	if bodyErr != nil || len(body) > maxBodyBytes {
		x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("The request body is larger than %d MiB or could not be read.", maxBodyBytes>>20))
		return
	}
	if f, ok := e.faults.pick(ep); ok {
		e.log.update(x.entry, func(r *Request) { r.Fault = f.Kind })
		if f.Kind.statementFault() {
			x.fault = f.Kind
		} else if e.injectHTTPFault(x, f) {
			return
		}
	}
	rt.handle(x)
}

// logLine writes the human-readable line of one request. It has no header and
// no body, so no token can leak through it.
// begin starts the exchange of request r, recorded as req in the request log; end,
// deferred, closes the log's entry once the handler is done, and writes the log line.
func (e *Emulator) begin(w http.ResponseWriter, r *http.Request, req Request, reqID string) (x *exchange, end func()) {
	entry := e.log.begin(req, r.RemoteAddr)
	sw := &statusWriter{ResponseWriter: w, onStart: func() { e.log.responding(entry) }}
	x = &exchange{w: sw, r: r, reqID: reqID, entry: entry, log: e.log}
	return x, func() {
		done := e.log.end(entry, sw.status)
		if e.opts.Logf != nil {
			e.logLine(done, time.Since(req.Time))
		}
	}
}

// delay waits out the configured latency; false if the request was cancelled first.
func (e *Emulator) delay(r *http.Request) bool {
	return e.opts.Latency <= 0 || sleepCtx(r.Context(), e.opts.Latency)
}

func (e *Emulator) logLine(r Request, took time.Duration) {
	extra := ""
	if r.StatementID != "" {
		extra += " statement=" + r.StatementID
	}
	if r.Fault != "" {
		extra += " fault=" + string(r.Fault)
	}
	if r.GrantType != "" {
		extra += " grant_type=" + r.GrantType
	}
	if r.Principal != "" {
		extra += " principal=" + r.Principal
	}
	e.opts.Logf("%s %s -> %d in %s%s", r.Method, r.Path, r.Status, took.Round(time.Millisecond), extra)
}

// sleepCtx waits d, or less if ctx ends first; it reports whether the full
// wait happened.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
