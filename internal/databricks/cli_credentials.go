package databricks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Credentials that borrow a CLI's login: the Databricks CLI (`databricks auth login`
// once, then `databricks auth token` hands out its cached, refreshed token) and the Azure
// CLI (azure.go). The CLI runs directly, never through a shell, bounded by the request
// timeout and the caller's context; its output is read bounded, and only its error
// output, scrubbed and cut, ever reaches an error.

// DatabricksCLIConfig configures databricks-cli credentials.
type DatabricksCLIConfig struct {
	BaseURL string // the workspace the CLI logged in to; validated with ParseBaseURL
	// Path is the CLI's executable: a path, or a name looked up in PATH. Default
	// "databricks".
	Path  string
	Fetch FetchOptions // Timeout bounds one run of the CLI; Logger gets one line per run
}

// NewDatabricksCLI validates cfg and returns databricks-cli credentials. The CLI is
// looked up and run when a token is first needed.
func NewDatabricksCLI(cfg DatabricksCLIConfig) (Credentials, error) {
	base, err := ParseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Path == "" {
		cfg.Path = "databricks"
	}
	o := cfg.Fetch.withDefaults()
	source := &databricksCLISource{
		run:  cliRunner{authType: AuthTypeDatabricksCLI, step: StepDatabricksCLI, path: cfg.Path, timeout: o.Timeout, logger: o.Logger},
		host: base.String(),
	}
	return newTokenCredentials(AuthTypeDatabricksCLI, source, o).boundTo(base), nil
}

type databricksCLISource struct {
	run  cliRunner
	host string
}

func (s *databricksCLISource) token(ctx context.Context, c *tokenCredentials) (issuedToken, error) {
	out, err := s.run.output(ctx, c, classifyDatabricksCLIError, "auth", "token", "--host", s.host)
	if err != nil {
		return issuedToken{}, err
	}
	var answer struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		Expiry      string `json:"expiry"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &answer); err != nil {
		return issuedToken{}, s.run.fail(CodeMalformed, fmt.Sprintf("its output is not the JSON of `databricks auth token` (%d bytes: %s); "+
			"install the current Databricks CLI (0.100 or later; the legacy Python CLI has no such command)", len(out), describeJSONError(err)), nil)
	}
	c.keep(answer.AccessToken)
	if problem := checkAccessToken(answer.AccessToken, answer.TokenType); problem != "" {
		return issuedToken{}, s.run.fail(CodeMalformed, "in its output, "+problem, nil)
	}
	tok := issuedToken{value: answer.AccessToken}
	if answer.Expiry != "" {
		expiry, err := time.Parse(time.RFC3339Nano, answer.Expiry)
		if err != nil {
			return issuedToken{}, s.run.fail(CodeMalformed, "in its output, the expiry is not an RFC 3339 time", nil)
		}
		if !expiry.After(c.now()) {
			return issuedToken{}, s.run.fail(CodeLoginExpired, "it answered with a token that has already expired; sign in again with `databricks auth login --host "+s.host+"`", nil)
		}
		tok.expiry = expiry
	}
	return tok, nil
}

// classifyDatabricksCLIError names the failures a user fixes by signing in again, from
// the messages the Databricks CLI prints for them.
func classifyDatabricksCLIError(stderr string) string {
	lower := strings.ToLower(stderr)
	switch {
	case strings.Contains(lower, "refresh token is invalid") || strings.Contains(lower, "invalid_grant"):
		return CodeLoginExpired
	case strings.Contains(lower, "not configured for this host") || strings.Contains(lower, "auth login"):
		return CodeLoginRequired
	}
	return ""
}

// cliRunner runs one CLI for credentials.
type cliRunner struct {
	authType, step string
	path           string
	timeout        time.Duration
	logger         Logger
}

// Bounds of what a CLI may print: a token answer is a few KiB, an error a few lines.
const (
	maxCLIOutput = 1 << 20
	maxCLIError  = 64 << 10
	// maxCLIText bounds the CLI's error output in an error: room for its message and the
	// login command it suggests.
	maxCLIText = 1000
)

// output runs the CLI with args and returns what it printed. A failure is a
// *CredentialsError whose Code classify picks from the CLI's error output.
func (r cliRunner) output(ctx context.Context, c *tokenCredentials, classify func(string) string, args ...string) ([]byte, error) {
	resolved, err := exec.LookPath(r.path)
	if err != nil {
		return nil, r.fail(CodeNotFound, fmt.Sprintf("%s was not found: install it, or set the path to its executable", r.path), err)
	}
	runCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(runCtx, resolved, args...)
	stdout := &boundedBuffer{max: maxCLIOutput}
	stderr := &boundedBuffer{max: maxCLIError}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A CLI that leaves a child holding its output open must not hold us past the kill.
	cmd.WaitDelay = time.Second
	started := time.Now()
	err = cmd.Run()
	exitCode := cmd.ProcessState.ExitCode()
	r.logger.Debug(ctx, "Databricks credentials command", map[string]any{
		"auth_type": r.authType, "step": r.step, "command": filepath.Base(resolved) + " " + args[0] + " " + args[1],
		"exit_code": exitCode, "elapsed_ms": time.Since(started).Milliseconds(),
	})
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("running %s: %w", filepath.Base(resolved), context.Cause(ctx))
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		return nil, r.fail("", fmt.Sprintf("it did not finish within %s", r.timeout), context.DeadlineExceeded)
	case err != nil:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			// It did not start (not executable, say): Go's reason names the path only.
			return nil, r.fail("", c.scrubber().text(err.Error(), maxCLIText), err)
		}
		text := collapseSpace(stderr.String())
		description := c.scrubber().text(text, maxCLIText)
		if description == "" {
			description = fmt.Sprintf("it failed (%s) without printing why", exitErr)
		}
		return nil, r.fail(classify(text), description, err)
	case stdout.overflow:
		return nil, r.fail(CodeMalformed, fmt.Sprintf("it printed more than %d bytes", maxCLIOutput), nil)
	}
	return stdout.Bytes(), nil
}

func (r cliRunner) fail(code, description string, err error) *CredentialsError {
	return &CredentialsError{AuthType: r.authType, Step: r.step, Endpoint: r.path, Code: code, Description: description, Err: err}
}

// boundedBuffer keeps the first max bytes written to it and drops the rest, so that a
// runaway CLI cannot fill memory; the process still sees every write succeed.
type boundedBuffer struct {
	bytes.Buffer
	max      int
	overflow bool
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		b.overflow = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
