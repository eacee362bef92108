package databricks_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// linkOf is an external link of a fake workspace, as JSON.
func linkOf(chunk, offset, rows int, url string, headers string) string {
	return fmt.Sprintf(`{"chunk_index":%d,"row_offset":%d,"row_count":%d,"external_link":%q,"expiration":"2099-01-01T00:00:00Z","http_headers":%s}`, chunk, offset, rows, url, headers)
}

// linkedStatement is a SUCCEEDED statement of two listed chunks of 2 rows, the first
// behind link.
func linkedStatement(link string) string {
	return `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
	  "total_chunk_count":2,"total_row_count":4,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":2},{"chunk_index":1,"row_offset":2,"row_count":2}]},
	  "result":{"external_links":[` + link + `]}}`
}

// linkWorkspace is a fake workspace whose results are behind links to storage, answering
// chunk 1's link from the chunk API.
func linkWorkspace(t *testing.T, statement string, chunk1 string) (*databricks.Client, *fakeServer) {
	t.Helper()
	ws := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			answer(w, http.StatusOK, statement)
			return
		}
		answer(w, http.StatusOK, `{"external_links":[`+chunk1+`]}`)
	})
	return ws.client(t, databricks.Config{}), ws
}

// storageServer serves chunk rows by path, as cloud storage does.
func storageServer(t *testing.T, chunks map[string]string) *fakeServer {
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, ok := chunks[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = fmt.Fprint(w, body)
	})
}

// Downloads go to storage with the link's headers and none of the workspace's.
func TestDownloadsCarryNoWorkspaceCredentials(t *testing.T) {
	t.Parallel()
	store := storageServer(t, map[string]string{"/c0": `[["0"],["1"]]`, "/c1": ` [ ["2"], ["3"] ] `})
	client, ws := linkWorkspace(t,
		linkedStatement(linkOf(0, 0, 2, store.URL+"/c0?sig=SECRET0", `{"x-amz-server-side-encryption-customer-key":"k0"}`)),
		linkOf(1, 2, 2, store.URL+"/c1?sig=SECRET1", `{}`))
	rec := newRowRecorder()
	if _, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.rows) != 4 || rec.rows[3] != "3" || len(rec.twice) > 0 {
		t.Fatalf("rows %v", rec.rows)
	}
	downloads := store.requests()
	if len(downloads) != 2 {
		t.Fatalf("%d downloads", len(downloads))
	}
	for _, r := range downloads {
		if r.Authorization != "" || !strings.HasPrefix(r.UserAgent, "terraform-provider-dbsql/") {
			t.Errorf("download %s: Authorization %q, User-Agent %q", r.Path, r.Authorization, r.UserAgent)
		}
	}
	for _, r := range ws.requests() {
		if r.Authorization != "Bearer "+testToken {
			t.Errorf("workspace request %s without the token", r.Path)
		}
	}
	if got := ws.paths(); len(got) != 2 || got[1] != chunkPath+"1?row_offset=2" {
		t.Errorf("workspace requests %v", got)
	}
}

// The link's own headers reach storage.
func TestDownloadsSendTheLinksHeaders(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var key string
	store := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		key = r.Header.Get("X-Amz-Server-Side-Encryption-Customer-Key")
		mu.Unlock()
		fmt.Fprint(w, `[["0"],["1"],["2"],["3"]]`)
	})
	client, _ := fakeWorkspace(t, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
	  "total_chunk_count":1,"total_row_count":4,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":4}]},
	  "result":{"external_links":[`+linkOf(0, 0, 4, store.URL+"/c0", `{"x-amz-server-side-encryption-customer-key":"k0"}`)+`]}}`, nil)
	if _, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder()); err != nil {
		t.Fatal(err)
	}
	if key != "k0" {
		t.Errorf("the link's header arrived as %q", key)
	}
}

// A link the workspace hands out is the workspace's to choose, so possibly a hostile
// server's: what would send a credential, or fetch something other than a file over
// http(s), is refused before anything is sent.
func TestHostileLinksAreRefused(t *testing.T) {
	t.Parallel()
	store := storageServer(t, map[string]string{"/c0": `[["0"],["1"]]`})
	host := strings.TrimPrefix(store.URL, "http://")
	for name, tc := range map[string]struct{ link, headers, want string }{
		"ftp":              {"ftp://" + host + "/c0?sig=SECRET", `{}`, "not https"},
		"file":             {"file:///etc/passwd?sig=SECRET", `{}`, "not an absolute URL"},
		"relative":         {"/c0?sig=SECRET", `{}`, "not an absolute URL"},
		"user info":        {"http://user:pass@" + host + "/c0?sig=SECRET", `{}`, "carries user info"},
		"an Authorization": {store.URL + "/c0?sig=SECRET", `{"authorization":"Bearer dapi00000000000000000000000000000000"}`, "asks for the Authorization header"},
		"a cookie":         {store.URL + "/c0?sig=SECRET", `{"Cookie":"session=1"}`, "asks for the Cookie header"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := linkWorkspace(t, linkedStatement(linkOf(0, 0, 2, tc.link, tc.headers)), linkOf(1, 2, 2, store.URL+"/c0", `{}`))
			_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for _, secret := range []string{"SECRET", "pass", "dapi0000"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes %q: %v", secret, err)
				}
			}
		})
	}
	for _, r := range store.requests() {
		if r.Path != "/c0" || r.Authorization != "" {
			t.Errorf("storage received %s with Authorization %q", r.Path, r.Authorization)
		}
	}
}

// A redirect is followed on the link's host, where its headers may go, and nowhere else.
func TestLinkRedirectsStayOnTheLinksHost(t *testing.T) {
	t.Parallel()
	elsewhere := storageServer(t, map[string]string{"/c0": `[["0"],["1"]]`})
	store := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/c0", http.StatusTemporaryRedirect)
		case "/away":
			http.Redirect(w, r, elsewhere.URL+"/c0", http.StatusTemporaryRedirect)
		case "/c0":
			fmt.Fprint(w, `[["0"],["1"],["2"],["3"]]`)
		}
	})
	statement := func(path string) string {
		return `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
		  "total_chunk_count":1,"total_row_count":4,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":4}]},
		  "result":{"external_links":[` + linkOf(0, 0, 4, store.URL+path, `{"x-key":"k"}`) + `]}}`
	}
	client, _ := fakeWorkspace(t, statement("/moved"), nil)
	if _, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder()); err != nil {
		t.Errorf("a redirect on the same host: %v", err)
	}
	client, _ = fakeWorkspace(t, statement("/away"), nil)
	_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder())
	if err == nil || !strings.Contains(err.Error(), "another host") || !errors.Is(err, databricks.ErrDownload) {
		t.Errorf("a redirect to another host: %v", err)
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the other host received %d requests", n)
	}
	// A refused redirect is an answer: it is not asked again.
	if n := store.count(http.MethodGet, "/away"); n != 1 {
		t.Errorf("the redirecting link was asked %d times", n)
	}
}

// Storage's server errors are retried; a body that is not rows is not.
func TestDownloadsRetryWhatIsWorthIt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{}
	store := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls[r.URL.Path]++
		n := calls[r.URL.Path]
		mu.Unlock()
		switch {
		case r.URL.Path == "/busy" && n == 1:
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/busy":
			fmt.Fprint(w, `[["0"],["1"],["2"],["3"]]`)
		default:
			fmt.Fprint(w, `<html>not rows</html>`)
		}
	})
	read := func(path string) error {
		client, _ := fakeWorkspace(t, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
		  "total_chunk_count":1,"total_row_count":4,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":4}]},
		  "result":{"external_links":[`+linkOf(0, 0, 4, store.URL+path, `{}`)+`]}}`, nil)
		_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder())
		return err
	}
	if err := read("/busy"); err != nil || calls["/busy"] != 2 {
		t.Errorf("a 503, then rows: %v after %d requests", err, calls["/busy"])
	}
	if err := read("/page"); !errors.Is(err, databricks.ErrDownload) || calls["/page"] != 1 {
		t.Errorf("a page instead of rows: %v after %d requests", err, calls["/page"])
	}
}

// A workspace reached over https hands out https links; a plain http one is refused.
func TestLinksOfAnHTTPSWorkspaceMustBeHTTPS(t *testing.T) {
	t.Parallel()
	store := storageServer(t, map[string]string{"/c0": `[["0"]]`})
	ws := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
		  "total_chunk_count":1,"total_row_count":1,"chunks":[{"chunk_index":0,"row_offset":0,"row_count":1}]},
		  "result":{"external_links":[`+linkOf(0, 0, 1, store.URL+"/c0", `{}`)+`]}}`)
	}))
	t.Cleanup(ws.Close)
	client, err := databricks.New(databricks.Config{BaseURL: ws.URL, Credentials: databricks.PersonalAccessToken(testToken), Transport: ws.Client().Transport,
		LinkTransport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder())
	if err == nil || !strings.Contains(err.Error(), "not https") {
		t.Errorf("err = %v", err)
	}
	if n := len(store.requests()); n != 0 {
		t.Errorf("storage received %d requests", n)
	}
}

// The rows behind a link are checked as inline rows are: their number, their width,
// the chunk they belong to.
func TestLinkedRowsAreCheckedAgainstTheManifest(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ chunk0, link1, want string }{
		"more rows":   {`[["0"],["1"],["2"]]`, "", "holds more than the 2 rows"},
		"fewer rows":  {`[["0"]]`, "", "promises 2 rows in chunk 0 but it held 1"},
		"width":       {`[["0","x"],["1","y"]]`, "", "has 2 values for 1 columns"},
		"not rows":    {`{"data_array":[["0"],["1"]]}`, "", "must be a JSON array"},
		"empty":       {``, "", "the download is empty"},
		"wrong chunk": {`[["0"],["1"]]`, "0", "asked for chunk 1, received a link for chunk 0"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := storageServer(t, map[string]string{"/c0": tc.chunk0, "/c1": `[["2"],["3"]]`})
			link1 := linkOf(1, 2, 2, store.URL+"/c1", `{}`)
			if tc.link1 != "" {
				link1 = linkOf(0, 2, 2, store.URL+"/c1", `{}`)
			}
			client, _ := linkWorkspace(t, linkedStatement(linkOf(0, 0, 2, store.URL+"/c0", `{}`)), link1)
			rec := newRowRecorder()
			_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), rec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			for index := range rec.rows {
				if index < 0 || index >= 4 {
					t.Errorf("the handler was given row %d", index)
				}
			}
		})
	}
}

// A manifest that lists no chunks is read by following each chunk's link to the next,
// links to storage included.
func TestLinkedChunksFollowedWhenTheManifestListsNone(t *testing.T) {
	t.Parallel()
	store := storageServer(t, map[string]string{"/c0": `[["0"],["1"]]`, "/c1": `[["2"],["3"],["4"]]`})
	link0 := strings.TrimSuffix(linkOf(0, 0, 2, store.URL+"/c0", `{}`), "}") + `,"next_chunk_index":1,"next_chunk_internal_link":"` + chunkPath + `1?row_offset=2"}`
	client, ws := linkWorkspace(t, `{"statement_id":"s1","status":{"state":"SUCCEEDED"},"manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},
	  "total_chunk_count":2,"total_row_count":5},"result":{"external_links":[`+link0+`]}}`, linkOf(1, 2, 3, store.URL+"/c1", `{}`))
	res, err := client.Query(context.Background(), fakeQuery("SELECT i"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range res.Rows {
		got = append(got, row[0].Text)
	}
	if strings.Join(got, ",") != "0,1,2,3,4" {
		t.Errorf("rows %v", got)
	}
	if p := ws.paths(); len(p) != 2 || p[1] != chunkPath+"1?row_offset=2" {
		t.Errorf("workspace requests %v", p)
	}
}
