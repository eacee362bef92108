package emulator

import (
	"database/sql"
	"fmt"
	"strings"
)

// insert is INSERT INTO|OVERWRITE [TABLE] name [(cols)] [BY NAME] query,
// with the common table expressions of a WITH ... INSERT in front. OVERWRITE
// replaces the rows in one transaction, as Delta does in one commit.
func (s *session) insert(p *parser, ctes []token) (*resultSet, error) {
	p.next()
	overwrite := p.accept("OVERWRITE")
	if !overwrite {
		if err := p.expect("INTO"); err != nil {
			return nil, err
		}
	}
	p.accept("TABLE")
	o, err := s.modifiedTable(p, "INSERT")
	if err != nil {
		return nil, err
	}
	if p.peek().is("PARTITION") {
		return nil, unsupported(unsupportedClause, "INSERT ... PARTITION (...)")
	}
	if p.peek().is("REPLACE") {
		return nil, unsupported(unsupportedClause, "INSERT ... REPLACE WHERE|USING")
	}
	target := "INSERT INTO " + o.duck()
	if p.peek().op("(") && !isQuery(p.toks[p.i+1:]) {
		group, _ := p.group()
		cols, err := identifierList(s.src, group)
		if err != nil {
			return nil, err
		}
		target += " (" + strings.Join(cols, ", ") + ")"
	}
	if p.accept("BY", "NAME") {
		target += " BY NAME"
	}
	rest := p.rest()
	if len(rest) <= 1 {
		return nil, p.fail()
	}
	body := append(append([]token(nil), ctes...), rest[:len(rest)-1]...)
	r := newRenderer(s)
	q, err := r.render(body, modeQuery, false)
	if err != nil {
		return nil, err
	}
	if !overwrite {
		return s.query(target+" "+q, r.args(), insertResult)
	}
	if err := s.exec("BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	res, err := func() (*resultSet, error) {
		if err := s.exec("DELETE FROM " + o.duck()); err != nil {
			return nil, err
		}
		return s.query(target+" "+q, r.args(), insertResult)
	}()
	if err != nil {
		_ = s.exec("ROLLBACK")
		return nil, err
	}
	return res, s.exec("COMMIT")
}

// updateOrDelete is UPDATE name [alias] SET ... [WHERE ...] and
// DELETE FROM name [alias] [WHERE ...].
func (s *session) updateOrDelete(p *parser) (*resultSet, error) {
	verb := strings.ToUpper(p.next().text)
	if verb == "DELETE" {
		if err := p.expect("FROM"); err != nil {
			return nil, err
		}
	}
	o, err := s.modifiedTable(p, verb)
	if err != nil {
		return nil, err
	}
	stmt := verb + " " + o.duck()
	if verb == "DELETE" {
		stmt = "DELETE FROM " + o.duck()
	}
	rest := unqualifySetTargets(p.rest())
	r := newRenderer(s)
	var w writer
	end, err := r.alias(&w, rest, 0)
	if err != nil {
		return nil, err
	}
	tail, err := r.render(rest[end+1:len(rest)-1], modeQuery, false)
	if err != nil {
		return nil, err
	}
	return s.query(stmt+" "+w.String()+" "+tail, r.args(), changeResult)
}

// merge is MERGE INTO target USING source ON ... WHEN ...: DuckDB runs it,
// and the actions it reports become Databricks' four counts.
func (s *session) merge(p *parser) (*resultSet, error) {
	p.next()
	if err := p.expect("INTO"); err != nil {
		return nil, err
	}
	o, err := s.modifiedTable(p, "MERGE")
	if err != nil {
		return nil, err
	}
	p.accept("WITH", "SCHEMA", "EVOLUTION")
	rest := unqualifySetTargets(p.rest())
	r := newRenderer(s)
	var w writer
	end, err := r.alias(&w, rest, 0)
	if err != nil {
		return nil, err
	}
	if end+1 >= len(rest) || !rest[end+1].is("USING") {
		return nil, syntaxErrorAt(s.src, rest[min(end+1, len(rest)-1)].pos, rest[min(end+1, len(rest)-1)].text, "")
	}
	w.put("USING", true)
	last, err := r.relation(&w, rest, end+2)
	if err != nil {
		return nil, err
	}
	tail, err := r.render(rest[last+1:len(rest)-1], modeQuery, false)
	if err != nil {
		return nil, err
	}
	rows, err := s.conn.QueryContext(s.ctx, "MERGE INTO "+o.duck()+" "+w.String()+" "+tail+" RETURNING merge_action", argValues(r)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var action string
		if err := rows.Scan(&action); err != nil {
			return nil, err
		}
		counts[action]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cell := func(n int64) *string { return ptrTo(fmt.Sprint(n)) }
	total := counts["UPDATE"] + counts["DELETE"] + counts["INSERT"]
	return s.textResult([]string{"num_affected_rows", "num_updated_rows", "num_deleted_rows", "num_inserted_rows"},
		[][]*string{{cell(total), cell(counts["UPDATE"]), cell(counts["DELETE"]), cell(counts["INSERT"])}},
		"BIGINT", "BIGINT", "BIGINT", "BIGINT"), nil
}

// argValues are the renderer's arguments for database/sql.
func argValues(r *renderer) []any {
	var out []any
	for _, a := range r.args() {
		out = append(out, sql.Named(a.Name, a.Value))
	}
	return out
}

// unqualifySetTargets drops the table qualifier from the columns an UPDATE
// SET assigns (SET t.name = s.name): Databricks allows it and DuckDB does
// not, and the target table is the only one a SET can assign anyway.
func unqualifySetTargets(toks []token) []token {
	out := make([]token, 0, len(toks))
	inSet, depth := false, 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.op("(") || t.op("["):
			depth++
		case t.op(")") || t.op("]"):
			depth--
		case depth == 0 && t.is("SET"):
			inSet = true
		case depth == 0 && (t.is("WHERE") || t.is("WHEN")):
			inSet = false
		}
		startsTarget := inSet && depth == 0 && i > 0 && (toks[i-1].is("SET") || toks[i-1].op(","))
		if startsTarget && t.name() != "" {
			j := i
			for j+2 < len(toks) && toks[j+1].op(".") && toks[j+2].name() != "" {
				j += 2
			}
			if j > i && j+1 < len(toks) && toks[j+1].op("=") {
				last := toks[j]
				last.space = t.space
				out = append(out, last)
				i = j
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// modifiedTable reads the name of the table verb (INSERT, UPDATE, DELETE, MERGE)
// changes: it must exist, be writable, and be a table, not a view.
func (s *session) modifiedTable(p *parser, verb string) (objectName, error) {
	parts, err := p.qualifiedName()
	if err != nil {
		return objectName{}, err
	}
	o, kind, err := s.existingTable(parts, "MODIFY")
	if err != nil {
		return objectName{}, err
	}
	if kind == "VIEW" {
		return objectName{}, &sqlFailure{class: "EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE", sqlState: "42809", text: fmt.Sprintf("'%s' expects a table but %s is a view.", verb, o)}
	}
	return o, nil
}
