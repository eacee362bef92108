package emulator

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// sqlFailure is why a statement ended FAILED: a Databricks error class, its
// SQLSTATE and the message text after the class.
type sqlFailure struct {
	errorCode string // status.error.error_code; "" means BAD_REQUEST
	class     string // e.g. TABLE_OR_VIEW_NOT_FOUND
	sqlState  string
	text      string
	position  string // "(line 1, pos 9)" for syntax errors, as Databricks adds it
}

// Error makes a failure usable where an error is expected (the translator).
func (f *sqlFailure) Error() string { return f.message() }

// message is the text Databricks puts in status.error.message:
// "[CLASS] what happened. SQLSTATE: xxxxx".
func (f *sqlFailure) message() string {
	msg := f.text
	if f.class != "" {
		msg = "[" + f.class + "] " + msg
	}
	if f.sqlState != "" {
		msg += " SQLSTATE: " + f.sqlState
	}
	if f.position != "" {
		msg += " " + f.position
	}
	return msg
}

func (f *sqlFailure) code() string {
	if f.errorCode == "" {
		return "BAD_REQUEST"
	}
	return f.errorCode
}

var (
	reSyntaxNear     = regexp.MustCompile(`syntax error at or near "((?:[^"]|"")*)"`)
	reSyntaxEnd      = regexp.MustCompile(`syntax error at end of input`)
	reTableMissing   = regexp.MustCompile(`Table with name (\S+?) does not exist`)
	reSchemaMissing  = regexp.MustCompile(`Schema with name "?([^"\s!]+)"? does not exist`)
	reCatalogMissing = regexp.MustCompile(`Catalog (?:with name )?"?([^"\s!]+)"? does not exist`)
	reAlreadyExists  = regexp.MustCompile(`(Table|View|Schema) with name "?([^"\s!]+)"? already exists`)
	reColumnMissing  = regexp.MustCompile(`Referenced column "((?:[^"]|"")*)" (?:was )?not found`)
	reArity          = regexp.MustCompile(`table (\S+) has (\d+) columns but (\d+) values were supplied`)
	reNotNull        = regexp.MustCompile(`NOT NULL constraint failed: [^.\s]+\.(\S+)`)
	reFunctionMiss   = regexp.MustCompile(`(?:Scalar |Table |Aggregate )?Function with name (\S+?) does not exist`)
	reCastString     = regexp.MustCompile(`Could not convert string "?'?(.*?)'?"? to ([A-Z0-9_(), ]+)`)
)

// duckToSparkType names DuckDB's internal type spellings in error messages the
// way Databricks would.
var duckToSparkType = map[string]string{
	"INT8": "TINYINT", "INT16": "SMALLINT", "INT32": "INT", "INT64": "BIGINT",
	"INTEGER": "INT", "VARCHAR": "STRING", "BOOL": "BOOLEAN", "FLOAT": "FLOAT",
	"DOUBLE": "DOUBLE", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
	"BLOB": "BINARY", "UINT8": "SMALLINT", "UINT16": "INT", "UINT32": "BIGINT", "UINT64": "DECIMAL(20,0)",
}

// classifyDuckDBError turns a DuckDB error into the failure Databricks would
// report for the same mistake, guessing the error class from DuckDB's error
// kind and wording. Positions in DuckDB's message refer to the translated SQL,
// so its "LINE 1: ..." context is dropped.
func classifyDuckDBError(err error) *sqlFailure {
	var failure *sqlFailure
	if errors.As(err, &failure) {
		return failure
	}
	msg := err.Error()
	kind := duckdb.ErrorTypeInvalid
	var de *duckdb.Error
	if errors.As(err, &de) {
		kind = de.Type
		msg = de.Msg
	}
	if i := strings.Index(msg, "\n\nLINE "); i >= 0 {
		msg = msg[:i]
	}
	// The names DuckDB knows catalogs by are the emulator's, not the user's.
	msg = strings.ReplaceAll(strings.ReplaceAll(msg, catalogPrefix, ""), metaDB, "")
	detail := msg
	if prefix, after, ok := strings.Cut(msg, ": "); ok && strings.HasSuffix(prefix, "Error") && !strings.Contains(prefix, "\n") {
		detail = after // drop DuckDB's "Catalog Error: " kind prefix
	}
	detail = strings.TrimSpace(detail)

	switch {
	case reachesOutside(kind, detail):
		// DuckDB's message names the file or extension it refused; a failure
		// says only that the emulator does not go there.
		return &sqlFailure{class: "INSUFFICIENT_PERMISSIONS", sqlState: "42501", text: "Insufficient privileges: the emulator gives SQL no access to the machine's files, network, extensions or settings."}
	case kind == duckdb.ErrorTypeParser || kind == duckdb.ErrorTypeSyntax:
		if m := reSyntaxNear.FindStringSubmatch(detail); m != nil {
			return &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: fmt.Sprintf("Syntax error at or near '%s'.", strings.ReplaceAll(m[1], `""`, `"`))}
		}
		if reSyntaxEnd.MatchString(detail) {
			return &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: "Syntax error at or near end of input."}
		}
		return &sqlFailure{class: "PARSE_SYNTAX_ERROR", sqlState: "42601", text: "Syntax error: " + detail}
	case reTableMissing.MatchString(detail):
		name := reTableMissing.FindStringSubmatch(detail)[1]
		return &sqlFailure{class: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01", text: fmt.Sprintf("The table or view `%s` cannot be found. Verify the spelling and correctness of the schema and catalog. If you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog.", name)}
	case reSchemaMissing.MatchString(detail):
		name := reSchemaMissing.FindStringSubmatch(detail)[1]
		return &sqlFailure{class: "SCHEMA_NOT_FOUND", sqlState: "42704", text: fmt.Sprintf("The schema `%s` cannot be found. Verify the spelling and correctness of the schema and catalog.", name)}
	case reCatalogMissing.MatchString(detail):
		name := reCatalogMissing.FindStringSubmatch(detail)[1]
		return &sqlFailure{class: "NO_SUCH_CATALOG_EXCEPTION", sqlState: "42704", text: fmt.Sprintf("The catalog '%s' was not found. Please verify the catalog name and then retry the query or command again.", name)}
	case reAlreadyExists.MatchString(detail):
		m := reAlreadyExists.FindStringSubmatch(detail)
		if m[1] == "Schema" {
			return &sqlFailure{class: "SCHEMA_ALREADY_EXISTS", sqlState: "42P06", text: fmt.Sprintf("Cannot create schema `%s` because it already exists.", m[2])}
		}
		return &sqlFailure{class: "TABLE_OR_VIEW_ALREADY_EXISTS", sqlState: "42P07", text: fmt.Sprintf("Cannot create table or view `%s` because it already exists.", m[2])}
	case reArity.MatchString(detail):
		m := reArity.FindStringSubmatch(detail)
		reason := "not enough data columns"
		class := "INSERT_COLUMN_ARITY_MISMATCH.NOT_ENOUGH_DATA_COLUMNS"
		if len(m[3]) > len(m[2]) || len(m[3]) == len(m[2]) && m[3] > m[2] {
			reason, class = "too many data columns", "INSERT_COLUMN_ARITY_MISMATCH.TOO_MANY_DATA_COLUMNS"
		}
		return &sqlFailure{class: class, sqlState: "21S01", text: fmt.Sprintf("Cannot write to `%s`, the reason is %s: the table has %s columns and the data %s.", m[1], reason, m[2], m[3])}
	case reNotNull.MatchString(detail):
		return &sqlFailure{class: "DELTA_NOT_NULL_CONSTRAINT_VIOLATED", sqlState: "23502", text: fmt.Sprintf("NOT NULL constraint violated for column: %s.", reNotNull.FindStringSubmatch(detail)[1])}
	case reColumnMissing.MatchString(detail):
		name := reColumnMissing.FindStringSubmatch(detail)[1]
		return &sqlFailure{class: "UNRESOLVED_COLUMN.WITHOUT_SUGGESTION", sqlState: "42703", text: fmt.Sprintf("A column, variable, or function parameter with name `%s` cannot be resolved.", strings.ReplaceAll(name, `""`, `"`))}
	case reFunctionMiss.MatchString(detail):
		name := reFunctionMiss.FindStringSubmatch(detail)[1]
		return &sqlFailure{class: "UNRESOLVED_ROUTINE", sqlState: "42883", text: fmt.Sprintf("Cannot resolve routine `%s` on search path.", name)}
	case kind == duckdb.ErrorTypeConversion || reCastString.MatchString(detail):
		if m := reCastString.FindStringSubmatch(detail); m != nil {
			target := strings.TrimSpace(m[2])
			if t, ok := duckToSparkType[target]; ok {
				target = t
			}
			return &sqlFailure{class: "CAST_INVALID_INPUT", sqlState: "22018", text: fmt.Sprintf("The value '%s' of the type \"STRING\" cannot be cast to \"%s\" because it is malformed. Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead.", m[1], target)}
		}
		return &sqlFailure{class: "CAST_INVALID_INPUT", sqlState: "22018", text: detail}
	case kind == duckdb.ErrorTypeDivideByZero:
		return &sqlFailure{class: "DIVIDE_BY_ZERO", sqlState: "22012", text: "Division by zero. Use `try_divide` to tolerate divisor being 0 and return NULL instead."}
	case kind == duckdb.ErrorTypeOutOfRange:
		return &sqlFailure{class: "NUMERIC_VALUE_OUT_OF_RANGE", sqlState: "22003", text: detail}
	case kind == duckdb.ErrorTypeConstraint:
		return &sqlFailure{class: "CONSTRAINT_VIOLATION", sqlState: "23000", text: detail}
	case kind == duckdb.ErrorTypeCatalog:
		return &sqlFailure{class: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01", text: detail}
	case kind == duckdb.ErrorTypeBinder:
		return &sqlFailure{class: "DATATYPE_MISMATCH", sqlState: "42K09", text: detail}
	case kind == duckdb.ErrorTypeNotImplemented:
		return &sqlFailure{class: "UNSUPPORTED_FEATURE", sqlState: "0A000", text: detail}
	default:
		return &sqlFailure{class: "INTERNAL_ERROR", sqlState: "XX000", text: detail}
	}
}

// reachesOutside reports whether DuckDB refused a statement because it tried
// to leave the database: a file, the network, an extension or a locked
// setting (see lockDown).
func reachesOutside(kind duckdb.ErrorType, detail string) bool {
	switch kind {
	case duckdb.ErrorTypePermission, duckdb.ErrorTypeIO, duckdb.ErrorTypeHTTP, duckdb.ErrorTypeNetwork,
		duckdb.ErrorTypeMissingExtension, duckdb.ErrorTypeAutoLoad:
		return true
	}
	return strings.Contains(detail, "configuration has been locked")
}
