package databricks

import (
	"fmt"
	"regexp"
	"strings"
)

// Text a server sends is the server's to choose, and errors carry it to diagnostics and
// logs: a proxy may echo the request's Authorization header into its error page, a FAILED
// statement's message may quote a megabyte of data. Every such text goes through a
// scrubber before it enters an error: the client's own credentials (every secret its
// Credentials hold or have obtained by then) and anything that looks like a bearer token,
// a personal access token or a JWT are blanked, and what is left is cut to a few KiB,
// saying how much was cut.

// maxServerText bounds one server message (an error body's message, a FAILED
// statement's) in an error: room for any real Databricks message and its stack of
// causes, not for a data dump.
const maxServerText = 4 << 10

// redacted stands for a blanked credential.
const redacted = "[REDACTED]"

var (
	// bearerValue is an Authorization value as a server may echo it, in any case.
	bearerValue = regexp.MustCompile(`(?i)\bbearer\s+[^\s"',;<>]+`)
	// accessToken is the shape of a Databricks personal access token, whoever's it is.
	accessToken = regexp.MustCompile(`\bdapi[0-9a-f]{32}(?:-[0-9]+)?\b`)
	// jwtShape is a signed JWT: a JSON header ("eyJ" is the base64 of `{"`), claims and
	// a signature. OAuth access tokens and CI identity tokens look like this.
	jwtShape = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)
)

// scrubber blanks a client's credentials in server text.
type scrubber struct {
	secrets []string
}

// text returns s without credentials, cut to at most limit bytes plus a note of what was
// cut. Secrets are blanked before cutting, so that a cut never leaves half a token.
func (sc scrubber) text(s string, limit int) string {
	for _, secret := range sc.secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	return cut(scrubPatterns(s), limit)
}

// scrubPatterns blanks what looks like a credential whoever it belongs to: for text
// checked where no client's secrets are at hand.
func scrubPatterns(s string) string {
	s = bearerValue.ReplaceAllString(s, "Bearer "+redacted)
	s = jwtShape.ReplaceAllString(s, redacted)
	return accessToken.ReplaceAllString(s, redacted)
}

// cut shortens s to at most n bytes, between characters, and says how many bytes it
// left out, so that nobody takes a cut message for the whole of it.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	kept := truncate(s, n)
	return fmt.Sprintf("%s (%d more bytes cut)", kept, len(s)-len(strings.TrimSuffix(kept, "…")))
}
