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
	WarehouseID        types.String `tfsdk:"warehouse_id"`
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

	authPersonalAccessToken = "personal_access_token"
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
		description: "How to authenticate: `" + authPersonalAccessToken + "`, the default and for now the only type.",
		validators:  []validator.String{stringvalidator.OneOf(authPersonalAccessToken)},
	}
	accessTokenSpec = stringSpec{
		sensitive:   true,
		description: "A Databricks personal access token. Sensitive.",
		validators:  []validator.String{accessTokenValidator()},
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
			" When null (a `dbsql_connection` with `access_token_wo` hands none on), the provider's token is used."),
		"warehouse_id": warehouseIDSpec,
	},
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
