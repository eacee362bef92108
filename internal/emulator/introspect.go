package emulator

import (
	"database/sql"
	"regexp"
	"sort"
	"strings"
	"time"
)

// show answers SHOW statements from the metastore, with the columns
// Databricks returns for each.
func (s *session) show(p *parser) (*resultSet, error) {
	p.next()
	switch {
	case p.accept("CATALOGS"):
		match, err := s.likePattern(p)
		if err != nil {
			return nil, err
		}
		return s.listing([]string{"catalog"}, `SELECT name FROM `+metaDB+`.catalogs`, nil, match)
	case p.accept("SCHEMAS"), p.accept("DATABASES"):
		catalog := s.catalog
		if p.accept("FROM") || p.accept("IN") {
			name, err := p.identifier()
			if err != nil {
				return nil, err
			}
			catalog = strings.ToLower(name)
		}
		if exists, _ := s.e.meta.catalog(catalog); !exists {
			return nil, catalogNotFound(catalog)
		}
		match, err := s.likePattern(p)
		if err != nil {
			return nil, err
		}
		return s.listing([]string{"databaseName"}, `SELECT name FROM `+metaDB+`.schemata WHERE catalog = ? UNION ALL SELECT 'information_schema'`, []any{catalog}, match)
	case p.accept("TABLES"), p.accept("VIEWS"):
		views := p.toks[p.i-1].is("VIEWS")
		o := objectName{catalog: s.catalog, schema: s.schema}
		if p.accept("FROM") || p.accept("IN") {
			parts, err := p.qualifiedName()
			if err != nil {
				return nil, err
			}
			if o, err = s.schemaName(parts); err != nil {
				return nil, err
			}
		}
		if err := s.requireSchema(o); err != nil {
			return nil, err
		}
		match, err := s.likePattern(p)
		if err != nil {
			return nil, err
		}
		q := `SELECT schema, name, false FROM ` + metaDB + `.tables WHERE catalog = ? AND schema = ?`
		cols := []string{"database", "tableName", "isTemporary"}
		if views {
			q = `SELECT schema, name, false, false FROM ` + metaDB + `.tables WHERE catalog = ? AND schema = ? AND table_type = 'VIEW'`
			cols = []string{"namespace", "viewName", "isTemporary", "isMaterialized"}
		}
		return s.listing(cols, q, []any{o.catalog, o.schema}, match, "", "", "BOOLEAN", "BOOLEAN")
	case p.accept("COLUMNS"):
		if !p.accept("IN") && !p.accept("FROM") {
			return nil, p.fail()
		}
		parts, err := p.qualifiedName()
		if err != nil {
			return nil, err
		}
		if p.accept("IN") || p.accept("FROM") {
			schema, err := p.qualifiedName()
			if err != nil {
				return nil, err
			}
			parts = append(schema, parts[len(parts)-1])
		}
		o, _, err := s.existingTable(parts, "")
		if err != nil {
			return nil, err
		}
		return s.listing([]string{"col_name"}, `SELECT name FROM `+metaDB+`.columns WHERE catalog = ? AND schema = ? AND table_name = ? ORDER BY position`, []any{o.catalog, o.schema, o.name}, nil)
	case p.accept("TBLPROPERTIES"):
		return s.showProperties(p)
	case p.accept("GRANTS"), p.accept("GRANT"):
		return s.showGrants(p)
	}
	if t := p.peek(); t.kind == tkWord {
		return nil, unsupported(unsupportedStatement, "SHOW "+strings.ToUpper(t.text))
	}
	return nil, p.fail()
}

// likePattern reads an optional [LIKE] 'pattern': '*' matches anything,
// '|' separates alternatives, and the match ignores case, as in Databricks.
func (s *session) likePattern(p *parser) (func(string) bool, error) {
	like := p.accept("LIKE")
	if p.atEOF() && !like {
		return nil, nil
	}
	pattern, err := s.stringValue(p)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	alts := strings.Split(strings.TrimSpace(pattern), "|")
	for i, a := range alts {
		alts[i] = strings.ReplaceAll(strings.TrimSpace(a), "*", ".*")
	}
	re, err := regexp.Compile("(?i)^(?:" + strings.Join(alts, "|") + ")$")
	if err != nil {
		return nil, invalidParameterValue("The pattern '%s' is not valid.", pattern)
	}
	return re.MatchString, nil
}

// listing runs a metastore query and returns its rows, filtered on the
// column that names each one (the last text column but one for tables,
// the only one otherwise) and sorted as Databricks sorts them.
func (s *session) listing(cols []string, query string, args []any, match func(string) bool, kinds ...string) (*resultSet, error) {
	rows, err := s.e.db.QueryContext(s.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nameCol := 0
	if len(cols) > 1 {
		nameCol = 1
	}
	var out [][]*string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if match != nil && !match(vals[nameCol].String) {
			continue
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = ptrTo(v.String)
			}
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !strings.Contains(query, "ORDER BY") {
		sort.SliceStable(out, func(i, j int) bool { return *out[i][nameCol] < *out[j][nameCol] })
	}
	return s.textResult(cols, out, kinds...), nil
}

// showProperties is SHOW TBLPROPERTIES name [(key)].
func (s *session) showProperties(p *parser) (*resultSet, error) {
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, _, err := s.existingTable(parts, "")
	if err != nil {
		return nil, err
	}
	var only string
	if p.peek().op("(") {
		keys, err := s.nameOrStringList(p)
		if err != nil || len(keys) != 1 {
			return nil, p.fail()
		}
		only = keys[0]
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	var stored sql.NullString
	if err := s.e.db.QueryRowContext(s.ctx, `SELECT properties FROM `+metaDB+`.tables WHERE catalog = ? AND schema = ? AND name = ?`, o.catalog, o.schema, o.name).Scan(&stored); err != nil {
		return nil, err
	}
	var rows [][]*string
	for _, kv := range propsList(stored) {
		if only == "" || kv[0] == only {
			rows = append(rows, []*string{ptrTo(kv[0]), ptrTo(kv[1])})
		}
	}
	return s.textResult([]string{"key", "value"}, rows), nil
}

// describe answers DESCRIBE [TABLE] [EXTENDED] t [col], DESCRIBE CATALOG and
// DESCRIBE SCHEMA.
func (s *session) describe(p *parser) (*resultSet, error) {
	p.next()
	switch {
	case p.accept("CATALOG"):
		return s.describeCatalog(p)
	case p.accept("SCHEMA"), p.accept("DATABASE"):
		return s.describeSchema(p)
	case p.peek().is("HISTORY") || p.peek().is("DETAIL") || p.peek().is("QUERY") || p.peek().is("FUNCTION") || p.peek().is("VOLUME"):
		return nil, unsupported(unsupportedStatement, "DESCRIBE "+strings.ToUpper(p.peek().text))
	}
	p.accept("TABLE")
	extended := p.accept("EXTENDED") || p.accept("FORMATTED")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, kind, err := s.existingTable(parts, "")
	if err != nil {
		return nil, err
	}
	column := ""
	if p.peek().kind == tkWord && !p.peek().is("AS") || p.peek().kind == tkIdent {
		column, _ = p.identifier()
	}
	if p.accept("AS", "JSON") {
		return nil, unsupported(unsupportedClause, "DESCRIBE ... AS JSON")
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return s.describeTable(o, kind, extended, column)
}

func (s *session) describeTable(o objectName, kind string, extended bool, column string) (*resultSet, error) {
	type col struct {
		name, typ string
		comment   *string
	}
	rows, err := s.e.db.QueryContext(s.ctx, `SELECT name, spark_type, comment FROM `+metaDB+`.columns WHERE catalog = ? AND schema = ? AND table_name = ? ORDER BY position`, o.catalog, o.schema, o.name)
	if err != nil {
		return nil, err
	}
	var cols []col
	byName := map[string]col{}
	for rows.Next() {
		var c col
		var comment sql.NullString
		if err := rows.Scan(&c.name, &c.typ, &comment); err != nil {
			rows.Close()
			return nil, err
		}
		if comment.Valid {
			c.comment = ptrTo(comment.String)
		}
		cols = append(cols, c)
		byName[strings.ToLower(c.name)] = c
	}
	rows.Close()
	if column != "" {
		c, ok := byName[strings.ToLower(column)]
		if !ok {
			return nil, &sqlFailure{class: "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", sqlState: "42703", text: "A column, variable, or function parameter with name `" + column + "` cannot be resolved."}
		}
		comment := "NULL"
		if c.comment != nil {
			comment = *c.comment
		}
		return s.textResult([]string{"info_name", "info_value"}, [][]*string{
			{ptrTo("col_name"), ptrTo(c.name)}, {ptrTo("data_type"), ptrTo(c.typ)}, {ptrTo("comment"), ptrTo(comment)},
		}), nil
	}
	var info struct {
		tableType, owner, createdBy, format, location, props, comment sql.NullString
		created                                                       time.Time
		partitions, clusters                                          []any
	}
	err = s.e.db.QueryRowContext(s.ctx, `SELECT table_type, owner, created_by, format, location, properties, comment, created, partition_columns, clustering_columns
		FROM `+metaDB+`.tables WHERE catalog = ? AND schema = ? AND name = ?`, o.catalog, o.schema, o.name).Scan(
		&info.tableType, &info.owner, &info.createdBy, &info.format, &info.location, &info.props, &info.comment, &info.created, &info.partitions, &info.clusters)
	if err != nil {
		return nil, err
	}
	var out [][]*string
	row := func(a, b string, c *string) { out = append(out, []*string{ptrTo(a), ptrTo(b), c}) }
	for _, c := range cols {
		row(c.name, c.typ, c.comment)
	}
	for _, section := range []struct {
		title string
		names []any
	}{{"# Partition Information", info.partitions}, {"# Clustering Information", info.clusters}} {
		if len(section.names) == 0 {
			continue
		}
		row(section.title, "", ptrTo(""))
		row("# col_name", "data_type", ptrTo("comment"))
		for _, n := range section.names {
			if c, ok := byName[strings.ToLower(n.(string))]; ok { //nolint:forcetypeassert // a VARCHAR[] column
				row(c.name, c.typ, c.comment)
			}
		}
	}
	if !extended {
		return s.textResult([]string{"col_name", "data_type", "comment"}, out), nil
	}
	row("", "", ptrTo(""))
	row("# Detailed Table Information", "", ptrTo(""))
	detail := func(k, v string) { row(k, v, ptrTo("")) }
	detail("Catalog", o.catalog)
	detail("Database", o.schema)
	detail("Table", o.name)
	detail("Created Time", info.created.UTC().Format("Mon Jan 02 15:04:05 MST 2006"))
	detail("Last Access", "UNKNOWN")
	detail("Created By", "Spark")
	detail("Type", info.tableType.String)
	if info.comment.Valid {
		detail("Comment", info.comment.String)
	}
	if kind == "VIEW" {
		var text sql.NullString
		_ = s.e.db.QueryRowContext(s.ctx, `SELECT view_text FROM `+metaDB+`.tables WHERE catalog = ? AND schema = ? AND name = ?`, o.catalog, o.schema, o.name).Scan(&text)
		detail("View Text", text.String)
	} else {
		location := info.location.String
		if location == "" {
			location = "emulator:/" + o.catalog + "/" + o.schema + "/" + o.name
		}
		detail("Location", location)
		detail("Provider", strings.ToLower(info.format.String))
	}
	detail("Owner", info.owner.String)
	if kind == "MANAGED" {
		detail("Is_managed_location", "true")
	}
	detail("Table Properties", propsText(info.props))
	return s.textResult([]string{"col_name", "data_type", "comment"}, out), nil
}

func (s *session) describeCatalog(p *parser) (*resultSet, error) {
	extended := p.accept("EXTENDED")
	name, err := p.identifier()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	name = strings.ToLower(name)
	var comment, owner, kind, createdBy, props sql.NullString
	var created time.Time
	err = s.e.db.QueryRowContext(s.ctx, `SELECT comment, owner, catalog_type, created_by, properties, created FROM `+metaDB+`.catalogs WHERE name = ?`, name).Scan(&comment, &owner, &kind, &createdBy, &props, &created)
	if err == sql.ErrNoRows {
		return nil, catalogNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	rows := [][]*string{{ptrTo("Catalog Name"), ptrTo(name)}, {ptrTo("Comment"), ptrTo(comment.String)}, {ptrTo("Owner"), ptrTo(owner.String)}, {ptrTo("Catalog Type"), ptrTo(kind.String)}}
	if extended {
		rows = append(rows, []*string{ptrTo("Created Time"), ptrTo(created.UTC().Format("Mon Jan 02 15:04:05 MST 2006"))},
			[]*string{ptrTo("Created By"), ptrTo(createdBy.String)}, []*string{ptrTo("Properties"), ptrTo(propsText(props))})
	}
	return s.textResult([]string{"info_name", "info_value"}, rows), nil
}

func (s *session) describeSchema(p *parser) (*resultSet, error) {
	extended := p.accept("EXTENDED")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	o, err := s.schemaName(parts)
	if err != nil {
		return nil, err
	}
	if err := s.requireSchema(o); err != nil {
		return nil, err
	}
	var comment, owner, location, props sql.NullString
	if err := s.e.db.QueryRowContext(s.ctx, `SELECT comment, owner, location, properties FROM `+metaDB+`.schemata WHERE catalog = ? AND name = ?`, o.catalog, o.schema).Scan(&comment, &owner, &location, &props); err != nil {
		return nil, err
	}
	rows := [][]*string{
		{ptrTo("Catalog Name"), ptrTo(o.catalog)}, {ptrTo("Namespace Name"), ptrTo(o.schema)},
		{ptrTo("Comment"), ptrTo(comment.String)}, {ptrTo("Location"), ptrTo(location.String)}, {ptrTo("Owner"), ptrTo(owner.String)},
	}
	if extended {
		rows = append(rows, []*string{ptrTo("Properties"), ptrTo(propsText(props))})
	}
	return s.textResult([]string{"database_description_item", "database_description_value"}, rows), nil
}
