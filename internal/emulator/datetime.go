package emulator

import (
	"fmt"
	"strings"
)

// sparkPatterns maps Databricks datetime pattern letters (runs of one letter,
// "yyyy", "MM", ...) to DuckDB strftime/strptime specifiers. The longest run
// is tried first.
var sparkPatterns = []struct{ spark, duck string }{
	{"yyyy", "%Y"}, {"yy", "%y"}, {"y", "%Y"},
	{"MMMM", "%B"}, {"MMM", "%b"}, {"MM", "%m"}, {"M", "%-m"},
	{"LLLL", "%B"}, {"LLL", "%b"}, {"LL", "%m"}, {"L", "%-m"},
	{"dd", "%d"}, {"d", "%-d"},
	{"DDD", "%j"}, {"D", "%-j"},
	{"HH", "%H"}, {"H", "%-H"},
	{"hh", "%I"}, {"h", "%-I"},
	{"mm", "%M"}, {"m", "%-M"},
	{"ss", "%S"}, {"s", "%-S"},
	{"SSSSSS", "%f"}, {"SSS", "%g"},
	{"a", "%p"},
	{"EEEE", "%A"}, {"EEE", "%a"}, {"E", "%a"},
	{"XXX", "%z"}, {"XX", "%z"}, {"X", "%z"}, {"ZZZ", "%z"}, {"Z", "%z"}, {"zzz", "%Z"}, {"z", "%Z"},
}

// sparkDatetimePattern turns a Databricks datetime pattern (date_format,
// to_date, to_timestamp) into the DuckDB format string that means the same:
// letters are fields, text in single quotes is literal (” is a quote), and
// anything else stands for itself.
func sparkDatetimePattern(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'':
			if i+1 < len(p) && p[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			end := strings.IndexByte(p[i+1:], '\'')
			if end < 0 {
				return "", invalidPattern(p)
			}
			b.WriteString(strings.ReplaceAll(p[i+1:i+1+end], "%", "%%"))
			i += end + 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			run, matched := p[i:i+n], false
			for _, sp := range sparkPatterns {
				if sp.spark[0] == c && len(sp.spark) <= n {
					b.WriteString(sp.duck)
					i += len(sp.spark)
					matched = true
					break
				}
			}
			if !matched {
				return "", invalidPattern(run)
			}
		case c == '%':
			b.WriteString("%%")
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

func invalidPattern(p string) error {
	return &sqlFailure{class: "INVALID_DATETIME_PATTERN.ILLEGAL_CHARACTER", sqlState: "22007", text: fmt.Sprintf("Found an illegal character in the datetime pattern '%s'. Please, provide legal character.", p)}
}
