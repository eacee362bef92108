package provider

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// This file holds the harness of the tests that run the real CLI binary as a
// subprocess: interrupts, secrets, load.
//
// terraform-plugin-testing serves the provider from the test process. That cannot show
// what these tests are about: a signal must reach the CLI as a user's Ctrl-C does, the
// provider's logs must go through the CLI's log as a real plugin's do, and the CLI's
// own flags (-parallelism) must be passed. So the provider is built from this tree,
// served to TF_ACC_TERRAFORM_PATH through dev_overrides (as scripts/lib.sh does for the
// demo), and the emulator runs in the test process, where its log can be read.

// cliTimeout bounds one CLI command; every command here takes seconds.
const cliTimeout = 3 * time.Minute

// cliHarness runs one CLI on one working directory.
type cliHarness struct {
	t       *testing.T
	cli     string // terraform or tofu
	dir     string // the configuration and the state
	logDir  string // each command's output, and TF_LOG_PATH files
	env     map[string]string
	secrets []string // never printed: redacted from anything the harness logs
	runs    int
}

// newCLI skips without TF_ACC, builds the provider, and prepares a working directory
// holding hcl (the required_providers block is added). Everything lives in temporary
// directories the test removes.
func newCLI(t *testing.T, hcl string) *cliHarness {
	t.Helper()
	cli := requireCLI(t)
	root := t.TempDir()
	h := &cliHarness{
		t:      t,
		cli:    cli,
		dir:    filepath.Join(root, "work"),
		logDir: filepath.Join(root, "logs"),
	}
	pluginDir := filepath.Join(root, "plugins")
	for _, d := range []string{h.dir, h.logDir, pluginDir, filepath.Join(root, "home")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	buildProvider(t, pluginDir)
	// Registered first, so it runs last: after the CLIs are stopped, no plugin of theirs
	// may survive the test, even one that failed.
	t.Cleanup(func() { killPlugins(root) })
	cliConfig := filepath.Join(root, "cli.tfrc")
	writeFile(t, cliConfig, fmt.Sprintf(`provider_installation {
  dev_overrides {
    "registry.terraform.io/dbsqlhq/dbsql" = %[1]q
    "registry.opentofu.org/dbsqlhq/dbsql" = %[1]q
  }
  direct {}
}
`, pluginDir))
	h.writeConfig(hcl)
	h.env = map[string]string{
		"TF_CLI_CONFIG_FILE": cliConfig,
		"TF_IN_AUTOMATION":   "1",
		"CHECKPOINT_DISABLE": "1",
		// A home of its own: no ~/.databrickscfg or ~/.terraformrc of the machine's user
		// takes part.
		"HOME": filepath.Join(root, "home"),
	}
	return h
}

// writeConfig replaces the configuration with hcl, after a required_providers block
// that names the provider the CLI configuration overrides.
func (h *cliHarness) writeConfig(hcl string) {
	h.t.Helper()
	writeFile(h.t, filepath.Join(h.dir, "main.tf"), `terraform {
  required_providers {
    dbsql = {
      source = "dbsqlhq/dbsql"
    }
  }
}
`+hcl)
}

// requireCLI skips the test unless acceptance tests are asked for (TF_ACC) and names
// the CLI binary to run (TF_ACC_TERRAFORM_PATH), which it returns. Tests call it before
// starting anything.
func requireCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skipf("acceptance test: set %s=1", resource.EnvTfAcc)
	}
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		t.Skip("TF_ACC_TERRAFORM_PATH is not set: these tests run that CLI binary as a subprocess")
	}
	return cli
}

// buildProvider builds the provider binary from this tree into dir, as make build does,
// so that a test never runs a stale binary.
func buildProvider(t *testing.T, dir string) {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("building the provider needs the go command on PATH: %v", err)
	}
	cmd := exec.Command(goBin, "build", "-trimpath", "-o", filepath.Join(dir, "terraform-provider-dbsql"+exeSuffix()), "github.com/dbsqlhq/terraform-provider-dbsql")
	cmd.Env = append(originalEnviron(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
}

// originalEnviron is the environment this process started with. TestMain points HOME
// at an empty directory to keep the provider away from the developer's files, but the
// go command finds its build and module caches through HOME: without the real one,
// every build would start from nothing (and download modules).
func originalEnviron() []string {
	if data, err := os.ReadFile("/proc/self/environ"); err == nil {
		return strings.Split(strings.TrimRight(string(data), "\x00"), "\x00")
	}
	env := os.Environ()
	if u, err := user.Current(); err == nil && u.HomeDir != "" {
		env = append(env, "HOME="+u.HomeDir)
	}
	return env
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// environ is the CLI's environment: the test process's, without any TF_ or DATABRICKS_
// variable that could change what the CLI or the provider does, plus h.env.
func (h *cliHarness) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "DATABRICKS_") || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range h.env {
		env = append(env, k+"="+v)
	}
	return env
}

// cliProcess is a CLI command started by the harness.
type cliProcess struct {
	h       *cliHarness
	name    string // e.g. "2-apply", for file names and messages
	cmd     *exec.Cmd
	stdout  bytes.Buffer
	stderr  bytes.Buffer
	done    chan struct{}
	err     error // set once done is closed
	started time.Time
}

// start runs the CLI with args in the working directory without waiting for it. The
// test's cleanup kills it if it is still running.
func (h *cliHarness) start(args ...string) *cliProcess {
	h.t.Helper()
	h.runs++
	p := &cliProcess{h: h, name: fmt.Sprintf("%d-%s", h.runs, args[0]), done: make(chan struct{}), started: time.Now()}
	p.cmd = exec.Command(h.cli, args...)
	p.cmd.Dir = h.dir
	p.cmd.Env = h.environ()
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		h.t.Fatalf("starting %s: %v", h.cli, err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	h.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the command, at most cliTimeout, and keeps its output in the log
// directory.
func (p *cliProcess) wait() cliResult {
	p.h.t.Helper()
	select {
	case <-p.done:
	case <-time.After(cliTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		p.h.t.Fatalf("%s did not finish within %v:\n%s", p.name, cliTimeout, p.h.redact(p.stdout.String()+p.stderr.String()))
	}
	p.h.t.Logf("%s %s: exit %d after %v", filepath.Base(p.h.cli), p.name, p.cmd.ProcessState.ExitCode(), time.Since(p.started).Round(time.Millisecond))
	r := cliResult{name: p.name, stdout: p.stdout.String(), stderr: p.stderr.String(), exitCode: p.cmd.ProcessState.ExitCode()}
	writeFile(p.h.t, filepath.Join(p.h.logDir, p.name+".stdout"), r.stdout)
	writeFile(p.h.t, filepath.Join(p.h.logDir, p.name+".stderr"), r.stderr)
	var exitErr *exec.ExitError
	if p.err != nil && !errors.As(p.err, &exitErr) {
		p.h.t.Fatalf("%s: %v", p.name, p.err)
	}
	expectNoPlugins(p.h.t, filepath.Dir(p.h.dir))
	return r
}

// run runs the CLI with args and waits for it.
func (h *cliHarness) run(args ...string) cliResult {
	h.t.Helper()
	return h.start(args...).wait()
}

// mustRun runs the CLI and fails the test unless it succeeds.
func (h *cliHarness) mustRun(args ...string) cliResult {
	h.t.Helper()
	r := h.run(args...)
	if r.exitCode != 0 {
		h.t.Fatalf("%s %s failed (exit %d):\n%s", filepath.Base(h.cli), strings.Join(args, " "), r.exitCode, h.redact(r.output()))
	}
	return r
}

// redact replaces every form of every secret in s, for messages.
func (h *cliHarness) redact(s string) string {
	for _, secret := range h.secrets {
		for _, needle := range leakForms(secret) {
			s = strings.ReplaceAll(s, needle, "<redacted>")
		}
	}
	return s
}

// cliResult is a finished CLI command.
type cliResult struct {
	name           string
	stdout, stderr string
	exitCode       int
}

func (r cliResult) output() string { return r.stdout + r.stderr }

// pluginProcesses returns the ids of running processes of the provider binaries built
// under root, on systems with /proc. A CLI that exits must not leave its plugin behind.
func pluginProcesses(root string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		var pid int
		if _, err := fmt.Sscanf(e.Name(), "%d", &pid); err != nil {
			continue
		}
		exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe"))
		if err == nil && strings.HasPrefix(exe, root) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// expectNoPlugins fails the test if a provider process built under root outlives its
// CLI (after a grace period for the CLI's own shutdown of it), and ends it.
func expectNoPlugins(t *testing.T, root string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids := pluginProcesses(root)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			killPlugins(root)
			t.Errorf("provider processes %v outlived the CLI", pids)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killPlugins ends the provider processes built under root, by their ids.
func killPlugins(root string) {
	for _, pid := range pluginProcesses(root) {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
	}
}
