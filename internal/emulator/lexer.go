package emulator

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexer reads Databricks SQL the way Databricks' own grammar does, so that
// nothing inside a string literal, a back-quoted identifier or a comment is
// ever taken for a keyword, a parameter marker or a statement separator:
//   - `--` comments end at \r or \n, and a backslash before the newline
//     continues them;
//   - /* */ comments nest (hints /*+ */ are comments here too);
//   - 'x' and "x" are string literals with backslash escapes and doubled
//     quotes; r'x' and R"x" are raw (no escapes);
//   - `x` is an identifier, with `` for a back-quote inside.

type tokenKind int

const (
	tkEOF    tokenKind = iota
	tkWord             // a bare identifier or keyword
	tkIdent            // a back-quoted identifier; val is the name
	tkString           // a string literal; val is its value
	tkNumber           // a numeric literal, suffix (L, S, Y, D, F, BD) included
	tkMarker           // a named parameter marker :name; val is the name
	tkOp               // punctuation and operators, `;` included
)

type token struct {
	kind  tokenKind
	text  string // as written
	val   string // decoded value (tkIdent, tkString, tkMarker)
	pos   int    // byte offset in the statement
	space bool   // whitespace or a comment comes before it
}

// is reports whether t is the keyword kw (upper case), written bare.
func (t token) is(kw string) bool { return t.kind == tkWord && strings.EqualFold(t.text, kw) }

// semicolon reports whether t separates statements.
func (t token) semicolon() bool { return t.kind == tkOp && t.text == ";" }

// name is the identifier t stands for, or "" when it is not one.
func (t token) name() string {
	switch t.kind {
	case tkWord:
		return t.text
	case tkIdent:
		return t.val
	}
	return ""
}

// operators are the multi-character operators, longest first.
var operators = []string{"<=>", "::", "<>", "!=", "<=", ">=", "==", "||", "->", "=>", "<<", ">>", "&&"}

// lex splits src into tokens. The last token is always tkEOF.
func lex(src string) ([]token, error) {
	l := lexer{src: src}
	for {
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		l.toks = append(l.toks, t)
		if t.kind == tkEOF {
			return l.toks, nil
		}
	}
}

type lexer struct {
	src  string
	pos  int
	toks []token
}

// peek returns the byte after the current one, or 0 at the end.
func (l *lexer) peek() byte {
	if l.pos+1 < len(l.src) {
		return l.src[l.pos+1]
	}
	return 0
}

// skipBlank skips whitespace and comments, reporting whether it skipped any.
func (l *lexer) skipBlank() (bool, error) {
	skipped := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			l.pos++
		case c == '-' && l.peek() == '-':
			l.pos += 2
			for l.pos < len(l.src) {
				if l.src[l.pos] == '\\' && l.peek() == '\n' {
					l.pos += 2
					continue
				}
				if l.src[l.pos] == '\n' || l.src[l.pos] == '\r' {
					break
				}
				l.pos++
			}
		case c == '/' && l.peek() == '*':
			start, depth := l.pos, 0
			for {
				if l.pos >= len(l.src) {
					return false, &sqlFailure{class: "UNCLOSED_BRACKETED_COMMENT", sqlState: "42601", text: "Found an unclosed bracketed comment. Please, append */ at the end of the comment.", position: linePos(l.src, start)}
				}
				if l.src[l.pos] == '/' && l.peek() == '*' {
					depth++
					l.pos += 2
				} else if l.src[l.pos] == '*' && l.peek() == '/' {
					depth--
					l.pos += 2
					if depth == 0 {
						break
					}
				} else {
					l.pos++
				}
			}
		default:
			return skipped, nil
		}
		skipped = true
	}
	return skipped, nil
}

func (l *lexer) next() (token, error) {
	space, err := l.skipBlank()
	if err != nil {
		return token{}, err
	}
	t := token{pos: l.pos, space: space || l.pos == 0}
	if l.pos >= len(l.src) {
		t.kind = tkEOF
		return t, nil
	}
	c := l.src[l.pos]
	switch {
	case (c == 'r' || c == 'R') && (l.peek() == '\'' || l.peek() == '"'):
		quote := l.peek()
		end := strings.IndexByte(l.src[l.pos+2:], quote)
		if end < 0 {
			return t, unterminated(l.src, l.pos)
		}
		t.kind, t.val = tkString, l.src[l.pos+2:l.pos+2+end]
		l.pos += end + 3
	case c == '\'' || c == '"':
		val, n, ok := readString(l.src[l.pos:])
		if !ok {
			return t, unterminated(l.src, l.pos)
		}
		t.kind, t.val = tkString, val
		l.pos += n
	case c == '`':
		var b strings.Builder
		i := l.pos + 1
		for {
			if i >= len(l.src) {
				return t, unterminated(l.src, l.pos)
			}
			if l.src[i] == '`' {
				if i+1 < len(l.src) && l.src[i+1] == '`' {
					b.WriteByte('`')
					i += 2
					continue
				}
				break
			}
			b.WriteByte(l.src[i])
			i++
		}
		t.kind, t.val = tkIdent, b.String()
		l.pos = i + 1
	case c == ':' && l.peek() != ':' && isIdentStart(l.peek()):
		i := l.pos + 1
		for i < len(l.src) && isIdentByte(l.src[i]) {
			i++
		}
		t.kind, t.val = tkMarker, l.src[l.pos+1:i]
		l.pos = i
	case c >= '0' && c <= '9' || c == '.' && l.peek() >= '0' && l.peek() <= '9':
		l.pos = l.number()
		t.kind = tkNumber
		if l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
			// Digits followed by letters are an identifier in Databricks.
			for l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
				l.pos++
			}
			t.kind = tkWord
		}
	case isIdentStart(c):
		for l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
			l.pos++
		}
		t.kind = tkWord
	default:
		t.kind = tkOp
		n := 1
		for _, op := range operators {
			if strings.HasPrefix(l.src[l.pos:], op) {
				n = len(op)
				break
			}
		}
		if c >= 0x80 {
			_, n = utf8.DecodeRuneInString(l.src[l.pos:])
		}
		l.pos += n
	}
	t.text = l.src[t.pos:l.pos]
	return t, nil
}

// number scans a numeric literal from l.pos and returns where it ends: digits,
// a fraction, an exponent and a type suffix.
func (l *lexer) number() int {
	i := l.pos
	digits := func() {
		for i < len(l.src) && l.src[i] >= '0' && l.src[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(l.src) && l.src[i] == '.' {
		i++
		digits()
	}
	if i < len(l.src) && (l.src[i] == 'e' || l.src[i] == 'E') {
		j := i + 1
		if j < len(l.src) && (l.src[j] == '+' || l.src[j] == '-') {
			j++
		}
		if j < len(l.src) && l.src[j] >= '0' && l.src[j] <= '9' {
			i = j
			digits()
		}
	}
	rest := strings.ToUpper(l.src[i:min(i+2, len(l.src))])
	switch {
	case strings.HasPrefix(rest, "BD"):
		i += 2
	case rest != "" && strings.ContainsRune("LSYDF", rune(rest[0])):
		i++
	}
	return i
}

// readString decodes the string literal at the start of s and returns its
// value and length.
func readString(s string) (string, int, bool) {
	quote := s[0]
	var val strings.Builder
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == quote && i+1 < len(s) && s[i+1] == quote:
			val.WriteByte(quote)
			i += 2
		case c == quote:
			return val.String(), i + 1, true
		case c == '\\' && i+1 < len(s):
			i += unescape(s[i:], &val)
		default:
			val.WriteByte(c)
			i++
		}
	}
	return "", 0, false
}

// unescape decodes the backslash escape at the start of s into val and
// returns its length.
func unescape(s string, val *strings.Builder) int {
	e := s[1]
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
		if 2+n <= len(s) {
			if r, err := strconv.ParseUint(s[2:2+n], 16, 32); err == nil && utf8.ValidRune(rune(r)) {
				val.WriteRune(rune(r))
				return 2 + n
			}
		}
		val.WriteByte(e)
	case '0', '1', '2', '3':
		if len(s) >= 4 {
			if r, err := strconv.ParseUint(s[1:4], 8, 8); err == nil {
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

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func unterminated(src string, pos int) error {
	return syntaxErrorAt(src, pos, "", "the literal or quoted identifier that starts here is not closed")
}

// syntaxErrorAt is Databricks' PARSE_SYNTAX_ERROR, with the line and the
// position in the line (from 0) where the parser stopped, as Databricks
// reports them.
func syntaxErrorAt(src string, pos int, near, why string) *sqlFailure {
	text := fmt.Sprintf("Syntax error at or near '%s'", near)
	if near == "" {
		text = "Syntax error at or near end of input"
	}
	if why != "" {
		text += ": " + why
	}
	return &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: text + ".", position: linePos(src, pos)}
}

// linePos spells a byte offset the way Databricks' parser does: "(line 2, pos 4)".
func linePos(src string, pos int) string {
	pos = min(pos, len(src))
	line := 1 + strings.Count(src[:pos], "\n")
	col := utf8.RuneCountInString(src[strings.LastIndexByte(src[:pos], '\n')+1 : pos])
	return fmt.Sprintf("(line %d, pos %d)", line, col)
}
