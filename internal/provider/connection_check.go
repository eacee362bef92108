package provider

// This file is dbsql_connection's "Test connection": what a test proves (SCIM Me, then
// the warehouse) and what it learns for the resource's computed values.

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// connectionTestResult is what a successful connection test learned.
type connectionTestResult struct {
	user      *databricks.CurrentUser
	warehouse *databricks.Warehouse // nil when no warehouse is set
}

func (t connectionTestResult) fill(m *connectionModel) {
	m.UserName = types.StringValue(t.user.UserName)
	m.WorkspaceID = types.StringNull()
	if t.user.WorkspaceID != "" {
		m.WorkspaceID = types.StringValue(t.user.WorkspaceID)
	}
	m.WarehouseName = types.StringNull()
	if t.warehouse != nil {
		m.WarehouseName = types.StringValue(t.warehouse.Name)
	}
}

// test proves the Base URL and the token with SCIM Me, then the warehouse when one is set.
func (r *connectionResource) test(ctx context.Context, info *connectionInfoModel) (connectionTestResult, diag.Diagnostics) {
	ctx, conn, diags := r.data.connect(ctx, connectionRequest{caller: connectionCaller, info: info})
	if diags.HasError() {
		return connectionTestResult{}, diags
	}
	user, err := conn.client.CurrentUser(ctx)
	if err != nil {
		conn.failure(stepFor(err), err).addError(&diags)
		return connectionTestResult{}, diags
	}
	result := connectionTestResult{user: user}
	warehouseID := info.WarehouseID.ValueString()
	if warehouseID == "" {
		return result, diags
	}
	result.warehouse, err = conn.client.GetWarehouse(ctx, warehouseID)
	if err != nil {
		fail := conn.failure(stepFindWarehouse, err)
		fail.warehouseID = warehouseID
		fail.addError(&diags)
		return connectionTestResult{}, diags
	}
	return result, diags
}

// stepFor tells a workspace that cannot be reached from one that refuses the token.
func stepFor(err error) step {
	if isAuthError(err) || errors.Is(err, databricks.ErrCredentials) {
		return stepAuthenticate
	}
	return stepReach
}
