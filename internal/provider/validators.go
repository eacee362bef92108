package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

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

// notBlankValidator refuses an empty or padded identifier, such as a client id.
func notBlankValidator(summary string) stringCheck {
	return stringCheck{
		summary:     summary,
		description: "must not be empty or have leading or trailing white space",
		check: func(s string) error {
			switch {
			case s == "":
				return userMessage("The value is empty. Set it, or leave the argument out.")
			case strings.TrimSpace(s) != s:
				return userMessage("The value has leading or trailing white space. Remove it (trimspace() helps with values read from files).")
			}
			return nil
		},
	}
}

// secretValidator checks the shape of a secret (an OAuth client secret) as the token's
// is checked; its messages never quote the secret.
func secretValidator(summary string) stringCheck {
	return stringCheck{
		summary:     summary,
		description: "must be a secret: not empty, no white space",
		check: func(s string) error {
			switch {
			case s == "":
				return userMessage("The secret is empty. Set it, or leave the argument out.")
			case strings.TrimSpace(s) != s:
				return userMessage("The secret has leading or trailing white space, often a newline from a file: wrap it in trimspace().")
			case strings.IndexFunc(s, unicode.IsSpace) >= 0:
				return userMessage("The secret contains white space, which no OAuth secret has. Check that the whole value was copied.")
			}
			return nil
		},
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

// readOnlyStatementValidator refuses a statement that may write, with the client's
// lexer (databricks.CheckReadOnly), which reads comments, literals and statements the way
// Databricks does. The check catches mistakes; it is not a security boundary: that is the
// credential's privileges.
type readOnlyStatementValidator struct {
	what string // the argument, e.g. "A dbsql_query statement"
	when string // when it runs, e.g. "Data sources run on every plan and refresh"
}

func (readOnlyStatementValidator) Description(context.Context) string {
	return "must be one read-only statement: SELECT, WITH ... SELECT, VALUES, TABLE, FROM ... SELECT, SHOW, DESCRIBE, EXPLAIN or LIST"
}

func (v readOnlyStatementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v readOnlyStatementValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	err := databricks.CheckReadOnly(req.ConfigValue.ValueString())
	var notReadOnly *databricks.NotReadOnlyError
	switch {
	case err == nil:
	case errors.As(err, &notReadOnly):
		resp.Diagnostics.AddAttributeError(req.Path, "Statement Is Not Read-Only",
			v.what+" must read, not write. "+err.Error()+" "+v.when+", so a write would run every time someone runs terraform plan: "+
				"run statements that change something with the dbsql_statement resource, which runs them once, on apply.")
	default:
		statementError(req, resp, err)
	}
}

// The read-only validators of dbsql_query's statement and dbsql_statement's verify.
var (
	queryStatementValidator = readOnlyStatementValidator{what: "A dbsql_query statement", when: "Data sources run on every plan and refresh"}
	verifyValidator         = readOnlyStatementValidator{what: "verify", when: "verify runs on every refresh"}
)

// statementValidator refuses a statement that is blank or holds more than one statement
// (databricks.CheckStatement): the statements dbsql_statement runs, which may write.
type statementValidator struct{}

func (statementValidator) Description(context.Context) string {
	return "must be one SQL statement, not blank"
}

func (v statementValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (statementValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := databricks.CheckStatement(req.ConfigValue.ValueString()); err != nil {
		statementError(req, resp, err)
	}
}

// statementError reports what both statement validators refuse alike. No message quotes
// the statement: its text may hold a value from a sensitive variable.
func statementError(req validator.StringRequest, resp *validator.StringResponse, err error) {
	switch {
	case errors.Is(err, databricks.ErrEmptyStatement):
		resp.Diagnostics.AddAttributeError(req.Path, "Empty Statement", "The statement is blank (or only comments). Write the SQL to run.")
	case errors.Is(err, databricks.ErrMultipleStatements):
		resp.Diagnostics.AddAttributeError(req.Path, "More Than One Statement",
			"The text holds more than one statement: a ; ends the first and more text follows it, and Databricks runs one statement "+
				"per request. Give each statement its own resource (depends_on orders them), or remove what follows the ;.")
	default:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Statement", err.Error())
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
