package emulator

import (
	"context"
	"database/sql"
	"net"
	"strings"
)

// lockDown closes DuckDB's doors to the machine once the emulator has loaded
// what it serves. Without it, anyone holding the (published) default token
// could read any file the process can (read_csv('/etc/passwd')), write files
// (COPY ... TO, ATTACH 'x.db'), and make DuckDB fetch and load extensions
// from the network (INSTALL httpfs). Locking the configuration last means no
// statement can SET any of these back.
//
// ATTACH ':memory:' keeps working afterwards (CREATE CATALOG needs it): an
// in-memory database touches no file.
func lockDown(ctx context.Context, db *sql.DB) error {
	_, err := db.ExecContext(ctx, strings.Join([]string{
		"SET GLOBAL enable_external_access = false",
		"SET GLOBAL autoinstall_known_extensions = false",
		"SET GLOBAL autoload_known_extensions = false",
		"SET GLOBAL lock_configuration = true",
	}, ";\n"))
	return err
}

// IsLoopback reports whether a host, with or without a port ("localhost",
// "127.0.0.1:8765", "[::1]:80"), names this machine's loopback interface.
//
// The emulator refuses requests addressed to any other host name (unless
// Options.AllowRemote): a web page can make a browser resolve its own domain
// to 127.0.0.1 (DNS rebinding) and then talk to the emulator with the
// published default token, but the browser still sends the page's own name as
// Host, so checking it defeats the attack.
func IsLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
