package emulator

// Results of disposition EXTERNAL_LINKS are not in the API's answers: Databricks puts
// each chunk on the workspace's cloud storage and answers presigned URLs to it. The
// emulator does the same with a second listener, its "cloud storage", apart from the API
// and behaving as S3, Azure Blob and GCS do with a presigned URL:
//
//   - the URL's query is its credential: an HMAC of the statement, chunk, expiry and
//     issue time under a key of the emulator's, so a URL changed by hand is refused
//     (403 SignatureDoesNotMatch);
//   - a request carrying an Authorization header is refused (400 InvalidArgument), as
//     storage refuses a second credential: a client that sends its workspace token
//     there is caught;
//   - a URL past its expiry answers 403 AccessDenied "Request has expired"; links live
//     Options.LinkTTL (15 minutes by default, Databricks' figure);
//   - each link asks for a header (http_headers), as an encryption key would be, and a
//     download without it is refused.
//
// The chunk itself is the JSON_ARRAY rows, one JSON array, as Databricks serves it.

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// EndpointDownload is a GET of an external link, on the storage listener.
const EndpointDownload Endpoint = "storage.download"

// FaultLinkExpired answers a download 403 AccessDenied "Request has expired", as storage
// does once a link's expiration has passed; aim it at storage.download.
const FaultLinkExpired FaultKind = "link_expired"

// defaultLinkTTL is how long Databricks' external links work: at most 15 minutes.
const defaultLinkTTL = 15 * time.Minute

// linkKeyHeader is the header every link asks for in http_headers.
const linkKeyHeader = "X-Emulator-Chunk-Key"

// externalLinkJSON is one element of a result's external_links.
type externalLinkJSON struct {
	ChunkIndex            int               `json:"chunk_index"`
	RowOffset             int64             `json:"row_offset"`
	RowCount              int64             `json:"row_count"`
	ByteCount             int64             `json:"byte_count"`
	ExternalLink          string            `json:"external_link"`
	Expiration            string            `json:"expiration"`
	HTTPHeaders           map[string]string `json:"http_headers,omitempty"`
	NextChunkIndex        *int              `json:"next_chunk_index,omitempty"`
	NextChunkInternalLink string            `json:"next_chunk_internal_link,omitempty"`
}

// storage signs and serves external links.
type storage struct {
	key []byte
	// url is the base URL of the storage listener; "" when the emulator serves no
	// listener of its own (New without Start), which then refuses EXTERNAL_LINKS.
	url string
}

func newStorage() (*storage, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("emulator: a key for external links: %w", err)
	}
	return &storage{key: key}, nil
}

func (s *storage) sign(statementID string, chunk int, expires, issued int64) string {
	mac := hmac.New(sha256.New, s.key)
	fmt.Fprintf(mac, "%s\n%d\n%d\n%d", statementID, chunk, expires, issued)
	return hex.EncodeToString(mac.Sum(nil))
}

// chunkKey is the value a chunk's download must carry in linkKeyHeader.
func (s *storage) chunkKey(statementID string, chunk int) string {
	return s.sign(statementID, chunk, 0, 0)[:32]
}

// externalChunk is chunk i of a result as EXTERNAL_LINKS serves it: a fresh link to its
// rows, with the chunk's description and the way to the next one.
func (e *Emulator) externalChunk(statementID string, r *resultSet, i int) resultDataJSON {
	inline := r.chunk(statementID, i)
	if i >= len(r.chunks) {
		return inline // a result without rows has no chunk to link to
	}
	now := time.Now()
	expires := now.Add(e.opts.LinkTTL)
	link := externalLinkJSON{
		ChunkIndex: inline.ChunkIndex, RowOffset: inline.RowOffset, RowCount: inline.RowCount, ByteCount: inline.ByteCount,
		ExternalLink: fmt.Sprintf("%s/results/%s/%d?expires=%d&issued=%d&signature=%s", e.storage.url, statementID, i, expires.Unix(), now.UnixNano(),
			e.storage.sign(statementID, i, expires.Unix(), now.UnixNano())),
		Expiration:            expires.UTC().Format(time.RFC3339Nano),
		HTTPHeaders:           map[string]string{linkKeyHeader: e.storage.chunkKey(statementID, i)},
		NextChunkIndex:        inline.NextChunkIndex,
		NextChunkInternalLink: inline.NextChunkInternalLink,
	}
	return resultDataJSON{ChunkIndex: inline.ChunkIndex, RowOffset: inline.RowOffset, RowCount: inline.RowCount, ByteCount: inline.ByteCount,
		ExternalLinks: []externalLinkJSON{link}, NextChunkIndex: inline.NextChunkIndex, NextChunkInternalLink: inline.NextChunkInternalLink}
}

// storageError answers the way S3 does, in XML.
func storageError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>\n", code, message)
}

// serveStorage answers a download. It is the storage listener's handler: it knows no
// token and records its requests in the same log as the API, without their query, which
// is the link's credential.
func (e *Emulator) serveStorage(w http.ResponseWriter, r *http.Request) {
	x, end := e.begin(w, r, Request{Time: time.Now(), Endpoint: EndpointDownload, Method: r.Method, Path: r.URL.Path, UserAgent: r.UserAgent()}, newRequestID())
	defer end()
	sw := x.w
	if !e.delay(r) {
		return
	}
	if r.Header.Get("Authorization") != "" {
		storageError(sw, http.StatusBadRequest, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
		return
	}
	if r.Method != http.MethodGet {
		storageError(sw, http.StatusMethodNotAllowed, "MethodNotAllowed", "The specified method is not allowed against this resource.")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	expires, errExp := strconv.ParseInt(q.Get("expires"), 10, 64)
	issued, errIss := strconv.ParseInt(q.Get("issued"), 10, 64)
	if len(parts) != 3 || parts[0] != "results" || errExp != nil || errIss != nil {
		storageError(sw, http.StatusForbidden, "AccessDenied", "Access Denied")
		return
	}
	id := parts[1]
	chunk, err := strconv.Atoi(parts[2])
	x.setStatementID(id)
	if err != nil || !hmac.Equal([]byte(q.Get("signature")), []byte(e.storage.sign(id, chunk, expires, issued))) {
		storageError(sw, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	}
	f, faulty := e.faults.pick(EndpointDownload)
	if faulty {
		e.log.update(x.entry, func(r *Request) { r.Fault = f.Kind })
	}
	if time.Now().Unix() > expires || faulty && f.Kind == FaultLinkExpired {
		storageError(sw, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	}
	if r.Header.Get(linkKeyHeader) != e.storage.chunkKey(id, chunk) {
		storageError(sw, http.StatusBadRequest, "InvalidRequest", "The object was stored using a form of encryption whose key the request does not carry ("+linkKeyHeader+").")
		return
	}
	if faulty && e.injectHTTPFault(x, f) {
		return
	}
	st, ok := e.statements.lookup(id, e.opts.ResultTTL)
	v := statementView{}
	if ok {
		v = st.view()
	}
	if !ok || v.result == nil || chunk < 0 || chunk >= len(v.result.chunks) {
		storageError(sw, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	c := v.result.chunks[chunk]
	sw.Header().Set("Content-Type", "application/octet-stream")
	sw.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(sw)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v.result.rows[c.RowOffset : c.RowOffset+c.RowCount])
}

// serveStorage starts the storage listener beside an API listener on host, over TLS
// when the API is, and points the emulator's links at it.
func (s *Server) serveStorage(host string, tlsConfig *tls.Config) error {
	st, err := newStorage()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return fmt.Errorf("emulator: the storage listener: %w", err)
	}
	scheme := "http://"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https://"
	}
	st.url = scheme + ln.Addr().String()
	s.storage, s.StorageURL = st, st.url
	s.storageSrv = &http.Server{Handler: http.HandlerFunc(s.Emulator.serveStorage), ReadHeaderTimeout: 30 * time.Second}
	s.storageDone = make(chan struct{})
	go func() {
		defer close(s.storageDone)
		_ = s.storageSrv.Serve(ln)
	}()
	return nil
}

// closeStorage stops the storage listener, if it runs, at once: a download is a read
// that a client can start again, and waiting for connections that clients opened but
// never used (Shutdown counts them as busy for seconds) would only slow tests down.
func (s *Server) closeStorage() {
	if s.storageSrv == nil {
		return
	}
	_ = s.storageSrv.Close()
	<-s.storageDone
}
