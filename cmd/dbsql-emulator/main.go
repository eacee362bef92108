// Command dbsql-emulator runs a local Databricks workspace emulator: the REST
// subset the dbsql provider speaks, backed by an in-memory DuckDB, for the
// quickstart, `make demo` and manual testing. It is not a Databricks
// replacement and never part of the provider binary.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "dbsql-emulator:", err)
		}
		os.Exit(2)
	}
}

// config is what the flags say.
type config struct {
	addr, token, warehouseID, warehouseName, urlFile, initFile string
	tlsCert                                                    string
	coldStart, latency, linkTTL                                time.Duration
	chunkRows, sampleTrips                                     int
	verbose, allowRemote                                       bool
	auth                                                       authFlags
	loads                                                      loadFlags
}

// loadFlags collects the repeatable -load catalog.schema.table=PATH.
type loadFlags []emulator.Load

func (l *loadFlags) String() string {
	parts := make([]string, len(*l))
	for i, load := range *l {
		parts[i] = load.Table + "=" + load.Path
	}
	return strings.Join(parts, ", ")
}

func (l *loadFlags) Set(v string) error {
	table, path, ok := strings.Cut(v, "=")
	if !ok || table == "" || path == "" {
		return errors.New("want catalog.schema.table=PATH")
	}
	*l = append(*l, emulator.Load{Table: table, Path: path})
	return nil
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("dbsql-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8765", "listen address; 127.0.0.1:0 picks a free port")
	fs.StringVar(&c.token, "token", emulator.DefaultToken, "personal access token to accept (default from DBSQL_EMULATOR_TOKEN if set)")
	fs.StringVar(&c.warehouseID, "warehouse-id", emulator.DefaultWarehouseID, "id of the emulated SQL warehouse")
	fs.StringVar(&c.warehouseName, "warehouse-name", "Starter Warehouse", "name of the emulated SQL warehouse")
	fs.DurationVar(&c.coldStart, "cold-start", 0, "start the warehouse STOPPED; it takes this long to start when a statement arrives (e.g. 5s)")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every request (e.g. 50ms)")
	fs.IntVar(&c.chunkRows, "chunk-rows", 10000, "rows per result chunk")
	fs.DurationVar(&c.linkTTL, "link-ttl", 15*time.Minute, "how long the links to EXTERNAL_LINKS results work (e.g. 5s to watch clients renew them)")
	fs.IntVar(&c.sampleTrips, "sample-trips", 21932, "rows in samples.nyctaxi.trips; -1 for no sample data")
	fs.StringVar(&c.urlFile, "url-file", "", "write the base URL to this file once listening (for scripts)")
	fs.StringVar(&c.tlsCert, "tls-cert", "", "serve HTTPS with a fresh self-signed certificate for 127.0.0.1 and localhost, written as PEM to `FILE`\n(for clients that insist on HTTPS, e.g. the Azure SDKs' AZURE_AUTHORITY_HOST; trust it with SSL_CERT_FILE)")
	c.auth.register(fs)
	fs.BoolVar(&c.verbose, "v", false, "log every request to stderr (never the token)")
	fs.StringVar(&c.initFile, "init", "", "a file of Databricks SQL statements (separated by ;) to run at start: DDL, inserts, grants")
	fs.Var(&c.loads, "load", "catalog.schema.table=PATH: make a CSV, Parquet or JSON file a table at start (repeatable)")
	fs.BoolVar(&c.allowRemote, "allow-remote", false, "allow a non-loopback -addr and requests addressed to any host name (the emulator has no TLS and a well-known default token)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.auth.check(); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	tokenSet := false
	fs.Visit(func(f *flag.Flag) { tokenSet = tokenSet || f.Name == "token" })
	if env := getenv("DBSQL_EMULATOR_TOKEN"); env != "" && !tokenSet {
		c.token = env
	}
	if c.token == "" {
		return c, errors.New("-token must not be empty")
	}
	if c.chunkRows <= 0 {
		return c, errors.New("-chunk-rows must be positive")
	}
	if c.linkTTL < time.Second {
		return c, errors.New("-link-ttl must be at least 1s")
	}
	if c.sampleTrips == 0 || c.sampleTrips < -1 {
		return c, errors.New("-sample-trips must be positive, or -1 for no sample data")
	}
	if !c.allowRemote && !emulator.IsLoopback(c.addr) {
		return c, fmt.Errorf("-addr %s is not a loopback address; pass -allow-remote to serve other machines", c.addr)
	}
	return c, nil
}

func (c config) options(stderr io.Writer) (emulator.Options, error) {
	wh := emulator.Warehouse{ID: c.warehouseID, Name: c.warehouseName}
	if c.coldStart > 0 {
		wh.State, wh.StartDelay = "STOPPED", c.coldStart
	}
	opts := emulator.Options{
		Tokens:       []string{c.token},
		Warehouses:   []emulator.Warehouse{wh},
		RowsPerChunk: c.chunkRows,
		SampleTrips:  c.sampleTrips,
		Latency:      c.latency,
		LinkTTL:      c.linkTTL,
		AllowRemote:  c.allowRemote,
		Load:         c.loads,
	}
	if c.initFile != "" {
		// Read here, before the emulator locks DuckDB away from the files.
		script, err := os.ReadFile(c.initFile)
		if err != nil {
			return opts, fmt.Errorf("-init: %w", err)
		}
		opts.InitSQL = string(script)
	}
	c.auth.apply(&opts)
	if c.verbose {
		logger := log.New(stderr, "dbsql-emulator: ", log.LstdFlags|log.Lmicroseconds)
		opts.Logf = logger.Printf
	}
	return opts, nil
}

// run serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	opts, err := c.options(stderr)
	if err != nil {
		return err
	}
	listen := emulator.Listen
	if c.tlsCert != "" {
		listen = emulator.ListenTLS
	}
	srv, err := listen(c.addr, opts)
	if err != nil {
		return err
	}
	defer srv.Close()
	if c.tlsCert != "" {
		if err := writeFileAtomic(c.tlsCert, string(srv.CertificatePEM)); err != nil {
			return err
		}
	}
	if c.urlFile != "" {
		if err := writeFileAtomic(c.urlFile, srv.URL+"\n"); err != nil {
			return err
		}
		defer os.Remove(c.urlFile)
	}
	fmt.Fprintf(stdout, "dbsql-emulator listening on %s (warehouse %s, user %s)\n", srv.URL, c.warehouseID, emulator.DefaultUserName)
	fmt.Fprintf(stdout, "  export DATABRICKS_HOST=%s DATABRICKS_WAREHOUSE_ID=%s\n", srv.URL, c.warehouseID)
	if c.token == emulator.DefaultToken {
		// The default token is a published constant, so printing it leaks
		// nothing; a token of the user's own is never printed.
		fmt.Fprintf(stdout, "  export DATABRICKS_TOKEN=%s\n", c.token)
	}
	fmt.Fprintf(stdout, "  cloud storage for EXTERNAL_LINKS results: %s (links work for %s)\n", srv.StorageURL, c.linkTTL)
	c.auth.announce(stdout, srv.URL)
	<-ctx.Done()
	fmt.Fprintln(stdout, "dbsql-emulator stopping")
	return nil
}

// writeFileAtomic writes through a temporary file and a rename, so a script
// polling for the file never reads half a URL.
func writeFileAtomic(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".url-*")
	if err != nil {
		return err
	}
	// Readable by the scripts of other users too: it holds only a URL.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
