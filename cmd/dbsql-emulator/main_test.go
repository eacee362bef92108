package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// syncBuffer is a bytes.Buffer that run's goroutine and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRunServesUntilCanceled(t *testing.T) {
	t.Parallel()
	urlFile := filepath.Join(t.TempDir(), "url")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	env := func(k string) string {
		if k == "DBSQL_EMULATOR_TOKEN" {
			return "dapi-from-env"
		}
		return ""
	}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-url-file", urlFile, "-sample-trips", "-1", "-v", "-warehouse-id", "abc123"}, env, &stdout, &stderr)
	}()

	var url string
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(urlFile); err == nil {
			url = strings.TrimSpace(string(b))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no url file; stderr: %s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/api/2.0/sql/warehouses/abc123", nil)
	req.Header.Set("Authorization", "Bearer dapi-from-env")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d", resp.StatusCode)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	out := stdout.String()
	if !strings.Contains(out, "dbsql-emulator listening on "+url+" (warehouse abc123, user "+emulator.DefaultUserName+")") {
		t.Errorf("stdout %q", out)
	}
	if strings.Contains(out, "dapi-from-env") || strings.Contains(stderr.String(), "dapi-from-env") {
		t.Errorf("the token was printed")
	}
	if !strings.Contains(stderr.String(), "/api/2.0/sql/warehouses/abc123") {
		t.Errorf("-v did not log the request: %q", stderr.String())
	}
	if _, err := os.Stat(urlFile); !os.IsNotExist(err) {
		t.Errorf("url file left behind: %v", err)
	}
}

func TestParseFlags(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	var sink bytes.Buffer
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:8765"},
		{"-addr", "192.0.2.1:8765"},
		{"-addr", ":8765"},
		{"-chunk-rows", "0"},
		{"-sample-trips", "0"},
		{"-token", ""},
		{"extra"},
	} {
		if _, err := parseFlags(args, noEnv, &sink); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
	c, err := parseFlags([]string{"-addr", "0.0.0.0:8765", "-allow-remote", "-token", "flag-wins"}, func(string) string { return "env" }, &sink)
	if err != nil || c.token != "flag-wins" {
		t.Errorf("allow-remote: %+v %v", c, err)
	}
	c, err = parseFlags(nil, noEnv, &sink)
	if err != nil || c.addr != "127.0.0.1:8765" || c.token != emulator.DefaultToken {
		t.Errorf("defaults: %+v %v", c, err)
	}
	opts := config{warehouseID: "w", warehouseName: "n", coldStart: time.Second, token: "t", chunkRows: 5, sampleTrips: 1}.options(&sink)
	if opts.Warehouses[0].State != "STOPPED" || opts.Warehouses[0].StartDelay != time.Second || opts.RowsPerChunk != 5 || opts.AllowRemote {
		t.Errorf("options %+v", opts)
	}
	// -allow-remote also lets requests name any host (see emulator.IsLoopback).
	if opts := (config{allowRemote: true, token: "t", chunkRows: 1, sampleTrips: 1}).options(&sink); !opts.AllowRemote {
		t.Errorf("-allow-remote did not reach the emulator's options")
	}
}
