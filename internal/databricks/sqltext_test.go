package databricks

import (
	"errors"
	"strings"
	"testing"
)

// lexAll renders the tokens of s as "kind:text" separated by spaces, and the error that
// stopped the lexer.
func lexAll(s string) (string, error) {
	l := sqlLexer{text: s}
	var out []string
	for {
		tok, ok, err := l.next()
		if err != nil || !ok {
			return strings.Join(out, " "), err
		}
		out = append(out, map[sqlTokenKind]string{
			sqlWord: "w", sqlPath: "p", sqlString: "str", sqlQuotedName: "q", sqlDollarString: "d", sqlSymbol: "s",
		}[tok.kind]+":"+s[tok.start:tok.end])
	}
}

// Each case is one rule of Spark's SqlBaseLexer.g4, named in the case.
func TestSQLLexer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ rule, in, want string }{
		{"words and numbers", "SELECT 1, a_b2 FROM t", "w:SELECT w:1 s:, w:a_b2 w:FROM w:t"},
		{"WS is Spark's set", "a\u00a0b\u3000c\u2028d", "w:a w:b w:c w:d"},
		{"WS is not Go's unicode.IsSpace", "a\u0085b", "w:a s:\u0085 w:b"},
		{"unicode letters", "SELECT 名前, ünï", "w:SELECT w:名前 s:, w:ünï"},

		{"SIMPLE_COMMENT ends at \\n", "-- c\nSELECT", "w:SELECT"},
		{"SIMPLE_COMMENT ends at a bare \\r", "-- c\rINSERT", "w:INSERT"},
		{"SIMPLE_COMMENT ends at \\r\\n", "-- c\r\nINSERT", "w:INSERT"},
		{"SIMPLE_COMMENT runs to the end", "SELECT 1 -- c", "w:SELECT w:1"},
		{"backslash-newline continues SIMPLE_COMMENT", "-- c \\\nSELECT 1\nINSERT", "w:INSERT"},
		{"backslash-newline continues after a backslash", "-- c \\\\\nSELECT 1\nINSERT", "w:INSERT"},
		{"backslash-CRLF does not continue", "-- c \\\r\nINSERT", "w:INSERT"},
		{"--> is a comment, not MINUS ARROW", "1 -->x\n2", "w:1 w:2"},
		{"-> is two symbols", "a->b", "w:a s:- s:> w:b"},

		{"BRACKETED_COMMENT", "/* c */SELECT/**/1", "w:SELECT w:1"},
		{"BRACKETED_COMMENT nests", "/* a /* b */ INSERT */ SELECT", "w:SELECT"},
		{"/*+ inside a comment opens nothing", "/* a /*+ b */ c */", "w:c s:*/"},
		{"/*+ is a hint, whose contents are code", "SELECT /*+ BROADCAST(t) */ 1", "w:SELECT s:/*+ w:BROADCAST s:( w:t s:) s:*/ w:1"},
		{"*/ is HENT_END, so */* opens no comment", "SELECT /*+ X */* FROM t", "w:SELECT s:/*+ w:X s:*/ s:* w:FROM w:t"},
		{"*/ outside a hint", "2*/*x*/3", "w:2 s:*/ s:* w:x s:*/ w:3"},
		{"-- inside a block comment", "/* -- */ x", "w:x"},
		{"/* inside a line comment", "-- /*\nx", "w:x"},

		{"STRING_LITERAL", "'a;b' 'x'", "str:'a;b' str:'x'"},
		{"STRING_LITERAL escapes", `'it\'s' 'x\\' 'a\\\'b'`, `str:'it\'s' str:'x\\' str:'a\\\'b'`},
		{"adjacent literals", "'a''b'", "str:'a' str:'b'"},
		{"DOUBLEQUOTED_STRING", `"a\"b" "c"`, `str:"a\"b" str:"c"`},
		{"comment marks inside literals", `'--' "/*" '*/'`, `str:'--' str:"/*" str:'*/'`},
		{"raw literal: no escapes", `r'\' x`, `str:r'\' w:x`},
		{"raw double-quoted literal", `R"a\" b`, `str:R"a\" w:b`},
		{"r in a name is no prefix", "bar'x'", "w:bar str:'x'"},
		{"r after a number is no prefix", "1r'x'", "w:1r str:'x'"},

		{"BACKQUOTED_IDENTIFIER", "`a``b;` x", "q:`a``b;` w:x"},
		{"back-quotes hold quotes", "`it's`", "q:`it's`"},

		{"EXPONENT_VALUE with a sign ends before a raw prefix", `1E-5r'\' x`, `w:1E-5 str:r'\' w:x`},
		{"with a sign and a suffix", "1e+5BD", "w:1e+5BD"},
		{"without a sign, a number is a word", "1E5r'x'", "w:1E5r str:'x'"},
		{"--, not an exponent", "1E--5", "w:1E"},
		{"DECIMAL_VALUE", "1.5 .5 1. 1.5E-3D", "w:1.5 w:.5 w:1. w:1.5E-3D"},
		{"isValidDecimal refuses a letter after it", "1.5r'x'", "w:1 s:. w:5r str:'x'"},
		{"isValidDecimal allows a non-ASCII letter after it", "1.5é", "w:1.5 w:é"},
		{"after a dot, a name", "t.5col a.b", "w:t s:. w:5col w:a s:. w:b"},
		{"isValidDecimal sees ı as I", "1.5ı", "w:1 s:. w:5ı"},

		{"IDENTIFIER's URI form holds --", "parquet.file://a/--b;x", "w:parquet s:. p:file://a/--b s:; w:x"},
		{"URI form needs letters only before ://", "s3://a--b", "w:s3 s:: s:/ s:/ w:a"},
		{"URI form needs a path character after ://", "file:// x", "w:file s:: s:/ s:/ w:x"},

		{"$$ strings", "$$ it's -- $$ x", "d:$$ it's -- $$ w:x"},
		{"$tag$ strings", "$fn$ a $$ b $fn$;", "d:$fn$ a $$ b $fn$ s:;"},
		{"a lone $", "$1 a$", "s:$ w:1 w:a s:$"},

		{"other symbols", "a<=>b::c", "w:a s:< s:= s:> w:b s:: s:: w:c"},
		{"only blanks and comments", " \t/* a */ -- b\n", ""},
	} {
		got, err := lexAll(c.in)
		if err != nil || got != c.want {
			t.Errorf("%s: lexing %q = %q, %v; want %q", c.rule, c.in, got, err, c.want)
		}
	}
}

func TestSQLLexerUnclosed(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]unclosedKind{
		"/* a":            unclosedComment,
		"/* a /* b */":    unclosedComment, // nested: the outer one stays open
		"/*/**/ x":        unclosedComment,
		"/*":              unclosedComment,
		"SELECT 'a":       unclosedString,
		`SELECT 'a\'`:     unclosedString,
		`SELECT 'a\`:      unclosedString,
		`SELECT "a`:       unclosedString,
		"SELECT r'a":      unclosedString,
		`SELECT R"a`:      unclosedString,
		"SELECT `a":       unclosedName,
		"SELECT `a``":     unclosedName,
		"SELECT $$ a $ $": unclosedDollar,
		"$x$ a $y$":       unclosedDollar,
	} {
		_, err := lexAll(in)
		var syntax *SyntaxError
		if !errors.As(err, &syntax) || syntax.unclosed != want {
			t.Errorf("lexing %q: %v, want an unclosed kind %d", in, err, want)
		}
	}
}

func TestSQLKeyword(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"select": "SELECT", "InSeRt": "INSERT",
		"\u0131nsert": "INSERT", // dotless ı upper-cases to I, as in Spark's UpperCaseCharStream
		"ſelect":      "SELECT", // long s upper-cases to S
		"ＩＮＳＥＲＴ":      "",       // full-width letters do not
		"trips":       "", "insert_x": "", "`INSERT`": "", "'INSERT'": "", "DATA": "",
	} {
		l := sqlLexer{text: in}
		tok, _, _ := l.next()
		if got := sqlKeyword(in, tok); got != want {
			t.Errorf("sqlKeyword(%q) = %q, want %q", in, got, want)
		}
	}
}
