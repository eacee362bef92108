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
	"os/exec"
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
	// Where this machine keeps a CI's identity token or the Databricks CLI.
	OIDCTokenEnv  types.String `tfsdk:"oidc_token_env"`
	OIDCTokenFile types.String `tfsdk:"oidc_token_filepath"`
	TokenAudience types.String `tfsdk:"token_audience"`
	CLIPath       types.String `tfsdk:"databricks_cli_path"`
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
			"client_id": withDescription(clientIDSpec, clientIDSpec.description+" Else `"+envClientID+"` (`"+envAzureClientID+
				"` for Entra ID), else `client_id` (`azure_client_id`) in the profile.").provider(),
			"client_secret": withDescription(clientSecretSpec, clientSecretSpec.description+" Else `"+envClientSecret+"` (`"+
				envAzureClientSecret+"` for Entra ID), else `client_secret` (`azure_client_secret`) in the profile.").provider(),
			"azure_tenant_id": withDescription(azureTenantIDSpec, azureTenantIDSpec.description+" Else `"+envAzureTenantID+
				"`, else `azure_tenant_id` in the profile.").provider(),
			"oidc_token_env": stringSpec{description: "For `env-oidc`: the environment variable that holds the CI's identity token (a JWT). " +
				"Else `" + envOIDCTokenEnv + "`, else `oidc_token_env` in the profile, else `" + defaultOIDCTokenEnv + "`."}.provider(),
			"oidc_token_filepath": stringSpec{description: "For `file-oidc`: the file that holds the CI's identity token (a JWT). Else `" +
				envOIDCTokenFile + "`, else `databricks_id_token_filepath` in the profile."}.provider(),
			"token_audience": stringSpec{description: "The audience to ask the CI's identity token for (`github-oidc`), as the service " +
				"principal's federation policy expects it. Else `" + envTokenAudience + "`, else `audience` in the profile, else the " +
				"workspace's token endpoint URL."}.provider(),
			"databricks_cli_path": stringSpec{description: "For `databricks-cli`: the Databricks CLI to ask for a token. Else `" + envCLIPath +
				"`, else `databricks_cli_path` in the profile, else `databricks` on the PATH."}.provider(),
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
		"client_id": config.ClientID, "client_secret": config.ClientSecret, "azure_tenant_id": config.AzureTenantID,
		"oidc_token_env": config.OIDCTokenEnv, "oidc_token_filepath": config.OIDCTokenFile, "token_audience": config.TokenAudience,
		"databricks_cli_path": config.CLIPath,
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
		credentials:      newCredentialsCache(),
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
}

// resolveProviderSettings applies the precedence argument > environment > profile to
// each setting. Nothing is required here: a missing Base URL or credential is reported
// by whatever needs it, since resources may bring their own connection. defaultFile is
// the configuration file read when neither argument nor environment names one.
func resolveProviderSettings(config providerModel, lookupEnv func(string) (string, bool), defaultFile string) (providerSettings, error) {
	arg := func(v types.String) setting {
		if v.IsNull() || v.IsUnknown() {
			return setting{}
		}
		return setting{value: v.ValueString(), from: "argument"}
	}
	env := func(name string) setting {
		if v, ok := lookupEnv(name); ok && v != "" {
			return setting{value: v, from: name}
		}
		return setting{}
	}
	var s providerSettings
	s.timeout = databricks.DefaultTimeout
	if !config.Timeout.IsNull() {
		s.timeout = time.Duration(config.Timeout.ValueInt64()) * time.Second
	}
	s.maxParallelChunks = int(config.MaxParallelChunks.ValueInt64()) // 0 when unset: the client's default

	profileName := pick(arg(config.Profile), env(envProfile))
	file := pick(arg(config.ConfigFile), env(envConfigFile))
	profile, err := loadProfile(file, profileName, defaultFile)
	if err != nil {
		return s, err
	}
	s.baseURL = pick(arg(config.BaseURL), env(envHost), profile.get("host"))
	s.warehouseID = pick(arg(config.WarehouseID), env(envWarehouseID), profile.get("warehouse_id"))
	s.credentials = credentialSettings{
		authType:          pick(arg(config.AuthenticationType), env(envAuthType), profile.get("auth_type")),
		token:             pick(arg(config.AccessToken), env(envToken), profile.get("token")),
		clientID:          pick(arg(config.ClientID), env(envClientID), profile.get("client_id")),
		clientSecret:      pick(arg(config.ClientSecret), env(envClientSecret), profile.get("client_secret")),
		azureTenantID:     pick(arg(config.AzureTenantID), env(envAzureTenantID), profile.get("azure_tenant_id")),
		azureClientID:     pick(arg(config.ClientID), env(envAzureClientID), profile.get("azure_client_id")),
		azureClientSecret: pick(arg(config.ClientSecret), env(envAzureClientSecret), profile.get("azure_client_secret")),
	}
	m := machineSettings{
		oidcTokenEnv:       pick(arg(config.OIDCTokenEnv), env(envOIDCTokenEnv), profile.get("oidc_token_env"), setting{value: defaultOIDCTokenEnv, from: "the default"}),
		oidcTokenFile:      pick(arg(config.OIDCTokenFile), env(envOIDCTokenFile), profile.get("databricks_id_token_filepath")),
		audience:           pick(arg(config.TokenAudience), env(envTokenAudience), profile.get("audience")),
		cliPath:            pick(arg(config.CLIPath), env(envCLIPath), profile.get("databricks_cli_path")),
		githubTokenURL:     env(envGitHubTokenURL),
		githubRequestToken: env(envGitHubTokenRequest),
		azureAuthorityHost: env(envAzureAuthorityHost),
		lookPath:           exec.LookPath,
	}
	m.oidcToken = env(m.oidcTokenEnv.value)
	s.machine = m
	return s, nil
}

// profileSettings is the profile read from the Databricks configuration file, if any.
type profileSettings struct {
	values map[string]string
	from   string
}

func (p profileSettings) get(key string) setting {
	if v := p.values[key]; v != "" {
		return setting{value: v, from: p.from}
	}
	return setting{}
}

// loadProfile reads the profile named by name (else the file's default) from file
// (else defaultFile). An absent default file or profile is no error; one that was asked
// for is.
func loadProfile(file, name setting, defaultFile string) (profileSettings, error) {
	path := file.value
	if path == "" {
		path = defaultFile
	}
	profile, err := databricks.LoadProfile(path, name.value)
	switch {
	case err == nil:
		return profileSettings{values: profile.Settings, from: fmt.Sprintf("profile %s of %s", profile.Name, path)}, nil
	case errors.Is(err, fs.ErrNotExist) && !file.isSet() && !name.isSet():
		// No file was asked for and the default one is absent: nothing to read.
	case errors.Is(err, fs.ErrNotExist):
		return profileSettings{}, fmt.Errorf("the configuration file %s does not exist (set by %s). Create it, or remove the setting", path, pick(file, name).from)
	case errors.Is(err, databricks.ErrProfileNotFound) && !name.isSet():
		// The default profile is absent: nothing to read.
	default:
		return profileSettings{}, fmt.Errorf("%w. Check the profile name (set by %s) and the file", err, pick(name, file).from)
	}
	return profileSettings{}, nil
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
