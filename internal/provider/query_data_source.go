package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
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

// queryDataSourceCaller names the data source in messages.
var queryDataSourceCaller = caller{name: "data.dbsql_query", timeoutAttribute: "timeouts.read"}

func (d *queryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_query"
}

func (d *queryDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := queryAttributeSpecs().dataSource()
	attributes["timeouts"] = timeouts.AttributesWithOpts(ctx, timeouts.Opts{ReadDescription: queryTimeoutDescription})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Executes a read-only SQL statement on a Databricks SQL warehouse and returns its rows, typed: numbers as numbers " +
			"(every digit of a BIGINT or DECIMAL kept), booleans as booleans, arrays, maps and structs as lists, maps and objects. " +
			"Values are passed as named parameters (`:name`), never spliced into the text.\n\n" +
			"A data source runs on every plan and refresh, so the statement must only read; run statements that change something " +
			"with the `dbsql_statement` resource. For a result that is itself a secret, use the ephemeral `dbsql_query`, which is " +
			"never written to state or plan.",
		Attributes: attributes,
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
	rows, diags := m.run(ctx, d.data, queryDataSourceCaller, timeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(storeQuery(ctx, resp.State.Set, &resp.State.Raw, &m, rows)...)
}
