package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/ephemeral/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
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

func (r *queryEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_query"
}

func (r *queryEphemeralResource) Schema(ctx context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `dbsql_query` data source as an ephemeral resource (Terraform 1.10+, OpenTofu 1.11+): the same arguments " +
			"and results, for a value that is itself a secret, such as a credential kept in a table. Its rows are never written to " +
			"state or plan; feed them to a provider block or a write-only argument. The read timeout is `timeouts.open`.",
		Attributes: map[string]schema.Attribute{
			"connection_info": connectionInfoEphemeralAttribute(),
			"warehouse_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: queryWarehouseDescription,
				Validators:          []validator.String{warehouseIDValidator{}},
			},
			"catalog": schema.StringAttribute{Optional: true, MarkdownDescription: queryCatalogDescription},
			"schema":  schema.StringAttribute{Optional: true, MarkdownDescription: querySchemaDescription},
			"statement": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: queryStatementDescription,
				Validators:          []validator.String{readOnlyStatementValidator{}},
			},
			"parameters": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: queryParametersDescription,
				Validators:          parameterListValidators(),
				NestedObject:        schema.NestedAttributeObject{Attributes: parameterEphemeralAttributes()},
			},
			"row_limit": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: queryRowLimitDescription,
				Validators:          []validator.Int64{int64validator.Between(1, maxRowLimit)},
			},
			"timeouts":     timeouts.AttributesWithOpts(ctx, timeouts.Opts{OpenDescription: queryTimeoutDescription}),
			"id":           computed(queryIDDescription),
			"statement_id": computed(queryStatementIDDescription),
			"columns": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: queryColumnsDescription,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":      computed(columnNameDescription),
						"type_name": computed(columnTypeNameDescription),
						"type_text": computed(columnTypeTextDescription),
						"position":  schema.Int64Attribute{Computed: true, MarkdownDescription: columnPositionDescription},
					},
				},
			},
			"rows":      schema.DynamicAttribute{Computed: true, MarkdownDescription: queryRowsDescription},
			"row_count": schema.Int64Attribute{Computed: true, MarkdownDescription: queryRowCountDescription},
			"truncated": schema.BoolAttribute{Computed: true, MarkdownDescription: queryTruncatedDescription},
		},
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
	m.RowLimit = rowLimitOrDefault(m.RowLimit)
	results, diags := r.data.runQuery(ctx, m.arguments(), timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	m.setResults(results)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	result, err := withAttribute(resp.Result.Raw, "rows", results.rows)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected Result Error", fmt.Sprintf("Setting the rows of statement %s: %v. This is a bug in the provider.", results.statementID, err))
		return
	}
	resp.Result.Raw = result
}
