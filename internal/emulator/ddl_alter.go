package emulator

import (
	"database/sql"
	"fmt"
	"strings"
)

// drop dispatches DROP statements.
func (s *session) drop(p *parser) (*resultSet, error) {
	s.e.meta.mu.Lock()
	defer s.e.meta.mu.Unlock()
	p.next()
	switch {
	case p.accept("CATALOG"):
		return s.dropCatalog(p)
	case p.accept("SCHEMA"), p.accept("DATABASE"):
		return s.dropSchema(p)
	case p.accept("TABLE"):
		return s.dropTable(p, "TABLE")
	case p.accept("VIEW"):
		return s.dropTable(p, "VIEW")
	}
	if t := p.peek(); t.kind == tkWord {
		return nil, unsupported(unsupportedStatement, "DROP "+strings.ToUpper(t.text))
	}
	return nil, p.fail()
}

// dropTable is DROP TABLE|VIEW [IF EXISTS] name [PURGE]; each refuses the
// other kind of relation, as in Databricks.
func (s *session) dropTable(p *parser, kind string) (*resultSet, error) {
	ifExists := p.accept("IF", "EXISTS")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	p.accept("PURGE")
	if err := p.end(); err != nil {
		return nil, err
	}
	o, existing, err := s.existingTable(parts, "MANAGE")
	if err != nil {
		if f, ok := err.(*sqlFailure); ok && f.class == "TABLE_OR_VIEW_NOT_FOUND" && ifExists {
			return &resultSet{}, nil
		}
		return nil, err
	}
	isView := existing == "VIEW"
	switch {
	case kind == "TABLE" && isView:
		return nil, wrongObjectType("DROP TABLE", "TABLE", o.String(), "VIEW", "DROP VIEW")
	case kind == "VIEW" && !isView:
		return nil, wrongObjectType("DROP VIEW", "VIEW", o.String(), "TABLE", "DROP TABLE")
	}
	if err := s.exec("DROP " + kind + " " + o.duck()); err != nil {
		return nil, err
	}
	if err := s.dropIdentities(o); err != nil {
		return nil, err
	}
	return &resultSet{}, s.e.forgetTable(s.ctx, o, false)
}

// dropIdentities drops the sequences behind a table's identity columns.
func (s *session) dropIdentities(o objectName) error {
	rows, err := s.conn.QueryContext(s.ctx, `SELECT sequence_name FROM duckdb_sequences() WHERE database_name = ? AND schema_name = ? AND starts_with(sequence_name, ?)`,
		catalogPrefix+o.catalog, o.schema, "identity$"+o.name+"$")
	if err != nil {
		return err
	}
	var seqs []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, n)
	}
	rows.Close()
	for _, n := range seqs {
		if err := s.exec("DROP SEQUENCE " + objectName{o.catalog, o.schema, n}.duck()); err != nil {
			return err
		}
	}
	return nil
}

// truncate is TRUNCATE TABLE name.
func (s *session) truncate(p *parser) (*resultSet, error) {
	p.next()
	p.accept("TABLE")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if p.peek().is("PARTITION") {
		return nil, unsupported(unsupportedClause, "TRUNCATE TABLE ... PARTITION")
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	o, kind, err := s.existingTable(parts, "MODIFY")
	if err != nil {
		return nil, err
	}
	if kind == "VIEW" {
		return nil, wrongObjectType("TRUNCATE TABLE", "TABLE", o.String(), "VIEW", "DROP VIEW")
	}
	return &resultSet{}, s.exec("DELETE FROM " + o.duck())
}

// alter dispatches ALTER statements.
func (s *session) alter(p *parser) (*resultSet, error) {
	s.e.meta.mu.Lock()
	defer s.e.meta.mu.Unlock()
	p.next()
	switch {
	case p.accept("CATALOG"):
		return s.alterCatalogOrSchema(p, true)
	case p.accept("SCHEMA"), p.accept("DATABASE"):
		return s.alterCatalogOrSchema(p, false)
	case p.accept("TABLE"):
		return s.alterTable(p, false)
	case p.accept("VIEW"):
		return s.alterTable(p, true)
	}
	if t := p.peek(); t.kind == tkWord {
		return nil, unsupported(unsupportedStatement, "ALTER "+strings.ToUpper(t.text))
	}
	return nil, p.fail()
}

// alterTable is ALTER TABLE|VIEW name with ADD COLUMNS, ALTER COLUMN ...
// COMMENT|SET NOT NULL|DROP NOT NULL, SET|UNSET TBLPROPERTIES, OWNER TO,
// RENAME TO, CLUSTER BY, ADD|DROP CONSTRAINT, or (views) AS query.
func (s *session) alterTable(p *parser, view bool) (*resultSet, error) {
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, kind, err := s.existingTable(parts, "MANAGE")
	if err != nil {
		return nil, err
	}
	if view != (kind == "VIEW") {
		if view {
			return nil, wrongObjectType("ALTER VIEW", "VIEW", o.String(), "TABLE", "ALTER TABLE")
		}
		return nil, wrongObjectType("ALTER TABLE", "TABLE", o.String(), "VIEW", "ALTER VIEW")
	}
	where := " WHERE catalog = ? AND schema = ? AND name = ?"
	key := []any{o.catalog, o.schema, o.name}
	switch {
	case p.accept("ADD", "COLUMNS"), p.accept("ADD", "COLUMN"):
		var items [][]token
		if p.peek().op("(") {
			group, _ := p.group()
			items = splitTop(group)
		} else {
			items = [][]token{p.rest()}
			items[0] = items[0][:len(items[0])-1]
		}
		comments := map[string]string{}
		for _, item := range items {
			def, before, err := s.columnDef(item, o, comments)
			if err != nil {
				return nil, err
			}
			for _, b := range before {
				if err := s.exec(b); err != nil {
					return nil, err
				}
			}
			if err := s.exec("ALTER TABLE " + o.duck() + " ADD COLUMN " + def); err != nil {
				return nil, err
			}
		}
		return &resultSet{}, s.e.recordColumns(s.ctx, o, comments)
	case p.accept("ALTER", "COLUMN"), p.accept("CHANGE", "COLUMN"), p.accept("ALTER"), p.accept("CHANGE"):
		column, err := p.identifier()
		if err != nil {
			return nil, err
		}
		switch {
		case p.accept("COMMENT"):
			c, err := s.stringValue(p)
			if err != nil {
				return nil, err
			}
			return &resultSet{}, s.commentColumn(o, column, c)
		case p.accept("SET", "NOT", "NULL"):
			err = s.exec("ALTER TABLE " + o.duck() + " ALTER " + duckIdentifier(column) + " SET NOT NULL")
		case p.accept("DROP", "NOT", "NULL"):
			err = s.exec("ALTER TABLE " + o.duck() + " ALTER " + duckIdentifier(column) + " DROP NOT NULL")
		default:
			return nil, unsupported(unsupportedClause, "this ALTER COLUMN clause")
		}
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.recordColumns(s.ctx, o, nil)
	case p.accept("SET", "TBLPROPERTIES"), p.accept("UNSET", "TBLPROPERTIES"):
		unset := p.toks[p.i-2].is("UNSET")
		p.accept("IF", "EXISTS")
		var add map[string]string
		var remove []string
		if unset {
			remove, err = s.nameOrStringList(p)
		} else {
			add, err = s.properties(p)
		}
		if err != nil {
			return nil, err
		}
		var stored sql.NullString
		if err := s.e.db.QueryRowContext(s.ctx, "SELECT properties FROM "+metaDB+".tables"+where, key...).Scan(&stored); err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.tables SET properties = ?"+where, append([]any{mergeProps(stored, add, remove)}, key...)...)
	case p.accept("OWNER", "TO"), p.accept("SET", "OWNER", "TO"):
		owner, err := p.identifier()
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.tables SET owner = ?"+where, append([]any{owner}, key...)...)
	case p.accept("CLUSTER", "BY"):
		var cols []string
		if !p.accept("NONE") && !p.accept("AUTO") {
			if cols, err = s.nameList(p); err != nil {
				return nil, err
			}
		}
		if cols == nil {
			cols = []string{}
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.tables SET clustering_columns = ?"+where, append([]any{cols}, key...)...)
	case p.accept("ADD", "CONSTRAINT"), p.accept("DROP", "CONSTRAINT"):
		// Delta shows a CHECK constraint as the table property
		// delta.constraints.<name>; the emulator remembers it there and
		// does not enforce it. Key constraints are informational anyway.
		drop := p.toks[p.i-2].is("DROP")
		ifExists := drop && p.accept("IF", "EXISTS")
		name, err := p.identifier()
		if err != nil {
			return nil, err
		}
		prop := "delta.constraints." + strings.ToLower(name)
		var stored sql.NullString
		if err := s.e.db.QueryRowContext(s.ctx, "SELECT properties FROM "+metaDB+".tables"+where, key...).Scan(&stored); err != nil {
			return nil, err
		}
		props := mergeProps(stored, nil, nil)
		if drop {
			if _, exists := propsMap(stored)[prop]; !exists && !ifExists {
				return nil, &sqlFailure{class: "DELTA_CONSTRAINT_DOES_NOT_EXIST", sqlState: "42704", text: fmt.Sprintf("Cannot drop nonexistent constraint %s from table %s. To avoid throwing an error, provide the parameter IF EXISTS or set the SQL session configuration spark.databricks.delta.constraints.allowUnenforcedNotNull.enabled to true.", name, o)}
			}
			props = mergeProps(stored, nil, []string{prop})
		} else if p.accept("CHECK") {
			group, err := p.group()
			if err != nil {
				return nil, err
			}
			props = mergeProps(stored, map[string]string{prop: joinTokens(group)}, nil)
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.tables SET properties = ?"+where, append([]any{props}, key...)...)
	case p.accept("RENAME", "TO"):
		return s.renameTable(p, o, kind)
	case view && p.accept("AS"):
		rest := p.rest()
		q, err := newRenderer(s).render(rest[:len(rest)-1], modeQuery, true)
		if err != nil {
			return nil, err
		}
		if err := s.exec("CREATE OR REPLACE VIEW " + o.duck() + " AS " + q); err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.recordColumns(s.ctx, o, nil)
	case p.accept("DROP", "COLUMN"), p.accept("DROP", "COLUMNS"), p.accept("RENAME", "COLUMN"):
		return nil, &sqlFailure{class: "DELTA_UNSUPPORTED_DROP_COLUMN", sqlState: "0AKDC", text: "DROP COLUMN and RENAME COLUMN need column mapping on a Delta table; the emulator does not emulate column mapping."}
	}
	if t := p.peek(); t.kind == tkWord {
		return nil, unsupported(unsupportedClause, "ALTER TABLE ... "+strings.ToUpper(t.text))
	}
	return nil, p.fail()
}

// renameTable is ALTER TABLE|VIEW a RENAME TO b, within one schema.
func (s *session) renameTable(p *parser, o objectName, kind string) (*resultSet, error) {
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	to, err := s.tableName(parts)
	if err != nil {
		return nil, err
	}
	if len(parts) == 1 {
		to.catalog, to.schema = o.catalog, o.schema
	}
	if to.catalog != o.catalog || to.schema != o.schema {
		return nil, unsupported(unsupportedClause, "RENAME TO another schema")
	}
	if existing, err := s.e.tableType(s.ctx, to); err != nil || existing != "" {
		if err != nil {
			return nil, err
		}
		return nil, tableAlreadyExists(to.String())
	}
	what := map[bool]string{true: "VIEW", false: "TABLE"}[kind == "VIEW"]
	if err := s.exec("ALTER " + what + " " + o.duck() + " RENAME TO " + duckIdentifier(to.name)); err != nil {
		return nil, err
	}
	s.e.meta.setTable(o, "")
	s.e.meta.setTable(to, kind)
	for _, q := range []string{
		"UPDATE META.tables SET name = ? WHERE catalog = ? AND schema = ? AND name = ?",
		"UPDATE META.columns SET table_name = ? WHERE catalog = ? AND schema = ? AND table_name = ?",
		"UPDATE META.grants SET name = ? WHERE securable = 'TABLE' AND catalog = ? AND schema = ? AND name = ?",
	} {
		if err := s.e.updateMeta(s.ctx, q, to.name, o.catalog, o.schema, o.name); err != nil {
			return nil, err
		}
	}
	return &resultSet{}, nil
}

// nameOrStringList reads ('a', b.c, ...) as in UNSET TBLPROPERTIES.
func (s *session) nameOrStringList(p *parser) ([]string, error) {
	props, err := s.properties(p)
	if err != nil {
		return nil, err
	}
	var out []string
	for k := range props {
		out = append(out, k)
	}
	return out, nil
}
