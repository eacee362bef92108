package databricks_test

import (
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// trickyText are values that break naive quoting.
var trickyText = []string{
	"plain", "", "O'Connell", `it''s`, `back\slash`, `trailing\`, `\'`, "`tick`", `"double"`,
	"new\nline", "tab\there", "cr\rlf", "semi; DROP TABLE trips; --", "/* comment */", ":param", "日本語 ünï", "$dollar {brace}",
}

func TestQuoteIdentifier(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"trips": "`trips`", "my table": "`my table`", "a`b": "`a``b`", "``": "``````", "analysts@example.com": "`analysts@example.com`",
	} {
		if got := databricks.QuoteIdentifier(in); got != want {
			t.Errorf("QuoteIdentifier(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestQuoteString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"plain": "'plain'", "O'Connell": `'O\'Connell'`, `back\slash`: `'back\\slash'`, "new\nline": `'new\nline'`, "": "''",
		// Not \0: Databricks would read \012 as one character, a newline.
		"nul\x00": `'nul\u0000'`, "\x0012": `'\u000012'`, "esc\x1b[0m": `'esc\u001b[0m'`, "\u0085": `'\u0085'`,
	} {
		if got := databricks.QuoteString(in); got != want {
			t.Errorf("QuoteString(%q) = %s, want %s", in, got, want)
		}
	}
}

// controlText are values with control characters, which QuoteString writes as escapes.
var controlText = []string{"nul\x00", "\x0012", "\x007 after nul", "\x01\x1f\x7f", "\x1b[31mred\x1b[0m", "\u0085\u009f", "\b\f\v\x1a"}
