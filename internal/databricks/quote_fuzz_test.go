package databricks

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// unescapeSQLString decodes a string literal token the way Databricks does: the rules of
// Spark's SparkParserUtils.unescapeSQLString. A raw literal (r'…') is taken as it is.
// Otherwise, after a backslash: u and 4 hex digits is one UTF-16 code unit; U and 8 hex
// digits is a code point; three octal digits whose first is 0 or 1 are one character;
// 0 b n r t Z are NUL, backspace, newline, return, tab and Ctrl-Z; % and _ keep their
// backslash (they escape LIKE patterns); any other character stands for itself. A
// backslash just before the closing quote stays. Java strings are UTF-16, hence the code
// units.
func unescapeSQLString(literal string) string {
	if literal[0] == 'r' || literal[0] == 'R' {
		return literal[2 : len(literal)-1]
	}
	in := []rune(literal[1 : len(literal)-1])
	var out []uint16
	hex := func(from, n int) (uint64, bool) {
		if from+n > len(in) {
			return 0, false
		}
		var v uint64
		for _, r := range in[from : from+n] {
			switch {
			case r >= '0' && r <= '9':
				v = v*16 + uint64(r-'0')
			case r >= 'a' && r <= 'f':
				v = v*16 + uint64(r-'a'+10)
			case r >= 'A' && r <= 'F':
				v = v*16 + uint64(r-'A'+10)
			default:
				return 0, false
			}
		}
		return v, true
	}
	octal := func(r rune) bool { return r >= '0' && r <= '7' }
	for i := 0; i < len(in); i++ {
		if in[i] != '\\' || i+1 == len(in) {
			out = utf16.AppendRune(out, in[i])
			continue
		}
		i++
		if v, ok := hex(i+1, 4); in[i] == 'u' && ok {
			out = append(out, uint16(v))
			i += 4
		} else if v, ok := hex(i+1, 8); in[i] == 'U' && ok {
			if v < 0x10000 {
				out = append(out, uint16(v))
			} else {
				out = append(out, uint16((v-0x10000)/0x400+0xD800), uint16((v-0x10000)%0x400+0xDC00))
			}
			i += 8
		} else if i+3 <= len(in) && (in[i] == '0' || in[i] == '1') && octal(in[i+1]) && octal(in[i+2]) {
			out = append(out, uint16((in[i]-'0')*64+(in[i+1]-'0')*8+(in[i+2]-'0')))
			i += 2
		} else {
			switch c := in[i]; c {
			case '0':
				out = append(out, 0)
			case 'b':
				out = append(out, '\b')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'Z':
				out = append(out, 0x1A)
			case '%', '_':
				out = append(out, '\\', uint16(c))
			default:
				out = utf16.AppendRune(out, c)
			}
		}
	}
	return string(utf16.Decode(out))
}

func TestUnescapeSQLString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`'plain'`: "plain", `'it\'s'`: "it's", `'a\\b'`: `a\b`, `'\n\t\r\b\Z\0'`: "\n\t\r\b\x1a\x00",
		`'\012'`: "\n", `'\0123'`: "\n3", `'\200'`: "200", `'\08'`: "\x008", `'\u00e9\U0001F600'`: "é😀",
		`'\ud83d\ude00'`: "😀", `'\u12'`: "u12", `'\%\_'`: `\%\_`, `'\q'`: "q", `r'\n\'`: `\n\`,
	} {
		if got := unescapeSQLString(in); got != want {
			t.Errorf("unescapeSQLString(%s) = %q, want %q", in, got, want)
		}
	}
}

// What QuoteString writes is one string literal to the lexer, and Databricks reads it back
// as exactly the value, whatever follows a NUL or another control character.
func TestQuoteStringReadsBack(t *testing.T) {
	t.Parallel()
	for _, value := range []string{
		"\x0012", "\x007", "\x000", "\x00\x00", "nul\x00", "\x01\x02\x1f\x7f", "\x1b[31m", "\u0085\u009f",
		"\b\f\v\x1a", "\\0", `\u0000`, `\%\_`, "it's", "日本語 😀", "",
	} {
		checkQuoteString(t, value)
	}
}

// FuzzQuoteString: for any valid UTF-8 value, QuoteString writes one literal that reads
// back as the value.
func FuzzQuoteString(f *testing.F) {
	for _, seed := range []string{"plain", "\x0012", "\x00", "\\", "'", `\'`, "\u0085", "😀", "\x1b[0m\n\r\t"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		if !utf8.ValidString(value) {
			return // a Terraform string is always valid UTF-8
		}
		checkQuoteString(t, value)
	})
}

func checkQuoteString(t *testing.T, value string) {
	t.Helper()
	quoted := QuoteString(value)
	l := sqlLexer{text: quoted}
	tok, ok, err := l.next()
	if !ok || err != nil || tok.kind != sqlString || tok.start != 0 || tok.end != len(quoted) {
		t.Fatalf("QuoteString(%q) = %s, which is not one string literal (%+v, %v)", value, quoted, tok, err)
	}
	if got := unescapeSQLString(quoted); got != value {
		t.Fatalf("QuoteString(%q) = %s, which reads back as %q", value, quoted, got)
	}
	for _, r := range quoted {
		if r < ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("QuoteString(%q) = %q holds a control character", value, quoted)
		}
	}
	if err := CheckReadOnly("SELECT " + quoted + " AS v"); err != nil {
		t.Fatalf("SELECT QuoteString(%q): %v", value, err)
	}
}

// FuzzQuoteIdentifier: for any name, QuoteIdentifier writes one back-quoted name that reads
// back as the name (Spark strips the back-quotes and reads “ as `: exitQuotedIdentifier).
// There is no escape inside back-quotes, so no character can merge with the next.
func FuzzQuoteIdentifier(f *testing.F) {
	for _, seed := range []string{"trips", "a`b", "`", "``", "\x0012", "my table", "日本"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, name string) {
		quoted := QuoteIdentifier(name)
		l := sqlLexer{text: quoted}
		tok, ok, err := l.next()
		if !ok || err != nil || tok.kind != sqlQuotedName || tok.end != len(quoted) {
			t.Fatalf("QuoteIdentifier(%q) = %s, which is not one back-quoted name (%+v, %v)", name, quoted, tok, err)
		}
		if got := strings.ReplaceAll(quoted[1:len(quoted)-1], "``", "`"); got != name {
			t.Fatalf("QuoteIdentifier(%q) = %s, which reads back as %q", name, quoted, got)
		}
	})
}
