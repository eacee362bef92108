package databricks

import (
	"errors"
	"fmt"
	"strings"
)

// ErrCredentials matches every *CredentialsError: no token could be obtained, so the
// workspace was never asked.
var ErrCredentials = errors.New("credentials failed")

// ErrLoginRequired matches a *CredentialsError whose fix is to sign in again with a CLI:
// Code CodeLoginRequired or CodeLoginExpired.
var ErrLoginRequired = errors.New("login required")

// Steps of getting a token, for CredentialsError.Step.
const (
	StepDiscovery     = "discovery"      // GET {workspace}/oidc/.well-known/oauth-authorization-server
	StepTokenEndpoint = "token endpoint" // POST to the workspace's token endpoint (client credentials, token exchange)
	StepIdentityToken = "identity token" // the CI's JWT: environment variable, file or GitHub Actions' endpoint
	StepDatabricksCLI = "Databricks CLI" // databricks auth token
	StepAzureCLI      = "Azure CLI"      // az account get-access-token
	StepEntraID       = "Entra ID"       // POST {authority}/{tenant}/oauth2/v2.0/token
)

// Codes of failures found on this side rather than told by a server, for
// CredentialsError.Code. A server's own code (invalid_client, invalid_grant,
// invalid_request, unauthorized_client...) is passed on as it came.
const (
	// CodeNotFound: a CLI that is not installed, an identity-token environment variable
	// that is unset or empty, a file that does not exist, GitHub Actions' request
	// variables missing.
	CodeNotFound = "not_found"
	// CodeMalformed: an answer, a CLI's output or an identity token that is not what it
	// should be (not JSON, no access_token, not a JWT, a token endpoint off the workspace).
	CodeMalformed = "malformed"
	// CodeLoginRequired: the CLI has no login for this workspace or account.
	CodeLoginRequired = "login_required"
	// CodeLoginExpired: the CLI's login expired (its refresh token is no longer valid).
	CodeLoginExpired = "login_expired"
)

// CredentialsError is a failure to get a token: nothing was sent to the workspace API.
// Step says where it failed and Code what the server (or this side) called it, which
// together tell the failures a user must fix apart:
//
//	wrong client secret           Step StepTokenEndpoint, Code "invalid_client" (oauth-m2m);
//	                              Step StepEntraID, Code "invalid_client" (azure-client-secret)
//	unknown client / tenant       StepEntraID, "unauthorized_client" / "invalid_request"
//	untrusted identity token      StepTokenEndpoint with an *-oidc AuthType, Code
//	                              "invalid_request" or "invalid_grant" (Description says which check failed)
//	identity token unavailable    StepIdentityToken (Code CodeNotFound when missing; a
//	                              StatusCode when GitHub refused the request token)
//	expired or missing CLI login  StepDatabricksCLI or StepAzureCLI, Code CodeLoginExpired or
//	                              CodeLoginRequired (errors.Is(err, ErrLoginRequired))
//	CLI not installed             StepDatabricksCLI or StepAzureCLI, Code CodeNotFound
//	endpoint unreachable          StatusCode 0, Err a *NetworkError, *TimeoutError or *RedirectError
//
// A token the workspace then refuses is not a CredentialsError: that stays an *APIError
// from the request that carried it.
type CredentialsError struct {
	AuthType string
	Step     string
	// Endpoint is where the step went: a URL without query string, a file path, an
	// environment variable's name, or a CLI's path.
	Endpoint string
	// StatusCode is the HTTP status of the answer; 0 when there was none.
	StatusCode int
	// Code is the OAuth or Entra ID error code, or one of the Code constants.
	Code string
	// Description is the server's error_description (or the CLI's error output, or this
	// side's explanation), scrubbed of secrets and cut.
	Description string
	// Err is the underlying failure, when there is one below HTTP or a process.
	Err error
}

func (e *CredentialsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s authentication failed at the %s", e.AuthType, e.Step)
	if e.Endpoint != "" {
		fmt.Fprintf(&b, " (%s)", e.Endpoint)
	}
	b.WriteString(":")
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " HTTP %d", e.StatusCode)
	}
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" {
		if e.StatusCode != 0 || e.Code != "" {
			b.WriteString(":")
		}
		b.WriteString(" " + e.Description)
	}
	if e.Err != nil && e.Description == "" {
		b.WriteString(" " + e.Err.Error())
	}
	return b.String()
}

func (e *CredentialsError) Unwrap() error { return e.Err }

// Is matches ErrCredentials, and ErrLoginRequired for a CLI that needs a new login.
func (e *CredentialsError) Is(target error) bool {
	switch target {
	case ErrCredentials:
		return true
	case ErrLoginRequired:
		return e.Code == CodeLoginRequired || e.Code == CodeLoginExpired
	}
	return false
}
