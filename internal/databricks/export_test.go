package databricks

import "context"

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
	copy(dst, row)
	rc.rows[index] = dst
	return nil
}
