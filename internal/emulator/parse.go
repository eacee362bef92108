package emulator

import (
	"fmt"
	"strings"
)

// parser walks the tokens of one statement. The statement handlers use it to
// read the clauses only Databricks has (a catalog, a grant, a Delta table's
// properties) and hand the rest, expressions and queries, to the renderer.
type parser struct {
	src  string
	toks []token // ends with tkEOF
	i    int
}

func newParser(src string, toks []token) *parser { return &parser{src: src, toks: toks} }

func (p *parser) peek() token { return p.toks[p.i] }

// peekAt returns the token n places ahead, or EOF past the end.
func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) atEOF() bool { return p.peek().kind == tkEOF }

// accept consumes the keywords if they all come next.
func (p *parser) accept(kws ...string) bool {
	for n, kw := range kws {
		if !p.peekAt(n).is(kw) {
			return false
		}
	}
	p.i += len(kws)
	return true
}

func (p *parser) expect(kws ...string) error {
	if !p.accept(kws...) {
		return p.fail()
	}
	return nil
}

func (p *parser) acceptOp(s string) bool {
	if p.peek().op(s) {
		p.i++
		return true
	}
	return false
}

// fail is the syntax error at the current token.
func (p *parser) fail() error {
	t := p.peek()
	if t.kind == tkEOF {
		return syntaxErrorAt(p.src, len(p.src), "", "")
	}
	return syntaxErrorAt(p.src, t.pos, t.text, "")
}

// end checks that nothing is left.
func (p *parser) end() error {
	if !p.atEOF() {
		return p.fail()
	}
	return nil
}

// rest returns what is left, EOF included, and consumes it.
func (p *parser) rest() []token {
	r := p.toks[p.i:]
	p.i = len(p.toks) - 1
	return r
}

// identifier reads one name, bare or back-quoted.
func (p *parser) identifier() (string, error) {
	t := p.peek()
	switch t.kind {
	case tkWord:
		p.i++
		return t.text, nil
	case tkIdent:
		p.i++
		return t.val, nil
	}
	return "", p.fail()
}

// qualifiedName reads a.b.c.
func (p *parser) qualifiedName() ([]string, error) {
	first, err := p.identifier()
	if err != nil {
		return nil, err
	}
	parts := []string{first}
	for p.peek().op(".") {
		p.i++
		part, err := p.identifier()
		if err != nil {
			return nil, err
		}
		parts = append(parts, part)
	}
	return parts, nil
}

// group returns the tokens between a '(' and its ')' and consumes them all.
func (p *parser) group() ([]token, error) {
	if !p.peek().op("(") {
		return nil, p.fail()
	}
	end := matchParen(p.toks, p.i)
	if end < 0 {
		return nil, syntaxErrorAt(p.src, len(p.src), "", "")
	}
	inner := p.toks[p.i+1 : end]
	p.i = end + 1
	return inner, nil
}

// matchParen returns the index of the token that closes the bracket at open,
// or -1.
func matchParen(toks []token, open int) int {
	closing := map[string]string{"(": ")", "[": "]"}[toks[open].text]
	depth := 0
	for i := open; i < len(toks); i++ {
		switch {
		case toks[i].op(toks[open].text):
			depth++
		case toks[i].op(closing):
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// splitTop cuts tokens at the commas outside brackets.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.op("(") || t.op("["):
			depth++
		case t.op(")") || t.op("]"):
			depth--
		case t.op(",") && depth == 0:
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	if start < len(toks) || len(out) > 0 {
		out = append(out, toks[start:])
	}
	return out
}

// op reports whether t is the operator or punctuation s.
func (t token) op(s string) bool { return t.kind == tkOp && t.text == s }

// expandIdentifiers replaces IDENTIFIER('a.b') and IDENTIFIER(:p) with the
// name they spell, before anything else reads the statement. The value is
// parsed as identifiers only, so a parameter can never bring SQL in with it.
func expandIdentifiers(src string, toks []token, params map[string]parameter) ([]token, error) {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !t.is("IDENTIFIER") || !toks[i+1].op("(") {
			out = append(out, t)
			continue
		}
		end := matchParen(toks, i+1)
		if end < 0 {
			return nil, syntaxErrorAt(src, len(src), "", "")
		}
		var text strings.Builder
		for j, arg := range toks[i+2 : end] {
			switch {
			case j%2 == 1 && arg.op("||"):
				continue
			case j%2 == 0 && arg.kind == tkString:
				text.WriteString(arg.val)
			case j%2 == 0 && arg.kind == tkMarker:
				p, ok := params[arg.val]
				if !ok {
					return nil, unboundParameter(arg.val)
				}
				if p.value == nil || p.cast != "VARCHAR" {
					return nil, &sqlFailure{class: "NOT_A_CONSTANT_STRING.WRONG_TYPE", sqlState: "42601", text: fmt.Sprintf("The expression `:%s` used for the routine or clause IDENTIFIER must be a constant STRING which is NOT NULL.", arg.val)}
				}
				text.WriteString(*p.value)
			default:
				return nil, syntaxErrorAt(src, arg.pos, arg.text, "IDENTIFIER takes a constant STRING: a literal, a STRING parameter, or several joined with ||")
			}
		}
		names, err := lex(text.String())
		if err != nil || len(names) < 2 {
			return nil, invalidIdentifier(text.String())
		}
		for j, n := range names[:len(names)-1] {
			dot := j%2 == 1
			if dot && !n.op(".") || !dot && n.kind != tkWord && n.kind != tkIdent || names[len(names)-2].op(".") {
				return nil, invalidIdentifier(text.String())
			}
			n.pos, n.space = t.pos, j == 0 && t.space
			if n.kind == tkWord {
				// Spelled back-quoted, so a name that is also a keyword
				// stays a name.
				n.kind, n.val = tkIdent, n.text
			}
			out = append(out, n)
		}
		i = end
	}
	return out, nil
}

func invalidIdentifier(s string) error {
	return &sqlFailure{class: "INVALID_IDENTIFIER", sqlState: "42602", text: fmt.Sprintf("The identifier %s is invalid. Please, consider quoting it with back-quotes as `%s`.", s, s)}
}

func unboundParameter(name string) error {
	return &sqlFailure{
		class:    "UNBOUND_SQL_PARAMETER",
		sqlState: "42P02",
		text:     fmt.Sprintf("Found the unbound parameter: %s. Please, fix `args` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as `map()`, `array()`, `struct()`.", name),
	}
}

// checkBrackets fails like Databricks' parser on a bracket that does not
// close or was never opened, so the rest of the emulator can rely on
// matchParen.
func checkBrackets(src string, toks []token) error {
	var open []token
	for _, t := range toks {
		switch {
		case t.op("(") || t.op("["):
			open = append(open, t)
		case t.op(")") || t.op("]"):
			want := map[string]string{")": "(", "]": "["}[t.text]
			if len(open) == 0 || open[len(open)-1].text != want {
				return syntaxErrorAt(src, t.pos, t.text, "")
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return syntaxErrorAt(src, len(src), "", "")
	}
	return nil
}
