package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ resource.Resource                = (*accessTokenResource)(nil)
	_ resource.ResourceWithConfigure   = (*accessTokenResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*accessTokenResource)(nil)
	_ resource.ResourceWithImportState = (*accessTokenResource)(nil)
)

func newAccessTokenResource() resource.Resource {
	return &accessTokenResource{}
}

// accessTokenResource is dbsql_access_token: a personal access token minted with the
// provider's own (bootstrap) credential, revoked on destroy, and replaced through the
// plan when it nears expiry, so that tokens rotate without anyone pasting them.
type accessTokenResource struct {
	data *providerData
}

// accessTokenCaller names the resource in messages.
var accessTokenCaller = caller{name: "dbsql_access_token"}

type accessTokenModel struct {
	ID              types.String `tfsdk:"id"`
	Comment         types.String `tfsdk:"comment"`
	LifetimeSeconds types.Int64  `tfsdk:"lifetime_seconds"`
	RotateBefore    types.String `tfsdk:"rotate_before"`
	TokenID         types.String `tfsdk:"token_id"`
	TokenValue      types.String `tfsdk:"token_value"`
	CreationTime    types.String `tfsdk:"creation_time"`
	ExpiryTime      types.String `tfsdk:"expiry_time"`
}

func (r *accessTokenResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Databricks personal access token, minted with the provider's connection (a bootstrap credential) through the " +
			"Token API, and revoked on destroy. Use it to give a pipeline a dedicated token with a lifetime, and let Terraform rotate it:\n\n" +
			"- A token that is gone or expired is removed from state on refresh, so the next apply mints a new one.\n" +
			"- With `rotate_before`, a token still valid but expiring within that window is replaced through the plan: the old token is " +
			"revoked, never left valid. Add `lifecycle { create_before_destroy = true }` so that the new token exists before the old one goes.\n\n" +
			"Either way, a `dbsql_connection` with `access_token = dbsql_access_token.<name>.token_value` then updates in place and is tested " +
			"with the new token. The token value is kept in state (sensitive); for a token that never touches state, use the ephemeral " +
			"`dbsql_access_token`. Import with the token id: `terraform import dbsql_access_token.flow <token id>` (the value of an " +
			"imported token cannot be read back, and neither can its lifetime).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The resource's id: the same value as `token_id`, kept so that configurations and tools that read `id` " +
					"go on working. Prefer `token_id`.",
				PlanModifiers: keep,
			},
			"comment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "What the token is for, shown in the workspace's token list. Changing it replaces the token.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"lifetime_seconds": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How long the token is valid, in seconds, e.g. `7776000` (90 days). When omitted, the workspace's maximum " +
					"applies, or the token never expires. Changing it replaces the token.",
				Validators:    []validator.Int64{int64validator.AtLeast(1)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"rotate_before": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Replace the token when it expires within this window, a duration such as `\"168h\"` (7 days). " +
					"Checked on every plan.",
				Validators: []validator.String{durationValidator()},
			},
			"token_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The Databricks token id, as the workspace's token list shows it and as `terraform import` takes it; " +
					"not the token itself.",
				PlanModifiers: keep,
			},
			"token_value": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The token itself. Sensitive; null for an imported token, whose value cannot be read back.",
				PlanModifiers:       keep,
			},
			"creation_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token was created (RFC 3339).",
				PlanModifiers:       keep,
			},
			"expiry_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token expires (RFC 3339); null for a token that never expires.",
				PlanModifiers:       keep,
			},
		},
	}
}

func (r *accessTokenResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *accessTokenResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan accessTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: accessTokenCaller})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	created, err := conn.client.CreateToken(ctx, databricks.CreateTokenRequest{
		LifetimeSeconds: plan.LifetimeSeconds.ValueInt64(),
		Comment:         plan.Comment.ValueString(),
	})
	if err != nil {
		fail := conn.failure(stepCreateToken, err)
		fail.addError(&resp.Diagnostics)
		return
	}
	ctx = maskSecrets(ctx, created.TokenValue)
	plan.TokenValue = types.StringValue(created.TokenValue)
	plan.fill(created.TokenInfo)
	tflog.Debug(ctx, "Created access token", map[string]any{"token_id": created.TokenInfo.TokenID})
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accessTokenResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state accessTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: accessTokenCaller})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, state.TokenValue.ValueString())
	tokens, err := conn.client.ListTokens(ctx)
	if err != nil {
		fail := conn.failure(stepReadToken, err)
		fail.addError(&resp.Diagnostics)
		return
	}
	id := state.TokenID.ValueString()
	if id == "" {
		id = state.ID.ValueString() // just imported
	}
	for _, info := range tokens {
		if info.TokenID != id {
			continue
		}
		if expires, ok := info.Expires(); ok && !time.Now().Before(expires) {
			break
		}
		state.fill(info)
		resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
		return
	}
	// Gone or expired: forget it, so that the next apply mints a new one.
	tflog.Info(ctx, "Access token is gone or expired; removing it from state", map[string]any{"token_id": id})
	resp.State.RemoveResource(ctx)
}

// Update only ever changes rotate_before: everything else replaces the token.
func (r *accessTokenResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan accessTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *accessTokenResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state accessTokenModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: accessTokenCaller})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := conn.client.DeleteToken(ctx, state.TokenID.ValueString())
	if err != nil && !errors.Is(err, databricks.ErrNotFound) { // already gone is what destroy wants
		fail := conn.failure(stepRevokeToken, err)
		fail.addError(&resp.Diagnostics)
	}
}

func (r *accessTokenResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("token_id"), req.ID)...)
}

// ModifyPlan replaces a token that expires within rotate_before. Marking an unchanged
// attribute for replacement does nothing, so expiry_time is also made unknown: a new
// token will have a new expiry.
func (r *accessTokenResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var plan, state accessTokenModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() || plan.RotateBefore.IsNull() || plan.RotateBefore.IsUnknown() || state.ExpiryTime.IsNull() {
		return
	}
	window, err := time.ParseDuration(plan.RotateBefore.ValueString())
	if err != nil {
		return // the validator has said why
	}
	expires, err := time.Parse(time.RFC3339, state.ExpiryTime.ValueString())
	if err != nil || time.Until(expires) > window {
		return
	}
	for _, name := range []string{"id", "token_id", "token_value", "creation_time", "expiry_time"} {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(name), types.StringUnknown())...)
	}
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("expiry_time"))
	resp.Diagnostics.AddAttributeWarning(path.Root("rotate_before"), "Access Token Due for Rotation",
		fmt.Sprintf("Token %s expires at %s, within rotate_before (%s): it will be replaced and the old token revoked.",
			state.TokenID.ValueString(), state.ExpiryTime.ValueString(), plan.RotateBefore.ValueString()))
}

// expiryTime is when a token expires (RFC 3339), or null for one that never does.
func expiryTime(info databricks.TokenInfo) types.String {
	if expires, ok := info.Expires(); ok {
		return types.StringValue(expires.UTC().Format(time.RFC3339))
	}
	return types.StringNull()
}

// fill sets the values the Token API reports.
func (m *accessTokenModel) fill(info databricks.TokenInfo) {
	m.ID = types.StringValue(info.TokenID)
	m.TokenID = types.StringValue(info.TokenID)
	m.CreationTime = types.StringValue(time.UnixMilli(info.CreationTime).UTC().Format(time.RFC3339))
	m.ExpiryTime = expiryTime(info)
	// An unset comment comes back empty: keep it null, or every plan would show a change.
	if info.Comment != "" || !m.Comment.IsNull() {
		m.Comment = types.StringValue(info.Comment)
	}
}
