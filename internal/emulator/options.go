package emulator

import (
	"fmt"
	"time"
)

// DefaultToken is the personal access token the emulator accepts unless
// Options.Tokens names others.
const DefaultToken = "dapi0123456789abcdef0123456789abcdef"

// DefaultWarehouseID is the id of the warehouse an emulator has when
// Options.Warehouses is empty.
const DefaultWarehouseID = "a1b2c3d4e5f60718"

// DefaultUserName is the SCIM userName of the emulated caller.
const DefaultUserName = "emulator@example.com"

// DefaultWorkspaceID is sent as X-Databricks-Org-Id on SCIM Me.
const DefaultWorkspaceID = "1234567890123456"

// defaultWarehouseName is the name Databricks gives the first warehouse of a
// new workspace.
const defaultWarehouseName = "Starter Warehouse"

// defaultSampleTrips is the row count of the real samples.nyctaxi.trips table.
const defaultSampleTrips = 21932

// defaultInlineLimit is the INLINE result size above which Databricks fails a
// statement.
const defaultInlineLimit = 25 << 20

// Warehouse states, as the SQL Warehouses API spells them.
const (
	stateRunning  = "RUNNING"
	stateStopped  = "STOPPED"
	stateStarting = "STARTING"
	stateStopping = "STOPPING"
	stateDeleted  = "DELETED"
	stateDeleting = "DELETING"
)

// Options configures an Emulator. The zero value is a usable emulator.
type Options struct {
	// Tokens are the accepted bootstrap personal access tokens; empty means
	// []string{DefaultToken}.
	Tokens []string
	// UserName is the SCIM Me userName; default DefaultUserName.
	UserName string
	// WorkspaceID is sent as X-Databricks-Org-Id on SCIM Me; default
	// DefaultWorkspaceID; "-" omits the header.
	WorkspaceID string
	// Warehouses are the SQL warehouses of the workspace; default one RUNNING
	// warehouse DefaultWarehouseID named "Starter Warehouse".
	Warehouses []Warehouse
	// RowsPerChunk is the number of rows per result chunk; default 10000.
	RowsPerChunk int
	// ResultTTL is how long a finished statement and its result can be
	// fetched; default 1h. After it, GET and chunk requests answer 404.
	ResultTTL time.Duration
	// InlineLimit is the size in bytes of an INLINE JSON result above which the
	// statement FAILS; default 25 MiB.
	InlineLimit int64
	// LinkTTL is how long the links to results of disposition EXTERNAL_LINKS work;
	// default 15 minutes, as on Databricks.
	LinkTTL time.Duration
	// SampleTrips is the number of rows in samples.nyctaxi.trips; 0 means
	// 21932 like the real samples table, -1 means no sample table at all.
	SampleTrips int
	// MaxTokens caps the personal access tokens one user can mint through the
	// Token API (QUOTA_EXCEEDED past it); 0 means no cap.
	MaxTokens int
	// WarehousePageSize is the page size of the warehouse list when the client
	// asks for none; default 1000. Tests set it small to make clients page.
	WarehousePageSize int
	// Latency is added to every request before it is handled.
	Latency time.Duration
	// ServicePrincipals can get OAuth access tokens from /oidc/v1/token with
	// their secret (client credentials) or through FederationPolicies.
	ServicePrincipals []ServicePrincipal
	// FederationPolicies say which identity tokens /oidc/v1/token exchanges
	// (RFC 8693) for an access token, and as whom.
	FederationPolicies []FederationPolicy
	// AzureServicePrincipals can get Entra ID tokens from the emulator's
	// stand-in for login.microsoftonline.com (/{tenant}/oauth2/v2.0/token).
	AzureServicePrincipals []AzureServicePrincipal
	// OAuthTokenLifetime is how long OAuth access tokens stay valid; default
	// 1h as on Databricks, at least 1s. Tests set it to seconds to see clients
	// refresh. A token from a token exchange lives no longer than the
	// identity token it was exchanged for.
	OAuthTokenLifetime time.Duration
	// Logf, when set, receives one human-readable line per request. Tokens are
	// never part of it.
	Logf func(format string, args ...any)
	// AllowRemote lets Listen serve a non-loopback address and answers
	// requests whatever host name they are addressed to. Without it, a request
	// whose Host header is not localhost, 127.0.0.0/8 or [::1] is refused (see
	// IsLoopback for why).
	AllowRemote bool
	// Load are files that become tables at start, read before the emulator
	// locks DuckDB away from the file system.
	Load []Load
	// InitSQL is a script of Databricks SQL statements separated by
	// semicolons (the command's -init file), run at start after the sample
	// data and the loaded files, in main.default: DDL, inserts, grants. A
	// statement that fails stops New with its error.
	InitSQL string
}

// Warehouse describes one emulated SQL warehouse.
type Warehouse struct {
	ID   string
	Name string
	// State is "RUNNING" (default) or "STOPPED"; the other API states are
	// accepted too, STARTING goes on to RUNNING after StartDelay.
	State string
	// StartDelay is how long a STOPPED warehouse stays STARTING before it runs,
	// once a statement arrives for it or /start is called.
	StartDelay time.Duration
	// ClusterSize defaults to "2X-Small".
	ClusterSize string
	// WarehouseType defaults to "PRO".
	WarehouseType string
	Serverless    bool
}

// withDefaults fills every unset option and checks the warehouses, so the rest
// of the package never has to think about zero values.
func (o Options) withDefaults() (Options, error) {
	if len(o.Tokens) == 0 {
		o.Tokens = []string{DefaultToken}
	}
	if o.UserName == "" {
		o.UserName = DefaultUserName
	}
	if o.WorkspaceID == "" {
		o.WorkspaceID = DefaultWorkspaceID
	}
	if o.RowsPerChunk <= 0 {
		o.RowsPerChunk = 10000
	}
	if o.ResultTTL <= 0 {
		o.ResultTTL = time.Hour
	}
	if o.InlineLimit <= 0 {
		o.InlineLimit = defaultInlineLimit
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = defaultLinkTTL
	}
	if o.SampleTrips == 0 {
		o.SampleTrips = defaultSampleTrips
	}
	switch {
	case o.OAuthTokenLifetime == 0:
		o.OAuthTokenLifetime = defaultOAuthTokenLifetime
	case o.OAuthTokenLifetime < time.Second:
		// expires_in counts whole seconds, and 0 would read as "never".
		return o, fmt.Errorf("emulator: OAuthTokenLifetime %s is under the 1s minimum", o.OAuthTokenLifetime)
	}
	if len(o.Warehouses) == 0 {
		o.Warehouses = []Warehouse{{ID: DefaultWarehouseID, Name: defaultWarehouseName}}
	}
	seen := map[string]bool{}
	whs := make([]Warehouse, len(o.Warehouses))
	for i, w := range o.Warehouses {
		if w.ID == "" {
			return o, fmt.Errorf("emulator: warehouse %d has no ID", i)
		}
		if seen[w.ID] {
			return o, fmt.Errorf("emulator: warehouse ID %q is listed twice", w.ID)
		}
		seen[w.ID] = true
		if w.Name == "" {
			w.Name = defaultWarehouseName
			if i > 0 {
				w.Name = "Warehouse " + w.ID
			}
		}
		switch w.State {
		case "":
			w.State = stateRunning
		case stateRunning, stateStopped, stateStarting, stateStopping, stateDeleted, stateDeleting:
		default:
			return o, fmt.Errorf("emulator: warehouse %s: unknown state %q", w.ID, w.State)
		}
		if w.ClusterSize == "" {
			w.ClusterSize = "2X-Small"
		}
		if w.WarehouseType == "" {
			w.WarehouseType = "PRO"
		}
		whs[i] = w
	}
	o.Warehouses = whs
	return o, nil
}
