package databricks

import (
	"errors"
	"strings"
	"testing"
)

// The fuzz targets of this file feed any text to the SQL lexer and the checks built on it:
// any text in, a verdict out, never a panic. What CheckReadOnly accepts is checked again
// by a second, simpler reading (readOnlyOracle) of what a statement runs.

func sqlFuzzSeeds(f *testing.F) {
	for _, s := range readOnlyStatements {
		f.Add(s)
	}
	for _, s := range bypasses {
		f.Add(s)
	}
	for _, s := range []string{
		"", ";", "/*", "*/", "--", "'", `'\`, "`", "$$", "$a$", "r'", `R"`, "1E-5r'x'", "1.5é://a--b",
		"WITH c AS (SELECT 1) (SELECT 1) INSERT INTO t SELECT 1",
		"WITH c (a, b) MAX RECURSION LEVEL 3 AS (SELECT 1, 2) FROM c INSERT INTO t SELECT *",
		"((((WITH c AS ((SELECT 1)) SELECT 1))))",
		"SELECT /*+ REPARTITION(3) */ a FROM t; -- x \\\nINSERT",
	} {
		f.Add(s)
	}
}

// FuzzSQLLexer: tokens come in order, each non-empty and inside the text; what lies between
// them is only white space and comments; each token, lexed alone, is the same token.
func FuzzSQLLexer(f *testing.F) {
	sqlFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		l := sqlLexer{text: s}
		prev := 0
		for steps := 0; ; steps++ {
			if steps > len(s) {
				t.Fatalf("more tokens than bytes in %q", s)
			}
			tok, ok, err := l.next()
			if err != nil {
				var syntax *SyntaxError
				if !errors.As(err, &syntax) || syntax.unclosed == unclosedNone {
					t.Fatalf("lexing %q: an error of no known kind: %v", s, err)
				}
				if _, ok, err := l.next(); ok || err != nil {
					t.Fatalf("lexing %q: a token after an error", s)
				}
				return
			}
			if !ok {
				checkGap(t, s, s[prev:])
				return
			}
			if tok.start < prev || tok.end <= tok.start || tok.end > len(s) {
				t.Fatalf("lexing %q: token [%d,%d) after offset %d", s, tok.start, tok.end, prev)
			}
			checkGap(t, s, s[prev:tok.start])
			text := s[tok.start:tok.end]
			alone := sqlLexer{text: text}
			again, ok, err := alone.next()
			if !ok || err != nil || again.kind != tok.kind || again.end != len(text) {
				t.Fatalf("lexing %q: token %q of kind %d lexes alone as %+v, %v", s, text, tok.kind, again, err)
			}
			prev = tok.end
		}
	})
}

// checkGap fails unless gap, the text between two tokens, is only white space and comments.
func checkGap(t *testing.T, s, gap string) {
	t.Helper()
	l := sqlLexer{text: gap}
	if tok, ok, err := l.next(); ok || err != nil {
		t.Fatalf("lexing %q: the gap %q holds a token %+v (%v)", s, gap, tok, err)
	}
}

// FuzzCheckReadOnly: any text gets one of the documented verdicts, and a statement that is
// accepted holds no second statement and reads by readOnlyOracle's reckoning.
func FuzzCheckReadOnly(f *testing.F) {
	sqlFuzzSeeds(f)
	f.Fuzz(func(t *testing.T, sql string) {
		err := CheckReadOnly(sql)
		var notReadOnly *NotReadOnlyError
		var syntax *SyntaxError
		switch {
		case err == nil:
		case errors.Is(err, ErrEmptyStatement), errors.Is(err, ErrMultipleStatements), errors.As(err, &syntax):
		case errors.As(err, &notReadOnly):
			if notReadOnly.Keyword != "" && sqlKeywords[notReadOnly.Keyword] == "" {
				t.Fatalf("CheckReadOnly(%q) names %q, which is not in the keyword list", sql, notReadOnly.Keyword)
			}
		default:
			t.Fatalf("CheckReadOnly(%q) = %v, of no documented kind", sql, err)
		}
		if errors.Is(CheckStatement(sql), ErrEmptyStatement) != errors.Is(err, ErrEmptyStatement) && syntax == nil {
			t.Fatalf("CheckStatement and CheckReadOnly disagree on whether %q is empty", sql)
		}
		if err != nil {
			return
		}
		if err := CheckStatement(sql); err != nil {
			t.Fatalf("CheckReadOnly accepts %q, CheckStatement refuses it: %v", sql, err)
		}
		toks, lexErr := sqlTokens(sql)
		if lexErr != nil {
			t.Fatalf("CheckReadOnly accepts %q, which does not lex: %v", sql, lexErr)
		}
		for i, tok := range toks {
			if isSQLSymbol(sql, tok, ";") {
				for _, after := range toks[i+1:] {
					if !isSQLSymbol(sql, after, ";") {
						t.Fatalf("CheckReadOnly accepts %q, which holds a second statement", sql)
					}
				}
				toks = toks[:i]
				break
			}
		}
		if problem := readOnlyOracle(sql, toks); problem != "" {
			t.Fatalf("CheckReadOnly accepts %q: %s", sql, problem)
		}
	})
}

// readOnlyOracle reads one statement's tokens more loosely than CheckReadOnly, scanning
// rather than following the grammar of the WITH clause, and says what in them might write.
// After WITH, the statement proper is what follows the first closing parenthesis at the
// WITH's depth that is neither followed by a comma nor closes the list of column names
// that follows a name (and comes before the query's "(", AS or MAX RECURSION LEVEL).
func readOnlyOracle(text string, toks []sqlToken) string {
	if len(toks) == 0 {
		return "an empty statement"
	}
	switch sqlKeyword(text, toks[0]) {
	case "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LIST":
		return ""
	}
	for len(toks) > 0 && isSQLSymbol(text, toks[0], "(") {
		toks = toks[1:]
	}
	if len(toks) == 0 {
		return "only parentheses"
	}
	switch kw := sqlKeyword(text, toks[0]); kw {
	case "SELECT", "VALUES", "TABLE":
		return ""
	case "FROM":
		// The FROM rule is a plain scan already (checkFromStatement): shared, not copied.
		if checkFromStatement(text, toks[1:]) != nil {
			return "INSERT follows FROM"
		}
		return ""
	case "WITH":
		depth, group := 0, 0
		for i := 1; i < len(toks); i++ {
			if isSQLSymbol(text, toks[i], "(") {
				if depth == 0 {
					group = i
				}
				depth++
				continue
			}
			if !isSQLSymbol(text, toks[i], ")") {
				continue
			}
			depth--
			switch {
			case depth < 0:
				return "a WITH clause that ends the query"
			case depth > 0:
				continue
			case i+1 == len(toks):
				return "a WITH clause without a statement after it"
			}
			next := toks[i+1]
			// Column names come right after the name, which comes after WITH, RECURSIVE or ",".
			names := false
			if group >= 2 {
				before := toks[group-2]
				names = isSQLNameList(text, toks[group+1:i]) &&
					(isSQLSymbol(text, before, ",") || sqlKeyword(text, before) == "WITH" || sqlKeyword(text, before) == "RECURSIVE")
			}
			if isSQLSymbol(text, next, ",") ||
				names && (isSQLSymbol(text, next, "(") || sqlKeyword(text, next) == "AS" || sqlKeyword(text, next) == "MAX") {
				continue
			}
			if problem := readOnlyOracle(text, toks[i+1:]); problem != "" {
				return "after the WITH clause, " + problem
			}
			return ""
		}
		return "a WITH clause without a statement after it"
	default:
		return "it starts with " + kw
	}
}

// FuzzLeadingKeywords: whatever the text, the words returned are keywords of the fixed
// list, at most n of them, and they are the text's own first words.
func FuzzLeadingKeywords(f *testing.F) {
	for _, s := range readOnlyStatements {
		f.Add(s, 3)
	}
	f.Add("CREATE OR REPLACE TABLE t (a STRING) COMMENT 'hunter2'", 9)
	f.Add("\u0131nsert \u0131nto `SELECT` VALUES ('x')", 4)
	f.Fuzz(func(t *testing.T, sql string, n int) {
		got := LeadingKeywords(sql, n)
		if got == "" {
			return
		}
		words := strings.Split(got, " ")
		if len(words) > n {
			t.Fatalf("LeadingKeywords(%q, %d) = %q: more than %d words", sql, n, got, n)
		}
		for _, w := range words {
			if sqlKeywords[w] != w {
				t.Fatalf("LeadingKeywords(%q, %d) = %q: %q is not in the keyword list", sql, n, got, w)
			}
		}
		toks, _ := sqlTokens(sql)
		for len(toks) > 0 && isSQLSymbol(sql, toks[0], "(") {
			toks = toks[1:]
		}
		for i, w := range words {
			if i >= len(toks) || sqlKeyword(sql, toks[i]) != w {
				t.Fatalf("LeadingKeywords(%q, %d) = %q: word %d is not the text's", sql, n, got, i+1)
			}
		}
	})
}
