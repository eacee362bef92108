package emulator

import (
	"strings"
)

// cast writes CAST(x AS type) and TRY_CAST(x AS type) with the type in
// DuckDB's spelling.
func (r *renderer) cast(w *writer, toks []token, i int) (int, error) {
	end := matchParen(toks, i+1)
	if end < 0 {
		return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
	}
	inner := toks[i+2 : end]
	as := -1
	depth := 0
	for k, t := range inner {
		switch {
		case t.op("(") || t.op("["):
			depth++
		case t.op(")") || t.op("]"):
			depth--
		case depth == 0 && t.is("AS"):
			as = k
		}
	}
	if as <= 0 {
		return 0, syntaxErrorAt(r.s.src, toks[end].pos, ")", "")
	}
	expr, err := r.render(inner[:as], modeExpr, false)
	if err != nil {
		return 0, err
	}
	typ, next, err := readType(r.s.src, inner, as+1)
	if err != nil {
		return 0, err
	}
	if next != len(inner) {
		return 0, syntaxErrorAt(r.s.src, inner[next].pos, inner[next].text, "")
	}
	w.put(strings.ToUpper(toks[i].text)+"("+expr+" AS "+typ+")", toks[i].space)
	return end, nil
}

// rlike writes x RLIKE p (and REGEXP): a match anywhere in x, which DuckDB's
// SIMILAR TO (a full match) gives with the pattern wrapped.
func (r *renderer) rlike(w *writer, toks []token, i int) (int, error) {
	j := i + 1
	end := j
	if toks[j].op("(") {
		end = matchParen(toks, j)
	}
	if end < 0 || toks[j].kind == tkOp && !toks[j].op("(") {
		return 0, syntaxErrorAt(r.s.src, toks[j].pos, toks[j].text, "")
	}
	p, err := r.render(toks[j:end+1], modeExpr, false)
	if err != nil {
		return 0, err
	}
	w.put("SIMILAR TO ('(?s).*(?:' || "+p+" || ').*')", true)
	return end, nil
}

// subscript writes x[i]. Databricks counts array elements from 0 and DuckDB
// from 1; a string literal in the brackets is a map key and stays as it is.
func (r *renderer) subscript(w *writer, toks []token, i int) (int, error) {
	if i == 0 || toks[i-1].kind != tkWord && toks[i-1].kind != tkIdent && !toks[i-1].op(")") && !toks[i-1].op("]") {
		return 0, syntaxErrorAt(r.s.src, toks[i].pos, "[", "")
	}
	end := matchParen(toks, i)
	if end < 0 {
		return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
	}
	inner := toks[i+1 : end]
	s, err := r.render(inner, modeExpr, false)
	if err != nil {
		return 0, err
	}
	if len(inner) == 1 && inner[0].kind == tkString {
		w.put("["+s+"]", false)
	} else {
		w.put("[("+s+") + 1]", false)
	}
	return end, nil
}

// tableFunction writes a table-valued function in a FROM clause: range and
// explode, with Databricks' column names (id, col).
func (r *renderer) tableFunction(w *writer, toks []token, i int) (int, error) {
	name := strings.ToLower(toks[i].text)
	end := matchParen(toks, i+1)
	if end < 0 {
		return 0, syntaxErrorAt(r.s.src, len(r.s.src), "", "")
	}
	var args []string
	for _, a := range splitTop(toks[i+2 : end]) {
		s, err := r.render(a, modeExpr, false)
		if err != nil {
			return 0, err
		}
		args = append(args, s)
	}
	var rel string
	switch {
	case name == "range" && len(args) >= 1 && len(args) <= 3:
		rel = "(SELECT range AS id FROM range(" + strings.Join(args, ", ") + "))"
	case name == "explode" && len(args) == 1:
		rel = "(SELECT unnest(" + args[0] + ") AS col)"
	case knownUnsupported[name] || functions[name].render != nil:
		return 0, unsupported(unsupportedFunction, "the table function "+name+"()")
	default:
		return 0, unresolvedRoutine(toks[i].text)
	}
	w.put(rel, toks[i].space)
	return r.alias(w, toks, end+1)
}
