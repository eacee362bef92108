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

const (
	minTimeout = 1
	maxTimeout = 3600

	authPersonalAccessToken = "personal_access_token"

	maxNameLength = 100
)

// baseURLValidator checks a workspace Base URL with databricks.ParseBaseURL.
type baseURLValidator struct{}

func (baseURLValidator) Description(context.Context) string {
	return "must be a workspace URL such as https://adb-1234567890123456.7.azuredatabricks.net"
}

func (v baseURLValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (baseURLValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := databricks.ParseBaseURL(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Base URL", err.Error())
	}
}

// accessTokenValidator checks the shape of a personal access token; its messages never
// quote the token.
type accessTokenValidator struct{}

func (accessTokenValidator) Description(context.Context) string {
	return "must be a personal access token: not empty, no white space"
}

func (v accessTokenValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (accessTokenValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := databricks.ValidateToken(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Access Token", err.Error())
	}
}

// warehouseIDValidator checks a warehouse id and points at the id inside a pasted path.
type warehouseIDValidator struct{}

func (warehouseIDValidator) Description(context.Context) string {
	return "must be a warehouse id: letters and digits only"
}

func (v warehouseIDValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (warehouseIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := databricks.ValidateWarehouseID(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Warehouse ID", err.Error())
	}
}

// nameValidator checks a connection's display name.
type nameValidator struct{}

func (nameValidator) Description(context.Context) string {
	return "must be 1 to 100 characters without leading or trailing white space"
}

func (v nameValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (nameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	name := req.ConfigValue.ValueString()
	switch n := len([]rune(name)); {
	case n == 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Connection Name", "The name is empty. Give the connection a label, e.g. \"Sales warehouse\".")
	case n > maxNameLength:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Connection Name", "The name is longer than 100 characters. Shorten it.")
	case strings.TrimFunc(name, unicode.IsSpace) != name:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Connection Name", "The name has leading or trailing white space. Remove it.")
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

// parameterNameValidator checks the name of a :name parameter.
type parameterNameValidator struct{}

func (parameterNameValidator) Description(context.Context) string {
	return "must start with a letter or underscore and contain only letters, digits and underscores"
}

func (v parameterNameValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (parameterNameValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := databricks.ValidateParameterName(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Parameter Name", err.Error())
	}
}

// parameterTypeValidator checks a parameter's SQL type.
type parameterTypeValidator struct{}

func (parameterTypeValidator) Description(context.Context) string {
	return "must be a scalar Databricks SQL type such as STRING, INT, DOUBLE, DECIMAL(10,2) or DATE"
}

func (v parameterTypeValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (parameterTypeValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := databricks.ValidateParameterType(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Parameter Type", err.Error())
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

// durationValidator checks a Go duration such as "168h" or "30m".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `must be a duration such as "168h" or "90m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(req.ConfigValue.ValueString())
	switch {
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%q is not a duration. Write a number with a unit: h, m or s, e.g. \"168h\" for 7 days.", req.ConfigValue.ValueString()))
	case d < 0:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration", "The duration is negative. Use a window such as \"168h\".")
	}
}

// regexValidator checks a Go regular expression.
type regexValidator struct{}

func (regexValidator) Description(context.Context) string {
	return "must be a regular expression (Go syntax)"
}

func (v regexValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regexValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := regexp.Compile(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Regular Expression", err.Error()+". The syntax is Go's (RE2): https://golang.org/s/re2syntax.")
	}
}
