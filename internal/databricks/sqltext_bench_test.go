package databricks

import (
	"strconv"
	"strings"
	"testing"
)

// benchStatement is a read-only statement of about size bytes that exercises every rule of
// the lexer and the WITH clause: a CTE per piece, each with nested comments, escaped and
// raw literals, back-quoted names, numbers and nested parentheses.
func benchStatement(size int) string {
	var b strings.Builder
	b.WriteString("WITH ")
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		n := strconv.Itoa(i)
		b.WriteString("c" + n + " (a, `b``" + n + "`) AS ( /* a /* nested */ comment; */ SELECT 'it\\'s; -- " + n +
			"', r'C:\\dir\\' FROM (SELECT 1E-5, 1.5D, ((2)) -- line \\\n continued\n) t)")
	}
	b.WriteString("\nSELECT * FROM c0;\n-- done\n")
	return b.String()
}

// BenchmarkCheckReadOnly runs the check on statements of 16 KiB and 1 MiB. The lexer
// makes one pass and the checks walk the tokens once, so both sizes report about the same
// MB/s; a step that rescans the text would show as a drop at 1 MiB.
func BenchmarkCheckReadOnly(b *testing.B) {
	for _, size := range []int{16 << 10, 1 << 20} {
		sql := benchStatement(size)
		b.Run(strconv.Itoa(size>>10)+"KiB", func(b *testing.B) {
			b.SetBytes(int64(len(sql)))
			b.ReportAllocs()
			for b.Loop() {
				if err := CheckReadOnly(sql); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
