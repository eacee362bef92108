package provider

// More fuzz targets of validators_fuzz_test.go: statements, parameters, and the simple
// string checks.

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// FuzzStatementValidators covers the two statement validators together: what is
// read-only is a statement, what is blank for one is refused by the other, and a comment
// or white space in front changes nothing. (The lexer's own properties are fuzzed in the
// client: FuzzCheckReadOnly.)
func FuzzStatementValidators(f *testing.F) {
	for _, seed := range []string{
		"SELECT 1", "  -- c\n/* b */ with t as (select 1) select * from t", "((SELECT 1))", "CREATE TABLE t AS SELECT 1",
		"/* a /* nested */ c */ DROP TABLE t", "-- only", "/* open", "; SELECT 1", "", "ÉTAT", "_x", "*/ SELECT",
		"WITH c AS (SELECT 9 AS x) INSERT INTO t SELECT x FROM c", "-- note\rINSERT INTO t SELECT 7", "SELECT 1; INSERT INTO t VALUES (42)",
	} {
		f.Add(seed)
	}
	readOnlyValidator := queryStatementValidator
	f.Fuzz(func(t *testing.T, sql string) {
		validUTF8(t, sql)
		readOnly, readOnlyOK := validate(t, readOnlyValidator, sql)
		statement, statementOK := validate(t, statementValidator{}, sql)
		if readOnlyOK && !statementOK {
			t.Fatalf("%q: read-only but not a statement: %s", sql, message(statement))
		}
		if !statementOK && statement[0].Summary() == "Empty Statement" && readOnlyOK {
			t.Fatalf("%q: blank, yet read-only", sql)
		}
		if !readOnlyOK && strings.Contains(readOnly[0].Detail(), sql) && len(sql) >= 8 {
			t.Fatalf("%q: the message quotes the statement: %s", sql, message(readOnly))
		}
		for _, prefix := range []string{"/* note */ ", "-- note\n", " \n\t"} {
			_, again := validate(t, readOnlyValidator, prefix+sql)
			if again != readOnlyOK {
				t.Fatalf("%q: accepted = %v, but %v with %q in front", sql, readOnlyOK, again, prefix)
			}
		}
	})
}

func FuzzParameterNameValidator(f *testing.F) {
	for _, seed := range []string{"min_miles", "_n2", "min-miles", ":n", "1st", "", "naïve"} {
		f.Add(seed)
	}
	pattern := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	allowed := fixedMessages(f, parameterNameValidator(), "1st")
	f.Fuzz(func(t *testing.T, name string) {
		validUTF8(t, name)
		diags, ok := validate(t, parameterNameValidator(), name)
		if ok != pattern.MatchString(name) {
			t.Fatalf("%q: accepted = %v", name, ok)
		}
		if !ok && !slices.Contains(allowed, message(diags)) {
			t.Fatalf("%q: a message other than the fixed one: %q", name, message(diags))
		}
	})
}

func FuzzParameterTypeValidator(f *testing.F) {
	for _, seed := range []string{
		"STRING", "decimal(38,10)", "DECIMAL(39,2)", "DECIMAL(5,6)", "INT(10)", "TIMESTAMP_NTZ", "INTERVAL DAY TO SECOND",
		"ARRAY<INT>", "struct<a:int>", "MAP<STRING, INT>", "TEXT", "", "<<<", "DECIMAL(a,b)", "DECIMAL(1,2,3)", "ÉTAT",
		"000000000000000000000000000000000000000É", // a message once cut this mid-character
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, typeText string) {
		validUTF8(t, typeText)
		_, ok := validate(t, parameterTypeValidator(), typeText)
		if !ok {
			return
		}
		// What is accepted is a scalar type the client can read back.
		typ, err := databricks.ParseType(typeText)
		if err != nil {
			t.Fatalf("%q accepted, but ParseType refuses it: %v", typeText, err)
		}
		switch typ.Kind() {
		case databricks.KindArray, databricks.KindMap, databricks.KindStruct:
			t.Fatalf("%q accepted, but it is a %s, which the API does not take as a parameter", typeText, typ.Name)
		}
	})
}

// FuzzUniqueParameterNamesValidator reads the input as a comma-separated list of
// names ("\x00" for a null name) and asserts one error per repeated name, on that entry.
func FuzzUniqueParameterNamesValidator(f *testing.F) {
	for _, seed := range []string{"a,b,c", "a,a", "a,b,a,b,a", "\x00,\x00", "", ",", "x,\x00,x"} {
		f.Add(seed)
	}
	objType := map[string]attr.Type{"name": types.StringType, "value": types.StringType, "type": types.StringType}
	f.Fuzz(func(t *testing.T, list string) {
		validUTF8(t, list)
		names := strings.Split(list, ",")
		elems := make([]attr.Value, len(names))
		seen := map[string]bool{}
		var wantPaths []string
		for i, n := range names {
			name := types.StringValue(n)
			if n == "\x00" {
				name = types.StringNull()
			} else if seen[n] {
				wantPaths = append(wantPaths, fuzzPath.AtListIndex(i).AtName("name").String())
			}
			seen[n] = seen[n] || n != "\x00"
			elems[i] = types.ObjectValueMust(objType, map[string]attr.Value{"name": name, "value": types.StringNull(), "type": types.StringNull()})
		}
		value := types.ListValueMust(types.ObjectType{AttrTypes: objType}, elems)

		ctx := context.Background()
		v := uniqueParameterNamesValidator{}
		for _, skipped := range []types.List{types.ListNull(value.ElementType(ctx)), types.ListUnknown(value.ElementType(ctx))} {
			resp := &validator.ListResponse{}
			v.ValidateList(ctx, validator.ListRequest{Path: fuzzPath, ConfigValue: skipped}, resp)
			if len(resp.Diagnostics) != 0 {
				t.Fatalf("refused a null or unknown list: %v", resp.Diagnostics)
			}
		}
		resp := &validator.ListResponse{}
		v.ValidateList(ctx, validator.ListRequest{Path: fuzzPath, ConfigValue: value}, resp)
		checkDiagnostics(t, resp.Diagnostics, len(names))
		var gotPaths []string
		for _, d := range resp.Diagnostics {
			if withPath, ok := d.(diag.DiagnosticWithPath); ok {
				gotPaths = append(gotPaths, withPath.Path().String())
			}
		}
		if strings.Join(gotPaths, " ") != strings.Join(wantPaths, " ") {
			t.Fatalf("%q: errors at %v, want %v", names, gotPaths, wantPaths)
		}
	})
}

func FuzzDurationValidator(f *testing.F) {
	for _, seed := range []string{"168h", "90m", "1h30m", "-1h", "", "7d", "1.5h", "9999999999999h"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		validUTF8(t, s)
		_, ok := validate(t, durationValidator(), s)
		d, err := time.ParseDuration(s)
		if ok != (err == nil && d >= 0) {
			t.Fatalf("%q: accepted = %v, but ParseDuration gives %v, %v", s, ok, d, err)
		}
	})
}

func FuzzRegexValidator(f *testing.F) {
	for _, seed := range []string{"^prod-", "(", "[a-z", `\p{Greek}+`, "(?i)x", "a{1001}", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		validUTF8(t, s)
		_, ok := validate(t, regexValidator(), s)
		if _, err := regexp.Compile(s); ok != (err == nil) {
			t.Fatalf("%q: accepted = %v, but regexp.Compile gives %v", s, ok, err)
		}
	})
}

func FuzzSecretValidator(f *testing.F) {
	for _, seed := range []string{"dose0123456789abcdef", "", " s", "s\n", "s s", "\u00a0s", "s\u2028x", "https://s@x/?a=b"} {
		f.Add(seed)
	}
	v := secretValidator("Invalid Client Secret")
	// The messages a refused secret can get: one per rule, never with the secret in it.
	allowed := fixedMessages(f, v, "", " x", "x y")
	f.Fuzz(func(t *testing.T, secret string) {
		validUTF8(t, secret)
		diags, ok := validate(t, v, secret)
		want := secret != "" && strings.IndexFunc(secret, unicode.IsSpace) < 0
		if ok != want {
			t.Fatalf("accepted = %v, want %v", ok, want)
		}
		if !ok && !slices.Contains(allowed, message(diags)) {
			t.Fatalf("a message other than the fixed ones, which may echo the secret: %d bytes of detail", len(diags[0].Detail()))
		}
	})
}

func FuzzNotBlankValidator(f *testing.F) {
	for _, seed := range []string{"b1b2c3d4-0000-1111-2222-333344445555", "", " id", "id\n", "a b"} {
		f.Add(seed)
	}
	v := notBlankValidator("Invalid Client ID")
	allowed := fixedMessages(f, v, "", " x")
	f.Fuzz(func(t *testing.T, s string) {
		validUTF8(t, s)
		diags, ok := validate(t, v, s)
		if want := s != "" && strings.TrimSpace(s) == s; ok != want {
			t.Fatalf("%q: accepted = %v, want %v", s, ok, want)
		}
		if !ok && !slices.Contains(allowed, message(diags)) {
			t.Fatalf("%q: a message other than the fixed ones: %q", s, message(diags))
		}
	})
}
