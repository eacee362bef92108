package databricks

import (
	"strings"
	"testing"
)

func TestParseBaseURLAccepts(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ normalised, host string }{
		"https://adb-1234567890123456.7.azuredatabricks.net":  {"https://adb-1234567890123456.7.azuredatabricks.net", "adb-1234567890123456.7.azuredatabricks.net"},
		"https://adb-1234567890123456.7.azuredatabricks.net/": {"https://adb-1234567890123456.7.azuredatabricks.net", "adb-1234567890123456.7.azuredatabricks.net"},
		"https://Acme.Cloud.Databricks.com":                   {"https://acme.cloud.databricks.com", "acme.cloud.databricks.com"},
		"HTTPS://1234.5.gcp.databricks.com":                   {"https://1234.5.gcp.databricks.com", "1234.5.gcp.databricks.com"},
		"https://workspace.example.com:8443":                  {"https://workspace.example.com:8443", "workspace.example.com:8443"},
		"http://localhost:8765":                               {"http://localhost:8765", "localhost:8765"},
		"http://127.0.0.1:41234/":                             {"http://127.0.0.1:41234", "127.0.0.1:41234"},
		"http://127.9.8.7":                                    {"http://127.9.8.7", "127.9.8.7"},
		"http://[::1]:9000":                                   {"http://[::1]:9000", "[::1]:9000"},
	}
	for in, want := range cases {
		t.Run(in, func(t *testing.T) {
			got, err := ParseBaseURL(in)
			if err != nil {
				t.Fatalf("ParseBaseURL(%q): %v", in, err)
			}
			if got.String() != want.normalised || got.Host() != want.host {
				t.Errorf("ParseBaseURL(%q) = %q host %q, want %q host %q", in, got.String(), got.Host(), want.normalised, want.host)
			}
		})
	}
}

func TestParseBaseURLRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want string // a fragment of the message
	}{
		{"", "empty"},
		{" https://acme.cloud.databricks.com", "leading or trailing white space"},
		{"https://acme.cloud.databricks.com\n", "leading or trailing white space"},
		{"https://acme.cloud .databricks.com", "contains white space"},
		{"adb-1234567890123456.7.azuredatabricks.net", "Did you mean https://adb-1234567890123456.7.azuredatabricks.net?"},
		{"acme.cloud.databricks.com/", "Did you mean https://acme.cloud.databricks.com?"},
		{"acme.cloud.databricks.com:443", "no scheme"},
		{"https://https://acme.cloud.databricks.com", "repeats its scheme. Did you mean https://acme.cloud.databricks.com?"},
		{"https://http://acme.cloud.databricks.com", "repeats its scheme"},
		{"http://acme.cloud.databricks.com", "must use https; http is only allowed for a local emulator"},
		{"ftp://acme.cloud.databricks.com", "must use https, not \"ftp\""},
		{"jdbc:databricks://acme.cloud.databricks.com:443", "must use https"},
		{"https://", "no host"},
		{"https:///sql", "no host"},
		{"https://:443", "no host"},
		{"https://user:secret@acme.cloud.databricks.com", "must not contain a user name or password"},
		{"https://token@acme.cloud.databricks.com", "must not contain a user name or password"},
		{"https://acme.cloud.databricks.com/?o=1234567890123456", "workspace id (?o=...) is not part of the Base URL. Remove it: https://acme.cloud.databricks.com."},
		{"https://adb-1.2.azuredatabricks.net/?o=1#folder", "workspace id"},
		{"https://acme.cloud.databricks.com?x=1", "must not have a query string"},
		{"https://acme.cloud.databricks.com?", "must not have a query string"},
		{"https://acme.cloud.databricks.com/#/setting", "must not have a fragment"},
		{"https://acme.cloud.databricks.com#", "must not have a fragment"},
		{"https://acme.cloud.databricks.com/sql/1.0/warehouses/1234567890abcdef", `warehouse_id = "1234567890abcdef"`},
		{"https://acme.cloud.databricks.com/sql/1.0/endpoints/abc123/", `warehouse_id = "abc123"`},
		{"https://acme.cloud.databricks.com/browse", "must not have a path. Use https://acme.cloud.databricks.com."},
		{"https://acme.cloud.databricks.com//", "must not have a path"},
		{"https://acme.cloud.databricks.com:0", "invalid port"},
		{"https://acme.cloud.databricks.com:99999", "invalid port"},
		{"https://acme.cloud.databricks.com:", "empty port"},
		{"https://acme.cloud.databricks.com:https", "not a valid URL"},
		{"https://acme%zz.cloud.databricks.com", "not a valid URL"},
		{"http://localhost.evil.com", "must use https"},
		{"http://10.0.0.1", "must use https"},
	}
	if len(cases) < 30 {
		t.Fatalf("the issue asks for at least 30 bad inputs, have %d", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseBaseURL(tc.in)
			if err == nil {
				t.Fatalf("ParseBaseURL(%q) accepted a bad Base URL", tc.in)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseBaseURL(%q) error = %q, want it to contain %q", tc.in, err, tc.want)
			}
		})
	}
}

// A Base URL with credentials in it must never be echoed back in the message.
func TestParseBaseURLNeverEchoesUserInfo(t *testing.T) {
	t.Parallel()
	const secret = "dapiSECRET0123456789"
	for _, in := range []string{
		"https://" + secret + "@acme.cloud.databricks.com",
		"https://user:" + secret + "@acme.cloud.databricks.com/path",
		secret + "@acme.cloud.databricks.com",
		"https://https://x:" + secret + "@acme.cloud.databricks.com",
		"ftp://u:" + secret + "@acme.cloud.databricks.com",
		"https://u:" + secret + "@acme%zz.cloud.databricks.com",
	} {
		_, err := ParseBaseURL(in)
		if err == nil {
			t.Fatalf("ParseBaseURL accepted a URL with user info")
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:8]) {
			t.Errorf("the error for a URL with user info repeats the credential: %q", err)
		}
	}
}

// FuzzParseBaseURL: no input panics, anything accepted round-trips through the
// normalised form, and the client accepts whatever the validator accepts.
func FuzzParseBaseURL(f *testing.F) {
	for _, seed := range []string{
		"https://adb-1234567890123456.7.azuredatabricks.net", "http://127.0.0.1:8080/", "acme.cloud.databricks.com",
		"https://https://x", "https://a/?o=1", "https://a/sql/1.0/warehouses/abc", "https://u:p@a", "http://[::1]:1",
		"https://a:99999", "https://%", "", " https://a",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		parsed, err := ParseBaseURL(in)
		if err != nil {
			return
		}
		again, err := ParseBaseURL(parsed.String())
		if err != nil || again.String() != parsed.String() {
			t.Fatalf("normalised form %q of %q does not parse to itself: %v", parsed.String(), in, err)
		}
		if _, err := New(Config{BaseURL: in, Credentials: PersonalAccessToken("dapi0123")}); err != nil {
			t.Fatalf("the validator accepts %q but the client refuses it: %v", in, err)
		}
	})
}
