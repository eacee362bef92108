package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// typeReader reads a Databricks type from tokens (in a cast, a column
// definition or ADD COLUMNS) and spells it for DuckDB:
// ARRAY<INT> is INTEGER[], MAP<STRING, INT> is MAP(VARCHAR, INTEGER),
// STRUCT<a: INT> is STRUCT("a" INTEGER), TIMESTAMP is TIMESTAMPTZ (an
// instant, as in Databricks) and TIMESTAMP_NTZ is TIMESTAMP.
type typeReader struct {
	src  string
	toks []token
	i    int
	// pendingGT counts the '>' still owed by a '>>' token that closed two
	// nested types at once (ARRAY<ARRAY<INT>>).
	pendingGT int
}

// readType parses one type starting at toks[i] and returns its DuckDB
// spelling and the index after it.
func readType(src string, toks []token, i int) (string, int, error) {
	r := &typeReader{src: src, toks: toks, i: i}
	t, err := r.typ()
	if err != nil {
		return "", 0, err
	}
	if r.pendingGT > 0 {
		return "", 0, syntaxErrorAt(src, toks[r.i-1].pos, ">>", "")
	}
	return t, r.i, nil
}

func (r *typeReader) peek() token {
	if r.i < len(r.toks) {
		return r.toks[r.i]
	}
	return token{kind: tkEOF, pos: len(r.src)}
}

func (r *typeReader) fail() error {
	t := r.peek()
	if t.kind == tkEOF {
		return syntaxErrorAt(r.src, len(r.src), "", "")
	}
	return syntaxErrorAt(r.src, t.pos, t.text, "")
}

func (r *typeReader) open() error {
	if !r.peek().op("<") {
		return r.fail()
	}
	r.i++
	return nil
}

// close consumes one '>', half of a '>>' if need be.
func (r *typeReader) close() error {
	switch {
	case r.pendingGT > 0:
		r.pendingGT--
	case r.peek().op(">"):
		r.i++
	case r.peek().op(">>"):
		r.i++
		r.pendingGT++
	default:
		return r.fail()
	}
	return nil
}

// scalarTypes maps Databricks' type names (and their aliases) to DuckDB's.
var scalarTypes = map[string]string{
	"STRING": "VARCHAR", "VARCHAR": "VARCHAR", "CHAR": "VARCHAR",
	"INT": "INTEGER", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "LONG": "BIGINT",
	"SMALLINT": "SMALLINT", "SHORT": "SMALLINT", "TINYINT": "TINYINT", "BYTE": "TINYINT",
	"FLOAT": "FLOAT", "REAL": "FLOAT", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN", "DATE": "DATE",
	"TIMESTAMP": "TIMESTAMPTZ", "TIMESTAMP_LTZ": "TIMESTAMPTZ", "TIMESTAMP_NTZ": "TIMESTAMP",
	"BINARY": "BLOB",
}

func (r *typeReader) typ() (string, error) {
	t := r.peek()
	if t.kind != tkWord {
		return "", r.fail()
	}
	name := strings.ToUpper(t.text)
	r.i++
	switch name {
	case "ARRAY":
		if err := r.open(); err != nil {
			return "", err
		}
		elem, err := r.typ()
		if err != nil {
			return "", err
		}
		return elem + "[]", r.close()
	case "MAP":
		if err := r.open(); err != nil {
			return "", err
		}
		k, err := r.typ()
		if err != nil {
			return "", err
		}
		if !r.peek().op(",") {
			return "", r.fail()
		}
		r.i++
		v, err := r.typ()
		if err != nil {
			return "", err
		}
		return "MAP(" + k + ", " + v + ")", r.close()
	case "STRUCT":
		return r.structType()
	case "DECIMAL", "DEC", "NUMERIC":
		p, s := 10, 0 // Databricks' DECIMAL alone is DECIMAL(10,0)
		if r.peek().op("(") {
			args, err := r.numbers()
			if err != nil {
				return "", err
			}
			p = args[0]
			if len(args) > 1 {
				s = args[1]
			}
			if len(args) > 2 || p < 1 || p > 38 || s < 0 || s > p {
				return "", &sqlFailure{class: "DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION", sqlState: "22003", text: fmt.Sprintf("Decimal precision %d exceeds max precision 38, or its scale %d is not between 0 and the precision.", p, s)}
			}
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
	case "INTERVAL":
		// INTERVAL DAY TO SECOND, INTERVAL YEAR TO MONTH, ...: one DuckDB type.
		for w := r.peek(); w.is("YEAR") || w.is("MONTH") || w.is("DAY") || w.is("HOUR") || w.is("MINUTE") || w.is("SECOND") || w.is("TO"); w = r.peek() {
			r.i++
		}
		return "INTERVAL", nil
	case "VARIANT", "OBJECT", "GEOGRAPHY", "GEOMETRY", "VOID":
		return "", unsupported(unsupportedType, "the "+name+" type")
	}
	duck, ok := scalarTypes[name]
	if !ok {
		return "", unknownDataType(t.text)
	}
	if (name == "VARCHAR" || name == "CHAR") && r.peek().op("(") {
		if _, err := r.numbers(); err != nil {
			return "", err
		}
	}
	return duck, nil
}

// structType reads STRUCT<name[:] type [NOT NULL] [COMMENT 'x'], ...>.
func (r *typeReader) structType() (string, error) {
	if err := r.open(); err != nil {
		return "", err
	}
	var fields []string
	for len(fields) == 0 || r.peek().op(",") {
		if len(fields) > 0 {
			r.i++
		}
		if r.pendingGT == 0 && r.peek().op(">") && len(fields) == 0 {
			break // STRUCT<>
		}
		f := r.peek()
		var name string
		switch f.kind {
		case tkWord:
			name = f.text
		case tkIdent:
			name = f.val
		default:
			return "", r.fail()
		}
		r.i++
		if r.peek().op(":") {
			r.i++
		} else if r.peek().kind == tkMarker {
			// a:INT lexes as a and the marker :INT; read the marker's name
			// back as the type.
			m := r.peek()
			r.toks = append(append(append([]token(nil), r.toks[:r.i]...), token{kind: tkWord, text: m.val, pos: m.pos + 1}), r.toks[r.i+1:]...)
		}
		ft, err := r.typ()
		if err != nil {
			return "", err
		}
		if r.peek().is("NOT") && r.toks[r.i+1].is("NULL") {
			r.i += 2
		}
		if r.peek().is("COMMENT") && r.i+1 < len(r.toks) && r.toks[r.i+1].kind == tkString {
			r.i += 2
		}
		fields = append(fields, duckIdentifier(name)+" "+ft)
	}
	if err := r.close(); err != nil {
		return "", err
	}
	return "STRUCT(" + strings.Join(fields, ", ") + ")", nil
}

// numbers reads (n) or (n, m).
func (r *typeReader) numbers() ([]int, error) {
	r.i++ // (
	var out []int
	for {
		t := r.peek()
		n, err := strconv.Atoi(t.text)
		if t.kind != tkNumber || err != nil {
			return nil, r.fail()
		}
		out = append(out, n)
		r.i++
		if r.peek().op(")") {
			r.i++
			return out, nil
		}
		if !r.peek().op(",") {
			return nil, r.fail()
		}
		r.i++
	}
}
