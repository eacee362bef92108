package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// These tests drive the emulator with golang.org/x/oauth2, configured as the
// Databricks SDK for Go configures it for oauth-m2m, workload identity
// federation and azure-client-secret: a real client's encoding and parsing,
// not the emulator's own idea of them.

func meWith(t *testing.T, client *http.Client, s *Server) wireMe {
	t.Helper()
	resp, err := client.Get(s.URL + "/api/2.0/preview/scim/v2/Me")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m wireMe
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("Me: HTTP %d", resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("Me: %v", err)
	}
	return m
}

func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{ServicePrincipals: []ServicePrincipal{{ApplicationID: "sp-2", Secret: "p@ss word/+="}}})
	ctx := context.Background()
	for _, sp := range []struct{ id, secret string }{{testAppID, testSecret}, {"sp-2", "p@ss word/+="}} {
		s.Log().Reset()
		cfg := clientcredentials.Config{
			ClientID: sp.id, ClientSecret: sp.secret, TokenURL: s.URL + "/oidc/v1/token",
			Scopes: []string{"all-apis"}, AuthStyle: oauth2.AuthStyleInHeader,
		}
		client := oauth2.NewClient(ctx, cfg.TokenSource(ctx))
		for range 5 {
			if m := meWith(t, client, s); m.UserName != sp.id {
				t.Fatalf("Me as %s: %+v", sp.id, m)
			}
		}
		if n := s.Log().Count(EndpointOAuthToken); n != 1 {
			t.Errorf("%s: %d token requests for 5 calls", sp.id, n)
		}
	}
	bad := clientcredentials.Config{ClientID: testAppID, ClientSecret: "nope", TokenURL: s.URL + "/oidc/v1/token", Scopes: []string{"all-apis"}, AuthStyle: oauth2.AuthStyleInHeader}
	_, err := bad.Token(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestOAuth2TokenExchange(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t, testIssuerURL)
	s := startFederated(t, iss, Options{})
	ctx := context.Background()
	exchange := func(jwt string) (*oauth2.Token, error) {
		cfg := clientcredentials.Config{
			ClientID: testAppID, AuthStyle: oauth2.AuthStyleInParams, TokenURL: s.URL + "/oidc/v1/token",
			Scopes: []string{"all-apis"},
			EndpointParams: url.Values{
				"subject_token_type": {tokenTypeJWT},
				"subject_token":      {jwt},
				"grant_type":         {grantTokenExchange},
			},
		}
		return cfg.Token(ctx)
	}
	tok, err := exchange(mint(t, iss, testSubject, s.URL+"/oidc/v1/token", time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if m := meWith(t, oauth2.NewClient(ctx, oauth2.StaticTokenSource(tok)), s); m.UserName != testAppID || time.Until(tok.Expiry) < 50*time.Minute {
		t.Errorf("Me %+v, expiry in %s", m, time.Until(tok.Expiry))
	}
	_, err = exchange(mint(t, iss, "repo:other/repo:ref:refs/heads/main", s.URL+"/oidc/v1/token", time.Hour))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusBadRequest || re.ErrorCode != "invalid_request" {
		t.Errorf("untrusted subject: %v", err)
	}
}

func TestOAuth2AzureClientSecret(t *testing.T) {
	t.Parallel()
	s := startAzure(t)
	ctx := context.Background()
	v2 := clientcredentials.Config{
		ClientID: testAzureClient, ClientSecret: testAzureSecret,
		TokenURL: s.URL + "/" + testTenant + "/oauth2/v2.0/token",
		Scopes:   []string{AzureDatabricksResourceID + "/.default"},
	}
	// v1.0, as the Databricks SDK for Go asks: resource instead of scope,
	// numbers as strings in the answer.
	v1 := clientcredentials.Config{
		ClientID: testAzureClient, ClientSecret: testAzureSecret,
		TokenURL:       s.URL + "/" + testTenant + "/oauth2/token",
		EndpointParams: url.Values{"resource": {AzureDatabricksResourceID}},
	}
	for name, cfg := range map[string]clientcredentials.Config{"v2.0": v2, "v1.0": v1} {
		tok, err := cfg.Token(ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if time.Until(tok.Expiry) < 50*time.Minute {
			t.Errorf("%s: expiry in %s", name, time.Until(tok.Expiry))
		}
		if m := meWith(t, oauth2.NewClient(ctx, oauth2.StaticTokenSource(tok)), s); m.UserName != testAzureClient {
			t.Errorf("%s: Me %+v", name, m)
		}
	}
}
