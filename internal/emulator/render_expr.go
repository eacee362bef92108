package emulator

import (
	"fmt"
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

// numberLiteral spells a Databricks numeric literal for DuckDB: the type
// suffixes become casts, so 2L is a BIGINT and 1.5BD a DECIMAL.
func numberLiteral(text string) string {
	upper := strings.ToUpper(text)
	cast := func(digits, typ string) string { return "CAST(" + digits + " AS " + typ + ")" }
	switch {
	case strings.HasSuffix(upper, "BD"):
		digits := text[:len(text)-2]
		whole, frac, _ := strings.Cut(strings.TrimLeft(digits, "0"), ".")
		p := max(len(whole)+len(frac), 1)
		return cast(digits, fmt.Sprintf("DECIMAL(%d,%d)", min(p, 38), min(len(frac), 38)))
	case strings.HasSuffix(upper, "L"):
		return cast(text[:len(text)-1], "BIGINT")
	case strings.HasSuffix(upper, "S"):
		return cast(text[:len(text)-1], "SMALLINT")
	case strings.HasSuffix(upper, "Y"):
		return cast(text[:len(text)-1], "TINYINT")
	case strings.HasSuffix(upper, "D"):
		return cast(text[:len(text)-1], "DOUBLE")
	case strings.HasSuffix(upper, "F"):
		return cast(text[:len(text)-1], "FLOAT")
	}
	return text
}

// marker binds :name to its parameter.
func (r *renderer) marker(name string) (string, error) {
	p, ok := r.s.params[name]
	if !ok {
		return "", unboundParameter(name)
	}
	if !r.seen[name] {
		r.seen[name] = true
		r.used = append(r.used, name)
	}
	switch p.cast {
	case "":
		return "NULL", nil
	case "VARCHAR":
		// Untyped, so that DuckDB casts the text to whatever it meets, as
		// Databricks does with a STRING parameter compared to a number or a
		// date.
		return "$" + name, nil
	}
	return "CAST($" + name + " AS " + p.cast + ")", nil
}

// duckStringLiteral quotes s as a standard SQL literal. A NUL byte cannot be
// sent inside the query text (the C API reads it as the end), so it is spelled
// with chr(0).
func duckStringLiteral(s string) string {
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}
