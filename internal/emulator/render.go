package emulator

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// renderer writes Databricks SQL (queries and expressions) as DuckDB SQL.
// It works on tokens, so literals, comments and quoted names are never
// misread, and it refuses what it does not know rather than letting DuckDB
// run something Databricks would not:
//   - every table reference is checked against the metastore and written
//     fully qualified ("c$main"."default"."t"), so names resolve as in
//     Databricks and nothing outside the catalogs can be reached;
//   - <catalog>.information_schema.<view> reads the metastore's views;
//   - every function goes through the table in functions.go: Databricks'
//     names map to DuckDB's, anything else is UNRESOLVED_ROUTINE;
//   - types in casts are Databricks' (ARRAY<INT>, STRING, TIMESTAMP_NTZ);
//   - parameter markers are bound by the driver, never spliced into text;
//   - the outer select list gets the column names Databricks would give.
type renderer struct {
	s    *session
	used []string
	seen map[string]bool
	ctes map[string]bool // names of common table expressions in scope
}

func newRenderer(s *session) *renderer {
	return &renderer{s: s, seen: map[string]bool{}, ctes: map[string]bool{}}
}

// args are the values of the markers the rendered SQL refers to.
func (r *renderer) args() []driver.NamedValue {
	out := make([]driver.NamedValue, 0, len(r.used))
	for i, name := range r.used {
		var v driver.Value
		if p := r.s.params[name]; p.value != nil {
			v = *p.value
		}
		out = append(out, driver.NamedValue{Name: name, Ordinal: i + 1, Value: v})
	}
	return out
}

// mode says what a token sequence is: a query (with FROM clauses whose
// names are relations) or an expression list.
type mode int

const (
	modeExpr mode = iota
	modeQuery
)

// writer accumulates DuckDB SQL, separating tokens where the source did.
type writer struct{ strings.Builder }

func (w *writer) put(s string, space bool) {
	if space && w.Len() > 0 {
		w.WriteByte(' ')
	}
	w.WriteString(s)
}

// clauseKeywords end a FROM clause or a select list.
var clauseKeywords = map[string]bool{
	"WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true, "OFFSET": true, "QUALIFY": true,
	"WINDOW": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "MINUS": true, "SORT": true, "CLUSTER": true,
	"DISTRIBUTE": true, "FROM": true, "SELECT": true, "ON": true, "USING": true, "JOIN": true, "INNER": true,
	"LEFT": true, "RIGHT": true, "FULL": true, "CROSS": true, "NATURAL": true, "LATERAL": true, "ANTI": true,
	"SEMI": true, "PIVOT": true, "UNPIVOT": true, "WHEN": true, "RETURNING": true,
}

// render writes toks (balanced, without EOF) in the given mode. top marks
// the statement's own query, whose select list names the result columns.
func (r *renderer) render(toks []token, m mode, top bool) (string, error) {
	var w writer
	inFrom, expectRel := false, false
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		var prev token
		if i > 0 {
			prev = toks[i-1]
		}
		switch t.kind {
		case tkEOF:
			return w.String(), nil
		case tkString:
			if prev.kind == tkString {
				w.put("||", true) // Databricks joins adjacent literals
			}
			w.put(duckStringLiteral(t.val), t.space)
			continue
		case tkNumber:
			w.put(numberLiteral(t.text), t.space)
			continue
		case tkMarker:
			if !t.space && (prev.kind == tkWord || prev.kind == tkIdent || prev.op(")") || prev.op("]")) {
				return "", unsupported(unsupportedClause, "the `:` operator that extracts a field from a JSON string (use get_json_object)")
			}
			s, err := r.marker(t.val)
			if err != nil {
				return "", err
			}
			w.put(s, t.space)
			continue
		case tkOp:
			n, err := r.op(&w, toks, i, m, expectRel)
			if err != nil {
				return "", err
			}
			expectRel = t.op(",") && inFrom
			i = n
			continue
		}
		// A word or a back-quoted name.
		upper := strings.ToUpper(t.text)
		if t.kind == tkWord && m == modeQuery {
			switch {
			case upper == "FROM":
				inFrom, expectRel = true, true
				w.put("FROM", t.space)
				continue
			case upper == "JOIN":
				inFrom, expectRel = true, true
				w.put(t.text, t.space)
				continue
			case upper == "LATERAL" && i+1 < len(toks) && toks[i+1].is("VIEW"):
				n, err := r.lateralView(&w, toks, i)
				if err != nil {
					return "", err
				}
				i = n
				continue
			case upper == "WITH" && !inFrom:
				n, err := r.with(&w, toks, i)
				if err != nil {
					return "", err
				}
				i = n
				continue
			case upper == "SELECT" && top:
				top = false
				n, err := r.selectList(&w, toks, i)
				if err != nil {
					return "", err
				}
				i = n
				continue
			case (upper == "SORT" || upper == "CLUSTER") && i+1 < len(toks) && toks[i+1].is("BY"):
				// Within one warehouse result, SORT BY and CLUSTER BY order rows.
				w.put("ORDER", t.space)
				continue
			case upper == "DISTRIBUTE" && i+1 < len(toks) && toks[i+1].is("BY"):
				return "", unsupported(unsupportedClause, "DISTRIBUTE BY")
			case clauseKeywords[upper] && upper != "LATERAL":
				inFrom = inFrom && (upper == "ON" || upper == "USING" || upper == "INNER" || upper == "LEFT" ||
					upper == "RIGHT" || upper == "FULL" || upper == "CROSS" || upper == "NATURAL" || upper == "ANTI" || upper == "SEMI")
				expectRel = false
			}
		}
		if expectRel && m == modeQuery {
			expectRel = false
			n, err := r.relation(&w, toks, i)
			if err != nil {
				return "", err
			}
			i = n
			continue
		}
		n, err := r.word(&w, toks, i)
		if err != nil {
			return "", err
		}
		i = n
	}
	return w.String(), nil
}

// op writes the operator at toks[i] and returns the index of the last token
// it used.
func (r *renderer) op(w *writer, toks []token, i int, m mode, expectRel bool) (int, error) {
	t := toks[i]
	switch t.text {
	case "(":
		end := matchParen(toks, i)
		if end < 0 {
			return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
		}
		inner := toks[i+1 : end]
		sub := modeExpr
		if isQuery(inner) || expectRel && m == modeQuery {
			sub = modeQuery
		}
		s, err := r.render(inner, sub, false)
		if err != nil {
			return 0, err
		}
		w.put("("+s+")", t.space)
		if expectRel && m == modeQuery {
			return r.alias(w, toks, end+1)
		}
		return end, nil
	case "[":
		return r.subscript(w, toks, i)
	case "::":
		typ, next, err := readType(r.s.src, toks, i+1)
		if err != nil {
			return 0, err
		}
		w.put("::"+typ, t.space)
		return next - 1, nil
	case "<=>":
		w.put("IS NOT DISTINCT FROM", true)
	case "!":
		w.put("NOT", t.space)
	case "*":
		if i+2 < len(toks) && toks[i+1].is("EXCEPT") && toks[i+2].op("(") {
			w.put("* EXCLUDE", t.space)
			return i + 1, nil
		}
		w.put("*", t.space)
	case "?":
		return 0, unboundParameter(fmt.Sprintf("_%d", t.pos))
	case "=>":
		return 0, unsupported(unsupportedClause, "named function arguments (=>)")
	case "^":
		return 0, unsupported(unsupportedClause, "the ^ (bitwise exclusive or) operator")
	case ")", "]", "{", "}", "$", "#", "@", "&&", "\\", ";", "`":
		return 0, syntaxErrorAt(r.s.src, t.pos, t.text, "")
	default:
		w.put(t.text, t.space)
	}
	return i, nil
}

// isQuery reports whether the tokens in a bracket are a subquery.
func isQuery(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[0]
	return t.is("SELECT") || t.is("WITH") || t.is("VALUES") || t.is("FROM") || t.is("TABLE") ||
		t.op("(") && isQuery(toks[1:])
}

// word writes a name, a keyword, a literal with a type prefix or a function
// call starting at toks[i].
func (r *renderer) word(w *writer, toks []token, i int) (int, error) {
	t := toks[i]
	next := token{kind: tkEOF}
	if i+1 < len(toks) {
		next = toks[i+1]
	}
	afterDot := i > 0 && toks[i-1].op(".")
	if t.kind == tkWord && !afterDot {
		upper := strings.ToUpper(t.text)
		switch {
		case next.kind == tkString && typedLiteral[upper] != "":
			w.put("CAST("+duckStringLiteral(next.val)+" AS "+typedLiteral[upper]+")", t.space)
			return i + 1, nil
		case upper == "X" && next.kind == tkString && !next.space:
			w.put("unhex("+duckStringLiteral(next.val)+")", t.space)
			return i + 1, nil
		case upper == "DIV":
			w.put("//", t.space)
			return i, nil
		case (upper == "CAST" || upper == "TRY_CAST") && next.op("("):
			return r.cast(w, toks, i)
		case (upper == "RLIKE" || upper == "REGEXP") && i+1 < len(toks):
			return r.rlike(w, toks, i)
		case next.op("(") && !notFunction[upper]:
			return r.call(w, toks, i)
		case niladic[upper] != nil && !next.op("("):
			w.put(niladic[upper](r.s), t.space)
			return i, nil
		}
	}
	if t.kind == tkIdent && next.op("(") && !afterDot {
		return r.call(w, toks, i)
	}
	// A name, perhaps qualified: main.default.t.col, t.col.field, t.*.
	parts, end := nameChain(toks, i)
	if len(parts) == 1 {
		if t.kind == tkIdent {
			w.put(duckIdentifier(t.val), t.space)
		} else {
			w.put(t.text, t.space)
		}
		return i, nil
	}
	if end+1 < len(toks) && toks[end+1].op("(") {
		return 0, unresolvedRoutine(strings.Join(parts, "."))
	}
	quoted := make([]string, len(parts))
	for k, p := range parts {
		quoted[k] = duckIdentifier(p)
		if p == "*" {
			quoted[k] = "*"
		}
	}
	if exists, _ := r.s.e.meta.catalog(strings.ToLower(parts[0])); exists && len(parts) >= 4 {
		quoted[0] = duckCatalog(strings.ToLower(parts[0]))
	}
	w.put(strings.Join(quoted, "."), t.space)
	return end, nil
}

// nameChain reads a.b.c starting at toks[i]: the parts and the index of the
// last token.
func nameChain(toks []token, i int) ([]string, int) {
	name := func(t token) (string, bool) {
		switch t.kind {
		case tkWord:
			return t.text, true
		case tkIdent:
			return t.val, true
		}
		return "", false
	}
	first, _ := name(toks[i])
	parts := []string{first}
	for i+2 < len(toks) && toks[i+1].op(".") && !toks[i+1].space {
		if toks[i+2].op("*") {
			return append(parts, "*"), i + 2
		}
		p, ok := name(toks[i+2])
		if !ok {
			break
		}
		parts = append(parts, p)
		i += 2
	}
	return parts, i
}

// typedLiteral are the literals with a type prefix, and the DuckDB type
// their text is cast to.
var typedLiteral = map[string]string{
	"DATE": "DATE", "TIMESTAMP": "TIMESTAMPTZ", "TIMESTAMP_LTZ": "TIMESTAMPTZ", "TIMESTAMP_NTZ": "TIMESTAMP",
}

// notFunction are keywords that a '(' may follow without a call.
var notFunction = map[string]bool{
	"IN": true, "EXISTS": true, "AS": true, "OVER": true, "FILTER": true, "USING": true, "ON": true, "AND": true,
	"OR": true, "NOT": true, "WHEN": true, "THEN": true, "ELSE": true, "FROM": true, "JOIN": true, "VALUES": true,
	"TABLE": true, "WITHIN": true, "BY": true, "ROLLUP": true, "CUBE": true, "SETS": true, "ALL": true, "ANY": true,
	"SOME": true, "DISTINCT": true, "SELECT": true, "WHERE": true, "HAVING": true, "LIMIT": true, "RETURNING": true,
	"INTO": true, "SET": true, "IS": true, "LIKE": true, "ILIKE": true, "CASE": true, "END": true, "EXCLUDE": true,
	"INTERVAL": true, "OFFSET": true, "QUALIFY": true, "UNION": true, "INTERSECT": true, "EXCEPT": true,
	"INSERT": true,
}
