package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Azure Databricks also accepts Microsoft Entra ID tokens issued for its application
// (azure-client-secret, azure-cli). Not done: the X-Databricks-Azure-SP-Management-Token
// header (a second token, for the Azure management API) that a service principal which
// is not yet a workspace user needs to be added on first sign-in; add the principal to
// the workspace first.

// AzureDatabricksResourceID is the application id of Azure Databricks in Entra ID: the
// resource its tokens are requested for.
const AzureDatabricksResourceID = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"

// DefaultAzureAuthorityHost is Entra ID in Azure's public cloud; AZURE_AUTHORITY_HOST
// names another (https://login.microsoftonline.us/ for US Government, for example).
const DefaultAzureAuthorityHost = "https://login.microsoftonline.com/"

// AzureClientSecretConfig configures azure-client-secret credentials: an Entra ID
// application signing in with a client secret (client credentials grant).
type AzureClientSecretConfig struct {
	TenantID     string // the directory (tenant) id or domain
	ClientID     string // the application (client) id
	ClientSecret string
	// AuthorityHost is Entra ID's URL, with AZURE_AUTHORITY_HOST's meaning; default
	// DefaultAzureAuthorityHost. Plain http is accepted only on a loopback address.
	AuthorityHost string
	Fetch         FetchOptions
}

// tenantPattern is a tenant id (a GUID) or a verified domain; nothing that could add a
// path segment or a query to the token URL.
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]*$`)

// NewAzureClientSecret validates cfg and returns azure-client-secret credentials. It
// contacts nothing until the first Authorization.
func NewAzureClientSecret(cfg AzureClientSecretConfig) (Credentials, error) {
	if !tenantPattern.MatchString(cfg.TenantID) {
		return nil, &InputError{Problem: "The Azure tenant id is empty or not a tenant id.", Fix: "Set it to the directory (tenant) id, a GUID, from the app registration's Overview page."}
	}
	if err := validateClientID(cfg.ClientID, "the application (client) id of the app registration"); err != nil {
		return nil, err
	}
	if err := validateSecret(cfg.ClientSecret, "Azure client secret", "Create one under the app registration's Certificates & secrets, and use its Value."); err != nil {
		return nil, err
	}
	authority, err := parseAuthorityHost(cfg.AuthorityHost)
	if err != nil {
		return nil, err
	}
	endpoint := authority.JoinPath(cfg.TenantID, "oauth2", "v2.0", "token")
	o := cfg.Fetch.withDefaults()
	source := &entraSource{http: newAuthHTTP(AuthTypeAzureClientSecret, o), endpoint: endpoint, clientID: cfg.ClientID, clientSecret: cfg.ClientSecret}
	return newTokenCredentials(AuthTypeAzureClientSecret, source, o, cfg.ClientSecret), nil
}

func parseAuthorityHost(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultAzureAuthorityHost
	}
	u, err := url.Parse(raw)
	invalid := &InputError{Problem: "The Azure authority host is not a URL such as " + DefaultAzureAuthorityHost + ".", Fix: "Set it as AZURE_AUTHORITY_HOST would be set, or leave it empty."}
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return nil, invalid
	case !strings.EqualFold(u.Scheme, "https") && !loopbackHTTP(u):
		return nil, &InputError{Problem: "The Azure authority host must use https.", Fix: "Use https://" + u.Host + "/."}
	}
	return u, nil
}

type entraSource struct {
	http                   *authHTTP
	endpoint               *url.URL
	clientID, clientSecret string
}

func (s *entraSource) token(ctx context.Context, c *tokenCredentials) (issuedToken, error) {
	started := c.now()
	// Entra ID takes the secret in the body (client_secret_post), as Microsoft documents.
	body, err := s.http.send(ctx, c, authRequest{
		step: StepEntraID, method: http.MethodPost, endpoint: s.endpoint,
		form: url.Values{
			"grant_type": {"client_credentials"}, "client_id": {s.clientID}, "client_secret": {s.clientSecret},
			"scope": {AzureDatabricksResourceID + "/.default"},
		},
	})
	if err != nil {
		return issuedToken{}, err
	}
	tok, problem := parseTokenAnswer(body, started)
	if problem != "" {
		return issuedToken{}, &CredentialsError{AuthType: AuthTypeAzureClientSecret, Step: StepEntraID, Endpoint: endpointText(s.endpoint), Code: CodeMalformed, Description: problem}
	}
	return tok, nil
}

// AzureCLIConfig configures azure-cli credentials: the Azure CLI's signed-in account
// (`az login`).
type AzureCLIConfig struct {
	TenantID string // passed as --tenant when set
	// Path is the CLI's executable: a path, or a name looked up in PATH. Default "az".
	Path  string
	Fetch FetchOptions // Timeout bounds one run of the CLI; Logger gets one line per run
}

// NewAzureCLI validates cfg and returns azure-cli credentials. The CLI is looked up and
// run when a token is first needed.
func NewAzureCLI(cfg AzureCLIConfig) (Credentials, error) {
	if cfg.TenantID != "" && !tenantPattern.MatchString(cfg.TenantID) {
		return nil, &InputError{Problem: "The Azure tenant id is not a tenant id.", Fix: "Set it to the directory (tenant) id, a GUID, or leave it empty."}
	}
	if cfg.Path == "" {
		cfg.Path = "az"
	}
	o := cfg.Fetch.withDefaults()
	source := &azureCLISource{
		run:    cliRunner{authType: AuthTypeAzureCLI, step: StepAzureCLI, path: cfg.Path, timeout: o.Timeout, logger: o.Logger},
		tenant: cfg.TenantID,
	}
	return newTokenCredentials(AuthTypeAzureCLI, source, o), nil
}

type azureCLISource struct {
	run    cliRunner
	tenant string
}

func (s *azureCLISource) token(ctx context.Context, c *tokenCredentials) (issuedToken, error) {
	args := []string{"account", "get-access-token", "--resource", AzureDatabricksResourceID, "--output", "json"}
	if s.tenant != "" {
		args = append(args, "--tenant", s.tenant)
	}
	out, err := s.run.output(ctx, c, classifyAzureCLIError, args...)
	if err != nil {
		return issuedToken{}, err
	}
	var answer struct {
		AccessToken string  `json:"accessToken"`
		TokenType   string  `json:"tokenType"`
		ExpiresOn   string  `json:"expiresOn"`  // local time, every version
		ExpiresAt   seconds `json:"expires_on"` // Unix time, az 2.54 and later
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &answer); err != nil {
		return issuedToken{}, s.run.fail(CodeMalformed, fmt.Sprintf("its output is not the JSON of `az account get-access-token` (%d bytes: %s)", len(out), describeJSONError(err)), nil)
	}
	c.keep(answer.AccessToken)
	if problem := checkAccessToken(answer.AccessToken, answer.TokenType); problem != "" {
		return issuedToken{}, s.run.fail(CodeMalformed, "in its output, "+problem, nil)
	}
	tok := issuedToken{value: answer.AccessToken}
	switch {
	case answer.ExpiresAt.set:
		// Capped a year ahead, like every lifetime, so that no number overflows.
		tok.expiry = time.Unix(int64(min(answer.ExpiresAt.n, float64(c.now().Add(maxTokenLifetime).Unix()))), 0)
	case answer.ExpiresOn != "":
		expiry, err := time.ParseInLocation("2006-01-02 15:04:05.999999", answer.ExpiresOn, time.Local)
		if err != nil {
			return issuedToken{}, s.run.fail(CodeMalformed, "in its output, expiresOn is not a time", nil)
		}
		tok.expiry = expiry
	}
	if !tok.expiry.IsZero() && !tok.expiry.After(c.now()) {
		return issuedToken{}, s.run.fail(CodeLoginExpired, "it answered with a token that has already expired; sign in again with `az login`", nil)
	}
	return tok, nil
}

// classifyAzureCLIError names the failures a user fixes with `az login`.
func classifyAzureCLIError(stderr string) string {
	lower := strings.ToLower(stderr)
	switch {
	case !strings.Contains(lower, "az login"):
		return ""
	case strings.Contains(lower, "expired") || strings.Contains(lower, "aadsts70043") || strings.Contains(lower, "aadsts700082"):
		return CodeLoginExpired
	}
	return CodeLoginRequired
}
