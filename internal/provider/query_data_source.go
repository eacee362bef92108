package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	_ datasource.DataSource              = (*queryDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*queryDataSource)(nil)
)

func newQueryDataSource() datasource.DataSource {
	return &queryDataSource{}
}

// queryDataSource is dbsql_query: the "execute SQL statement returning data" action as a
// data source, returning typed rows.
type queryDataSource struct {
	data *providerData
}

func (d *queryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_query"
}

func (d *queryDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: description}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Executes a read-only SQL statement on a Databricks SQL warehouse and returns its rows, typed: numbers as numbers " +
			"(every digit of a BIGINT or DECIMAL kept), booleans as booleans, arrays, maps and structs as lists, maps and objects. " +
			"Values are passed as named parameters (`:name`), never spliced into the text.\n\n" +
			"A data source runs on every plan and refresh, so the statement must only read; run statements that change something " +
			"with the `dbsql_statement` resource. For a result that is itself a secret, use the ephemeral `dbsql_query`, which is " +
			"never written to state or plan.",
		Attributes: map[string]schema.Attribute{
			"connection_info": connectionInfoDataSourceAttribute(),
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
				NestedObject:        schema.NestedAttributeObject{Attributes: parameterDataSourceAttributes()},
			},
			"row_limit": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: queryRowLimitDescription,
				Validators:          []validator.Int64{int64validator.Between(1, maxRowLimit)},
			},
			"timeouts":     timeouts.AttributesWithOpts(ctx, timeouts.Opts{ReadDescription: queryTimeoutDescription}),
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

func (d *queryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = configuredData(req.ProviderData, &resp.Diagnostics)
}

func (d *queryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m queryModel[timeouts.Value]
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := m.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.RowLimit = rowLimitOrDefault(m.RowLimit)
	results, diags := d.data.runQuery(ctx, m.arguments(), timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	m.setResults(results)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state, err := withAttribute(resp.State.Raw, "rows", results.rows)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected State Error", fmt.Sprintf("Setting the rows of statement %s: %v. This is a bug in the provider.", results.statementID, err))
		return
	}
	resp.State.Raw = state
}
