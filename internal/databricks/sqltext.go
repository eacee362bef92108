package databricks

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file splits Databricks SQL text into tokens the way the warehouse's own lexer does,
// so that the checks in sqlcheck.go see the statement Databricks will run: what is a
// comment, what is inside a literal, where a statement ends. A check that reads text
// differently from the warehouse can be fooled by text that hides a write from it, so the
// rules follow Spark's lexer (Databricks SQL is Spark SQL's dialect) rule by rule:
// apache/spark sql/api/src/main/antlr4/org/apache/spark/sql/catalyst/parser/SqlBaseLexer.g4,
// whose rule names are quoted below. Spark matches rules on the text upper-cased with
// Java's Character.toUpperCase (UpperCaseCharStream in parsers.scala), so "ınsert" (dotless
// ı) is the keyword INSERT; this file upper-cases the same way, rune by rune.
//
// The lexer makes one pass over the text: it never backtracks further than the token it is
// reading, so its time is linear in the length of the text.

type sqlTokenKind uint8

const (
	sqlWord         sqlTokenKind = iota + 1 // a keyword, an unquoted name or a number
	sqlPath                                 // an unquoted URI path (IDENTIFIER's second form), never a keyword
	sqlString                               // '…', "…", r'…' or R"…"
	sqlQuotedName                           // `…`
	sqlDollarString                         // $$…$$ or $tag$…$tag$
	sqlSymbol                               // anything else: one character, or the hint marks /*+ and */
)

type sqlToken struct {
	kind       sqlTokenKind
	start, end int // byte offsets into the text
}

// sqlLexer hands out the tokens of text one at a time.
type sqlLexer struct {
	text string
	pos  int
}

// next returns the next token, skipping white space and comments. ok is false at the end
// of the text. After an error (a comment, literal or quoted name that is never closed)
// nothing more is returned: the rest of the text cannot be split as Databricks would.
func (l *sqlLexer) next() (tok sqlToken, ok bool, err error) {
	s := l.text
	for l.pos < len(s) {
		i := l.pos
		switch {
		case strings.HasPrefix(s[i:], "--"):
			l.pos = simpleCommentEnd(s, i+2)
		case strings.HasPrefix(s[i:], "/*") && !strings.HasPrefix(s[i:], "/*+"):
			end, closed := bracketedCommentEnd(s, i+2)
			l.pos = end
			if !closed {
				return sqlToken{}, false, unclosedError(unclosedComment)
			}
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if isSparkSpace(r) {
				l.pos += size
				continue
			}
			tok, err = l.lexToken(i, r, size)
			if err != nil {
				l.pos = len(s)
				return sqlToken{}, false, err
			}
			l.pos = tok.end
			return tok, true, nil
		}
	}
	return sqlToken{}, false, nil
}

// lexToken reads the token that starts at i with the rune r of size bytes.
func (l *sqlLexer) lexToken(i int, r rune, size int) (sqlToken, error) {
	s := l.text
	switch {
	case r == '\'' || r == '"':
		// STRING_LITERAL / DOUBLEQUOTED_STRING: a backslash escapes the next character,
		// whatever it is, so \' does not end the literal.
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
			case s[i]:
				return sqlToken{sqlString, i, j + 1}, nil
			}
		}
		return sqlToken{}, unclosedError(unclosedString)
	case (r == 'r' || r == 'R') && i+1 < len(s) && (s[i+1] == '\'' || s[i+1] == '"'):
		// STRING_LITERAL's raw forms R'…' and R"…": no escapes, the next quote ends them.
		// Only at the start of a token: in "bar'x'" the r ends a name. When the raw
		// literal is not closed, Spark reads the r as a name and the quote as an ordinary
		// literal, which cannot be closed either, since no quote follows.
		if k := strings.IndexByte(s[i+2:], s[i+1]); k >= 0 {
			return sqlToken{sqlString, i, i + 2 + k + 1}, nil
		}
		return sqlToken{}, unclosedError(unclosedString)
	case r == '`':
		// BACKQUOTED_IDENTIFIER: '`' ( ~'`' | '``' )* '`'.
		for j := i + 1; j < len(s); j++ {
			if s[j] == '`' {
				if j+1 < len(s) && s[j+1] == '`' {
					j++
					continue
				}
				return sqlToken{sqlQuotedName, i, j + 1}, nil
			}
		}
		return sqlToken{}, unclosedError(unclosedName)
	case r == '$':
		return dollarToken(s, i)
	case isASCIIDigit(s[i]) || (s[i] == '.' && i+1 < len(s) && isASCIIDigit(s[i+1])):
		if end := numberEnd(s, i); end > i {
			return sqlToken{sqlWord, i, end}, nil
		}
		return sqlToken{sqlSymbol, i, i + 1}, nil // a '.' that starts no number: DOT
	case r == '_' || isSparkLetter(r):
		return wordToken(s, i), nil
	case strings.HasPrefix(s[i:], "*/"):
		return sqlToken{sqlSymbol, i, i + 2}, nil // HENT_END, longer than ASTERISK: */* is */ then *
	case strings.HasPrefix(s[i:], "/*+"):
		return sqlToken{sqlSymbol, i, i + 3}, nil // HENT_START: a hint's contents are code
	default:
		return sqlToken{sqlSymbol, i, i + size}, nil
	}
}

// simpleCommentEnd returns where a -- comment whose text starts at j ends. SIMPLE_COMMENT:
// '--' ('\\\n' | ~[\r\n])* '\r'? '\n'?: a bare \r ends it as well as \n, and a backslash
// right before \n continues it on the next line (the longest match wins, so a backslash
// before \n always continues, whatever precedes it). A backslash before \r\n does not.
func simpleCommentEnd(s string, j int) int {
	for j < len(s) {
		switch s[j] {
		case '\\':
			if j+1 < len(s) && s[j+1] == '\n' {
				j += 2
				continue
			}
		case '\r', '\n':
			if s[j] == '\r' {
				j++
			}
			if j < len(s) && s[j] == '\n' {
				j++
			}
			return j
		}
		j++
	}
	return j
}

// bracketedCommentEnd returns where a /* comment whose text starts at j ends, and whether
// it is closed. BRACKETED_COMMENT: '/*' {!isHint()}? ( BRACKETED_COMMENT | . )*? ('*/' |
// EOF): comments nest, the first */ closes the innermost one, and /*+ inside a comment
// opens nothing (the same isHint predicate). An unclosed comment runs to the end of the
// text and Spark refuses the statement (markUnclosedComment).
func bracketedCommentEnd(s string, j int) (int, bool) {
	depth := 1
	for j < len(s) {
		switch {
		case strings.HasPrefix(s[j:], "*/"):
			depth--
			j += 2
			if depth == 0 {
				return j, true
			}
		case strings.HasPrefix(s[j:], "/*") && !strings.HasPrefix(s[j:], "/*+"):
			depth++
			j += 2
		default:
			j++
		}
	}
	return len(s), false
}

// dollarToken reads $$…$$ or $tag$…$tag$ at i. Spark's lexer has no such token, but
// Databricks documents dollar_quoted_string for function bodies (CREATE FUNCTION … AS
// $$…$$), and a Python body holds quotes and comment marks that are not SQL. A $ that
// opens no such string is a symbol; Spark has no token for it, so a statement that holds
// one fails to parse.
func dollarToken(s string, i int) (sqlToken, error) {
	j := i + 1
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		tagRune := r == '_' || unicode.IsLetter(r) || (j > i+1 && isASCIIDigit(s[j]))
		if !tagRune {
			break
		}
		j += size
	}
	if j >= len(s) || s[j] != '$' {
		return sqlToken{sqlSymbol, i, i + 1}, nil
	}
	delimiter := s[i : j+1]
	k := strings.Index(s[j+1:], delimiter)
	if k < 0 {
		return sqlToken{}, unclosedError(unclosedDollar)
	}
	return sqlToken{sqlDollarString, i, j + 1 + k + len(delimiter)}, nil
}

// wordToken reads the name or keyword that starts at i with a letter or an underscore.
// IDENTIFIER: (UNICODE_LETTER | DIGIT | '_')+, or UNICODE_LETTER+ '://' followed by path
// characters: such a path may hold "--" or "#" that start nothing, and the longest match
// takes it whole.
func wordToken(s string, i int) sqlToken {
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isSparkLetter(r) {
			break
		}
		j += size
	}
	if j > i && strings.HasPrefix(s[j:], "://") {
		k := j + 3
		for k < len(s) {
			r, size := utf8.DecodeRuneInString(s[k:])
			if !isWordRune(r) && !strings.ContainsRune("/-.?=&#%", r) {
				break
			}
			k += size
		}
		if k > j+3 {
			return sqlToken{sqlPath, i, k}
		}
	}
	return sqlToken{sqlWord, i, sqlWordEnd(s, j)}
}

// numberEnd returns where the token that starts at i with a digit (or with '.' and a
// digit) ends, or i when it is a lone '.'. Most numbers end where a word would, but two
// forms do not, and the longest match takes them: an exponent with a sign (1E-5, 1E+5F,
// EXPONENT_VALUE and friends, which need nothing after them), so that in 1E-5r'…' the r
// starts a raw literal; and numbers with a decimal point (DECIMAL_VALUE, 1.5E3D …), which
// count only when no [A-Z0-9_] follows them (isValidDecimal).
func numberEnd(s string, i int) int {
	best := i
	if isASCIIDigit(s[i]) {
		best = sqlWordEnd(s, i)
	}
	digits := sqlDigitsEnd(s, i)
	if digits > i {
		if exp, signed := exponentEnd(s, digits); signed {
			best = max(best, numberSuffixEnd(s, exp))
		}
	}
	var point int // where the digits after the decimal point end
	switch {
	case digits > i && digits < len(s) && s[digits] == '.':
		point = sqlDigitsEnd(s, digits+1)
	case digits == i: // '.' and a digit
		point = sqlDigitsEnd(s, i+1)
	default:
		return best
	}
	ends := [4]int{point, numberSuffixEnd(s, point)}
	if exp, _ := exponentEnd(s, point); exp > 0 {
		ends[2], ends[3] = exp, numberSuffixEnd(s, exp)
	}
	for _, end := range ends {
		if end > best && validDecimalEnd(s, end) {
			best = end
		}
	}
	return best
}

// exponentEnd returns the end of EXPONENT ('E' [+-]? DIGIT+) at i, or -1, and whether it
// has a sign.
func exponentEnd(s string, i int) (int, bool) {
	if i >= len(s) || (s[i] != 'E' && s[i] != 'e') {
		return -1, false
	}
	j := i + 1
	signed := j < len(s) && (s[j] == '+' || s[j] == '-')
	if signed {
		j++
	}
	if k := sqlDigitsEnd(s, j); k > j {
		return k, signed
	}
	return -1, false
}

// numberSuffixEnd skips the type suffix F, D or BD of FLOAT_LITERAL, DOUBLE_LITERAL and
// BIGDECIMAL_LITERAL at i, if there is one.
func numberSuffixEnd(s string, i int) int {
	switch {
	case i < len(s) && strings.ContainsRune("FfDd", rune(s[i])):
		return i + 1
	case i+1 < len(s) && (s[i] == 'B' || s[i] == 'b') && (s[i+1] == 'D' || s[i+1] == 'd'):
		return i + 2
	}
	return i
}

// validDecimalEnd is Spark's isValidDecimal: a decimal number may end at i when the
// character there, upper-cased, is not A-Z, 0-9 or _.
func validDecimalEnd(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	u := unicode.ToUpper(r)
	wordByte := u >= 'A' && u <= 'Z' || u >= '0' && u <= '9' || u == '_'
	return !wordByte
}

func sqlWordEnd(s string, j int) int {
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isWordRune(r) {
			break
		}
		j += size
	}
	return j
}

func sqlDigitsEnd(s string, j int) int {
	for j < len(s) && isASCIIDigit(s[j]) {
		j++
	}
	return j
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWordRune reports whether r continues an IDENTIFIER: a letter, an ASCII digit (DIGIT is
// [0-9]) or an underscore.
func isWordRune(r rune) bool {
	return r == '_' || (r < utf8.RuneSelf && isASCIIDigit(byte(r))) || isSparkLetter(r)
}

// isSparkLetter is UNICODE_LETTER ([\p{L}]) applied to the upper-cased rune, as Spark's
// lexer sees it.
func isSparkLetter(r rune) bool { return unicode.IsLetter(unicode.ToUpper(r)) }

// isSparkSpace is WS: not Go's unicode.IsSpace, which also takes U+0085 and U+2029.
func isSparkSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\f', '\r', '\v', '\u00a0', '\u1680', '\u2028', '\u202f', '\u205f', '\u3000':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}

// sqlKeyword returns the keyword tok spells, upper-cased as Spark's lexer sees it and taken
// from sqlKeywords (so never the text of a name), or "" when it spells none.
func sqlKeyword(text string, tok sqlToken) string {
	// Each keyword is at most 20 letters, each at most 2 bytes before upper-casing.
	if tok.kind != sqlWord || tok.end-tok.start > 40 {
		return ""
	}
	return sqlKeywords[strings.Map(unicode.ToUpper, text[tok.start:tok.end])]
}

// isSQLSymbol reports whether tok is the symbol sym.
func isSQLSymbol(text string, tok sqlToken, sym string) bool {
	return tok.kind == sqlSymbol && text[tok.start:tok.end] == sym
}
