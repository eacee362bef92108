package databricks

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Credentials authorize requests to one workspace as one identity. Implementations are
// safe for concurrent use. One value is meant to be shared by every client of the same
// identity (the provider keys them by auth type, workspace and principal), so that a
// token is fetched once per run rather than once per client.
//
// The interface has one method more than "give me a header": Refused lets the request
// path tell a refused token apart from a refused request, so that a token the workspace
// stopped accepting early (revoked, expired ahead of its expires_in) is replaced and the
// request sent once more, while a personal access token, which cannot change, is not.
type Credentials interface {
	// AuthType names the kind of credentials as Databricks unified authentication does:
	// one of the AuthType constants.
	AuthType() string
	// Authorization returns the Authorization header value, "Bearer <token>". Token-based
	// credentials fetch a token within ctx the first time and replace it before it
	// expires. A failure to get a token is a *CredentialsError; ctx ending while waiting
	// is ctx's error.
	Authorization(ctx context.Context) (string, error)
	// Refused tells the credentials that the workspace answered 401 or 403 to a request
	// sent with authorization. It reports whether Authorization may now give a different
	// value, worth sending the request once more: true for fetched tokens (the refused
	// one is dropped unless a newer one already replaced it), false for a personal access
	// token.
	Refused(authorization string) bool
	// Secrets lists every secret held or obtained so far (personal access token, client
	// secret, access tokens, the CI's identity tokens and request token), so that server
	// text and log fields can be scrubbed of them. It is asked again each time, because
	// tokens obtained later must be scrubbed too.
	Secrets() []string
}

// Auth types, named as Databricks unified authentication (the Databricks CLI, SDKs and
// Terraform provider) names them.
const (
	AuthTypePAT               = "pat"
	AuthTypeOAuthM2M          = "oauth-m2m"
	AuthTypeGitHubOIDC        = "github-oidc"
	AuthTypeEnvOIDC           = "env-oidc"
	AuthTypeFileOIDC          = "file-oidc"
	AuthTypeDatabricksCLI     = "databricks-cli"
	AuthTypeAzureClientSecret = "azure-client-secret"
	AuthTypeAzureCLI          = "azure-cli"
)

// PersonalAccessToken returns credentials that send token as it is. New validates it
// with ValidateToken.
func PersonalAccessToken(token string) Credentials { return patCredentials{token: token} }

type patCredentials struct{ token string }

func (patCredentials) AuthType() string { return AuthTypePAT }

func (p patCredentials) Authorization(context.Context) (string, error) {
	return "Bearer " + p.token, nil
}

func (patCredentials) Refused(string) bool { return false }

func (p patCredentials) Secrets() []string { return []string{p.token} }

// FetchOptions say how credentials make their own requests (OAuth discovery, token
// endpoints, GitHub's ID-token endpoint, Entra ID) and run the Databricks and Azure
// CLIs. The zero value is usable; each default is Config's.
type FetchOptions struct {
	// Transport is the connection pool; pass the one the workspace's clients share.
	Transport http.RoundTripper
	// UserAgent is sent as the User-Agent header; default UserAgent("", "").
	UserAgent string
	// Timeout bounds each request and each CLI run; default DefaultTimeout.
	Timeout time.Duration
	// Logger receives one line per request or CLI run: never a body, a header or a
	// token.
	Logger Logger
	// Retry bounds retries of requests that were not processed (429, 503, a connection
	// refused) and of reads lost on the way.
	Retry RetryPolicy
}

func (o FetchOptions) withDefaults() FetchOptions {
	if o.Transport == nil {
		o.Transport = NewTransport()
	}
	if o.UserAgent == "" {
		o.UserAgent = UserAgent("", "")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Logger == nil {
		o.Logger = discardLogger{}
	}
	o.Retry = o.Retry.withDefaults()
	return o
}

// The refresh policy. A token is replaced once less than its margin is left: 40 seconds,
// or a quarter of its lifetime when that is shorter. Databricks has been seen refusing
// tokens with 30 seconds or less to live, and 10 seconds more covers a request on its
// way. Short-lived tokens (a token exchange is bounded by a CI identity token of a few
// minutes; tests use lifetimes of seconds) would otherwise be replaced on every request;
// a quarter keeps each in use for three quarters of its life.
const maxRefreshMargin = 40 * time.Second

// unknownLifetime is how long a token whose answer gave no lifetime is used before it is
// replaced: Databricks always sends expires_in, so this is a guard, short enough that a
// wrong guess costs one token request, and a token refused before then is replaced anyway.
const unknownLifetime = 5 * time.Minute

// failureHold is how long a failed token request is answered from memory. A refusal
// (wrong secret, untrusted identity token) does not get better in seconds, and a plan of
// many data sources must not send a token endpoint one doomed request each; transient
// failures are retried inside the fetch already. The hold ends so that a later operation
// of a long run tries again.
const failureHold = 5 * time.Second

// maxRemembered bounds the access and identity tokens kept for scrubbing: the recent
// ones are those that can still show up in a server's text.
const maxRemembered = 16

// issuedToken is a token as a source got it. A zero expiry means the source did not say.
type issuedToken struct {
	value  string
	expiry time.Time
}

// tokenSource fetches a new token. It calls c.keep with every secret it obtains (an
// identity token) before any text that might quote it is built, and scrubs its errors
// with c.scrubber().
type tokenSource interface {
	token(ctx context.Context, c *tokenCredentials) (issuedToken, error)
}

// tokenCredentials caches the token of a source: one fetch at a time, whose result every
// caller waiting for it shares; the token is reused until its refresh time.
type tokenCredentials struct {
	authType string
	// workspace is the workspace whose tokens these are; nil for Entra ID tokens, which
	// any Azure Databricks workspace accepts.
	workspace *BaseURL
	source    tokenSource
	logger    Logger
	held      []string // secrets held from the start: a client secret, a request token

	// now and hold are the clock and failureHold; tests replace them.
	now  func() time.Time
	hold time.Duration

	mu          sync.Mutex
	current     *cachedToken
	flight      *tokenFlight
	failed      error
	failedUntil time.Time
	obtained    []string // recent access and identity tokens, oldest first
}

type cachedToken struct {
	value     string
	refreshAt time.Time
}

// tokenFlight is one fetch in progress; done closes when tok or err is set.
type tokenFlight struct {
	done chan struct{}
	tok  string
	err  error
	// abandoned is set when the fetch ended because its caller's context did: the
	// callers still waiting start a fetch of their own rather than share that failure.
	abandoned bool
}

func newTokenCredentials(authType string, source tokenSource, o FetchOptions, held ...string) *tokenCredentials {
	return &tokenCredentials{
		authType: authType, source: source, logger: o.Logger,
		held: slices.DeleteFunc(held, func(s string) bool { return s == "" }),
		now:  time.Now, hold: failureHold,
	}
}

// boundTo marks the credentials' tokens as the workspace's own, so that New refuses them
// for another workspace rather than hand that workspace a token.
func (c *tokenCredentials) boundTo(workspace BaseURL) *tokenCredentials {
	c.workspace = &workspace
	return c
}

func (c *tokenCredentials) AuthType() string { return c.authType }

func (c *tokenCredentials) Authorization(ctx context.Context) (string, error) {
	for {
		c.mu.Lock()
		now := c.now()
		if c.current != nil && now.Before(c.current.refreshAt) {
			value := c.current.value
			c.mu.Unlock()
			return "Bearer " + value, nil
		}
		if c.flight == nil {
			if c.failed != nil && now.Before(c.failedUntil) {
				err := c.failed
				c.mu.Unlock()
				return "", err
			}
			f := &tokenFlight{done: make(chan struct{})}
			c.flight = f
			c.mu.Unlock()
			c.fetch(ctx, f)
			if f.err != nil {
				return "", f.err
			}
			return "Bearer " + f.tok, nil
		}
		f := c.flight
		c.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for a %s access token: %w", c.authType, context.Cause(ctx))
		}
		if f.err == nil {
			return "Bearer " + f.tok, nil
		}
		if !f.abandoned || ctx.Err() != nil {
			return "", f.err
		}
	}
}

// fetch runs f within the leader's ctx, so that nothing outlives the caller that asked.
func (c *tokenCredentials) fetch(ctx context.Context, f *tokenFlight) {
	started := c.now()
	tok, err := c.source.token(ctx, c)
	if err == nil {
		c.logger.Debug(ctx, "Obtained a Databricks access token", map[string]any{
			"auth_type": c.authType, "lifetime_s": lifetimeSeconds(started, tok.expiry),
			"refresh_in_s": int64(refreshTime(started, tok.expiry).Sub(started) / time.Second),
		})
	}
	c.mu.Lock()
	switch {
	case err == nil:
		c.current = &cachedToken{value: tok.value, refreshAt: refreshTime(started, tok.expiry)}
		c.failed = nil
		c.rememberLocked(tok.value)
		f.tok = tok.value
	case ctx.Err() != nil:
		f.err, f.abandoned = err, true
	default:
		f.err = err
		c.failed, c.failedUntil = err, c.now().Add(c.hold)
	}
	c.flight = nil
	c.mu.Unlock()
	close(f.done)
}

// refreshTime is when a token fetched at started, expiring at expiry, is replaced.
func refreshTime(started, expiry time.Time) time.Time {
	if expiry.IsZero() {
		return started.Add(unknownLifetime)
	}
	return expiry.Add(-min(maxRefreshMargin, expiry.Sub(started)/4))
}

func lifetimeSeconds(started, expiry time.Time) any {
	if expiry.IsZero() {
		return "unknown"
	}
	return int64(expiry.Sub(started) / time.Second)
}

func (c *tokenCredentials) Refused(authorization string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.current != nil && "Bearer "+c.current.value == authorization {
		c.current = nil
	}
	return true
}

func (c *tokenCredentials) Secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append(slices.Clip(c.held), c.obtained...)
}

// keep remembers a secret a source obtained, for scrubbing.
func (c *tokenCredentials) keep(secret string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rememberLocked(secret)
}

func (c *tokenCredentials) rememberLocked(secret string) {
	if secret == "" || slices.Contains(c.obtained, secret) {
		return
	}
	if len(c.obtained) >= maxRemembered {
		c.obtained = slices.Delete(c.obtained, 0, 1)
	}
	c.obtained = append(c.obtained, secret)
}

// scrubber blanks every secret known so far.
func (c *tokenCredentials) scrubber() scrubber { return scrubber{secrets: c.Secrets()} }
