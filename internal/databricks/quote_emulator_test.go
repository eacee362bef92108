//go:build cgo

package databricks_test

import (
	"context"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

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
