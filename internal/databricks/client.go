// Package databricks is a small client for the parts of the Databricks REST API this
// provider speaks: identity (SCIM Me), SQL statement execution, SQL warehouses and personal
// access tokens, and for the ways of getting a token Databricks unified authentication
// names (personal access token, OAuth machine-to-machine, workload identity federation,
// the Databricks CLI, Entra ID). It knows HTTP and Databricks and nothing of Terraform; the
// provider turns its values and errors into schema values and diagnostics. It imports the
// standard library only.
//
// WIRE.md, beside this file, describes the protocol as this client speaks it: headers,
// error bodies, what is retried and what is never sent twice, the statement lifecycle,
// result chunks, pagination.
//
// Where to look: client.go (configuration), credentials.go (what authorizes requests:
// personal access tokens, and the token cache every OAuth kind shares), oauth.go and
// oidc_sources.go (the workspace's token endpoint: client credentials and workload
// identity federation), cli_credentials.go and azure.go (tokens from the Databricks and
// Azure CLIs, and Entra ID), authhttp.go (the requests credentials make),
// credentials_errors.go, request.go (the one request path), retry.go,
// errors.go (request errors and their sentinels), scrub.go (server text in errors),
// statement_types.go (wire types), statement_lifecycle.go (submit, poll, cancel),
// statement_errors.go, query.go and chunks.go (reading results), run.go (statements run
// for their effect), warehouses.go, tokens.go, scim.go.
package databricks

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"
)

// DefaultTimeout is the per-request timeout of a connection that sets none: the
// "Timeout" default of the connection form this provider models.
const DefaultTimeout = 30 * time.Second

// Logger receives one structured line per request and per retry. The provider plugs in
// terraform-plugin-log; the fields never hold the token, a header or a body.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// Config says how to reach one workspace as one identity.
type Config struct {
	BaseURL string // validated with ParseBaseURL
	// Credentials authorize every request: PersonalAccessToken(token) (validated with
	// ValidateToken), or OAuth credentials (NewOAuthM2M, NewWorkloadIdentity,
	// NewDatabricksCLI, NewAzureClientSecret, NewAzureCLI) shared by every client of the
	// same identity. Credentials made for another workspace are refused.
	Credentials Credentials
	// Timeout bounds each HTTP request; a long-poll wait is kept inside it. Default 30s.
	Timeout time.Duration
	// UserAgent is sent as the User-Agent header; see UserAgent. Default UserAgent("", "").
	UserAgent string
	// Transport is the connection pool. Clients of the same workspace share one so that
	// connections are reused; nil means a pool of the client's own.
	Transport http.RoundTripper
	Logger    Logger
	Retry     RetryPolicy
	// MaxParallelChunks bounds how many result chunks a query fetches at once;
	// 0 means DefaultMaxParallelChunks.
	MaxParallelChunks int
	// LinkTransport is the connection pool for downloads of large results from cloud
	// storage (links.go); nil means a pool of the client's own. It is never Transport:
	// downloads must not pass through whatever adds the workspace's credentials.
	LinkTransport http.RoundTripper
}

// UserAgent is the User-Agent header of this provider's requests, e.g.
// "terraform-provider-dbsql/1.0.0 terraform/1.5.7": product/version pairs, as Databricks'
// own tools send, so that a workspace's audit logs tell this provider's requests apart.
// An empty provider version is "dev"; an empty CLI version is left out. Characters a
// header cannot carry are dropped rather than failing every request.
func UserAgent(providerVersion, terraformVersion string) string {
	if providerVersion = headerToken(providerVersion); providerVersion == "" {
		providerVersion = "dev"
	}
	ua := "terraform-provider-dbsql/" + providerVersion
	if terraformVersion = headerToken(terraformVersion); terraformVersion != "" {
		ua += " terraform/" + terraformVersion
	}
	return ua
}

// headerToken keeps the visible ASCII characters of s, which is what a product version
// in a User-Agent may hold.
func headerToken(s string) string {
	return strings.Map(func(r rune) rune {
		if r > ' ' && r < 0x7f {
			return r
		}
		return -1
	}, s)
}

// Client talks to one Databricks workspace. It is safe for concurrent use.
type Client struct {
	baseURL   BaseURL
	creds     Credentials
	timeout   time.Duration
	userAgent string
	http      *http.Client
	logger    Logger
	retry     RetryPolicy
	links     *http.Client // downloads from cloud storage, without credentials (links.go)

	maxParallelChunks int
}

// New validates cfg and returns a client. It does not contact the workspace.
func New(cfg Config) (*Client, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	switch creds := cfg.Credentials.(type) {
	case nil:
		return nil, &InputError{Problem: "No credentials are set.", Fix: "Set Config.Credentials, e.g. to PersonalAccessToken(token)."}
	case patCredentials:
		if err := ValidateToken(creds.token); err != nil {
			return nil, err
		}
	case *tokenCredentials:
		if creds.workspace != nil && creds.workspace.String() != base.String() {
			return nil, &InputError{Problem: "The " + creds.authType + " credentials are for " + creds.workspace.String() + ", not " + base.String() + "."}
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Transport == nil {
		cfg.Transport = NewTransport()
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = UserAgent("", "")
	}
	if cfg.Logger == nil {
		cfg.Logger = discardLogger{}
	}
	if cfg.MaxParallelChunks <= 0 {
		cfg.MaxParallelChunks = DefaultMaxParallelChunks
	}
	return &Client{
		baseURL:   base,
		creds:     cfg.Credentials,
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		// No client-wide Timeout: each attempt gets its own deadline, so that retries and
		// long polls are bounded separately. No redirect is followed: the Databricks API
		// does not redirect, and Go would keep the Authorization header on the same host
		// name even to another port or from https to http.
		http: &http.Client{
			Transport:     cfg.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		logger: cfg.Logger,
		retry:  cfg.Retry.withDefaults(),
		links:  newLinkClient(cfg.LinkTransport),

		maxParallelChunks: cfg.MaxParallelChunks,
	}, nil
}

// BaseURL returns the normalised workspace URL.
func (c *Client) BaseURL() BaseURL { return c.baseURL }

// AuthType is the auth type of the client's credentials, e.g. "pat" or "oauth-m2m".
func (c *Client) AuthType() string { return c.creds.AuthType() }

// Secrets returns the secrets the client's credentials hold or have obtained by now,
// for masking: ask again each time, since tokens come and go.
func (c *Client) Secrets() []string { return c.creds.Secrets() }

// scrub returns a scrubber of every secret the credentials hold or have obtained by now:
// a token fetched after the client was made is blanked too.
func (c *Client) scrub() scrubber { return scrubber{secrets: c.creds.Secrets()} }

// NewTransport returns a keep-alive connection pool sized for parallel chunk downloads.
func NewTransport() *http.Transport {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 32
	t.IdleConnTimeout = 90 * time.Second
	return t
}

type discardLogger struct{}

func (discardLogger) Debug(context.Context, string, map[string]any) {}
