package emulator

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// runSQL runs a statement on its own DuckDB connection in the requested
// catalog and schema and materialises the result.
func (e *Emulator) runSQL(ctx context.Context, plan executePlan) (*resultSet, error) {
	toks, err := lex(plan.sql)
	if err != nil {
		return nil, err
	}
	one, err := oneStatement(plan.sql, toks)
	if err != nil {
		return nil, err
	}
	tr, err := translateSQL(joinTokens(one), plan.params, e.opts.UserName)
	if err != nil {
		return nil, err
	}
	if strings.ContainsRune(tr.sql, 0) {
		// DuckDB's C API would silently stop reading the text at the NUL.
		return nil, &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: "Syntax error: the statement contains a NUL character."}
	}
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := useNamespace(ctx, conn, plan.catalog, plan.schema); err != nil {
		return nil, err
	}
	args := make([]driver.NamedValue, 0, len(tr.used))
	for i, name := range tr.used {
		p := plan.params[name]
		var v driver.Value
		if p.value != nil {
			v = *p.value
		}
		args = append(args, driver.NamedValue{Name: name, Ordinal: i + 1, Value: v})
	}
	var res *resultSet
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		prepared, err := c.PrepareContext(ctx, tr.sql)
		if err != nil {
			return err
		}
		stmt, ok := prepared.(*duckdb.Stmt)
		if !ok {
			_ = prepared.Close()
			return fmt.Errorf("unexpected driver statement %T", prepared)
		}
		defer func() { _ = stmt.Close() }()
		kind, err := stmt.StatementType()
		if err != nil {
			return err
		}
		rows, err := stmt.QueryContext(ctx, args)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		res, err = e.collect(ctx, kind, rows, plan)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// useNamespace points the connection at the statement's catalog and schema
// (default main.default), failing like Databricks when either is missing.
func useNamespace(ctx context.Context, conn *sql.Conn, catalog, schema string) error {
	if catalog == "" {
		catalog = "main"
	}
	if schema == "" {
		schema = "default"
	}
	duckCatalog := catalog
	if strings.EqualFold(catalog, "main") {
		duckCatalog = mainCatalog
	}
	_, err := conn.ExecContext(ctx, "USE "+duckIdentifier(duckCatalog)+"."+duckIdentifier(schema))
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	var n int
	if qerr := conn.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_databases() WHERE database_name = ?", duckCatalog).Scan(&n); qerr == nil && n == 0 {
		return &sqlFailure{class: "NO_SUCH_CATALOG_EXCEPTION", sqlState: "42704", text: fmt.Sprintf("The catalog '%s' was not found. Please verify the catalog name and then retry the query or command again.", catalog)}
	}
	return &sqlFailure{class: "SCHEMA_NOT_FOUND", sqlState: "42704", text: fmt.Sprintf("The schema `%s`.`%s` cannot be found. Verify the spelling and correctness of the schema and catalog.", catalog, schema)}
}

// collect reads every row into JSON_ARRAY cells, applying row_limit,
// byte_limit and the INLINE size limit, and reshapes DML and DDL results the
// way Databricks reports them.
func (e *Emulator) collect(ctx context.Context, kind duckdb.StmtType, rows driver.Rows, plan executePlan) (*resultSet, error) {
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
	case duckdb.STATEMENT_TYPE_INSERT, duckdb.STATEMENT_TYPE_UPDATE, duckdb.STATEMENT_TYPE_DELETE:
		// With RETURNING, DuckDB answers rows instead of a count.
		if len(names) == 1 && names[0] == "Count" {
			return dmlResult(kind, rows, e.opts.RowsPerChunk)
		}
	case duckdb.STATEMENT_TYPE_CREATE, duckdb.STATEMENT_TYPE_DROP, duckdb.STATEMENT_TYPE_ALTER,
		duckdb.STATEMENT_TYPE_ATTACH, duckdb.STATEMENT_TYPE_DETACH, duckdb.STATEMENT_TYPE_TRANSACTION,
		duckdb.STATEMENT_TYPE_SET, duckdb.STATEMENT_TYPE_VARIABLE_SET, duckdb.STATEMENT_TYPE_CREATE_FUNC,
		duckdb.STATEMENT_TYPE_ANALYZE, duckdb.STATEMENT_TYPE_VACUUM, duckdb.STATEMENT_TYPE_LOAD:
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
		if total > e.opts.InlineLimit {
			return nil, inlineLimitFailure(e.opts.InlineLimit)
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
func dmlResult(kind duckdb.StmtType, rows driver.Rows, rowsPerChunk int) (*resultSet, error) {
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
	if kind == duckdb.STATEMENT_TYPE_INSERT {
		res.columns = append(res.columns, newColumn("num_inserted_rows", 1, long))
		row = append(row, &count)
	}
	res.rows = [][]*string{row}
	res.rowBytes = []int64{newRowSizer().size(row)}
	res.cutChunks(rowsPerChunk)
	return res, nil
}
