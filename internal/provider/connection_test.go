package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// Every object gets its client through connect, and its messages name that object and
// its own timeout attribute, never another's.
func TestConnectNamesItsCaller(t *testing.T) {
	t.Parallel()
	callers := []caller{queryDataSourceCaller, queryEphemeralCaller, statementExecuteCaller, statementRevertCaller, warehousesCaller}
	others := func(c caller) []string {
		var out []string
		for _, o := range []string{"timeouts.read", "timeouts.open", "timeouts.create", "timeouts.delete"} {
			if o != c.timeoutAttribute {
				out = append(out, o)
			}
		}
		return out
	}
	for _, c := range callers {
		t.Run(c.name+" "+c.timeoutAttribute, func(t *testing.T) {
			// A connection_info that hands no token on, and no provider token to fall back on.
			info := &connectionInfoModel{Name: types.StringValue("Sales"), connectionFields: connectionFields{
				BaseURL: types.StringValue("https://acme.cloud.databricks.com"), AccessToken: types.StringNull(),
			}}
			var d *providerData
			_, _, diags := d.connect(context.Background(), connectionRequest{caller: c, info: info, needsWarehouse: true})
			text := diagnosticsText(diags)
			for _, want := range []string{"No Credentials for This Workspace", "The connection_info of " + c.name, "No SQL Warehouse", "set for " + c.name} {
				if !strings.Contains(text, want) {
					t.Errorf("diagnostics lack %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "this data source") {
				t.Errorf("diagnostics name another object:\n%s", text)
			}

			// A statement that outlived the caller's time points at the caller's own timeout.
			fail := failure{caller: c, conn: connectionSettings{Name: "Sales", BaseURL: "https://acme.cloud.databricks.com"}, step: stepRunStatement,
				err: &databricks.InterruptedError{StatementID: "01ef", State: databricks.StatePending, Cause: context.DeadlineExceeded}}
			detail := fail.detail()
			if c.timeoutAttribute != "" && !strings.Contains(detail, "Raise "+c.timeoutAttribute) {
				t.Errorf("the advice does not name %s:\n%s", c.timeoutAttribute, detail)
			}
			for _, other := range others(c) {
				if strings.Contains(detail, other) {
					t.Errorf("the advice names %s, which %s does not have:\n%s", other, c.name, detail)
				}
			}
		})
	}
}

func diagnosticsText(diags diag.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.Summary() + ": " + d.Detail() + "\n")
	}
	return b.String()
}

func TestSameWorkspace(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"https://acme.cloud.databricks.com", "https://ACME.cloud.databricks.com/", true},
		{"https://acme.cloud.databricks.com", "https://acme.cloud.databricks.com:443", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/", true},
		{"https://acme.cloud.databricks.com", "https://evil.example.com", false},
		{"https://acme.cloud.databricks.com", "http://acme.cloud.databricks.com", false},
		{"https://acme.cloud.databricks.com", "https://acme.cloud.databricks.com:8443", false},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8081", false},
		{"https://acme.cloud.databricks.com", "", false},
		{"", "", false},
	} {
		if got := sameWorkspace(tc.a, tc.b); got != tc.same {
			t.Errorf("sameWorkspace(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
}

// A redirect is reported as one, with what to check; the provider never follows it.
func TestRedirectAdvice(t *testing.T) {
	t.Parallel()
	fail := failure{caller: queryDataSourceCaller, conn: connectionSettings{BaseURL: "https://acme.cloud.databricks.com"}, step: stepRunStatement,
		err: &databricks.RedirectError{Method: "POST", Path: "/api/2.0/sql/statements", StatusCode: 307, Location: "http://elsewhere.example/login"}}
	detail := fail.detail()
	for _, want := range []string{"http://elsewhere.example/login", "never redirects", "Check the Base URL"} {
		if !strings.Contains(detail, want) {
			t.Errorf("the detail lacks %q:\n%s", want, detail)
		}
	}
}

// A diagnostic blanks every credential the provider holds, whatever server text brought
// it there: the connection's, the tokens obtained for it, and the provider block's.
func TestFailureBlanksHeldSecrets(t *testing.T) {
	t.Parallel()
	const connectionToken, providerSecret = "dapi0123456789abcdef0123456789abcdef", "dose-provider-secret-0123"
	d := &providerData{defaults: providerSettings{
		baseURL:     setting{value: "https://acme.cloud.databricks.com", from: "argument"},
		credentials: credentialSettings{clientID: setting{value: "sp", from: "argument"}, clientSecret: setting{value: providerSecret, from: "argument"}},
	}, pool: newTransportPool(), credentials: newCredentialsCache()}
	info := &connectionInfoModel{connectionFields: connectionFields{
		BaseURL: types.StringValue("https://acme.cloud.databricks.com"), AccessToken: types.StringValue(connectionToken),
	}}
	_, conn, diags := d.connect(context.Background(), connectionRequest{caller: warehousesCaller, info: info})
	if diags.HasError() {
		t.Fatal(diagnosticsText(diags))
	}
	echo := &databricks.APIError{StatusCode: 502, Message: "proxy saw " + connectionToken + " and " + providerSecret}
	detail := conn.failure(stepListWarehouses, echo).detail()
	for _, secret := range []string{connectionToken, providerSecret} {
		if strings.Contains(detail, secret) {
			t.Errorf("the detail holds a secret the provider holds:\n%s", detail)
		}
	}
	if !strings.Contains(detail, "[REDACTED]") {
		t.Errorf("nothing was blanked:\n%s", detail)
	}
}

// Downloads share one connection pool, which is no workspace's: whatever a workspace's
// pool carries never sees them.
func TestStoragePoolIsNoWorkspaces(t *testing.T) {
	t.Parallel()
	pool := newTransportPool()
	storage := pool.forStorage()
	if storage != pool.forStorage() {
		t.Error("each client would open its own download connections")
	}
	if storage == pool.forWorkspace("https://adb-1.azuredatabricks.net") {
		t.Error("downloads go through a workspace's pool")
	}
}
