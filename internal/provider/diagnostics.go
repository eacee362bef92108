package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// step is what the provider was doing when Databricks said no: it decides the advice,
// since a 404 on SCIM Me (wrong Base URL) and on a warehouse (wrong id) need different fixes.
type step string

const (
	stepReach          step = "reach the workspace"
	stepAuthenticate   step = "authenticate"
	stepFindWarehouse  step = "find the warehouse"
	stepRunStatement   step = "run the statement"
	stepCreateToken    step = "create the access token"
	stepReadToken      step = "read the access tokens"
	stepRevokeToken    step = "revoke the access token"
	stepListWarehouses step = "list the warehouses"
)

// failure is everything a diagnostic about a failed call needs to say.
type failure struct {
	caller      caller
	conn        connectionSettings
	step        step
	warehouseID string
	// statement names a failed statement: the argument it came from and its leading
	// keywords, never its text, which may hold a value from a sensitive variable.
	statement *statementName
	err       error
	// secrets are blanked from the detail: the client already blanks its own credentials
	// from server text, and this second wall covers every other one the provider holds.
	secrets []string
}

// statementName names a statement in a diagnostic without quoting it.
type statementName struct {
	attribute string // "statement", "execute", "revert", "verify"
	keywords  string // e.g. "CREATE TABLE"; only words from the client's fixed keyword list
}

// nameStatement names the statement text of attribute by its leading keywords.
func nameStatement(attribute, text string) *statementName {
	return &statementName{attribute: attribute, keywords: databricks.LeadingKeywords(text, 3)}
}

func (n *statementName) String() string {
	if n.keywords == "" {
		return "the " + n.attribute + " argument"
	}
	return fmt.Sprintf("the %s argument (%s …)", n.attribute, n.keywords)
}

// failure describes err, met at step on this connection.
func (c *connection) failure(step step, err error) failure {
	f := failure{caller: c.caller, conn: c.settings, step: step, warehouseID: c.warehouseID, err: err}
	if c.heldSecrets != nil {
		f.secrets = c.heldSecrets()
	}
	return f
}

// addError adds f as an error diagnostic.
func (f failure) addError(diags *diag.Diagnostics) {
	diags.AddError(f.summary(), f.detail())
}

// withoutSecrets blanks every secret in text.
func withoutSecrets(text string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			text = strings.ReplaceAll(text, secret, "[REDACTED]")
		}
	}
	return text
}

// summary is the diagnostic's title.
func (f failure) summary() string {
	switch {
	case errors.Is(f.err, databricks.ErrOutcomeUnknown):
		return "Statement May Have Run"
	case errors.Is(f.err, databricks.ErrCredentials):
		return "Authentication Failed"
	case errors.Is(f.err, databricks.ErrStatementFailed):
		return "Statement Failed"
	case errors.Is(f.err, databricks.ErrDownload):
		return "Result Download Failed"
	case errors.Is(f.err, databricks.ErrStatementCanceled), errors.Is(f.err, databricks.ErrStatementClosed):
		return "Statement Did Not Complete"
	case errors.Is(f.err, context.DeadlineExceeded) && f.step == stepRunStatement:
		return "Statement Timed Out"
	case errors.Is(f.err, context.DeadlineExceeded):
		return "Timed Out"
	}
	switch f.step {
	case stepReach, stepAuthenticate, stepFindWarehouse:
		return "Connection Test Failed"
	case stepCreateToken, stepReadToken, stepRevokeToken:
		return "Access Token Request Failed"
	}
	return "Databricks Request Failed"
}

// detail says what happened, to which connection, and what to do next. It is built
// from the client's errors, which never carry the token.
func (f failure) detail() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s could not %s", capitalize(f.conn.describe()), f.step)
	if f.step == stepFindWarehouse || f.step == stepRunStatement {
		fmt.Fprintf(&b, " (warehouse %s)", f.warehouseID)
	}
	if f.statement != nil {
		fmt.Fprintf(&b, "\n\nStatement: %s\n\nError", f.statement)
	}
	fmt.Fprintf(&b, ": %v.\n\n%s", strings.TrimSuffix(f.err.Error(), "."), f.advice())
	return withoutSecrets(b.String(), f.secrets)
}

func (f failure) advice() string {
	var (
		apiErr      *databricks.APIError
		timeoutErr  *databricks.TimeoutError
		netErr      *databricks.NetworkError
		stmtErr     *databricks.StatementError
		interrupted *databricks.InterruptedError
	)
	var (
		redirect    *databricks.RedirectError
		credentials *databricks.CredentialsError
	)
	switch {
	case errors.As(f.err, &credentials):
		return f.credentialsAdvice(credentials)
	case errors.Is(f.err, databricks.ErrOutcomeUnknown):
		// Never "try again": running a write twice is worse than failing once.
		return "Do not simply apply again: the statement may have run. Find it in the warehouse's query history " +
			"(SQL > Query History, or system.query.history) or check its effect. If it did not run, apply again. If it did, " +
			"make running it again harmless first (IF NOT EXISTS, CREATE OR REPLACE, a verify that sees its effect), or undo it by hand."
	case errors.As(f.err, &redirect):
		return "The Databricks API never redirects, so the provider did not follow it: the credentials stay with the workspace. " +
			"Check the Base URL (the workspace URL itself, https, without a path) and any proxy in between."
	case errors.As(f.err, &interrupted):
		if errors.Is(interrupted.Cause, context.DeadlineExceeded) {
			return f.timeoutAdvice()
		}
		return "The run was interrupted before the statement finished."
	case errors.As(f.err, &stmtErr):
		switch stmtErr.State {
		case databricks.StateFailed:
			return "Fix the statement using the Databricks message above, or check that the token's owner may read the tables it uses."
		case databricks.StateClosed:
			return "Run it again: the result was closed before the provider could read it."
		default:
			return "Run it again; if it keeps being canceled, check the warehouse's state and its query history in the workspace."
		}
	case errors.Is(f.err, databricks.ErrDownload):
		// Before the network advice: the host that failed is cloud storage, not the workspace.
		advice := "A result larger than 25 MiB is downloaded from the workspace's cloud storage (S3, ADLS or GCS) rather than from " +
			"the workspace: this machine must reach that storage over HTTPS too (firewall, proxy, private endpoint). Allow it, or make the " +
			"result smaller (fewer columns, aggregate, filter, lower row_limit)."
		if errors.Is(f.err, databricks.ErrLinkRefused) {
			advice += " Storage refused fresh links as well: a clock far off makes every link look expired, so check this machine's time."
		}
		return advice
	case errors.As(f.err, &timeoutErr):
		return fmt.Sprintf("The workspace did not answer within the timeout of %d seconds. Raise timeout (1 to 3600 seconds) if the workspace is slow, "+
			"or check the Base URL.", int(timeoutErr.Timeout.Seconds()))
	case errors.As(f.err, &netErr):
		return "Check the Base URL and that this machine can reach the workspace (DNS, proxy, firewall, VPN)."
	case errors.Is(f.err, databricks.ErrMalformedResponse):
		return "Something other than the Databricks API answered, such as a proxy or a sign-in page. Check the Base URL and any proxy in between."
	case errors.Is(f.err, databricks.ErrResultExpired):
		// Before the API error's own advice: the 404 is the result's, not the warehouse's.
		return "The statement's result expired on the warehouse before all of it was read, and again when the provider ran it a second time. " +
			"Run it again; if it keeps happening, make the result smaller (row_limit) so it is read faster."
	case errors.As(f.err, &apiErr):
		return f.apiAdvice(apiErr)
	case errors.Is(f.err, context.DeadlineExceeded) && f.caller.timeoutAttribute != "":
		return fmt.Sprintf("The time %s allows (%s) ran out before the provider could %s. Raise %s, or check the workspace's status.",
			f.caller.name, f.caller.timeoutAttribute, f.step, f.caller.timeoutAttribute)
	case errors.Is(f.err, context.DeadlineExceeded), errors.Is(f.err, context.Canceled):
		return "The operation's time ran out or it was interrupted. Raise the timeout and try again."
	}
	return "Check the connection's settings and try again."
}

// timeoutAdvice is what to do about a statement that outlasted the caller's time.
func (f failure) timeoutAdvice() string {
	const cheaper = "make the statement cheaper, or check the warehouse: a stopped warehouse can take several minutes to start."
	if f.caller.timeoutAttribute == "" {
		return "The statement did not finish in the time allowed: " + cheaper
	}
	return fmt.Sprintf("The statement did not finish within the time %s allows (%s). Raise %s, %s",
		f.caller.name, f.caller.timeoutAttribute, f.caller.timeoutAttribute, cheaper)
}

func (f failure) apiAdvice(e *databricks.APIError) string {
	switch {
	case e.ErrorCode == "QUOTA_EXCEEDED":
		return "The token's owner has as many tokens as the workspace allows. Revoke tokens it no longer uses " +
			"(User Settings > Developer > Access tokens, or destroy unused dbsql_access_token resources) and apply again."
	case errors.Is(e, databricks.ErrPermissionDenied) && f.step == stepCreateToken:
		return "The provider's identity may not create tokens. A workspace admin must grant it the Can Use token permission " +
			"(Settings > Advanced > Personal access tokens > Permission settings), or use a credential that has it."
	case errors.Is(e, databricks.ErrPermissionDenied) && (f.step == stepReadToken || f.step == stepRevokeToken):
		return "The provider's token was rejected or may not manage this token. Check the provider's access_token (or " + envToken + "): " +
			"tokens are managed with the credential of the identity that owns them."
	case e.Retryable():
		return fmt.Sprintf("The workspace is temporarily unavailable or is throttling requests (%d attempts were made). "+
			"Try again later; if it persists, check the workspace's status and the warehouse's load.", e.Attempts)
	case f.conn.auth.authType != "" && f.conn.auth.authType != authPAT && isAuthError(e) &&
		(f.step == stepAuthenticate || f.step == stepReach || invalidToken(e)):
		// The token was obtained, and refused by the workspace (it was fetched again once).
		return fmt.Sprintf("The token endpoint gave %s a token, but the workspace refused it. Check that the principal is a member of "+
			"this workspace (Settings > Identity and access), with the Workspace access and Databricks SQL access entitlements.",
			f.conn.auth.principal())
	case errors.Is(e, databricks.ErrUnauthenticated),
		errors.Is(e, databricks.ErrPermissionDenied) && (f.step == stepAuthenticate || f.step == stepReach || invalidToken(e)):
		return "The workspace rejected the access token: it may be mistyped, expired or revoked. Generate a new personal access token " +
			"(User Settings > Developer > Access tokens in the workspace), or rotate the one in use, and set access_token."
	case errors.Is(e, databricks.ErrPermissionDenied):
		return fmt.Sprintf("The token's owner lacks a permission this needs: grant it CAN USE on warehouse %s, and access to the data it reads.", f.warehouseID)
	case errors.Is(e, databricks.ErrNotFound) && (f.step == stepFindWarehouse || f.step == stepRunStatement):
		return fmt.Sprintf("There is no warehouse %s in this workspace that the token's owner can see. Check warehouse_id: "+
			"copy it from the warehouse's Connection details tab.", f.warehouseID)
	case errors.Is(e, databricks.ErrNotFound):
		return "The Base URL answered, but not as a Databricks workspace API. Check the Base URL: it is the workspace URL you open in a browser, without any path."
	case errors.Is(e, databricks.ErrBadRequest):
		return "Databricks refused the request as invalid; the message above says which value."
	}
	return "Try again; if it persists, contact Databricks support with the request id above."
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// invalidToken is a 403 from the authentication layer ("Invalid access token."): the
// token itself was refused, whatever the step, which needs a new token rather than a
// permission for its owner.
func invalidToken(e *databricks.APIError) bool {
	return strings.Contains(strings.ToLower(e.Message), "invalid access token")
}

// isAuthError is a request the workspace refused for its credentials.
func isAuthError(err error) bool {
	return errors.Is(err, databricks.ErrUnauthenticated) || errors.Is(err, databricks.ErrPermissionDenied)
}

// credentialsAdvice says what to do when no token could be obtained: which credential
// failed, at which step, and how to fix it.
func (f failure) credentialsAdvice(e *databricks.CredentialsError) string {
	who := f.conn.auth.principal()
	host := f.conn.BaseURL
	switch {
	case e.Step == databricks.StepTokenEndpoint && e.Code == "invalid_client":
		return fmt.Sprintf("The workspace's token endpoint refused %s's client secret: it is wrong, has expired, or was deleted. "+
			"Create a new OAuth secret for the service principal (Settings > Identity and access > Service principals > Secrets, or the "+
			"account console) and set client_secret (or %s).", who, envClientSecret)
	case e.Step == databricks.StepTokenEndpoint && strings.HasSuffix(e.AuthType, "-oidc"):
		return fmt.Sprintf("The workspace does not trust the CI's identity token for %s: no federation policy of the service principal "+
			"matches the token's issuer, subject and audience (the token endpoint says which check failed, above). Create or fix the "+
			"federation policy (account console > Service principals > Credentials & secrets > Federation policies): for GitHub Actions, "+
			"issuer https://token.actions.githubusercontent.com, subject repo:<owner>/<repo>:environment:<environment> (or "+
			":ref:refs/heads/<branch>), and the audience the token is requested for (token_audience; by default the workspace's token "+
			"endpoint URL).", who)
	case e.Step == databricks.StepIdentityToken && e.AuthType == authGitHubOIDC:
		return "GitHub Actions hands out an identity token only to a job with `permissions: id-token: write` (and " +
			envGitHubTokenURL + " and " + envGitHubTokenRequest + " set by GitHub). Add the permission to the job, or choose another authentication_type."
	case e.Step == databricks.StepIdentityToken && e.AuthType == authEnvOIDC:
		return fmt.Sprintf("The CI's identity token was not in the environment variable %s. Have the CI job export it there (or name "+
			"another variable with oidc_token_env or %s).", f.conn.auth.machine.oidcTokenEnv.value, envOIDCTokenEnv)
	case e.Step == databricks.StepIdentityToken:
		return fmt.Sprintf("The CI's identity token could not be read from %s. Have the CI job write it there, or set "+
			"oidc_token_filepath (or %s) to where it is.", e.Endpoint, envOIDCTokenFile)
	case e.Step == databricks.StepDatabricksCLI && errors.Is(e, databricks.ErrLoginRequired):
		return fmt.Sprintf("The Databricks CLI has no valid login for %s (it expired or there never was one). Run `databricks auth "+
			"login --host %s` where the provider runs, then apply again; in CI, prefer workload identity federation or oauth-m2m.", host, host)
	case e.Step == databricks.StepDatabricksCLI && e.Code == databricks.CodeNotFound:
		return "The Databricks CLI was not found where the provider runs. Install it, put it on PATH, or set databricks_cli_path (or " + envCLIPath + ")."
	case e.Step == databricks.StepAzureCLI && errors.Is(e, databricks.ErrLoginRequired):
		return "The Azure CLI has no valid login. Run `az login` where the provider runs, then apply again."
	case e.Step == databricks.StepAzureCLI && e.Code == databricks.CodeNotFound:
		return "The Azure CLI (az) was not found where the provider runs. Install it, or choose another authentication_type."
	case e.Step == databricks.StepEntraID && e.Code == "invalid_client":
		return fmt.Sprintf("Entra ID refused %s's client secret: it is wrong or has expired. Create a new client secret in the app "+
			"registration (Certificates & secrets) and set client_secret (or %s).", who, envAzureClientSecret)
	case e.Step == databricks.StepEntraID:
		return fmt.Sprintf("Entra ID refused the request: check azure_tenant_id (or %s) and client_id (or %s).", envAzureTenantID, envAzureClientID)
	case e.Step == databricks.StepDiscovery:
		return "The workspace did not answer its OAuth discovery request as a Databricks workspace does. Check the Base URL."
	}
	return "Check the authentication settings (authentication_type and its credentials) and that the endpoint named above is reachable."
}
