package emulator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Load makes a file a table when the emulator starts (the command's
// -load catalog.schema.table=PATH).
type Load struct {
	// Table is catalog.schema.table; a missing catalog or schema is created.
	Table string
	// Path is a CSV (with a header line), Parquet or JSON (an array or one
	// object per line) file, optionally gzip-compressed (.csv.gz). The
	// columns are typed from the file.
	Path string
}

// loadFiles reads the files of opts.Load into tables. It runs before the
// lockdown: afterwards DuckDB can no longer read any file.
func (e *Emulator) loadFiles(ctx context.Context) error {
	for _, l := range e.opts.Load {
		if err := e.loadFile(ctx, l); err != nil {
			return fmt.Errorf("emulator: loading %s into %s: %w", l.Path, l.Table, err)
		}
	}
	return nil
}

func (e *Emulator) loadFile(ctx context.Context, l Load) error {
	o, err := loadTarget(l.Table)
	if err != nil {
		return err
	}
	reader, textual, err := fileReader(l.Path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(l.Path); err != nil {
		return err
	}
	if exists, _ := e.meta.catalog(o.catalog); !exists {
		if err := e.createCatalog(ctx, catalogMeta{name: o.catalog, catalogType: "MANAGED_CATALOG"}, "default"); err != nil {
			return err
		}
	}
	schema := objectName{catalog: o.catalog, schema: o.schema}
	if ok, err := e.schemaExists(ctx, schema); err != nil || !ok {
		if err == nil {
			err = e.createSchema(ctx, schema, "", "", nil, e.opts.UserName)
		}
		if err != nil {
			return err
		}
	}
	if kind, err := e.tableType(ctx, o); err != nil || kind != "" {
		if err == nil {
			err = errors.New("the table already exists")
		}
		return err
	}
	if _, err := e.db.ExecContext(ctx, "CREATE TABLE "+o.duck()+" AS SELECT * FROM "+reader); err != nil {
		return errors.New(classifyDuckDBError(err).message())
	}
	if textual {
		// Databricks reads a timestamp in a text file as TIMESTAMP (an
		// instant), where DuckDB's reader makes it a wall-clock time.
		if err := e.timestampsAreInstants(ctx, o); err != nil {
			return err
		}
	}
	return e.recordTable(ctx, o, tableMeta{tableType: "MANAGED", comment: "Loaded from " + filepath.Base(l.Path), props: deltaProperties(nil)})
}

// loadTarget reads catalog.schema.table, back-quotes allowed.
func loadTarget(name string) (objectName, error) {
	toks, err := lex(name)
	if err == nil {
		p := newParser(name, toks)
		var parts []string
		if parts, err = p.qualifiedName(); err == nil && p.atEOF() && len(parts) == 3 {
			lower(parts)
			return objectName{parts[0], parts[1], parts[2]}, nil
		}
	}
	return objectName{}, fmt.Errorf("%q is not a table name of three parts: write catalog.schema.table", name)
}

// fileReader is the DuckDB table function that reads a file, chosen by its
// extension, and whether the file is text (CSV, JSON).
func fileReader(path string) (string, bool, error) {
	base := strings.ToLower(filepath.Base(path))
	for _, z := range []string{".gz", ".zst"} {
		base = strings.TrimSuffix(base, z)
	}
	lit := duckStringLiteral(path)
	switch filepath.Ext(base) {
	case ".csv", ".tsv", ".txt":
		return "read_csv(" + lit + ", header = true)", true, nil
	case ".parquet", ".pq":
		return "read_parquet(" + lit + ")", false, nil
	case ".json", ".ndjson", ".jsonl":
		return "read_json_auto(" + lit + ")", true, nil
	}
	return "", false, fmt.Errorf("cannot tell the format of %s: name it .csv, .parquet or .json", filepath.Base(path))
}

// timestampsAreInstants turns a loaded table's TIMESTAMP columns into
// TIMESTAMPTZ (Databricks' TIMESTAMP), read in UTC.
func (e *Emulator) timestampsAreInstants(ctx context.Context, o objectName) error {
	rows, err := e.db.QueryContext(ctx, `SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = ? AND table_name = ? AND data_type = 'TIMESTAMP'`,
		catalogPrefix+o.catalog, o.schema, o.name)
	if err != nil {
		return err
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	for _, c := range cols {
		if _, err := e.db.ExecContext(ctx, "ALTER TABLE "+o.duck()+" ALTER "+duckIdentifier(c)+" TYPE TIMESTAMPTZ"); err != nil {
			return err
		}
	}
	return nil
}

// runInit runs opts.InitSQL, statement by statement, as if each came
// through the API with main.default as its namespace. A failure stops the
// start: a half-initialised workspace would only fail later, less clearly.
func (e *Emulator) runInit(ctx context.Context) error {
	if strings.TrimSpace(e.opts.InitSQL) == "" {
		return nil
	}
	stmts, err := splitStatements(e.opts.InitSQL)
	if err != nil {
		return fmt.Errorf("emulator: init script: %s", failureText(err))
	}
	plan := executePlan{sql: e.opts.InitSQL}
	for i, st := range stmts {
		if _, err := e.runTokens(ctx, st, plan); err != nil {
			return fmt.Errorf("emulator: init script, statement %d %s: %s", i+1, linePos(e.opts.InitSQL, st[0].pos), failureText(err))
		}
	}
	return nil
}

func failureText(err error) string {
	return classifyDuckDBError(err).message()
}
