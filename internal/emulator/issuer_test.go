package emulator

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// githubIDToken asks the fake endpoint for a token the way the Databricks
// SDKs do: the request URL already has a query, "&audience=" is appended.
func githubIDToken(t *testing.T, requestURL, requestToken, audience string) (int, string) {
	t.Helper()
	u := requestURL
	if audience != "" {
		u += "&audience=" + audience
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if requestToken != "" {
		req.Header.Set("Authorization", "Bearer "+requestToken)
	}
	c := send(t, req)
	var body struct {
		Value string `json:"value"`
	}
	if c.status == http.StatusOK {
		c.decode(t, &body)
	}
	return c.status, body.Value
}

func TestGitHubActionsHandler(t *testing.T) {
	t.Parallel()
	iss, err := NewRSAIssuer("https://token.actions.githubusercontent.com")
	if err != nil {
		t.Fatal(err)
	}
	gh := httptest.NewServer(iss.GitHubActionsHandler("runtime-request-token", testSubject))
	t.Cleanup(gh.Close)
	requestURL := gh.URL + "/_apis/distributedtask/hubs/build/plans/1/jobs/2/idtoken?api-version=2.0"

	for name, token := range map[string]string{"missing": "", "wrong": "runtime-request-tokex"} {
		if status, _ := githubIDToken(t, requestURL, token, "x"); status != http.StatusUnauthorized {
			t.Errorf("%s request token: HTTP %d", name, status)
		}
	}
	post, err := http.NewRequest(http.MethodPost, requestURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	post.Header.Set("Authorization", "Bearer runtime-request-token")
	if c := send(t, post); c.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: HTTP %d", c.status)
	}

	s := startOAuth(t, Options{})
	aud := s.URL + "/oidc/v1/token"
	if err := s.AddFederationPolicy(iss.Policy(testAppID, testSubject, aud)); err != nil {
		t.Fatal(err)
	}
	status, jwt := githubIDToken(t, requestURL, "runtime-request-token", aud)
	if status != http.StatusOK {
		t.Fatalf("ID token: HTTP %d", status)
	}
	if c := postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, testAppID), "", ""); c.status != http.StatusOK {
		t.Fatalf("exchange of the GitHub token: HTTP %d %s", c.status, c.body)
	}

	// Without audience, GitHub's default is the repository owner's URL.
	_, jwt = githubIDToken(t, requestURL, "runtime-request-token", "")
	parsed, err := parseJWT(jwt)
	if err != nil {
		t.Fatal(err)
	}
	exp, _, _ := parsed.timeClaim("exp")
	if aud := parsed.audiences(); len(aud) != 1 || aud[0] != "https://github.com/my-org" || parsed.alg != algRS256 ||
		parsed.stringClaim("repository") != "my-org/my-repo" || parsed.stringClaim("iss") != iss.URL() || exp.Before(time.Now()) {
		t.Errorf("default audience token claims %v", parsed.claims)
	}
}

func TestIssuerJWKS(t *testing.T) {
	t.Parallel()
	for name, newIssuer := range map[string]func(string) (*Issuer, error){"EC": NewIssuer, "RSA": NewRSAIssuer} {
		iss, err := newIssuer("https://issuer.example")
		if err != nil {
			t.Fatal(err)
		}
		var set struct {
			Keys []map[string]string `json:"keys"`
		}
		if err := json.Unmarshal([]byte(iss.JWKS()), &set); err != nil || len(set.Keys) != 1 || set.Keys[0]["kty"] != name ||
			set.Keys[0]["kid"] == "" || set.Keys[0]["d"] != "" || set.Keys[0]["use"] != "sig" {
			t.Errorf("%s JWKS %s", name, iss.JWKS())
		}
		keys, err := parseJWKS([]byte(iss.JWKS()))
		if err != nil {
			t.Fatal(err)
		}
		jwt, err := iss.Mint("s", "a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := parseJWT(jwt)
		if err != nil || parsed.verify(keys) != nil {
			t.Errorf("%s: own token does not verify: %v", name, err)
		}
	}
	if _, err := NewIssuer(""); err == nil {
		t.Error("issuer without URL")
	}
}
