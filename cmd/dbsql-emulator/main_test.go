package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
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
		{"-link-ttl", "500ms"},
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
	if c.linkTTL != 15*time.Minute {
		t.Errorf("link-ttl default %s", c.linkTTL)
	}
	opts, err := config{warehouseID: "w", warehouseName: "n", coldStart: time.Second, token: "t", chunkRows: 5, sampleTrips: 1, linkTTL: 5 * time.Second}.options(&sink)
	if err != nil || opts.Warehouses[0].State != "STOPPED" || opts.Warehouses[0].StartDelay != time.Second || opts.RowsPerChunk != 5 || opts.AllowRemote || opts.LinkTTL != 5*time.Second {
		t.Errorf("options %+v %v", opts, err)
	}
	// -allow-remote also lets requests name any host (see emulator.IsLoopback).
	if opts, _ := (config{allowRemote: true, token: "t", chunkRows: 1, sampleTrips: 1}).options(&sink); !opts.AllowRemote {
		t.Errorf("-allow-remote did not reach the emulator's options")
	}
	if _, err := (config{initFile: "/nonexistent/init.sql", token: "t", chunkRows: 1, sampleTrips: 1}).options(&sink); err == nil || !strings.Contains(err.Error(), "-init") {
		t.Errorf("a missing -init file: %v", err)
	}
	for _, bad := range []string{"noequals", "=x.csv", "a.b.c="} {
		if _, err := parseFlags([]string{"-load", bad}, noEnv, &sink); err == nil {
			t.Errorf("-load %s accepted", bad)
		}
	}
	c, err = parseFlags([]string{"-load", "a.b.c=one.csv", "-load", "a.b.d=two.parquet"}, noEnv, &sink)
	if err != nil || len(c.loads) != 2 || c.loads[1].Table != "a.b.d" || c.loads[1].Path != "two.parquet" {
		t.Errorf("-load twice: %+v %v", c.loads, err)
	}
}

// TestRunWithInitAndLoad: -load makes a file a table and -init runs a
// script against it, before the first request is answered.
func TestRunWithInitAndLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "customers.csv")
	initPath := filepath.Join(dir, "init.sql")
	if err := os.WriteFile(csvPath, []byte("id,name\n1,ada\n2,grace\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := "CREATE VIEW crm.raw.first AS SELECT name FROM crm.raw.customers WHERE id = 1;\nGRANT SELECT ON TABLE crm.raw.customers TO `analysts`;\n"
	if err := os.WriteFile(initPath, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	urlFile := filepath.Join(dir, "url")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-url-file", urlFile, "-sample-trips", "-1",
			"-load", "crm.raw.customers=" + csvPath, "-init", initPath}, func(string) string { return "" }, &stdout, &stderr)
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
	for sql, want := range map[string]string{
		"SELECT name FROM crm.raw.first":                     `[["ada"]]`,
		"SHOW GRANTS ON TABLE crm.raw.customers":             `[["analysts","SELECT","TABLE","crm.raw.customers"]]`,
		"SELECT count(*) FROM crm.information_schema.tables": `[["2"]]`,
	} {
		body := `{"statement":` + strconv.Quote(sql) + `,"warehouse_id":"` + emulator.DefaultWarehouseID + `"}`
		req, _ := http.NewRequest(http.MethodPost, url+"/api/2.0/sql/statements", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+emulator.DefaultToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(got), `"data_array":`+want) {
			t.Errorf("%s: %s", sql, got)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}
