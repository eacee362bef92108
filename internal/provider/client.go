package provider

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// providerSettings is the provider block's connection after the precedence argument >
// environment > profile. Any field may be empty; the *From fields say where a value came
// from, for messages.
type providerSettings struct {
	BaseURL     string
	Token       string
	WarehouseID string
	Timeout     time.Duration
	// MaxParallelChunks applies to every client of the provider; 0 is the client's default.
	MaxParallelChunks int

	baseURLFrom, tokenFrom, warehouseIDFrom string
}

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	defaults         providerSettings
	version          string
	terraformVersion string
	pool             *transportPool
}

// connectionSettings is everything a client needs: one workspace, one identity.
type connectionSettings struct {
	Name    string // the connection's name, for messages; empty for the provider's own
	BaseURL string
	Token   string
	Timeout time.Duration
}

// describe names the connection in a diagnostic without ever naming its token.
func (c connectionSettings) describe() string {
	if c.Name != "" {
		return fmt.Sprintf("connection %q (%s)", c.Name, c.BaseURL)
	}
	return fmt.Sprintf("the connection to %s", c.BaseURL)
}

// newClient returns a client for conn that shares the provider's connection pool for
// its workspace. d may be nil (an unconfigured provider, as in some validate runs).
func (d *providerData) newClient(conn connectionSettings) (*databricks.Client, error) {
	userAgent := databricks.UserAgent("", "")
	var transport http.RoundTripper
	var parallelChunks int
	if d != nil {
		parallelChunks = d.defaults.MaxParallelChunks
		userAgent = databricks.UserAgent(d.version, d.terraformVersion)
		transport = d.pool.forWorkspace(conn.BaseURL)
	}
	return databricks.New(databricks.Config{
		BaseURL:   conn.BaseURL,
		Token:     conn.Token,
		Timeout:   conn.Timeout,
		UserAgent: userAgent,
		Transport: transport,
		Logger:    clientLogger{secret: conn.Token},

		MaxParallelChunks: parallelChunks,
	})
}

// transportPool keeps one keep-alive connection pool per workspace, shared by every
// resource and data source of a provider instance, so that many queries in one plan
// reuse connections instead of each opening its own.
type transportPool struct {
	mu         sync.Mutex
	transports map[string]*http.Transport
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
	secret string
}

func (l clientLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	ctx = tflog.NewSubsystem(ctx, logSubsystem)
	if l.secret != "" {
		ctx = tflog.SubsystemMaskLogStrings(ctx, logSubsystem, l.secret)
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

// providerClient is a client on the provider block's own connection, for user (what
// needs it, for messages), with its token masked in ctx's logs.
func (d *providerData) providerClient(ctx context.Context, user string) (context.Context, *databricks.Client, connectionSettings, diag.Diagnostics) {
	conn, diags := d.providerConnection(user)
	if diags.HasError() {
		return ctx, nil, conn, diags
	}
	ctx, client, connDiags := d.connect(ctx, conn)
	diags.Append(connDiags...)
	return ctx, client, conn, diags
}

// connect returns a client for conn, and ctx with conn's token masked in every log line.
func (d *providerData) connect(ctx context.Context, conn connectionSettings) (context.Context, *databricks.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	client, err := d.newClient(conn)
	if err != nil {
		diags.AddError("Invalid Connection", fmt.Sprintf("%s: %v", capitalize(conn.describe()), err))
	}
	return maskSecrets(ctx, conn.Token), client, diags
}
