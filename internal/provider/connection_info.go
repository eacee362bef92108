package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	ephschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	rsschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// connectionInfoModel is the connection_info argument: the connection attributes of a
// dbsql_connection, so that the whole resource can be handed over
// (connection_info = dbsql_connection.sales); Terraform drops the attributes this object
// does not declare.
type connectionInfoModel struct {
	Name               types.String `tfsdk:"name"`
	BaseURL            types.String `tfsdk:"base_url"`
	Timeout            types.Int64  `tfsdk:"timeout"`
	AuthenticationType types.String `tfsdk:"authentication_type"`
	AccessToken        types.String `tfsdk:"access_token"`
	WarehouseID        types.String `tfsdk:"warehouse_id"`
}

const connectionInfoDescription = "The connection to use, usually a whole `dbsql_connection` resource: " +
	"`connection_info = dbsql_connection.sales`. When omitted, the provider block's connection is used."

// connectionInfoField describes one attribute of connection_info. Data sources,
// resources and ephemeral resources each have a schema package of their own, so the
// attributes are described once here and built three ways below.
type connectionInfoField struct {
	name         string
	description  string
	required     bool
	sensitive    bool
	isInt64      bool
	validators   []validator.String
	validators64 []validator.Int64
}

var connectionInfoFields = []connectionInfoField{
	{name: "name", description: "The connection's label, used in messages.", validators: []validator.String{nameValidator{}}},
	{
		name: "base_url", required: true, validators: []validator.String{baseURLValidator{}},
		description: "The workspace URL, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`.",
	},
	{
		name: "timeout", isInt64: true, validators64: []validator.Int64{int64validator.Between(minTimeout, maxTimeout)},
		description: fmt.Sprintf("Timeout in seconds of each API request, 1 to 3600. Default `%d`.", int(databricks.DefaultTimeout/time.Second)),
	},
	{
		name: "authentication_type", validators: []validator.String{stringvalidator.OneOf(authPersonalAccessToken)},
		description: "`personal_access_token`, the default.",
	},
	{
		name: "access_token", sensitive: true, validators: []validator.String{accessTokenValidator{}},
		description: "A Databricks personal access token. Sensitive. When null (a `dbsql_connection` with `access_token_wo` " +
			"hands none on), the provider's token is used.",
	},
	{
		name: "warehouse_id", validators: []validator.String{warehouseIDValidator{}},
		description: "The connection's default SQL warehouse.",
	},
}

// connectionInfoDataSourceAttribute is connection_info in a data source schema.
func connectionInfoDataSourceAttribute() dsschema.SingleNestedAttribute {
	attrs := map[string]dsschema.Attribute{}
	for _, f := range connectionInfoFields {
		if f.isInt64 {
			attrs[f.name] = dsschema.Int64Attribute{Required: f.required, Optional: !f.required, MarkdownDescription: f.description, Validators: f.validators64}
			continue
		}
		attrs[f.name] = dsschema.StringAttribute{Required: f.required, Optional: !f.required, Sensitive: f.sensitive, MarkdownDescription: f.description, Validators: f.validators}
	}
	return dsschema.SingleNestedAttribute{Optional: true, MarkdownDescription: connectionInfoDescription, Attributes: attrs}
}

// connectionInfoResourceAttribute is connection_info in a resource schema. Changing it
// never replaces the resource: a new token or timeout reaches the same workspace.
func connectionInfoResourceAttribute() rsschema.SingleNestedAttribute {
	attrs := map[string]rsschema.Attribute{}
	for _, f := range connectionInfoFields {
		if f.isInt64 {
			attrs[f.name] = rsschema.Int64Attribute{Required: f.required, Optional: !f.required, MarkdownDescription: f.description, Validators: f.validators64}
			continue
		}
		attrs[f.name] = rsschema.StringAttribute{Required: f.required, Optional: !f.required, Sensitive: f.sensitive, MarkdownDescription: f.description, Validators: f.validators}
	}
	return rsschema.SingleNestedAttribute{Optional: true, MarkdownDescription: connectionInfoDescription, Attributes: attrs}
}

// connectionInfoEphemeralAttribute is connection_info in an ephemeral resource schema.
func connectionInfoEphemeralAttribute() ephschema.SingleNestedAttribute {
	attrs := map[string]ephschema.Attribute{}
	for _, f := range connectionInfoFields {
		if f.isInt64 {
			attrs[f.name] = ephschema.Int64Attribute{Required: f.required, Optional: !f.required, MarkdownDescription: f.description, Validators: f.validators64}
			continue
		}
		attrs[f.name] = ephschema.StringAttribute{Required: f.required, Optional: !f.required, Sensitive: f.sensitive, MarkdownDescription: f.description, Validators: f.validators}
	}
	return ephschema.SingleNestedAttribute{Optional: true, MarkdownDescription: connectionInfoDescription, Attributes: attrs}
}

// resolveConnection picks the connection a data source or resource runs on:
// connection_info when given, else the provider's; and the warehouse: the object's own
// warehouse_id, else connection_info's, else the provider's. Whatever is missing is an
// error that lists every way to set it.
func (d *providerData) resolveConnection(info *connectionInfoModel, warehouseID types.String) (connectionSettings, string, diag.Diagnostics) {
	conn, diags := d.connectionFor(info, "this data source")
	defaults := d.settings()
	warehouse := warehouseID.ValueString()
	if warehouse == "" && info != nil {
		warehouse = info.WarehouseID.ValueString()
	}
	if warehouse == "" {
		warehouse = defaults.WarehouseID
		if err := databricks.ValidateWarehouseID(warehouse); warehouse != "" && err != nil {
			diags.AddError("Invalid Warehouse ID", fmt.Sprintf("The warehouse id from %s is invalid: %v", defaults.warehouseIDFrom, err))
		}
	}
	if warehouse == "" {
		diags.AddAttributeError(path.Root("warehouse_id"), "No SQL Warehouse",
			"No warehouse is set to run the statement on. Set one of: warehouse_id here; warehouse_id of the connection in connection_info; "+
				"warehouse_id in the provider block; the "+envWarehouseID+" environment variable; warehouse_id in a ~/.databrickscfg profile. "+
				"The id is the last part of the warehouse's HTTP path (Connection details tab).")
	}
	return conn, warehouse, diags
}

// connectionFor is connection_info when given, else the provider's connection; user
// names what needs it, for messages.
func (d *providerData) connectionFor(info *connectionInfoModel, user string) (connectionSettings, diag.Diagnostics) {
	if info == nil {
		return d.providerConnection(user)
	}
	var diags diag.Diagnostics
	conn := connectionSettings{
		Name:    info.Name.ValueString(),
		BaseURL: info.BaseURL.ValueString(),
		Token:   info.AccessToken.ValueString(),
		Timeout: databricks.DefaultTimeout,
	}
	if !info.Timeout.IsNull() {
		conn.Timeout = time.Duration(info.Timeout.ValueInt64()) * time.Second
	}
	if info.AccessToken.IsNull() {
		// A connection with a write-only token hands no token on through state: the
		// provider's token (from the environment) serves its Base URL.
		conn.Token = d.settings().Token
		if conn.Token == "" {
			diags.AddAttributeError(path.Root("connection_info").AtName("access_token"), "No Databricks Access Token",
				"connection_info has no access_token (a dbsql_connection with access_token_wo keeps its token out of state, so it cannot hand it on). "+
					"Set the provider's token instead: the "+envToken+" environment variable, access_token in the provider block "+
					"(from an ephemeral value or a variable), or token in a ~/.databrickscfg profile.")
		}
	}
	return conn, diags
}

// settings returns the provider's resolved settings; empty for an unconfigured provider.
func (d *providerData) settings() providerSettings {
	if d == nil {
		return providerSettings{}
	}
	return d.defaults
}

// providerConnection is the provider block's own connection, for user (what needs it,
// for messages). Values from the environment or a profile were never seen by a
// plan-time validator, so they are checked here, naming where each came from.
func (d *providerData) providerConnection(user string) (connectionSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	defaults := d.settings()
	conn := connectionSettings{BaseURL: defaults.BaseURL, Token: defaults.Token, Timeout: defaults.Timeout}
	if conn.Timeout == 0 {
		conn.Timeout = databricks.DefaultTimeout
	}
	if conn.BaseURL == "" {
		diags.AddError("No Databricks Connection",
			"No Base URL is set for "+user+". Set one of: connection_info = dbsql_connection.<name> (where the object takes one); "+
				"base_url in the provider block; the "+envHost+" environment variable; host in a ~/.databrickscfg profile.")
	} else if _, err := databricks.ParseBaseURL(conn.BaseURL); err != nil {
		diags.AddError("Invalid Base URL", fmt.Sprintf("The Base URL from %s is invalid: %v", defaults.baseURLFrom, err))
	}
	if conn.Token == "" {
		diags.AddError("No Databricks Access Token",
			"No access token is set for "+user+". Set one of: connection_info = dbsql_connection.<name> (where the object takes one); "+
				"access_token in the provider block (from a variable or an ephemeral value, never a literal); the "+envToken+" environment variable; "+
				"token in a ~/.databrickscfg profile.")
	} else if err := databricks.ValidateToken(conn.Token); err != nil {
		diags.AddError("Invalid Access Token", fmt.Sprintf("The access token from %s is invalid: %v", defaults.tokenFrom, err))
	}
	return conn, diags
}
