package emulator

import (
	"strings"
)

// relation writes the table reference at toks[i] (after FROM, JOIN or a
// comma in a FROM clause) and returns the index of its last token.
func (r *renderer) relation(w *writer, toks []token, i int) (int, error) {
	if i >= len(toks) || toks[i].kind == tkEOF {
		return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
	}
	t := toks[i]
	switch {
	case t.is("VALUES"):
		return r.inlineTable(w, toks, i)
	case t.op("("):
		end := matchParen(toks, i)
		sub, err := r.render(toks[i+1:end], modeQuery, false)
		if err != nil {
			return 0, err
		}
		w.put("("+sub+")", t.space)
		return r.alias(w, toks, end+1)
	case t.is("LATERAL"):
		w.put("LATERAL", t.space)
		if i+1 >= len(toks) {
			return i, nil
		}
		return r.relation(w, toks, i+1)
	case t.kind == tkWord && i+1 < len(toks) && toks[i+1].op("("):
		return r.tableFunction(w, toks, i)
	case t.kind != tkWord && t.kind != tkIdent:
		return 0, syntaxErrorAt(r.s.src, t.pos, t.text, "")
	}
	parts, end := nameChain(toks, i)
	if end+1 < len(toks) && (toks[end+1].is("VERSION") || toks[end+1].is("TIMESTAMP") && end+2 < len(toks) && toks[end+2].is("AS")) {
		return 0, unsupported(unsupportedClause, "time travel (VERSION AS OF, TIMESTAMP AS OF)")
	}
	rel, err := r.tableReference(parts)
	if err != nil {
		return 0, err
	}
	w.put(rel, t.space)
	return r.alias(w, toks, end+1)
}

// tableReference resolves a table name to the DuckDB relation it reads.
func (r *renderer) tableReference(parts []string) (string, error) {
	if len(parts) == 1 && r.ctes[strings.ToLower(parts[0])] {
		return duckIdentifier(parts[0]), nil
	}
	written := make([]string, len(parts))
	for k, p := range parts {
		written[k] = "`" + p + "`"
	}
	asWritten := strings.Join(written, ".")
	switch {
	case len(parts) == 3 && strings.EqualFold(parts[1], "information_schema"):
		if exists, _ := r.s.e.meta.catalog(strings.ToLower(parts[0])); !exists {
			return "", tableNotFound(asWritten)
		}
		return r.s.e.informationSchemaRelation(r.s.ctx, strings.ToLower(parts[0]), parts[2])
	case len(parts) == 2 && strings.EqualFold(parts[0], "information_schema"):
		return r.s.e.informationSchemaRelation(r.s.ctx, r.s.catalog, parts[1])
	}
	o, err := r.s.tableName(parts)
	if err != nil {
		return "", err
	}
	kind, err := r.s.e.tableType(r.s.ctx, o)
	if err != nil {
		return "", err
	}
	if kind == "" {
		return "", tableNotFound(asWritten)
	}
	return o.duck(), nil
}

// aliasStop are the words that end a relation rather than name it.
var aliasStop = map[string]bool{"AS": true, "TABLESAMPLE": true, "WITH": true, "FOR": true, "VERSION": true}

// alias writes the optional alias after a relation (AS t, t, t(a, b)) and
// returns the index of its last token, i-1 when there is none.
func (r *renderer) alias(w *writer, toks []token, i int) (int, error) {
	j := i
	as := j < len(toks) && toks[j].is("AS")
	if as {
		j++
	}
	if j >= len(toks) {
		if as {
			return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
		}
		return i - 1, nil
	}
	t := toks[j]
	upper := strings.ToUpper(t.text)
	if t.kind != tkIdent && (t.kind != tkWord || clauseKeywords[upper] || aliasStop[upper] || notFunction[upper]) {
		if as {
			return 0, syntaxErrorAt(r.s.src, t.pos, t.text, "")
		}
		return i - 1, nil
	}
	name := t.text
	if t.kind == tkIdent {
		name = t.val
	}
	w.put("AS "+duckIdentifier(name), true)
	if j+1 < len(toks) && toks[j+1].op("(") {
		end := matchParen(toks, j+1)
		cols, err := identifierList(r.s.src, toks[j+2:end])
		if err != nil {
			return 0, err
		}
		w.put("("+strings.Join(cols, ", ")+")", false)
		return end, nil
	}
	return j, nil
}

// identifierList reads a, `b`, c as quoted DuckDB identifiers.
func identifierList(src string, toks []token) ([]string, error) {
	var out []string
	for _, item := range splitTop(toks) {
		if len(item) != 1 || item[0].kind != tkWord && item[0].kind != tkIdent {
			at := token{pos: len(src)}
			if len(item) > 0 {
				at = item[0]
			}
			return nil, syntaxErrorAt(src, at.pos, at.text, "")
		}
		name := item[0].text
		if item[0].kind == tkIdent {
			name = item[0].val
		}
		out = append(out, duckIdentifier(name))
	}
	return out, nil
}

// inlineTable writes VALUES (1, 'a'), (2, 'b') in a FROM clause, which
// Databricks allows without brackets and DuckDB does not.
func (r *renderer) inlineTable(w *writer, toks []token, i int) (int, error) {
	end := i + 1
	for end < len(toks) {
		if toks[end].op("(") {
			end = matchParen(toks, end)
		}
		end++
		if end < len(toks) && toks[end].op(",") {
			end++
			continue
		}
		break
	}
	s, err := r.render(toks[i:end], modeQuery, false)
	if err != nil {
		return 0, err
	}
	w.put("("+s+")", toks[i].space)
	return r.alias(w, toks, end)
}

// with writes WITH name [(cols)] [AS] (query), ... and returns the index of
// the last token of the last definition.
func (r *renderer) with(w *writer, toks []token, i int) (int, error) {
	w.put("WITH", toks[i].space)
	i++
	if i < len(toks) && toks[i].is("RECURSIVE") {
		w.put("RECURSIVE", true)
		i++
	}
	for {
		if i >= len(toks) || toks[i].kind != tkWord && toks[i].kind != tkIdent {
			at := token{pos: len(r.s.src)}
			if i < len(toks) {
				at = toks[i]
			}
			return 0, syntaxErrorAt(r.s.src, at.pos, at.text, "")
		}
		name := toks[i].text
		if toks[i].kind == tkIdent {
			name = toks[i].val
		}
		r.ctes[strings.ToLower(name)] = true
		w.put(duckIdentifier(name), true)
		i++
		if i < len(toks) && toks[i].op("(") {
			end := matchParen(toks, i)
			cols, err := identifierList(r.s.src, toks[i+1:end])
			if err != nil {
				return 0, err
			}
			w.put("("+strings.Join(cols, ", ")+")", false)
			i = end + 1
		}
		if i < len(toks) && toks[i].is("AS") {
			i++
		}
		if i >= len(toks) || !toks[i].op("(") {
			return 0, syntaxErrorAt(r.s.src, toks[min(i, len(toks)-1)].pos, toks[min(i, len(toks)-1)].text, "")
		}
		end := matchParen(toks, i)
		body, err := r.render(toks[i+1:end], modeQuery, false)
		if err != nil {
			return 0, err
		}
		w.put("AS ("+body+")", true)
		if end+1 < len(toks) && toks[end+1].op(",") {
			w.put(",", false)
			i = end + 2
			continue
		}
		return end, nil
	}
}

// lateralView writes LATERAL VIEW [OUTER] explode(x) t AS c as the lateral
// join DuckDB knows.
func (r *renderer) lateralView(w *writer, toks []token, i int) (int, error) {
	j := i + 2
	outer := j < len(toks) && toks[j].is("OUTER")
	if outer {
		j++
	}
	if j+1 >= len(toks) || toks[j].kind != tkWord || !toks[j+1].op("(") {
		return 0, syntaxErrorAt(r.s.src, toks[min(j, len(toks)-1)].pos, toks[min(j, len(toks)-1)].text, "")
	}
	fn := strings.ToLower(toks[j].text)
	end := matchParen(toks, j+1)
	arg, err := r.render(toks[j+2:end], modeExpr, false)
	if err != nil {
		return 0, err
	}
	var names []string
	k := end + 1
	for k < len(toks) && (toks[k].kind == tkWord || toks[k].kind == tkIdent || toks[k].op(",")) {
		if t := toks[k]; !t.op(",") && !t.is("AS") {
			if clauseKeywords[strings.ToUpper(t.text)] && t.kind == tkWord {
				break
			}
			names = append(names, t.name())
		}
		k++
	}
	var cols []string
	switch fn {
	case "explode":
		cols = []string{"unnest(" + arg + ")"}
	case "posexplode":
		cols = []string{"unnest(range(len(" + arg + "))::INTEGER)", "unnest(" + arg + ")"}
	default:
		return 0, unsupported(unsupportedFunction, "LATERAL VIEW "+fn)
	}
	if len(names) == 0 || len(names) > len(cols)+1 {
		return 0, syntaxErrorAt(r.s.src, toks[min(k, len(toks)-1)].pos, toks[min(k, len(toks)-1)].text, "")
	}
	defaults := []string{"col"}
	if fn == "posexplode" {
		defaults = []string{"pos", "col"}
	}
	for c := range cols {
		name := defaults[c]
		if c+1 < len(names) {
			name = names[c+1]
		}
		cols[c] += " AS " + duckIdentifier(name)
	}
	sub := "LATERAL (SELECT " + strings.Join(cols, ", ") + ") AS " + duckIdentifier(names[0])
	if outer {
		w.put("LEFT JOIN "+sub+" ON true", true)
	} else {
		w.put("CROSS JOIN "+sub, true)
	}
	return k - 1, nil
}
