package provider

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file holds what the dbsql_query data source and the ephemeral dbsql_query share:
// their attributes, their model, and running the query.

const (
	defaultRowLimit    = 10000
	maxRowLimit        = 1000000
	defaultReadTimeout = 20 * time.Minute
)

var pathStatement = path.Root("statement")

// queryTimeoutDescription describes the timeout of both forms (timeouts.read, timeouts.open).
const queryTimeoutDescription = "How long to wait for the statement, including a warehouse's cold start, e.g. `\"30m\"`. Default `\"20m\"`. " +
	"A statement still running then is canceled."

// queryAttributeSpecs are the attributes of both forms of dbsql_query but their
// timeouts, whose types differ.
func queryAttributeSpecs() attributeSpecs {
	computedString := func(description string) stringSpec { return stringSpec{presence: computed, description: description} }
	specs := statementArgumentSpecs()
	specs["statement"] = stringSpec{
		presence: required,
		description: "One SQL statement that only reads: a query (`SELECT`, `VALUES`, `TABLE`, `FROM ... SELECT`, or `WITH ...` followed by " +
			"one of those), `SHOW`, `DESCRIBE`, `EXPLAIN` or `LIST`, checked at plan time with Databricks SQL's rules for comments and " +
			"literals. The check catches mistakes; it is not a security boundary: give a read-only pipeline a read-only principal. " +
			"Refer to parameters as `:name`.",
		validators: []validator.String{queryStatementValidator},
	}
	specs["row_limit"] = int64Spec{
		presence: optionalComputed,
		description: fmt.Sprintf("The most rows to return, 1 to %d. Default `%d`. When the result has more, `truncated` is true and a warning says so.",
			maxRowLimit, defaultRowLimit),
		validators: []validator.Int64{int64validator.Between(1, maxRowLimit)},
	}
	specs["id"] = computedString("The Databricks statement id of the run that produced the rows.")
	specs["statement_id"] = computedString("The Databricks statement id, for the warehouse's query history.")
	specs["columns"] = listNestedSpec{
		presence:    computed,
		description: "The result's columns, in order.",
		attributes: attributeSpecs{
			"name":      computedString("The column name."),
			"type_name": computedString("The type family, e.g. `LONG`, `DECIMAL`, `ARRAY`."),
			"type_text": computedString("The full SQL type, e.g. `BIGINT`, `DECIMAL(10,2)`, `ARRAY<INT>`."),
			"position":  int64Spec{presence: computed, description: "The column's position, from 0."},
		},
	}
	specs["result_format"] = stringSpec{
		presence: optional,
		description: "How the rows are returned. `\"typed\"` (the default) fills `rows` with Terraform values, to use in HCL: " +
			"`rows[0].id`, `for` expressions, arguments of other resources. `\"json\"` fills `rows_json` instead, one JSON string, " +
			"for a large result passed on whole (to a file, to another provider's JSON argument) or decoded with `jsondecode()`: " +
			"Terraform keeps one string instead of a value per cell, which plans many times faster. `row_limit` applies to both.",
		validators: []validator.String{stringvalidator.OneOf(resultFormatTyped, resultFormatJSON)},
	}
	specs["rows"] = dynamicSpec{description: "The rows, when `result_format` is `\"typed\"` (null otherwise): a list of objects keyed by column name. " +
		"BOOLEAN is a bool; BYTE, SHORT, INT, LONG, " +
		"FLOAT, DOUBLE and DECIMAL are numbers (exact; NaN and Infinity become null, with a warning); STRING, CHAR, DATE, TIMESTAMP, " +
		"INTERVAL and BINARY (base64) are strings as Databricks sends them; ARRAY is a list, MAP a map and STRUCT an object; NULL is null."}
	specs["rows_json"] = stringSpec{presence: computed, description: "The rows, when `result_format` is `\"json\"` (null otherwise): one JSON " +
		"array with an array per row, in result order, whose values are in the order of `columns` (the shape of Databricks' JSON_ARRAY " +
		"results). Values are typed as in `rows`: numbers are JSON numbers with every digit Databricks sent (a BIGINT or DECIMAL(38,s) is " +
		"exact once `jsondecode()` reads it), BOOLEAN is true or false, ARRAY an array, MAP and STRUCT objects (MAP keys sorted), NaN, " +
		"Infinity and NULL are null, and everything else is a string as Databricks sends it. " +
		"`[for r in jsondecode(rows_json) : zipmap(columns[*].name, r)]` makes the rows objects keyed by column name."}
	specs["row_count"] = int64Spec{presence: computed, description: "The number of rows returned."}
	specs["truncated"] = boolSpec{description: "True when `row_limit` or Databricks' own limits cut the result short."}
	return specs
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
	statementArguments
	Statement    types.String `tfsdk:"statement"`
	RowLimit     types.Int64  `tfsdk:"row_limit"`
	ResultFormat types.String `tfsdk:"result_format"`
	Timeouts     Timeouts     `tfsdk:"timeouts"`

	ID          types.String  `tfsdk:"id"`
	StatementID types.String  `tfsdk:"statement_id"`
	Columns     []columnModel `tfsdk:"columns"`
	Rows        types.Dynamic `tfsdk:"rows"`
	RowsJSON    types.String  `tfsdk:"rows_json"`
	RowCount    types.Int64   `tfsdk:"row_count"`
	Truncated   types.Bool    `tfsdk:"truncated"`
}

// The values of result_format.
const (
	resultFormatTyped = "typed"
	resultFormatJSON  = "json"
)

// run runs the query to completion within timeout and fills the computed attributes.
// Typed rows are returned apart, as the state's value: set them with storeQuery, not
// through the model, which would convert every value twice. Under the provider's server
// they are encoded instead, for the server to put in the encoded state, and the value
// returned is null (server.go). The JSON form is a string the model holds as it is.
func (m *queryModel[T]) run(ctx context.Context, d *providerData, c caller, timeout time.Duration) (tftypes.Value, diag.Diagnostics) {
	if m.RowLimit.IsNull() {
		m.RowLimit = types.Int64Value(defaultRowLimit)
	}
	ctx, conn, diags := d.connect(ctx, m.connectionRequest(c))
	if diags.HasError() {
		return tftypes.Value{}, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		typed    resultRows
		encoded  msgpackRows
		document jsonRows
		form     resultForm = &typed
	)
	slot := encodedRowsSlotFrom(ctx)
	switch {
	case m.ResultFormat.ValueString() == resultFormatJSON:
		form = &document
	case slot != nil:
		form = &encoded
	}
	info, queryDiags := conn.query(ctx, m.statementArguments, m.Statement.ValueString(), m.RowLimit.ValueInt64(), pathStatement, form)
	diags.Append(queryDiags...)
	if diags.HasError() {
		return tftypes.Value{}, diags
	}

	m.ID = types.StringValue(info.StatementID)
	m.StatementID = types.StringValue(info.StatementID)
	m.Rows = types.DynamicNull()
	m.RowsJSON = types.StringNull()
	m.RowCount = types.Int64Value(info.TotalRowCount)
	m.Truncated = types.BoolValue(info.Truncated)
	m.Columns = make([]columnModel, len(info.Columns))
	for i, c := range info.Columns {
		m.Columns[i] = columnModel{
			Name:     types.StringValue(c.Name),
			TypeName: types.StringValue(c.TypeName),
			TypeText: types.StringValue(c.TypeText),
			Position: types.Int64Value(int64(c.Position)),
		}
	}
	if info.Truncated {
		diags.Append(truncationWarning(c, info.StatementID, info.TotalRowCount, m.RowLimit.ValueInt64()))
	}
	switch {
	case form == &document && slot != nil:
		slot.set("rows_json", info.StatementID, &document)
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil), diags
	case form == &document:
		text, err := document.document()
		if err != nil {
			diags.AddError("Unexpected Result Error", fmt.Sprintf("Statement %s: %v. This is a bug in the provider.", info.StatementID, err))
			return tftypes.Value{}, diags
		}
		m.RowsJSON = types.StringValue(text)
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil), diags
	case form == &encoded:
		slot.set("rows", info.StatementID, &encoded)
		return tftypes.NewValue(tftypes.DynamicPseudoType, nil), diags
	}
	return typed.value(), diags
}

// resultForm is a RowHandler that makes a query's rows into one form of result: typed
// values (resultRows) or one JSON document (jsonRows).
type resultForm interface {
	databricks.RowHandler
	// warnings are what was changed or could not be read in the rows, column by column,
	// once every row was read.
	warnings() []string
}

// query runs a read-only statement (at statementPath, for messages) with args'
// catalog, schema and parameters, and reads at most rowLimit rows into form.
func (conn *connection) query(ctx context.Context, args statementArguments, statement string, rowLimit int64, statementPath path.Path, form resultForm) (databricks.ResultInfo, diag.Diagnostics) {
	var diags diag.Diagnostics
	query := databricks.QueryRequest{
		WarehouseID: conn.warehouseID,
		Catalog:     args.Catalog.ValueString(),
		Schema:      args.Schema.ValueString(),
		Statement:   statement,
		Parameters:  args.statementParameters(),
		RowLimit:    rowLimit,
	}
	info, err := conn.client.StreamQuery(ctx, query, form)
	var columnsErr *unusableColumnsError
	var valueErr *unreadableValueError
	switch {
	case errors.As(err, &columnsErr):
		diags.AddAttributeError(statementPath, "Unusable Result Columns", fmt.Sprintf("Statement %s: %v.", columnsErr.statementID, columnsErr))
		return info, diags
	case errors.As(err, &valueErr):
		diags.AddAttributeError(statementPath, "Unreadable Result", fmt.Sprintf("Statement %s returned a value the provider cannot read: %v. "+
			"Cast the column to STRING in the statement to receive it as text.", valueErr.statementID, valueErr))
		return info, diags
	case err != nil:
		fail := conn.failure(stepRunStatement, err)
		fail.statement = nameStatement(statementPath.String(), statement)
		fail.addError(&diags)
		return info, diags
	}
	for _, w := range form.warnings() {
		diags.AddAttributeWarning(statementPath, "Result Values Changed", w)
	}
	return info, diags
}

// truncationWarning says that a result was cut short, by what, and how to get the rest:
// a configuration that reads only part of what it asked for must not learn it from
// `truncated` alone.
func truncationWarning(c caller, statementID string, rows, rowLimit int64) diag.Diagnostic {
	if rows >= rowLimit {
		return diag.NewAttributeWarningDiagnostic(path.Root("row_limit"), "Result Truncated",
			fmt.Sprintf("%s returned the first %d rows of statement %s: the statement has more, and row_limit is %d. "+
				"Raise row_limit (at most %d) to read more, or make the statement return fewer rows (WHERE, LIMIT, GROUP BY).",
				c.name, rows, statementID, rowLimit, maxRowLimit))
	}
	return diag.NewAttributeWarningDiagnostic(pathStatement, "Result Truncated",
		fmt.Sprintf("%s returned the first %d rows of statement %s: Databricks cut the result at its own size limit "+
			"(100 GiB for a result read from cloud storage). Select fewer columns, aggregate, or filter, so that the result is smaller.",
			c.name, rows, statementID))
}

// storeQuery sets m into a state or an ephemeral result (set and raw are the target's
// Set method and Raw field), then its rows straight into the raw value.
func storeQuery(ctx context.Context, set func(context.Context, any) diag.Diagnostics, raw *tftypes.Value, m any, rows tftypes.Value) diag.Diagnostics {
	diags := set(ctx, m)
	if diags.HasError() {
		return diags
	}
	object, err := withAttribute(*raw, "rows", rows)
	if err != nil {
		diags.AddError("Unexpected State Error", fmt.Sprintf("Setting the query's rows: %v. This is a bug in the provider.", err))
		return diags
	}
	*raw = object
	return diags
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
