package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// mainCatalog is the DuckDB name of the catalog Databricks calls `main`:
// DuckDB reserves "main" for itself, so SQL that names `main.` is rewritten.
const mainCatalog = "main_catalog"

// translation is Databricks SQL rewritten for DuckDB.
type translation struct {
	sql  string
	used []string // names of the parameters the text refers to, each once
}

// translateSQL rewrites one Databricks SQL statement into DuckDB SQL.
//
// It walks the text once, the way a lexer would, so that nothing inside a
// string literal, a quoted identifier or a comment is ever taken for a marker:
//   - a named marker :name becomes CAST($name AS <type>), $name for STRING, or
//     NULL for VOID; the value is bound by the driver, never spliced into the
//     text;
//   - `::` is a cast and is left alone;
//   - 'x' and "x" are string literals in Databricks (with backslash escapes,
//     and r'...' raw literals) and become standard DuckDB '...' literals;
//   - `ident` becomes "ident";
//   - `main.` (the catalog) becomes main_catalog. and `default` next to a dot
//     is quoted, since DuckDB reserves both words;
//   - USE CATALOG|SCHEMA|DATABASE x becomes USE x;
//   - current_user() and session_user() name the emulated user,
//     current_catalog() says main rather than DuckDB's name for it, and
//     current_timestamp() loses the parentheses DuckDB does not take.
//
// A marker without a parameter fails like Databricks: UNBOUND_SQL_PARAMETER.
// Unterminated literals are copied through, so DuckDB reports the syntax error.
func translateSQL(src string, params map[string]parameter, user string) (translation, error) {
	tr := translator{src: src, params: params, user: user, seen: map[string]bool{}}
	if err := tr.run(); err != nil {
		return translation{}, err
	}
	return translation{sql: tr.out.String(), used: tr.used}, nil
}

type translator struct {
	src    string
	pos    int
	out    strings.Builder
	params map[string]parameter
	user   string // what current_user() answers
	seen   map[string]bool
	used   []string
	// words counts the words of the statement so far, to spot USE CATALOG.
	words      int
	firstWord  string
	useCatalog bool
}

func (t *translator) run() error {
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == '-' && t.peek() == '-':
			end := strings.IndexByte(t.src[t.pos:], '\n')
			if end < 0 {
				end = len(t.src) - t.pos
			}
			t.copy(end)
		case c == '/' && t.peek() == '*':
			t.blockComment()
		case (c == 'r' || c == 'R') && (t.peek() == '\'' || t.peek() == '"') && !t.prevIdent():
			t.pos++
			t.stringLiteral(true)
		case c == '\'' || c == '"':
			t.stringLiteral(false)
		case c == '`':
			t.backtick()
		case c == ';':
			t.words, t.firstWord, t.useCatalog = 0, "", false
			t.copy(1)
		case c == ':' && t.peek() == ':':
			t.copy(2)
		case c == ':' && isIdentStart(t.peek()):
			if err := t.marker(); err != nil {
				return err
			}
		case c >= '0' && c <= '9':
			start := t.pos
			for t.pos < len(t.src) && (isIdentByte(t.src[t.pos]) || t.src[t.pos] == '.') {
				t.pos++
			}
			t.out.WriteString(t.src[start:t.pos])
		case isIdentStart(c):
			t.word()
		default:
			t.copy(1)
		}
	}
	return nil
}

// peek returns the byte after the current one, or 0 at the end.
func (t *translator) peek() byte {
	if t.pos+1 < len(t.src) {
		return t.src[t.pos+1]
	}
	return 0
}

func (t *translator) copy(n int) {
	t.out.WriteString(t.src[t.pos : t.pos+n])
	t.pos += n
}

func (t *translator) prevIdent() bool {
	return t.pos > 0 && isIdentByte(t.src[t.pos-1])
}

// blockComment copies a /* */ comment; they nest in Databricks SQL.
func (t *translator) blockComment() {
	start, depth := t.pos, 0
	for t.pos < len(t.src) {
		switch {
		case t.src[t.pos] == '/' && t.peek() == '*':
			depth++
			t.pos += 2
		case t.src[t.pos] == '*' && t.peek() == '/':
			depth--
			t.pos += 2
			if depth == 0 {
				t.out.WriteString(t.src[start:t.pos])
				return
			}
		default:
			t.pos++
		}
	}
	t.out.WriteString(t.src[start:])
}

// stringLiteral reads a Databricks string literal at t.pos and writes the same
// value as a DuckDB literal.
func (t *translator) stringLiteral(raw bool) {
	start := t.pos
	if raw {
		start--
	}
	quote := t.src[t.pos]
	t.pos++
	var val strings.Builder
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		switch {
		case c == quote && t.peek() == quote:
			val.WriteByte(quote)
			t.pos += 2
		case c == quote:
			t.pos++
			t.out.WriteString(duckStringLiteral(val.String()))
			return
		case c == '\\' && t.pos+1 < len(t.src):
			if raw {
				// A raw literal keeps the backslash; it still cannot end on \'.
				val.WriteString(t.src[t.pos : t.pos+2])
				t.pos += 2
				continue
			}
			t.pos += t.escape(&val)
		default:
			val.WriteByte(c)
			t.pos++
		}
	}
	// Unterminated: hand the text to DuckDB untouched so that it reports it.
	t.out.WriteString(t.src[start:])
}

// escape decodes the backslash escape at t.pos into val and returns its length.
func (t *translator) escape(val *strings.Builder) int {
	e := t.src[t.pos+1]
	switch e {
	case 'n':
		val.WriteByte('\n')
	case 't':
		val.WriteByte('\t')
	case 'r':
		val.WriteByte('\r')
	case 'b':
		val.WriteByte('\b')
	case 'Z':
		val.WriteByte(0x1a)
	case '%', '_':
		// Kept with the backslash: they are LIKE-pattern escapes.
		val.WriteByte('\\')
		val.WriteByte(e)
	case 'u', 'U':
		n := 4
		if e == 'U' {
			n = 8
		}
		if t.pos+2+n <= len(t.src) {
			if r, err := strconv.ParseUint(t.src[t.pos+2:t.pos+2+n], 16, 32); err == nil && utf8.ValidRune(rune(r)) {
				val.WriteRune(rune(r))
				return 2 + n
			}
		}
		val.WriteByte(e)
	case '0', '1', '2', '3':
		if t.pos+4 <= len(t.src) {
			if r, err := strconv.ParseUint(t.src[t.pos+1:t.pos+4], 8, 8); err == nil {
				val.WriteByte(byte(r))
				return 4
			}
		}
		if e == '0' {
			val.WriteByte(0)
		} else {
			val.WriteByte(e)
		}
	default:
		// \\, \', \" and any other character stand for themselves.
		val.WriteByte(e)
	}
	return 2
}

// duckStringLiteral quotes s as a standard SQL literal. A NUL byte cannot be
// sent inside the query text (the C API reads it as the end), so it is spelled
// with chr(0).
func duckStringLiteral(s string) string {
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}

func duckIdentifier(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// backtick turns a `quoted identifier` into a DuckDB "quoted identifier".
func (t *translator) backtick() {
	start := t.pos
	t.pos++
	var name strings.Builder
	for t.pos < len(t.src) {
		c := t.src[t.pos]
		if c == '`' {
			if t.peek() == '`' {
				name.WriteByte('`')
				t.pos += 2
				continue
			}
			t.pos++
			t.identifier(name.String(), start, true)
			return
		}
		name.WriteByte(c)
		t.pos++
	}
	t.out.WriteString(t.src[start:])
}

// word handles a bare identifier or keyword.
func (t *translator) word() {
	start := t.pos
	for t.pos < len(t.src) && isIdentByte(t.src[t.pos]) {
		t.pos++
	}
	name := t.src[start:t.pos]
	if t.builtin(name) {
		return
	}
	t.identifier(name, start, false)
}

// builtin rewrites the Databricks functions whose DuckDB namesakes answer
// differently; it reports whether it wrote anything.
func (t *translator) builtin(name string) bool {
	rest := t.src[t.pos:]
	if !strings.HasPrefix(rest, "()") {
		return false
	}
	switch strings.ToUpper(name) {
	case "CURRENT_USER", "SESSION_USER", "USER":
		t.out.WriteString(duckStringLiteral(t.user))
	case "CURRENT_CATALOG":
		t.out.WriteString("replace(current_catalog(), '" + mainCatalog + "', 'main')")
	case "CURRENT_TIMESTAMP":
		t.out.WriteString("current_timestamp")
	default:
		return false
	}
	t.pos += 2
	t.words++
	return true
}

// identifier writes one identifier, applying the catalog and USE rewrites.
func (t *translator) identifier(name string, start int, quoted bool) {
	t.words++
	upper := strings.ToUpper(name)
	if t.words == 1 {
		t.firstWord = upper
	}
	if !quoted && t.words == 2 && t.firstWord == "USE" && (upper == "CATALOG" || upper == "SCHEMA" || upper == "DATABASE") {
		// DuckDB's USE takes the name alone; skip the keyword and its space.
		t.useCatalog = upper == "CATALOG"
		for t.pos < len(t.src) && (t.src[t.pos] == ' ' || t.src[t.pos] == '\t' || t.src[t.pos] == '\n') {
			t.pos++
		}
		return
	}
	afterDot := start > 0 && t.src[start-1] == '.'
	beforeDot := t.pos < len(t.src) && t.src[t.pos] == '.'
	switch {
	case upper == "MAIN" && (beforeDot && !afterDot || t.useCatalog && t.words == 3):
		t.out.WriteString(mainCatalog)
	case quoted || upper == "DEFAULT" && (beforeDot || afterDot || t.firstWord == "USE"):
		t.out.WriteString(duckIdentifier(name))
	default:
		t.out.WriteString(name)
	}
}

// marker replaces :name with the cast of its bound value.
func (t *translator) marker() error {
	t.pos++ // the colon
	start := t.pos
	for t.pos < len(t.src) && isIdentByte(t.src[t.pos]) {
		t.pos++
	}
	name := t.src[start:t.pos]
	p, ok := t.params[name]
	if !ok {
		return &sqlFailure{
			class:    "UNBOUND_SQL_PARAMETER",
			sqlState: "42P02",
			text:     fmt.Sprintf("Found the unbound parameter: %s. Please, fix `args` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as `map()`, `array()`, `struct()`.", name),
		}
	}
	if !t.seen[name] {
		t.seen[name] = true
		t.used = append(t.used, name)
	}
	if p.cast == "" {
		t.out.WriteString("NULL")
		return nil
	}
	if p.cast == "VARCHAR" {
		// Untyped, so that DuckDB casts the text to whatever it meets, as
		// Databricks does with a STRING parameter compared to a number or a
		// date. (A NULL STRING alone in a select list therefore reports INT.)
		t.out.WriteString("$" + name)
		return nil
	}
	t.out.WriteString("CAST($" + name + " AS " + p.cast + ")")
	return nil
}
