package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// wireLinks is a result whose rows are behind external links.
type wireLinks struct {
	ChunkIndex    int `json:"chunk_index"`
	ExternalLinks []struct {
		ChunkIndex            int               `json:"chunk_index"`
		RowOffset             int               `json:"row_offset"`
		RowCount              int               `json:"row_count"`
		ByteCount             int               `json:"byte_count"`
		ExternalLink          string            `json:"external_link"`
		Expiration            string            `json:"expiration"`
		HTTPHeaders           map[string]string `json:"http_headers"`
		NextChunkInternalLink string            `json:"next_chunk_internal_link"`
	} `json:"external_links"`
	DataArray json.RawMessage `json:"data_array"`
}

// linksOf runs sql with EXTERNAL_LINKS and returns the statement id and the first result.
func linksOf(t *testing.T, s *Server, sql string) (string, wireLinks) {
	t.Helper()
	st := mustSucceed(t, s, sql, map[string]any{"disposition": "EXTERNAL_LINKS", "format": "JSON_ARRAY"})
	c := do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+st.StatementID, nil)
	var resp struct {
		Result wireLinks `json:"result"`
	}
	c.decode(t, &resp)
	return st.StatementID, resp.Result
}

// download GETs a link the way storage is reached: with the link's headers and extra.
func download(t *testing.T, link string, headers map[string]string, extra ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		req.Header.Set(extra[i], extra[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A result of disposition EXTERNAL_LINKS has no rows in the API's answers: each chunk is
// a link to the storage listener, fresh on every request, serving the chunk's rows.
func TestExternalLinksServeTheResult(t *testing.T) {
	t.Parallel()
	s := start(t, Options{RowsPerChunk: 3, SampleTrips: -1})
	id, first := linksOf(t, s, "SELECT i, 'row ' || i AS label FROM range(10) t(i) ORDER BY i")
	if len(first.ExternalLinks) != 1 || first.DataArray != nil {
		t.Fatalf("first chunk: %+v", first)
	}
	link := first.ExternalLinks[0]
	u, err := url.Parse(link.ExternalLink)
	if err != nil || "http://"+u.Host != s.StorageURL || s.StorageURL == s.URL || link.RowCount != 3 || link.ByteCount == 0 {
		t.Fatalf("link %+v: storage is %s", link, s.StorageURL)
	}
	if exp, err := time.Parse(time.RFC3339Nano, link.Expiration); err != nil || time.Until(exp) > defaultLinkTTL || time.Until(exp) < defaultLinkTTL-time.Minute {
		t.Errorf("expiration %q", link.Expiration)
	}
	if status, body := download(t, link.ExternalLink, link.HTTPHeaders); status != http.StatusOK || strings.TrimSpace(body) != `[["0","row 0"],["1","row 1"],["2","row 2"]]` {
		t.Errorf("chunk 0: HTTP %d %s", status, body)
	}
	if !strings.HasSuffix(link.NextChunkInternalLink, "/result/chunks/1?row_offset=3") {
		t.Errorf("next chunk %q", link.NextChunkInternalLink)
	}
	var chunk2 wireLinks
	do(t, s, http.MethodGet, "/api/2.0/sql/statements/"+id+"/result/chunks/2", nil).decode(t, &chunk2)
	if len(chunk2.ExternalLinks) != 1 || chunk2.ExternalLinks[0].ChunkIndex != 2 || chunk2.ExternalLinks[0].RowOffset != 6 {
		t.Fatalf("chunk 2: %+v", chunk2)
	}
	l2 := chunk2.ExternalLinks[0]
	if status, body := download(t, l2.ExternalLink, l2.HTTPHeaders); status != http.StatusOK || strings.TrimSpace(body) != `[["6","row 6"],["7","row 7"],["8","row 8"]]` {
		t.Errorf("chunk 2: HTTP %d %s", status, body)
	}
	for _, r := range s.Log().Requests() {
		if r.Endpoint == EndpointDownload && (strings.Contains(r.Path, "?") || r.StatementID != id) {
			t.Errorf("download logged as %+v: the query is the link's credential", r)
		}
	}
	if n := s.Log().Count(EndpointDownload); n != 2 {
		t.Errorf("%d downloads logged", n)
	}
}

// Storage takes the link's own credential and nothing else: a request with an
// Authorization header, a link changed by hand, a link without its key header, a link
// past its expiration are all refused, as S3 refuses them.
func TestStorageRefusesWhatPresignedURLsRefuse(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SampleTrips: -1, LinkTTL: time.Second})
	_, first := linksOf(t, s, "SELECT 1 AS one")
	link := first.ExternalLinks[0]
	cases := []struct {
		name, link     string
		headers        map[string]string
		extra          []string
		status         int
		code, contains string
	}{
		{"workspace token", link.ExternalLink, link.HTTPHeaders, []string{"Authorization", "Bearer " + DefaultToken}, 400, "InvalidArgument", "Only one auth mechanism"},
		{"another chunk", strings.Replace(link.ExternalLink, "/0?", "/1?", 1), link.HTTPHeaders, nil, 403, "SignatureDoesNotMatch", ""},
		{"later expiry", strings.Replace(link.ExternalLink, "expires=", "expires=9", 1), link.HTTPHeaders, nil, 403, "SignatureDoesNotMatch", ""},
		{"no key", link.ExternalLink, nil, nil, 400, "InvalidRequest", linkKeyHeader},
	}
	for _, c := range cases {
		status, body := download(t, c.link, c.headers, c.extra...)
		if status != c.status || !strings.Contains(body, "<Code>"+c.code+"</Code>") || !strings.Contains(body, c.contains) {
			t.Errorf("%s: HTTP %d %s", c.name, status, body)
		}
	}
	// Expiry counts whole seconds: past the next one, the link is dead.
	time.Sleep(2100 * time.Millisecond)
	if status, body := download(t, link.ExternalLink, link.HTTPHeaders); status != http.StatusForbidden || !strings.Contains(body, "Request has expired") {
		t.Errorf("an expired link: HTTP %d %s", status, body)
	}
}

// FaultLinkExpired makes a download answer as an expired link does, without waiting.
func TestFaultLinkExpired(t *testing.T) {
	t.Parallel()
	s := start(t, Options{SampleTrips: -1})
	s.AddFault(Fault{Endpoint: EndpointDownload, Kind: FaultLinkExpired, Times: 1})
	_, first := linksOf(t, s, "SELECT 1 AS one")
	link := first.ExternalLinks[0]
	if status, body := download(t, link.ExternalLink, link.HTTPHeaders); status != http.StatusForbidden || !strings.Contains(body, "Request has expired") {
		t.Errorf("HTTP %d %s", status, body)
	}
	if status, _ := download(t, link.ExternalLink, link.HTTPHeaders); status != http.StatusOK {
		t.Errorf("after the fault: HTTP %d", status)
	}
}

// The INLINE limit is INLINE's: the same result read through links succeeds.
func TestExternalLinksPassTheInlineLimit(t *testing.T) {
	t.Parallel()
	s := start(t, Options{InlineLimit: 100, SampleTrips: -1})
	if st := query(t, s, "SELECT i FROM range(1000) t(i)"); st.Status.State != statementFailed {
		t.Fatalf("INLINE over the limit: %s", st.Status.State)
	}
	_, first := linksOf(t, s, "SELECT i FROM range(1000) t(i)")
	if len(first.ExternalLinks) != 1 || first.ExternalLinks[0].RowCount != 1000 {
		t.Errorf("EXTERNAL_LINKS: %+v", first)
	}
}
