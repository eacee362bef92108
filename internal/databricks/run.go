package databricks

import "context"

// RunRequest is a statement run for its effect (DDL, DML, GRANT) rather than its rows.
type RunRequest struct {
	WarehouseID string
	Catalog     string
	Schema      string
	Statement   string
	Parameters  []StatementParameter
}

// Run submits a statement and waits until it finishes, returning its id. Unlike
// StreamQuery it never sends the statement twice: a submission lost after it may have
// reached the warehouse is reported, not repeated, because running a write twice is worse
// than failing (429 and 503, which Databricks did not process, are still retried). If ctx
// ends first the statement is canceled on the warehouse (*InterruptedError). When its
// outcome cannot be learned (the answer to the submission was lost, or its status stayed
// out of reach) the error is an *OutcomeUnknownError: it may have run.
func (c *Client) Run(ctx context.Context, r RunRequest) (string, error) {
	id, final, err := c.execute(ctx, ExecuteStatementRequest{
		Statement:   r.Statement,
		WarehouseID: r.WarehouseID,
		Catalog:     r.Catalog,
		Schema:      r.Schema,
		Parameters:  r.Parameters,
	}, false)
	if err != nil {
		return id, err
	}
	if final.Status.State != StateSucceeded {
		return final.StatementID, statementError(&final.StatementResponse, r.WarehouseID)
	}
	return final.StatementID, nil
}
