package emulator

import (
	"fmt"
	"strconv"
	"strings"
)

// duckType is a DuckDB column type, parsed from the name the driver reports
// (for example `STRUCT("x" INTEGER[], "y" MAP(VARCHAR, DECIMAL(10,2)))`). The
// name is all database/sql exposes, and nested values need their element types
// to be printed the way Databricks prints them.
type duckType struct {
	kind   string // upper-case base name: INTEGER, DECIMAL, LIST, ARRAY, STRUCT, MAP, UNION, ...
	width  int    // DECIMAL precision
	scale  int    // DECIMAL scale
	elem   *duckType
	key    *duckType
	value  *duckType
	fields []duckField // STRUCT fields or UNION members, in declaration order
}

type duckField struct {
	name string
	typ  *duckType
}

// parseDuckType parses a driver type name. It never fails: anything it cannot
// read becomes an opaque type that maps to STRING, because a column of an
// unfamiliar type must not fail a statement that would succeed on Databricks.
func parseDuckType(name string) *duckType {
	p := &typeParser{s: name}
	t := p.parseType()
	if p.err || p.pos != len(p.s) {
		return &duckType{kind: strings.ToUpper(strings.TrimSpace(name))}
	}
	return t
}

type typeParser struct {
	s   string
	pos int
	err bool
}

func (p *typeParser) parseType() *duckType {
	p.skipSpace()
	word := p.word()
	if word == "" {
		p.err = true
		return &duckType{kind: "UNKNOWN"}
	}
	t := &duckType{kind: strings.ToUpper(word)}
	if p.peek() == '(' {
		p.pos++
		switch t.kind {
		case "DECIMAL", "NUMERIC":
			t.kind = "DECIMAL"
			t.width = p.number()
			p.expect(',')
			t.scale = p.number()
		case "MAP":
			t.key = p.parseType()
			p.expect(',')
			t.value = p.parseType()
		case "STRUCT", "UNION":
			for {
				p.skipSpace()
				name := p.fieldName()
				t.fields = append(t.fields, duckField{name: name, typ: p.parseType()})
				p.skipSpace()
				if p.peek() != ',' {
					break
				}
				p.pos++
			}
		default:
			// Modifiers such as VARCHAR(10) carry nothing Databricks shows.
			for p.pos < len(p.s) && p.s[p.pos] != ')' {
				p.pos++
			}
		}
		p.expect(')')
	}
	for p.peek() == '[' {
		p.pos++
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		kind := "LIST"
		if p.pos > start {
			kind = "ARRAY"
		}
		p.expect(']')
		t = &duckType{kind: kind, elem: t}
	}
	return t
}

func (p *typeParser) skipSpace() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *typeParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

func (p *typeParser) expect(c byte) {
	if p.peek() != c {
		p.err = true
		return
	}
	p.pos++
}

// word reads a type name; names with spaces ("TIMESTAMP WITH TIME ZONE") keep
// their words together.
func (p *typeParser) word() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c == ' ' && p.pos+1 < len(p.s) && isIdentByte(p.s[p.pos+1]) && p.pos > start {
			p.pos++
			continue
		}
		if !isIdentByte(c) {
			break
		}
		p.pos++
	}
	return strings.TrimSpace(p.s[start:p.pos])
}

func (p *typeParser) number() int {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.s[start:p.pos])
	if err != nil {
		p.err = true
	}
	return n
}

// fieldName reads a STRUCT field name: DuckDB double-quotes it and doubles any
// quote inside.
func (p *typeParser) fieldName() string {
	if p.peek() != '"' {
		start := p.pos
		for p.pos < len(p.s) && isIdentByte(p.s[p.pos]) {
			p.pos++
		}
		return p.s[start:p.pos]
	}
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		if c == '"' {
			if p.pos < len(p.s) && p.s[p.pos] == '"' {
				b.WriteByte('"')
				p.pos++
				continue
			}
			return b.String()
		}
		b.WriteByte(c)
	}
	p.err = true
	return b.String()
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// databricksType is a column type as the Statement Execution API describes it.
type databricksType struct {
	name      string // type_name
	text      string // type_text
	precision int    // DECIMAL only
	scale     int    // DECIMAL only
}

// databricks maps a DuckDB type to the type Databricks would report for the
// same data. Unsigned integers widen to the next signed type that holds every
// value, since Databricks has no unsigned types.
func (t *duckType) databricks() databricksType {
	switch t.kind {
	case "BOOLEAN":
		return databricksType{name: "BOOLEAN", text: "BOOLEAN"}
	case "TINYINT":
		return databricksType{name: "BYTE", text: "TINYINT"}
	case "SMALLINT", "UTINYINT":
		return databricksType{name: "SHORT", text: "SMALLINT"}
	case "INTEGER", "USMALLINT":
		return databricksType{name: "INT", text: "INT"}
	case "BIGINT", "UINTEGER":
		return databricksType{name: "LONG", text: "BIGINT"}
	case "HUGEINT":
		// DuckDB's sum of INT or BIGINT, which is a BIGINT in Databricks.
		return databricksType{name: "LONG", text: "BIGINT"}
	case "UBIGINT", "UHUGEINT":
		return databricksType{name: "DECIMAL", text: "DECIMAL(38,0)", precision: 38}
	case "FLOAT":
		return databricksType{name: "FLOAT", text: "FLOAT"}
	case "DOUBLE":
		return databricksType{name: "DOUBLE", text: "DOUBLE"}
	case "DECIMAL":
		return databricksType{name: "DECIMAL", text: fmt.Sprintf("DECIMAL(%d,%d)", t.width, t.scale), precision: t.width, scale: t.scale}
	case "DATE":
		return databricksType{name: "DATE", text: "DATE"}
	case "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		// Databricks' TIMESTAMP is an instant, shown in the session time zone
		// (UTC here): DuckDB's TIMESTAMPTZ.
		return databricksType{name: "TIMESTAMP", text: "TIMESTAMP"}
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return databricksType{name: "TIMESTAMP", text: "TIMESTAMP_NTZ"}
	case "BLOB":
		return databricksType{name: "BINARY", text: "BINARY"}
	case "INTERVAL":
		return databricksType{name: "INTERVAL", text: "INTERVAL DAY TO SECOND"}
	case "LIST", "ARRAY":
		return databricksType{name: "ARRAY", text: "ARRAY<" + t.elem.databricks().text + ">"}
	case "MAP":
		return databricksType{name: "MAP", text: "MAP<" + t.key.databricks().text + ", " + t.value.databricks().text + ">"}
	case "STRUCT":
		parts := make([]string, len(t.fields))
		for i, f := range t.fields {
			parts[i] = structFieldName(f.name) + ": " + f.typ.databricks().text
		}
		return databricksType{name: "STRUCT", text: "STRUCT<" + strings.Join(parts, ", ") + ">"}
	case "SQLNULL", "NULL":
		return databricksType{name: "NULL", text: "VOID"}
	default:
		// VARCHAR, UUID, ENUM, TIME, JSON, UNION, BIT and whatever DuckDB adds:
		// Databricks would hand all of them over as text.
		return databricksType{name: "STRING", text: "STRING"}
	}
}

// structFieldName spells a field name the way Databricks type text does:
// backticks only when the name is not a plain identifier.
func structFieldName(name string) string {
	if isParamName(name) { // the same rule: a plain identifier
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// sparkString spells the type the way DESCRIBE and SHOW COLUMNS do, in
// Spark's lower-case catalog form: decimal(10,2), array<int>,
// struct<a:int,b:string>.
func (t *duckType) sparkString() string {
	switch t.kind {
	case "LIST", "ARRAY":
		return "array<" + t.elem.sparkString() + ">"
	case "MAP":
		return "map<" + t.key.sparkString() + "," + t.value.sparkString() + ">"
	case "STRUCT":
		parts := make([]string, len(t.fields))
		for i, f := range t.fields {
			parts[i] = structFieldName(f.name) + ":" + f.typ.sparkString()
		}
		return "struct<" + strings.Join(parts, ",") + ">"
	}
	return strings.ToLower(t.databricks().text)
}

// simpleTypeName is information_schema's data_type: the type without its
// parameters (DECIMAL, ARRAY, STRUCT).
func simpleTypeName(dt databricksType) string {
	if i := strings.IndexAny(dt.text, "(<"); i >= 0 {
		return dt.text[:i]
	}
	if strings.HasPrefix(dt.text, "INTERVAL") {
		return "INTERVAL"
	}
	return dt.text
}

// numericPrecision is information_schema's numeric_precision,
// numeric_precision_radix and numeric_scale: bits for the binary types,
// digits for DECIMAL, nothing for the rest.
func (t *duckType) numericPrecision() (precision, radix, scale any) {
	bits := map[string]int{"TINYINT": 8, "SMALLINT": 16, "INT": 32, "BIGINT": 64, "FLOAT": 24, "DOUBLE": 53}
	dt := t.databricks()
	if dt.name == "DECIMAL" {
		return dt.precision, 10, dt.scale
	}
	if b, ok := bits[dt.text]; ok {
		if dt.text == "FLOAT" || dt.text == "DOUBLE" {
			return b, 2, nil
		}
		return b, 2, 0
	}
	return nil, nil, nil
}
