package databricks

// This file reads results of disposition EXTERNAL_LINKS: each chunk is a file on the
// workspace's cloud storage, reached through a presigned URL that Databricks hands out
// (with the statement for the first chunk, through the chunk API for the others).
//
// Those URLs carry their own short-lived credential, and storage refuses a request that
// carries another one, so downloads never go through the workspace's request path: they
// have an HTTP client of their own, with a connection pool of its own (whatever wraps the
// workspace's transport never sees them), and send no header of the workspace's. The URL
// is the workspace's to choose, and so possibly a hostile server's: it must be http(s),
// https when the workspace is, with no user info (Go would send it as an Authorization
// header); a redirect is followed only on the same host, where the headers the link asks
// for (a decryption key, say) may go. The URL's query is its credential: it is never
// logged and never in an error.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// externalLink is one element of a result's external_links.
type externalLink struct {
	ChunkIndex int    `json:"chunk_index"`
	RowOffset  int64  `json:"row_offset"`
	RowCount   int64  `json:"row_count"`
	URL        string `json:"external_link"`
	// Expiration is when the URL stops working (RFC 3339); a link about to expire is
	// asked for again rather than used.
	Expiration            string            `json:"expiration"`
	HTTPHeaders           map[string]string `json:"http_headers"`
	NextChunkIndex        *int              `json:"next_chunk_index"`
	NextChunkInternalLink string            `json:"next_chunk_internal_link"`
}

// Link downloads: at most this many fresh links per chunk, when storage refuses one (it
// expired, or the clock is off), and this margin before a link's expiration, under
// which it is renewed before use.
const (
	maxLinkRenewals = 2
	linkExpiryGrace = 5 * time.Second
	maxRedirects    = 3
)

// newLinkClient is the HTTP client of downloads.
func newLinkClient(transport http.RoundTripper) *http.Client {
	if transport == nil {
		transport = NewTransport()
	}
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			first := via[0].URL
			switch {
			case len(via) > maxRedirects:
				return &redirectRefusedError{fmt.Sprintf("more than %d redirects", maxRedirects)}
			case req.URL.Host != first.Host:
				return &redirectRefusedError{fmt.Sprintf("a redirect to another host (%s), which is not followed", req.URL.Host)}
			case req.URL.Scheme != first.Scheme && req.URL.Scheme != "https":
				return &redirectRefusedError{"a redirect from https to http, which is not followed"}
			case req.URL.User != nil:
				return &redirectRefusedError{"a redirect to a URL with user info, which is not followed"}
			}
			return nil
		},
	}
}

// redirectRefusedError is a redirect of a download that the client does not follow.
type redirectRefusedError struct{ reason string }

func (e *redirectRefusedError) Error() string { return e.reason }

// linkHeaderForbidden are headers a link may not ask for: credentials of another kind,
// which presigned URLs do not take and a hostile server could use to make the client
// send something it chose as one.
var linkHeaderForbidden = map[string]bool{"Authorization": true, "Proxy-Authorization": true, "Cookie": true}

// checkLink refuses a URL the client must not fetch.
func (c *Client) checkLink(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return nil, errors.New("the download link is not an absolute URL")
	case u.Scheme != "https" && (u.Scheme != "http" || !strings.HasPrefix(c.baseURL.String(), "http://")):
		return nil, fmt.Errorf("the download link on %s is not https", c.scrub().text(u.Host, maxErrorField))
	case u.User != nil:
		return nil, fmt.Errorf("the download link on %s carries user info, which would be sent as credentials", c.scrub().text(u.Host, maxErrorField))
	}
	return u, nil
}

// linkRefusedError is a download that storage answered with a 4xx: most often a link that
// expired, which a fresh link cures.
type linkRefusedError struct {
	status int
	code   string // the storage service's error code (S3's and Azure's <Code>), if any
}

func (e *linkRefusedError) Error() string {
	msg := fmt.Sprintf("cloud storage answered HTTP %d", e.status)
	if e.code != "" {
		msg += " " + e.code
	}
	return msg
}

var storageErrorCode = regexp.MustCompile(`<Code>\s*([A-Za-z0-9_.-]{1,64})\s*</Code>`)

// download reads the rows of link into stream: one GET of the link, retried on network
// errors, server errors and throttling, without ever handing a row on twice.
func (c *Client) download(ctx context.Context, link externalLink, stream *chunkStream) error {
	u, err := c.checkLink(link.URL)
	if err != nil {
		return &DownloadError{Chunk: link.ChunkIndex, Err: err}
	}
	started := time.Now()
	for attempt := 1; ; attempt++ {
		retryable, err := c.downloadOnce(ctx, u, link, stream)
		switch {
		case err == nil:
			return nil
		case stream.err != nil:
			return stream.err // the handler's, as it is
		}
		failed := &DownloadError{Chunk: link.ChunkIndex, Host: c.scrub().text(u.Host, maxErrorField), Attempts: attempt, Err: err}
		if !retryable || ctx.Err() != nil || attempt >= c.retry.MaxNetworkAttempts || time.Since(started) >= c.retry.MaxElapsed {
			return failed
		}
		c.logger.Debug(ctx, "Retrying a download", map[string]any{"chunk_index": link.ChunkIndex, "host": u.Host, "attempt": attempt, "reason": err.Error()})
		if sleep(ctx, c.retry.backoff(attempt)) != nil {
			return fmt.Errorf("%w (gave up retrying: %w)", failed, context.Cause(ctx))
		}
	}
}

// ErrDownload marks a result that could not be downloaded from the workspace's cloud
// storage; ErrLinkRefused, a download storage refused even with fresh links.
var (
	ErrDownload    = errors.New("downloading the result from cloud storage failed")
	ErrLinkRefused = errors.New("the result's download links were refused")
)

// DownloadError is a chunk of a large result that could not be downloaded.
type DownloadError struct {
	Chunk    int
	Host     string // the storage host; empty when the link was refused before any request
	Attempts int
	Err      error
}

func (e *DownloadError) Error() string {
	msg := fmt.Sprintf("downloading chunk %d", e.Chunk)
	if e.Host != "" {
		msg += " from " + e.Host
	}
	msg += ": " + e.Err.Error()
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return msg
}

func (e *DownloadError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDownload) true.
func (e *DownloadError) Is(target error) bool { return target == ErrDownload }

// downloadOnce is one GET of a link, and whether its failure is worth another attempt.
// The connection's timeout bounds the wait for each part of the answer rather than the
// whole download, which takes as long as the chunk is big.
func (c *Client) downloadOnce(ctx context.Context, u *url.URL, link externalLink, stream *chunkStream) (retryable bool, err error) {
	reqCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(c.timeout, func() { cancel(fmt.Errorf("no data for %s", c.timeout)) })
	defer idle.Stop()

	req, err := http.NewRequestWithContext(reqCtx, http.MethodGet, u.String(), nil)
	if err != nil {
		return false, errors.New("the download link is not a valid URL")
	}
	for name, value := range link.HTTPHeaders {
		if linkHeaderForbidden[textproto.CanonicalMIMEHeaderKey(name)] {
			return false, fmt.Errorf("the download link asks for the %s header, which the provider does not send to storage", textproto.CanonicalMIMEHeaderKey(name))
		}
		req.Header.Set(name, value)
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.links.Do(req)
	if err != nil {
		// A redirect the client refused is an answer, not a failure to reach storage.
		var refused *redirectRefusedError
		return !errors.As(err, &refused), c.downloadError(reqCtx, err)
	}
	defer resp.Body.Close()
	c.logger.Debug(ctx, "Download", map[string]any{"chunk_index": link.ChunkIndex, "host": u.Host, "status": resp.StatusCode})
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
		if resp.StatusCode >= 400 && resp.StatusCode <= 499 && resp.StatusCode != http.StatusTooManyRequests {
			e := &linkRefusedError{status: resp.StatusCode}
			if m := storageErrorCode.FindSubmatch(body); m != nil {
				e.code = string(m[1])
			}
			return false, e
		}
		return resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, fmt.Errorf("cloud storage answered HTTP %d", resp.StatusCode)
	}
	body := &idleReader{r: resp.Body, timer: idle, timeout: c.timeout}
	if err := stream.decodeRowsFrom(body); err != nil {
		if body.err != nil {
			return true, c.downloadError(reqCtx, body.err) // cut off mid-body
		}
		return false, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so that the connection is reused
	return false, nil
}

// downloadError says why a download failed below HTTP, without its URL (url.Error
// quotes it whole, query and signature included).
func (c *Client) downloadError(reqCtx context.Context, err error) error {
	if cause := context.Cause(reqCtx); cause != nil {
		return cause
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return errors.New(c.scrub().text(err.Error(), maxPageText))
}

// idleReader pushes the timer of a download back at every read that brings data, and
// remembers the first read error, so that a connection lost mid-body is told apart from
// a body that is not JSON.
type idleReader struct {
	r       io.Reader
	timer   *time.Timer
	timeout time.Duration
	err     error
}

func (ir *idleReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	if n > 0 {
		ir.timer.Reset(ir.timeout)
	}
	if err != nil && err != io.EOF && ir.err == nil {
		ir.err = err
	}
	return n, err
}

// decodeRowsFrom reads what a JSON_ARRAY link serves: the chunk's rows, as one array.
func (c *chunkStream) decodeRowsFrom(r io.Reader) error {
	*c = chunkStream{onRow: c.onRow, delivered: c.delivered}
	s := newStreamScanner(r)
	s.skipSpace()
	if !s.at() {
		return s.early("the download is empty")
	}
	c.data = true
	if _, err := c.dataArray(s, nil); err != nil {
		return err
	}
	c.decoded = true
	return nil
}

// expiresSoon reports whether a link's expiration is passed or nearly so. A link whose
// expiration cannot be read is tried as it is.
func (l externalLink) expiresSoon(now time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, l.Expiration)
	return err == nil && now.Add(linkExpiryGrace).After(t)
}

// readLinks downloads chunk ch from the link among links that serves it, handing its
// rows to onRow. A link that expires before it is used, or that storage refuses, is
// replaced by a fresh one from the chunk API, at most maxLinkRenewals times.
func (r *resultReader) readLinks(ctx context.Context, ch ChunkInfo, links []externalLink, onRow func(int64, Row) error) (*chunkStream, error) {
	link, err := r.linkFor(ch.ChunkIndex, links)
	if err != nil {
		return nil, err
	}
	stream := &chunkStream{onRow: onRow}
	for renewals := 0; ; renewals++ {
		canRenew := renewals < maxLinkRenewals
		if canRenew && link.expiresSoon(time.Now()) {
			r.c.logger.Debug(ctx, "Download link expired; asking for a fresh one", map[string]any{"statement_id": r.id, "chunk_index": ch.ChunkIndex})
			if link, err = r.renewLink(ctx, ch.ChunkIndex); err != nil {
				return nil, err
			}
			continue
		}
		err := r.c.download(ctx, link, stream)
		var refused *linkRefusedError
		switch {
		case stream.err != nil:
			return nil, stream.err // the handler's, as it is
		case errors.As(err, &refused) && canRenew:
			r.c.logger.Debug(ctx, "Download refused; asking for a fresh link", map[string]any{"statement_id": r.id, "chunk_index": ch.ChunkIndex, "reason": err.Error()})
			if link, err = r.renewLink(ctx, ch.ChunkIndex); err != nil {
				return nil, err
			}
		case errors.As(err, &refused):
			return nil, fmt.Errorf("statement %s: %w, and again with %d fresh links: %w", r.id, err, maxLinkRenewals, ErrLinkRefused)
		case err != nil:
			return nil, fmt.Errorf("statement %s: %w", r.id, err)
		default:
			return stream, nil
		}
	}
}

// linkFor picks the link of chunk index.
func (r *resultReader) linkFor(index int, links []externalLink) (externalLink, error) {
	for _, l := range links {
		if l.ChunkIndex == index {
			return l, nil
		}
	}
	return externalLink{}, fmt.Errorf("statement %s: asked for chunk %d, received a link for chunk %d", r.id, index, links[0].ChunkIndex)
}

// renewLink asks the chunk API for a fresh link to chunk index.
func (r *resultReader) renewLink(ctx context.Context, index int) (externalLink, error) {
	noRows := func(int64, Row) error {
		return fmt.Errorf("statement %s: chunk %d came with rows where a download link was asked for", r.id, index)
	}
	got, err := r.fetch(ctx, chunkPath(r.id, index), fmt.Sprintf("a fresh link to chunk %d", index), noRows)
	if err != nil {
		return externalLink{}, err
	}
	if len(got.ExternalLinks) == 0 {
		return externalLink{}, fmt.Errorf("statement %s: asked for a fresh link to chunk %d, received none", r.id, index)
	}
	return r.linkFor(index, got.ExternalLinks)
}

// readLinkedLinks downloads the links of a chunk read by following links (the manifest
// lists no chunks), in order, counting the rows into received and the chunks into
// chunk. It returns where the next chunk is: got's own links, or else its last link's.
func (r *resultReader) readLinkedLinks(ctx context.Context, got *chunkStream, received *int64, chunk *int, onRow func(int64, Row) error) (*chunkStream, error) {
	for _, link := range got.ExternalLinks {
		ch := ChunkInfo{ChunkIndex: link.ChunkIndex, RowOffset: *received, RowCount: r.manifest.TotalRowCount - *received}
		rows, err := r.readLinks(ctx, ch, []externalLink{link}, onRow)
		if err != nil {
			return nil, err
		}
		*received += rows.rows
		*chunk++
	}
	next := &chunkStream{NextChunkIndex: got.NextChunkIndex, NextChunkInternalLink: got.NextChunkInternalLink}
	if last := got.ExternalLinks[len(got.ExternalLinks)-1]; next.NextChunkIndex == nil && next.NextChunkInternalLink == "" {
		next.NextChunkIndex, next.NextChunkInternalLink = last.NextChunkIndex, last.NextChunkInternalLink
	}
	return next, nil
}
