package emulator

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// runSQL runs one statement on its own DuckDB connection, in the catalog and
// schema the request named, and materialises the result.
func (e *Emulator) runSQL(ctx context.Context, plan executePlan) (res *resultSet, err error) {
	defer func() {
		// A statement the emulator cannot handle must fail alone, not take
		// the emulator (and every test using it) down.
		if r := recover(); r != nil {
			res, err = nil, &sqlFailure{errorCode: "INTERNAL_ERROR", class: "INTERNAL_ERROR", sqlState: "XX000", text: "The emulator failed on this statement. This is a bug in the emulator: please report it with the statement."}
		}
	}()
	toks, err := lex(plan.sql)
	if err != nil {
		return nil, err
	}
	one, err := oneStatement(plan.sql, toks)
	if err != nil {
		return nil, err
	}
	return e.runTokens(ctx, one, plan)
}

// runTokens runs one lexed statement (of plan.sql, which may be a whole
// -init script) on its own DuckDB connection.
func (e *Emulator) runTokens(ctx context.Context, one []token, plan executePlan) (*resultSet, error) {
	if err := checkBrackets(plan.sql, one); err != nil {
		return nil, err
	}
	one, err := expandIdentifiers(plan.sql, one, plan.params)
	if err != nil {
		return nil, err
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	s := &session{e: e, ctx: ctx, conn: conn, src: plan.sql, catalog: strings.ToLower(plan.catalog), schema: strings.ToLower(plan.schema), params: plan.params, plan: plan}
	if err := s.useNamespace(); err != nil {
		return nil, err
	}
	return s.run(one)
}

// useNamespace points the session at the statement's catalog and schema
// (default main.default), failing like Databricks when either is missing.
func (s *session) useNamespace() error {
	if s.catalog == "" {
		s.catalog = "main"
	}
	if s.schema == "" {
		s.schema = "default"
	}
	if exists, _ := s.e.meta.catalog(s.catalog); !exists {
		return catalogNotFound(s.catalog)
	}
	// No USE: the renderer writes every table reference fully qualified,
	// so the namespace only has to exist.
	o := objectName{catalog: s.catalog, schema: s.schema}
	if ok, _ := s.e.schemaExists(s.ctx, o); !ok {
		return schemaNotFound(o.String())
	}
	return nil
}

// resultKind says how the rows DuckDB returns become the statement's result.
type resultKind int

const (
	rowsResult   resultKind = iota // a query: the rows as they are
	insertResult                   // DuckDB's Count as num_affected_rows, num_inserted_rows
	changeResult                   // DuckDB's Count as num_affected_rows (UPDATE, DELETE)
	emptyResult                    // DDL: no columns, no rows
)

// query runs DuckDB SQL with bound arguments on the session's connection.
func (s *session) query(sql string, args []driver.NamedValue, kind resultKind) (*resultSet, error) {
	if strings.ContainsRune(sql, 0) {
		// DuckDB's C API would silently stop reading the text at the NUL.
		return nil, &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: "Syntax error: the statement contains a NUL character."}
	}
	var res *resultSet
	err := s.conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		prepared, err := c.PrepareContext(s.ctx, sql)
		if err != nil {
			return err
		}
		defer func() { _ = prepared.Close() }()
		stmt, ok := prepared.(driver.StmtQueryContext)
		if !ok {
			return fmt.Errorf("unexpected driver statement %T", prepared)
		}
		rows, err := stmt.QueryContext(s.ctx, args)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		res, err = s.e.collect(s.ctx, kind, rows, s.plan)
		return err
	})
	return res, err
}

// exec runs DuckDB SQL whose result does not matter.
func (s *session) exec(sql string) error {
	_, err := s.conn.ExecContext(s.ctx, sql)
	return err
}

// collect reads every row into JSON_ARRAY cells, applying row_limit,
// byte_limit and the INLINE size limit, and reshapes DML and DDL results the
// way Databricks reports them.
func (e *Emulator) collect(ctx context.Context, kind resultKind, rows driver.Rows, plan executePlan) (*resultSet, error) {
	names := rows.Columns()
	types := make([]*duckType, len(names))
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	for i := range names {
		name := "VARCHAR"
		if typed != nil {
			name = typed.ColumnTypeDatabaseTypeName(i)
		}
		types[i] = parseDuckType(name)
	}
	res := &resultSet{}
	switch kind {
	case insertResult, changeResult:
		return dmlResult(kind, rows, e.opts.RowsPerChunk)
	case emptyResult:
		// Databricks answers DDL with an empty result without columns.
		return res, nil
	}
	for i, n := range names {
		res.columns = append(res.columns, newColumn(n, i, types[i]))
	}
	sizer := newRowSizer()
	var total int64
	dest := make([]driver.Value, len(names))
	for {
		if len(res.rows)%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		err := rows.Next(dest)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if plan.rowLimit > 0 && int64(len(res.rows)) >= plan.rowLimit {
			res.truncated = true
			break
		}
		row := make([]*string, len(dest))
		for i, v := range dest {
			row[i] = formatCell(types[i], v)
		}
		size := sizer.size(row)
		if plan.byteLimit > 0 && total+size > plan.byteLimit {
			res.truncated = true
			break
		}
		total += size
		if plan.inlineLimit > 0 && total > plan.inlineLimit {
			return nil, inlineLimitFailure(plan.inlineLimit)
		}
		res.rows = append(res.rows, row)
		res.rowBytes = append(res.rowBytes, size)
	}
	res.cutChunks(e.opts.RowsPerChunk)
	return res, nil
}

// dmlResult turns DuckDB's single "Count" column into the columns Databricks
// returns for INSERT (num_affected_rows, num_inserted_rows) and UPDATE or
// DELETE (num_affected_rows).
func dmlResult(kind resultKind, rows driver.Rows, rowsPerChunk int) (*resultSet, error) {
	dest := make([]driver.Value, len(rows.Columns()))
	count := "0"
	if err := rows.Next(dest); err == nil && len(dest) > 0 {
		if c := formatCell(&duckType{kind: "BIGINT"}, dest[0]); c != nil {
			count = *c
		}
	} else if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	long := &duckType{kind: "BIGINT"}
	res := &resultSet{columns: []columnJSON{newColumn("num_affected_rows", 0, long)}}
	row := []*string{&count}
	if kind == insertResult {
		res.columns = append(res.columns, newColumn("num_inserted_rows", 1, long))
		row = append(row, &count)
	}
	res.rows = [][]*string{row}
	res.rowBytes = []int64{newRowSizer().size(row)}
	res.cutChunks(rowsPerChunk)
	return res, nil
}
