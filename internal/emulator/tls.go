package emulator

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"time"
)

// StartTLS runs a new emulator over HTTPS on a free loopback port. Some
// clients insist on HTTPS: the Azure SDKs refuse an authority host
// (AZURE_AUTHORITY_HOST) without it. The certificate is self-signed for
// 127.0.0.1, ::1 and localhost; a test trusts it with Server.Client, or a
// child process through SSL_CERT_FILE pointing at Server.CertificatePEM.
func StartTLS(opts Options) (*Server, error) {
	return ListenTLS("127.0.0.1:0", opts)
}

// ListenTLS is Listen over HTTPS with a fresh self-signed certificate.
func ListenTLS(addr string, opts Options) (*Server, error) {
	cert, certPEM, err := selfSignedCertificate()
	if err != nil {
		return nil, err
	}
	s, err := listen(addr, opts, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, err
	}
	s.CertificatePEM = certPEM
	return s, nil
}

// Client returns an HTTP client that trusts the server's certificate (for a
// plain HTTP server, a default client).
func (s *Server) Client() *http.Client {
	if s.CertificatePEM == nil {
		return &http.Client{}
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CertificatePEM)
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// selfSignedCertificate makes a loopback certificate that is its own root,
// valid for a week: long enough for any test run, short enough to be
// worthless once leaked.
func selfSignedCertificate() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator: TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator: TLS serial: %w", err)
	}
	now := time.Now()
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"dbsql-emulator"}, CommonName: "dbsql-emulator"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("emulator: TLS certificate: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certPEM, nil
}
