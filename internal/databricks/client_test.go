package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The request path, on the wire: error bodies, retries, dropped connections, timeouts.

// The 403 an invalid token gets: numeric error_code, reason phrase header.
func invalidToken(w http.ResponseWriter) {
	w.Header().Set("X-Databricks-Reason-Phrase", "Invalid access token.")
	answer(w, http.StatusForbidden, `{"error_code": 403, "message": "Invalid access token."}`)
}

func TestInvalidTokenIsReadable(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			invalidToken(w)
			return
		}
		answer(w, http.StatusOK, `{"userName":"etl@example.com"}`)
	})
	client := srv.client(t, databricks.Config{Token: "dapiWRONG0000"})
	_, err := client.CurrentUser(context.Background())
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, databricks.ErrPermissionDenied) {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
	if apiErr.ErrorCode != "403" || apiErr.Message != "Invalid access token." {
		t.Errorf("code %q message %q", apiErr.ErrorCode, apiErr.Message)
	}
	if strings.Contains(err.Error(), "dapiWRONG") {
		t.Errorf("the error repeats the token: %v", err)
	}
	if n := srv.count("GET", meURL); n != 1 {
		t.Errorf("a rejected token was sent %d times; it must not be retried", n)
	}
}

func TestErrorBodiesAreReadable(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		respond  func(w http.ResponseWriter, r *http.Request)
		sentinel error
		text     string
	}{
		"numeric error_code": {func(w http.ResponseWriter, _ *http.Request) { invalidToken(w) }, databricks.ErrPermissionDenied, "HTTP 403: Invalid access token."},
		"html error": {func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html;charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<html>\n<head>\n<title>Error 403 Invalid access token.</title>\n</head>\n<body><h2>HTTP ERROR 403</h2>\n<p>Problem accessing %s. Reason:\n<pre>    Invalid access token.</pre></p>\n</body>\n</html>\n", r.URL.Path)
		}, databricks.ErrPermissionDenied, "HTTP 403: Invalid access token."},
		"malformed json": {func(w http.ResponseWriter, _ *http.Request) { answer(w, http.StatusOK, `{"statement_id":"01ef`) }, databricks.ErrMalformedResponse, "is not valid JSON"},
		"internal error": {func(w http.ResponseWriter, _ *http.Request) {
			apiError(w, http.StatusInternalServerError, "INTERNAL_ERROR", "An internal error occurred.")
		}, databricks.ErrInternal, "HTTP 500 INTERNAL_ERROR"},
	}
	for name, want := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, want.respond)
			_, err := srv.client(t, databricks.Config{}).CurrentUser(context.Background())
			if !errors.Is(err, want.sentinel) || !strings.Contains(err.Error(), want.text) {
				t.Errorf("err = %v, want %v containing %q", err, want.sentinel, want.text)
			}
			// None of these is worth retrying.
			if n := srv.count("GET", meURL); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

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

func me(w http.ResponseWriter, _ *http.Request) {
	answer(w, http.StatusOK, `{"id":"1","userName":"etl@example.com","active":true}`)
}

func noWarehouses(w http.ResponseWriter, _ *http.Request) {
	answer(w, http.StatusOK, `{"warehouses":[]}`)
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

// A connection dropped mid-response is retried for a read, never for a request that may
// have had an effect.
func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	var drop atomic.Bool
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if drop.Swap(false) {
			dropConnection(w)
			return
		}
		switch r.URL.Path {
		case warehousesURL:
			noWarehouses(w, r)
		default:
			answer(w, http.StatusOK, `{"token_value":"dapiNEW","token_info":{"token_id":"t1"}}`)
		}
	})
	client := srv.client(t, databricks.Config{})
	drop.Store(true)
	if _, err := client.ListWarehouses(context.Background()); err != nil {
		t.Fatalf("a read after a dropped connection: %v", err)
	}
	if n := srv.count("GET", warehousesURL); n != 2 {
		t.Errorf("%d list requests, want 2", n)
	}

	drop.Store(true)
	_, err := client.CreateToken(context.Background(), databricks.CreateTokenRequest{Comment: "once"})
	var netErr *databricks.NetworkError
	if !errors.As(err, &netErr) {
		t.Fatalf("err = %v, want a NetworkError", err)
	}
	if n := srv.count("POST", "/api/2.0/token/create"); n != 1 {
		t.Errorf("token creation was sent %d times after a dropped connection; a second token nobody holds may exist", n)
	}
}

func TestSlowResponseTimesOut(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
			me(w, r)
		case <-r.Context().Done():
		}
	})
	_, err := srv.client(t, databricks.Config{Timeout: 300 * time.Millisecond}).CurrentUser(context.Background())
	var timeoutErr *databricks.TimeoutError
	if !errors.As(err, &timeoutErr) || !errors.Is(err, databricks.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want a TimeoutError", err)
	}
	if !strings.Contains(err.Error(), "within the 300ms request timeout") {
		t.Errorf("the message does not name the timeout: %v", err)
	}
}

func TestRefusedConnectionIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	client, err := databricks.New(databricks.Config{BaseURL: "http://127.0.0.1:1", Token: "dapi0", Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CurrentUser(context.Background())
	var netErr *databricks.NetworkError
	if !errors.As(err, &netErr) || netErr.Attempts != 3 {
		t.Fatalf("err = %v, want a NetworkError after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "cannot reach 127.0.0.1:1") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message: %v", err)
	}
}

// Sequential requests reuse one keep-alive connection.
func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, me)
	client := srv.client(t, databricks.Config{})
	for range 10 {
		if _, err := client.CurrentUser(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.connections(); n != 1 {
		t.Errorf("10 requests used %d connections", n)
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ provider, cli, want string }{
		{"1.2.3", "1.5.7", "terraform-provider-dbsql/1.2.3 terraform/1.5.7"},
		{"1.2.3", "", "terraform-provider-dbsql/1.2.3"},
		{"", "", "terraform-provider-dbsql/dev"},
		{"1.0.0\r\nX-Evil: 1", "1.5 .7", "terraform-provider-dbsql/1.0.0X-Evil:1 terraform/1.5.7"},
	} {
		if got := databricks.UserAgent(tc.provider, tc.cli); got != tc.want {
			t.Errorf("UserAgent(%q, %q) = %q, want %q", tc.provider, tc.cli, got, tc.want)
		}
	}
	// What the header carries: the configured value, or the default of a client given none.
	srv := newFakeServer(t, me)
	for _, ua := range []string{databricks.UserAgent("1.2.3", "1.5.7"), ""} {
		if _, err := srv.client(t, databricks.Config{UserAgent: ua}).CurrentUser(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	reqs := srv.requests()
	if len(reqs) != 2 || reqs[0].UserAgent != "terraform-provider-dbsql/1.2.3 terraform/1.5.7" || reqs[1].UserAgent != "terraform-provider-dbsql/dev" {
		t.Errorf("requests = %+v", reqs)
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

// A redirect is reported, never followed: Go would keep the Authorization header on the
// same host name, even to another port, so the token would reach whatever listens there.
func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			elsewhere := newFakeServer(t, me)
			srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Location", strings.Replace(elsewhere.URL, "http://", "http://user:pw@", 1)+r.URL.Path+"?sig=SECRETSIG#frag")
				w.WriteHeader(status)
			})
			client := srv.client(t, databricks.Config{})
			// Bounded, so that a client that follows the redirect fails instead of waiting
			// for a statement the other server knows nothing of.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, userErr := client.CurrentUser(ctx)
			_, runErr := client.Run(ctx, databricks.RunRequest{WarehouseID: testWarehouse, Statement: "INSERT INTO t VALUES (1)"})
			for what, err := range map[string]error{"CurrentUser": userErr, "Run": runErr} {
				var redirect *databricks.RedirectError
				if !errors.As(err, &redirect) || !errors.Is(err, databricks.ErrRedirect) || redirect.StatusCode != status {
					t.Fatalf("%s: err = %v, want a RedirectError", what, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, elsewhere.URL) || !strings.Contains(msg, "does not redirect") || !strings.Contains(msg, "Base URL") {
					t.Errorf("%s: the error does not say where it pointed and what to check: %v", what, err)
				}
				if strings.Contains(msg, "SECRETSIG") || strings.Contains(msg, "pw@") || strings.Contains(msg, "frag") {
					t.Errorf("%s: the error repeats the query string, user info or fragment: %v", what, err)
				}
			}
			if n := len(srv.requests()); n != 2 {
				t.Errorf("%d requests, want one each: a redirect is not retried", n)
			}
			for _, r := range elsewhere.requests() {
				t.Errorf("the redirect was followed: %s %s reached the other server (Authorization sent: %v)", r.Method, r.Path, r.Authorization != "")
			}
		})
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
