package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The validators below are thin wrappers over the client's own checks, so that a value
// accepted at plan time is accepted by the client at apply time. Each skips null and
// unknown values: unknown ones are checked again once known, at apply.

const maxNameLength = 100

// stringCheck is a string validator made of a check that says what is wrong with a
// value; most checks are the client's own. Its messages are the check's errors, so they
// must never repeat a secret value (the token's check never quotes the token).
type stringCheck struct {
	summary     string // the diagnostic's title, e.g. "Invalid Base URL"
	description string // what a valid value is, for docs: "must be ..."
	check       func(string) error
}

func (v stringCheck) Description(context.Context) string { return v.description }

func (v stringCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, v.summary, err.Error())
	}
}

// userMessage is a check's finding written as the sentences a user reads in the
// diagnostic, not an error to wrap.
type userMessage string

func (m userMessage) Error() string { return string(m) }

// baseURLValidator checks a workspace Base URL with databricks.ParseBaseURL.
func baseURLValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Base URL",
		description: "must be a workspace URL such as https://adb-1234567890123456.7.azuredatabricks.net",
		check: func(s string) error {
			_, err := databricks.ParseBaseURL(s)
			return err
		},
	}
}

// accessTokenValidator checks the shape of a personal access token.
func accessTokenValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Access Token",
		description: "must be a personal access token: not empty, no white space",
		check:       databricks.ValidateToken,
	}
}

// warehouseIDValidator checks a warehouse id and points at the id inside a pasted path.
func warehouseIDValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Warehouse ID",
		description: "must be a warehouse id: letters and digits only",
		check:       databricks.ValidateWarehouseID,
	}
}

// parameterNameValidator checks the name of a :name parameter.
func parameterNameValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Parameter Name",
		description: "must start with a letter or underscore and contain only letters, digits and underscores",
		check:       databricks.ValidateParameterName,
	}
}

// parameterTypeValidator checks a parameter's SQL type.
func parameterTypeValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Parameter Type",
		description: "must be a scalar Databricks SQL type such as STRING, INT, DOUBLE, DECIMAL(10,2) or DATE",
		check:       databricks.ValidateParameterType,
	}
}

// nameValidator checks a connection's display name.
func nameValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Connection Name",
		description: "must be 1 to 100 characters without leading or trailing white space",
		check: func(name string) error {
			switch n := len([]rune(name)); {
			case n == 0:
				return userMessage("The name is empty. Give the connection a label, e.g. \"Sales warehouse\".")
			case n > maxNameLength:
				return userMessage("The name is longer than 100 characters. Shorten it.")
			case strings.TrimFunc(name, unicode.IsSpace) != name:
				return userMessage("The name has leading or trailing white space. Remove it.")
			}
			return nil
		},
	}
}

// durationValidator checks a Go duration such as "168h" or "30m".
func durationValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Duration",
		description: `must be a duration such as "168h" or "90m"`,
		check: func(s string) error {
			d, err := time.ParseDuration(s)
			switch {
			case err != nil:
				return userMessage(fmt.Sprintf("%q is not a duration. Write a number with a unit: h, m or s, e.g. \"168h\" for 7 days.", s))
			case d < 0:
				return userMessage("The duration is negative. Use a window such as \"168h\".")
			}
			return nil
		},
	}
}

// regexValidator checks a Go regular expression.
func regexValidator() stringCheck {
	return stringCheck{
		summary:     "Invalid Regular Expression",
		description: "must be a regular expression (Go syntax)",
		check: func(s string) error {
			if _, err := regexp.Compile(s); err != nil {
				return userMessage(err.Error() + ". The syntax is Go's (RE2): https://golang.org/s/re2syntax.")
			}
			return nil
		},
	}
}

// readOnlyKeywords are the statements a data source may run. A data source is read on
// every plan and refresh, so a statement that writes would write each time someone runs
// `terraform plan`.
var readOnlyKeywords = map[string]bool{
	"SELECT": true, "WITH": true, "SHOW": true, "DESCRIBE": true, "DESC": true,
	"EXPLAIN": true, "VALUES": true, "TABLE": true, "LIST": true,
}

// readOnlyStatementValidator refuses a blank statement and one whose first keyword does
// not read.
type readOnlyStatementValidator struct{}

func (readOnlyStatementValidator) Description(context.Context) string {
	return "must be a read-only statement: SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, VALUES, TABLE or LIST"
}

func (v readOnlyStatementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (readOnlyStatementValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	keyword := firstKeyword(req.ConfigValue.ValueString())
	switch {
	case keyword == "":
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Statement", "The statement is blank (or only comments). Write the SQL query to run.")
	case !readOnlyKeywords[keyword]:
		resp.Diagnostics.AddAttributeError(req.Path, "Statement Is Not Read-Only",
			"A dbsql_query statement must read, not write: it starts with "+keyword+", but data sources run on every plan and refresh, "+
				"so a write would run every time someone runs terraform plan. Start it with SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, VALUES, TABLE or LIST; "+
				"run statements that change something with the dbsql_statement resource, which runs them once, on apply.")
	}
}

// firstKeyword returns the first word of sql in upper case, after white space, comments
// (-- line, and /* block */, which Databricks SQL lets nest) and opening parentheses.
func firstKeyword(sql string) string {
	for i := 0; i < len(sql); {
		r, size := utf8.DecodeRuneInString(sql[i:])
		switch {
		case unicode.IsSpace(r) || r == '(':
			i += size
		case strings.HasPrefix(sql[i:], "--"):
			end := strings.IndexByte(sql[i:], '\n')
			if end < 0 {
				return ""
			}
			i += end + 1
		case strings.HasPrefix(sql[i:], "/*"):
			end := blockCommentEnd(sql[i:])
			if end < 0 {
				return ""
			}
			i += end
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(sql) {
				r, size := utf8.DecodeRuneInString(sql[j:])
				if r != '_' && !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			return strings.ToUpper(sql[i:j])
		default:
			return string(r) // not a word at all: report the character
		}
	}
	return ""
}

// blockCommentEnd returns the length of the (possibly nested) block comment that s
// starts with, or -1 when it is not closed.
func blockCommentEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(s[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return -1
}

// notBlankStatementValidator refuses a statement that is blank or only comments.
type notBlankStatementValidator struct{}

func (notBlankStatementValidator) Description(context.Context) string {
	return "must be a SQL statement, not blank"
}

func (v notBlankStatementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (notBlankStatementValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if firstKeyword(req.ConfigValue.ValueString()) == "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Statement", "The statement is blank (or only comments). Write the SQL to run.")
	}
}

// uniqueParameterNamesValidator refuses two parameters with the same name: the second
// would silently win.
type uniqueParameterNamesValidator struct{}

func (uniqueParameterNamesValidator) Description(context.Context) string {
	return "parameter names must be unique"
}

func (v uniqueParameterNamesValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (uniqueParameterNamesValidator) ValidateList(ctx context.Context, req validator.ListRequest, resp *validator.ListResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var params []parameterModel
	if diags := req.ConfigValue.ElementsAs(ctx, &params, true); diags.HasError() {
		return
	}
	seen := map[string]int{}
	for i, p := range params {
		if p.Name.IsNull() || p.Name.IsUnknown() {
			continue
		}
		name := p.Name.ValueString()
		if first, dup := seen[name]; dup {
			resp.Diagnostics.AddAttributeError(req.Path.AtListIndex(i).AtName("name"), "Duplicate Parameter Name",
				fmt.Sprintf("Parameter %q is given twice (entries %d and %d). Give each parameter once.", name, first, i))
			continue
		}
		seen[name] = i
	}
}
