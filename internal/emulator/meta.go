package emulator

import (
	"context"
	"strings"
	"sync"
	"time"
)

// The metastore: what Unity Catalog knows about catalogs, schemas, tables,
// columns and grants, kept in DuckDB tables of a database of its own. DuckDB
// holds the data; these tables hold what Databricks shows about it and
// DuckDB has no place for (comments, owners, Delta's clauses, privileges).
// Keeping them in DuckDB rather than in Go lets information_schema be plain
// views that any query can filter and join. Every statement that changes
// them runs under metastore.mu, so a check and the change it guards cannot
// interleave with another statement's.

// metaDB is the DuckDB database of the metastore. Its name cannot be reached
// from Databricks SQL: catalogs there map to "c$"-prefixed databases.
const metaDB = `"emulator$meta"`

var metaTables = []string{
	`CREATE TABLE ` + metaDB + `.catalogs (name VARCHAR, comment VARCHAR, owner VARCHAR, created TIMESTAMPTZ,
		created_by VARCHAR, location VARCHAR, catalog_type VARCHAR, read_only BOOLEAN, properties VARCHAR)`,
	`CREATE TABLE ` + metaDB + `.schemata (catalog VARCHAR, name VARCHAR, comment VARCHAR, owner VARCHAR,
		created TIMESTAMPTZ, created_by VARCHAR, location VARCHAR, properties VARCHAR)`,
	`CREATE TABLE ` + metaDB + `.tables (catalog VARCHAR, schema VARCHAR, name VARCHAR, table_type VARCHAR,
		comment VARCHAR, owner VARCHAR, created TIMESTAMPTZ, created_by VARCHAR, format VARCHAR, location VARCHAR,
		partition_columns VARCHAR[], clustering_columns VARCHAR[], properties VARCHAR, view_text VARCHAR)`,
	// type_text is the manifest's spelling (DECIMAL(10,2)), spark_type
	// DESCRIBE's (decimal(10,2)) and type_name information_schema's (DECIMAL).
	`CREATE TABLE ` + metaDB + `.columns (catalog VARCHAR, schema VARCHAR, table_name VARCHAR, name VARCHAR,
		position INTEGER, type_text VARCHAR, spark_type VARCHAR, type_name VARCHAR, nullable BOOLEAN,
		comment VARCHAR, numeric_precision INTEGER, numeric_radix INTEGER, numeric_scale INTEGER)`,
	// securable is CATALOG, SCHEMA or TABLE; schema and name are '' above it.
	`CREATE TABLE ` + metaDB + `.grants (securable VARCHAR, catalog VARCHAR, schema VARCHAR, name VARCHAR,
		principal VARCHAR, privilege VARCHAR, grantor VARCHAR)`,
}

// metastore is the Go side: the lock, and what every statement asks
// (does this catalog, schema or table exist?) answered without a query.
// Every change goes through the functions below, which keep both in step.
type metastore struct {
	mu       sync.Mutex
	cacheMu  sync.RWMutex
	readOnly map[string]bool   // catalog name -> read-only
	schemas  map[string]bool   // "catalog.schema"
	tables   map[string]string // "catalog.schema.table" -> MANAGED, EXTERNAL or VIEW

	// information_schema's macros are made on first use: most emulators
	// (one per test) never read it, and making them is a third of a start.
	infoOnce sync.Once
	infoErr  error
}

func newMetastore() *metastore {
	return &metastore{readOnly: map[string]bool{}, schemas: map[string]bool{}, tables: map[string]string{}}
}

// catalog reports whether a catalog exists and whether it is read-only.
func (m *metastore) catalog(name string) (exists, readOnly bool) {
	m.cacheMu.RLock()
	defer m.cacheMu.RUnlock()
	readOnly, exists = m.readOnly[name]
	return exists, readOnly
}

func (m *metastore) setCatalog(name string, readOnly bool) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	m.readOnly[name] = readOnly
}

// setSchema records that a schema exists (or not).
func (m *metastore) setSchema(o objectName, exists bool) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	if exists {
		m.schemas[o.catalog+"."+o.schema] = true
	} else {
		delete(m.schemas, o.catalog+"."+o.schema)
	}
}

// setTable records a relation's kind; "" means it is gone.
func (m *metastore) setTable(o objectName, kind string) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	if kind != "" {
		m.tables[o.key()] = kind
	} else {
		delete(m.tables, o.key())
	}
}

// dropPrefix forgets a catalog ("c.") or a schema ("c.s.") and all it holds.
func (m *metastore) dropPrefix(prefix string) {
	m.cacheMu.Lock()
	defer m.cacheMu.Unlock()
	for k := range m.schemas {
		if strings.HasPrefix(k+".", prefix) {
			delete(m.schemas, k)
		}
	}
	for k := range m.tables {
		if strings.HasPrefix(k, prefix) {
			delete(m.tables, k)
		}
	}
	if !strings.Contains(strings.TrimSuffix(prefix, "."), ".") {
		delete(m.readOnly, strings.TrimSuffix(prefix, "."))
	}
}

// catalogMeta is a row of catalogs.
type catalogMeta struct {
	name, comment, location, catalogType string
	readOnly                             bool
	props                                map[string]string
}

// createCatalog attaches an in-memory database for the catalog, gives it
// the default schema Databricks creates, and records both.
func (e *Emulator) createCatalog(ctx context.Context, c catalogMeta, schemas ...string) error {
	if _, err := e.db.ExecContext(ctx, "ATTACH ':memory:' AS "+duckCatalog(c.name)); err != nil {
		return err
	}
	now := time.Now().UTC()
	owner := e.opts.UserName
	if c.readOnly {
		owner = "System user"
	}
	if _, err := e.db.ExecContext(ctx, `INSERT INTO `+metaDB+`.catalogs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.name, nullable(c.comment), owner, now, owner, nullable(c.location), c.catalogType, c.readOnly, propsJSON(c.props)); err != nil {
		return err
	}
	e.meta.setCatalog(c.name, c.readOnly)
	for _, s := range schemas {
		if err := e.createSchema(ctx, objectName{catalog: c.name, schema: s}, "", "", nil, owner); err != nil {
			return err
		}
	}
	return nil
}

func (e *Emulator) createSchema(ctx context.Context, o objectName, comment, location string, props map[string]string, owner string) error {
	if _, err := e.db.ExecContext(ctx, "CREATE SCHEMA "+o.duck()); err != nil {
		return err
	}
	_, err := e.db.ExecContext(ctx, `INSERT INTO `+metaDB+`.schemata VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		o.catalog, o.schema, nullable(comment), owner, time.Now().UTC(), owner, nullable(location), propsJSON(props))
	if err == nil {
		e.meta.setSchema(o, true)
	}
	return err
}

// tableMeta is a row of tables.
type tableMeta struct {
	tableType, comment, location, viewText string
	format                                 string // USING: DELTA unless said
	partitionCols, clusterCols             []string
	props                                  map[string]string
	columnComments                         map[string]string
}

// recordTable records a table or view DuckDB has just created, with its
// columns as DuckDB typed them.
func (e *Emulator) recordTable(ctx context.Context, o objectName, t tableMeta) error {
	// CREATE OR REPLACE keeps the grants, as in Databricks.
	if err := e.forgetTable(ctx, o, true); err != nil {
		return err
	}
	format := strings.ToUpper(t.format)
	switch {
	case t.tableType == "VIEW":
		format = ""
	case format == "":
		format = "DELTA"
	}
	if t.partitionCols == nil {
		t.partitionCols = []string{}
	}
	if t.clusterCols == nil {
		t.clusterCols = []string{}
	}
	_, err := e.db.ExecContext(ctx, `INSERT INTO `+metaDB+`.tables VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.catalog, o.schema, o.name, t.tableType, nullable(t.comment), e.opts.UserName, time.Now().UTC(), e.opts.UserName,
		nullable(format), nullable(t.location), t.partitionCols, t.clusterCols, propsJSON(t.props), nullable(t.viewText))
	if err != nil {
		return err
	}
	e.meta.setTable(o, t.tableType)
	return e.recordColumns(ctx, o, t.columnComments)
}

// recordColumns (re)reads a relation's columns from DuckDB, keeping the
// comments given or, for columns that had one, the comment they had.
func (e *Emulator) recordColumns(ctx context.Context, o objectName, comments map[string]string) error {
	old := map[string]string{}
	rows, err := e.db.QueryContext(ctx, `SELECT name, comment FROM `+metaDB+`.columns WHERE catalog = ? AND schema = ? AND table_name = ? AND comment IS NOT NULL`, o.catalog, o.schema, o.name)
	if err != nil {
		return err
	}
	for rows.Next() {
		var n, c string
		if err := rows.Scan(&n, &c); err != nil {
			rows.Close()
			return err
		}
		old[strings.ToLower(n)] = c
	}
	rows.Close()
	for n, c := range comments {
		old[strings.ToLower(n)] = c
	}
	if _, err := e.db.ExecContext(ctx, `DELETE FROM `+metaDB+`.columns WHERE catalog = ? AND schema = ? AND table_name = ?`, o.catalog, o.schema, o.name); err != nil {
		return err
	}
	// pragma_table_info reads one relation; duckdb_columns() would list
	// every column of every database first, ten times slower.
	cols, err := e.db.QueryContext(ctx, `SELECT name, type, NOT "notnull" FROM pragma_table_info(?)`, o.duck())
	if err != nil {
		return err
	}
	type column struct {
		name, duckType string
		nullable       bool
	}
	var found []column
	for cols.Next() {
		var c column
		if err := cols.Scan(&c.name, &c.duckType, &c.nullable); err != nil {
			cols.Close()
			return err
		}
		found = append(found, c)
	}
	cols.Close()
	if len(found) == 0 {
		return nil
	}
	// One INSERT for all the columns: a round trip each would make every
	// CREATE TABLE (and every emulator's start) noticeably slower.
	var values []string
	var args []any
	for i, c := range found {
		t := parseDuckType(c.duckType)
		dt := t.databricks()
		precision, radix, scale := t.numericPrecision()
		var comment any
		if v, ok := old[strings.ToLower(c.name)]; ok {
			comment = v
		}
		values = append(values, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, o.catalog, o.schema, o.name, c.name, i+1, dt.text, t.sparkString(), simpleTypeName(dt), c.nullable, comment, precision, radix, scale)
	}
	_, err = e.db.ExecContext(ctx, `INSERT INTO `+metaDB+`.columns VALUES `+strings.Join(values, ", "), args...)
	return err
}

// forgetTable removes a table's rows from the metastore, and its grants
// unless keepGrants.
func (e *Emulator) forgetTable(ctx context.Context, o objectName, keepGrants bool) error {
	queries := []string{
		`DELETE FROM ` + metaDB + `.tables WHERE catalog = ? AND schema = ? AND name = ?`,
		`DELETE FROM ` + metaDB + `.columns WHERE catalog = ? AND schema = ? AND table_name = ?`,
	}
	if !keepGrants {
		queries = append(queries, `DELETE FROM `+metaDB+`.grants WHERE securable = 'TABLE' AND catalog = ? AND schema = ? AND name = ?`)
	}
	for _, q := range queries {
		if _, err := e.db.ExecContext(ctx, q, o.catalog, o.schema, o.name); err != nil {
			return err
		}
	}
	e.meta.setTable(o, "")
	return nil
}

// forgetSchema removes a schema and everything in it from the metastore.
func (e *Emulator) forgetSchema(ctx context.Context, o objectName) error {
	for _, q := range []string{
		`DELETE FROM ` + metaDB + `.schemata WHERE catalog = ? AND name = ?`,
		`DELETE FROM ` + metaDB + `.tables WHERE catalog = ? AND schema = ?`,
		`DELETE FROM ` + metaDB + `.columns WHERE catalog = ? AND schema = ?`,
		`DELETE FROM ` + metaDB + `.grants WHERE catalog = ? AND schema = ?`,
	} {
		if _, err := e.db.ExecContext(ctx, q, o.catalog, o.schema); err != nil {
			return err
		}
	}
	e.meta.dropPrefix(o.catalog + "." + o.schema + ".")
	return nil
}

func (e *Emulator) forgetCatalog(ctx context.Context, name string) error {
	for _, t := range []string{"catalogs", "schemata", "tables", "columns", "grants"} {
		col := "catalog"
		if t == "catalogs" {
			col = "name"
		}
		if _, err := e.db.ExecContext(ctx, `DELETE FROM `+metaDB+`.`+t+` WHERE `+col+` = ?`, name); err != nil {
			return err
		}
	}
	e.meta.dropPrefix(name + ".")
	return nil
}

// schemaExists reports whether a schema exists. Every catalog has an
// information_schema (DuckDB's attached databases have one too).
func (e *Emulator) schemaExists(_ context.Context, o objectName) (bool, error) {
	if o.schema == "information_schema" {
		exists, _ := e.meta.catalog(o.catalog)
		return exists, nil
	}
	e.meta.cacheMu.RLock()
	defer e.meta.cacheMu.RUnlock()
	return e.meta.schemas[o.catalog+"."+o.schema], nil
}

// tableType returns MANAGED, EXTERNAL or VIEW, or "" for no such relation.
func (e *Emulator) tableType(_ context.Context, o objectName) (string, error) {
	e.meta.cacheMu.RLock()
	defer e.meta.cacheMu.RUnlock()
	return e.meta.tables[o.key()], nil
}

// updateMeta runs one UPDATE of a metastore table.
func (e *Emulator) updateMeta(ctx context.Context, query string, args ...any) error {
	_, err := e.db.ExecContext(ctx, strings.ReplaceAll(query, "META.", metaDB+"."), args...)
	return err
}
