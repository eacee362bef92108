package emulator

import (
	"fmt"
	"strings"
)

// The failures the Databricks dialect raises itself, worded as Databricks
// words them (the error classes of its SQL reference), so a test that
// expects a class offline sees the class it will see online.

func tableNotFound(name string) *sqlFailure {
	return &sqlFailure{class: "TABLE_OR_VIEW_NOT_FOUND", sqlState: "42P01", text: fmt.Sprintf("The table or view %s cannot be found. Verify the spelling and correctness of the schema and catalog. If you did not qualify the name with a schema, verify the current_schema() output, or qualify the name with the correct schema and catalog. To tolerate the error on drop use DROP VIEW IF EXISTS or DROP TABLE IF EXISTS.", name)}
}

func schemaNotFound(name string) *sqlFailure {
	return &sqlFailure{class: "SCHEMA_NOT_FOUND", sqlState: "42704", text: fmt.Sprintf("The schema %s cannot be found. Verify the spelling and correctness of the schema and catalog. If you did not qualify the name with a catalog, verify the current_schema() output, or qualify the name with the correct catalog. To tolerate the error on drop use DROP SCHEMA IF EXISTS.", name)}
}

func catalogNotFound(name string) *sqlFailure {
	return &sqlFailure{class: "NO_SUCH_CATALOG_EXCEPTION", sqlState: "42704", text: fmt.Sprintf("The catalog '%s' was not found. Please verify the catalog name and then retry the query or command again.", name)}
}

func tableAlreadyExists(name string) *sqlFailure {
	return &sqlFailure{class: "TABLE_OR_VIEW_ALREADY_EXISTS", sqlState: "42P07", text: fmt.Sprintf("Cannot create table or view %s because it already exists. Choose a different name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate pre-existing objects.", name)}
}

func schemaAlreadyExists(name string) *sqlFailure {
	return &sqlFailure{class: "SCHEMA_ALREADY_EXISTS", sqlState: "42P06", text: fmt.Sprintf("Cannot create schema %s because it already exists. Choose a different name, drop the existing schema, or add the IF NOT EXISTS clause to tolerate pre-existing schema.", name)}
}

func catalogAlreadyExists(name string) *sqlFailure {
	return &sqlFailure{class: "CATALOG_ALREADY_EXISTS", sqlState: "42P04", text: fmt.Sprintf("Cannot create catalog %s because it already exists. Choose a different name, drop the existing catalog, or add the IF NOT EXISTS clause to tolerate pre-existing catalog.", name)}
}

func schemaNotEmpty(name string) *sqlFailure {
	return &sqlFailure{class: "SCHEMA_NOT_EMPTY", sqlState: "2BP01", text: fmt.Sprintf("Cannot drop a schema %s because it contains objects. Use DROP SCHEMA ... CASCADE to drop the schema and all its objects.", name)}
}

func catalogNotEmpty(name string) *sqlFailure {
	return &sqlFailure{class: "CATALOG_NOT_EMPTY", sqlState: "2BP01", text: fmt.Sprintf("Cannot drop catalog %s because it contains schemas. Use DROP CATALOG ... CASCADE to drop the catalog and all its objects.", name)}
}

// wrongObjectType is DROP TABLE on a view and the like.
func wrongObjectType(operation, required, name, actual, alternative string) *sqlFailure {
	return &sqlFailure{class: "WRONG_COMMAND_FOR_OBJECT_TYPE", sqlState: "42809", text: fmt.Sprintf("The operation %s requires a %s. But %s is a %s. Use %s instead.", operation, required, name, actual, alternative)}
}

// insufficientPrivileges is how Unity Catalog refuses what the caller may not
// do: here, anything that would change the read-only samples catalog.
func insufficientPrivileges(privilege, securable, name string) *sqlFailure {
	return &sqlFailure{class: "INSUFFICIENT_PERMISSIONS", sqlState: "42501", text: fmt.Sprintf("Insufficient privileges: User does not have %s on %s '%s'.", privilege, securable, name)}
}

func unresolvedRoutine(name string) *sqlFailure {
	return &sqlFailure{class: "UNRESOLVED_ROUTINE", sqlState: "42883", text: fmt.Sprintf("Cannot resolve routine `%s` on search path [`system`.`builtin`, `system`.`session`].", name)}
}

func unknownDataType(name string) *sqlFailure {
	return &sqlFailure{class: "UNSUPPORTED_DATATYPE", sqlState: "0A000", text: fmt.Sprintf("Unsupported data type %q.", strings.ToUpper(name))}
}

func invalidParameterValue(format string, args ...any) *sqlFailure {
	return &sqlFailure{class: "INVALID_PARAMETER_VALUE", sqlState: "22023", text: fmt.Sprintf(format, args...)}
}

// Kinds of construct the emulator knows to be Databricks SQL but does not
// emulate; each is a subclass of EMULATOR_UNSUPPORTED.
const (
	unsupportedStatement = "STATEMENT"
	unsupportedClause    = "CLAUSE"
	unsupportedFunction  = "FUNCTION"
	unsupportedType      = "TYPE"
)

// unsupported is the emulator's own refusal: valid Databricks SQL that it
// does not emulate. It names the construct, so nobody mistakes it for a fault
// in their SQL, and it never runs the statement some other way.
func unsupported(kind, construct string) *sqlFailure {
	return &sqlFailure{class: "EMULATOR_UNSUPPORTED." + kind, sqlState: "0A000", text: fmt.Sprintf("The Databricks emulator does not support %s. It is valid on Databricks: run it against a workspace, or leave it out of what you test offline.", construct)}
}
