package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file describes a connection's arguments once: the provider block, dbsql_connection
// and every connection_info take the same ones, with the same words and the same checks.

// connectionFields say how to reach a workspace and as whom.
type connectionFields struct {
	BaseURL            types.String `tfsdk:"base_url"`
	Timeout            types.Int64  `tfsdk:"timeout"`
	AuthenticationType types.String `tfsdk:"authentication_type"`
	AccessToken        types.String `tfsdk:"access_token"`
	ClientID           types.String `tfsdk:"client_id"`
	ClientSecret       types.String `tfsdk:"client_secret"`
	AzureTenantID      types.String `tfsdk:"azure_tenant_id"`
	WarehouseID        types.String `tfsdk:"warehouse_id"`
}

// credentialSettings are the connection's own credentials; prefix names its attributes
// in messages ("connection_info." or "" for dbsql_connection's own). An argument fills
// both the Databricks and the Entra ID settings: its authentication type says which.
func (f connectionFields) credentialSettings(prefix string) credentialSettings {
	arg := func(v types.String, name string) setting {
		if v.IsUnknown() {
			return setting{from: prefix + name, unknown: true}
		}
		return setting{value: v.ValueString(), from: prefix + name}
	}
	clientID, clientSecret := arg(f.ClientID, "client_id"), arg(f.ClientSecret, "client_secret")
	return credentialSettings{
		authType:          arg(f.AuthenticationType, "authentication_type"),
		token:             arg(f.AccessToken, "access_token"),
		clientID:          clientID,
		clientSecret:      clientSecret,
		azureTenantID:     arg(f.AzureTenantID, "azure_tenant_id"),
		azureClientID:     clientID,
		azureClientSecret: clientSecret,
	}
}

// connectionInfoModel is the connection_info argument: the attributes of a
// dbsql_connection that describe the connection, so that the whole resource can be
// handed over (connection_info = dbsql_connection.sales); Terraform drops the
// attributes this object does not declare.
type connectionInfoModel struct {
	Name types.String `tfsdk:"name"`
	connectionFields
}

// timeoutOrDefault is the timeout argument as a duration, the default when unset.
func (f connectionFields) timeoutOrDefault() time.Duration {
	if f.Timeout.IsNull() || f.Timeout.IsUnknown() {
		return databricks.DefaultTimeout
	}
	return time.Duration(f.Timeout.ValueInt64()) * time.Second
}

const (
	minTimeout = 1
	maxTimeout = 3600
)

// The connection's arguments. The provider block and dbsql_connection add sentences of
// their own (where else a value comes from, what the test checks) after these.
var (
	connectionNameSpec = stringSpec{
		presence:    required,
		description: "A label for the connection, 1 to 100 characters, shown in messages about it.",
		validators:  []validator.String{nameValidator()},
	}
	baseURLSpec = stringSpec{
		presence: required,
		description: "The workspace URL, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`: `https` only (`http` is accepted for " +
			"loopback addresses, for a local emulator), no path, query or user info; a trailing slash is ignored.",
		validators: []validator.String{baseURLValidator()},
	}
	timeoutSpec = int64Spec{
		description: fmt.Sprintf("Timeout in seconds of each API request, %d to %d. Default `%d`.", minTimeout, maxTimeout, int(databricks.DefaultTimeout/time.Second)),
		validators:  []validator.Int64{int64validator.Between(minTimeout, maxTimeout)},
	}
	authenticationTypeSpec = stringSpec{
		description: "How to authenticate, named as Databricks unified authentication names it: `pat` (a personal access token; " +
			"`personal_access_token` is the same), `oauth-m2m` (a service principal's OAuth secret), `github-oidc`, `env-oidc` and " +
			"`file-oidc` (workload identity federation: a CI's identity token exchanged for a service principal's), `databricks-cli` " +
			"(the Databricks CLI's login), `azure-client-secret` and `azure-cli` (Entra ID). When unset, the type is picked from " +
			"what is set, as the Databricks CLI does: an access token means `pat`, a client secret `oauth-m2m`; settings for more " +
			"than one type are an error that asks you to choose. See the authentication guide.",
		validators: []validator.String{stringvalidator.OneOf(authTypes...)},
	}
	accessTokenSpec = stringSpec{
		sensitive:   true,
		description: "A Databricks personal access token (`pat`). Sensitive.",
		validators:  []validator.String{accessTokenValidator()},
	}
	clientIDSpec = stringSpec{
		description: "A service principal's application id: with `client_secret` for `oauth-m2m`; the principal a CI's identity token " +
			"is exchanged for (`github-oidc`, `env-oidc`, `file-oidc`); or the Entra ID application's client id (`azure-client-secret`).",
		validators: []validator.String{notBlankValidator("Invalid Client ID")},
	}
	clientSecretSpec = stringSpec{
		sensitive: true,
		description: "The OAuth secret of the service principal `client_id` names (`oauth-m2m`), or the Entra ID application's secret " +
			"(`azure-client-secret`). Sensitive.",
		validators: []validator.String{secretValidator("Invalid Client Secret")},
	}
	azureTenantIDSpec = stringSpec{
		description: "The Entra ID tenant of the application, for `azure-client-secret`.",
		validators:  []validator.String{notBlankValidator("Invalid Tenant ID")},
	}
	warehouseIDSpec = stringSpec{
		description: "The default SQL warehouse for queries, e.g. `1234567890abcdef`: the last part of the warehouse's HTTP path.",
		validators:  []validator.String{warehouseIDValidator()},
	}
)

// connectionInfoSpec is the connection_info argument of every object that runs on a
// connection. Changing it never replaces a resource: a new token or timeout reaches the
// same workspace.
var connectionInfoSpec = singleNestedSpec{
	description: "The connection to use, usually a whole `dbsql_connection` resource: " +
		"`connection_info = dbsql_connection.sales`. When omitted, the provider block's connection is used.",
	attributes: attributeSpecs{
		"name":                withPresence(connectionNameSpec, optional),
		"base_url":            baseURLSpec,
		"timeout":             timeoutSpec,
		"authentication_type": authenticationTypeSpec,
		"access_token": withDescription(accessTokenSpec, accessTokenSpec.description+
			" When the connection holds no secret (a `dbsql_connection` with `access_token_wo` or `client_secret_wo` hands none on), "+
			"the provider's credentials serve it, if they are for the same workspace and principal."),
		"client_id":       clientIDSpec,
		"client_secret":   clientSecretSpec,
		"azure_tenant_id": azureTenantIDSpec,
		"warehouse_id":    warehouseIDSpec,
	},
}

// needsSecret reports whether an authentication type (canonical, or "" for one yet to be
// picked) needs a secret of the connection's own; the others find theirs on the machine.
func needsSecret(authType string) bool {
	switch authType {
	case "", authPAT, authOAuthM2M, authAzureClientSecret:
		return true
	}
	return false
}

// hasSecret reports whether the settings hold a secret.
func (s credentialSettings) hasSecret() bool {
	return s.token.isSet() || s.clientSecret.isSet() || s.azureClientSecret.isSet()
}

// withPresence is spec, required or optional as given.
func withPresence(spec stringSpec, p presence) stringSpec {
	spec.presence = p
	return spec
}

// withDescription is spec with a description that adds to the shared one.
func withDescription(spec stringSpec, description string) stringSpec {
	spec.description = description
	return spec
}
