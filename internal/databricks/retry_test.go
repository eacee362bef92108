package databricks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// Retries on the wire: what is retried, how long the client waits, when it stops.

// failFirst answers the first n requests with fail, the others with ok.
func failFirst(n int32, fail, ok http.HandlerFunc) http.HandlerFunc {
	var seen atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}
}

func unavailable(w http.ResponseWriter, _ *http.Request) {
	apiError(w, http.StatusServiceUnavailable, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")
}

// 429 with Retry-After: the client waits at least that long, measured by the server.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, failFirst(1, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "1")
		apiError(w, http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Too many requests.")
	}, me))
	if _, err := srv.client(t, databricks.Config{}).CurrentUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want a 429 then a 200", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second {
		t.Errorf("the retry came %v after the 429, before its Retry-After of 1s", gap)
	}
}

func TestBurstOf503sIsRidden(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, failFirst(3, unavailable, noWarehouses))
	if _, err := srv.client(t, databricks.Config{}).ListWarehouses(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.count("GET", warehousesURL); n != 4 {
		t.Errorf("%d requests, want 3 failures and a success", n)
	}
}

// 503s that never stop: the client gives up within the caller's deadline and says how
// many attempts it made.
func TestEndless503sFailWithinTheDeadline(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, unavailable)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := srv.client(t, databricks.Config{}).CurrentUser(ctx)
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, databricks.ErrUnavailable) {
		t.Fatalf("err = %v, want a 503 APIError", err)
	}
	n := srv.count("GET", meURL)
	if n < 2 || apiErr.Attempts != n {
		t.Errorf("the error reports %d attempts, the server saw %d", apiErr.Attempts, n)
	}
	if !strings.Contains(err.Error(), "attempts") {
		t.Errorf("the message does not say how many attempts were made: %v", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the client waited past the deadline instead of reporting the last answer")
	}
}

func TestRetryBudgetBoundsRetries(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "0")
		apiError(w, http.StatusTooManyRequests, "REQUEST_LIMIT_EXCEEDED", "Too many requests.")
	})
	client := srv.client(t, databricks.Config{Retry: databricks.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxElapsed: 200 * time.Millisecond}})
	_, err := client.CurrentUser(context.Background())
	if !errors.Is(err, databricks.ErrTooManyRequests) {
		t.Fatalf("err = %v", err)
	}
	if n := srv.count("GET", meURL); n < 2 || n > 30 {
		t.Errorf("%d attempts within a 200ms budget", n)
	}
}

// A caller that gives up while a retry waits gets the answer that was being waited out,
// and the reason the waiting stopped.
func TestGivingUpDuringARetryReportsTheLastAnswer(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		unavailable(w, r)
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := srv.client(t, databricks.Config{}).CurrentUser(ctx)
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the 503 and the cancellation", err)
	}
	if n := srv.count("GET", meURL); n != 1 {
		t.Errorf("%d requests, want 1: the retry was to come after 5s", n)
	}
}

// A Retry-After too long to wait ends retrying at once, with an error that says why: it
// is neither taken for a short wait (an overflow made 9223372037 seconds negative) nor
// waited out past the caller's deadline or the retry budget.
func TestHugeRetryAfterEndsRetrying(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		retryAfter string
		deadline   time.Duration // 0: none, the retry budget bounds the wait
		want       string
	}{
		"overflowing seconds, deadline": {"9223372037", 3 * time.Second, "the operation has"},
		"overflowing seconds, budget":   {"9223372037", 0, "past the retry budget of 5m0s"},
		"past the deadline":             {"10", 2 * time.Second, "Databricks asked to wait 10s (Retry-After), and the operation has"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, failFirst(1, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tc.retryAfter)
				unavailable(w, r)
			}, me))
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			_, err := srv.client(t, databricks.Config{Retry: databricks.RetryPolicy{BaseDelay: 10 * time.Millisecond}}).CurrentUser(ctx)
			var apiErr *databricks.APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("err = %v, want the 503", err)
			}
			if !strings.Contains(err.Error(), "not retried") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("the error does not say why it was not retried (%q): %v", tc.want, err)
			}
			if n := srv.count("GET", meURL); n != 1 {
				t.Errorf("%d requests after Retry-After: %s, want 1", n, tc.retryAfter)
			}
			if ctx.Err() != nil {
				t.Errorf("the client waited until the deadline instead of reporting the answer")
			}
		})
	}
}
