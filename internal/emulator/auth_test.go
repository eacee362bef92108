package emulator

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestAuthFailures(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	for name, header := range map[string]string{"missing": "", "basic": "Basic dXNlcjpwYXNz", "empty bearer": "Bearer "} {
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/2.0/preview/scim/v2/Me", nil)
		if header != "" {
			req.Header.Set("Authorization", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		c := call{status: resp.StatusCode, header: resp.Header, body: raw}
		e := c.apiError(t)
		reqID := resp.Header.Get("X-Request-Id")
		if c.status != http.StatusUnauthorized || e.ErrorCode != float64(401) ||
			e.Message != "Credential was not sent or was of an unsupported type for this API. [ReqId: "+reqID+"]" || reqID == "" {
			t.Errorf("%s: HTTP %d %s", name, c.status, c.body)
		}
	}

	c := doToken(t, s, "dapi-not-a-token", http.MethodGet, "/api/2.0/sql/warehouses", nil)
	e := c.apiError(t)
	if c.status != http.StatusForbidden || e.ErrorCode != float64(403) || e.Message != "Invalid access token." ||
		c.header.Get("X-Databricks-Reason-Phrase") != "Invalid access token." {
		t.Errorf("bad token: HTTP %d %v %s", c.status, c.header, c.body)
	}
	// Authentication comes before routing: an unknown path with a bad token is 403.
	if c := doToken(t, s, "nope", http.MethodGet, "/api/2.0/nothing", nil); c.status != http.StatusForbidden {
		t.Errorf("unknown path, bad token: HTTP %d", c.status)
	}
}

func TestBootstrapTokensAtRuntime(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Tokens: []string{"dapi-one"}, SampleTrips: -1})
	if c := do(t, s, http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil); c.status != http.StatusForbidden {
		t.Fatalf("DefaultToken accepted although Tokens was set: HTTP %d", c.status)
	}
	if c := doToken(t, s, "dapi-one", http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil); c.status != http.StatusOK {
		t.Fatalf("configured token: HTTP %d", c.status)
	}
	s.AddToken("dapi-two")
	if c := doToken(t, s, "dapi-two", http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil); c.status != http.StatusOK {
		t.Fatalf("added token: HTTP %d", c.status)
	}
	s.RevokeToken("dapi-one")
	if c := doToken(t, s, "dapi-one", http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil); c.status != http.StatusForbidden {
		t.Fatalf("revoked token: HTTP %d", c.status)
	}
}

func TestMe(t *testing.T) {
	t.Parallel()
	s := start(t, Options{UserName: "someone@example.com", WorkspaceID: "42", SampleTrips: -1})
	c := do(t, s, http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil)
	var me struct {
		ID          string `json:"id"`
		UserName    string `json:"userName"`
		DisplayName string `json:"displayName"`
		Active      bool   `json:"active"`
		Emails      []struct {
			Value string `json:"value"`
		} `json:"emails"`
		Schemas []string `json:"schemas"`
	}
	c.decode(t, &me)
	if c.status != http.StatusOK || me.ID == "" || me.UserName != "someone@example.com" || me.DisplayName == "" || !me.Active ||
		len(me.Emails) != 1 || me.Emails[0].Value != "someone@example.com" || len(me.Schemas) == 0 ||
		me.Schemas[0] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Fatalf("Me: HTTP %d %s", c.status, c.body)
	}
	if got := c.header.Get("X-Databricks-Org-Id"); got != "42" {
		t.Fatalf("org id header %q", got)
	}

	s2 := start(t, Options{WorkspaceID: "-", SampleTrips: -1})
	c = do(t, s2, http.MethodGet, "/api/2.0/preview/scim/v2/Me", nil)
	if _, ok := c.header["X-Databricks-Org-Id"]; ok || !strings.Contains(string(c.body), DefaultUserName) {
		t.Fatalf("WorkspaceID -: %v %s", c.header, c.body)
	}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	c := do(t, s, http.MethodGet, "/api/2.0/clusters/list", nil)
	if e := c.apiError(t); c.status != http.StatusNotFound || e.ErrorCode != "ENDPOINT_NOT_FOUND" {
		t.Errorf("unknown path: HTTP %d %s", c.status, c.body)
	}
	c = do(t, s, http.MethodDelete, "/api/2.0/preview/scim/v2/Me", nil)
	if c.status != http.StatusMethodNotAllowed || c.header.Get("Allow") != "GET" {
		t.Errorf("wrong method: HTTP %d %v", c.status, c.header)
	}
	c = do(t, s, http.MethodGet, "/api/2.0/sql/statements", nil)
	if c.status != http.StatusMethodNotAllowed {
		t.Errorf("GET statements: HTTP %d", c.status)
	}
	if s.Log().Requests()[0].Endpoint != "" {
		t.Errorf("unknown path logged with an endpoint")
	}
}
