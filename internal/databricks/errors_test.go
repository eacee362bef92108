package databricks

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func response(status int, header http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{
		StatusCode: status,
		Header:     header,
		Request:    &http.Request{Method: "GET", URL: &url.URL{Path: "/api/2.0/sql/warehouses/abc", RawQuery: "page_token=secret"}},
	}
}

func TestNewAPIErrorBodies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		status        int
		header        http.Header
		body          string
		code, message string
		requestID     string
		sentinel      error
	}{
		{
			name: "string error_code with request info", status: 404,
			body: `{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Warehouse abc does not exist.","details":[{"@type":"type.googleapis.com/google.rpc.RequestInfo","request_id":"req-1"}]}`,
			code: "RESOURCE_DOES_NOT_EXIST", message: "Warehouse abc does not exist.", requestID: "req-1", sentinel: ErrNotFound,
		},
		{
			name: "numeric error_code", status: 403, header: http.Header{"X-Databricks-Reason-Phrase": {"Invalid access token."}},
			body: `{"error_code": 403, "message": "Invalid access token."}`,
			code: "403", message: "Invalid access token.", sentinel: ErrPermissionDenied,
		},
		{
			name: "401 with request id in the message", status: 401,
			body: `{"error_code":401,"message":"Credential was not sent or was of an unsupported type for this API. [ReqId: 8a1b]"}`,
			code: "401", message: "Credential was not sent or was of an unsupported type for this API. [ReqId: 8a1b]", requestID: "8a1b", sentinel: ErrUnauthenticated,
		},
		{
			name: "HTML page of an older workspace", status: 403,
			body:    "<html>\n<head>\n<title>Error 403 Invalid access token.</title>\n</head>\n<body><h2>HTTP ERROR 403</h2></body></html>",
			message: "Invalid access token.", sentinel: ErrPermissionDenied,
		},
		{
			name: "HTML without a title", status: 502,
			body:    "<!DOCTYPE html><html><body><h1>Bad   gateway</h1><p>upstream &amp; down</p></body></html>",
			message: "Bad gateway upstream & down",
		},
		{
			name: "plain CODE: message text", status: 400,
			body: "INVALID_PARAMETER_VALUE: wait_timeout must be 0s or between 5s and 50s",
			code: "INVALID_PARAMETER_VALUE", message: "wait_timeout must be 0s or between 5s and 50s", sentinel: ErrBadRequest,
		},
		{
			name: "empty body uses the reason phrase header", status: 503, header: http.Header{"X-Databricks-Reason-Phrase": {"Temporarily unavailable"}, "Retry-After": {"7"}},
			message: "Temporarily unavailable", sentinel: ErrUnavailable,
		},
		{
			name: "empty body and no header uses the status text", status: 429,
			message: "Too Many Requests", sentinel: ErrTooManyRequests,
		},
		{
			name: "broken JSON is kept as text", status: 500,
			body: `{"error_code":"INTERNAL_ERROR","message":`, message: `{"error_code":"INTERNAL_ERROR","message":`, sentinel: ErrInternal,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newAPIError(response(tc.status, tc.header), []byte(tc.body), scrubber{})
			if e.ErrorCode != tc.code || e.Message != tc.message || e.RequestID != tc.requestID {
				t.Errorf("got code %q message %q request id %q, want %q %q %q", e.ErrorCode, e.Message, e.RequestID, tc.code, tc.message, tc.requestID)
			}
			if tc.sentinel != nil && !errors.Is(e, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", e, tc.sentinel)
			}
			if strings.Contains(e.Error(), "page_token") {
				t.Errorf("the error repeats the query string: %q", e.Error())
			}
		})
	}
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	e := newAPIError(response(403, nil), []byte(`{"error_code":403,"message":"Invalid access token."}`), scrubber{})
	if got, want := e.Error(), "HTTP 403: Invalid access token. (GET /api/2.0/sql/warehouses/abc)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	e = newAPIError(response(503, http.Header{"Retry-After": {"3"}, "X-Request-Id": {"r-9"}}), []byte(`{"error_code":"TEMPORARILY_UNAVAILABLE","message":"Try later"}`), scrubber{})
	e.Attempts = 4
	if got, want := e.Error(), "HTTP 503 TEMPORARILY_UNAVAILABLE: Try later (GET /api/2.0/sql/warehouses/abc, request id r-9) after 4 attempts"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if e.RetryAfter != 3*time.Second || !e.Retryable() {
		t.Errorf("RetryAfter = %v, Retryable = %v", e.RetryAfter, e.Retryable())
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "5": 5 * time.Second, " 12 ": 12 * time.Second, "-3": 0, "soon": 0, "86400": 24 * time.Hour,
		// Seconds that overflow a Duration (or an int64) are a very long wait, not a negative one.
		"86401": maxRetryAfter, "9223372037": maxRetryAfter, "99999999999999999999999": maxRetryAfter,
	} {
		if got := parseRetryAfter(in); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	future := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	if got := parseRetryAfter(future); got < 25*time.Second || got > 31*time.Second {
		t.Errorf("parseRetryAfter(HTTP date 30s ahead) = %v", got)
	}
	if got := parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT"); got != maxRetryAfter {
		t.Errorf("parseRetryAfter(a date in the year 9999) = %v", got)
	}
}

// FuzzNewAPIError: any body in, a readable error out, never a panic.
func FuzzNewAPIError(f *testing.F) {
	for _, seed := range []string{`{"error_code":403,"message":"x"}`, `<html><title>t</title>`, "CODE: msg", `{"error_code":{"a":1}}`, "\x00\xff"} {
		f.Add(403, seed)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		e := newAPIError(response(status, nil), []byte(body), scrubber{})
		if e.Message == "" && http.StatusText(status) != "" {
			t.Fatalf("no message for status %d body %q", status, body)
		}
		_ = e.Error()
	})
}

func TestCutSaysHowMuchWasCut(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"abcdefghijkl", 10, "abcdefghij… (2 more bytes cut)"},
		{"aéé", 2, "a… (4 more bytes cut)"}, // never half a character
	} {
		if got := cut(tc.in, tc.n); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestScrubber(t *testing.T) {
	t.Parallel()
	sc := scrubber{secrets: []string{"s3cr3t-client-secret"}}
	in := "a s3cr3t-client-secret, an Authorization: bearer abc.def-ghi; a dapi0123456789abcdef0123456789abcdef-2 token"
	want := "a [REDACTED], an Authorization: Bearer [REDACTED]; a [REDACTED] token"
	if got := sc.text(in, 1000); got != want {
		t.Errorf("text(%q) = %q, want %q", in, got, want)
	}
	// A secret is blanked before the cut, so a cut through it leaves none of it.
	if got := sc.text("xx s3cr3t-client-secret", 8); strings.Contains(got, "s3cr") {
		t.Errorf("a cut left part of the secret: %q", got)
	}
}
