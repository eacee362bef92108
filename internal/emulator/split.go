package emulator

import "strings"

// oneStatement checks that the tokens hold a single statement, as the
// Statement Execution API requires, and returns them without the trailing
// semicolons. Databricks answers a second statement with
// "[PARSE_SYNTAX_ERROR] Syntax error at or near 'X': extra input 'X'".
func oneStatement(src string, toks []token) ([]token, error) {
	for i, t := range toks {
		if !t.semicolon() {
			continue
		}
		j := i
		for toks[j].semicolon() {
			j++
		}
		if toks[j].kind != tkEOF {
			return nil, syntaxErrorAt(src, toks[j].pos, toks[j].text, "extra input '"+toks[j].text+"'")
		}
		return append(toks[:i:i], token{kind: tkEOF, pos: t.pos}), nil
	}
	return toks, nil
}

// splitStatements cuts a script (an -init file) into its statements, each
// with its own tokens ending in tkEOF.
func splitStatements(src string) ([][]token, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	var out [][]token
	start := 0
	for i, t := range toks {
		if t.semicolon() || t.kind == tkEOF {
			if i > start {
				stmt := append([]token(nil), toks[start:i]...)
				out = append(out, append(stmt, token{kind: tkEOF, pos: t.pos}))
			}
			start = i + 1
		}
	}
	return out, nil
}

// joinTokens writes the tokens back as text without the comments, so a
// consumer with other comment rules cannot read a statement differently.
func joinTokens(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		if t.kind == tkEOF {
			break
		}
		if t.space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}
