package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServicePrincipalPersonalAccessTokens(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{MaxTokens: 1})
	oauth := m2mToken(t, s).AccessToken
	c := doToken(t, s, oauth, http.MethodPost, "/api/2.0/token/create", map[string]any{"comment": "sp"})
	var created struct {
		TokenValue string `json:"token_value"`
	}
	c.decode(t, &created)
	if c.status != http.StatusOK {
		t.Fatalf("create as service principal: HTTP %d %s", c.status, c.body)
	}
	if c, m := me(t, s, created.TokenValue); c.status != http.StatusOK || m.UserName != testAppID {
		t.Fatalf("Me with the service principal's PAT: HTTP %d %s", c.status, c.body)
	}
	// Tokens and quota belong to their owner.
	if got := listTokens(t, s); len(got) != 0 {
		t.Errorf("the user sees the service principal's tokens: %+v", got)
	}
	createToken(t, s, map[string]any{"comment": "user"})
	if c := doToken(t, s, oauth, http.MethodPost, "/api/2.0/token/create", nil); c.status != http.StatusBadRequest ||
		!strings.Contains(string(c.body), "QUOTA_EXCEEDED") || !strings.Contains(string(c.body), testAppID) {
		t.Errorf("second token of the service principal: HTTP %d %s", c.status, c.body)
	}
	if infos := s.Tokens(); len(infos) != 2 || infos[0].Owner != testAppID || infos[1].Owner != "" {
		t.Errorf("owners %+v", infos)
	}
}

func TestIssueAccessToken(t *testing.T) {
	t.Parallel()
	s := startOAuth(t, Options{})
	token, expiry, err := s.IssueAccessToken("", 0)
	if err != nil || expiry.IsZero() {
		t.Fatal(err)
	}
	if c, m := me(t, s, token); c.status != http.StatusOK || m.UserName != DefaultUserName {
		t.Errorf("user token: HTTP %d %s", c.status, c.body)
	}
	token, _, err = s.IssueAccessToken(testAppID, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if c, m := me(t, s, token); c.status != http.StatusOK || m.UserName != testAppID {
		t.Errorf("service principal token: HTTP %d %s", c.status, c.body)
	}
	if _, _, err := s.IssueAccessToken("nobody", 0); err == nil {
		t.Error("token for an unknown principal")
	}
}

func TestAuthOptionsChecked(t *testing.T) {
	t.Parallel()
	iss, err := NewIssuer("https://issuer.example")
	if err != nil {
		t.Fatal(err)
	}
	sp := ServicePrincipal{ApplicationID: "app"}
	for name, o := range map[string]Options{
		"lifetime under 1s":      {OAuthTokenLifetime: 500 * time.Millisecond},
		"negative lifetime":      {OAuthTokenLifetime: -time.Second},
		"principal without id":   {ServicePrincipals: []ServicePrincipal{{Secret: "x"}}},
		"principal twice":        {ServicePrincipals: []ServicePrincipal{sp, sp}},
		"policy for unknown SP":  {FederationPolicies: []FederationPolicy{iss.Policy("app", "sub", "aud")}},
		"policy without subject": {ServicePrincipals: []ServicePrincipal{sp}, FederationPolicies: []FederationPolicy{iss.Policy("app", "", "aud")}},
		"policy without audience": {ServicePrincipals: []ServicePrincipal{sp},
			FederationPolicies: []FederationPolicy{iss.Policy("app", "sub")}},
		"account policy with subject": {FederationPolicies: []FederationPolicy{iss.Policy("", "sub", "aud")}},
		"bad JWKS": {ServicePrincipals: []ServicePrincipal{sp},
			FederationPolicies: []FederationPolicy{{ServicePrincipal: "app", Issuer: "x", Subject: "s", Audiences: []string{"a"}, JWKS: `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`}}},
		"azure without secret": {AzureServicePrincipals: []AzureServicePrincipal{{TenantID: "t", ClientID: "c"}}},
	} {
		if e, err := New(o); err == nil {
			e.Close()
			t.Errorf("%s: accepted", name)
		}
	}
}
