package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file is the one way every resource, data source and ephemeral resource gets a
// client: connect resolves "this object's connection" (its connection_info, or the
// provider's) and its warehouse, and returns a ready client whose diagnostics name the
// object that asked.

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	defaults         providerSettings
	version          string
	terraformVersion string
	pool             *transportPool
	credentials      *credentialsCache
}

// providerSettings is the provider block's connection after the precedence argument >
// environment > profile. Any setting may be empty; each says where it came from, for
// messages.
type providerSettings struct {
	baseURL, warehouseID setting
	timeout              time.Duration
	// maxParallelChunks applies to every client of the provider; 0 is the client's default.
	maxParallelChunks int
	credentials       credentialSettings
	machine           machineSettings
}

// caller is the object that asks for a connection, as messages name it.
type caller struct {
	// name is how a user finds the object in a configuration: "data.dbsql_query",
	// "dbsql_statement", "ephemeral.dbsql_query".
	name string
	// timeoutAttribute is the argument that bounds the object's wait for a statement,
	// e.g. "timeouts.read"; empty for an object without one.
	timeoutAttribute string
}

// connectionRequest says which connection an object runs on.
type connectionRequest struct {
	caller caller
	// info is the connection the object describes (its connection_info, or
	// dbsql_connection's own arguments); nil means the provider's.
	info *connectionInfoModel
	// needsWarehouse is set for objects that run statements: they need a warehouse,
	// warehouseID (the object's own warehouse_id) first.
	needsWarehouse bool
	warehouseID    types.String
}

// connection is a ready client on one object's connection.
type connection struct {
	caller   caller
	settings connectionSettings
	client   *databricks.Client
	// warehouseID is where statements run; empty unless the request needed one.
	warehouseID string
	// heldSecrets are every credential the provider holds at the moment it is asked:
	// this connection's, the tokens obtained for it, and the provider block's.
	heldSecrets func() []string
}

// connectionSettings is everything a client needs: one workspace, one identity.
type connectionSettings struct {
	Name    string // the connection's name, for messages; empty for the provider's own
	BaseURL string
	Timeout time.Duration
	auth    resolvedAuth
}

// describe names the connection in a diagnostic without ever naming its token.
func (c connectionSettings) describe() string {
	as := ""
	if c.auth.authType != authPAT && c.auth.authType != "" {
		as = " as " + c.auth.principal()
	}
	if c.Name != "" {
		return fmt.Sprintf("connection %q (%s)%s", c.Name, c.BaseURL, as)
	}
	return fmt.Sprintf("the connection to %s%s", c.BaseURL, as)
}

// connect resolves req into a ready client. The returned context masks the
// connection's credentials in every log line; use it for everything that follows.
func (d *providerData) connect(ctx context.Context, req connectionRequest) (context.Context, *connection, diag.Diagnostics) {
	settings, diags := d.resolveSettings(req)
	conn := &connection{caller: req.caller, settings: settings}
	if req.needsWarehouse {
		conn.warehouseID = d.resolveWarehouse(req, &diags)
	}
	if diags.HasError() {
		return ctx, nil, diags
	}
	client, err := d.newClient(settings)
	if err != nil {
		diags.AddError("Invalid Connection", fmt.Sprintf("%s: %v", capitalize(settings.describe()), err))
		return ctx, nil, diags
	}
	conn.client = client
	provider := resolvedAuth{credentialSettings: d.settings().credentials, machine: d.settings().machine}
	conn.heldSecrets = func() []string {
		return append(append(client.Secrets(), settings.auth.secrets()...), provider.secrets()...)
	}
	return maskSecrets(ctx, settings.auth.secrets()...), conn, diags
}

// resolveSettings is req's connection_info when given, else the provider's connection.
func (d *providerData) resolveSettings(req connectionRequest) (connectionSettings, diag.Diagnostics) {
	info := req.info
	if info == nil {
		return d.providerConnection(req.caller)
	}
	var diags diag.Diagnostics
	settings := connectionSettings{Name: info.Name.ValueString(), BaseURL: info.BaseURL.ValueString(), Timeout: info.timeoutOrDefault()}
	// Messages name connection_info's attributes, or dbsql_connection's own.
	prefix, who := "connection_info.", "the connection_info of "+req.caller.name
	if req.caller == connectionCaller {
		prefix, who = "", "the connection"
	}
	own := info.credentialSettings(prefix)
	if own.hasSecret() || !needsSecret(canonicalAuthType(own.authType.value)) {
		auth, err := resolveAuth(own, d.settings().machine, who)
		settings.auth = auth
		addAuthError(&diags, path.Root("connection_info"), err)
		return settings, diags
	}
	// A connection with a write-only secret hands none on through state: the provider's
	// credentials serve it, but only on the provider's own workspace and as the principal
	// the connection names, if any. Sent to any other host, they would hand that host a
	// credential it has no business seeing.
	provider := d.settings()
	credentialsPath := path.Root("connection_info")
	switch {
	case !sameWorkspace(settings.BaseURL, provider.baseURL.value):
		providerWorkspace := "no workspace (the provider has no Base URL)"
		if provider.baseURL.isSet() {
			providerWorkspace = provider.baseURL.value + " (from " + provider.baseURL.from + ")"
		}
		diags.AddAttributeError(credentialsPath, "No Credentials for This Workspace",
			fmt.Sprintf("%s has no credentials of its own (no access_token or client_secret), and the provider's belong to %s, not to %s: "+
				"the provider never sends its credentials to another workspace. Give the connection its own (access_token or client_secret "+
				"in connection_info, or a dbsql_connection that stores them), or point the provider at %s (base_url in the provider "+
				"block, or %s).", capitalize(who), providerWorkspace, settings.BaseURL, settings.BaseURL, envHost))
	case own.clientID.isSet() && own.clientID.value != provider.credentials.clientID.value:
		diags.AddAttributeError(credentialsPath, "No Credentials for This Principal",
			fmt.Sprintf("%s names service principal %s but holds no secret for it, and the provider authenticates as someone else: "+
				"the provider does not act as one principal with another's credentials. Give the connection its client_secret, or "+
				"configure the provider as %s.", capitalize(who), own.clientID.value, own.clientID.value))
	default:
		auth, err := resolveAuth(provider.credentials, provider.machine, "the provider, whose credentials "+who+" borrows,")
		settings.auth = auth
		addAuthError(&diags, credentialsPath, err)
	}
	return settings, diags
}

// addAuthError adds err, an error of resolveAuth, as a diagnostic at p.
func addAuthError(diags *diag.Diagnostics, p path.Path, err error) {
	var authErr *authError
	switch {
	case err == nil:
	case errors.As(err, &authErr):
		diags.AddAttributeError(p, authErr.summary, authErr.detail)
	default:
		diags.AddAttributeError(p, "Invalid Authentication Settings", err.Error())
	}
}

// sameWorkspace reports whether two Base URLs name the same workspace: the same scheme,
// host and port once normalised, a default port written or not.
func sameWorkspace(a, b string) bool {
	key := func(raw string) (string, bool) {
		parsed, err := databricks.ParseBaseURL(raw)
		if err != nil {
			return "", false
		}
		u, err := url.Parse(parsed.String())
		if err != nil {
			return "", false
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[u.Scheme]
		}
		return u.Scheme + "://" + net.JoinHostPort(u.Hostname(), port), true
	}
	ka, okA := key(a)
	kb, okB := key(b)
	return okA && okB && ka == kb
}

// resolveWarehouse picks the warehouse: the object's own warehouse_id, else
// connection_info's, else the provider's. Whatever is missing is an error that lists
// every way to set it.
func (d *providerData) resolveWarehouse(req connectionRequest, diags *diag.Diagnostics) string {
	warehouse := req.warehouseID.ValueString()
	if warehouse == "" && req.info != nil {
		warehouse = req.info.WarehouseID.ValueString()
	}
	if warehouse == "" {
		defaults := d.settings()
		warehouse = defaults.warehouseID.value
		if err := databricks.ValidateWarehouseID(warehouse); warehouse != "" && err != nil {
			diags.AddError("Invalid Warehouse ID", fmt.Sprintf("The warehouse id from %s is invalid: %v", defaults.warehouseID.from, err))
		}
	}
	if warehouse == "" {
		diags.AddAttributeError(path.Root("warehouse_id"), "No SQL Warehouse",
			"No warehouse is set for "+req.caller.name+" to run the statement on. Set one of: warehouse_id here; warehouse_id of the connection "+
				"in connection_info; warehouse_id in the provider block; the "+envWarehouseID+" environment variable; warehouse_id in a "+
				"~/.databrickscfg profile. The id is the last part of the warehouse's HTTP path (Connection details tab).")
	}
	return warehouse
}

// settings returns the provider's resolved settings; empty for an unconfigured provider.
func (d *providerData) settings() providerSettings {
	if d == nil {
		return providerSettings{}
	}
	return d.defaults
}

// providerConnection is the provider block's own connection. Values from the
// environment or a profile were never seen by a plan-time validator, so they are
// checked here, naming where each came from.
func (d *providerData) providerConnection(c caller) (connectionSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	defaults := d.settings()
	conn := connectionSettings{BaseURL: defaults.baseURL.value, Timeout: defaults.timeout}
	if conn.Timeout == 0 {
		conn.Timeout = databricks.DefaultTimeout
	}
	if !defaults.baseURL.isSet() {
		diags.AddError("No Databricks Connection",
			"No Base URL is set for "+c.name+". Set one of: connection_info = dbsql_connection.<name> (where the object takes one); "+
				"base_url in the provider block; the "+envHost+" environment variable; host in a ~/.databrickscfg profile.")
	} else if _, err := databricks.ParseBaseURL(conn.BaseURL); err != nil {
		diags.AddError("Invalid Base URL", fmt.Sprintf("The Base URL from %s is invalid: %v", defaults.baseURL.from, err))
	}
	auth, err := resolveAuth(defaults.credentials, defaults.machine, "the provider (for "+c.name+")")
	conn.auth = auth
	var authErr *authError
	switch {
	case errors.As(err, &authErr):
		diags.AddError(authErr.summary, authErr.detail)
	case err != nil:
		diags.AddError("Invalid Authentication Settings", err.Error())
	case auth.authType == authPAT:
		if err := databricks.ValidateToken(auth.token.value); err != nil {
			diags.AddError("Invalid Access Token", fmt.Sprintf("The access token from %s is invalid: %v", auth.token.from, err))
		}
	}
	return conn, diags
}

// newClient returns a client for conn that shares the provider's connection pool for
// its workspace and the credentials of its identity. d may be nil (an unconfigured
// provider, as in some validate runs).
func (d *providerData) newClient(conn connectionSettings) (*databricks.Client, error) {
	agent := databricks.UserAgent("dev", "")
	var transport, storage http.RoundTripper
	var parallelChunks int
	if d != nil {
		parallelChunks = d.defaults.maxParallelChunks
		agent = databricks.UserAgent(d.version, d.terraformVersion)
		transport, storage = d.pool.forWorkspace(conn.BaseURL), d.pool.forStorage()
	}
	static := conn.auth.secrets()
	creds, err := d.credentialsFor(conn, fetchOptions(transport, agent, conn.Timeout, clientLogger{secrets: func() []string { return static }}))
	if err != nil {
		return nil, err
	}
	return databricks.New(databricks.Config{
		BaseURL:     conn.BaseURL,
		Credentials: creds,
		Timeout:     conn.Timeout,
		UserAgent:   agent,
		Transport:   transport,
		// Tokens obtained later are masked too: the logger asks for them at each line.
		Logger: clientLogger{secrets: func() []string { return append(creds.Secrets(), static...) }},

		MaxParallelChunks: parallelChunks,
		LinkTransport:     storage,
	})
}

// transportPool keeps one keep-alive connection pool per workspace, shared by every
// resource and data source of a provider instance, so that many queries in one plan
// reuse connections instead of each opening its own; and one for downloads of large
// results from cloud storage, shared likewise, apart from every workspace's (downloads
// carry no credential, and nothing that adds one may see them).
type transportPool struct {
	mu         sync.Mutex
	transports map[string]*http.Transport
	storage    *http.Transport
}

// forStorage is the pool of downloads from cloud storage.
func (p *transportPool) forStorage() *http.Transport {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.storage == nil {
		p.storage = databricks.NewTransport()
	}
	return p.storage
}

func newTransportPool() *transportPool {
	return &transportPool{transports: map[string]*http.Transport{}}
}

func (p *transportPool) forWorkspace(baseURL string) *http.Transport {
	key := strings.ToLower(strings.TrimSuffix(baseURL, "/"))
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.transports[key]
	if !ok {
		t = databricks.NewTransport()
		p.transports[key] = t
	}
	return t
}

// logSubsystem is the tflog subsystem of the client's request log, so that
// TF_LOG_PROVIDER_DATABRICKS can turn it up on its own.
const logSubsystem = "databricks"

// clientLogger writes the client's log lines through tflog, with every secret masked.
// The client never hands it a token, a header or a body; the mask is a second wall.
type clientLogger struct {
	secrets func() []string
}

func (l clientLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	for _, secret := range l.secrets() {
		if secret != "" {
			ctx = tflog.SubsystemMaskLogStrings(ctx, logSubsystem, secret)
		}
	}
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

// maskSecrets masks the given secrets in everything the provider logs under ctx.
func maskSecrets(ctx context.Context, secrets ...string) context.Context {
	var nonEmpty []string
	for _, s := range secrets {
		if s != "" {
			nonEmpty = append(nonEmpty, s)
		}
	}
	if len(nonEmpty) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, nonEmpty...)
}

// configuredData is the *providerData that Configure hands to every resource, data
// source and ephemeral resource. It is nil until the provider is configured (as during
// validate), which is not an error: each user reports a missing connection itself.
func configuredData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider.", data))
	}
	return d
}
