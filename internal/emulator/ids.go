package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// randomHex returns n random bytes as lower-case hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}

// newRequestID returns a UUID v4, the shape of Databricks request ids.
func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newStatementID returns an id shaped like Databricks statement ids, which are
// time-based UUIDs that start with "01e" ("01ef1c2a-...-1...").
func newStatementID() string {
	h := randomHex(16)
	return fmt.Sprintf("01ef%s-%s-1%s-%s-%s", h[0:4], h[4:8], h[8:11], h[11:15], h[15:27])
}

// newTokenValue returns a personal access token shaped like Databricks ones.
func newTokenValue() string { return "dapi" + randomHex(16) }

// newTokenID returns a token id shaped like Databricks ones (64 hex digits).
func newTokenID() string { return randomHex(32) }
