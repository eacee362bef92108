package emulator

import (
	"strings"
	"testing"
)

// TestOneStatementPerRequest: like Databricks, the emulator refuses a second
// statement, wherever it hides, and a refused request writes nothing.
func TestOneStatementPerRequest(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	mustSucceed(t, s, "CREATE TABLE main.default.t (a INT)")
	for _, c := range []struct{ sql, near, pos string }{
		{"SELECT 1 AS x; SELECT 2", "SELECT", "(line 1, pos 15)"},
		{"SELECT 1; INSERT INTO t VALUES (42)", "INSERT", "(line 1, pos 10)"},
		{"SELECT 1;\n\t;INSERT INTO t VALUES (42);", "INSERT", "(line 2, pos 2)"},
		{"SELECT 1 /* ; */ ; -- x\nDELETE FROM t", "DELETE", "(line 2, pos 0)"},
		{"SELECT 'a;b'; UPDATE t SET a = 1", "UPDATE", "(line 1, pos 14)"},
	} {
		st := query(t, s, c.sql)
		want := "[PARSE_SYNTAX_ERROR] Syntax error at or near '" + c.near + "': extra input '" + c.near + "'. SQLSTATE: 42601 " + c.pos
		if st.Status.State != statementFailed || st.Status.Error == nil || st.Status.Error.Message != want || st.Status.SQLState != "42601" {
			t.Errorf("%q: %+v, want message %q", c.sql, st.Status, want)
		}
	}
	if n := single(t, mustSucceed(t, s, "SELECT count(*) FROM t")); n != "0" {
		t.Fatalf("a refused request wrote %s rows", n)
	}
	for sql, want := range map[string]string{
		"SELECT 1":                        "1",
		"SELECT 1;":                       "1",
		"SELECT 1 ;; ;":                   "1",
		"SELECT 1; -- done":               "1",
		"SELECT 1;\n/* trailing\n */\n  ": "1",
		"SELECT ';' AS s":                 ";",
		"SELECT \"x;y\" AS s;":            "x;y",
		"SELECT 1 AS `a;b`":               "1",
		"SELECT 1 -- ; SELECT 2":          "1",
		"SELECT 1 /* ; /* ; */ ; */":      "1",
		// A backslash before the newline continues a -- comment, so the
		// second line is still comment.
		"SELECT 1 -- note \\\n; SELECT 2": "1",
	} {
		if got := single(t, mustSucceed(t, s, sql)); got != want {
			t.Errorf("%q: %s, want %s", sql, got, want)
		}
	}
}

func TestLex(t *testing.T) {
	t.Parallel()
	cases := []struct {
		src  string
		want []string // kind:value of each token but EOF
	}{
		{"SELECT a, `b``c`", []string{"w:SELECT", "w:a", "o:,", "i:b`c"}},
		{"x::INT <=> :p", []string{"w:x", "o:::", "w:INT", "o:<=>", "m:p"}},
		{`'it''s' "q\"x" 'a\nb' r'\d+' R"C:\new"`, []string{"s:it's", `s:q"x`, "s:a\nb", `s:\d+`, `s:C:\new`}},
		{`'\u00e9\101\0'`, []string{"s:éA\x00"}},
		{"1 2L 3.5D .5 1e5 1.5BD 7abc", []string{"n:1", "n:2L", "n:3.5D", "n:.5", "n:1e5", "n:1.5BD", "w:7abc"}},
		{"-- a\rb", []string{"w:b"}},
		{"-- a \\\nb\nc", []string{"w:c"}},
		{"/* a /* b */ c */ d /*+ hint */", []string{"w:d"}},
		{"a;b", []string{"w:a", "o:;", "w:b"}},
		{"a:b", []string{"w:a", "m:b"}},
	}
	for _, c := range cases {
		toks, err := lex(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		var got []string
		for _, tk := range toks[:len(toks)-1] {
			v := tk.text
			if tk.kind == tkIdent || tk.kind == tkString || tk.kind == tkMarker {
				v = tk.val
			}
			got = append(got, string("?wisnmo"[tk.kind])+":"+v)
		}
		if strings.Join(got, " | ") != strings.Join(c.want, " | ") {
			t.Errorf("%q:\n got %q\nwant %q", c.src, got, c.want)
		}
	}
	for src, class := range map[string]string{
		"SELECT /* open":   "UNCLOSED_BRACKETED_COMMENT",
		"SELECT /* /* */":  "UNCLOSED_BRACKETED_COMMENT",
		"SELECT 'open":     "PARSE_SYNTAX_ERROR",
		"SELECT `open":     "PARSE_SYNTAX_ERROR",
		"SELECT r'open":    "PARSE_SYNTAX_ERROR",
		"SELECT 'a\\'":     "PARSE_SYNTAX_ERROR",
		"SELECT \"a\"\"\"": "",
	} {
		_, err := lex(src)
		f, _ := err.(*sqlFailure)
		switch {
		case class == "" && err != nil:
			t.Errorf("%q: %v", src, err)
		case class != "" && (f == nil || f.class != class):
			t.Errorf("%q: %v, want %s", src, err, class)
		}
	}
}

func TestSplitStatements(t *testing.T) {
	t.Parallel()
	stmts, err := splitStatements("CREATE TABLE t (a STRING);\n-- one ; two\nINSERT INTO t VALUES ('x;y');\n;\nSELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 || !stmts[0][0].is("CREATE") || !stmts[1][0].is("INSERT") || !stmts[2][0].is("SELECT") {
		t.Fatalf("%d statements: %v", len(stmts), stmts)
	}
	for _, st := range stmts {
		if st[len(st)-1].kind != tkEOF {
			t.Errorf("statement does not end in EOF: %v", st)
		}
	}
}

// FuzzOneStatement: any text gets a verdict, never a panic, and text the
// check accepts holds no statement separator outside literals and comments.
func FuzzOneStatement(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1; SELECT 2", "SELECT ';'", "-- x\rINSERT", "-- a \\\n; b", "/* /* */ ; */", "`;`", "r';'", `'\';'`,
		"SELECT 1;;", "a:b::c", "1e", ".5x", "\x00;", "é;ü",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := lex(src)
		if err != nil {
			return
		}
		last := -1
		for _, tk := range toks {
			if tk.pos < last || tk.pos > len(src) {
				t.Fatalf("token %q at %d after %d", tk.text, tk.pos, last)
			}
			last = tk.pos
		}
		one, err := oneStatement(src, toks)
		if err != nil {
			return
		}
		for _, tk := range one {
			if tk.semicolon() {
				t.Fatalf("%q accepted with a separator", src)
			}
		}
		if one[len(one)-1].kind != tkEOF {
			t.Fatalf("%q: no EOF", src)
		}
	})
}
