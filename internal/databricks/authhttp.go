package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// authHTTP sends the requests credentials make for themselves. They follow the rules of
// the workspace's own requests (WIRE.md): no redirect is followed (a client secret in a
// Basic header must not travel to wherever a Location points), each attempt has the
// request timeout, and only what was certainly not processed is sent again. Answers are
// read whole but bounded, and logged without bodies.
type authHTTP struct {
	authType  string
	client    *http.Client
	userAgent string
	timeout   time.Duration
	logger    Logger
	retry     RetryPolicy
}

func newAuthHTTP(authType string, o FetchOptions) *authHTTP {
	return &authHTTP{
		authType: authType,
		client: &http.Client{
			Transport:     o.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		userAgent: o.UserAgent, timeout: o.Timeout, logger: o.Logger, retry: o.Retry,
	}
}

// authRequest is one request of credentials.
type authRequest struct {
	step     string
	method   string
	endpoint *url.URL
	form     url.Values // the POST body, form-encoded
	// basicUser and basicPassword, when set, authenticate the client with HTTP Basic
	// (client_secret_basic), each form-encoded first as RFC 6749 section 2.3.1 says.
	basicUser, basicPassword string
	bearer                   string // GitHub Actions' request token
	// readOnly marks a GET, which may be sent again after a connection lost on the way.
	readOnly bool
}

// maxAuthAnswer bounds a token endpoint's or discovery answer: a token response is a
// few KiB; anything far larger is not one.
const maxAuthAnswer = 1 << 20

// send returns the body of a 2xx answer. Every failure is a *CredentialsError at r.step,
// its text scrubbed of every secret c knows.
func (h *authHTTP) send(ctx context.Context, c *tokenCredentials, r authRequest) ([]byte, error) {
	var payload []byte
	if r.form != nil {
		payload = []byte(r.form.Encode())
	}
	cl := call{method: r.method, path: r.endpoint.Path, retrySafe: r.readOnly}
	first := time.Now()
	for attempt := 1; ; attempt++ {
		body, status, err := h.attempt(ctx, c, r, payload, attempt)
		if err == nil {
			return body, nil
		}
		wait, retry, _ := h.retry.retryWait(ctx, cl, err, attempt, time.Since(first))
		if retry && sleep(ctx, wait) == nil && ctx.Err() == nil {
			continue
		}
		return nil, h.failure(c, r, status, body, err)
	}
}

// attempt sends r once. A non-2xx answer returns its status and (bounded) body with an
// *APIError, which carries what the retry decision needs (the status, Retry-After).
func (h *authHTTP) attempt(ctx context.Context, c *tokenCredentials, r authRequest, payload []byte, attempt int) ([]byte, int, error) {
	reqCtx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(reqCtx, r.method, r.endpoint.String(), body)
	if err != nil {
		return nil, 0, fmt.Errorf("building the %s request: %w", r.step, err)
	}
	req.Header.Set("User-Agent", h.userAgent)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.basicUser != "" {
		req.SetBasicAuth(url.QueryEscape(r.basicUser), url.QueryEscape(r.basicPassword))
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}

	started := time.Now()
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, 0, h.transportError(ctx, reqCtx, c, r, err)
	}
	defer resp.Body.Close()
	h.logger.Debug(ctx, "Databricks credentials request", map[string]any{
		"auth_type": h.authType, "step": r.step, "method": r.method, "host": r.endpoint.Host, "path": r.endpoint.Path,
		"status": resp.StatusCode, "attempt": attempt, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		return nil, resp.StatusCode, newRedirectError(call{method: r.method, path: r.endpoint.Path}, resp, c.scrubber())
	}
	limit := int64(maxAuthAnswer)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = 64 << 10
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, 0, h.transportError(ctx, reqCtx, c, r, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return answer[:min(int64(len(answer)), limit)], resp.StatusCode, newAPIError(resp, answer, c.scrubber())
	}
	if int64(len(answer)) > limit {
		return nil, resp.StatusCode, &MalformedResponseError{Method: r.method, Path: r.endpoint.Path, StatusCode: resp.StatusCode,
			Err: fmt.Errorf("the answer is larger than %d bytes", limit)}
	}
	return answer, resp.StatusCode, nil
}

func (h *authHTTP) transportError(parent, reqCtx context.Context, c *tokenCredentials, r authRequest, err error) error {
	if parent.Err() != nil {
		return fmt.Errorf("%s %s: %w", r.method, r.endpoint.Path, context.Cause(parent))
	}
	if errors.Is(reqCtx.Err(), context.DeadlineExceeded) {
		return &TimeoutError{Method: r.method, Path: r.endpoint.Path, Timeout: h.timeout}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // url.Error repeats the whole URL, query string included
	}
	return &NetworkError{Method: r.method, Path: r.endpoint.Path, Host: r.endpoint.Host, Err: err,
		detail: c.scrubber().text(err.Error(), maxPageText)}
}

// failure turns the last attempt's outcome into a *CredentialsError.
func (h *authHTTP) failure(c *tokenCredentials, r authRequest, status int, body []byte, err error) *CredentialsError {
	e := &CredentialsError{AuthType: h.authType, Step: r.step, Endpoint: endpointText(r.endpoint)}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		e.Err = err
		return e
	}
	e.StatusCode = status
	var oauth struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"` // GitHub's shape
	}
	if json.Unmarshal(bytes.TrimSpace(body), &oauth) == nil && (oauth.Error != "" || oauth.Message != "") {
		sc := c.scrubber()
		e.Code = sc.text(oauth.Error, maxErrorField)
		e.Description = sc.text(collapseSpace(firstNonEmpty(oauth.Description, oauth.Message)), maxDescription)
	} else {
		// Not OAuth's shape: a proxy's page or Databricks' own error body, already read
		// (and scrubbed) as an APIError.
		e.Description = apiErr.Message
		if apiErr.ErrorCode != "" && apiErr.ErrorCode != strconv.Itoa(status) {
			e.Code = apiErr.ErrorCode
		}
	}
	return e
}

// maxDescription bounds a server's error_description in an error: Entra ID's carry trace
// ids and a timestamp after the message.
const maxDescription = 1000

// firstNonEmpty returns the first of its arguments that is not empty.
func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// endpointText is an endpoint as errors name it: without the query string, user info and
// fragment, which may carry secrets.
func endpointText(u *url.URL) string {
	clean := *u
	clean.User, clean.RawQuery, clean.ForceQuery, clean.Fragment, clean.RawFragment = nil, "", false, "", ""
	return clean.String()
}

// tokenAnswer is the part of an OAuth token response (and of Entra ID's) this client
// uses.
type tokenAnswer struct {
	AccessToken string  `json:"access_token"`
	TokenType   string  `json:"token_type"`
	ExpiresIn   seconds `json:"expires_in"`
}

// maxTokenLifetime caps a lifetime before it becomes a time: a hostile expires_in must
// not overflow into the past, and no access token lives longer than this.
const maxTokenLifetime = 366 * 24 * time.Hour

// seconds is a number sent as a JSON number or as a string (Entra ID's v1 endpoint and
// the Azure CLI quote some of theirs): a lifetime or a Unix time.
type seconds struct {
	n   float64
	set bool
}

func (s *seconds) UnmarshalJSON(data []byte) error {
	text := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if text == "" || text == "null" {
		return nil
	}
	n, err := strconv.ParseFloat(text, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return fmt.Errorf("not a number of seconds")
	}
	s.n, s.set = n, true
	return nil
}

// duration is s as a lifetime, capped so that a hostile number cannot overflow.
func (s seconds) duration() time.Duration {
	return time.Duration(min(s.n, maxTokenLifetime.Seconds()) * float64(time.Second))
}

// parseTokenAnswer reads a token endpoint's 2xx answer. started is when the request was
// sent: the lifetime counts from then, so the expiry errs early rather than late.
func parseTokenAnswer(body []byte, started time.Time) (issuedToken, string) {
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		// Never the body itself: it may hold a token.
		return issuedToken{}, fmt.Sprintf("the answer is not an OAuth token response (%d bytes that are not its JSON: %s)", len(body), describeJSONError(err))
	}
	if problem := checkAccessToken(a.AccessToken, a.TokenType); problem != "" {
		return issuedToken{}, problem
	}
	tok := issuedToken{value: a.AccessToken}
	if a.ExpiresIn.set && a.ExpiresIn.duration() > 0 {
		tok.expiry = started.Add(a.ExpiresIn.duration())
	}
	return tok, ""
}

// checkAccessToken says what is wrong with a token a source was given, if anything: it
// goes into an Authorization header, which must not carry white space or control
// characters (they would split or smuggle headers).
func checkAccessToken(token, tokenType string) string {
	switch {
	case token == "":
		return "the answer has no access_token"
	case strings.IndexFunc(token, func(r rune) bool { return r <= ' ' || r >= 0x7f || unicode.IsSpace(r) }) >= 0:
		return "the access_token contains characters an HTTP header cannot carry"
	case tokenType != "" && !strings.EqualFold(tokenType, "Bearer"):
		return fmt.Sprintf("the token_type is %q, not Bearer", truncate(tokenType, 20))
	}
	return ""
}

// describeJSONError names what was wrong without quoting the input.
func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid JSON at byte %d", syntax.Offset)
	case errors.As(err, &typeErr):
		return fmt.Sprintf("field %s is a JSON %s", typeErr.Field, typeErr.Value)
	default:
		return "a field has the wrong type"
	}
}
