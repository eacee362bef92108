package databricks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"
	"unicode"
)

// Where workload identity federation gets the CI's identity token. Each source is read
// again for every exchange: CI tokens live minutes, and a Kubernetes-style token file is
// rotated in place.

// DefaultOIDCTokenEnv is the environment variable env-oidc reads when none is named, as
// in Databricks unified authentication (DATABRICKS_OIDC_TOKEN_ENV names another).
const DefaultOIDCTokenEnv = "DATABRICKS_OIDC_TOKEN"

// IDTokenSource is where an identity token comes from: EnvIDToken, FileIDToken or
// GitHubActionsIDToken.
type IDTokenSource interface {
	authType() string
	// idToken returns a token for audience, keeping it in c's secrets at once.
	idToken(ctx context.Context, audience string, c *tokenCredentials, h *authHTTP) (string, error)
	heldSecrets() []string
}

// EnvIDToken reads the identity token from an environment variable (auth type
// env-oidc); an empty name means DefaultOIDCTokenEnv. The variable is read when a token
// is needed, not now.
func EnvIDToken(variable string) IDTokenSource {
	if variable == "" {
		variable = DefaultOIDCTokenEnv
	}
	return envIDToken{variable: variable}
}

type envIDToken struct{ variable string }

func (envIDToken) authType() string      { return AuthTypeEnvOIDC }
func (envIDToken) heldSecrets() []string { return nil }

func (s envIDToken) idToken(_ context.Context, _ string, c *tokenCredentials, _ *authHTTP) (string, error) {
	value, set := os.LookupEnv(s.variable)
	value = strings.TrimSpace(value)
	c.keep(value)
	fail := func(code, problem string) error {
		return &CredentialsError{AuthType: AuthTypeEnvOIDC, Step: StepIdentityToken, Endpoint: "$" + s.variable, Code: code, Description: problem}
	}
	switch {
	case !set:
		return "", fail(CodeNotFound, "the environment variable "+s.variable+" is not set; the CI job must put its identity token (a JWT) there")
	case value == "":
		return "", fail(CodeNotFound, "the environment variable "+s.variable+" is empty; the CI job must put its identity token (a JWT) there")
	}
	if problem := checkIdentityToken(value); problem != "" {
		return "", fail(CodeMalformed, "the value of "+s.variable+" "+problem)
	}
	return value, nil
}

// FileIDToken reads the identity token from a file (auth type file-oidc), such as a
// projected Kubernetes service account token. The file is read when a token is needed.
func FileIDToken(path string) IDTokenSource { return fileIDToken{path: path} }

type fileIDToken struct{ path string }

func (fileIDToken) authType() string      { return AuthTypeFileOIDC }
func (fileIDToken) heldSecrets() []string { return nil }

// maxIDToken bounds an identity token: real ones are a few KiB.
const maxIDToken = 64 << 10

func (s fileIDToken) idToken(_ context.Context, _ string, c *tokenCredentials, _ *authHTTP) (string, error) {
	fail := func(code, problem string, err error) error {
		return &CredentialsError{AuthType: AuthTypeFileOIDC, Step: StepIdentityToken, Endpoint: s.path, Code: code, Description: problem, Err: err}
	}
	if s.path == "" {
		return "", fail(CodeNotFound, "no identity token file is set", nil)
	}
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fail(CodeNotFound, "the identity token file does not exist", err)
	}
	if err != nil {
		return "", fail("", "", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxIDToken+1))
	if err != nil {
		return "", fail("", "", err)
	}
	value := strings.TrimSpace(string(raw))
	c.keep(value)
	switch {
	case value == "":
		return "", fail(CodeNotFound, "the identity token file is empty", nil)
	case len(raw) > maxIDToken:
		return "", fail(CodeMalformed, fmt.Sprintf("the identity token file is larger than %d bytes", maxIDToken), nil)
	}
	if problem := checkIdentityToken(value); problem != "" {
		return "", fail(CodeMalformed, "the file's content "+problem, nil)
	}
	return value, nil
}

// GitHubActionsIDToken asks GitHub Actions for an identity token (auth type
// github-oidc). requestURL and requestToken are the job's ACTIONS_ID_TOKEN_REQUEST_URL
// and ACTIONS_ID_TOKEN_REQUEST_TOKEN; GitHub sets them only for a job with
// "permissions: id-token: write", and a missing one is reported when a token is needed.
func GitHubActionsIDToken(requestURL, requestToken string) IDTokenSource {
	return githubIDToken{requestURL: requestURL, requestToken: requestToken}
}

type githubIDToken struct{ requestURL, requestToken string }

func (githubIDToken) authType() string        { return AuthTypeGitHubOIDC }
func (s githubIDToken) heldSecrets() []string { return []string{s.requestToken} }

func (s githubIDToken) idToken(ctx context.Context, audience string, c *tokenCredentials, h *authHTTP) (string, error) {
	fail := func(code, problem string) error {
		return &CredentialsError{AuthType: AuthTypeGitHubOIDC, Step: StepIdentityToken, Endpoint: "GitHub Actions", Code: code, Description: problem}
	}
	if s.requestURL == "" || s.requestToken == "" {
		return "", fail(CodeNotFound, "ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set: "+
			"this is not a GitHub Actions job, or the job lacks \"permissions: id-token: write\"")
	}
	// The URL comes with a query string of its own; the audience is appended to it, as
	// GitHub's toolkit does.
	sep := "&"
	if !strings.Contains(s.requestURL, "?") {
		sep = "?"
	}
	endpoint, err := url.Parse(s.requestURL + sep + "audience=" + url.QueryEscape(audience))
	if err != nil || !endpoint.IsAbs() || endpoint.Host == "" || !strings.EqualFold(endpoint.Scheme, "https") && !loopbackHTTP(endpoint) {
		return "", fail(CodeMalformed, "ACTIONS_ID_TOKEN_REQUEST_URL is not an https URL")
	}
	body, err := h.send(ctx, c, authRequest{step: StepIdentityToken, method: http.MethodGet, endpoint: endpoint, bearer: s.requestToken, readOnly: true})
	if err != nil {
		return "", err
	}
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", fail(CodeMalformed, "GitHub's answer is not the expected JSON ("+describeJSONError(err)+")")
	}
	value := strings.TrimSpace(answer.Value)
	c.keep(value)
	if value == "" {
		return "", fail(CodeMalformed, "GitHub's answer has no token value")
	}
	if problem := checkIdentityToken(value); problem != "" {
		return "", fail(CodeMalformed, "GitHub's token "+problem)
	}
	return value, nil
}

// checkIdentityToken says what is wrong with a supposed JWT, if anything, without
// quoting it: it is a secret. The checks are only of shape; whether the token is trusted
// is the token endpoint's decision.
func checkIdentityToken(token string) string {
	if strings.IndexFunc(token, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "contains white space inside; an identity token is one word"
	}
	if len(token) > maxIDToken {
		return fmt.Sprintf("is longer than %d bytes", maxIDToken)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return "is not a JWT (three dot-separated parts); is it the identity token the CI issued for this job?"
	}
	return ""
}
