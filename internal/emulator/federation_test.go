package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testIssuerURL = "https://token.actions.example"
	testSubject   = "repo:my-org/my-repo:environment:prod"
)

// startFederated runs an emulator whose service principal trusts iss for
// testSubject, with the token endpoint's URL as audience (the SDKs' default).
func startFederated(t *testing.T, iss *Issuer, opts Options) *Server {
	t.Helper()
	s := startOAuth(t, opts)
	if err := s.AddFederationPolicy(iss.Policy(testAppID, testSubject, s.URL+"/oidc/v1/token")); err != nil {
		t.Fatal(err)
	}
	return s
}

func newTestIssuer(t *testing.T, url string) *Issuer {
	t.Helper()
	iss, err := NewIssuer(url)
	if err != nil {
		t.Fatal(err)
	}
	return iss
}

func mint(t *testing.T, iss *Issuer, subject, audience string, lifetime time.Duration) string {
	t.Helper()
	jwt, err := iss.Mint(subject, audience, lifetime)
	if err != nil {
		t.Fatal(err)
	}
	return jwt
}

func exchangeForm(jwt, clientID string) url.Values {
	f := url.Values{
		"grant_type":         {grantTokenExchange},
		"subject_token":      {jwt},
		"subject_token_type": {tokenTypeJWT},
		"scope":              {"all-apis"},
	}
	if clientID != "" {
		f.Set("client_id", clientID)
	}
	return f
}

func TestTokenExchange(t *testing.T) {
	t.Parallel()
	for name, newIssuer := range map[string]func(string) (*Issuer, error){"ES256": NewIssuer, "RS256": NewRSAIssuer} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			iss, err := newIssuer(testIssuerURL)
			if err != nil {
				t.Fatal(err)
			}
			s := startFederated(t, iss, Options{})
			jwt := mint(t, iss, testSubject, s.URL+"/oidc/v1/token", time.Hour)
			c := postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, testAppID), "", "")
			var tok wireTokenResponse
			c.decode(t, &tok)
			if c.status != http.StatusOK || tok.TokenType != "Bearer" || tok.Scope != "all-apis" || tok.ExpiresIn < 3500 || tok.ExpiresIn > 3600 {
				t.Fatalf("exchange: HTTP %d, expires_in %d", c.status, tok.ExpiresIn)
			}
			if c, m := me(t, s, tok.AccessToken); c.status != http.StatusOK || m.UserName != testAppID {
				t.Fatalf("Me: HTTP %d %s", c.status, c.body)
			}
			if st := submitWith(t, s, tok.AccessToken, "SELECT 1"); st.Status.State != statementSucceeded {
				t.Fatalf("statement: %+v", st.Status)
			}
			r := s.Log().Requests()[0]
			if r.Endpoint != EndpointOAuthToken || r.GrantType != grantTokenExchange || r.ClientID != testAppID || r.Principal != testAppID ||
				strings.Contains(string(r.Body), jwt) || !strings.Contains(string(r.Body), "subject_token=REDACTED") {
				t.Errorf("log entry %+v %s", r, r.Body)
			}
		})
	}
}

func TestTokenExchangeLifetimeFollowsTheIdentityToken(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t, testIssuerURL)
	s := startFederated(t, iss, Options{})
	jwt := mint(t, iss, testSubject, s.URL+"/oidc/v1/token", 30*time.Second)
	var tok wireTokenResponse
	postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, testAppID), "", "").decode(t, &tok)
	if tok.ExpiresIn < 1 || tok.ExpiresIn > 30 {
		t.Errorf("expires_in %d outlives the 30s identity token", tok.ExpiresIn)
	}
}

func TestTokenExchangeRefusals(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t, testIssuerURL)
	s := startFederated(t, iss, Options{ServicePrincipals: []ServicePrincipal{{ApplicationID: "no-policy"}}})
	aud := s.URL + "/oidc/v1/token"
	impostor := newTestIssuer(t, testIssuerURL) // same iss, another key
	stranger := newTestIssuer(t, "https://evil.example")
	future, err := iss.MintClaims(map[string]any{"sub": testSubject, "aud": aud, "nbf": time.Now().Add(time.Hour).Unix(), "exp": time.Now().Add(2 * time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	noExp, err := iss.MintClaims(map[string]any{"sub": testSubject, "aud": aud})
	if err != nil {
		t.Fatal(err)
	}
	good := mint(t, iss, testSubject, aud, time.Hour)
	parts := strings.Split(good, ".")
	unsigned := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + parts[1] + "."

	for name, tc := range map[string]struct {
		jwt, clientID, want string
	}{
		"wrong issuer":      {mint(t, stranger, testSubject, aud, time.Hour), testAppID, `issuer (iss) "https://evil.example" is not trusted`},
		"bad signature":     {mint(t, impostor, testSubject, aud, time.Hour), testAppID, "signature cannot be verified: no ES256 public key with kid"},
		"tampered claims":   {parts[0] + "." + b64.EncodeToString([]byte(`{"iss":"`+testIssuerURL+`","sub":"`+testSubject+`","aud":"`+aud+`","exp":9999999999}`)) + "." + parts[2], testAppID, "signature does not verify"},
		"alg none":          {unsigned, testAppID, `alg "none"`},
		"expired":           {mint(t, iss, testSubject, aud, -time.Minute), testAppID, "the token expired at"},
		"not yet valid":     {future, testAppID, "not valid yet (nbf"},
		"no exp":            {noExp, testAppID, "no exp claim"},
		"wrong audience":    {mint(t, iss, testSubject, "https://github.com/my-org", time.Hour), testAppID, `audience (aud) ["https://github.com/my-org"] matches none`},
		"wrong subject":     {mint(t, iss, "repo:my-org/my-repo:ref:refs/heads/feature", aud, time.Hour), testAppID, `subject (claim "sub") "repo:my-org/my-repo:ref:refs/heads/feature" does not match`},
		"not a JWT":         {"not-a-jwt", testAppID, "not a compact JWT"},
		"no policy":         {good, "no-policy", "no federation policy of service principal no-policy"},
		"no account policy": {good, "", "no federation policy of the account"},
	} {
		c := postForm(t, s, "/oidc/v1/token", exchangeForm(tc.jwt, tc.clientID), "", "")
		d := oauthFailure(t, c, http.StatusBadRequest, "invalid_request")
		if !strings.Contains(d, tc.want) || strings.Contains(d, tc.jwt) {
			t.Errorf("%s: description %q, want it to contain %q and not the token", name, d, tc.want)
		}
	}

	c := postForm(t, s, "/oidc/v1/token", exchangeForm(good, "no-such-app"), "", "")
	if d := oauthFailure(t, c, http.StatusUnauthorized, "invalid_client"); d != clientAuthFailed {
		t.Errorf("unknown client_id: %q", d)
	}
	form := exchangeForm(good, testAppID)
	form.Set("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")
	oauthFailure(t, postForm(t, s, "/oidc/v1/token", form, "", ""), http.StatusBadRequest, "invalid_request")
	form = exchangeForm("", testAppID)
	oauthFailure(t, postForm(t, s, "/oidc/v1/token", form, "", ""), http.StatusBadRequest, "invalid_request")

	for _, r := range s.Log().Requests() {
		if strings.Contains(string(r.Body), good) || r.Principal != "" {
			t.Errorf("refused exchange logged %+v %s", r, r.Body)
		}
	}
}

// An account federation policy maps the token's subject to a principal.
func TestTokenExchangeAccountPolicy(t *testing.T) {
	t.Parallel()
	iss := newTestIssuer(t, testIssuerURL)
	policy := iss.Policy("", "", "databricks")
	policy.SubjectClaim = "email"
	s := startOAuth(t, Options{FederationPolicies: []FederationPolicy{policy}})
	for subject, want := range map[string]string{DefaultUserName: DefaultUserName, testAppID: testAppID} {
		jwt, err := iss.MintClaims(map[string]any{"sub": "ignored", "email": subject, "aud": []string{"other", "databricks"}, "exp": time.Now().Add(time.Hour).Unix()})
		if err != nil {
			t.Fatal(err)
		}
		var tok wireTokenResponse
		postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, ""), "", "").decode(t, &tok)
		if c, m := me(t, s, tok.AccessToken); c.status != http.StatusOK || m.UserName != want {
			t.Errorf("subject %s: HTTP %d %s", subject, c.status, c.body)
		}
	}
	jwt, err := iss.MintClaims(map[string]any{"email": "stranger@example.com", "aud": "databricks", "exp": time.Now().Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	c := postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, ""), "", "")
	if d := oauthFailure(t, c, http.StatusBadRequest, "invalid_request"); !strings.Contains(d, "names no user or service principal") {
		t.Errorf("unknown subject: %s", d)
	}
}

// A policy without keys finds them the way Databricks does: at the issuer's
// well-known endpoint, or at its jwks_uri.
func TestTokenExchangeFetchesKeys(t *testing.T) {
	t.Parallel()
	var iss *Issuer
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { iss.Handler().ServeHTTP(w, r) }))
	t.Cleanup(idp.Close)
	iss = newTestIssuer(t, idp.URL+"/tenant")
	s := startOAuth(t, Options{})
	discovered := iss.Policy(testAppID, testSubject, "aud")
	discovered.JWKS = ""
	if err := s.AddFederationPolicy(discovered); err != nil {
		t.Fatal(err)
	}
	jwt := mint(t, iss, testSubject, "aud", time.Hour)
	if c := postForm(t, s, "/oidc/v1/token", exchangeForm(jwt, testAppID), "", ""); c.status != http.StatusOK {
		t.Fatalf("keys from discovery: HTTP %d %s", c.status, c.body)
	}

	other := newTestIssuer(t, "https://elsewhere.example")
	pointed := other.Policy(testAppID, testSubject, "aud")
	pointed.JWKS, pointed.JWKSURI = "", idp.URL+"/nothing-here"
	if err := s.AddFederationPolicy(pointed); err != nil {
		t.Fatal(err)
	}
	c := postForm(t, s, "/oidc/v1/token", exchangeForm(mint(t, other, testSubject, "aud", time.Hour), testAppID), "", "")
	if d := oauthFailure(t, c, http.StatusBadRequest, "invalid_request"); !strings.Contains(d, "cannot fetch the public keys") {
		t.Errorf("unreachable jwks_uri: %s", d)
	}
}
