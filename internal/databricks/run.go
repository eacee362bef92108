package databricks

import (
	"context"
	"errors"
	"strings"
)

// RunRequest is a statement run for its effect (DDL, DML, GRANT) rather than its rows.
type RunRequest struct {
	WarehouseID string
	Catalog     string
	Schema      string
	Statement   string
	Parameters  []StatementParameter
}

// Run submits a statement and waits until it finishes, returning its id. Unlike Query it
// never sends the statement twice: a submission lost after it may have reached the
// warehouse is reported, not repeated, because running a write twice is worse than
// failing (429 and 503, which Databricks did not process, are still retried). If ctx
// ends first the statement is canceled on the warehouse.
func (c *Client) Run(ctx context.Context, r RunRequest) (string, error) {
	if strings.TrimSpace(r.Statement) == "" {
		return "", errors.New("the statement is empty")
	}
	if r.WarehouseID == "" {
		return "", errors.New("no warehouse id was given")
	}
	req := ExecuteStatementRequest{
		Statement:     r.Statement,
		WarehouseID:   r.WarehouseID,
		Catalog:       r.Catalog,
		Schema:        r.Schema,
		Parameters:    r.Parameters,
		WaitTimeout:   formatWait(c.longPollWait(ctx)),
		OnWaitTimeout: "CONTINUE",
		Disposition:   "INLINE",
		Format:        "JSON_ARRAY",
	}
	var resp StatementResponse
	if _, err := c.do(ctx, call{method: "POST", path: statementsPath, body: req, finishInFlight: true}, &resp); err != nil {
		return "", err
	}
	c.logger.Debug(ctx, "Statement submitted", map[string]any{"statement_id": resp.StatementID, "warehouse_id": r.WarehouseID, "state": string(resp.Status.State)})
	final, err := c.awaitStatement(ctx, &resp)
	if err != nil {
		return resp.StatementID, err
	}
	if final.Status.State != StateSucceeded {
		return final.StatementID, statementError(final, r.WarehouseID)
	}
	return final.StatementID, nil
}
