package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ ephemeral.EphemeralResource              = (*accessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*accessTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*accessTokenEphemeralResource)(nil)
)

// defaultEphemeralTokenLifetime bounds a token minted for one run: if Close never runs
// (a killed process), the token still dies soon.
const defaultEphemeralTokenLifetime = time.Hour

// privateTokenID is the private-state key that carries the token id from Open to Close.
const privateTokenID = "token_id"

func newAccessTokenEphemeralResource() ephemeral.EphemeralResource {
	return &accessTokenEphemeralResource{}
}

// accessTokenEphemeralResource is the ephemeral dbsql_access_token: a short-lived token
// minted for one run and revoked when the run is done, so that it can feed a provider
// block or a write-only argument without ever touching state or plan.
type accessTokenEphemeralResource struct {
	data *providerData
}

// accessTokenEphemeralCaller names the ephemeral resource in messages.
var accessTokenEphemeralCaller = caller{name: "ephemeral.dbsql_access_token"}

type accessTokenEphemeralModel struct {
	Comment         types.String `tfsdk:"comment"`
	LifetimeSeconds types.Int64  `tfsdk:"lifetime_seconds"`
	TokenID         types.String `tfsdk:"token_id"`
	TokenValue      types.String `tfsdk:"token_value"`
	ExpiryTime      types.String `tfsdk:"expiry_time"`
}

func (r *accessTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_access_token"
}

func (r *accessTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived personal access token for one run (Terraform 1.10+, OpenTofu 1.11+): minted with the provider's " +
			"connection when the run needs it, revoked when the run is done, and never written to state or plan. Feed it to a provider " +
			"block or to `dbsql_connection.access_token_wo`.",
		Attributes: map[string]schema.Attribute{
			"comment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "What the token is for, shown in the workspace's token list while it lives.",
			},
			"lifetime_seconds": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How long the token is valid, in seconds. Default `%d` (one hour): the token is revoked at the end "+
					"of the run anyway, and the lifetime bounds it should the run be killed.", int(defaultEphemeralTokenLifetime/time.Second)),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"token_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Databricks token id, as the workspace's token list shows it while the token lives; not the token itself.",
			},
			"token_value": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The token itself. Sensitive.",
			},
			"expiry_time": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the token expires (RFC 3339).",
			},
		},
	}
}

func (r *accessTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *accessTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m accessTokenEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: accessTokenEphemeralCaller})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	lifetime := int64(defaultEphemeralTokenLifetime / time.Second)
	if !m.LifetimeSeconds.IsNull() {
		lifetime = m.LifetimeSeconds.ValueInt64()
	}
	created, err := conn.client.CreateToken(ctx, databricks.CreateTokenRequest{LifetimeSeconds: lifetime, Comment: m.Comment.ValueString()})
	if err != nil {
		fail := conn.failure(stepCreateToken, err)
		fail.addError(&resp.Diagnostics)
		return
	}
	ctx = maskSecrets(ctx, created.TokenValue)
	id, err := json.Marshal(created.TokenInfo.TokenID)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Remember the Token", err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateTokenID, id)...)

	m.TokenID = types.StringValue(created.TokenInfo.TokenID)
	m.TokenValue = types.StringValue(created.TokenValue)
	m.ExpiryTime = expiryTime(created.TokenInfo)
	tflog.Debug(ctx, "Minted an ephemeral access token", map[string]any{"token_id": created.TokenInfo.TokenID})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// Close revokes the token minted by Open.
func (r *accessTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, keyDiags := req.Private.GetKey(ctx, privateTokenID)
	resp.Diagnostics.Append(keyDiags...)
	var id string
	if len(raw) == 0 || json.Unmarshal(raw, &id) != nil || id == "" {
		return // Open minted nothing
	}
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: accessTokenEphemeralCaller})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := conn.client.DeleteToken(ctx, id); err != nil && !errors.Is(err, databricks.ErrNotFound) {
		fail := conn.failure(stepRevokeToken, err)
		resp.Diagnostics.AddError(fail.summary(), fail.detail()+fmt.Sprintf("\n\nToken %s may still be valid until it expires: revoke it in the workspace.", id))
		return
	}
	tflog.Debug(ctx, "Revoked the ephemeral access token", map[string]any{"token_id": id})
}
