package databricks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinels for errors.Is. An *APIError matches the sentinel of its HTTP status class,
// the way the Databricks SDK maps them, so callers never compare status codes by hand.
var (
	ErrBadRequest       = errors.New("bad request")
	ErrUnauthenticated  = errors.New("unauthenticated")
	ErrPermissionDenied = errors.New("permission denied")
	ErrNotFound         = errors.New("not found")
	ErrConflict         = errors.New("conflict")
	ErrTooManyRequests  = errors.New("too many requests")
	ErrInternal         = errors.New("internal error")
	ErrUnavailable      = errors.New("temporarily unavailable")
	ErrDeadlineExceeded = errors.New("deadline exceeded")

	// ErrRedirect marks a response that pointed elsewhere (3xx), which was not followed.
	ErrRedirect = errors.New("redirect not followed")

	// ErrMalformedResponse marks a 2xx response whose body is not the JSON the API promises
	// (a proxy's HTML page, a truncated body).
	ErrMalformedResponse = errors.New("malformed response")
)

var statusSentinels = map[int]error{
	http.StatusBadRequest:          ErrBadRequest,
	http.StatusUnauthorized:        ErrUnauthenticated,
	http.StatusForbidden:           ErrPermissionDenied,
	http.StatusNotFound:            ErrNotFound,
	http.StatusConflict:            ErrConflict,
	http.StatusTooManyRequests:     ErrTooManyRequests,
	http.StatusInternalServerError: ErrInternal,
	http.StatusServiceUnavailable:  ErrUnavailable,
	http.StatusGatewayTimeout:      ErrDeadlineExceeded,
}

// APIError is a request Databricks answered with a non-2xx status.
type APIError struct {
	Method     string
	Path       string // without the query string, which may carry page tokens
	StatusCode int
	// ErrorCode is Databricks' error_code: usually a name such as RESOURCE_DOES_NOT_EXIST,
	// but some endpoints send a number (403), kept here as its decimal text.
	ErrorCode  string
	Message    string
	RequestID  string
	RetryAfter time.Duration // from the Retry-After header; zero when absent
	// Attempts is how many times the request was sent; more than one when retries ran out.
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.ErrorCode != "" && e.ErrorCode != strconv.Itoa(e.StatusCode) {
		b.WriteString(" " + e.ErrorCode)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Method != "" {
		fmt.Fprintf(&b, " (%s %s", e.Method, e.Path)
		if e.RequestID != "" {
			fmt.Fprintf(&b, ", request id %s", e.RequestID)
		}
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Is matches the sentinel of the error's HTTP status class.
func (e *APIError) Is(target error) bool {
	return statusSentinels[e.StatusCode] == target
}

// Retryable reports whether the request was certainly not processed, so that sending it
// again is safe whatever it does: 429 and 503, as the Databricks SDK treats them.
func (e *APIError) Retryable() bool {
	return e.StatusCode == http.StatusTooManyRequests ||
		e.StatusCode == http.StatusServiceUnavailable ||
		strings.Contains(e.ErrorCode, "REQUEST_LIMIT_EXCEEDED")
}

// errorCode accepts Databricks' error_code in either of the shapes seen on the wire:
// a string ("RESOURCE_DOES_NOT_EXIST") or a number (403, from the authentication layer).
type errorCode string

func (c *errorCode) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*c = errorCode(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(data, &n); err != nil {
		return err
	}
	*c = errorCode(n.String())
	return nil
}

type errorBody struct {
	ErrorCode errorCode `json:"error_code"`
	Message   string    `json:"message"`
	Details   []struct {
		Type      string `json:"@type"`
		RequestID string `json:"request_id"`
	} `json:"details"`
}

var (
	htmlTitle     = regexp.MustCompile(`(?is)<title>\s*(.*?)\s*</title>`)
	htmlTag       = regexp.MustCompile(`(?s)<[^>]*>`)
	plainCodeText = regexp.MustCompile(`^([A-Z][A-Z0-9_]+):\s*(.+)$`)
	reqIDInText   = regexp.MustCompile(`\[ReqId: ([^\]]+)\]`)
)

// maxPageText bounds how much of a body that is not Databricks JSON (an HTML page, plain
// text) goes into an error message: such a page is mostly markup and boilerplate.
const maxPageText = 300

// maxErrorField bounds a short field a server sends (an error code, a request id).
const maxErrorField = 100

// newAPIError reads whatever a non-2xx response carries (Databricks JSON with a string or
// numeric error_code, an HTML page from an older workspace or a proxy, or plain text) into
// one readable error. It never fails: an unreadable body still yields the status. Every
// text the server chose goes through sc first.
func newAPIError(resp *http.Response, body []byte, sc scrubber) *APIError {
	e := &APIError{
		StatusCode: resp.StatusCode,
		RequestID:  firstHeader(resp.Header, "X-Request-Id", "X-Databricks-Request-Id"),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After")),
	}
	if resp.Request != nil {
		e.Method = resp.Request.Method
		e.Path = resp.Request.URL.Path
	}

	limit := maxServerText
	var parsed errorBody
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) > 0 && trimmed[0] == '{' && json.Unmarshal(trimmed, &parsed) == nil:
		e.ErrorCode = string(parsed.ErrorCode)
		e.Message = parsed.Message
		for _, d := range parsed.Details {
			if d.RequestID != "" && e.RequestID == "" {
				e.RequestID = d.RequestID
			}
		}
	case looksLikeHTML(trimmed):
		limit = maxPageText
		if m := htmlTitle.FindSubmatch(trimmed); m != nil {
			e.Message = collapseSpace(html.UnescapeString(string(m[1])))
			// "Error 403 Invalid access token." carries its status again; keep the words.
			e.Message = strings.TrimSpace(strings.TrimPrefix(e.Message, fmt.Sprintf("Error %d", resp.StatusCode)))
		} else {
			e.Message = collapseSpace(html.UnescapeString(htmlTag.ReplaceAllString(string(trimmed), " ")))
		}
	case len(trimmed) > 0:
		limit = maxPageText
		text := collapseSpace(string(trimmed))
		if m := plainCodeText.FindStringSubmatch(text); m != nil {
			e.ErrorCode, e.Message = m[1], m[2]
		} else {
			e.Message = text
		}
	}
	if e.Message == "" {
		e.Message = resp.Header.Get("X-Databricks-Reason-Phrase")
	}
	if e.Message == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	e.Message = sc.text(e.Message, limit)
	e.ErrorCode = sc.text(e.ErrorCode, maxErrorField)
	if e.RequestID == "" {
		if m := reqIDInText.FindStringSubmatch(e.Message); m != nil {
			e.RequestID = m[1]
		}
	}
	e.RequestID = sc.text(e.RequestID, maxErrorField)
	return e
}

func looksLikeHTML(b []byte) bool {
	head := bytes.ToLower(b[:min(len(b), 512)])
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

// collapseSpace turns every run of white space into one space, so that a page's layout
// does not spread over a diagnostic.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate shortens s to at most n bytes plus an ellipsis, cutting between characters:
// half a character is invalid UTF-8, which shows as a replacement character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

// maxRetryAfter caps a Retry-After before it becomes a Duration: a number of seconds
// beyond about 292 years overflows one into a negative wait, which would mean retrying
// at once. Any wait this long is refused anyway, by the retry budget or the deadline.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as Databricks sends it (whole seconds); the HTTP-date
// form is accepted too because proxies in front of a workspace may use it.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter // too many digits to parse is a very long wait too
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// TimeoutError is a request that got no complete response within the per-request timeout.
type TimeoutError struct {
	Method, Path string
	Timeout      time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no response to %s %s within the %s request timeout", e.Method, e.Path, e.Timeout)
}

// Is lets callers treat a request timeout like any other deadline.
func (e *TimeoutError) Is(target error) bool { return target == ErrDeadlineExceeded }

// NetworkError is a request that failed below HTTP: DNS, refused or reset connections, TLS.
type NetworkError struct {
	Method, Path string
	Host         string
	Attempts     int
	Err          error
	// detail is Err's text as the message gives it: scrubbed and cut, because the
	// transport quotes what the server sent when it cannot parse it as HTTP.
	detail string
}

func (e *NetworkError) Error() string {
	detail := e.detail
	if detail == "" {
		detail = fmt.Sprint(e.Err)
	}
	msg := fmt.Sprintf("cannot reach %s (%s %s): %s", e.Host, e.Method, e.Path, detail)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	return msg
}

func (e *NetworkError) Unwrap() error { return e.Err }

// MalformedResponseError is a 2xx response whose body is not the promised JSON.
type MalformedResponseError struct {
	Method, Path string
	StatusCode   int
	Err          error
}

func (e *MalformedResponseError) Error() string {
	return fmt.Sprintf("HTTP %d from %s %s is not valid JSON (%v); a proxy or an outage page may be answering instead of the Databricks API", e.StatusCode, e.Method, e.Path, e.Err)
}

// Is makes errors.Is(err, ErrMalformedResponse) true.
func (e *MalformedResponseError) Is(target error) bool { return target == ErrMalformedResponse }

// RedirectError is a response that pointed elsewhere (3xx). The Databricks API never
// redirects: a redirect comes from a wrong Base URL, a sign-in page or a proxy, and
// following it could hand the token to whatever it points at, so it is reported instead.
type RedirectError struct {
	Method, Path string
	StatusCode   int
	// Location is where the response pointed, resolved against the request, without the
	// user info, query string and fragment that may carry secrets; empty when it named
	// nowhere.
	Location string
}

func newRedirectError(cl call, resp *http.Response, sc scrubber) *RedirectError {
	e := &RedirectError{Method: cl.method, Path: pathOnly(cl.path), StatusCode: resp.StatusCode}
	if loc, err := resp.Location(); err == nil {
		loc.User, loc.RawQuery, loc.ForceQuery, loc.Fragment, loc.RawFragment = nil, "", false, "", ""
		e.Location = sc.text(loc.String(), maxLocationText)
	}
	return e
}

// maxLocationText bounds how much of a Location header goes into an error.
const maxLocationText = 300

func (e *RedirectError) Error() string {
	to := "elsewhere"
	if e.Location != "" {
		to = "to " + e.Location
	}
	return fmt.Sprintf("HTTP %d from %s %s points %s, and the Databricks API does not redirect, so the request was not followed "+
		"and no credentials went there: check the Base URL (the workspace URL, with https://) and any proxy in between",
		e.StatusCode, e.Method, e.Path, to)
}

// Is makes errors.Is(err, ErrRedirect) true.
func (e *RedirectError) Is(target error) bool { return target == ErrRedirect }
