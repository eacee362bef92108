package databricks

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// RetryPolicy bounds how the client retries requests Databricks did not process
// (429, 503), requests lost below HTTP, and a statement's status checks (which also ride
// out 500, 502, 504 and timeouts: see WIRE.md).
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
	// or reset connection). Default 3. A status check is bounded by MaxElapsed alone.
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

// retryWait decides whether err is worth another attempt and how long to wait first.
// When a retryable error is not retried because the wait would pass the retry budget or
// the caller's deadline, stop says so, for the error: waiting past the deadline would
// only turn a clear answer into a vague timeout.
func (p RetryPolicy) retryWait(ctx context.Context, cl call, err error, attempt int, elapsed time.Duration) (wait time.Duration, retry bool, stop string) {
	wait = p.backoff(attempt)
	asked := false // whether the wait is the server's Retry-After
	var apiErr *APIError
	var netErr *NetworkError
	var timeoutErr *TimeoutError
	switch {
	case errors.As(err, &apiErr) && (apiErr.Retryable() || cl.untilDeadline && serverError(apiErr.StatusCode)):
		if apiErr.RetryAfter > wait {
			wait, asked = apiErr.RetryAfter, true
		}
	case errors.As(err, &timeoutErr) && cl.untilDeadline:
	case errors.As(err, &netErr):
		safeToResend := cl.retrySafe || notSent(netErr.Err)
		outOfAttempts := attempt >= p.MaxNetworkAttempts && !cl.untilDeadline
		if outOfAttempts || !safeToResend || permanentNetworkError(netErr.Err) {
			return 0, false, ""
		}
	default:
		return 0, false, ""
	}
	due := fmt.Sprintf("the next attempt was due in %s", wait.Round(time.Millisecond))
	if asked {
		due = fmt.Sprintf("Databricks asked to wait %s (Retry-After)", wait)
		if wait >= maxRetryAfter {
			due = fmt.Sprintf("Databricks asked to wait longer than %s (Retry-After)", maxRetryAfter)
		}
	}
	// The tighter of the two limits is the one to name.
	budgetLeft := p.MaxElapsed - elapsed
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < budgetLeft {
		if left := time.Until(deadline); wait > left {
			return 0, false, fmt.Sprintf("not retried: %s, and the operation has %s left", due, max(left, 0).Round(time.Millisecond))
		}
	} else if wait > budgetLeft {
		return 0, false, fmt.Sprintf("not retried: %s, past the retry budget of %s", due, p.MaxElapsed)
	}
	return wait, true, ""
}

// serverError is a status of a server that failed to answer, which an idempotent request
// may hope to get past by asking again.
func serverError(status int) bool {
	return status == http.StatusInternalServerError || status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// backoff grows linearly, is capped, and carries up to 25% jitter so that many clients
// throttled together do not come back together.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := min(time.Duration(attempt)*p.BaseDelay, p.MaxDelay)
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
