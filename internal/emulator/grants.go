package emulator

import (
	"database/sql"
	"strings"
)

// privilegesOn are the Unity Catalog privileges each kind of securable
// takes. A privilege granted on a catalog or a schema is inherited by what
// it holds, which is why SELECT and MODIFY are grantable there too.
var privilegesOn = map[string][]string{
	"CATALOG": {"ALL PRIVILEGES", "USE CATALOG", "USE SCHEMA", "CREATE SCHEMA", "CREATE TABLE", "CREATE FUNCTION",
		"CREATE VOLUME", "CREATE MATERIALIZED VIEW", "CREATE MODEL", "SELECT", "MODIFY", "EXECUTE", "READ VOLUME",
		"WRITE VOLUME", "APPLY TAG", "BROWSE", "MANAGE", "REFRESH", "EXTERNAL USE SCHEMA"},
	"SCHEMA": {"ALL PRIVILEGES", "USE SCHEMA", "CREATE TABLE", "CREATE FUNCTION", "CREATE VOLUME",
		"CREATE MATERIALIZED VIEW", "CREATE MODEL", "SELECT", "MODIFY", "EXECUTE", "READ VOLUME", "WRITE VOLUME",
		"APPLY TAG", "MANAGE", "REFRESH", "EXTERNAL USE SCHEMA"},
	"TABLE": {"ALL PRIVILEGES", "SELECT", "MODIFY", "APPLY TAG", "MANAGE", "REFRESH"},
	"VIEW":  {"ALL PRIVILEGES", "SELECT", "APPLY TAG", "MANAGE"},
}

// securableNames are the kinds as Unity Catalog's messages spell them.
var securableNames = map[string]string{"CATALOG": "Catalog", "SCHEMA": "Schema", "TABLE": "Table", "VIEW": "Table"}

// securable is the object of a GRANT, REVOKE or SHOW GRANTS.
type securable struct {
	kind string // CATALOG, SCHEMA, TABLE or VIEW
	name objectName
}

// grant is GRANT privileges ON securable TO principal and REVOKE privileges
// ON securable FROM principal.
func (s *session) grant(p *parser) (*resultSet, error) {
	s.e.meta.mu.Lock()
	defer s.e.meta.mu.Unlock()
	revoke := p.next().is("REVOKE")
	var privileges []string
	var words []string
	for !p.atEOF() && !p.peek().is("ON") {
		t := p.next()
		if t.op(",") {
			privileges, words = append(privileges, strings.Join(words, " ")), nil
			continue
		}
		if t.kind != tkWord {
			return nil, syntaxErrorAt(s.src, t.pos, t.text, "")
		}
		words = append(words, strings.ToUpper(t.text))
	}
	privileges = append(privileges, strings.Join(words, " "))
	if err := p.expect("ON"); err != nil {
		return nil, err
	}
	obj, err := s.securable(p)
	if err != nil {
		return nil, err
	}
	if err := p.expect(map[bool]string{true: "FROM", false: "TO"}[revoke]); err != nil {
		return nil, err
	}
	principal, err := p.identifier()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	for _, priv := range privileges {
		if priv == "ALL" {
			priv = "ALL PRIVILEGES"
		}
		if !contains(privilegesOn["CATALOG"], priv) {
			return nil, invalidParameterValue("Privilege %s is not a valid privilege.", priv)
		}
		if !contains(privilegesOn[obj.kind], priv) {
			return nil, invalidParameterValue("Privilege %s is not applicable to this entity [%s:%s]. If this seems unexpected, please check the privilege version of the metastore in use [1.0].", priv, obj.name.key(), obj.kind)
		}
	}
	if _, readOnly := s.e.meta.catalog(obj.name.catalog); readOnly {
		return nil, insufficientPrivileges("MANAGE", securableNames[obj.kind], obj.name.key())
	}
	kind := obj.kind
	if kind == "VIEW" {
		kind = "TABLE" // one kind of securable in Unity Catalog
	}
	match := ` WHERE securable = ? AND catalog = ? AND schema = ? AND name = ? AND principal = ?`
	key := []any{kind, obj.name.catalog, obj.name.schema, obj.name.name, principal}
	for _, priv := range privileges {
		if priv == "ALL" {
			priv = "ALL PRIVILEGES"
		}
		if revoke {
			q := `DELETE FROM META.grants` + match + ` AND privilege = ?`
			args := append(append([]any(nil), key...), priv)
			if priv == "ALL PRIVILEGES" {
				q, args = `DELETE FROM META.grants`+match, key
			}
			if err := s.e.updateMeta(s.ctx, q, args...); err != nil {
				return nil, err
			}
			continue
		}
		var n int
		if err := s.e.db.QueryRowContext(s.ctx, `SELECT count(*) FROM `+metaDB+`.grants`+match+` AND privilege = ?`, append(append([]any(nil), key...), priv)...).Scan(&n); err != nil {
			return nil, err
		}
		if n == 0 {
			if err := s.e.updateMeta(s.ctx, `INSERT INTO META.grants VALUES (?, ?, ?, ?, ?, ?, ?)`, kind, obj.name.catalog, obj.name.schema, obj.name.name, principal, priv, s.e.opts.UserName); err != nil {
				return nil, err
			}
		}
	}
	return &resultSet{}, nil
}

// securable reads CATALOG [name], SCHEMA name, TABLE name, VIEW name or a
// bare table name, and checks that it exists.
func (s *session) securable(p *parser) (securable, error) {
	var obj securable
	switch {
	case p.accept("CATALOG"):
		obj.kind = "CATALOG"
		obj.name.catalog = s.catalog
		if t := p.peek(); t.kind == tkWord && !t.is("TO") && !t.is("FROM") || t.kind == tkIdent {
			name, _ := p.identifier()
			obj.name.catalog = strings.ToLower(name)
		}
		if exists, _ := s.e.meta.catalog(obj.name.catalog); !exists {
			return obj, catalogNotFound(obj.name.catalog)
		}
		return obj, nil
	case p.accept("SCHEMA"), p.accept("DATABASE"):
		parts, err := p.qualifiedName()
		if err != nil {
			return obj, err
		}
		obj.kind = "SCHEMA"
		if obj.name, err = s.schemaName(parts); err != nil {
			return obj, err
		}
		return obj, s.requireSchema(obj.name)
	case p.accept("TABLE"), p.accept("VIEW"):
	case p.peek().is("FUNCTION") || p.peek().is("VOLUME") || p.peek().is("EXTERNAL") || p.peek().is("STORAGE") ||
		p.peek().is("CONNECTION") || p.peek().is("SHARE") || p.peek().is("METASTORE") || p.peek().is("ANY"):
		return obj, unsupported(unsupportedClause, "privileges on a "+strings.ToUpper(p.peek().text))
	}
	parts, err := p.qualifiedName()
	if err != nil {
		return obj, err
	}
	o, err := s.tableName(parts)
	if err != nil {
		return obj, err
	}
	kind, err := s.e.tableType(s.ctx, o)
	if err != nil {
		return obj, err
	}
	if kind == "" {
		written := make([]string, len(parts))
		for i, p := range parts {
			written[i] = "`" + p + "`"
		}
		return obj, tableNotFound(strings.Join(written, "."))
	}
	obj.kind, obj.name = "TABLE", o
	if kind == "VIEW" {
		obj.kind = "VIEW"
	}
	return obj, nil
}

// showGrants is SHOW GRANTS [principal] ON securable: the privileges on the
// object and those it inherits from its schema and catalog, with Databricks'
// columns.
func (s *session) showGrants(p *parser) (*resultSet, error) {
	principal := ""
	if !p.peek().is("ON") {
		var err error
		if principal, err = p.identifier(); err != nil {
			return nil, err
		}
	}
	if err := p.expect("ON"); err != nil {
		return nil, err
	}
	obj, err := s.securable(p)
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	o := obj.name
	rows, err := s.e.db.QueryContext(s.ctx, `SELECT principal, privilege, securable,
		CASE securable WHEN 'CATALOG' THEN catalog WHEN 'SCHEMA' THEN catalog || '.' || schema ELSE catalog || '.' || schema || '.' || name END
		FROM `+metaDB+`.grants
		WHERE catalog = ? AND (securable = 'CATALOG' OR securable = 'SCHEMA' AND schema = ? AND ? <> 'CATALOG'
			OR securable = 'TABLE' AND schema = ? AND name = ? AND ? IN ('TABLE', 'VIEW'))
		  AND (? = '' OR principal = ?)
		ORDER BY principal, CASE securable WHEN 'TABLE' THEN 0 WHEN 'SCHEMA' THEN 1 ELSE 2 END, privilege`,
		o.catalog, o.schema, obj.kind, o.schema, o.name, obj.kind, principal, principal)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]*string
	for rows.Next() {
		var who, action, objType, key sql.NullString
		if err := rows.Scan(&who, &action, &objType, &key); err != nil {
			return nil, err
		}
		out = append(out, []*string{&who.String, &action.String, &objType.String, &key.String})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.textResult([]string{"principal", "ActionType", "ObjectType", "ObjectKey"}, out), nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
