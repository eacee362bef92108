package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// This file is dbsql_statement's verify: the read-only statement that says whether
// what execute did still stands, so that the resource sees drift.

// verifyRule is the rule for "still stands", as the docs state it.
const verifyRule = "`execute`'s effect stands when `verify` returns at least one row and the first column of the first row is " +
	"neither `false` nor null: a `BOOLEAN` `false`, a null, or no row at all means it is gone. A `verify` that fails (an error, an " +
	"unreachable warehouse) says nothing: the resource is kept, with a warning."

var pathVerify = path.Root("verify")

// nullVerifyResult is verify_result without a verify, or when it returned no rows.
var nullVerifyResult = tftypes.NewValue(tftypes.DynamicPseudoType, nil)

// verdict is what a verify run said of execute's effect.
type verdict struct {
	stands      bool
	reason      string // why it does not stand, e.g. "verify returned no rows"
	statementID string // of the verify run
	// firstRow is the first row as an object keyed by column name, or nullVerifyResult.
	firstRow tftypes.Value
}

// verify runs m's verify on m's connection within timeout and judges its first row.
// Errors are diagnostics; the caller decides what an error means (on a refresh, that
// nothing is known).
func (r *statementResource) verify(ctx context.Context, c caller, m statementModel, timeout time.Duration) (*verdict, diag.Diagnostics) {
	ctx, conn, diags := r.data.connect(ctx, m.connectionRequest(c))
	if diags.HasError() {
		return nil, diags
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// One row is all the rule reads.
	var rows resultRows
	info, queryDiags := conn.query(ctx, m.statementArguments, m.Verify.ValueString(), 1, pathVerify, &rows)
	diags.Append(queryDiags...)
	if diags.HasError() {
		return nil, diags
	}
	v, err := judge(info, rows.value())
	if err != nil {
		diags.AddAttributeError(pathVerify, "Unexpected Verify Result", fmt.Sprintf("Reading verify statement %s: %v. This is a bug in the provider.", info.StatementID, err))
		return nil, diags
	}
	return v, diags
}

// judge applies the rule to a verify's result: no row, or a first column that is false
// or null, means execute's effect no longer stands.
func judge(info databricks.ResultInfo, value tftypes.Value) (*verdict, error) {
	v := &verdict{statementID: info.StatementID, firstRow: nullVerifyResult}
	var rows []tftypes.Value
	if err := value.As(&rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 || len(info.Columns) == 0 {
		v.reason = "verify returned no rows"
		return v, nil
	}
	v.firstRow = rows[0]
	var row map[string]tftypes.Value
	if err := rows[0].As(&row); err != nil {
		return nil, err
	}
	name := info.Columns[0].Name
	first := row[name]
	switch {
	case first.IsNull():
		v.reason = fmt.Sprintf("the first column (%s) of verify's first row is null", name)
	case first.Type().Is(tftypes.Bool):
		var b bool
		if err := first.As(&b); err != nil {
			return nil, err
		}
		if !b {
			v.reason = fmt.Sprintf("the first column (%s) of verify's first row is false", name)
			break
		}
		v.stands = true
	default:
		v.stands = true
	}
	return v, nil
}

// setStatementState sets m into state, then verifyResult straight into the raw value,
// where a dynamic value keeps the type of verify's row.
func setStatementState(ctx context.Context, state *tfsdk.State, m *statementModel, verifyResult tftypes.Value) diag.Diagnostics {
	m.VerifyResult = types.DynamicNull()
	diags := state.Set(ctx, m)
	if diags.HasError() {
		return diags
	}
	raw, err := withAttribute(state.Raw, "verify_result", verifyResult)
	if err != nil {
		diags.AddError("Unexpected State Error", fmt.Sprintf("Setting verify_result: %v. This is a bug in the provider.", err))
		return diags
	}
	state.Raw = raw
	return diags
}

// attributeOf is one attribute of an object value.
func attributeOf(object tftypes.Value, name string) (tftypes.Value, error) {
	var attrs map[string]tftypes.Value
	if err := object.As(&attrs); err != nil {
		return tftypes.Value{}, err
	}
	v, ok := attrs[name]
	if !ok {
		return tftypes.Value{}, fmt.Errorf("no attribute %q", name)
	}
	return v, nil
}
