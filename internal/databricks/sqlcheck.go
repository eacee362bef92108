package databricks

import (
	"errors"
	"strings"
)

// The checks below read a statement's tokens (sqltext.go) before it is sent. CheckReadOnly
// guards statements that run on every plan and must not write; it catches mistakes and is
// not a security boundary: the boundary is the token's privileges. Which statements read
// follows Spark's grammar (SqlBaseParser.g4 next to the lexer): singleStatement is
// `statement SEMICOLON* EOF`; a statement that starts with WITH is `ctes? queryTerm …` (a
// query) or `ctes? dmlStatementNoWith` (INSERT, MERGE, UPDATE, DELETE, or FROM … INSERT);
// and EXPLAIN only plans the statement it explains. No error quotes the statement: they
// name at most keywords from sqlKeywords.

var (
	// ErrEmptyStatement is a statement that is blank or only comments.
	ErrEmptyStatement = errors.New("the statement is blank or only comments")
	// ErrMultipleStatements is text with more than one statement: a ; outside literals
	// and comments, followed by more than blanks and comments.
	ErrMultipleStatements = errors.New("the text holds more than one statement: a ; ends the first and more text follows it")
)

// NotReadOnlyError is a statement that may write, named by its offending keyword.
type NotReadOnlyError struct {
	// Keyword is the keyword the statement goes on with, upper-cased and taken from a fixed
	// list of SQL keywords (never a name or a literal); "" when it is no such keyword.
	Keyword string
	// After is "" when Keyword starts the statement, "WITH" when it follows the WITH
	// clause, and "FROM" when it follows the FROM clause a statement starts with.
	After string
}

func (e *NotReadOnlyError) Error() string {
	what := "a keyword that reads"
	if e.Keyword != "" {
		what = e.Keyword + ", which is not read-only"
	}
	switch e.After {
	case "WITH":
		if e.Keyword == "" {
			what = "a query"
		}
		return "After its WITH clause the statement does not go on with " + what + ". " +
			"After WITH name AS (query), a read-only statement goes on with SELECT, VALUES, TABLE, FROM or a query in parentheses."
	case "FROM":
		return "The statement's FROM clause is followed by " + e.Keyword + ", which writes. A read-only FROM statement goes on with SELECT."
	}
	if e.Keyword != "" {
		return "The statement starts with " + what + ". " + readOnlyStarts
	}
	return "The statement does not start with " + what + ". " + readOnlyStarts
}

const readOnlyStarts = "A read-only statement starts with SELECT, WITH, VALUES, TABLE, FROM, SHOW, DESCRIBE, EXPLAIN or LIST."

// SyntaxError is text the checks cannot split into tokens the way Databricks would: a
// comment, literal or quoted name that is never closed, or (for CheckReadOnly)
// parentheses that do not balance or a $ outside quotes. Databricks refuses all but the
// last too.
type SyntaxError struct {
	Problem  string // what is wrong, one sentence
	Fix      string // what to write instead
	unclosed unclosedKind
}

func (e *SyntaxError) Error() string { return e.Problem + " " + e.Fix }

type unclosedKind uint8

const (
	unclosedNone unclosedKind = iota
	unclosedComment
	unclosedString
	unclosedName
	unclosedDollar
)

func unclosedError(kind unclosedKind) *SyntaxError {
	e := &SyntaxError{unclosed: kind}
	switch kind {
	case unclosedComment:
		e.Problem, e.Fix = "The statement has a /* comment that is never closed.", "Close it with */ (comments nest: each /* needs its own */)."
	case unclosedString:
		e.Problem, e.Fix = "The statement has a string literal whose closing quote is missing.", `Close it; inside '…', write a quote as \' and a backslash as \\.`
	case unclosedName:
		e.Problem, e.Fix = "The statement has a back-quoted name whose closing ` is missing.", "Close it; inside `…`, write a back-quote as ``."
	case unclosedDollar:
		e.Problem, e.Fix = "The statement has a $$ string that is never closed.", "Close it with the same $$ (or $tag$) that opens it."
	}
	return e
}

// CheckReadOnly reports whether sql is one statement that only reads: SHOW, DESCRIBE,
// DESC, EXPLAIN or LIST, or a query (SELECT, VALUES, TABLE, FROM … SELECT, a query in
// parentheses, or WITH … followed by one of those). It returns ErrEmptyStatement,
// ErrMultipleStatements, a *NotReadOnlyError or a *SyntaxError.
func CheckReadOnly(sql string) error {
	toks, err := sqlTokens(sql)
	if err != nil {
		return err
	}
	first, multiple := firstSQLStatement(sql, toks)
	if len(first) == 0 {
		return ErrEmptyStatement
	}
	for _, tok := range toks {
		if tok.kind == sqlDollarString || isSQLSymbol(sql, tok, "$") {
			// Databricks' rules for $ quoting are not published: text after a $ could
			// be read differently there, so the check reads no further.
			return &SyntaxError{
				Problem: "The statement has a $ outside quotes and comments, which the read-only check cannot read.",
				Fix:     "Write text in single quotes ('…') instead of $$…$$.",
			}
		}
	}
	depth := 0
	for _, tok := range toks {
		switch {
		case isSQLSymbol(sql, tok, "("):
			depth++
		case isSQLSymbol(sql, tok, ")"):
			depth--
		}
		if depth < 0 {
			break
		}
	}
	if depth != 0 {
		// Databricks refuses it too; the checks below rely on each ( having its ).
		return &SyntaxError{
			Problem: "The statement's parentheses do not balance: a ( is never closed, or a ) closes nothing.",
			Fix:     "Give each ( its ).",
		}
	}
	if err := checkReadOnlyStatement(sql, first); err != nil {
		return err
	}
	if multiple {
		return ErrMultipleStatements
	}
	return nil
}

// CheckStatement reports whether sql is one statement to run, which may write. It
// returns ErrEmptyStatement, or ErrMultipleStatements unless the text is a SQL script
// (BEGIN … END, also inside CREATE PROCEDURE) or a statement whose grammar takes the rest
// of the text whole (SET, RESET, REFRESH, ADD, LIST: `SET .*?`). Text that does not lex
// is left to Databricks to refuse, since it may use syntax this package does not know.
func CheckStatement(sql string) error {
	l := sqlLexer{text: sql}
	var (
		count     int
		first     string
		script    bool
		semicolon bool
	)
	for {
		tok, ok, err := l.next()
		var syntax *SyntaxError
		// A literal that is never closed is still text of a statement; a comment is not.
		unclosedText := errors.As(err, &syntax) && syntax.unclosed != unclosedComment
		if !ok && !unclosedText {
			break
		}
		if isSQLSymbol(sql, tok, ";") {
			semicolon = semicolon || count > 0
			continue
		}
		if semicolon && !script {
			switch first {
			case "SET", "RESET", "REFRESH", "ADD", "LIST":
			default:
				return ErrMultipleStatements
			}
		}
		if count == 0 {
			first = sqlKeyword(sql, tok)
		}
		script = script || sqlKeyword(sql, tok) == "BEGIN"
		count++
		if unclosedText {
			break
		}
	}
	if count == 0 {
		return ErrEmptyStatement
	}
	return nil
}

// LeadingKeywords returns the keywords sql starts with, at most n of them, upper-cased and
// separated by a space: "CREATE TABLE" for "create table t (…)". Leading parentheses are
// skipped, and it stops at the first token that is not a keyword of a fixed list, so it
// never returns a name, a literal or a value: a diagnostic can name a statement by it
// without quoting text that may hold a secret.
func LeadingKeywords(sql string, n int) string {
	l := sqlLexer{text: sql}
	var words []string
	for len(words) < n {
		tok, ok, err := l.next()
		if err != nil || !ok {
			break
		}
		if len(words) == 0 && isSQLSymbol(sql, tok, "(") {
			continue
		}
		kw := sqlKeyword(sql, tok)
		if kw == "" {
			break
		}
		words = append(words, kw)
	}
	return strings.Join(words, " ")
}

// sqlTokens returns the tokens of sql, up to the error that stops the lexer, if any.
func sqlTokens(sql string) ([]sqlToken, error) {
	l := sqlLexer{text: sql}
	var toks []sqlToken
	for {
		tok, ok, err := l.next()
		if err != nil {
			return toks, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, tok)
	}
}

// firstSQLStatement returns the tokens of the first statement (before its ;), and whether
// another statement follows: a ; followed by anything but more ;.
func firstSQLStatement(text string, toks []sqlToken) ([]sqlToken, bool) {
	start := 0
	for start < len(toks) && isSQLSymbol(text, toks[start], ";") {
		start++
	}
	end := start
	for end < len(toks) && !isSQLSymbol(text, toks[end], ";") {
		end++
	}
	multiple := start > 0 && start < len(toks)
	for _, tok := range toks[end:] {
		multiple = multiple || !isSQLSymbol(text, tok, ";")
	}
	return toks[start:end], multiple
}

// checkReadOnlyStatement checks the tokens of one statement.
func checkReadOnlyStatement(text string, toks []sqlToken) error {
	switch sqlKeyword(text, toks[0]) {
	case "SHOW", "DESCRIBE", "DESC", "EXPLAIN", "LIST":
		return nil // nothing they are followed by runs a write
	}
	after := ""
	for {
		i := 0
		for i < len(toks) && isSQLSymbol(text, toks[i], "(") {
			i++
		}
		if i == len(toks) {
			return &NotReadOnlyError{After: after}
		}
		switch kw := sqlKeyword(text, toks[i]); kw {
		case "SELECT", "VALUES", "TABLE":
			return nil
		case "FROM":
			return checkFromStatement(text, toks[i+1:])
		case "WITH":
			if after == "WITH" && i == 0 { // WITH … WITH; but WITH … (WITH … SELECT …) is a query
				return &NotReadOnlyError{Keyword: kw, After: after}
			}
			proper, ok := skipWithClause(text, toks, i+1)
			if !ok || proper == len(toks) {
				return &NotReadOnlyError{After: "WITH"}
			}
			toks, after = toks[proper:], "WITH"
		default:
			return &NotReadOnlyError{Keyword: kw, After: after}
		}
	}
}

// checkFromStatement checks what follows the FROM a statement starts with: `FROM t SELECT
// …` reads (fromStatement), `FROM t INSERT INTO u SELECT …` writes (multiInsertQuery).
// Only INSERT can follow the FROM clause there, at the FROM's own depth of parentheses.
func checkFromStatement(text string, toks []sqlToken) error {
	depth := 0
	for _, tok := range toks {
		switch {
		case isSQLSymbol(text, tok, "("):
			depth++
		case isSQLSymbol(text, tok, ")"):
			depth--
		case depth <= 0 && sqlKeyword(text, tok) == "INSERT":
			return &NotReadOnlyError{Keyword: "INSERT", After: "FROM"}
		}
	}
	return nil
}

// skipWithClause returns the index of the token after the WITH clause whose first token
// after WITH is toks[i], or false when the clause is not well formed. Databricks' grammar
// of a common table expression: WITH [RECURSIVE] name [(column, …)] [MAX RECURSION LEVEL
// n] [AS] (query) [, …].
func skipWithClause(text string, toks []sqlToken, i int) (int, bool) {
	if sqlKeyword(text, sqlTokenAt(toks, i)) == "RECURSIVE" && isSQLName(sqlTokenAt(toks, i+1)) && sqlKeyword(text, sqlTokenAt(toks, i+1)) != "AS" {
		i++
	}
	for {
		if !isSQLName(sqlTokenAt(toks, i)) {
			return 0, false
		}
		i++
		query := false
		if isSQLSymbol(text, sqlTokenAt(toks, i), "(") {
			end, ok := sqlGroupEnd(text, toks, i)
			if !ok {
				return 0, false
			}
			next := sqlTokenAt(toks, end)
			columns := (isSQLSymbol(text, next, "(") || sqlKeyword(text, next) == "AS" || sqlKeyword(text, next) == "MAX") &&
				isSQLNameList(text, toks[i+1:end-1])
			i, query = end, !columns
		}
		if !query {
			if sqlKeyword(text, sqlTokenAt(toks, i)) == "MAX" {
				if sqlKeyword(text, sqlTokenAt(toks, i+1)) != "RECURSION" || sqlKeyword(text, sqlTokenAt(toks, i+2)) != "LEVEL" || sqlTokenAt(toks, i+3).kind != sqlWord {
					return 0, false
				}
				i += 4
			}
			if sqlKeyword(text, sqlTokenAt(toks, i)) == "AS" {
				i++
			}
			if !isSQLSymbol(text, sqlTokenAt(toks, i), "(") {
				return 0, false
			}
			end, ok := sqlGroupEnd(text, toks, i)
			if !ok {
				return 0, false
			}
			i = end
		}
		if !isSQLSymbol(text, sqlTokenAt(toks, i), ",") {
			return i, true
		}
		i++
	}
}

// sqlTokenAt returns toks[i], or the zero token past the end.
func sqlTokenAt(toks []sqlToken, i int) sqlToken {
	if i < len(toks) {
		return toks[i]
	}
	return sqlToken{}
}

// sqlGroupEnd returns the index after the ) that closes the ( at toks[i].
func sqlGroupEnd(text string, toks []sqlToken, i int) (int, bool) {
	depth := 0
	for ; i < len(toks); i++ {
		switch {
		case isSQLSymbol(text, toks[i], "("):
			depth++
		case isSQLSymbol(text, toks[i], ")"):
			depth--
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// isSQLName reports whether tok can name a common table expression or a column.
func isSQLName(tok sqlToken) bool {
	return tok.kind == sqlWord || tok.kind == sqlQuotedName || tok.kind == sqlString
}

// isSQLNameList reports whether toks are names separated by commas (identifierSeq).
func isSQLNameList(text string, toks []sqlToken) bool {
	for i, tok := range toks {
		if i%2 == 0 && !isSQLName(tok) || i%2 == 1 && !isSQLSymbol(text, tok, ",") {
			return false
		}
	}
	return len(toks)%2 == 1
}
