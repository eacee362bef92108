package emulator

import (
	"strings"
)

// authenticate checks the bearer token of a request and answers 401 or 403
// the way Databricks does when it is missing or not accepted.
func (e *Emulator) authenticate(x *exchange) bool {
	scheme, token, ok := strings.Cut(x.r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		x.unauthenticated()
		return false
	}
	tokenID, ok := e.tokens.identify(token)
	if !ok {
		x.invalidToken()
		return false
	}
	if tokenID != "" {
		e.log.update(x.entry, func(r *Request) { r.TokenID = tokenID })
	}
	return true
}
