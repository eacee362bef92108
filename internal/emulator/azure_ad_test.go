package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const (
	testTenant      = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	testAzureClient = "b1a2c3d4-e5f6-4711-8899-aabbccddeeff"
	testAzureSecret = "azure~secret.value_0123456789"
)

func startAzure(t *testing.T) *Server {
	t.Helper()
	return start(t, Options{SampleTrips: -1, AzureServicePrincipals: []AzureServicePrincipal{{
		TenantID: testTenant, ClientID: testAzureClient, ClientSecret: testAzureSecret, DisplayName: "azure-deployer",
	}}})
}

func aadForm(secret, scope string) url.Values {
	return url.Values{
		"grant_type": {"client_credentials"}, "client_id": {testAzureClient},
		"client_secret": {secret}, "scope": {scope},
	}
}

type wireAADError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
	TraceID          string `json:"trace_id"`
}

func aadFailure(t *testing.T, c call, status int, code string, aadsts int) string {
	t.Helper()
	var e wireAADError
	c.decode(t, &e)
	if c.status != status || e.Error != code || len(e.ErrorCodes) != 1 || e.ErrorCodes[0] != aadsts || e.TraceID == "" ||
		!strings.HasPrefix(e.ErrorDescription, "AADSTS") {
		t.Fatalf("want HTTP %d %s AADSTS%d, got HTTP %d %s", status, code, aadsts, c.status, c.body)
	}
	return e.ErrorDescription
}

func TestAzureClientSecret(t *testing.T) {
	t.Parallel()
	s := startAzure(t)
	c := postForm(t, s, "/"+testTenant+"/oauth2/v2.0/token", aadForm(testAzureSecret, AzureDatabricksResourceID+"/.default"), "", "")
	var tok struct {
		TokenType    string `json:"token_type"`
		ExpiresIn    int64  `json:"expires_in"`
		ExtExpiresIn int64  `json:"ext_expires_in"`
		AccessToken  string `json:"access_token"`
	}
	c.decode(t, &tok)
	if c.status != http.StatusOK || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || tok.ExtExpiresIn != 3600 || tok.AccessToken == "" {
		t.Fatalf("v2.0 token: HTTP %d, %+v", c.status, tok.ExpiresIn)
	}
	parsed, err := parseJWT(tok.AccessToken)
	if err != nil || parsed.stringClaim("aud") != AzureDatabricksResourceID || parsed.stringClaim("tid") != testTenant ||
		parsed.stringClaim("appid") != testAzureClient {
		t.Errorf("token claims %v (%v)", parsed, err)
	}
	if c, m := me(t, s, tok.AccessToken); c.status != http.StatusOK || m.UserName != testAzureClient || m.DisplayName != "azure-deployer" {
		t.Fatalf("Me with an Entra ID token: HTTP %d %s", c.status, c.body)
	}
	r := s.Log().Requests()[0]
	if r.Endpoint != EndpointAzureToken || r.GrantType != grantClientCredentials || r.ClientID != testAzureClient ||
		r.Principal != testAzureClient || strings.Contains(string(r.Body), testAzureSecret) {
		t.Errorf("log entry %+v %s", r, r.Body)
	}

	// The v1.0 endpoint, which the Databricks SDKs call, takes resource and
	// answers numbers as strings.
	v1 := aadForm(testAzureSecret, "")
	v1.Del("scope")
	v1.Set("resource", AzureDatabricksResourceID)
	c = postForm(t, s, "/"+testTenant+"/oauth2/token", v1, "", "")
	var tokV1 map[string]string
	c.decode(t, &tokV1)
	if c.status != http.StatusOK || tokV1["expires_in"] != "3600" || tokV1["resource"] != AzureDatabricksResourceID || tokV1["expires_on"] == "" {
		t.Fatalf("v1.0 token: HTTP %d", c.status)
	}
	if c, _ := me(t, s, tokV1["access_token"]); c.status != http.StatusOK {
		t.Errorf("Me with a v1.0 token: HTTP %d", c.status)
	}

	// A token for Azure management does not open the workspace.
	c = postForm(t, s, "/"+testTenant+"/oauth2/v2.0/token", aadForm(testAzureSecret, "https://management.core.windows.net//.default"), "", "")
	var mgmt struct {
		AccessToken string `json:"access_token"`
	}
	c.decode(t, &mgmt)
	if c, _ := me(t, s, mgmt.AccessToken); c.status != http.StatusForbidden {
		t.Errorf("management token on the workspace: HTTP %d", c.status)
	}
}

func TestAzureClientSecretFailures(t *testing.T) {
	t.Parallel()
	s := startAzure(t)
	scope := AzureDatabricksResourceID + "/.default"
	path := "/" + testTenant + "/oauth2/v2.0/token"

	d := aadFailure(t, postForm(t, s, path, aadForm("wrong", scope), "", ""), http.StatusUnauthorized, "invalid_client", 7000215)
	if !strings.Contains(d, "Invalid client secret provided") || strings.Contains(d, "wrong") {
		t.Errorf("wrong secret: %s", d)
	}
	aadFailure(t, postForm(t, s, path, aadForm("", scope), "", ""), http.StatusUnauthorized, "invalid_client", 7000218)
	unknown := aadForm(testAzureSecret, scope)
	unknown.Set("client_id", "00000000-0000-0000-0000-000000000000")
	aadFailure(t, postForm(t, s, path, unknown, "", ""), http.StatusBadRequest, "unauthorized_client", 700016)
	d = aadFailure(t, postForm(t, s, "/other-tenant/oauth2/v2.0/token", aadForm(testAzureSecret, scope), "", ""), http.StatusBadRequest, "invalid_request", 90002)
	if !strings.Contains(d, "Tenant 'other-tenant' not found") {
		t.Errorf("unknown tenant: %s", d)
	}
	aadFailure(t, postForm(t, s, path, aadForm(testAzureSecret, AzureDatabricksResourceID), "", ""), http.StatusBadRequest, "invalid_scope", 1002012)
	aadFailure(t, postForm(t, s, path, aadForm(testAzureSecret, "https://graph.microsoft.com/.default"), "", ""), http.StatusBadRequest, "invalid_resource", 500011)
	noGrant := aadForm(testAzureSecret, scope)
	noGrant.Del("grant_type")
	aadFailure(t, postForm(t, s, path, noGrant, "", ""), http.StatusBadRequest, "invalid_request", 900144)
	password := aadForm(testAzureSecret, scope)
	password.Set("grant_type", "password")
	aadFailure(t, postForm(t, s, path, password, "", ""), http.StatusBadRequest, "unsupported_grant_type", 70003)

	for _, r := range s.Log().Requests() {
		if strings.Contains(string(r.Body), testAzureSecret) || r.Principal != "" {
			t.Errorf("refused request logged %+v %s", r, r.Body)
		}
	}
}

func TestAzureDiscovery(t *testing.T) {
	t.Parallel()
	s := startAzure(t)
	c := doToken(t, s, "", http.MethodGet, "/"+testTenant+"/v2.0/.well-known/openid-configuration", nil)
	var d map[string]any
	c.decode(t, &d)
	if c.status != http.StatusOK || d["token_endpoint"] != s.URL+"/"+testTenant+"/oauth2/v2.0/token" || d["issuer"] == "" || d["authorization_endpoint"] == "" {
		t.Errorf("tenant discovery: HTTP %d %s", c.status, c.body)
	}
	aadFailure(t, doToken(t, s, "", http.MethodGet, "/nobody/v2.0/.well-known/openid-configuration", nil), http.StatusBadRequest, "invalid_request", 90002)

	authorize := url.QueryEscape(s.URL + "/" + testTenant + "/oauth2/v2.0/authorize")
	c = doToken(t, s, "", http.MethodGet, "/common/discovery/instance?api-version=1.1&authorization_endpoint="+authorize, nil)
	var inst struct {
		TenantDiscoveryEndpoint string `json:"tenant_discovery_endpoint"`
		Metadata                []struct {
			PreferredNetwork string `json:"preferred_network"`
		} `json:"metadata"`
	}
	c.decode(t, &inst)
	host := strings.TrimPrefix(s.URL, "http://")
	if c.status != http.StatusOK || inst.TenantDiscoveryEndpoint != s.URL+"/"+testTenant+"/v2.0/.well-known/openid-configuration" ||
		len(inst.Metadata) != 1 || inst.Metadata[0].PreferredNetwork != host {
		t.Errorf("instance discovery: HTTP %d %s", c.status, c.body)
	}
	if s.Log().Count(EndpointAzureDiscovery) != 3 {
		t.Errorf("%d discovery requests logged", s.Log().Count(EndpointAzureDiscovery))
	}
}
