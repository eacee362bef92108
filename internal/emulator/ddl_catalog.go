package emulator

import (
	"database/sql"
	"strings"
)

// create dispatches CREATE statements on what they create.
func (s *session) create(p *parser) (*resultSet, error) {
	s.e.meta.mu.Lock()
	defer s.e.meta.mu.Unlock()
	p.next()
	orReplace := p.accept("OR", "REPLACE")
	if p.accept("TEMPORARY") || p.accept("TEMP") {
		return nil, unsupported(unsupportedClause, "temporary tables and views (each API statement runs in a session of its own)")
	}
	external := p.accept("EXTERNAL")
	switch {
	case p.accept("CATALOG"):
		return s.createCatalog(p)
	case p.accept("SCHEMA"), p.accept("DATABASE"):
		return s.createSchema(p)
	case p.accept("TABLE"):
		return s.createTable(p, orReplace, external)
	case p.accept("VIEW"):
		return s.createView(p, orReplace)
	}
	if t := p.peek(); t.kind == tkWord {
		return nil, unsupported(unsupportedStatement, "CREATE "+strings.ToUpper(t.text))
	}
	return nil, p.fail()
}

func (s *session) createCatalog(p *parser) (*resultSet, error) {
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	name, err := p.identifier()
	if err != nil {
		return nil, err
	}
	c := catalogMeta{name: strings.ToLower(name), catalogType: "MANAGED_CATALOG"}
	for !p.atEOF() {
		switch {
		case p.accept("MANAGED", "LOCATION"):
			c.location, err = s.stringValue(p)
		case p.accept("COMMENT"):
			c.comment, err = s.stringValue(p)
		case p.accept("DEFAULT", "COLLATION"):
			_, err = p.identifier()
		case p.accept("OPTIONS"):
			_, err = s.properties(p)
		case p.accept("USING", "SHARE"):
			return nil, unsupported(unsupportedClause, "catalogs made from a Delta Sharing share (USING SHARE)")
		default:
			return nil, p.fail()
		}
		if err != nil {
			return nil, err
		}
	}
	if exists, _ := s.e.meta.catalog(c.name); exists {
		if ifNotExists {
			return &resultSet{}, nil
		}
		return nil, catalogAlreadyExists(objectName{catalog: c.name}.String())
	}
	return &resultSet{}, s.e.createCatalog(s.ctx, c, "default")
}

func (s *session) createSchema(p *parser) (*resultSet, error) {
	ifNotExists := p.accept("IF", "NOT", "EXISTS")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	o, err := s.schemaName(parts)
	if err != nil {
		return nil, err
	}
	var comment, location string
	var props map[string]string
	for !p.atEOF() {
		switch {
		case p.accept("COMMENT"):
			comment, err = s.stringValue(p)
		case p.accept("LOCATION"), p.accept("MANAGED", "LOCATION"):
			location, err = s.stringValue(p)
		case p.accept("WITH", "DBPROPERTIES"), p.accept("WITH", "PROPERTIES"):
			props, err = s.properties(p)
		case p.accept("DEFAULT", "COLLATION"):
			_, err = p.identifier()
		default:
			return nil, p.fail()
		}
		if err != nil {
			return nil, err
		}
	}
	if exists, _ := s.e.meta.catalog(o.catalog); !exists {
		return nil, catalogNotFound(o.catalog)
	}
	if err := s.writable(o, "CREATE SCHEMA", "Catalog"); err != nil {
		return nil, err
	}
	if ok, err := s.e.schemaExists(s.ctx, o); err != nil || ok {
		if err != nil || ifNotExists {
			return &resultSet{}, err
		}
		return nil, schemaAlreadyExists(o.String())
	}
	return &resultSet{}, s.e.createSchema(s.ctx, o, comment, location, props, s.e.opts.UserName)
}

// dropCatalog is DROP CATALOG [IF EXISTS] name [RESTRICT | CASCADE]. As in
// Unity Catalog, a catalog with any schema in it needs CASCADE.
func (s *session) dropCatalog(p *parser) (*resultSet, error) {
	ifExists := p.accept("IF", "EXISTS")
	name, err := p.identifier()
	if err != nil {
		return nil, err
	}
	cascade, err := p.dropBehavior()
	if err != nil {
		return nil, err
	}
	name = strings.ToLower(name)
	exists, readOnly := s.e.meta.catalog(name)
	switch {
	case !exists && ifExists:
		return &resultSet{}, nil
	case !exists:
		return nil, catalogNotFound(name)
	case readOnly:
		return nil, insufficientPrivileges("MANAGE", "Catalog", name)
	}
	var schemas int
	if err := s.e.db.QueryRowContext(s.ctx, `SELECT count(*) FROM `+metaDB+`.schemata WHERE catalog = ?`, name).Scan(&schemas); err != nil {
		return nil, err
	}
	if schemas > 0 && !cascade {
		return nil, catalogNotEmpty(objectName{catalog: name}.String())
	}
	if err := s.exec("DETACH " + duckCatalog(name)); err != nil {
		return nil, err
	}
	return &resultSet{}, s.e.forgetCatalog(s.ctx, name)
}

// dropBehavior reads the end of a DROP of a container, [RESTRICT | CASCADE], and says
// whether it was CASCADE (RESTRICT is the default).
func (p *parser) dropBehavior() (cascade bool, err error) {
	cascade = p.accept("CASCADE")
	if !cascade {
		p.accept("RESTRICT")
	}
	return cascade, p.end()
}

// dropSchema is DROP SCHEMA [IF EXISTS] name [RESTRICT | CASCADE].
func (s *session) dropSchema(p *parser) (*resultSet, error) {
	ifExists := p.accept("IF", "EXISTS")
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	cascade, err := p.dropBehavior()
	if err != nil {
		return nil, err
	}
	o, err := s.schemaName(parts)
	if err != nil {
		return nil, err
	}
	if err := s.requireSchema(o); err != nil {
		if ifExists {
			return &resultSet{}, nil
		}
		return nil, err
	}
	if err := s.writable(o, "MANAGE", "Schema"); err != nil {
		return nil, err
	}
	var tables int
	if err := s.e.db.QueryRowContext(s.ctx, `SELECT count(*) FROM `+metaDB+`.tables WHERE catalog = ? AND schema = ?`, o.catalog, o.schema).Scan(&tables); err != nil {
		return nil, err
	}
	if tables > 0 && !cascade {
		return nil, schemaNotEmpty(o.String())
	}
	if err := s.exec("DROP SCHEMA " + o.duck() + " CASCADE"); err != nil {
		return nil, err
	}
	return &resultSet{}, s.e.forgetSchema(s.ctx, o)
}

// alterCatalogOrSchema is ALTER CATALOG|SCHEMA name with OWNER TO, SET
// DBPROPERTIES or a comment.
func (s *session) alterCatalogOrSchema(p *parser, isCatalog bool) (*resultSet, error) {
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	var o objectName
	if isCatalog {
		if len(parts) != 1 {
			return nil, p.fail()
		}
		o = objectName{catalog: strings.ToLower(parts[0])}
		if exists, _ := s.e.meta.catalog(o.catalog); !exists {
			return nil, catalogNotFound(o.catalog)
		}
	} else {
		if o, err = s.schemaName(parts); err != nil {
			return nil, err
		}
		if err := s.requireSchema(o); err != nil {
			return nil, err
		}
	}
	securable := map[bool]string{true: "Catalog", false: "Schema"}[isCatalog]
	if err := s.writable(o, "MANAGE", securable); err != nil {
		return nil, err
	}
	table, where, args := "META.schemata", " WHERE catalog = ? AND name = ?", []any{o.catalog, o.schema}
	if isCatalog {
		table, where, args = "META.catalogs", " WHERE name = ?", []any{o.catalog}
	}
	p.accept("SET")
	switch {
	case p.accept("OWNER", "TO"):
		owner, err := p.identifier()
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE "+table+" SET owner = ?"+where, append([]any{owner}, args...)...)
	case p.accept("DBPROPERTIES"), p.accept("PROPERTIES"), p.accept("OPTIONS"):
		props, err := s.properties(p)
		if err != nil {
			return nil, err
		}
		var stored sql.NullString
		if err := s.e.db.QueryRowContext(s.ctx, "SELECT properties FROM "+strings.ReplaceAll(table, "META.", metaDB+".")+where, args...).Scan(&stored); err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE "+table+" SET properties = ?"+where, append([]any{mergeProps(stored, props, nil)}, args...)...)
	}
	return nil, unsupported(unsupportedClause, "this ALTER "+strings.ToUpper(securable)+" clause")
}

// commentOn is COMMENT ON CATALOG|SCHEMA|TABLE|VIEW|COLUMN name IS 'text' | NULL.
func (s *session) commentOn(p *parser) (*resultSet, error) {
	s.e.meta.mu.Lock()
	defer s.e.meta.mu.Unlock()
	p.next()
	if err := p.expect("ON"); err != nil {
		return nil, err
	}
	kind := strings.ToUpper(p.next().text)
	if kind == "DATABASE" {
		kind = "SCHEMA"
	}
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.expect("IS"); err != nil {
		return nil, err
	}
	var comment any
	if !p.accept("NULL") {
		c, err := s.stringValue(p)
		if err != nil {
			return nil, err
		}
		comment = c
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	switch kind {
	case "CATALOG":
		name := strings.ToLower(parts[0])
		if exists, readOnly := s.e.meta.catalog(name); !exists || len(parts) != 1 {
			return nil, catalogNotFound(name)
		} else if readOnly {
			return nil, insufficientPrivileges("MANAGE", "Catalog", name)
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.catalogs SET comment = ? WHERE name = ?", comment, name)
	case "SCHEMA":
		o, err := s.schemaName(parts)
		if err == nil {
			err = s.requireSchema(o)
		}
		if err == nil {
			err = s.writable(o, "MANAGE", "Schema")
		}
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.schemata SET comment = ? WHERE catalog = ? AND name = ?", comment, o.catalog, o.schema)
	case "TABLE", "VIEW":
		o, _, err := s.existingTable(parts, "MANAGE")
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.e.updateMeta(s.ctx, "UPDATE META.tables SET comment = ? WHERE catalog = ? AND schema = ? AND name = ?", comment, o.catalog, o.schema, o.name)
	case "COLUMN":
		if len(parts) < 2 {
			return nil, p.fail()
		}
		o, _, err := s.existingTable(parts[:len(parts)-1], "MANAGE")
		if err != nil {
			return nil, err
		}
		return &resultSet{}, s.commentColumn(o, parts[len(parts)-1], comment)
	}
	return nil, unsupported(unsupportedStatement, "COMMENT ON "+kind)
}

// stringValue reads a string literal, or a STRING parameter standing for one.
func (s *session) stringValue(p *parser) (string, error) {
	t := p.peek()
	switch t.kind {
	case tkString:
		p.next()
		return t.val, nil
	case tkMarker:
		prm, ok := s.params[t.val]
		if !ok {
			return "", unboundParameter(t.val)
		}
		if prm.value != nil {
			p.next()
			return *prm.value, nil
		}
	}
	return "", p.fail()
}

// properties reads ( key = value, ... ) as in TBLPROPERTIES and OPTIONS.
// Keys are dotted names or string literals; values are literals.
func (s *session) properties(p *parser) (map[string]string, error) {
	group, err := p.group()
	if err != nil {
		return nil, err
	}
	props := map[string]string{}
	for _, item := range splitTop(group) {
		var key strings.Builder
		k := 0
		for ; k < len(item) && !item[k].op("="); k++ {
			if item[k].kind == tkString || item[k].kind == tkIdent {
				key.WriteString(item[k].val)
			} else {
				key.WriteString(item[k].text)
			}
		}
		value := ""
		if k+1 < len(item) {
			sub := newParser(s.src, append(append([]token(nil), item[k+1:]...), token{kind: tkEOF, pos: len(s.src)}))
			if v, err := s.stringValue(sub); err == nil && sub.atEOF() {
				value = v
			} else {
				value = joinTokens(item[k+1:])
			}
		}
		if key.Len() == 0 {
			return nil, p.fail()
		}
		props[key.String()] = value
	}
	return props, nil
}
