package provider

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// Every validator has a fuzz target here. Each asserts what holds for any input: no
// panic; nothing for null or unknown values; at most the diagnostics the rule allows,
// each an error on the attribute's path with a summary and a detail in valid UTF-8 (the
// plugin protocol refuses anything else, and Terraform only ever sends valid UTF-8);
// and a property of the rule itself, such as "accepted at plan time means accepted by
// the client at apply time", or "the message never repeats the token".

// fuzzedValidators maps each validator to its fuzz target;
// TestEveryValidatorIsFuzzed keeps it complete.
var fuzzedValidators = map[string]func(*testing.F){
	"baseURLValidator":              FuzzBaseURLValidator,
	"accessTokenValidator":          FuzzAccessTokenValidator,
	"warehouseIDValidator":          FuzzWarehouseIDValidator,
	"nameValidator":                 FuzzNameValidator,
	"readOnlyStatementValidator":    FuzzStatementValidators,
	"statementValidator":            FuzzStatementValidators,
	"parameterNameValidator":        FuzzParameterNameValidator,
	"parameterTypeValidator":        FuzzParameterTypeValidator,
	"uniqueParameterNamesValidator": FuzzUniqueParameterNamesValidator,
	"durationValidator":             FuzzDurationValidator,
	"regexValidator":                FuzzRegexValidator,
	"secretValidator":               FuzzSecretValidator,
	"notBlankValidator":             FuzzNotBlankValidator,
}

// TestEveryValidatorIsFuzzed finds every type of this package with a framework
// validator method, and every constructor of a stringCheck (the one generic validator,
// whose checks are the validators), and asserts each has a fuzz target, so that a
// validator added later cannot go unfuzzed.
func TestEveryValidatorIsFuzzed(t *testing.T) {
	t.Parallel()
	methods := map[string]bool{
		"ValidateString": true, "ValidateList": true, "ValidateSet": true, "ValidateMap": true, "ValidateObject": true,
		"ValidateInt64": true, "ValidateInt32": true, "ValidateFloat64": true, "ValidateFloat32": true,
		"ValidateNumber": true, "ValidateBool": true, "ValidateDynamic": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var missing []string
	found := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if ok && fn.Recv == nil && returnsStringCheck(fn) {
				found++
				if fuzzedValidators[fn.Name.Name] == nil {
					missing = append(missing, fn.Name.Name+" ("+name+")")
				}
				continue
			}
			if !ok || fn.Recv == nil || !methods[fn.Name.Name] {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			ident, ok := recv.(*ast.Ident)
			if !ok {
				continue
			}
			if ident.Name == "stringCheck" {
				continue // generic: its constructors are the validators
			}
			found++
			if fuzzedValidators[ident.Name] == nil {
				missing = append(missing, ident.Name+" ("+name+")")
			}
		}
	}
	if found < len(fuzzedValidators) {
		t.Fatalf("found %d validators, fewer than the %d fuzzed: the search is broken", found, len(fuzzedValidators))
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("validator %s has no fuzz target: add one to validators_fuzz_test.go and to fuzzedValidators", m)
	}
}

// returnsStringCheck reports whether fn returns a stringCheck and nothing else.
func returnsStringCheck(fn *ast.FuncDecl) bool {
	results := fn.Type.Results
	if results == nil || len(results.List) != 1 {
		return false
	}
	ident, ok := results.List[0].Type.(*ast.Ident)
	return ok && ident.Name == "stringCheck"
}

// fuzzPath is the attribute path the fuzz targets validate at.
var fuzzPath = path.Root("attr")

// validate runs a string validator and checks what holds for every one: nothing for
// null and unknown; at most one diagnostic, an error on the path, readable, valid UTF-8.
// It returns the diagnostics for value and whether value was accepted.
func validate(t testing.TB, v validator.String, value string) (diag.Diagnostics, bool) {
	t.Helper()
	ctx := context.Background()
	for _, skipped := range []types.String{types.StringNull(), types.StringUnknown()} {
		resp := &validator.StringResponse{}
		v.ValidateString(ctx, validator.StringRequest{Path: fuzzPath, ConfigValue: skipped}, resp)
		if len(resp.Diagnostics) != 0 {
			t.Fatalf("%T refused a null or unknown value: %v", v, resp.Diagnostics)
		}
	}
	if v.Description(ctx) == "" || v.MarkdownDescription(ctx) == "" {
		t.Fatalf("%T has no description", v)
	}
	resp := &validator.StringResponse{}
	v.ValidateString(ctx, validator.StringRequest{Path: fuzzPath, ConfigValue: types.StringValue(value)}, resp)
	checkDiagnostics(t, resp.Diagnostics, 1)
	return resp.Diagnostics, len(resp.Diagnostics) == 0
}

func checkDiagnostics(t testing.TB, diags diag.Diagnostics, maxDiags int) {
	t.Helper()
	if len(diags) > maxDiags {
		t.Fatalf("%d diagnostics, want at most %d: %v", len(diags), maxDiags, diags)
	}
	for _, d := range diags {
		withPath, ok := d.(diag.DiagnosticWithPath)
		switch {
		case d.Severity() != diag.SeverityError:
			t.Fatalf("a %v, want an error: %v", d.Severity(), d)
		case !ok || !strings.HasPrefix(withPath.Path().String(), fuzzPath.String()):
			t.Fatalf("an error not on the attribute's path: %v", d)
		case strings.TrimSpace(d.Summary()) == "" || strings.TrimSpace(d.Detail()) == "":
			t.Fatalf("an error without summary or detail: %v", d)
		case !utf8.ValidString(d.Summary()) || !utf8.ValidString(d.Detail()):
			t.Fatalf("an error that is not valid UTF-8, which the plugin protocol cannot carry: %q", d.Detail())
		}
	}
}

// message is the one diagnostic's summary and detail ("" when accepted).
func message(diags diag.Diagnostics) string {
	if len(diags) == 0 {
		return ""
	}
	return diags[0].Summary() + ": " + diags[0].Detail()
}

// fixedMessages returns the messages v gives the refused samples: for validators whose
// messages never depend on the input, the only messages any input may get.
func fixedMessages(f *testing.F, v validator.String, refused ...string) []string {
	var out []string
	for _, sample := range refused {
		diags, ok := validate(f, v, sample)
		if ok {
			f.Fatalf("%T accepted %q", v, sample)
		}
		out = append(out, message(diags))
	}
	return out
}

// validUTF8 skips inputs Terraform can never send: configuration strings are UTF-8.
func validUTF8(t *testing.T, s ...string) {
	for _, x := range s {
		if !utf8.ValidString(x) {
			t.Skip()
		}
	}
}

func FuzzBaseURLValidator(f *testing.F) {
	for _, seed := range []string{
		"https://adb-1234567890123456.7.azuredatabricks.net", "https://acme.cloud.databricks.com/", "http://127.0.0.1:8765",
		"adb-1.2.azuredatabricks.net", "https://me:s3cr3tpassw0rd@acme.cloud.databricks.com", "https://https://x",
		"https://x.cloud.databricks.com/sql/1.0/warehouses/abc?o=1#f", "HTTPS://X:70000", "ftp://user:hunter2hunter2@x/",
		"https://[::1]:443", "http://localhost", " https://x\n", "https://x.cloud.databricks.com:",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		validUTF8(t, raw)
		diags, ok := validate(t, baseURLValidator(), raw)
		if ok {
			// Accepted at plan time means accepted by the client at apply time, and the
			// normalised form is accepted as it is.
			if _, err := databricks.New(databricks.Config{BaseURL: raw, Credentials: databricks.PersonalAccessToken("dapi0")}); err != nil {
				t.Fatalf("%q passed the validator but the client refuses it: %v", raw, err)
			}
			parsed, _ := databricks.ParseBaseURL(raw)
			again, err := databricks.ParseBaseURL(parsed.String())
			if err != nil || again.String() != parsed.String() {
				t.Fatalf("%q normalises to %q, which normalises to %q (%v)", raw, parsed.String(), again.String(), err)
			}
			return
		}
		// A password pasted into the URL is never repeated.
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if pw, set := u.User.Password(); set && len(pw) >= 6 && strings.Contains(message(diags), pw) {
				t.Fatalf("the message repeats the URL's password: %q", message(diags))
			}
		}
	})
}

func FuzzAccessTokenValidator(f *testing.F) {
	for _, seed := range []string{"dapi0123456789abcdef", "", " dapi1", "dapi1\n", "dap i", "\"dapi'\\\"", "https://dapi@evil.example/?a=b", "\u00a0dapi", "dapi\u2028x"} {
		f.Add(seed)
	}
	// The messages a refused token can get: one per rule, never with the token in it.
	allowed := fixedMessages(f, accessTokenValidator(), "", " x", "x y")
	f.Fuzz(func(t *testing.T, token string) {
		validUTF8(t, token)
		diags, ok := validate(t, accessTokenValidator(), token)
		_, clientErr := databricks.New(databricks.Config{BaseURL: "https://x.cloud.databricks.com", Credentials: databricks.PersonalAccessToken(token)})
		if ok != (clientErr == nil) {
			t.Fatalf("the validator says %v, the client %v: plan time and apply time disagree", ok, clientErr)
		}
		if !ok && !slices.Contains(allowed, message(diags)) {
			// Not the token itself: the message is printed, the token is not.
			t.Fatalf("a message other than the fixed ones, which may echo the token: %d bytes of detail", len(diags[0].Detail()))
		}
	})
}

func FuzzWarehouseIDValidator(f *testing.F) {
	for _, seed := range []string{"1234567890abcdef", "/sql/1.0/warehouses/1234567890abcdef", "https://x/sql/warehouses/abc?o=1", "12-34", " abc", "", "/endpoints/ABC/", "ünïcode"} {
		f.Add(seed)
	}
	plain := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	quoted := regexp.MustCompile(`"([^"]*)"`)
	f.Fuzz(func(t *testing.T, id string) {
		validUTF8(t, id)
		diags, ok := validate(t, warehouseIDValidator(), id)
		if ok != plain.MatchString(id) {
			t.Fatalf("%q: accepted = %v, want letters and digits only", id, ok)
		}
		// A suggested id is found in the input, never invented, and is itself valid.
		for _, m := range quoted.FindAllStringSubmatch(message(diags), -1) {
			if !plain.MatchString(m[1]) || !strings.Contains(id, m[1]) {
				t.Fatalf("%q: the message suggests %q", id, m[1])
			}
		}
	})
}

func FuzzNameValidator(f *testing.F) {
	for _, seed := range []string{"Sales warehouse", "", " Sales", "Sales\t", strings.Repeat("é", 100), strings.Repeat("n", 101), "\u3000x"} {
		f.Add(seed)
	}
	allowed := fixedMessages(f, nameValidator(), "", strings.Repeat("n", maxNameLength+1), " x")
	f.Fuzz(func(t *testing.T, name string) {
		validUTF8(t, name)
		diags, ok := validate(t, nameValidator(), name)
		n := utf8.RuneCountInString(name)
		want := n >= 1 && n <= maxNameLength && strings.TrimFunc(name, unicode.IsSpace) == name
		if ok != want {
			t.Fatalf("%q: accepted = %v, want %v", name, ok, want)
		}
		if !ok && !slices.Contains(allowed, message(diags)) {
			t.Fatalf("%q: a message other than the fixed ones: %q", name, message(diags))
		}
	})
}
