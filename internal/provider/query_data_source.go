package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

var (
	_ datasource.DataSource              = (*queryDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*queryDataSource)(nil)
)

const (
	defaultRowLimit    = 10000
	maxRowLimit        = 1000000
	defaultReadTimeout = 20 * time.Minute
)

var pathStatement = path.Root("statement")

func newQueryDataSource() datasource.DataSource {
	return &queryDataSource{}
}

// queryDataSource is dbsql_query: the "execute SQL statement returning data" action as a
// data source, returning typed rows.
type queryDataSource struct {
	data *providerData
}

type queryModel struct {
	ConnectionInfo *connectionInfoModel `tfsdk:"connection_info"`
	WarehouseID    types.String         `tfsdk:"warehouse_id"`
	Catalog        types.String         `tfsdk:"catalog"`
	Schema         types.String         `tfsdk:"schema"`
	Statement      types.String         `tfsdk:"statement"`
	Parameters     []parameterModel     `tfsdk:"parameters"`
	RowLimit       types.Int64          `tfsdk:"row_limit"`
	Timeouts       timeouts.Value       `tfsdk:"timeouts"`

	ID          types.String  `tfsdk:"id"`
	StatementID types.String  `tfsdk:"statement_id"`
	Columns     []columnModel `tfsdk:"columns"`
	Rows        types.Dynamic `tfsdk:"rows"`
	RowCount    types.Int64   `tfsdk:"row_count"`
	Truncated   types.Bool    `tfsdk:"truncated"`
}

type parameterModel struct {
	Name  types.String `tfsdk:"name"`
	Value types.String `tfsdk:"value"`
	Type  types.String `tfsdk:"type"`
}

type columnModel struct {
	Name     types.String `tfsdk:"name"`
	TypeName types.String `tfsdk:"type_name"`
	TypeText types.String `tfsdk:"type_text"`
	Position types.Int64  `tfsdk:"position"`
}

func (d *queryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_query"
}

func (d *queryDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Executes a read-only SQL statement on a Databricks SQL warehouse and returns its rows, typed: numbers as numbers " +
			"(every digit of a BIGINT or DECIMAL kept), booleans as booleans, arrays, maps and structs as lists, maps and objects. " +
			"Values are passed as named parameters (`:name`), never spliced into the text.\n\n" +
			"A data source runs on every plan and refresh, so the statement must only read; run statements that change something " +
			"with the `dbsql_statement` resource.",
		Attributes: map[string]schema.Attribute{
			"connection_info": connectionInfoDataSourceAttribute(),
			"warehouse_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The SQL warehouse to run on. Else `connection_info.warehouse_id`, else the provider's `warehouse_id` " +
					"(or `" + envWarehouseID + "`).",
				Validators: []validator.String{warehouseIDValidator{}},
			},
			"catalog": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The catalog unqualified names resolve in, e.g. `samples`.",
			},
			"schema": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "The schema unqualified names resolve in, e.g. `nyctaxi`.",
			},
			"statement": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The SQL statement. It must read: its first keyword (after comments) must be one of `SELECT`, `WITH`, `SHOW`, " +
					"`DESCRIBE`, `DESC`, `EXPLAIN`, `VALUES`, `TABLE`, `LIST`. Refer to parameters as `:name`.",
				Validators: []validator.String{readOnlyStatementValidator{}},
			},
			"parameters": schema.ListNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Named parameters bound to `:name` markers in the statement.",
				Validators:          []validator.List{uniqueParameterNamesValidator{}},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "The marker's name, without the colon: letters, digits and underscores, not starting with a digit.",
							Validators:          []validator.String{parameterNameValidator{}},
						},
						"value": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "The value, as text; Databricks casts it to `type`. Null binds SQL `NULL`.",
						},
						"type": schema.StringAttribute{
							Optional: true,
							MarkdownDescription: "The value's SQL type, e.g. `INT`, `BIGINT`, `DOUBLE`, `DECIMAL(10,2)`, `BOOLEAN`, `DATE`, `TIMESTAMP`. " +
								"Default `STRING`. `ARRAY`, `MAP` and `STRUCT` are not supported by Databricks.",
							Validators: []validator.String{parameterTypeValidator{}},
						},
					},
				},
			},
			"row_limit": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: fmt.Sprintf("The most rows to return, 1 to %d. Default `%d`. `truncated` tells when the result had more.", maxRowLimit, defaultRowLimit),
				Validators:          []validator.Int64{int64validator.Between(1, maxRowLimit)},
			},
			"timeouts": timeouts.AttributesWithOpts(ctx, timeouts.Opts{
				ReadDescription: "How long to wait for the statement, including a warehouse's cold start, e.g. `\"30m\"`. Default `\"20m\"`. " +
					"A statement still running then is canceled.",
			}),
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Databricks statement id of the run that produced the rows.",
			},
			"statement_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The Databricks statement id, for the warehouse's query history.",
			},
			"columns": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The result's columns, in order.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":      schema.StringAttribute{Computed: true, MarkdownDescription: "The column name."},
						"type_name": schema.StringAttribute{Computed: true, MarkdownDescription: "The type family, e.g. `LONG`, `DECIMAL`, `ARRAY`."},
						"type_text": schema.StringAttribute{Computed: true, MarkdownDescription: "The full SQL type, e.g. `BIGINT`, `DECIMAL(10,2)`, `ARRAY<INT>`."},
						"position":  schema.Int64Attribute{Computed: true, MarkdownDescription: "The column's position, from 0."},
					},
				},
			},
			"rows": schema.DynamicAttribute{
				Computed: true,
				MarkdownDescription: "The rows: a list of objects keyed by column name. BOOLEAN is a bool; BYTE, SHORT, INT, LONG, FLOAT, DOUBLE and " +
					"DECIMAL are numbers (exact; NaN and Infinity become null, with a warning); STRING, CHAR, DATE, TIMESTAMP, INTERVAL " +
					"and BINARY (base64) are strings as Databricks sends them; ARRAY is a list, MAP a map and STRUCT an object; NULL is null.",
			},
			"row_count": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The number of rows returned.",
			},
			"truncated": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "True when `row_limit` or Databricks' own limits cut the result short.",
			},
		},
	}
}

func (d *queryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected Provider Data", fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider.", req.ProviderData))
		return
	}
	d.data = data
}

func (d *queryDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m queryModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	readTimeout, diags := m.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	conn, warehouseID, diags := d.data.resolveConnection(m.ConnectionInfo, m.WarehouseID)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = maskSecrets(ctx, conn.Token)
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()

	if m.RowLimit.IsNull() {
		m.RowLimit = types.Int64Value(defaultRowLimit)
	}
	query := databricks.QueryRequest{
		WarehouseID: warehouseID,
		Catalog:     m.Catalog.ValueString(),
		Schema:      m.Schema.ValueString(),
		Statement:   m.Statement.ValueString(),
		Parameters:  statementParameters(m.Parameters),
		RowLimit:    m.RowLimit.ValueInt64(),
	}
	client, err := d.data.newClient(conn)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Connection", fmt.Sprintf("%s: %v", capitalize(conn.describe()), err))
		return
	}
	var rows resultRows
	result, err := client.StreamQuery(ctx, query, &rows)
	var columnsErr *unusableColumnsError
	var valueErr *unreadableValueError
	switch {
	case errors.As(err, &columnsErr):
		resp.Diagnostics.AddAttributeError(pathStatement, "Unusable Result Columns", fmt.Sprintf("Statement %s: %v.", rows.statementID, columnsErr))
		return
	case errors.As(err, &valueErr):
		resp.Diagnostics.AddError("Unreadable Result", fmt.Sprintf("Statement %s returned a value the provider cannot read: %v. "+
			"Cast the column to STRING in the statement to receive it as text.", rows.statementID, valueErr))
		return
	case err != nil:
		fail := failure{conn: conn, step: stepRunStatement, warehouseID: warehouseID, statement: query.Statement, err: err}
		resp.Diagnostics.AddError(fail.summary(), fail.detail())
		return
	}
	rowsValue := rows.value()
	for _, w := range rows.converter.warnings {
		resp.Diagnostics.AddAttributeWarning(pathStatement, "Result Values Changed", w)
	}

	m.ID = types.StringValue(result.StatementID)
	m.StatementID = types.StringValue(result.StatementID)
	m.Columns = make([]columnModel, len(result.Columns))
	for i, c := range result.Columns {
		m.Columns[i] = columnModel{
			Name:     types.StringValue(c.Name),
			TypeName: types.StringValue(c.TypeName),
			TypeText: types.StringValue(c.TypeText),
			Position: types.Int64Value(int64(c.Position)),
		}
	}
	m.Rows = types.DynamicNull()
	m.RowCount = types.Int64Value(result.TotalRowCount)
	m.Truncated = types.BoolValue(result.Truncated)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The rows go into the state as the converter built them. Through the model, the
	// framework would turn them into framework values and back, which for a large result
	// costs more time and memory than reading it.
	state, err := withAttribute(resp.State.Raw, "rows", rowsValue)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected State Error", fmt.Sprintf("Setting the rows of statement %s: %v. This is a bug in the provider.", result.StatementID, err))
		return
	}
	resp.State.Raw = state
}

// withAttribute returns object with one attribute replaced.
func withAttribute(object tftypes.Value, name string, value tftypes.Value) (tftypes.Value, error) {
	var attrs map[string]tftypes.Value
	if err := object.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	attrs[name] = value
	if err := tftypes.ValidateValue(object.Type(), attrs); err != nil {
		return tftypes.Value{}, err
	}
	return tftypes.NewValue(object.Type(), attrs), nil
}

// statementParameters converts the parameters argument for the client. A null value is
// sent as SQL NULL; a null type as Databricks' default, STRING.
func statementParameters(params []parameterModel) []databricks.StatementParameter {
	out := make([]databricks.StatementParameter, 0, len(params))
	for _, p := range params {
		sp := databricks.StatementParameter{Name: p.Name.ValueString(), Type: p.Type.ValueString()}
		if !p.Value.IsNull() {
			v := p.Value.ValueString()
			sp.Value = &v
		}
		out = append(out, sp)
	}
	return out
}
