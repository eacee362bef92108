package databricks

// This file holds the wire types of the SQL Statement Execution API 2.0: requests,
// responses, states, manifests and chunks, as Databricks spells them in JSON.

// StatementState is a statement's status.state.
type StatementState string

// The states of the Statement Execution API.
const (
	StatePending   StatementState = "PENDING" // waiting for the warehouse (a cold start can take minutes)
	StateRunning   StatementState = "RUNNING"
	StateSucceeded StatementState = "SUCCEEDED"
	StateFailed    StatementState = "FAILED"
	StateCanceled  StatementState = "CANCELED"
	StateClosed    StatementState = "CLOSED" // succeeded, but the result can no longer be fetched
)

// Terminal reports whether the statement will not change state again.
func (s StatementState) Terminal() bool {
	switch s {
	case StateSucceeded, StateFailed, StateCanceled, StateClosed:
		return true
	}
	return false
}

// StatementParameter is a named parameter, bound to a :name marker. A nil Value is SQL NULL.
type StatementParameter struct {
	Name  string  `json:"name"`
	Value *string `json:"value,omitempty"`
	Type  string  `json:"type,omitempty"` // default STRING
}

// ExecuteStatementRequest is the body of POST /api/2.0/sql/statements.
type ExecuteStatementRequest struct {
	Statement     string               `json:"statement"`
	WarehouseID   string               `json:"warehouse_id"`
	Catalog       string               `json:"catalog,omitempty"`
	Schema        string               `json:"schema,omitempty"`
	Parameters    []StatementParameter `json:"parameters,omitempty"`
	WaitTimeout   string               `json:"wait_timeout,omitempty"`    // "0s" or "5s".."50s"
	OnWaitTimeout string               `json:"on_wait_timeout,omitempty"` // CONTINUE or CANCEL
	Disposition   string               `json:"disposition,omitempty"`     // INLINE or EXTERNAL_LINKS
	Format        string               `json:"format,omitempty"`          // JSON_ARRAY
	RowLimit      int64                `json:"row_limit,omitempty"`
	ByteLimit     int64                `json:"byte_limit,omitempty"`
}

// StatementResponse is what execute and get return.
type StatementResponse struct {
	StatementID string          `json:"statement_id"`
	Status      StatementStatus `json:"status"`
	Manifest    *ResultManifest `json:"manifest,omitempty"`
	Result      *ResultChunk    `json:"result,omitempty"`
}

// StatementStatus is a statement's state and, when it failed, why.
type StatementStatus struct {
	State    StatementState `json:"state"`
	Error    *ServiceError  `json:"error,omitempty"`
	SQLState string         `json:"sql_state,omitempty"`
}

// ServiceError is the error of a FAILED statement.
type ServiceError struct {
	ErrorCode errorCode `json:"error_code"`
	Message   string    `json:"message"`
}

// ResultManifest describes a result: its columns and its chunks.
type ResultManifest struct {
	Format          string       `json:"format"`
	Schema          ResultSchema `json:"schema"`
	TotalChunkCount int          `json:"total_chunk_count"`
	TotalRowCount   int64        `json:"total_row_count"`
	Chunks          []ChunkInfo  `json:"chunks"`
	Truncated       bool         `json:"truncated"`
}

// ResultSchema lists the result's columns.
type ResultSchema struct {
	ColumnCount int      `json:"column_count"`
	Columns     []Column `json:"columns"`
}

// Column is one result column. TypeName is the type's family (LONG, DECIMAL, ARRAY);
// TypeText is its SQL spelling with parameters (BIGINT, DECIMAL(10,2), ARRAY<INT>).
type Column struct {
	Name          string `json:"name"`
	Position      int    `json:"position"`
	TypeName      string `json:"type_name"`
	TypeText      string `json:"type_text"`
	TypePrecision int    `json:"type_precision,omitempty"`
	TypeScale     int    `json:"type_scale,omitempty"`
}

// ChunkInfo locates one chunk of a result.
type ChunkInfo struct {
	ChunkIndex int   `json:"chunk_index"`
	RowOffset  int64 `json:"row_offset"`
	RowCount   int64 `json:"row_count"`
}

// ResultChunk is one chunk of rows.
type ResultChunk struct {
	ChunkIndex            int    `json:"chunk_index"`
	RowOffset             int64  `json:"row_offset"`
	RowCount              int64  `json:"row_count"`
	DataArray             []Row  `json:"data_array"`
	NextChunkIndex        *int   `json:"next_chunk_index,omitempty"`
	NextChunkInternalLink string `json:"next_chunk_internal_link,omitempty"`
}

const statementsPath = "/api/2.0/sql/statements"
