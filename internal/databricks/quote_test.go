package databricks_test

import (
	"context"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
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

// Whatever goes in comes back out of the SQL engine unchanged, as a value and as a
// column name.
func TestQuotedTextReadsBack(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	for _, text := range controlText {
		res, err := client.Query(context.Background(), query("SELECT "+databricks.QuoteString(text)+" AS v"))
		if err != nil {
			t.Fatalf("QuoteString(%q): %v", text, err)
		}
		if got := res.Rows[0][0].Text; got != text {
			t.Errorf("QuoteString(%q) reads back as %q", text, got)
		}
	}
	for _, text := range trickyText {
		res, err := client.Query(context.Background(), query("SELECT "+databricks.QuoteString(text)+" AS v"))
		if err != nil {
			t.Fatalf("QuoteString(%q): %v", text, err)
		}
		if got := res.Rows[0][0].Text; got != text {
			t.Errorf("QuoteString(%q) reads back as %q", text, got)
		}
		if text == "" {
			continue // no empty identifiers
		}
		res, err = client.Query(context.Background(), query("SELECT 1 AS "+databricks.QuoteIdentifier(text)))
		if err != nil {
			t.Fatalf("QuoteIdentifier(%q): %v", text, err)
		}
		if got := res.Columns[0].Name; got != text {
			t.Errorf("QuoteIdentifier(%q) reads back as column %q", text, got)
		}
	}
}
