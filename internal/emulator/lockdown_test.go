package emulator

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLCannotReachTheMachine: through the API, as a user would, every way
// DuckDB offers to read or write files, fetch extensions or undo the lockdown
// fails cleanly: a FAILED statement with an error class, and nothing in the
// message that comes from DuckDB or names the path.
func TestSQLCannotReachTheMachine(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	attached := filepath.Join(dir, "attached.db")
	for _, sql := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/hostname')",
		"COPY (SELECT 1 AS x) TO '" + out + "'",
		"ATTACH '" + attached + "' AS stolen",
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"SET lock_configuration = false",
	} {
		st := query(t, s, sql)
		if st.Status.State != statementFailed || st.Status.Error == nil {
			t.Errorf("%s: state %s, want FAILED", sql, st.Status.State)
			continue
		}
		msg := st.Status.Error.Message
		if !strings.HasPrefix(msg, "[") || !strings.Contains(msg, "]") {
			t.Errorf("%s: message has no error class: %q", sql, msg)
		}
		for _, leak := range []string{"/etc/", dir, "Permission Error", "DuckDB", "duckdb", "by configuration", "has been locked", "extensions/v"} {
			if strings.Contains(msg, leak) {
				t.Errorf("%s: message leaks %q: %q", sql, leak, msg)
			}
		}
	}
	for _, f := range []string{out, attached} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s was created (or cannot be checked: %v)", f, err)
		}
	}
}

// TestLockdownBelowTheDialect: the lockdown holds in DuckDB itself, whatever
// SQL reaches it, so a gap in the translator cannot reopen the machine.
func TestLockdownBelowTheDialect(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	for _, sql := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SET GLOBAL enable_external_access = true",
		"SET GLOBAL lock_configuration = false",
		"SET GLOBAL autoload_known_extensions = true",
	} {
		if _, err := e.db.ExecContext(ctx, sql); err == nil {
			t.Errorf("%s succeeded on the emulator's DuckDB", sql)
		}
	}
	// An in-memory catalog touches no file and stays possible: CREATE
	// CATALOG relies on it.
	if _, err := e.db.ExecContext(ctx, "ATTACH ':memory:' AS scratch"); err != nil {
		t.Errorf("in-memory ATTACH: %v", err)
	}
}

func TestHostHeader(t *testing.T) {
	t.Parallel()
	local := startBare(t)
	remote := start(t, Options{SampleTrips: -1, AllowRemote: true})
	send := func(s *Server, host string) (int, string) {
		t.Helper()
		body := `{"statement":"SELECT 1","warehouse_id":"` + DefaultWarehouseID + `"}`
		req, err := http.NewRequest(http.MethodPost, s.URL+"/api/2.0/sql/statements", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Authorization", "Bearer "+DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, host := range []string{"localhost", "LOCALHOST:8765", "127.0.0.1:1", "127.9.8.7", "[::1]:443", "localhost."} {
		if status, body := send(local, host); status != http.StatusOK {
			t.Errorf("Host %s: HTTP %d %s", host, status, body)
		}
	}
	for _, host := range []string{"evil.example", "evil.example:8765", "10.0.0.1", "localhost.evil.example", "127.0.0.1.nip.io"} {
		status, body := send(local, host)
		if status != http.StatusForbidden || !strings.Contains(body, `"error_code":"PERMISSION_DENIED"`) || !strings.Contains(body, "-allow-remote") {
			t.Errorf("Host %s: HTTP %d %s", host, status, body)
		}
	}
	if n := local.Log().Count(EndpointExecute); n != 11 {
		t.Errorf("logged %d execute requests, want 11", n)
	}
	local.statements.mu.Lock()
	ran := len(local.statements.byID)
	local.statements.mu.Unlock()
	if ran != 6 {
		t.Errorf("%d statements ran, want only the 6 addressed to a loopback host", ran)
	}
	if status, body := send(remote, "evil.example:8765"); status != http.StatusOK {
		t.Errorf("AllowRemote: HTTP %d %s", status, body)
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "localhost:80": true, "127.0.0.1": true, "127.255.0.1:9": true, "[::1]:8765": true, "::1": true,
		"": false, ":8765": false, "0.0.0.0:1": false, "192.0.2.1": false, "[::]:80": false, "example.com": false,
		"localhost.example.com": false, "128.0.0.1": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestListenRefusesRemoteAddressUnlessAllowed(t *testing.T) {
	t.Parallel()
	_, err := Listen("192.0.2.1:0", Options{SampleTrips: -1})
	if err == nil || !strings.Contains(err.Error(), "AllowRemote") {
		t.Fatalf("Listen on a remote address: %v", err)
	}
}
