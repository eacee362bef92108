package emulator

import (
	"strings"
	"testing"
)

func TestListenAddresses(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{":0", "nonsense"} {
		if s, err := Listen(addr, Options{SampleTrips: -1}); err == nil {
			s.Close()
			t.Errorf("Listen(%q) succeeded", addr)
		}
	}
	s, err := Listen("127.0.0.1:0", Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") || strings.HasSuffix(s.URL, ":0") {
		t.Fatalf("URL %s", s.URL)
	}
}

func TestEmulatorAsHandlerCloseTwice(t *testing.T) {
	t.Parallel()
	e, err := New(Options{SampleTrips: -1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}
