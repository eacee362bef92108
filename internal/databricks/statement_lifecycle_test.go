package databricks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

func TestLongPollWaitFitsTheRequestTimeout(t *testing.T) {
	t.Parallel()
	for timeout, want := range map[time.Duration]time.Duration{
		30 * time.Second: 20 * time.Second, 10 * time.Second: 6 * time.Second, 8 * time.Second: 5 * time.Second,
		7 * time.Second: 0, time.Second: 0, 60 * time.Second: 40 * time.Second, time.Hour: 50 * time.Second,
	} {
		if got := databricks.LongPollWait(timeout); got != want {
			t.Errorf("LongPollWait(%v) = %v, want %v", timeout, got, want)
		}
	}
}

func TestQueryRequiresWarehouseAndStatement(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, `{"statement_id":"s1","status":{"state":"SUCCEEDED"}}`)
	})
	client := srv.client(t, databricks.Config{})
	if _, err := client.Query(context.Background(), databricks.QueryRequest{Statement: "SELECT 1"}); err == nil {
		t.Error("a query without a warehouse was accepted")
	}
	if _, err := client.Query(context.Background(), fakeQuery("  ")); err == nil {
		t.Error("a blank query was accepted")
	}
	if _, err := client.Run(context.Background(), databricks.RunRequest{Statement: "DROP TABLE t"}); err == nil {
		t.Error("a run without a warehouse was accepted")
	}
	if _, err := client.Run(context.Background(), databricks.RunRequest{WarehouseID: testWarehouse, Statement: "\n "}); err == nil {
		t.Error("a blank run was accepted")
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests for refused queries", n)
	}
}

// A caller that has given up sends nothing: not a statement, not a read.
func TestNothingIsSentOnceTheContextIsDone(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, `{"statement_id":"s1","status":{"state":"SUCCEEDED"}}`)
	})
	client := srv.client(t, databricks.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Run": func() error {
			_, err := client.Run(ctx, databricks.RunRequest{WarehouseID: testWarehouse, Statement: "INSERT INTO t VALUES (1)"})
			return err
		},
		"StreamQuery": func() error {
			_, err := client.StreamQuery(ctx, fakeQuery("SELECT 1"), newRowRecorder())
			return err
		},
		"CurrentUser": func() error { _, err := client.CurrentUser(ctx); return err },
		"CreateToken": func() error { _, err := client.CreateToken(ctx, databricks.CreateTokenRequest{}); return err },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not sent") {
			t.Errorf("%s with a canceled context: %v", name, err)
		}
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests were sent for a caller that had given up", n)
	}
}

// A submission answered without a usable statement id is refused before the id goes
// into a request path or a message.
func TestSubmissionWithoutAStatementIDIsRefused(t *testing.T) {
	t.Parallel()
	for name, id := range map[string]string{
		"missing":      ``,
		"a path":       `"../../token/list"`,
		"white space":  `"s1 s2"`,
		"far too long": `"` + strings.Repeat("a", 200) + `"`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body := `{"status":{"state":"PENDING"}}`
			if id != "" {
				body = `{"statement_id":` + id + `,"status":{"state":"PENDING"}}`
			}
			srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) { answer(w, http.StatusOK, body) })
			// Bounded, so that a client that polls the id fails rather than hangs.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err := srv.client(t, databricks.Config{}).StreamQuery(ctx, fakeQuery("SELECT 1"), newRowRecorder())
			if !errors.Is(err, databricks.ErrMalformedResponse) || !strings.Contains(err.Error(), "is not a statement id") {
				t.Errorf("err = %v", err)
			}
			if n := len(srv.requests()); n != 1 {
				t.Errorf("%d requests: the id was used", n)
			}
			if len(err.Error()) > 400 {
				t.Errorf("the error quotes the whole id: %d bytes", len(err.Error()))
			}
		})
	}
}
