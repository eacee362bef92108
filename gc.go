package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the provider's garbage-collection target (GOGC) unless the environment
// Terraform runs in sets GOGC, which the provider inherits and which then wins; GOMEMLIMIT
// is left to the environment likewise.
//
// Why 200 rather than Go's 100: the provider's peak memory is a large result, held once
// from the moment it is read until gRPC has sent it (internal/provider/state_codec.go), and
// the process itself, not the garbage between collections: reading a result leaves next to
// none. Measured with `tofu plan` (BENCHMARKS.md, "Garbage collection"), collecting half as
// often left the 100,000-row peaks where they were (34 MiB as JSON, 36 MiB typed) and took
// about a fifth off the provider's CPU for 50 small queries and a quarter for 204 MiB of
// JSON; the price is 4 MiB on the small queries (34 MiB instead of 30) and 5% on the
// largest result. Collecting more often (50) saved memory and cost a third more CPU.
const gcPercent = 200

// setGCTarget applies gcPercent unless lookup (os.LookupEnv) finds GOGC set.
func setGCTarget(lookup func(string) (string, bool)) {
	if _, set := lookup("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

func init() { setGCTarget(os.LookupEnv) }
