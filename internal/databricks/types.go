package databricks

import (
	"fmt"
	"strings"
)

// Kind groups Databricks SQL types by the kind of value their cells hold.
type Kind int

// The kinds of values a cell can hold.
const (
	KindString Kind = iota // STRING, CHAR, DATE, TIMESTAMP, INTERVAL, BINARY and anything unknown
	KindBool
	KindNumber // BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL
	KindArray
	KindMap
	KindStruct
	KindNull // VOID / NULL: every cell is null
)

// SQLType is a parsed type_text such as DECIMAL(10,2) or ARRAY<STRUCT<a: INT, b: STRING>>.
type SQLType struct {
	Name   string   // upper case, words joined by one space: INT, DECIMAL, INTERVAL DAY TO SECOND
	Params []string // DECIMAL(10,2) -> ["10", "2"]
	Elem   *SQLType // ARRAY element type
	Key    *SQLType // MAP key type
	Value  *SQLType // MAP value type
	Fields []StructField
}

// StructField is one field of a STRUCT.
type StructField struct {
	Name string
	Type *SQLType
}

// Kind returns the kind of value the type's cells hold.
func (t *SQLType) Kind() Kind {
	switch t.Name {
	case "ARRAY":
		return KindArray
	case "MAP":
		return KindMap
	case "STRUCT":
		return KindStruct
	case "BOOLEAN", "BOOL":
		return KindBool
	case "TINYINT", "BYTE", "SMALLINT", "SHORT", "INT", "INTEGER", "BIGINT", "LONG",
		"FLOAT", "REAL", "DOUBLE", "DECIMAL", "DEC", "NUMERIC":
		return KindNumber
	case "VOID", "NULL":
		return KindNull
	}
	return KindString
}

// String spells the type the way Databricks does.
func (t *SQLType) String() string {
	switch t.Name {
	case "ARRAY":
		return "ARRAY<" + t.Elem.String() + ">"
	case "MAP":
		return "MAP<" + t.Key.String() + ", " + t.Value.String() + ">"
	case "STRUCT":
		parts := make([]string, len(t.Fields))
		for i, f := range t.Fields {
			parts[i] = quoteFieldName(f.Name) + ": " + f.Type.String()
		}
		return "STRUCT<" + strings.Join(parts, ", ") + ">"
	}
	if len(t.Params) > 0 {
		return t.Name + "(" + strings.Join(t.Params, ",") + ")"
	}
	return t.Name
}

// quoteFieldName back-quotes a field name that is not a plain identifier.
func quoteFieldName(name string) string {
	if parameterNamePattern.MatchString(name) {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// ParseType parses a type_text. It is tolerant of the spellings seen in the wild: any
// case, with or without spaces after ':' and ',', back-quoted field names, NOT NULL and
// COMMENT '...' after a field, multi-word types (INTERVAL DAY TO SECOND).
func ParseType(text string) (*SQLType, error) {
	toks, err := tokenizeType(text)
	if err != nil {
		return nil, err
	}
	p := typeParser{toks: toks, text: text}
	t, err := p.parseType(0)
	if err != nil {
		return nil, err
	}
	if !p.done() {
		return nil, p.errorf("unexpected %q", p.peek().text)
	}
	return t, nil
}

// maxTypeDepth bounds nesting so that a hostile type_text cannot exhaust the stack.
const maxTypeDepth = 64

type tokenKind int

const (
	tokWord tokenKind = iota
	tokQuoted
	tokString
	tokSymbol
)

type typeToken struct {
	kind tokenKind
	text string
}

func tokenizeType(s string) ([]typeToken, error) {
	var toks []typeToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("<>(),:", c) >= 0:
			toks = append(toks, typeToken{tokSymbol, string(c)})
			i++
		case c == '`' || c == '\'' || c == '"':
			// `name` (`` doubles a back-quote) or 'comment' / "comment".
			var b strings.Builder
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j++
						continue
					}
					break
				}
				if s[j] == '\\' && c != '`' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, typeError(s, fmt.Sprintf("unterminated %c", c))
			}
			kind := tokString
			if c == '`' {
				kind = tokQuoted
			}
			toks = append(toks, typeToken{kind, b.String()})
			i = j + 1
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\n\r<>(),:`'\"", s[j]) < 0 {
				j++
			}
			toks = append(toks, typeToken{tokWord, s[i:j]})
			i = j
		}
	}
	return toks, nil
}

type typeParser struct {
	toks []typeToken
	pos  int
	text string
}

func (p *typeParser) done() bool { return p.pos >= len(p.toks) }

func (p *typeParser) peek() typeToken {
	if p.done() {
		return typeToken{kind: tokSymbol, text: ""}
	}
	return p.toks[p.pos]
}

func (p *typeParser) next() typeToken {
	t := p.peek()
	p.pos++
	return t
}

func (p *typeParser) isSymbol(s string) bool {
	t := p.peek()
	return !p.done() && t.kind == tokSymbol && t.text == s
}

func (p *typeParser) expect(s string) error {
	if !p.isSymbol(s) {
		found := p.peek().text
		if p.done() {
			found = "end of text"
		}
		return p.errorf("expected %q, found %q", s, found)
	}
	p.pos++
	return nil
}

func (p *typeParser) errorf(format string, args ...any) error {
	return typeError(p.text, fmt.Sprintf(format, args...))
}

// maxTypeText bounds how much of a type's text an error quotes.
const maxTypeText = 200

// typeError names the type text that failed to parse. Type texts come from result
// manifests as well as from configuration, so they are quoted as server text: scrubbed of
// anything that looks like a credential, and cut.
func typeError(text, problem string) error {
	return fmt.Errorf("type %q: %s", cut(scrubPatterns(text), maxTypeText), cut(scrubPatterns(problem), maxTypeText))
}

func (p *typeParser) parseType(depth int) (*SQLType, error) {
	if depth > maxTypeDepth {
		return nil, p.errorf("nested more than %d levels", maxTypeDepth)
	}
	tok := p.next()
	if tok.kind != tokWord {
		return nil, p.errorf("expected a type name, found %q", tok.text)
	}
	t := &SQLType{Name: strings.ToUpper(tok.text)}
	switch t.Name {
	case "ARRAY":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		elem, err := p.parseType(depth + 1)
		if err != nil {
			return nil, err
		}
		t.Elem = elem
		return t, p.expect(">")
	case "MAP":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		key, err := p.parseType(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
		value, err := p.parseType(depth + 1)
		if err != nil {
			return nil, err
		}
		t.Key, t.Value = key, value
		return t, p.expect(">")
	case "STRUCT":
		if err := p.expect("<"); err != nil {
			return nil, err
		}
		for !p.isSymbol(">") {
			if len(t.Fields) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			field, err := p.parseField(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, field)
		}
		return t, p.expect(">")
	}
	// Multi-word scalar types (INTERVAL DAY TO SECOND, TIMESTAMP WITH LOCAL TIME ZONE):
	// absorb following words, but never a field modifier.
	for !p.done() && p.peek().kind == tokWord && !isFieldModifier(p.peek().text) {
		t.Name += " " + strings.ToUpper(p.next().text)
	}
	if p.isSymbol("(") {
		p.pos++
		for !p.isSymbol(")") {
			if len(t.Params) > 0 {
				if err := p.expect(","); err != nil {
					return nil, err
				}
			}
			param := p.next()
			if param.kind != tokWord {
				return nil, p.errorf("expected a type parameter, found %q", param.text)
			}
			t.Params = append(t.Params, param.text)
		}
		p.pos++
	}
	return t, nil
}

func (p *typeParser) parseField(depth int) (StructField, error) {
	name := p.next()
	if name.kind != tokWord && name.kind != tokQuoted {
		return StructField{}, p.errorf("expected a field name, found %q", name.text)
	}
	if p.isSymbol(":") {
		p.pos++
	}
	typ, err := p.parseType(depth)
	if err != nil {
		return StructField{}, err
	}
	// Modifiers carry no information for values: skip them.
	for !p.done() && p.peek().kind == tokWord && isFieldModifier(p.peek().text) {
		switch strings.ToUpper(p.next().text) {
		case "NOT":
			if w := p.next(); !strings.EqualFold(w.text, "NULL") {
				return StructField{}, p.errorf("expected NULL after NOT, found %q", w.text)
			}
		case "COMMENT":
			if c := p.next(); c.kind != tokString {
				return StructField{}, p.errorf("expected a quoted comment, found %q", c.text)
			}
		}
	}
	return StructField{Name: name.text, Type: typ}, nil
}

func isFieldModifier(word string) bool {
	return strings.EqualFold(word, "NOT") || strings.EqualFold(word, "COMMENT")
}
