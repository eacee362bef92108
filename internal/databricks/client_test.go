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

// The request path on the wire: error bodies, redirects, dropped connections, timeouts,
// connection reuse, the user agent.

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
	client := srv.client(t, databricks.Config{Credentials: databricks.PersonalAccessToken("dapiWRONG0000")})
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

func me(w http.ResponseWriter, _ *http.Request) {
	answer(w, http.StatusOK, `{"id":"1","userName":"etl@example.com","active":true}`)
}

func noWarehouses(w http.ResponseWriter, _ *http.Request) {
	answer(w, http.StatusOK, `{"warehouses":[]}`)
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
	client, err := databricks.New(databricks.Config{BaseURL: "http://127.0.0.1:1", Credentials: databricks.PersonalAccessToken("dapi0"), Retry: fastRetries})
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
