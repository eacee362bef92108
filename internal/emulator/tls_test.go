package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestStartTLS(t *testing.T) {
	t.Parallel()
	s, err := StartTLS(Options{SampleTrips: -1, AzureServicePrincipals: []AzureServicePrincipal{{
		TenantID: testTenant, ClientID: testAzureClient, ClientSecret: testAzureSecret,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if !strings.HasPrefix(s.URL, "https://127.0.0.1:") || !strings.Contains(string(s.CertificatePEM), "BEGIN CERTIFICATE") {
		t.Fatalf("URL %s", s.URL)
	}
	if _, err := http.Get(s.URL + "/oidc/.well-known/oauth-authorization-server"); err == nil {
		t.Error("a client that does not trust the certificate connected")
	}

	client := s.Client()
	resp, err := client.Get(s.URL + "/" + testTenant + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var disco struct {
		TokenEndpoint string `json:"token_endpoint"`
	}
	err = json.NewDecoder(resp.Body).Decode(&disco)
	resp.Body.Close()
	if err != nil || disco.TokenEndpoint != s.URL+"/"+testTenant+"/oauth2/v2.0/token" {
		t.Fatalf("discovery over HTTPS: %+v %v", disco, err)
	}
	resp, err = client.PostForm(disco.TokenEndpoint, url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testAzureClient}, "client_secret": {testAzureSecret},
		"scope": {AzureDatabricksResourceID + "/.default"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("token over HTTPS: HTTP %d %v", resp.StatusCode, err)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/2.0/preview/scim/v2/Me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("Me over HTTPS: HTTP %d", resp.StatusCode)
	}
}
