package provider

import (
	"fmt"
	"sort"
	"strings"
)

// This file decides how a connection authenticates: the authentication type, as
// Databricks unified authentication names it, and the settings that type needs. When no
// type is set, it picks one from what is configured, as the Databricks CLI and SDKs do;
// what is ambiguous or incomplete is an error that lists what was found and what is
// missing, never a silent pick of the wrong principal.

// Authentication types.
const (
	authPAT               = "pat"
	authPATAlias          = "personal_access_token" // the connection form's name for pat
	authOAuthM2M          = "oauth-m2m"
	authGitHubOIDC        = "github-oidc"
	authEnvOIDC           = "env-oidc"
	authFileOIDC          = "file-oidc"
	authDatabricksCLI     = "databricks-cli"
	authAzureClientSecret = "azure-client-secret"
	authAzureCLI          = "azure-cli"
)

// authTypes are the values authentication_type accepts.
var authTypes = []string{authPAT, authPATAlias, authOAuthM2M, authGitHubOIDC, authEnvOIDC, authFileOIDC, authDatabricksCLI, authAzureClientSecret, authAzureCLI}

// canonicalAuthType is the Databricks name of t: the alias personal_access_token is pat.
func canonicalAuthType(t string) string {
	if t == authPATAlias {
		return authPAT
	}
	return t
}

// Environment variables of Databricks unified authentication, and of the CIs that hand
// out identity tokens.
const (
	envAuthType           = "DATABRICKS_AUTH_TYPE"
	envClientID           = "DATABRICKS_CLIENT_ID"
	envClientSecret       = "DATABRICKS_CLIENT_SECRET"
	envOIDCTokenEnv       = "DATABRICKS_OIDC_TOKEN_ENV"
	envOIDCTokenFile      = "DATABRICKS_OIDC_TOKEN_FILEPATH"
	envTokenAudience      = "DATABRICKS_TOKEN_AUDIENCE"
	envCLIPath            = "DATABRICKS_CLI_PATH"
	envAzureTenantID      = "ARM_TENANT_ID"
	envAzureClientID      = "ARM_CLIENT_ID"
	envAzureClientSecret  = "ARM_CLIENT_SECRET"
	envGitHubTokenURL     = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envGitHubTokenRequest = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	// envAzureAuthorityHost points Entra ID requests elsewhere than Azure's public cloud,
	// as in the Azure SDKs.
	envAzureAuthorityHost = "AZURE_AUTHORITY_HOST"
	// defaultOIDCTokenEnv holds the CI's identity token for env-oidc unless
	// DATABRICKS_OIDC_TOKEN_ENV names another variable.
	defaultOIDCTokenEnv = "DATABRICKS_OIDC_TOKEN"
)

// setting is one value and where it came from ("argument", an environment variable, a
// profile), for messages that say where to change it. Secrets are never printed: only
// where they came from.
type setting struct {
	value string
	from  string
	// unknown is a value the plan does not know yet (it comes from another resource):
	// set, but not readable.
	unknown bool
}

func (s setting) isSet() bool { return s.value != "" || s.unknown }

// pick returns the first set setting.
func pick(settings ...setting) setting {
	for _, s := range settings {
		if s.isSet() {
			return s
		}
	}
	return setting{}
}

// credentialSettings are everything a connection may authenticate with, resolved for
// the provider block (argument > environment > profile) or read from a connection's own
// arguments.
type credentialSettings struct {
	authType setting
	token    setting
	// clientID and clientSecret are a Databricks service principal's (oauth-m2m, and
	// the principal an identity token is exchanged for); the azure settings are an
	// Entra ID application's. An argument fills both: its authentication type says
	// which it is.
	clientID, clientSecret                          setting
	azureTenantID, azureClientID, azureClientSecret setting
}

// machineSettings say where this machine keeps what proves who runs the provider: a
// CI's identity token, the Databricks CLI. They belong to the provider process, so
// connections take them from the provider block and its environment.
type machineSettings struct {
	oidcTokenEnv  setting // the variable holding the identity token for env-oidc
	oidcToken     setting // that variable's value
	oidcTokenFile setting
	audience      setting
	cliPath       setting
	// githubTokenURL and githubRequestToken are set by GitHub Actions in a job with
	// `permissions: id-token: write`.
	githubTokenURL, githubRequestToken setting
	azureAuthorityHost                 setting
	// lookPath finds a command on PATH; nil finds nothing.
	lookPath func(string) (string, error)
}

// resolvedAuth is how a connection authenticates.
type resolvedAuth struct {
	authType string // canonical
	credentialSettings
	machine machineSettings
}

// secrets are the secret values of the settings, for masking in logs.
func (a resolvedAuth) secrets() []string {
	return []string{a.token.value, a.clientSecret.value, a.azureClientSecret.value, a.machine.oidcToken.value, a.machine.githubRequestToken.value}
}

// principal names who the connection authenticates as, for messages: a client id, never
// a secret.
func (a resolvedAuth) principal() string {
	switch a.authType {
	case authOAuthM2M, authGitHubOIDC, authEnvOIDC, authFileOIDC:
		if a.clientID.isSet() {
			return "service principal " + a.clientID.value
		}
		return "the federated identity"
	case authAzureClientSecret:
		return "Entra ID application " + a.azureClientID.value
	case authDatabricksCLI:
		return "the Databricks CLI's login"
	case authAzureCLI:
		return "the Azure CLI's login"
	}
	return "the personal access token's owner"
}

// authError is a configuration that names no way, or more than one way, to
// authenticate, or a way whose settings are incomplete. Its message lists what was found
// and what to set.
type authError struct {
	summary, detail string
}

func (e *authError) Error() string { return e.detail }

// resolveAuth decides how to authenticate from s and m. who names the connection for
// messages ("the provider", "connection_info of dbsql_statement").
func resolveAuth(s credentialSettings, m machineSettings, who string) (resolvedAuth, error) {
	auth := resolvedAuth{credentialSettings: s, machine: m}
	if s.authType.isSet() {
		auth.authType = canonicalAuthType(s.authType.value)
		return auth, auth.complete(who)
	}
	found := auth.methodsFound()
	switch len(found) {
	case 0:
		return auth, auth.nothingFound(who)
	case 1:
		for t := range found {
			auth.authType = t
		}
		return auth, auth.complete(who)
	}
	return auth, ambiguous(found, who)
}

// methodsFound maps each type whose own settings are present to the settings that
// show it, the way Databricks' SDKs find an authentication method: by the secrets
// configured. A client id alone is no method; it names the principal of one.
func (a resolvedAuth) methodsFound() map[string][]setting {
	found := map[string][]setting{}
	if a.token.isSet() {
		found[authPAT] = []setting{a.token}
	}
	if a.clientSecret.isSet() {
		found[authOAuthM2M] = []setting{a.clientSecret}
	}
	if a.azureClientSecret.isSet() && a.azureClientSecret != a.clientSecret {
		found[authAzureClientSecret] = []setting{a.azureClientSecret}
	}
	if a.machine.oidcTokenFile.isSet() {
		found[authFileOIDC] = []setting{a.machine.oidcTokenFile}
	}
	if a.machine.oidcToken.isSet() {
		found[authEnvOIDC] = []setting{a.machine.oidcToken}
	}
	if len(found) == 0 && a.clientID.isSet() && a.machine.githubTokenURL.isSet() && a.machine.githubRequestToken.isSet() {
		// A GitHub Actions job that may mint identity tokens, for a service principal
		// that is named: nothing else says how to authenticate it.
		found[authGitHubOIDC] = []setting{a.clientID, a.machine.githubTokenURL}
	}
	return found
}

// complete checks that the settings authType needs are present.
func (a resolvedAuth) complete(who string) error {
	missing := func(what string) error {
		return &authError{summary: "Incomplete Authentication Settings", detail: fmt.Sprintf(
			"%s authenticates with %s (%s), which needs %s. Set it, or choose another authentication_type (%s).",
			capitalize(who), a.authType, a.why(), what, strings.Join(authTypes, ", "))}
	}
	switch a.authType {
	case authPAT:
		if !a.token.isSet() {
			return missing("a personal access token: access_token, or the " + envToken + " environment variable, or token in the profile")
		}
	case authOAuthM2M:
		if !a.clientID.isSet() {
			return missing("the service principal's application id: client_id, or " + envClientID)
		}
		if !a.clientSecret.isSet() {
			return missing("an OAuth secret of the service principal: client_secret, or " + envClientSecret)
		}
	case authEnvOIDC:
		if !a.machine.oidcToken.isSet() {
			return missing("the CI's identity token in the environment variable " + a.machine.oidcTokenEnv.value +
				" (set " + envOIDCTokenEnv + " or oidc_token_env to read another one)")
		}
	case authFileOIDC:
		if !a.machine.oidcTokenFile.isSet() {
			return missing("the path of a file holding the CI's identity token: oidc_token_filepath, or " + envOIDCTokenFile)
		}
	case authGitHubOIDC:
		if !a.machine.githubTokenURL.isSet() || !a.machine.githubRequestToken.isSet() {
			return missing("GitHub Actions' identity token, which GitHub offers only to a job with `permissions: id-token: write` (" +
				envGitHubTokenURL + " and " + envGitHubTokenRequest + " are not set)")
		}
		if !a.clientID.isSet() {
			return missing("the application id of the service principal whose federation policy trusts the workflow: client_id, or " + envClientID)
		}
	case authAzureClientSecret:
		switch {
		case !a.azureTenantID.isSet():
			return missing("the Entra ID tenant: azure_tenant_id, or " + envAzureTenantID)
		case !a.azureClientID.isSet():
			return missing("the Entra ID application's client id: client_id, or " + envAzureClientID)
		case !a.azureClientSecret.isSet():
			return missing("the Entra ID application's secret: client_secret, or " + envAzureClientSecret)
		}
	case authDatabricksCLI, authAzureCLI:
	default:
		return &authError{summary: "Unknown Authentication Type", detail: fmt.Sprintf("%s: %s is not one of %s.",
			capitalize(who), a.why(), strings.Join(authTypes, ", "))}
	}
	return nil
}

// why says where the authentication type came from.
func (a resolvedAuth) why() string {
	if written := a.credentialSettings.authType; written.isSet() {
		return fmt.Sprintf("authentication_type %q from %s", written.value, written.from)
	}
	return "picked from what is configured"
}

// nothingFound is the error, or the fallback to a CLI's login, when no secret is set.
func (a *resolvedAuth) nothingFound(who string) error {
	if a.clientID.isSet() {
		return &authError{summary: "Incomplete Authentication Settings", detail: fmt.Sprintf(
			"%s names service principal %s (client_id from %s) but nothing to prove it: set client_secret (oauth-m2m, or %s), or run "+
				"where the CI hands out an identity token: GitHub Actions with `permissions: id-token: write` (github-oidc), "+
				"the %s environment variable (env-oidc), or a token file named by %s (file-oidc).",
			capitalize(who), a.clientID.value, a.clientID.from, envClientSecret, defaultOIDCTokenEnv, envOIDCTokenFile)}
	}
	// With nothing configured, a CLI that is logged in serves, as with Databricks' SDKs.
	if a.machine.cliPath.isSet() || a.machine.found("databricks") {
		a.authType = authDatabricksCLI
		return nil
	}
	return &authError{summary: "No Databricks Credentials", detail: fmt.Sprintf(
		"No credentials are set for %s. Set one of: a personal access token (access_token, %s, or token in a ~/.databrickscfg profile); "+
			"a service principal's OAuth secret (client_id and client_secret, or %s and %s); in CI, workload identity federation "+
			"(client_id and authentication_type = \"github-oidc\", \"env-oidc\" or \"file-oidc\"); or log in with the Databricks CLI "+
			"(databricks auth login) and set authentication_type = \"databricks-cli\".",
		who, envToken, envClientID, envClientSecret)}
}

// found reports whether command is on PATH.
func (m machineSettings) found(command string) bool {
	if m.lookPath == nil {
		return false
	}
	_, err := m.lookPath(command)
	return err == nil
}

// ambiguous is the error for more than one way to authenticate.
func ambiguous(found map[string][]setting, who string) error {
	types := make([]string, 0, len(found))
	for t := range found {
		types = append(types, t)
	}
	sort.Strings(types)
	var what []string
	for _, t := range types {
		var from []string
		for _, s := range found[t] {
			from = append(from, s.from)
		}
		what = append(what, fmt.Sprintf("%s (from %s)", t, strings.Join(from, ", ")))
	}
	return &authError{summary: "More Than One Way to Authenticate", detail: fmt.Sprintf(
		"%s has settings for more than one authentication type: %s. The provider does not guess which principal to act as: "+
			"set authentication_type (or %s) to the one to use, or remove the settings of the others.",
		capitalize(who), strings.Join(what, "; "), envAuthType)}
}
