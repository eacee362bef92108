//go:build cgo

package databricks_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// checkRows fails unless res holds 0 to n-1 in order.
func checkRows(t *testing.T, res *databricks.QueryResult, n int) {
	t.Helper()
	if len(res.Rows) != n {
		t.Fatalf("%d rows, want %d", len(res.Rows), n)
	}
	for i, row := range res.Rows {
		if row[0].Text != strconv.Itoa(i) {
			t.Fatalf("row %d = %q: chunks out of order", i, row[0].Text)
		}
	}
}

// downloadsOK fails unless every download reached storage and was served: storage refuses
// a request that carries an Authorization header, and one without the link's headers.
func downloadsOK(t *testing.T, srv *emulator.Server) int {
	t.Helper()
	n := 0
	for _, r := range srv.Log().Requests() {
		if r.Endpoint != emulator.EndpointDownload {
			continue
		}
		n++
		if r.Status != 200 && r.Fault == "" {
			t.Errorf("download %s answered %d", r.Path, r.Status)
		}
	}
	return n
}

// A result past the INLINE limit fails the statement; the client runs it again with
// EXTERNAL_LINKS and downloads every chunk from storage, in parallel, without the
// workspace's token.
func TestQueryPastTheInlineLimitRunsAgainWithLinks(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 10, InlineLimit: 1000, Latency: 20 * time.Millisecond}, databricks.Config{})
	res, err := client.Query(context.Background(), query("SELECT i FROM range(160) AS t(i) ORDER BY i"))
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, res, 160)
	var dispositions []string
	for _, r := range srv.Log().Requests() {
		if r.Endpoint == emulator.EndpointExecute {
			dispositions = append(dispositions, map[bool]string{true: "EXTERNAL_LINKS", false: "INLINE"}[strings.Contains(string(r.Body), `"disposition":"EXTERNAL_LINKS"`)])
		}
	}
	if strings.Join(dispositions, ",") != "INLINE,EXTERNAL_LINKS" {
		t.Errorf("statements sent: %v", dispositions)
	}
	if n := downloadsOK(t, srv); n != 16 {
		t.Errorf("%d downloads, want 16", n)
	}
	if n := srv.Log().Count(emulator.EndpointChunk); n != 15 {
		t.Errorf("%d chunk requests, want 15 (the first link comes with the statement)", n)
	}
	if n := srv.Log().MaxConcurrentRequests(); n < 2 || n > databricks.DefaultMaxParallelChunks+1 {
		t.Errorf("at most %d requests at once", n)
	}
}

// Asked for from the start, EXTERNAL_LINKS costs one run.
func TestQueryWithExternalLinksFromTheStart(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{RowsPerChunk: 7}, databricks.Config{})
	q := query("SELECT i FROM range(50) AS t(i) ORDER BY i")
	q.ExternalLinks = true
	res, err := client.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, res, 50)
	if n := srv.Log().Count(emulator.EndpointExecute); n != 1 {
		t.Errorf("%d statements", n)
	}
	if n := downloadsOK(t, srv); n != 8 {
		t.Errorf("%d downloads, want 8", n)
	}
}

// A link storage refuses (it expired) is replaced by a fresh one from the chunk API, a
// bounded number of times.
func TestQueryRenewsARefusedLink(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		refusals, renewals int
		ok                 bool
	}{{refusals: 2, renewals: 2, ok: true}, {refusals: 5, renewals: 2}} {
		t.Run(strconv.Itoa(tc.refusals), func(t *testing.T) {
			t.Parallel()
			srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
			srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointDownload, Kind: emulator.FaultLinkExpired, Times: tc.refusals})
			q := query("SELECT i FROM range(5) AS t(i) ORDER BY i")
			q.ExternalLinks = true
			res, err := client.Query(context.Background(), q)
			if n := srv.Log().Count(emulator.EndpointChunk); n != tc.renewals {
				t.Errorf("%d links asked for again, want %d", n, tc.renewals)
			}
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				checkRows(t, res, 5)
				return
			}
			if !errors.Is(err, databricks.ErrLinkRefused) || !strings.Contains(err.Error(), "HTTP 403 AccessDenied") {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), "signature=") || strings.Contains(err.Error(), "expires=") {
				t.Errorf("the error quotes the link's credential: %v", err)
			}
		})
	}
}

// A link that expires before it is used is renewed first, at most twice, then tried.
func TestQueryRenewsALinkAboutToExpire(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{LinkTTL: 3 * time.Second}, databricks.Config{})
	q := query("SELECT i FROM range(5) AS t(i) ORDER BY i")
	q.ExternalLinks = true
	res, err := client.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	checkRows(t, res, 5)
	if n := srv.Log().Count(emulator.EndpointChunk); n != 2 {
		t.Errorf("%d links asked for again, want 2", n)
	}
}
