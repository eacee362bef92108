package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// credentialsCache keeps one databricks.Credentials per identity for a provider
// instance: every client of the same principal on the same workspace shares it, so that
// an OAuth token is fetched once per run, not once per data source, and refreshed in
// one place. Tokens live here, in memory only: never in state, logs or files.
type credentialsCache struct {
	mu    sync.Mutex
	byKey map[string]databricks.Credentials
}

func newCredentialsCache() *credentialsCache {
	return &credentialsCache{byKey: map[string]databricks.Credentials{}}
}

// credentialsFor returns the credentials of conn, shared with every earlier connection
// of the same identity. d may be nil (an unconfigured provider): nothing is shared then.
func (d *providerData) credentialsFor(conn connectionSettings, fetch databricks.FetchOptions) (databricks.Credentials, error) {
	if d == nil {
		return newCredentials(conn, fetch)
	}
	key := identityKey(conn)
	d.credentials.mu.Lock()
	defer d.credentials.mu.Unlock()
	if creds, ok := d.credentials.byKey[key]; ok {
		return creds, nil
	}
	creds, err := newCredentials(conn, fetch)
	if err != nil {
		return nil, err
	}
	d.credentials.byKey[key] = creds
	return creds, nil
}

// identityKey names an identity: the authentication type, the workspace, the principal
// and a digest of its secrets and of where its proof comes from. A changed secret is
// another identity; the key never holds a secret itself.
func identityKey(conn connectionSettings) string {
	a := conn.auth
	digest := sha256.New()
	for _, part := range []string{
		a.token.value, a.clientSecret.value, a.azureClientSecret.value, a.machine.oidcTokenEnv.value,
		a.machine.oidcTokenFile.value, a.machine.audience.value, a.machine.cliPath.value,
		a.machine.githubTokenURL.value, a.machine.githubRequestToken.value, a.machine.azureAuthorityHost.value,
	} {
		digest.Write([]byte(part))
		digest.Write([]byte{0})
	}
	workspace, err := databricks.ParseBaseURL(conn.BaseURL)
	base := conn.BaseURL
	if err == nil {
		base = workspace.String()
	}
	return strings.Join([]string{a.authType, base, a.clientID.value, a.azureTenantID.value, a.azureClientID.value,
		hex.EncodeToString(digest.Sum(nil))}, "|")
}

// newCredentials builds the credentials of conn's authentication type.
func newCredentials(conn connectionSettings, fetch databricks.FetchOptions) (databricks.Credentials, error) {
	a := conn.auth
	m := a.machine
	switch a.authType {
	case authOAuthM2M:
		return databricks.NewOAuthM2M(databricks.OAuthM2MConfig{BaseURL: conn.BaseURL, ClientID: a.clientID.value, ClientSecret: a.clientSecret.value, Fetch: fetch})
	case authGitHubOIDC, authEnvOIDC, authFileOIDC:
		var source databricks.IDTokenSource
		switch a.authType {
		case authGitHubOIDC:
			source = databricks.GitHubActionsIDToken(m.githubTokenURL.value, m.githubRequestToken.value)
		case authEnvOIDC:
			source = databricks.EnvIDToken(m.oidcTokenEnv.value)
		default:
			source = databricks.FileIDToken(m.oidcTokenFile.value)
		}
		return databricks.NewWorkloadIdentity(databricks.WorkloadIdentityConfig{
			BaseURL: conn.BaseURL, ClientID: a.clientID.value, Audience: m.audience.value, IDToken: source, Fetch: fetch,
		})
	case authDatabricksCLI:
		return databricks.NewDatabricksCLI(databricks.DatabricksCLIConfig{BaseURL: conn.BaseURL, Path: m.cliPath.value, Fetch: fetch})
	case authAzureClientSecret:
		return databricks.NewAzureClientSecret(databricks.AzureClientSecretConfig{
			TenantID: a.azureTenantID.value, ClientID: a.azureClientID.value, ClientSecret: a.azureClientSecret.value,
			AuthorityHost: m.azureAuthorityHost.value, Fetch: fetch,
		})
	case authAzureCLI:
		return databricks.NewAzureCLI(databricks.AzureCLIConfig{TenantID: a.azureTenantID.value, Fetch: fetch})
	}
	return databricks.PersonalAccessToken(a.token.value), nil
}

// fetchOptions are how a connection's credentials make their own requests: through the
// workspace's connection pool, with the provider's user agent and the connection's
// timeout.
func fetchOptions(transport http.RoundTripper, userAgent string, timeout time.Duration, logger databricks.Logger) databricks.FetchOptions {
	return databricks.FetchOptions{Transport: transport, UserAgent: userAgent, Timeout: timeout, Logger: logger}
}
