package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// A stand-in for Microsoft Entra ID (login.microsoftonline.com), so that the
// azure-client-secret auth type can be tested against the emulator by pointing
// the client's authority host at it. It serves the client-credentials grant on
// the v2.0 endpoint (scope=<resource>/.default) and the v1 endpoint
// (resource=<resource>), which the Databricks SDKs use, plus the two discovery
// documents MSAL-based clients read first. Errors take Entra ID's shape, with
// its AADSTS codes.

// azureManagementResources are the other resources the Databricks SDKs ask
// tokens for (sent as X-Databricks-Azure-SP-Management-Token). Their tokens
// are issued but do not open the workspace API.
var azureManagementResources = map[string]bool{
	"https://management.core.windows.net/": true,
	"https://management.azure.com/":        true,
}

// aadError answers as Entra ID does: error, an error_description that starts
// with the AADSTS code and ends with trace ids and a timestamp, error_codes.
func (x *exchange) aadError(status int, code string, aadsts int, message string) {
	now := time.Now().UTC()
	trace, correlation := newRequestID(), newRequestID()
	x.w.Header().Set("Cache-Control", "no-store")
	x.reply(status, map[string]any{
		"error": code,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, message, trace, correlation, now.Format("2006-01-02 15:04:05Z")),
		"error_codes":    []int{aadsts},
		"timestamp":      now.Format("2006-01-02 15:04:05Z"),
		"trace_id":       trace,
		"correlation_id": correlation,
		"error_uri":      baseURL(x.r) + "/error?code=" + strconv.Itoa(aadsts),
	})
}

func (x *exchange) tenantNotFound(tenant string) {
	x.aadError(http.StatusBadRequest, "invalid_request", 90002, fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
}

func (e *Emulator) handleAzureToken(x *exchange) {
	tenant := x.params["tenant"]
	v2 := strings.HasSuffix(x.r.URL.Path, "/v2.0/token")
	form, auth, problem := parseTokenForm(x)
	if problem != "" {
		x.aadError(http.StatusBadRequest, "invalid_request", 900144, problem)
		return
	}
	grant := form.Get("grant_type")
	e.log.update(x.entry, func(r *Request) { r.GrantType, r.ClientID = grant, auth.id })
	if !e.principals.knownTenant(tenant) {
		x.tenantNotFound(tenant)
		return
	}
	missing := func(name string) {
		x.aadError(http.StatusBadRequest, "invalid_request", 900144, fmt.Sprintf("The request body must contain the following parameter: '%s'.", name))
	}
	switch {
	case grant == "":
		missing("grant_type")
		return
	case grant != grantClientCredentials:
		x.aadError(http.StatusBadRequest, "unsupported_grant_type", 70003, fmt.Sprintf("The app requested an unsupported grant type '%s'.", grant))
		return
	case auth.id == "":
		missing("client_id")
		return
	}
	sp, known := e.principals.azurePrincipal(tenant, auth.id)
	if !known && auth.basic {
		sp, known = e.principals.azurePrincipal(tenant, auth.rawID)
	}
	switch {
	case !known:
		x.aadError(http.StatusBadRequest, "unauthorized_client", 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", auth.id, tenant))
		return
	case auth.secret == "":
		x.aadError(http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	case !auth.secretMatches(sp.ClientSecret):
		x.aadError(http.StatusUnauthorized, "invalid_client", 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", sp.ClientID))
		return
	}
	resource, ok := azureResource(x, form, v2, missing)
	if !ok {
		return
	}
	lifetime := e.opts.OAuthTokenLifetime
	principal := sp.ClientID
	audience := resource
	token, expires := e.accessTokens.issue(principal, audience, lifetime, map[string]any{
		"aud": audience, "iss": "https://sts.windows.net/" + tenant + "/", "tid": tenant,
		"appid": sp.ClientID, "appidacr": "1", "oid": scimID(tenant + "/" + sp.ClientID), "sub": scimID(sp.ClientID), "ver": "1.0",
	})
	e.log.update(x.entry, func(r *Request) { r.Principal = principal })
	x.w.Header().Set("Cache-Control", "no-store")
	seconds := int64(lifetime / time.Second)
	if v2 {
		x.reply(http.StatusOK, map[string]any{
			"token_type": "Bearer", "expires_in": seconds, "ext_expires_in": seconds, "access_token": token,
		})
		return
	}
	// The v1 endpoint sends its numbers as strings.
	x.reply(http.StatusOK, map[string]string{
		"token_type": "Bearer", "expires_in": strconv.FormatInt(seconds, 10), "ext_expires_in": strconv.FormatInt(seconds, 10),
		"expires_on": strconv.FormatInt(expires.Unix(), 10), "not_before": strconv.FormatInt(time.Now().Unix(), 10),
		"resource": resource, "access_token": token,
	})
}

// azureResource reads the resource a token is for: v2.0 takes one
// scope=<resource>/.default, v1 a resource parameter.
func azureResource(x *exchange, form url.Values, v2 bool, missing func(string)) (string, bool) {
	var resource string
	if v2 {
		scope := form.Get("scope")
		if scope == "" {
			missing("scope")
			return "", false
		}
		r, ok := strings.CutSuffix(scope, "/.default")
		if !ok || strings.ContainsAny(scope, " \t") {
			x.aadError(http.StatusBadRequest, "invalid_scope", 1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", scope))
			return "", false
		}
		resource = r
		if resource == "https://management.core.windows.net" || resource == "https://management.azure.com" {
			resource += "/"
		}
	} else {
		resource = form.Get("resource")
		if resource == "" {
			missing("resource")
			return "", false
		}
	}
	if resource != AzureDatabricksResourceID && !azureManagementResources[resource] {
		x.aadError(http.StatusBadRequest, "invalid_resource", 500011, fmt.Sprintf("The resource principal named %s was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.", resource))
		return "", false
	}
	return resource, true
}

// handleAzureDiscovery serves a tenant's OpenID configuration, where MSAL
// reads the token endpoint.
func (e *Emulator) handleAzureDiscovery(x *exchange) {
	tenant := x.params["tenant"]
	if !e.principals.knownTenant(tenant) {
		x.tenantNotFound(tenant)
		return
	}
	root := baseURL(x.r) + "/" + tenant
	x.reply(http.StatusOK, map[string]any{
		"issuer":                                root + "/v2.0",
		"token_endpoint":                        root + "/oauth2/v2.0/token",
		"authorization_endpoint":                root + "/oauth2/v2.0/authorize",
		"jwks_uri":                              root + "/discovery/v2.0/keys",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{algRS256},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "microsoftonline.com",
	})
}

// handleAzureInstanceDiscovery answers MSAL's instance discovery, which names
// the tenant discovery endpoint of an authority and the host's aliases.
func (e *Emulator) handleAzureInstanceDiscovery(x *exchange) {
	tenant := "common"
	if u, err := url.Parse(x.r.URL.Query().Get("authorization_endpoint")); err == nil {
		if first, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/"); first != "" {
			tenant = first
		}
	}
	host := x.r.Host
	x.reply(http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": baseURL(x.r) + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}
