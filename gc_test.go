package main

import (
	"runtime/debug"
	"testing"
)

// The provider's GC target applies unless GOGC is set, which then stands as Go read it.
func TestGCTarget(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	setGCTarget(func(string) (string, bool) { return "", false })
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC unset: the target is %d, want %d", got, gcPercent)
	}
	setGCTarget(func(name string) (string, bool) { return "50", name == "GOGC" })
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GOGC set: the target was changed to %d", got)
	}
}
