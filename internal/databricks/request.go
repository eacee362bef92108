package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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
	// untilDeadline marks an idempotent read whose answer is worth waiting for (a
	// statement's status): server errors (500, 502, 504), timeouts and network errors
	// are retried like 429 and 503, for as long as the retry budget and ctx allow,
	// rather than MaxNetworkAttempts times.
	untilDeadline bool
	// finishInFlight lets a request already sent run to its own timeout even when ctx
	// ends, for answers the caller needs to clean up (a statement id to cancel).
	// Waits between retries still end with ctx.
	finishInFlight bool
}

// do sends c, retrying what is safe to retry, and decodes a 2xx JSON body into out.
// It returns the response headers of the successful attempt. Nothing is sent once ctx
// is done, not even a request marked finishInFlight: a caller that has given up must not
// start a write.
func (c *Client) do(ctx context.Context, cl call, out any) (http.Header, error) {
	if ctx.Err() != nil {
		return nil, &unsentError{method: cl.method, path: pathOnly(cl.path), cause: context.Cause(ctx)}
	}
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return nil, fmt.Errorf("encoding %s %s request: %w", cl.method, pathOnly(cl.path), err)
		}
	}
	first := time.Now()
	reauthorized := false
	for attempt := 1; ; attempt++ {
		// Asked on every attempt: a token may have been replaced since the last one.
		authorization, err := c.creds.Authorization(ctx)
		if err != nil {
			return nil, err
		}
		header, err := c.attempt(ctx, cl, payload, out, attempt, authorization)
		if err == nil {
			return header, nil
		}
		// A 401 or 403 means the workspace refused the request before processing it, so
		// it may be sent again whatever it does. Only once: when a fresh token is refused
		// too, the principal lacks access, and that answer is the caller's.
		if !reauthorized && refusedCredentials(err) && ctx.Err() == nil && c.creds.Refused(authorization) {
			reauthorized = true
			c.logger.Debug(ctx, "Databricks refused the access token; sending again with a new one", map[string]any{
				"method": cl.method, "path": pathOnly(cl.path), "attempt": attempt, "auth_type": c.creds.AuthType(),
			})
			continue
		}
		wait, retry, stop := c.retry.retryWait(ctx, cl, err, attempt, time.Since(first))
		if !retry {
			if stop != "" {
				return nil, fmt.Errorf("%w (%s)", withAttempts(err, attempt), stop)
			}
			return nil, withAttempts(err, attempt)
		}
		c.logger.Debug(ctx, "Retrying Databricks request", map[string]any{
			"method": cl.method, "path": pathOnly(cl.path), "attempt": attempt, "wait_ms": wait.Milliseconds(), "reason": err.Error(),
		})
		// The caller may give up while we wait (or just as the wait ends): report what we
		// were waiting out rather than send again.
		if sleep(ctx, wait) != nil || ctx.Err() != nil {
			return nil, fmt.Errorf("%w (gave up retrying: %w)", withAttempts(err, attempt), context.Cause(ctx))
		}
	}
}

// unsentError is a request that was never sent because the caller's context was done
// before it could be.
type unsentError struct {
	method, path string
	cause        error
}

func (e *unsentError) Error() string {
	return fmt.Sprintf("%s %s was not sent: %v", e.method, e.path, e.cause)
}

func (e *unsentError) Unwrap() error { return e.cause }

// refusedCredentials is an answer that refuses the request's credentials (or the
// principal's access) rather than the request itself.
func refusedCredentials(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusUnauthorized || apiErr.StatusCode == http.StatusForbidden)
}

func (c *Client) attempt(ctx context.Context, cl call, payload []byte, out any, attempt int, authorization string) (http.Header, error) {
	timeout := c.timeout
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
	req.Header.Set("Authorization", authorization)
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

	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		// A redirect's body is a note at most: read a little of it so the connection can
		// be reused, and report where it pointed.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, newRedirectError(cl, resp, c.scrub())
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		errBody, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if err != nil {
			return nil, c.transportError(ctx, reqCtx, cl, timeout, err)
		}
		return nil, newAPIError(resp, errBody, c.scrub())
	}

	// Decode straight from the wire: result chunks as they arrive (decodeBody). A read
	// error (the connection dropped mid-body) is told apart from a body that is simply
	// not JSON, because only the first is worth retrying.
	rd := &readErrorTracker{r: resp.Body}
	if out != nil {
		if err := decodeBody(rd, out); err != nil {
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
	return &NetworkError{Method: cl.method, Path: pathOnly(cl.path), Host: c.baseURL.Host(), Err: err, detail: c.scrub().text(err.Error(), maxPageText)}
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}
