package databricks

import "strings"

// QuoteIdentifier quotes a name for Databricks SQL: in back-quotes, with embedded
// back-quotes doubled. Use it where a name cannot be a parameter (a table in FROM, a
// principal in GRANT).
func QuoteIdentifier(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// stringLiteralEscapes are the characters a Databricks SQL string literal must escape:
// the quote and the backslash (which starts escape sequences), and the control
// characters that would otherwise break the statement across lines.
var stringLiteralEscapes = strings.NewReplacer(
	`\`, `\\`,
	`'`, `\'`,
	"\n", `\n`,
	"\r", `\r`,
	"\t", `\t`,
	"\x00", `\0`,
)

// QuoteString writes value as a Databricks SQL string literal, which reads back as
// exactly value. Prefer a named parameter wherever the statement allows one.
func QuoteString(value string) string {
	return "'" + stringLiteralEscapes.Replace(value) + "'"
}
