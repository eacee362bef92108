package emulator

import (
	"fmt"
	"strings"
)

// createTable is CREATE [OR REPLACE] TABLE [IF NOT EXISTS] with Delta's
// clauses. DuckDB gets the columns (and their defaults, generated values and
// identities); the metastore keeps what only Databricks shows: comments,
// format, partitioning, clustering, location, properties.
func (s *session) createTable(p *parser, orReplace, external bool) (*resultSet, error) {
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, err := s.tableName(parts)
	if err != nil {
		return nil, err
	}
	meta := tableMeta{tableType: "MANAGED", columnComments: map[string]string{}}
	var cols, before []string
	if p.peek().op("(") {
		group, _ := p.group()
		for _, item := range splitTop(group) {
			col, pre, err := s.columnDef(item, o, meta.columnComments)
			if err != nil {
				return nil, err
			}
			if col != "" {
				cols = append(cols, col)
			}
			before = append(before, pre...)
		}
	}
	var query []token
	for !p.atEOF() && query == nil {
		switch {
		case p.accept("USING"):
			meta.format, err = p.identifier()
		case p.accept("PARTITIONED", "BY"):
			var group []token
			if group, err = p.group(); err == nil {
				for _, item := range splitTop(group) {
					if len(item) > 1 { // Hive style: PARTITIONED BY (region STRING)
						col, _, cerr := s.columnDef(item, o, meta.columnComments)
						if cerr != nil {
							return nil, cerr
						}
						cols = append(cols, col)
					}
					meta.partitionCols = append(meta.partitionCols, item[0].name())
				}
			}
		case p.accept("CLUSTER", "BY"):
			if !p.accept("AUTO") && !p.accept("NONE") {
				meta.clusterCols, err = s.nameList(p)
			}
		case p.accept("LOCATION"):
			meta.location, err = s.stringValue(p)
			meta.tableType = "EXTERNAL"
		case p.accept("COMMENT"):
			meta.comment, err = s.stringValue(p)
		case p.accept("TBLPROPERTIES"):
			meta.props, err = s.properties(p)
		case p.accept("OPTIONS"):
			_, err = s.properties(p)
		case p.accept("DEFAULT", "COLLATION"):
			_, err = p.identifier()
		case p.accept("AS"):
			query = p.rest()
		case p.peek().is("LIKE"):
			return nil, unsupported(unsupportedClause, "CREATE TABLE ... LIKE")
		default:
			return nil, p.fail()
		}
		if err != nil {
			return nil, err
		}
	}
	if external && meta.location == "" {
		return nil, &sqlFailure{class: "CREATE_EXTERNAL_TABLE_WITHOUT_LOCATION", sqlState: "42601", text: "CREATE EXTERNAL TABLE must be accompanied by LOCATION."}
	}
	if len(cols) == 0 && query == nil {
		return nil, p.fail()
	}
	if err := s.requireSchema(objectName{catalog: o.catalog, schema: o.schema}); err != nil {
		return nil, err
	}
	if err := s.writable(objectName{catalog: o.catalog, schema: o.schema}, "CREATE TABLE", "Schema"); err != nil {
		return nil, err
	}
	existing, err := s.e.tableType(s.ctx, o)
	if err != nil {
		return nil, err
	}
	if existing != "" && !orReplace {
		if ifNotExists {
			return &resultSet{}, nil
		}
		return nil, tableAlreadyExists(o.String())
	}
	if existing == "VIEW" {
		return nil, wrongObjectType("CREATE OR REPLACE TABLE", "TABLE", o.String(), "VIEW", "DROP VIEW first")
	}
	meta.props = deltaProperties(meta.props)
	replace := map[bool]string{true: "OR REPLACE ", false: ""}[orReplace]
	for _, pre := range before {
		if err := s.exec(pre); err != nil {
			return nil, err
		}
	}
	if query != nil {
		r := newRenderer(s)
		q, err := r.render(query[:len(query)-1], modeQuery, true)
		if err != nil {
			return nil, err
		}
		if _, err := s.query("CREATE "+replace+"TABLE "+o.duck()+" AS "+q, r.args(), emptyResult); err != nil {
			return nil, err
		}
	} else if err := s.exec("CREATE " + replace + "TABLE " + o.duck() + " (" + strings.Join(cols, ", ") + ")"); err != nil {
		return nil, err
	}
	return &resultSet{}, s.e.recordTable(s.ctx, o, meta)
}

// columnDef turns one element of a column list into DuckDB's column
// definition, with the statements that must run before (an identity's
// sequence). Table constraints are informational in Databricks and are
// accepted without effect; "" means the element was one.
func (s *session) columnDef(item []token, o objectName, comments map[string]string) (string, []string, error) {
	if len(item) == 0 {
		return "", nil, syntaxErrorAt(s.src, len(s.src), "", "")
	}
	if first := strings.ToUpper(item[0].text); item[0].kind == tkWord && (first == "CONSTRAINT" || first == "PRIMARY" || first == "FOREIGN") {
		return "", nil, nil
	}
	name := item[0].name()
	if name == "" {
		return "", nil, syntaxErrorAt(s.src, item[0].pos, item[0].text, "")
	}
	typ, k, err := readType(s.src, item, 1)
	if err != nil {
		return "", nil, err
	}
	def := duckIdentifier(name) + " " + typ
	var before []string
	p := newParser(s.src, append(append([]token(nil), item[k:]...), token{kind: tkEOF, pos: len(s.src)}))
	for !p.atEOF() {
		switch {
		case p.accept("NOT", "NULL"):
			def += " NOT NULL"
		case p.accept("NULL"):
		case p.accept("COMMENT"):
			c, err := s.stringValue(p)
			if err != nil {
				return "", nil, err
			}
			comments[name] = c
		case p.accept("DEFAULT"):
			start := p.i
			for !p.atEOF() && !p.peek().is("COMMENT") && !p.peek().is("NOT") && !p.peek().is("CONSTRAINT") && !p.peek().is("PRIMARY") {
				if p.peek().op("(") {
					_, _ = p.group()
					continue
				}
				p.next()
			}
			expr, err := newRenderer(s).render(p.toks[start:p.i], modeExpr, false)
			if err != nil {
				return "", nil, err
			}
			def += " DEFAULT (" + expr + ")"
		case p.accept("GENERATED", "ALWAYS", "AS", "IDENTITY"), p.accept("GENERATED", "BY", "DEFAULT", "AS", "IDENTITY"):
			start, step := "1", "1"
			if p.peek().op("(") {
				group, _ := p.group()
				opts := newParser(s.src, append(append([]token(nil), group...), token{kind: tkEOF, pos: len(s.src)}))
				for !opts.atEOF() {
					switch {
					case opts.accept("START", "WITH"):
						start = opts.next().text
					case opts.accept("INCREMENT", "BY"):
						step = opts.next().text
					default:
						return "", nil, opts.fail()
					}
				}
			}
			seq := objectName{o.catalog, o.schema, "identity$" + o.name + "$" + strings.ToLower(name)}
			before = append(before, fmt.Sprintf("CREATE OR REPLACE SEQUENCE %s START %s INCREMENT %s", seq.duck(), start, step))
			def += " DEFAULT nextval(" + duckStringLiteral(seq.duck()) + ")"
		case p.accept("GENERATED", "ALWAYS", "AS"):
			group, err := p.group()
			if err != nil {
				return "", nil, err
			}
			expr, err := newRenderer(s).render(group, modeExpr, false)
			if err != nil {
				return "", nil, err
			}
			def += " GENERATED ALWAYS AS (" + expr + ") VIRTUAL"
		case p.accept("PRIMARY", "KEY"), p.accept("CONSTRAINT"):
			for !p.atEOF() && !p.peek().is("COMMENT") && !p.peek().is("NOT") {
				p.next()
			}
		case p.peek().is("MASK"):
			return "", nil, unsupported(unsupportedClause, "column masks (MASK)")
		default:
			return "", nil, p.fail()
		}
	}
	return def, before, nil
}

// nameList reads (a, b, c).
func (s *session) nameList(p *parser) ([]string, error) {
	group, err := p.group()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, item := range splitTop(group) {
		if len(item) != 1 || item[0].name() == "" {
			return nil, p.fail()
		}
		out = append(out, item[0].name())
	}
	return out, nil
}

// createView is CREATE [OR REPLACE] VIEW [IF NOT EXISTS] name [(cols)]
// [COMMENT] [TBLPROPERTIES] AS query. The query is rendered once, fully
// qualified, so the view reads what its text named when it was created.
func (s *session) createView(p *parser, orReplace bool) (*resultSet, error) {
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, err := s.tableName(parts)
	if err != nil {
		return nil, err
	}
	meta := tableMeta{tableType: "VIEW", columnComments: map[string]string{}}
	var cols []string
	if p.peek().op("(") {
		group, _ := p.group()
		for _, item := range splitTop(group) {
			if len(item) == 0 || item[0].name() == "" {
				return nil, p.fail()
			}
			cols = append(cols, duckIdentifier(item[0].name()))
			if len(item) == 3 && item[1].is("COMMENT") && item[2].kind == tkString {
				meta.columnComments[item[0].name()] = item[2].val
			}
		}
	}
	for !p.peek().is("AS") {
		switch {
		case p.accept("COMMENT"):
			meta.comment, err = s.stringValue(p)
		case p.accept("TBLPROPERTIES"):
			meta.props, err = s.properties(p)
		case p.accept("WITH", "SCHEMA"):
			for !p.atEOF() && !p.peek().is("AS") && !p.peek().is("COMMENT") && !p.peek().is("TBLPROPERTIES") {
				p.next()
			}
		default:
			return nil, p.fail()
		}
		if err != nil {
			return nil, err
		}
	}
	p.next()
	query := p.rest()
	for _, t := range query {
		if t.kind == tkMarker {
			return nil, &sqlFailure{class: "UNSUPPORTED_FEATURE.PARAMETER_MARKER_IN_UNEXPECTED_STATEMENT", sqlState: "0A000", text: "Parameter markers are not allowed in the query of a view."}
		}
	}
	if err := s.requireSchema(objectName{catalog: o.catalog, schema: o.schema}); err != nil {
		return nil, err
	}
	if err := s.writable(objectName{catalog: o.catalog, schema: o.schema}, "CREATE TABLE", "Schema"); err != nil {
		return nil, err
	}
	existing, err := s.e.tableType(s.ctx, o)
	if err != nil {
		return nil, err
	}
	switch {
	case existing != "" && ifNotExists:
		return &resultSet{}, nil
	case existing != "" && existing != "VIEW":
		return nil, wrongObjectType("CREATE VIEW", "VIEW", o.String(), "TABLE", "DROP TABLE first")
	case existing != "" && !orReplace:
		return nil, tableAlreadyExists(o.String())
	}
	q, err := newRenderer(s).render(query[:len(query)-1], modeQuery, true)
	if err != nil {
		return nil, err
	}
	colList := ""
	if len(cols) > 0 {
		colList = " (" + strings.Join(cols, ", ") + ")"
	}
	replace := map[bool]string{true: "OR REPLACE ", false: ""}[orReplace]
	if err := s.exec("CREATE " + replace + "VIEW " + o.duck() + colList + " AS " + q); err != nil {
		return nil, err
	}
	meta.viewText = strings.TrimSpace(s.src[query[0].pos:query[len(query)-1].pos])
	return &resultSet{}, s.e.recordTable(s.ctx, o, meta)
}

// existingTable resolves a table or view name that must exist. A privilege
// says the statement changes it, and names what Unity Catalog would find
// missing on a read-only catalog.
func (s *session) existingTable(parts []string, privilege string) (objectName, string, error) {
	o, err := s.tableName(parts)
	if err != nil {
		return o, "", err
	}
	kind, err := s.e.tableType(s.ctx, o)
	if err != nil {
		return o, "", err
	}
	if kind == "" {
		written := make([]string, len(parts))
		for i, p := range parts {
			written[i] = "`" + p + "`"
		}
		return o, "", tableNotFound(strings.Join(written, "."))
	}
	if privilege == "" {
		return o, kind, nil
	}
	return o, kind, s.writable(o, privilege, "Table")
}

// commentColumn sets or clears a column's comment.
func (s *session) commentColumn(o objectName, column string, comment any) error {
	var n int
	if err := s.e.db.QueryRowContext(s.ctx, `SELECT count(*) FROM `+metaDB+`.columns WHERE catalog = ? AND schema = ? AND table_name = ? AND lower(name) = lower(?)`, o.catalog, o.schema, o.name, column).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &sqlFailure{class: "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", sqlState: "42703", text: fmt.Sprintf("A column, variable, or function parameter with name `%s` cannot be resolved.", column)}
	}
	return s.e.updateMeta(s.ctx, "UPDATE META.columns SET comment = ? WHERE catalog = ? AND schema = ? AND table_name = ? AND lower(name) = lower(?)", comment, o.catalog, o.schema, o.name, column)
}
