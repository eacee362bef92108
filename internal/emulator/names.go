package emulator

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// session is what one statement runs with: its own DuckDB connection, the
// catalog and schema the request named (main.default by default), and its
// parameters.
type session struct {
	e       *Emulator
	ctx     context.Context
	conn    *sql.Conn
	src     string
	catalog string
	schema  string
	params  map[string]parameter
	plan    executePlan // for the result limits
}

// user is who runs the session's statement; a statement the emulator runs itself
// (-init) runs as the workspace user.
func (s *session) user() string {
	if s.plan.user != "" {
		return s.plan.user
	}
	return s.e.opts.UserName
}

// objectName is a fully qualified Unity Catalog name. Unity Catalog keeps
// catalog, schema and table names in lower case, and so does the emulator.
type objectName struct {
	catalog, schema, name string
}

// String is the name as Databricks quotes it in messages.
func (o objectName) String() string {
	parts := []string{"`" + o.catalog + "`"}
	if o.schema != "" {
		parts = append(parts, "`"+o.schema+"`")
	}
	if o.name != "" {
		parts = append(parts, "`"+o.name+"`")
	}
	return strings.Join(parts, ".")
}

// key is the dotted name, as SHOW GRANTS and information_schema spell it.
func (o objectName) key() string {
	return strings.Trim(o.catalog+"."+o.schema+"."+o.name, ".")
}

// duck is the name of the object in DuckDB.
func (o objectName) duck() string {
	s := duckCatalog(o.catalog)
	if o.schema != "" {
		s += "." + duckIdentifier(o.schema)
	}
	if o.name != "" {
		s += "." + duckIdentifier(o.name)
	}
	return s
}

// duckCatalog is the DuckDB database that holds a Databricks catalog. The
// prefix keeps Databricks names apart from DuckDB's own (main, system, temp,
// memory), and makes a two-part name always a schema and a table, never a
// DuckDB database and a table, as in Databricks.
func duckCatalog(name string) string {
	return duckIdentifier(catalogPrefix + name)
}

const catalogPrefix = "c$"

func duckIdentifier(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// tableName qualifies a table name with the session's catalog and schema.
func (s *session) tableName(parts []string) (objectName, error) {
	lower(parts)
	switch len(parts) {
	case 1:
		return objectName{s.catalog, s.schema, parts[0]}, nil
	case 2:
		return objectName{s.catalog, parts[0], parts[1]}, nil
	case 3:
		return objectName{parts[0], parts[1], parts[2]}, nil
	}
	return objectName{}, &sqlFailure{class: "REQUIRES_SINGLE_PART_NAMESPACE", sqlState: "42K05", text: fmt.Sprintf("The name %s has more than three parts: a table is named catalog.schema.table.", strings.Join(parts, "."))}
}

// schemaName qualifies a schema name with the session's catalog.
func (s *session) schemaName(parts []string) (objectName, error) {
	lower(parts)
	switch len(parts) {
	case 1:
		return objectName{catalog: s.catalog, schema: parts[0]}, nil
	case 2:
		return objectName{catalog: parts[0], schema: parts[1]}, nil
	}
	return objectName{}, &sqlFailure{class: "INVALID_SCHEMA_OR_RELATION_NAME", sqlState: "42602", text: fmt.Sprintf("The name %s is not a schema: a schema is named catalog.schema.", strings.Join(parts, "."))}
}

func lower(parts []string) {
	for i, p := range parts {
		parts[i] = strings.ToLower(p)
	}
}
