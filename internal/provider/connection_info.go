package provider

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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

// connectionInfoDataSourceAttribute is connection_info in a data source schema, with the
// same validators as dbsql_connection.
func connectionInfoDataSourceAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional:            true,
		MarkdownDescription: connectionInfoDescription,
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The connection's label, used in messages.",
				Validators:          []validator.String{nameValidator{}},
			},
			"base_url": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The workspace URL, e.g. `https://adb-1234567890123456.7.azuredatabricks.net`.",
				Validators:          []validator.String{baseURLValidator{}},
			},
			"timeout": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Timeout in seconds of each API request, 1 to 3600. Default `%d`.", int(databricks.DefaultTimeout/time.Second)),
				Validators:          []validator.Int64{int64validator.Between(minTimeout, maxTimeout)},
			},
			"authentication_type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "`personal_access_token`, the default.",
				Validators:          []validator.String{stringvalidator.OneOf(authPersonalAccessToken)},
			},
			"access_token": schema.StringAttribute{
				Required:            true,
				Sensitive:           true,
				MarkdownDescription: "A Databricks personal access token. Sensitive.",
				Validators:          []validator.String{accessTokenValidator{}},
			},
			"warehouse_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The connection's default SQL warehouse.",
				Validators:          []validator.String{warehouseIDValidator{}},
			},
		},
	}
}

// resolveConnection picks the connection a data source or resource runs on:
// connection_info when given, else the provider's; and the warehouse: the object's own
// warehouse_id, else connection_info's, else the provider's. Whatever is missing is an
// error that lists every way to set it.
func (d *providerData) resolveConnection(info *connectionInfoModel, warehouseID types.String) (connectionSettings, string, diag.Diagnostics) {
	var diags diag.Diagnostics
	var defaults providerSettings
	if d != nil {
		defaults = d.defaults
	}
	conn := connectionSettings{BaseURL: defaults.BaseURL, Token: defaults.Token, Timeout: defaults.Timeout}
	warehouse := warehouseID.ValueString()

	if info != nil {
		conn = connectionSettings{
			Name:    info.Name.ValueString(),
			BaseURL: info.BaseURL.ValueString(),
			Token:   info.AccessToken.ValueString(),
			Timeout: databricks.DefaultTimeout,
		}
		if !info.Timeout.IsNull() {
			conn.Timeout = time.Duration(info.Timeout.ValueInt64()) * time.Second
		}
		if warehouse == "" {
			warehouse = info.WarehouseID.ValueString()
		}
	} else {
		if conn.BaseURL == "" {
			diags.AddAttributeError(path.Root("connection_info"), "No Databricks Connection",
				"No Base URL is set for this data source. Set one of: connection_info = dbsql_connection.<name>; "+
					"base_url in the provider block; the "+envHost+" environment variable; host in a ~/.databrickscfg profile.")
		}
		if conn.Token == "" {
			diags.AddAttributeError(path.Root("connection_info"), "No Databricks Access Token",
				"No access token is set for this data source. Set one of: connection_info = dbsql_connection.<name>; "+
					"access_token in the provider block (from a variable, never a literal); the "+envToken+" environment variable; "+
					"token in a ~/.databrickscfg profile.")
		}
	}
	if info == nil && !diags.HasError() {
		// Values from the environment or a profile were never seen by a plan-time
		// validator: check them here, saying where each came from.
		if _, err := databricks.ParseBaseURL(conn.BaseURL); err != nil {
			diags.AddError("Invalid Base URL", fmt.Sprintf("The Base URL from %s is invalid: %v", defaults.baseURLFrom, err))
		}
		if err := databricks.ValidateToken(conn.Token); err != nil {
			diags.AddError("Invalid Access Token", fmt.Sprintf("The access token from %s is invalid: %v", defaults.tokenFrom, err))
		}
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
