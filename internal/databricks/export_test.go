package databricks

import (
	"context"
	"time"
)

// QueryResult is a finished query's columns and every row, for tests.
type QueryResult struct {
	ResultInfo
	Rows []Row
}

// Query runs q through StreamQuery and keeps every row. Only tests look at a result
// whole, so it lives here: the provider streams rows into state values as they arrive.
func (c *Client) Query(ctx context.Context, q QueryRequest) (*QueryResult, error) {
	var rows rowCollector
	info, err := c.StreamQuery(ctx, q, &rows)
	if err != nil {
		return nil, err
	}
	return &QueryResult{ResultInfo: info, Rows: rows.rows}, nil
}

// rowCollector is a RowHandler that keeps every row in result order.
type rowCollector struct {
	rows  []Row
	cells []Cell
	width int
}

func (rc *rowCollector) Begin(info ResultInfo) error {
	rc.width = len(info.Columns)
	rc.rows = make([]Row, info.TotalRowCount)
	// One array for every cell rather than one per row.
	rc.cells = make([]Cell, info.TotalRowCount*int64(rc.width))
	return nil
}

// Row is called from several goroutines at once, each with indexes of its own: they
// write disjoint parts of the slices.
func (rc *rowCollector) Row(index int64, row Row) error {
	at := int(index) * rc.width
	dst := rc.cells[at : at+rc.width : at+rc.width]
	copy(dst, row.Clone())
	rc.rows[index] = dst
	return nil
}

// SetClock replaces the clock of token-based credentials, so that tests of the refresh
// policy need not wait out real lifetimes.
func SetClock(c Credentials, now func() time.Time) { tokenCreds(c).now = now }

// SetFailureHold replaces how long token-based credentials answer a failed fetch from
// memory.
func SetFailureHold(c Credentials, d time.Duration) { tokenCreds(c).hold = d }

func tokenCreds(c Credentials) *tokenCredentials {
	tc, ok := c.(*tokenCredentials)
	if !ok {
		panic("not token-based credentials")
	}
	return tc
}
