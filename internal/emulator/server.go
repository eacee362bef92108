package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is an emulator serving HTTP on a listener.
type Server struct {
	// URL is the base URL of the emulated workspace, e.g. http://127.0.0.1:41234.
	URL string
	// CertificatePEM is the self-signed certificate of a server started with
	// StartTLS or ListenTLS (nil otherwise): clients trust it as their root.
	CertificatePEM []byte
	*Emulator

	// StorageURL is the base URL of the emulated cloud storage that serves results of
	// disposition EXTERNAL_LINKS (storage.go).
	StorageURL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}

	storageSrv  *http.Server
	storageDone chan struct{}
}

// Start runs a new emulator on a free loopback port, like httptest.NewServer.
func Start(opts Options) (*Server, error) {
	return Listen("127.0.0.1:0", opts)
}

// Listen runs a new emulator on addr. An address without a host (":8765")
// would listen on every interface and is refused; a non-loopback one needs
// Options.AllowRemote (the command's -allow-remote).
func Listen(addr string, opts Options) (*Server, error) {
	return listen(addr, opts, nil)
}

// listen serves HTTP, or HTTPS when tlsConfig is set.
func listen(addr string, opts Options, tlsConfig *tls.Config) (*Server, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: address %q: %w", addr, err)
	}
	if host == "" {
		return nil, fmt.Errorf("emulator: address %q has no host and would listen on every interface; use 127.0.0.1:PORT, or name the interface explicitly", addr)
	}
	if !opts.AllowRemote && !IsLoopback(host) {
		return nil, fmt.Errorf("emulator: address %q is not a loopback address; set AllowRemote to serve other machines (the emulator has no TLS and a well-known default token)", addr)
	}
	e, err := New(opts)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = e.Close()
		return nil, fmt.Errorf("emulator: %w", err)
	}
	scheme := "http://"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https://"
	}
	s := &Server{
		URL:      scheme + ln.Addr().String(),
		Emulator: e,
		ln:       ln,
		done:     make(chan struct{}),
		srv: &http.Server{
			Handler:           e,
			ConnState:         e.ConnState,
			ReadHeaderTimeout: 30 * time.Second,
		},
	}
	if err := s.serveStorage(host, tlsConfig); err != nil {
		_ = ln.Close()
		_ = e.Close()
		return nil, err
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) && opts.Logf != nil {
			opts.Logf("emulator: serve: %v", err)
		}
	}()
	return s, nil
}

// Close stops the server: it stops accepting, gives requests in flight a
// moment to finish, cuts the rest, then closes the emulator.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	// Stop the statements first so that execute calls waiting on them return.
	s.statements.close()
	s.stop()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
	<-s.done
	s.closeStorage()
	_ = s.Emulator.Close()
}
