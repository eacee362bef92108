package emulator

import "strings"

// selectEnd are the words that end a select list.
var selectEnd = map[string]bool{
	"FROM": true, "WHERE": true, "GROUP": true, "HAVING": true, "ORDER": true, "LIMIT": true, "OFFSET": true,
	"QUALIFY": true, "WINDOW": true, "UNION": true, "INTERSECT": true, "EXCEPT": true, "MINUS": true, "SORT": true,
	"CLUSTER": true, "DISTRIBUTE": true, "LATERAL": true, "INTO": true,
}

// selectList writes the statement's own select list, naming each unnamed
// column the way Databricks does (count(1), upper(x), (a + 1)) rather than
// after the DuckDB expression the emulator runs.
func (r *renderer) selectList(w *writer, toks []token, i int) (int, error) {
	w.put(toks[i].text, toks[i].space)
	j := i + 1
	for j < len(toks) && (toks[j].is("DISTINCT") || toks[j].is("ALL")) {
		w.put(toks[j].text, true)
		j++
	}
	end := j
	for end < len(toks) {
		t := toks[end]
		if t.op("(") || t.op("[") {
			end = matchParen(toks, end) + 1
			continue
		}
		starExcept := t.is("EXCEPT") && end > 0 && toks[end-1].op("*")
		if t.kind == tkWord && selectEnd[strings.ToUpper(t.text)] && !starExcept {
			break
		}
		end++
	}
	for k, item := range splitTop(toks[j:end]) {
		if len(item) == 0 {
			return 0, syntaxErrorAt(r.s.src, toks[end-1].pos, toks[end-1].text, "")
		}
		s, err := r.render(item, modeExpr, false)
		if err != nil {
			return 0, err
		}
		if k > 0 {
			w.put(",", false)
		}
		w.put(s, true)
		if !hasAlias(item) && !isColumnReference(item) {
			w.put("AS "+duckIdentifier(autoName(item)), true)
		}
	}
	return end - 1, nil
}

// hasAlias reports whether a select item names its column (x AS n, x n).
func hasAlias(item []token) bool {
	n := len(item)
	if n < 2 {
		return false
	}
	if item[n-2].is("AS") {
		return true
	}
	last, prev := item[n-1], item[n-2]
	if last.kind != tkIdent && (last.kind != tkWord || notAlias[strings.ToUpper(last.text)]) {
		return false
	}
	return prev.kind == tkWord && !notAlias[strings.ToUpper(prev.text)] || prev.kind == tkIdent ||
		prev.kind == tkNumber || prev.kind == tkString || prev.kind == tkMarker || prev.op(")") || prev.op("]")
}

// notAlias are words that end an expression rather than name it.
var notAlias = map[string]bool{
	"END": true, "NULL": true, "TRUE": true, "FALSE": true, "YEAR": true, "YEARS": true, "MONTH": true, "MONTHS": true,
	"DAY": true, "DAYS": true, "HOUR": true, "HOURS": true, "MINUTE": true, "MINUTES": true, "SECOND": true,
	"SECONDS": true, "WEEK": true, "WEEKS": true, "IS": true, "NOT": true, "AND": true, "OR": true, "CASE": true,
	"WHEN": true, "THEN": true, "ELSE": true, "DISTINCT": true, "INTERVAL": true, "LIKE": true, "IN": true,
}

// isColumnReference reports whether a select item is a bare column (a,
// t.a, t.*), which keeps its own name.
func isColumnReference(item []token) bool {
	for k, t := range item {
		if k%2 == 1 && !t.op(".") || k%2 == 0 && t.kind != tkWord && t.kind != tkIdent && !t.op("*") {
			return false
		}
	}
	return len(item)%2 == 1
}

// autoName is the column name Databricks gives an unnamed expression: its
// text, with function names in lower case, literals unquoted and count(*)
// as count(1).
func autoName(item []token) string {
	var b strings.Builder
	depth, binary := 0, false
	for k, t := range item {
		prev := token{kind: tkOp, text: "("}
		if k > 0 {
			prev = item[k-1]
		}
		wordLike := t.kind != tkOp
		if wordLike && (prev.kind != tkOp || prev.op(")")) {
			b.WriteByte(' ')
		}
		switch {
		case t.op("*") && prev.op("(") && k+1 < len(item) && item[k+1].op(")"):
			b.WriteString("1")
		case t.kind == tkString || t.kind == tkIdent:
			b.WriteString(t.val)
		case t.kind == tkMarker:
			b.WriteString(":" + t.val)
		case t.kind == tkWord && k+1 < len(item) && item[k+1].op("("):
			b.WriteString(strings.ToLower(t.text))
		case t.op(","):
			b.WriteString(", ")
		case t.op("(") || t.op("["):
			depth++
			b.WriteString(t.text)
		case t.op(")") || t.op("]"):
			depth--
			b.WriteString(t.text)
		case t.op(".") || t.op("::"):
			b.WriteString(t.text)
		case t.kind == tkOp:
			binary = binary || depth == 0 && k > 0
			b.WriteString(" " + t.text + " ")
		default:
			b.WriteString(t.text)
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	s = strings.ReplaceAll(strings.ReplaceAll(s, "( ", "("), " )", ")")
	if binary {
		return "(" + s + ")"
	}
	return s
}
