package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ resource.Resource                     = (*connectionResource)(nil)
	_ resource.ResourceWithConfigure        = (*connectionResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*connectionResource)(nil)
	_ resource.ResourceWithConfigValidators = (*connectionResource)(nil)
)

func newConnectionResource() resource.Resource {
	return &connectionResource{}
}

// connectionResource is dbsql_connection: a Databricks workspace connection as a person
// defines one in a data-integration tool, tested on every create and update the way a
// "Test connection" button would. Nothing exists remotely: delete only forgets.
type connectionResource struct {
	data *providerData
}

type connectionModel struct {
	ID types.String `tfsdk:"id"`
	// The attributes connection_info declares, so that the whole resource can be
	// handed over as one.
	connectionInfoModel
	// AccessTokenWO is write-only: always null in plan and state. The token is read
	// from the configuration in Create and Update.
	AccessTokenWO         types.String `tfsdk:"access_token_wo"`
	AccessTokenWOVersion  types.Int64  `tfsdk:"access_token_wo_version"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
	TestConnection        types.Bool   `tfsdk:"test_connection"`
	WorkspaceHost         types.String `tfsdk:"workspace_host"`
	WorkspaceID           types.String `tfsdk:"workspace_id"`
	UserName              types.String `tfsdk:"user_name"`
	WarehouseName         types.String `tfsdk:"warehouse_name"`
}

// connectionCaller names the resource in messages.
var connectionCaller = caller{name: "dbsql_connection"}

// withSecrets is the connection this resource describes, with its secrets, which come
// from access_token and client_secret or, when write-only, from the configuration.
func (m connectionModel) withSecrets(s connectionSecrets) *connectionInfoModel {
	info := m.connectionInfoModel
	if s.token != "" {
		info.AccessToken = types.StringValue(s.token)
	}
	if s.clientSecret != "" {
		info.ClientSecret = types.StringValue(s.clientSecret)
	}
	return &info
}

// connectionSecrets are a connection's secrets, wherever the configuration keeps them.
type connectionSecrets struct {
	token, clientSecret string
}

func (r *connectionResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_connection"
}

func (r *connectionResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A connection to a Databricks workspace: a name, the workspace Base URL, a timeout, the authentication type " +
			"and its credentials (a personal access token, or a service principal's OAuth secret, or workload identity). Applying it tests " +
			"the connection, as a **Test connection** button would: the credentials must " +
			"authenticate (SCIM `Me`), and the warehouse, when one is set, must exist and be visible to the token's owner.\n\n" +
			"Nothing is created in the workspace: destroying the resource only forgets it, and there is nothing to import. " +
			"Hand the whole resource to a query as `connection_info = dbsql_connection.<name>`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "A random identifier, stable for the life of the resource.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name":     connectionNameSpec.resource(),
			"base_url": baseURLSpec.resource(),
			"timeout":  withDefault(timeoutSpec.resourceInt64(), int64default.StaticInt64(int64(databricks.DefaultTimeout/time.Second))),
			"authentication_type": withDescription(authenticationTypeSpec, authenticationTypeSpec.description+
				" When unset, the plan shows the type picked (`personal_access_token` for a token).").resourceOptionalComputed(),
			"client_id": clientIDSpec.resource(),
			"client_secret": withValidators(withDescription(clientSecretSpec, clientSecretSpec.description+
				" Kept in state, so that `connection_info` can hand it on; to keep it out of state, use `client_secret_wo`.").resourceString(),
				stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("client_secret_wo"))),
			"client_secret_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "`client_secret` as a write-only argument (Terraform 1.11+, OpenTofu 1.11+): used to test the connection and " +
					"never stored in plan or state. Change `client_secret_wo_version` to apply a new secret. Like `access_token_wo`, it is " +
					"tested on create and update only, and hands no secret on through `connection_info`.",
				Validators: []validator.String{secretValidator("Invalid Client Secret")},
			},
			"client_secret_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "A version for `client_secret_wo`, stored in state: change it when you rotate the secret.",
			},
			"azure_tenant_id": azureTenantIDSpec.resource(),
			"access_token": withValidators(withDescription(accessTokenSpec, accessTokenSpec.description+
				" It needs access to the SQL warehouse the connection uses. Pass it through a variable set from the environment (`TF_VAR_...`), "+
				"never with `-var`. It is kept in state, so that `connection_info = dbsql_connection.<name>` can hand it on; to keep it out of "+
				"state, use `access_token_wo` instead. Exactly one of the two is set.").resourceString(),
				stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot("access_token_wo"))),
			"access_token_wo": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				MarkdownDescription: "The access token as a write-only argument (Terraform 1.11+, OpenTofu 1.11+): used to test the connection and " +
					"never stored in plan or state. Change `access_token_wo_version` to apply a new token. A connection with a write-only token " +
					"is tested on create and update only (a refresh has no token to test with), and hands no token on through `connection_info`: " +
					"give the provider a token from the environment or an ephemeral value instead.",
				Validators: []validator.String{accessTokenValidator()},
			},
			"access_token_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "A version for `access_token_wo`, stored in state. Terraform cannot see a write-only value change, so change " +
					"this number when you rotate the token: the connection is updated and tested with the new token.",
			},
			"warehouse_id": withDescription(warehouseIDSpec, warehouseIDSpec.description+" The connection test checks that it exists.").resource(),
			"test_connection": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
				MarkdownDescription: "Test the connection on create, update and refresh. Default `true`.",
			},
			"workspace_host": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The host of the Base URL, with the port when one is written.",
			},
			"workspace_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The workspace id Databricks reports (`X-Databricks-Org-Id`); null when it reports none or the test is off.",
				PlanModifiers:       []planmodifier.String{stateUnlessChanged("base_url", "test_connection")},
			},
			"user_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The token's owner: a user name, or a service principal's application id. Null when the test is off.",
				PlanModifiers:       []planmodifier.String{stateUnlessChanged(credentialAttributes("base_url", "test_connection")...)},
			},
			"warehouse_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The name of the warehouse `warehouse_id` names. Null when no warehouse is set or the test is off.",
				PlanModifiers:       []planmodifier.String{stateUnlessChanged(credentialAttributes("base_url", "warehouse_id", "test_connection")...)},
			},
		},
	}
}

func (r *connectionResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("access_token"), path.MatchRoot("access_token_wo")),
		resourcevalidator.Conflicting(path.MatchRoot("client_secret"), path.MatchRoot("client_secret_wo")),
	}
}

func (r *connectionResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan fills workspace_host from the planned Base URL, and the authentication type
// an unset authentication_type picks, so the plan shows both; settings that pick no
// type, or more than one, are refused here, before anything is applied.
func (r *connectionResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan connectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !plan.BaseURL.IsUnknown() && !plan.BaseURL.IsNull() {
		if parsed, err := databricks.ParseBaseURL(plan.BaseURL.ValueString()); err == nil {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("workspace_host"), parsed.Host())...)
		}
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("authentication_type"), &configured)...)
	if !configured.IsUnknown() {
		r.planAuthenticationType(ctx, req, resp, plan, configured)
	}
}

// planAuthenticationType checks the credentials the configuration sets, the write-only
// ones included, for the authentication type configured, or picks the type an unset
// authentication_type stands for and shows it in the plan.
func (r *connectionResource) planAuthenticationType(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse, plan connectionModel, configured types.String) {
	own := plan.credentialSettings("")
	if configured.IsNull() {
		own.authType = setting{} // to be picked
	}
	for _, wo := range []struct {
		name string
		into *setting
	}{{"access_token_wo", &own.token}, {"client_secret_wo", &own.clientSecret}} {
		var v types.String
		resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(wo.name), &v)...)
		if !v.IsNull() && !wo.into.isSet() {
			// Write-only values are not to be read here, only seen.
			*wo.into = setting{from: wo.name, unknown: true}
		}
	}
	own.azureClientSecret = own.clientSecret
	auth, err := resolveAuth(own, r.data.settings().machine, "the connection")
	if err != nil {
		addAuthError(&resp.Diagnostics, path.Root("authentication_type"), err)
		return
	}
	if !configured.IsNull() {
		return
	}
	picked := auth.authType
	var prior types.String
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("authentication_type"), &prior)...)
	}
	switch {
	case canonicalAuthType(prior.ValueString()) == picked:
		picked = prior.ValueString() // as it was written before: no change to show
	case picked == authPAT:
		picked = authPATAlias // the connection form's name, as this resource has always stored it
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("authentication_type"), picked)...)
}

func (r *connectionResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan connectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secrets, diags := configuredSecrets(ctx, req.Config, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, secrets.token, secrets.clientSecret)

	id, err := randomID()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Connection ID", err.Error())
		return
	}
	plan.ID = types.StringValue(id)
	resp.Diagnostics.Append(r.apply(ctx, &plan, secrets)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Created connection", map[string]any{"id": id, "name": plan.Name.ValueString(), "tested": plan.TestConnection.ValueBool()})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *connectionResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state connectionModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, state.AccessToken.ValueString(), state.ClientSecret.ValueString())
	if parsed, err := databricks.ParseBaseURL(state.BaseURL.ValueString()); err == nil {
		state.WorkspaceHost = types.StringValue(parsed.Host())
	}
	// With a write-only secret there is nothing to refresh with: the values of the last
	// apply stand. Types whose proof is on the machine (a CI's token, a CLI's login)
	// test again.
	own := state.credentialSettings("")
	if state.TestConnection.ValueBool() && (own.hasSecret() || !needsSecret(canonicalAuthType(own.authType.value))) {
		result, diags := r.test(ctx, &state.connectionInfoModel)
		if diags.HasError() {
			// A warning, never an error: an error here would block the very plan that
			// replaces a revoked token or fixes the Base URL.
			for _, d := range diags.Errors() {
				resp.Diagnostics.AddWarning("Connection Test Failed During Refresh",
					d.Detail()+"\n\nThe values saved at the last apply are kept. Fix the connection and apply again.")
			}
		} else {
			result.fill(&state)
		}
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *connectionResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state connectionModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	secrets, diags := configuredSecrets(ctx, req.Config, plan)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, secrets.token, secrets.clientSecret, state.AccessToken.ValueString(), state.ClientSecret.ValueString())
	plan.ID = state.ID
	resp.Diagnostics.Append(r.apply(ctx, &plan, secrets)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// Delete only forgets: the connection exists nowhere but in Terraform's state.
func (r *connectionResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// configuredSecrets returns the secrets to use: access_token and client_secret from the
// plan, or their write-only forms, which only the configuration holds.
func configuredSecrets(ctx context.Context, config tfsdk.Config, plan connectionModel) (connectionSecrets, diag.Diagnostics) {
	secrets := connectionSecrets{token: plan.AccessToken.ValueString(), clientSecret: plan.ClientSecret.ValueString()}
	var tokenWO, secretWO types.String
	diags := config.GetAttribute(ctx, path.Root("access_token_wo"), &tokenWO)
	diags.Append(config.GetAttribute(ctx, path.Root("client_secret_wo"), &secretWO)...)
	if secrets.token == "" {
		secrets.token = tokenWO.ValueString()
	}
	if secrets.clientSecret == "" {
		secrets.clientSecret = secretWO.ValueString()
	}
	return secrets, diags
}

// credentialAttributes are the attributes a test's result depends on: those that
// choose the credentials, and extra.
func credentialAttributes(extra ...string) []string {
	return append([]string{"authentication_type", "access_token", "access_token_wo_version", "client_id", "client_secret",
		"client_secret_wo_version", "azure_tenant_id"}, extra...)
}

// apply tests the planned connection when asked to and fills the computed values.
func (r *connectionResource) apply(ctx context.Context, m *connectionModel, secrets connectionSecrets) diag.Diagnostics {
	var diags diag.Diagnostics
	parsed, err := databricks.ParseBaseURL(m.BaseURL.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("base_url"), "Invalid Base URL", err.Error())
		return diags
	}
	m.WorkspaceHost = types.StringValue(parsed.Host())
	m.WorkspaceID, m.UserName, m.WarehouseName = types.StringNull(), types.StringNull(), types.StringNull()
	if !m.TestConnection.ValueBool() {
		return diags
	}
	result, testDiags := r.test(ctx, m.withSecrets(secrets))
	diags.Append(testDiags...)
	if diags.HasError() {
		return diags
	}
	result.fill(m)
	return diags
}

func randomID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
