package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/ephemeral/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
)

var (
	_ ephemeral.EphemeralResource              = (*queryEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*queryEphemeralResource)(nil)
)

func newQueryEphemeralResource() ephemeral.EphemeralResource {
	return &queryEphemeralResource{}
}

// queryEphemeralResource is the ephemeral dbsql_query: the data source's query, for a
// result that is itself a secret (a credential kept in a table), never written to state
// or plan.
type queryEphemeralResource struct {
	data *providerData
}

// queryEphemeralCaller names the ephemeral resource in messages.
var queryEphemeralCaller = caller{name: "ephemeral.dbsql_query", timeoutAttribute: "timeouts.open"}

func (r *queryEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_query"
}

func (r *queryEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	attributes := queryAttributeSpecs().ephemeral()
	attributes["timeouts"] = timeouts.AttributesWithOpts(ctx, timeouts.Opts{OpenDescription: queryTimeoutDescription})
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `dbsql_query` data source as an ephemeral resource (Terraform 1.10+, OpenTofu 1.11+): the same arguments " +
			"and results, for a value that is itself a secret, such as a credential kept in a table. Its rows are never written to " +
			"state or plan; feed them to a provider block or a write-only argument. The read timeout is `timeouts.open`.",
		Attributes: attributes,
	}
}

func (r *queryEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	r.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (r *queryEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m queryModel[timeouts.Value]
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Open(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	rows, diags := m.run(ctx, r.data, queryEphemeralCaller, timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(storeQuery(ctx, resp.Result.Set, &resp.Result.Raw, &m, rows)...)
}
