package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The CLIs are faked by small shell scripts. These tests do not run in parallel: a script
// written while another test forks a process can be inherited open for writing, and
// running it then fails with "text file busy".

// fakeCLI writes an executable script whose body is body, and returns its path. Each run
// appends its arguments, one per line, to the file args beside it, after a "--" line.
func fakeCLI(t *testing.T, name, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake CLIs are shell scripts")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	script := fmt.Sprintf("#!/bin/sh\n{ echo --; printf '%%s\\n' \"$@\"; } >> %q\n%s\n", filepath.Join(dir, "args"), body)
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// cliRuns returns the arguments of each run of the fake CLI at path.
func cliRuns(t *testing.T, path string) [][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(path), "args"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var runs [][]string
	for _, run := range strings.Split(strings.TrimPrefix(string(raw), "--\n"), "--\n") {
		runs = append(runs, strings.Fields(run))
	}
	return runs
}

const cliToken = "cli-access-token-0123456789"

// cliWorkspace accepts only cliToken.
func cliWorkspace(t *testing.T) *fakeServer {
	t.Helper()
	return newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+cliToken {
			invalidToken(w)
			return
		}
		answer(w, http.StatusOK, `{"userName":"me@example.com"}`)
	})
}

func databricksCLI(t *testing.T, base, path string, logger databricks.Logger) databricks.Credentials {
	t.Helper()
	creds, err := databricks.NewDatabricksCLI(databricks.DatabricksCLIConfig{
		BaseURL: base, Path: path, Fetch: databricks.FetchOptions{Timeout: 5 * time.Second, Logger: logger},
	})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func TestDatabricksCLI(t *testing.T) {
	workspace := cliWorkspace(t)
	expiry := time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)
	cli := fakeCLI(t, "databricks", fmt.Sprintf(`echo '{"access_token":"%s","token_type":"Bearer","expiry":"%s"}'`, cliToken, expiry))
	logger := &recordingLogger{}
	creds := databricksCLI(t, workspace.URL+"/", cli, logger)
	client := workspace.client(t, databricks.Config{Credentials: creds})
	for range 3 {
		if _, err := client.CurrentUser(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	runs := cliRuns(t, cli)
	if len(runs) != 1 {
		t.Fatalf("the CLI ran %d times for three requests, want once", len(runs))
	}
	if want := []string{"auth", "token", "--host", workspace.URL}; strings.Join(runs[0], " ") != strings.Join(want, " ") {
		t.Errorf("the CLI ran with %q, want %q", runs[0], want)
	}
	if !strings.Contains(logger.text(), "command:databricks auth token") {
		t.Errorf("no log line for the CLI run:\n%s", logger.text())
	}
	assertNoSecret(t, "the log", logger.text(), cliToken)
}

func TestDatabricksCLIFailures(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		code       string
		contains   string // in the description
	}{
		{"expired login", `echo 'Error: A new access token could not be retrieved because the refresh token is invalid. To reauthenticate, run the following command:' >&2
echo '  $ databricks auth login --host https://x.cloud.databricks.com' >&2
exit 1`, databricks.CodeLoginExpired, "databricks auth login --host"},
		{"never logged in", "echo 'Error: cache: databricks OAuth is not configured for this host. Try logging in again with `databricks auth login --host https://x` before retrying.' >&2\nexit 1",
			databricks.CodeLoginRequired, "not configured for this host"},
		{"expired token", `echo '{"access_token":"cli-old-token","token_type":"Bearer","expiry":"2001-01-01T00:00:00Z"}'`, databricks.CodeLoginExpired, "already expired"},
		{"garbage output", "echo 'Usage: databricks [command] cli-secret-in-output'", databricks.CodeMalformed, "not the JSON"},
		{"other failure", "echo 'Error: Bearer cli-secret-in-stderr dapi0123456789abcdef0123456789abcdef' >&2\nexit 3", "", "[REDACTED]"},
		{"silent failure", "exit 4", "", "exit status 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cli := fakeCLI(t, "databricks", tc.body)
			_, err := databricksCLI(t, "https://x.cloud.databricks.com", cli, nil).Authorization(context.Background())
			ce := credentialsError(t, err)
			if ce.Step != databricks.StepDatabricksCLI || ce.Code != tc.code || ce.Endpoint != cli || !strings.Contains(ce.Description, tc.contains) {
				t.Errorf("error %+v", ce)
			}
			if want := tc.code == databricks.CodeLoginExpired || tc.code == databricks.CodeLoginRequired; errors.Is(err, databricks.ErrLoginRequired) != want {
				t.Errorf("errors.Is(ErrLoginRequired) = %v, want %v", !want, want)
			}
			assertNoSecret(t, "the error", err.Error(), "cli-secret-in-output", "cli-secret-in-stderr", "dapi0123456789abcdef0123456789abcdef", "cli-old-token")
		})
	}
}

func TestDatabricksCLIMissing(t *testing.T) {
	for _, path := range []string{filepath.Join(t.TempDir(), "databricks"), "databricks-cli-that-is-not-installed"} {
		_, err := databricksCLI(t, "https://x.cloud.databricks.com", path, nil).Authorization(context.Background())
		if ce := credentialsError(t, err); ce.Step != databricks.StepDatabricksCLI || ce.Code != databricks.CodeNotFound {
			t.Errorf("%s: error %+v", path, ce)
		}
	}
}

func TestDatabricksCLIThatHangsIsStopped(t *testing.T) {
	cli := fakeCLI(t, "databricks", "sleep 30")
	creds, err := databricks.NewDatabricksCLI(databricks.DatabricksCLIConfig{
		BaseURL: "https://x.cloud.databricks.com", Path: cli, Fetch: databricks.FetchOptions{Timeout: 200 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Without the timeout the script would end after 30 s with no output: a malformed
	// answer, not this.
	_, err = creds.Authorization(context.Background())
	ce := credentialsError(t, err)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(ce.Description, "did not finish within 200ms") {
		t.Errorf("err = %v", err)
	}
}
