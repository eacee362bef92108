package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

func TestParseAuthFlags(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	var sink bytes.Buffer
	for _, args := range [][]string{
		{"-service-principal", ":secret"},
		{"-azure-service-principal", "tenant:client"},
		{"-federation-policy", "issuer=https://i,subject=s"},
		{"-federation-policy", "issuer=https://i,audience=a,colour=blue"},
		{"-federation-policy", "issuer=https://i,audience=a,jwks=/no/such/file"},
		{"-federation-policy", "issuer"},
		{"-oauth-token-lifetime", "500ms"},
	} {
		if _, err := parseFlags(args, noEnv, &sink); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	c, err := parseFlags([]string{
		"-service-principal", "app-1:s3cret:CI deployer", "-service-principal", "app-2",
		"-azure-service-principal", "tenant:client:az:secret",
		"-federation-policy", "issuer=https://i,audience=a,audience=b,subject=s,subject-claim=email,client-id=app-2,jwks-uri=https://i/keys",
		"-oauth-token-lifetime", "3s",
	}, noEnv, &sink)
	if err != nil {
		t.Fatal(err)
	}
	var o emulator.Options
	c.auth.apply(&o)
	want := []emulator.ServicePrincipal{{ApplicationID: "app-1", Secret: "s3cret", DisplayName: "CI deployer"}, {ApplicationID: "app-2"}}
	if len(o.ServicePrincipals) != 2 || o.ServicePrincipals[0] != want[0] || o.ServicePrincipals[1] != want[1] {
		t.Errorf("service principals %+v", o.ServicePrincipals)
	}
	if az := o.AzureServicePrincipals; len(az) != 1 || az[0].ClientSecret != "az" || az[0].DisplayName != "secret" {
		t.Errorf("azure %+v", az)
	}
	if p := o.FederationPolicies; len(p) != 1 || strings.Join(p[0].Audiences, ",") != "a,b" || p[0].ServicePrincipal != "app-2" ||
		p[0].SubjectClaim != "email" || p[0].JWKSURI != "https://i/keys" || p[0].Subject != "s" {
		t.Errorf("policies %+v", p)
	}
	if o.OAuthTokenLifetime != 3*time.Second {
		t.Errorf("lifetime %s", o.OAuthTokenLifetime)
	}
}

func TestRunWithOAuthPrincipals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	iss, err := emulator.NewIssuer("https://ci.example")
	if err != nil {
		t.Fatal(err)
	}
	jwks := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwks, []byte(iss.JWKS()), 0o600); err != nil {
		t.Fatal(err)
	}
	urlFile := filepath.Join(dir, "url")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{
			"-addr", "127.0.0.1:0", "-url-file", urlFile, "-sample-trips", "-1", "-v",
			"-service-principal", "app-1:s3cret-value:CI deployer",
			"-federation-policy", "issuer=https://ci.example,audience=dbsql,subject=repo:o/r:ref:refs/heads/main,client-id=app-1,jwks=" + jwks,
			"-azure-service-principal", "tenant-1:client-1:az-secret-value",
			"-oauth-token-lifetime", "2s",
		}, func(string) string { return "" }, &stdout, &stderr)
	}()
	base := waitForURL(t, urlFile, &stderr)

	token := func(path string, form url.Values, user, pass string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: HTTP %d %v", path, resp.StatusCode, err)
		}
		return body
	}
	m2m := token("/oidc/v1/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"all-apis"}}, "app-1", "s3cret-value")
	if m2m["expires_in"] != float64(2) {
		t.Errorf("-oauth-token-lifetime not applied: %v", m2m["expires_in"])
	}
	accessToken, ok := m2m["access_token"].(string)
	if !ok || accessToken == "" {
		t.Fatal("no access_token")
	}
	jwt, err := iss.Mint("repo:o/r:ref:refs/heads/main", "dbsql", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	token("/oidc/v1/token", url.Values{
		"grant_type": {"urn:ietf:params:oauth:grant-type:token-exchange"}, "subject_token": {jwt},
		"subject_token_type": {"urn:ietf:params:oauth:token-type:jwt"}, "scope": {"all-apis"}, "client_id": {"app-1"},
	}, "", "")
	token("/tenant-1/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"client-1"}, "client_secret": {"az-secret-value"},
		"scope": {emulator.AzureDatabricksResourceID + "/.default"},
	}, "", "")

	req, _ := http.NewRequest(http.MethodGet, base+"/api/2.0/preview/scim/v2/Me", nil)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var me struct {
		UserName    string `json:"userName"`
		DisplayName string `json:"displayName"`
	}
	err = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if err != nil || me.UserName != "app-1" || me.DisplayName != "CI deployer" {
		t.Errorf("Me %+v %v", me, err)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	out, logs := stdout.String(), stderr.String()
	if !strings.Contains(out, "OAuth token endpoint "+base+"/oidc/v1/token (service principals: app-1; 1 federation policies)") ||
		!strings.Contains(out, "export AZURE_AUTHORITY_HOST="+base) {
		t.Errorf("stdout %q", out)
	}
	for _, secret := range []string{"s3cret-value", "az-secret-value", jwt, accessToken} {
		if strings.Contains(out+logs, secret) {
			t.Errorf("a secret was printed")
		}
	}
	if !strings.Contains(logs, "grant_type=client_credentials principal=app-1") {
		t.Errorf("-v lines do not describe the token request: %q", logs)
	}
}

func TestRunServesTLS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	urlFile, certFile := filepath.Join(dir, "url"), filepath.Join(dir, "cert.pem")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-url-file", urlFile, "-sample-trips", "-1", "-tls-cert", certFile},
			func(string) string { return "" }, &stdout, &stderr)
	}()
	base := waitForURL(t, urlFile, &stderr)
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !strings.HasPrefix(base, "https://") || !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatalf("URL %s, certificate %q", base, pemBytes)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := client.Get(base + "/oidc/.well-known/oauth-authorization-server")
	if err != nil {
		t.Fatal(err)
	}
	var disco struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&disco)
	resp.Body.Close()
	if err != nil || disco.TokenEndpoint != base+"/oidc/v1/token" {
		t.Errorf("discovery over HTTPS: %+v %v", disco, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

// waitForURL waits for run to write its URL file; the deadline only stops a
// broken run from hanging the test.
func waitForURL(t *testing.T, urlFile string, stderr *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(urlFile); err == nil {
			return strings.TrimSpace(string(b))
		}
		if time.Now().After(deadline) {
			t.Fatalf("no url file; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
