package databricks

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// QuoteIdentifier quotes a name for Databricks SQL: in back-quotes, with embedded
// back-quotes doubled. Use it where a name cannot be a parameter (a table in FROM, a
// principal in GRANT).
func QuoteIdentifier(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteString writes value as a Databricks SQL string literal, which reads back as
// exactly value. Prefer a named parameter wherever the statement allows one.
//
// The quote and the backslash are escaped; newline, return and tab are written \n, \r and
// \t; every other control character (NUL, C0, DEL, C1) is written \u00XX, so that the
// statement holds none. Not \0: Databricks reads a backslash followed by three octal
// digits as one character (SparkParserUtils.unescapeSQLString), so NUL followed by "12"
// written \012 would read back as a newline, whereas \u takes exactly four hex digits.
// Bytes that are not UTF-8 pass through unchanged.
func QuoteString(value string) string {
	var b strings.Builder
	b.Grow(len(value) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(value); {
		r, size := utf8.DecodeRuneInString(value[i:])
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case unicode.IsControl(r): // all below U+00A0
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteString(value[i : i+size])
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}
