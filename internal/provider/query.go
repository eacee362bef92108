package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file holds what the dbsql_query data source and the ephemeral dbsql_query share:
// their arguments, their descriptions, and running the query.

const (
	defaultRowLimit    = 10000
	maxRowLimit        = 1000000
	defaultReadTimeout = 20 * time.Minute
)

var pathStatement = path.Root("statement")

// Descriptions of the query's attributes, the same in both schemas.
const (
	queryWarehouseDescription = "The SQL warehouse to run on. Else `connection_info.warehouse_id`, else the provider's `warehouse_id` " +
		"(or `" + envWarehouseID + "`)."
	queryCatalogDescription   = "The catalog unqualified names resolve in, e.g. `samples`."
	querySchemaDescription    = "The schema unqualified names resolve in, e.g. `nyctaxi`."
	queryStatementDescription = "The SQL statement. It must read: its first keyword (after comments) must be one of `SELECT`, `WITH`, `SHOW`, " +
		"`DESCRIBE`, `DESC`, `EXPLAIN`, `VALUES`, `TABLE`, `LIST`. Refer to parameters as `:name`."
	queryParametersDescription = "Named parameters bound to `:name` markers in the statement."
	queryTimeoutDescription    = "How long to wait for the statement, including a warehouse's cold start, e.g. `\"30m\"`. Default `\"20m\"`. " +
		"A statement still running then is canceled."
	queryIDDescription          = "The Databricks statement id of the run that produced the rows."
	queryStatementIDDescription = "The Databricks statement id, for the warehouse's query history."
	queryColumnsDescription     = "The result's columns, in order."
	queryRowsDescription        = "The rows: a list of objects keyed by column name. BOOLEAN is a bool; BYTE, SHORT, INT, LONG, FLOAT, DOUBLE and " +
		"DECIMAL are numbers (exact; NaN and Infinity become null, with a warning); STRING, CHAR, DATE, TIMESTAMP, INTERVAL " +
		"and BINARY (base64) are strings as Databricks sends them; ARRAY is a list, MAP a map and STRUCT an object; NULL is null."
	queryRowCountDescription  = "The number of rows returned."
	queryTruncatedDescription = "True when `row_limit` or Databricks' own limits cut the result short."
	columnNameDescription     = "The column name."
	columnTypeNameDescription = "The type family, e.g. `LONG`, `DECIMAL`, `ARRAY`."
	columnTypeTextDescription = "The full SQL type, e.g. `BIGINT`, `DECIMAL(10,2)`, `ARRAY<INT>`."
	columnPositionDescription = "The column's position, from 0."
)

var queryRowLimitDescription = fmt.Sprintf("The most rows to return, 1 to %d. Default `%d`. `truncated` tells when the result had more.",
	maxRowLimit, defaultRowLimit)

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

// queryModel is dbsql_query's data, as a data source and as an ephemeral resource. The
// two differ only in their timeouts type (read and open), hence the type parameter.
type queryModel[Timeouts attr.Value] struct {
	ConnectionInfo *connectionInfoModel `tfsdk:"connection_info"`
	WarehouseID    types.String         `tfsdk:"warehouse_id"`
	Catalog        types.String         `tfsdk:"catalog"`
	Schema         types.String         `tfsdk:"schema"`
	Statement      types.String         `tfsdk:"statement"`
	Parameters     []parameterModel     `tfsdk:"parameters"`
	RowLimit       types.Int64          `tfsdk:"row_limit"`
	Timeouts       Timeouts             `tfsdk:"timeouts"`

	ID          types.String  `tfsdk:"id"`
	StatementID types.String  `tfsdk:"statement_id"`
	Columns     []columnModel `tfsdk:"columns"`
	Rows        types.Dynamic `tfsdk:"rows"`
	RowCount    types.Int64   `tfsdk:"row_count"`
	Truncated   types.Bool    `tfsdk:"truncated"`
}

func (m queryModel[T]) arguments() queryArguments {
	return queryArguments{
		connectionInfo: m.ConnectionInfo,
		warehouseID:    m.WarehouseID,
		catalog:        m.Catalog,
		schema:         m.Schema,
		statement:      m.Statement.ValueString(),
		parameters:     m.Parameters,
		rowLimit:       m.RowLimit.ValueInt64(),
	}
}

// setResults fills the computed attributes but rows, which the caller sets straight
// into the state or result with withAttribute.
func (m *queryModel[T]) setResults(r *queryResults) {
	m.ID = types.StringValue(r.statementID)
	m.StatementID = types.StringValue(r.statementID)
	m.Columns = r.columns
	m.Rows = types.DynamicNull()
	m.RowCount = types.Int64Value(r.rowCount)
	m.Truncated = types.BoolValue(r.truncated)
}

// queryArguments are a query's arguments.
type queryArguments struct {
	connectionInfo *connectionInfoModel
	warehouseID    types.String
	catalog        types.String
	schema         types.String
	statement      string
	parameters     []parameterModel
	rowLimit       int64
}

// queryResults is what a query returns. The rows are already the state's values: set
// them with withAttribute, not through a model, which would convert every value twice.
type queryResults struct {
	statementID string
	columns     []columnModel
	rows        tftypes.Value
	rowCount    int64
	truncated   bool
}

// runQuery runs a query to completion within timeout and converts its result.
func (d *providerData) runQuery(ctx context.Context, args queryArguments, timeout time.Duration) (*queryResults, diag.Diagnostics) {
	conn, warehouseID, diags := d.resolveConnection(args.connectionInfo, args.warehouseID)
	if diags.HasError() {
		return nil, diags
	}
	ctx, client, connDiags := d.connect(ctx, conn)
	diags.Append(connDiags...)
	if diags.HasError() {
		return nil, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	query := databricks.QueryRequest{
		WarehouseID: warehouseID,
		Catalog:     args.catalog.ValueString(),
		Schema:      args.schema.ValueString(),
		Statement:   args.statement,
		Parameters:  statementParameters(args.parameters),
		RowLimit:    args.rowLimit,
	}
	var rows resultRows
	result, err := client.StreamQuery(ctx, query, &rows)
	var columnsErr *unusableColumnsError
	var valueErr *unreadableValueError
	switch {
	case errors.As(err, &columnsErr):
		diags.AddAttributeError(pathStatement, "Unusable Result Columns", fmt.Sprintf("Statement %s: %v.", rows.statementID, columnsErr))
		return nil, diags
	case errors.As(err, &valueErr):
		diags.AddError("Unreadable Result", fmt.Sprintf("Statement %s returned a value the provider cannot read: %v. "+
			"Cast the column to STRING in the statement to receive it as text.", rows.statementID, valueErr))
		return nil, diags
	case err != nil:
		fail := failure{conn: conn, step: stepRunStatement, warehouseID: warehouseID, statement: query.Statement, err: err}
		diags.AddError(fail.summary(), fail.detail())
		return nil, diags
	}

	out := &queryResults{
		statementID: result.StatementID,
		rows:        rows.value(),
		rowCount:    result.TotalRowCount,
		truncated:   result.Truncated,
		columns:     make([]columnModel, len(result.Columns)),
	}
	for _, w := range rows.converter.warnings {
		diags.AddAttributeWarning(pathStatement, "Result Values Changed", w)
	}
	for i, c := range result.Columns {
		out.columns[i] = columnModel{
			Name:     types.StringValue(c.Name),
			TypeName: types.StringValue(c.TypeName),
			TypeText: types.StringValue(c.TypeText),
			Position: types.Int64Value(int64(c.Position)),
		}
	}
	return out, diags
}

// rowLimitOrDefault is row_limit, or its default when unset.
func rowLimitOrDefault(v types.Int64) types.Int64 {
	if v.IsNull() {
		return types.Int64Value(defaultRowLimit)
	}
	return v
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
