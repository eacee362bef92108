package emulator

import (
	"fmt"
	"strings"
)

// run executes one Databricks SQL statement. Statements only Databricks has
// (catalogs, grants, SHOW, DESCRIBE, Delta's DDL) are carried out by the
// emulator itself against DuckDB and the metastore; queries and data changes
// are rendered to DuckDB SQL. What it does not know fails the way Databricks
// fails on it, and what Databricks knows but the emulator does not emulate
// fails with EMULATOR_UNSUPPORTED: nothing reaches DuckDB unread.
func (s *session) run(toks []token) (*resultSet, error) {
	first := toks[0]
	if first.kind == tkEOF {
		return nil, syntaxErrorAt(s.src, len(s.src), "", "")
	}
	p := newParser(s.src, toks)
	switch kw := strings.ToUpper(first.text); {
	case first.op("(") || first.kind == tkWord && (kw == "SELECT" || kw == "FROM" || kw == "VALUES" || kw == "TABLE"):
		return s.selectStatement(toks)
	case first.kind != tkWord:
		return nil, syntaxErrorAt(s.src, first.pos, first.text, "")
	case kw == "WITH":
		return s.with(toks)
	case kw == "INSERT":
		return s.insert(p, nil)
	case kw == "UPDATE" || kw == "DELETE":
		return s.updateOrDelete(p)
	case kw == "MERGE":
		return s.merge(p)
	case kw == "TRUNCATE":
		return s.truncate(p)
	case kw == "CREATE":
		return s.create(p)
	case kw == "DROP":
		return s.drop(p)
	case kw == "ALTER":
		return s.alter(p)
	case kw == "COMMENT":
		return s.commentOn(p)
	case kw == "GRANT" || kw == "REVOKE":
		return s.grant(p)
	case kw == "SHOW":
		return s.show(p)
	case kw == "DESCRIBE" || kw == "DESC":
		return s.describe(p)
	case kw == "USE":
		return s.use(p)
	case kw == "SET":
		return s.set(p)
	case kw == "COPY" && p.peekAt(1).is("INTO"), kw == "LOAD" && p.peekAt(1).is("DATA"), databricksOnly[kw]:
		return nil, unsupported(unsupportedStatement, "the "+kw+" statement")
	}
	// ATTACH, INSTALL, PRAGMA, COPY ... TO and the like are DuckDB's, not
	// Databricks': a syntax error there, and here.
	return nil, syntaxErrorAt(s.src, first.pos, first.text, "")
}

// databricksOnly are statements Databricks has and the emulator does not.
var databricksOnly = map[string]bool{
	"EXPLAIN": true, "OPTIMIZE": true, "VACUUM": true, "ANALYZE": true, "REFRESH": true, "CACHE": true,
	"UNCACHE": true, "CLEAR": true, "MSCK": true, "REPAIR": true, "FSCK": true, "RESTORE": true, "CALL": true,
	"EXECUTE": true, "DECLARE": true, "BEGIN": true, "LIST": true, "GET": true, "PUT": true, "REMOVE": true,
	"SYNC": true, "UNDROP": true, "CONVERT": true, "RESET": true, "REPLACE": true, "APPLY": true, "FOR": true,
	"IF": true, "CASE": true, "LOOP": true, "WHILE": true, "REPEAT": true, "COMMIT": true, "ROLLBACK": true,
}

// selectStatement runs a query.
func (s *session) selectStatement(toks []token) (*resultSet, error) {
	r := newRenderer(s)
	body := toks[:len(toks)-1]
	var sql string
	var err error
	switch {
	case body[0].is("VALUES"):
		sql, err = r.values(body)
	case body[0].is("TABLE"):
		var w writer
		w.put("SELECT * FROM", false)
		var end int
		if end, err = r.relation(&w, body, 1); err == nil && end != len(body)-1 {
			err = syntaxErrorAt(s.src, body[end+1].pos, body[end+1].text, "")
		}
		sql = w.String()
	default:
		sql, err = r.render(body, modeQuery, true)
	}
	if err != nil {
		return nil, err
	}
	return s.query(sql, r.args(), rowsResult)
}

// values runs VALUES (1, 'a'), (2, 'b') with Databricks' column names,
// col1, col2, ..., where DuckDB would say col0, col1.
func (r *renderer) values(body []token) (string, error) {
	inner, err := r.render(body, modeQuery, false)
	if err != nil {
		return "", err
	}
	n := 1
	if len(body) > 1 && body[1].op("(") {
		n = len(splitTop(body[2:matchParen(body, 1)]))
	}
	cols := make([]string, n)
	for i := range cols {
		cols[i] = duckIdentifier(fmt.Sprintf("col%d", i+1))
	}
	return "SELECT * FROM (" + inner + ") AS " + duckIdentifier("values") + "(" + strings.Join(cols, ", ") + ")", nil
}

// with runs WITH ... SELECT, or WITH ... INSERT, which Databricks allows
// and which is an INSERT for all purposes.
func (s *session) with(toks []token) (*resultSet, error) {
	n := len(toks) - 1 // toks[n] is EOF
	i := 1
	if i < n && toks[i].is("RECURSIVE") {
		i++
	}
	for i < n {
		i++ // the name
		if i < n && toks[i].op("(") && !isQuery(toks[i+1:]) {
			i = matchParen(toks, i) + 1
		}
		if i < n && toks[i].is("AS") {
			i++
		}
		if i >= n || !toks[i].op("(") {
			break
		}
		i = matchParen(toks, i) + 1
		if i >= n || !toks[i].op(",") {
			break
		}
		i++
	}
	if i < n && toks[i].is("INSERT") {
		p := newParser(s.src, toks)
		p.i = i
		return s.insert(p, toks[:i])
	}
	return s.selectStatement(toks)
}

// use checks the catalog or schema it names; each API statement runs in a
// session of its own, so there is nothing else to do (the request's catalog
// and schema fields choose the namespace).
func (s *session) use(p *parser) (*resultSet, error) {
	p.next()
	isCatalog := p.accept("CATALOG")
	if !isCatalog && !p.accept("SCHEMA") {
		p.accept("DATABASE")
	}
	parts, err := p.qualifiedName()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	if isCatalog {
		if len(parts) != 1 {
			return nil, p.fail()
		}
		name := strings.ToLower(parts[0])
		if exists, _ := s.e.meta.catalog(name); !exists {
			return nil, catalogNotFound(name)
		}
		return &resultSet{}, nil
	}
	o, err := s.schemaName(parts)
	if err != nil {
		return nil, err
	}
	if err := s.requireSchema(o); err != nil {
		return nil, err
	}
	return &resultSet{}, nil
}

// set answers SET key = value the way Databricks shows a configuration
// change (a key and a value), without changing anything: the emulator has no
// session configuration to change.
func (s *session) set(p *parser) (*resultSet, error) {
	p.next()
	if p.peek().is("VAR") || p.peek().is("VARIABLE") {
		return nil, unsupported(unsupportedStatement, "session variables (SET VAR)")
	}
	if p.atEOF() {
		return s.textResult([]string{"key", "value"}, nil), nil
	}
	var key strings.Builder
	for !p.atEOF() && !p.peek().op("=") {
		key.WriteString(p.next().text)
	}
	if !settable(key.String()) {
		return nil, &sqlFailure{class: "CONFIG_NOT_AVAILABLE", sqlState: "42K0I", text: fmt.Sprintf("Configuration %s is not available.", key.String())}
	}
	value := ""
	if p.acceptOp("=") {
		var v []string
		for !p.atEOF() {
			t := p.next()
			if t.kind == tkString {
				v = append(v, t.val)
			} else {
				v = append(v, t.text)
			}
		}
		value = strings.Join(v, " ")
	}
	return s.textResult([]string{"key", "value"}, [][]*string{{ptrTo(key.String()), ptrTo(value)}}), nil
}

// settable reports whether SET may name a key: the configuration
// parameters of Databricks SQL, and Spark's own spark.sql keys.
func settable(key string) bool {
	switch strings.ToUpper(key) {
	case "ANSI_MODE", "LEGACY_TIME_PARSER_POLICY", "MAX_FILE_PARTITION_BYTES", "READ_ONLY_EXTERNAL_METASTORE",
		"STATEMENT_TIMEOUT", "TIMEZONE", "USE_CACHED_RESULT", "QUERY_TAGS":
		return true
	}
	return strings.HasPrefix(strings.ToLower(key), "spark.sql.")
}

// requireSchema fails like Databricks when a schema (or its catalog) is
// missing.
func (s *session) requireSchema(o objectName) error {
	if exists, _ := s.e.meta.catalog(o.catalog); !exists {
		return catalogNotFound(o.catalog)
	}
	ok, err := s.e.schemaExists(s.ctx, o)
	if err != nil {
		return err
	}
	if !ok {
		return schemaNotFound(o.String())
	}
	return nil
}

// writable fails like Unity Catalog when a change would touch a read-only
// catalog (samples, system).
func (s *session) writable(o objectName, privilege, securable string) error {
	if _, readOnly := s.e.meta.catalog(o.catalog); readOnly {
		return insufficientPrivileges(privilege, securable, o.key())
	}
	return nil
}

func ptrTo(s string) *string { return &s }
