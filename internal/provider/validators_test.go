package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validateString runs a string validator on value and returns its error details joined.
func validateString(v validator.String, value types.String) string {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("x"), ConfigValue: value}, resp)
	var msgs []string
	for _, d := range resp.Diagnostics.Errors() {
		msgs = append(msgs, d.Summary()+": "+d.Detail())
	}
	return strings.Join(msgs, "\n")
}

// TestValidatorsRejectBadInput covers every plan-time rule with the message a user sees.
func TestValidatorsRejectBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		validator validator.String
		value     string
		want      string
	}{
		// base_url
		{"base_url without scheme", baseURLValidator(), "adb-1234567890123456.7.azuredatabricks.net", "Did you mean https://adb-1234567890123456.7.azuredatabricks.net?"},
		{"base_url http", baseURLValidator(), "http://acme.cloud.databricks.com", "must use https"},
		{"base_url double scheme", baseURLValidator(), "https://https://acme.cloud.databricks.com", "repeats its scheme"},
		{"base_url ?o=", baseURLValidator(), "https://adb-1.2.azuredatabricks.net/?o=1234", "workspace id (?o=...) is not part of the Base URL"},
		{"base_url warehouse path", baseURLValidator(), "https://acme.cloud.databricks.com/sql/1.0/warehouses/abc123", `put the warehouse id in warehouse_id = "abc123"`},
		{"base_url other path", baseURLValidator(), "https://acme.cloud.databricks.com/explore", "must not have a path"},
		{"base_url user info", baseURLValidator(), "https://me:pw@acme.cloud.databricks.com", "must not contain a user name or password"},
		{"base_url fragment", baseURLValidator(), "https://acme.cloud.databricks.com/#x", "must not have a fragment"},
		{"base_url trailing newline", baseURLValidator(), "https://acme.cloud.databricks.com\n", "leading or trailing white space"},
		{"base_url empty", baseURLValidator(), "", "empty"},
		{"base_url no host", baseURLValidator(), "https://", "no host"},
		{"base_url bad port", baseURLValidator(), "https://acme.cloud.databricks.com:70000", "invalid port"},
		// access_token
		{"token empty", accessTokenValidator(), "", "The access token is empty"},
		{"token trailing newline", accessTokenValidator(), "dapi0123456789abcdef\n", "wrap it in trimspace()"},
		{"token leading space", accessTokenValidator(), " dapi0123456789abcdef", "leading or trailing white space"},
		{"token inner space", accessTokenValidator(), "dapi0123 456789abcdef", "contains white space"},
		{"token inner tab", accessTokenValidator(), "dapi0123\t456789abcdef", "contains white space"},
		// warehouse_id
		{"warehouse pasted path", warehouseIDValidator(), "/sql/1.0/warehouses/1234567890abcdef", `Use only the id at its end: "1234567890abcdef"`},
		{"warehouse pasted URL", warehouseIDValidator(), "https://acme.cloud.databricks.com/sql/warehouses/abc123?o=1", `"abc123"`},
		{"warehouse with dash", warehouseIDValidator(), "1234-5678", "only letters and digits"},
		{"warehouse with space", warehouseIDValidator(), " 1234567890abcdef", "leading or trailing white space"},
		{"warehouse empty", warehouseIDValidator(), "", "The warehouse id is empty"},
		// name
		{"name empty", nameValidator(), "", "The name is empty"},
		{"name too long", nameValidator(), strings.Repeat("n", 101), "longer than 100 characters"},
		{"name leading space", nameValidator(), " Sales", "leading or trailing white space"},
		{"name trailing tab", nameValidator(), "Sales\t", "leading or trailing white space"},
		// statement
		{"statement blank", queryStatementValidator, "  \n\t", "The statement is blank"},
		{"statement only comments", queryStatementValidator, "-- nothing\n/* here */", "The statement is blank"},
		{"statement CREATE", queryStatementValidator, "CREATE TABLE t AS SELECT 1", "starts with CREATE, which is not read-only"},
		{"statement INSERT after comment", queryStatementValidator, "/* report */ -- daily\n insert into t values (1)", "starts with INSERT"},
		{"statement DROP after nested comment", queryStatementValidator, "/* a /* nested */ comment */ DROP TABLE t", "starts with DROP"},
		{"statement MERGE", queryStatementValidator, "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE", "dbsql_statement resource"},
		{"statement not a word", queryStatementValidator, "; SELECT 1", "more than one statement"},
		// the read-only check's bypasses of issue 13: each passed the first-keyword check and writes on a warehouse
		{"statement INSERT after a CTE", queryStatementValidator, "WITH c AS (SELECT 9 AS x) INSERT INTO t SELECT x FROM c", "After its WITH clause the statement does not go on with INSERT"},
		{"statement comment ended by a bare CR", queryStatementValidator, "-- note\rINSERT INTO t SELECT 7", "starts with INSERT"},
		{"statement comment continued by a backslash", queryStatementValidator, "-- note \\\nSELECT 1\nINSERT INTO t VALUES (1)", "starts with INSERT"},
		{"statement second statement", queryStatementValidator, "SELECT 1; INSERT INTO t VALUES (42)", "More Than One Statement"},
		{"statement unclosed string", queryStatementValidator, "SELECT 'open", "closing quote is missing"},
		{"execute blank", statementValidator{}, "/* nothing */", "The statement is blank"},
		{"execute two statements", statementValidator{}, "CREATE TABLE a (x INT); CREATE TABLE b (x INT)", "Give each statement its own resource"},
		// parameters
		{"parameter name with dash", parameterNameValidator(), "min-miles", "must start with a letter or underscore"},
		{"parameter name with colon", parameterNameValidator(), ":n", "must start with a letter or underscore"},
		{"parameter name digit first", parameterNameValidator(), "1st", "must start with a letter or underscore"},
		{"parameter type ARRAY", parameterTypeValidator(), "ARRAY<INT>", "ARRAY parameters are not supported"},
		{"parameter type STRUCT", parameterTypeValidator(), "struct<a:int>", "STRUCT parameters are not supported"},
		{"parameter type unknown", parameterTypeValidator(), "TEXT", `Unknown parameter type "TEXT"`},
		{"parameter type decimal precision", parameterTypeValidator(), "DECIMAL(39,2)", "precision must be between 1 and 38"},
		{"parameter type decimal scale", parameterTypeValidator(), "DECIMAL(5,6)", "scale must be between 0 and its precision"},
		{"parameter type INT(10)", parameterTypeValidator(), "INT(10)", "INT takes no parameters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := validateString(tc.validator, types.StringValue(tc.value))
			if got == "" {
				t.Fatalf("%q was accepted", tc.value)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("message for %q = %q, want it to contain %q", tc.value, got, tc.want)
			}
		})
	}
}

func TestValidatorsAcceptGoodInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		validator validator.String
		value     string
	}{
		{baseURLValidator(), "https://adb-1234567890123456.7.azuredatabricks.net"},
		{baseURLValidator(), "https://acme.cloud.databricks.com/"},
		{baseURLValidator(), "http://127.0.0.1:8765"},
		{accessTokenValidator(), "dapi0123456789abcdef0123456789abcdef"},
		{warehouseIDValidator(), "1234567890abcdef"},
		{nameValidator(), "Sales warehouse"},
		{nameValidator(), strings.Repeat("é", 100)},
		{queryStatementValidator, "SELECT 1"},
		{queryStatementValidator, "  -- comment\n/* block */ with t as (select 1) select * from t"},
		{queryStatementValidator, "((SELECT 1))"},
		{queryStatementValidator, "show tables"},
		{queryStatementValidator, "DESC t"},
		{queryStatementValidator, "VALUES (1), (2)"},
		{queryStatementValidator, "TABLE samples.nyctaxi.trips"},
		{queryStatementValidator, "LIST '/Volumes/a/b/c'"},
		{queryStatementValidator, "EXPLAIN SELECT 1"},
		{queryStatementValidator, "SELECT 1; -- trailing comment"},
		{queryStatementValidator, "SELECT ';' AS semicolon, '-- not a comment' AS dashes, `odd;name` FROM t"},
		{queryStatementValidator, "WITH a AS (SELECT 1 AS x), b AS (SELECT x FROM a) SELECT * FROM b"},
		{queryStatementValidator, "-- INSERT INTO t in a comment\nSELECT 1 /* DROP TABLE t */"},
		{statementValidator{}, "GRANT SELECT ON TABLE t TO `analysts`"},
		{parameterNameValidator(), "min_miles"},
		{parameterNameValidator(), "_n2"},
		{parameterTypeValidator(), "STRING"},
		{parameterTypeValidator(), "decimal(38,10)"},
		{parameterTypeValidator(), "TIMESTAMP_NTZ"},
		{parameterTypeValidator(), "INTERVAL DAY TO SECOND"},
	}
	for _, tc := range cases {
		if got := validateString(tc.validator, types.StringValue(tc.value)); got != "" {
			t.Errorf("%T refused %q: %s", tc.validator, tc.value, got)
		}
		// Null and unknown values wait for apply.
		if got := validateString(tc.validator, types.StringNull()) + validateString(tc.validator, types.StringUnknown()); got != "" {
			t.Errorf("%T refused a null or unknown value: %s", tc.validator, got)
		}
	}
}

// The token never appears in a validator's message, whatever it looks like.
func TestAccessTokenValidatorNeverEchoesToken(t *testing.T) {
	t.Parallel()
	for _, token := range []string{"dapiSECRET123 456", "\"dapiSECRET123\"\n", "https://dapiSECRET123@x ", " dapiSECRET123"} {
		got := validateString(accessTokenValidator(), types.StringValue(token))
		if got == "" {
			t.Fatalf("a bad token was accepted")
		}
		if strings.Contains(got, "SECRET") {
			t.Errorf("the message repeats the token: %q", got)
		}
	}
}
