package emulator

import (
	"strings"
)

// authenticate checks the bearer token of a request and answers 401 or 403
// the way Databricks does when it is missing or not accepted. A token is a
// personal access token or an OAuth access token the emulator issued; either
// way the request runs as the token's principal. The OAuth endpoints, which
// clients call to get a token, need none.
func (e *Emulator) authenticate(x *exchange) bool {
	if e.oauthPath(x.r.URL.Path) {
		return true
	}
	scheme, token, ok := strings.Cut(x.r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		x.unauthenticated()
		return false
	}
	if t, ok := e.accessTokens.identify(token); ok {
		return e.acceptAccessToken(x, t)
	}
	tokenID, owner, ok := e.tokens.identify(token)
	if !ok {
		x.invalidToken()
		return false
	}
	e.signedIn(x, owner, tokenID)
	return true
}

// signedIn records who a request runs as: principal "" is the workspace user,
// else a service principal's application id; tokenID names a minted personal
// access token.
func (e *Emulator) signedIn(x *exchange, principal, tokenID string) {
	x.principal = principal
	name := e.principalName(principal)
	e.log.update(x.entry, func(r *Request) {
		r.Principal = name
		r.TokenID = tokenID
	})
}
