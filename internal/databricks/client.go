// Package databricks is a small client for the parts of the Databricks REST API this
// provider speaks: identity (SCIM Me), SQL statement execution, SQL warehouses and personal
// access tokens. It knows HTTP and Databricks and nothing of Terraform; the provider turns
// its values and errors into schema values and diagnostics.
package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultTimeout is the per-request timeout of a connection that sets none: the
// "Timeout" default of the connection form this provider models.
const DefaultTimeout = 30 * time.Second

// Logger receives one structured line per request and per retry. The provider plugs in
// terraform-plugin-log; the fields never hold the token, a header or a body.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// RetryPolicy bounds how the client retries requests Databricks did not process
// (429, 503) and requests lost below HTTP.
type RetryPolicy struct {
	// MaxElapsed stops retrying once this long has passed since the first attempt. The
	// caller's context bounds it further. Default 5 minutes, as the Databricks SDK.
	MaxElapsed time.Duration
	// BaseDelay is the wait after the first failure; it grows by BaseDelay per attempt.
	// Default 1s.
	BaseDelay time.Duration
	// MaxDelay caps one wait (a longer Retry-After still wins). Default 10s.
	MaxDelay time.Duration
	// MaxNetworkAttempts bounds attempts of a request that failed below HTTP (refused
	// or reset connection). Default 3.
	MaxNetworkAttempts int
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 5 * time.Minute
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 10 * time.Second
	}
	if p.MaxNetworkAttempts <= 0 {
		p.MaxNetworkAttempts = 3
	}
	return p
}

// Config says how to reach one workspace as one identity.
type Config struct {
	BaseURL string // validated with ParseBaseURL
	Token   string // personal access token; validated with ValidateToken
	// Timeout bounds each HTTP request; a long-poll wait is kept inside it. Default 30s.
	Timeout time.Duration
	// UserAgent is sent as the User-Agent header, e.g. "terraform-provider-dbsql/1.0.0 terraform/1.5.7".
	UserAgent string
	// Transport is the connection pool. Clients of the same workspace share one so that
	// connections are reused; nil means a pool of the client's own.
	Transport http.RoundTripper
	Logger    Logger
	Retry     RetryPolicy
	// MaxParallelChunks bounds how many result chunks a query fetches at once;
	// 0 means DefaultMaxParallelChunks.
	MaxParallelChunks int
}

// Client talks to one Databricks workspace. It is safe for concurrent use.
type Client struct {
	baseURL   BaseURL
	token     string
	timeout   time.Duration
	userAgent string
	http      *http.Client
	logger    Logger
	retry     RetryPolicy

	maxParallelChunks int
}

// New validates cfg and returns a client. It does not contact the workspace.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if err := ValidateToken(cfg.Token); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport()
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "terraform-provider-dbsql/dev"
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	if cfg.MaxParallelChunks <= 0 {
		cfg.MaxParallelChunks = DefaultMaxParallelChunks
	}
	return &Client{
		baseURL:   base,
		token:     cfg.Token,
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		// No client-wide Timeout: each attempt gets its own deadline, so that retries and
		// long polls are bounded separately.
		http:   &http.Client{Transport: cfg.Transport},
		logger: cfg.Logger,
		retry:  cfg.Retry.withDefaults(),

		maxParallelChunks: cfg.MaxParallelChunks,
	}, nil
}

// BaseURL returns the normalised workspace URL.
func (c *Client) BaseURL() BaseURL { return c.baseURL }

// Timeout returns the per-request timeout.
func (c *Client) Timeout() time.Duration { return c.timeout }

// NewTransport returns a keep-alive connection pool sized for parallel chunk downloads.
func NewTransport() *http.Transport {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
	return t
}

type discardLogger struct{}

func (discardLogger) Debug(context.Context, string, map[string]any) {}

// call describes one API request.
type call struct {
	method string
	// path is absolute from the Base URL and may carry a query string, which is kept
	// as given (Databricks' chunk links are used verbatim).
	path string
	body any
	// retrySafe marks a request that may be sent again even if it may have reached the
	// server (reads, cancel). 429 and 503 are retried whatever this says: Databricks
	// did not process those.
	retrySafe bool
	// timeout overrides the client's per-request timeout (never longer than it).
	timeout time.Duration
	// finishInFlight lets a request already sent run to its own timeout even when ctx
	// ends, for answers the caller needs to clean up (a statement id to cancel).
	// Waits between retries still end with ctx.
	finishInFlight bool
}

// do sends c, retrying what is safe to retry, and decodes a 2xx JSON body into out.
// It returns the response headers of the successful attempt.
func (c *Client) do(ctx context.Context, cl call, out any) (http.Header, error) {
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("encoding %s %s request: %w", cl.method, cl.path, err)
		}
	}
	first := time.Now()
	for attempt := 1; ; attempt++ {
		header, err := c.attempt(ctx, cl, payload, out, attempt)
		if err == nil {
			return header, nil
		}
		wait, ok := c.retryWait(ctx, cl, err, attempt, time.Since(first))
		if !ok {
			return nil, withAttempts(err, attempt)
		}
		c.logger.Debug(ctx, "Retrying Databricks request", map[string]any{
			"method": cl.method, "path": pathOnly(cl.path), "attempt": attempt, "wait_ms": wait.Milliseconds(), "reason": err.Error(),
		})
		if err := sleep(ctx, wait); err != nil {
			// The caller gave up while we waited: report what we were waiting out.
			return nil, fmt.Errorf("%w (gave up retrying: %w)", withAttempts(err, attempt), context.Cause(ctx))
		}
	}
}

func (c *Client) attempt(ctx context.Context, cl call, payload []byte, out any, attempt int) (http.Header, error) {
	timeout := c.timeout
	if cl.timeout > 0 && cl.timeout < timeout {
		timeout = cl.timeout
	}
	base := ctx
	if cl.finishInFlight {
		base = context.WithoutCancel(ctx)
	}
	reqCtx, cancel := context.WithTimeout(base, timeout)
	defer cancel()

	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(reqCtx, cl.method, c.baseURL.String()+cl.path, body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s request: %w", cl.method, pathOnly(cl.path), err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	started := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, reqCtx, cl, timeout, err)
	}
	defer resp.Body.Close()
	fields := map[string]any{
		"method": cl.method, "path": pathOnly(cl.path), "status": resp.StatusCode, "attempt": attempt,
		"request_id": resp.Header.Get("X-Request-Id"), "elapsed_ms": time.Since(started).Milliseconds(),
	}
	c.logger.Debug(ctx, "Databricks request", fields)

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		errBody, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return nil, c.transportError(ctx, reqCtx, cl, timeout, err)
		}
		return nil, newAPIError(resp, errBody)
	}

	// Decode straight from the wire: large result chunks are never held twice. A read
	// error (the connection dropped mid-body) is told apart from a body that is simply
	// not JSON, because only the first is worth retrying.
	rd := &readErrorTracker{r: resp.Body}
	if out != nil {
		dec := json.NewDecoder(rd)
		if err := dec.Decode(out); err != nil {
			switch {
			case rd.err != nil:
				return nil, c.transportError(ctx, reqCtx, cl, timeout, rd.err)
			case errors.Is(err, io.EOF) && rd.n == 0:
				// An empty body (cancel, start) leaves out as it was.
			default:
				return nil, &MalformedResponseError{Method: cl.method, Path: pathOnly(cl.path), StatusCode: resp.StatusCode, Err: err}
			}
		}
	}
	// Drain so the connection goes back to the pool.
	if _, err := io.Copy(io.Discard, rd); err != nil {
		return nil, c.transportError(ctx, reqCtx, cl, timeout, err)
	}
	return resp.Header, nil
}

// readErrorTracker remembers the first non-EOF read error and the bytes read.
type readErrorTracker struct {
	r   io.Reader
	n   int64
	err error
}

func (t *readErrorTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.n += int64(n)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

// MalformedResponseError is a 2xx response whose body is not the promised JSON.
type MalformedResponseError struct {
	Method, Path string
	StatusCode   int
	Err          error
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("HTTP %d from %s %s is not valid JSON (%v); a proxy or an outage page may be answering instead of the Databricks API", e.StatusCode, e.Method, e.Path, e.Err)
}

// Is makes errors.Is(err, ErrMalformedResponse) true.
func (e *MalformedResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// transportError classifies a failure below HTTP.
func (c *Client) transportError(parent, reqCtx context.Context, cl call, timeout time.Duration, err error) error {
	if parent.Err() != nil {
		return fmt.Errorf("%s %s: %w", cl.method, pathOnly(cl.path), context.Cause(parent))
	}
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{Method: cl.method, Path: pathOnly(cl.path), Timeout: timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the whole URL; the host is reported separately.
	}
	return &NetworkError{Method: cl.method, Path: pathOnly(cl.path), Host: c.baseURL.Host(), Err: err}
}

// retryWait decides whether err is worth another attempt and how long to wait first.
func (c *Client) retryWait(ctx context.Context, cl call, err error, attempt int, elapsed time.Duration) (time.Duration, bool) {
	wait := c.backoff(attempt)
	var apiErr *APIError
	var netErr *NetworkError
	switch {
	case errors.As(err, &apiErr) && apiErr.Retryable():
		wait = max(wait, apiErr.RetryAfter)
	case errors.As(err, &netErr):
		safeToResend := cl.retrySafe || notSent(netErr.Err)
		if attempt >= c.retry.MaxNetworkAttempts || !safeToResend || permanentNetworkError(netErr.Err) {
			return 0, false
		}
	default:
		return 0, false
	}
	if elapsed+wait > c.retry.MaxElapsed {
		return 0, false
	}
	// Waiting past the caller's deadline would only turn a clear error into a vague one.
	if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
		return 0, false
	}
	return wait, true
}

// backoff grows linearly, is capped, and carries up to 25% jitter so that many clients
// throttled together do not come back together.
func (c *Client) backoff(attempt int) time.Duration {
	d := min(time.Duration(attempt)*c.retry.BaseDelay, c.retry.MaxDelay)
	return d + time.Duration(rand.Int64N(int64(d)/4+1))
}

// notSent reports whether the request certainly never reached the server, so that even
// a statement submission may be sent again.
func notSent(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// permanentNetworkError is a failure that another attempt cannot fix: a host name that
// does not resolve, or a TLS certificate that does not verify.
func permanentNetworkError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return true
	}
	return strings.Contains(err.Error(), "certificate")
}

func withAttempts(err error, attempts int) error {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		apiErr.Attempts = attempts
	}
	var netErr *NetworkError
	if errors.As(err, &netErr) {
		netErr.Attempts = attempts
	}
	return err
}

// sleep waits d or until ctx ends, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
