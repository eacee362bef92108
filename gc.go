package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the provider's garbage-collection target (GOGC) unless the environment
// Terraform runs in sets GOGC, which the provider inherits and which then wins; GOMEMLIMIT
// is left to the environment likewise.
//
// Why 200 rather than Go's 100: the provider's peak memory is the copies of a large result
// changing hands, which the provider releases itself (internal/provider/server.go), not
// the garbage between collections. Measured with `tofu plan` (BENCHMARKS.md, "Garbage
// collection"), collecting half as often left every peak where it was (41 MiB for 100,000
// rows as JSON, 46 MiB typed, 415 MiB for 204 MiB of JSON) and took a fifth to a third
// off the provider's CPU for the largest result; collecting more often (50, 25) lowered no
// peak and cost up to twice the CPU. The price is a few MiB on many small queries (50 of
// them: 34 MiB instead of 30).
const gcPercent = 200

// setGCTarget applies gcPercent unless lookup (os.LookupEnv) finds GOGC set.
func setGCTarget(lookup func(string) (string, bool)) {
	if _, set := lookup("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}

func init() { setGCTarget(os.LookupEnv) }
