// Package provider is the Terraform-facing side of the dbsql provider: schemas, plan-time
// validation and diagnostics. Everything that speaks to Databricks goes through
// internal/databricks.
package provider

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ provider.Provider                       = (*dbsqlProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*dbsqlProvider)(nil)
	_ provider.ProviderWithFunctions          = (*dbsqlProvider)(nil)
)

// Environment variables, the same ones the Databricks CLI and SDKs read.
const (
	envHost        = "DATABRICKS_HOST"
	envToken       = "DATABRICKS_TOKEN"
	envWarehouseID = "DATABRICKS_WAREHOUSE_ID"
	envProfile     = "DATABRICKS_CONFIG_PROFILE"
	envConfigFile  = "DATABRICKS_CONFIG_FILE"
)

// New returns a constructor of the provider, as providerserver.Serve wants.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &dbsqlProvider{version: version}
	}
}

type dbsqlProvider struct {
	version string
}

type providerModel struct {
	connectionFields
	Profile           types.String `tfsdk:"profile"`
	ConfigFile        types.String `tfsdk:"config_file"`
	MaxParallelChunks types.Int64  `tfsdk:"max_parallel_chunks"`
}

func (p *dbsqlProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dbsql"
	resp.Version = p.version
}

func (p *dbsqlProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The dbsql provider connects Terraform and OpenTofu to Databricks SQL: it declares workspace connections, " +
			"tests them, and runs SQL statements on SQL warehouses. Every argument is optional: resources and data sources can bring " +
			"their own connection, and a connection can come from the environment or a `~/.databrickscfg` profile. " +
			"Each setting is taken from the argument, else the environment variable, else the profile.",
		Attributes: map[string]schema.Attribute{
			"base_url": withDescription(baseURLSpec, baseURLSpec.description+" Else `"+envHost+"`, else `host` in the profile.").provider(),
			"access_token": withDescription(accessTokenSpec, accessTokenSpec.description+" Else `"+envToken+"`, else `token` in the profile. "+
				"Prefer the environment variable in pipelines: never pass a token with `-var`, which the CLI writes to its log.").provider(),
			"timeout":             timeoutSpec.provider(),
			"authentication_type": authenticationTypeSpec.provider(),
			"warehouse_id": withDescription(warehouseIDSpec, warehouseIDSpec.description+" Else `"+envWarehouseID+"`, "+
				"else `warehouse_id` in the profile.").provider(),
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "A profile of the Databricks configuration file to read `host`, `token` and `warehouse_id` from. " +
					"Else `" + envProfile + "`, else the file's `[__settings__] default_profile`, else `DEFAULT`.",
			},
			"max_parallel_chunks": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many result chunks a query fetches at once, 1 to 16. Default `%d`. Applies to every query "+
					"of this provider, whichever connection it uses.", databricks.DefaultMaxParallelChunks),
				Validators: []validator.Int64{int64validator.Between(1, 16)},
			},
			"config_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The Databricks configuration file. Else `" + envConfigFile + "`, else `" + databricks.DefaultConfigFile + "`.",
			},
		},
	}
}

func (p *dbsqlProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var config providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A value computed by another resource is unknown until that resource is applied. The
	// provider cannot connect with it, and guessing would connect somewhere else.
	for name, v := range map[string]types.String{
		"base_url": config.BaseURL, "access_token": config.AccessToken, "warehouse_id": config.WarehouseID,
		"profile": config.Profile, "config_file": config.ConfigFile, "authentication_type": config.AuthenticationType,
	} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Configuration",
				fmt.Sprintf("The provider's %s depends on a value that is not known until apply, so the provider cannot connect yet. "+
					"Apply the resource it comes from first (terraform apply -target=...), set the value statically, or use the environment variables instead.", name))
		}
	}
	for name, v := range map[string]types.Int64{"timeout": config.Timeout, "max_parallel_chunks": config.MaxParallelChunks} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown Provider Configuration",
				fmt.Sprintf("The provider's %s depends on a value that is not known until apply. Set it statically or apply its source first.", name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	defaults, err := resolveProviderSettings(config, os.LookupEnv, databricks.DefaultConfigFile)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read the Databricks Configuration File", err.Error())
		return
	}
	data := &providerData{
		defaults:         defaults,
		version:          p.version,
		terraformVersion: req.TerraformVersion,
		pool:             newTransportPool(),
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

// resolveProviderSettings applies the precedence argument > environment > profile to
// each setting. Nothing is required here: a missing Base URL or token is reported by
// whatever needs it, since resources may bring their own connection.
// defaultFile is the configuration file read when neither argument nor environment
// names one.
func resolveProviderSettings(config providerModel, lookupEnv func(string) (string, bool), defaultFile string) (providerSettings, error) {
	pick := func(arg types.String, env string) (string, string) {
		if !arg.IsNull() && !arg.IsUnknown() {
			return arg.ValueString(), "argument"
		}
		if v, ok := lookupEnv(env); ok && v != "" {
			return v, env
		}
		return "", ""
	}
	var s providerSettings
	s.BaseURL, s.baseURLFrom = pick(config.BaseURL, envHost)
	s.Token, s.tokenFrom = pick(config.AccessToken, envToken)
	s.WarehouseID, s.warehouseIDFrom = pick(config.WarehouseID, envWarehouseID)
	s.Timeout = databricks.DefaultTimeout
	if !config.Timeout.IsNull() {
		s.Timeout = time.Duration(config.Timeout.ValueInt64()) * time.Second
	}
	s.MaxParallelChunks = int(config.MaxParallelChunks.ValueInt64()) // 0 when unset: the client's default

	profileName, profileFrom := pick(config.Profile, envProfile)
	file, fileFrom := pick(config.ConfigFile, envConfigFile)
	if file == "" {
		file = defaultFile
	}
	profile, err := databricks.LoadProfile(file, profileName)
	switch {
	case err == nil:
		fromProfile := fmt.Sprintf("profile %s of %s", profile.Name, file)
		if s.BaseURL == "" && profile.Host != "" {
			s.BaseURL, s.baseURLFrom = profile.Host, fromProfile
		}
		if s.Token == "" && profile.Token != "" {
			s.Token, s.tokenFrom = profile.Token, fromProfile
		}
		if s.WarehouseID == "" && profile.WarehouseID != "" {
			s.WarehouseID, s.warehouseIDFrom = profile.WarehouseID, fromProfile
		}
	case errors.Is(err, fs.ErrNotExist) && fileFrom == "" && profileFrom == "":
		// No file was asked for and the default one is absent: nothing to read.
	case errors.Is(err, fs.ErrNotExist):
		return s, fmt.Errorf("the configuration file %s does not exist (set by %s). Create it, or remove the setting", file, firstNonEmpty(fileFrom, profileFrom))
	case errors.Is(err, databricks.ErrProfileNotFound) && profileFrom == "":
		// The default profile is absent: nothing to read.
	default:
		return s, fmt.Errorf("%w. Check the profile name (set by %s) and the file", err, firstNonEmpty(profileFrom, fileFrom))
	}
	return s, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func (p *dbsqlProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		newConnectionResource,
		newAccessTokenResource,
		newStatementResource,
	}
}

func (p *dbsqlProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newQueryDataSource,
		newWarehousesDataSource,
	}
}

func (p *dbsqlProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		newAccessTokenEphemeralResource,
		newQueryEphemeralResource,
	}
}

func (p *dbsqlProvider) Functions(context.Context) []func() function.Function {
	return []func() function.Function{
		newQuoteIdentifierFunction,
		newQuoteStringFunction,
	}
}
