package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"
)

// TokenInfo describes a token minted through the Token API.
type TokenInfo struct {
	TokenID      string
	Comment      string
	CreationTime int64 // epoch milliseconds
	ExpiryTime   int64 // epoch milliseconds; -1 = never expires
	// Revoked is set once the token was deleted through /token/delete or
	// RevokeToken.
	Revoked bool
	// Owner is the application id of the service principal that created the
	// token, "" for the workspace user; the token signs in as its owner.
	Owner string
}

// Expired reports whether the token's lifetime is over at now.
func (t TokenInfo) Expired(now time.Time) bool {
	return t.ExpiryTime >= 0 && now.UnixMilli() >= t.ExpiryTime
}

// tokenStore knows which tokens authenticate: the bootstrap tokens from the
// options and the ones minted through the Token API.
type tokenStore struct {
	mu        sync.Mutex
	bootstrap map[string]bool
	minted    []*mintedToken // creation order
	max       int
}

type mintedToken struct {
	info  TokenInfo
	value string
}

func newTokenStore(bootstrap []string, maxTokens int) *tokenStore {
	s := &tokenStore{bootstrap: map[string]bool{}, max: maxTokens}
	for _, t := range bootstrap {
		s.bootstrap[t] = true
	}
	return s
}

// identify reports whether token is accepted and, for a minted token, its id
// and owner. Bootstrap tokens belong to the workspace user.
func (s *tokenStore) identify(token string) (tokenID, owner string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bootstrap[token] {
		return "", "", true
	}
	now := time.Now()
	for _, m := range s.minted {
		if m.value == token {
			return m.info.TokenID, m.info.Owner, !m.info.Revoked && !m.info.Expired(now)
		}
	}
	return "", "", false
}

func (s *tokenStore) find(id string) *mintedToken {
	for _, m := range s.minted {
		if m.info.TokenID == id {
			return m
		}
	}
	return nil
}

// AddToken makes the emulator accept another bootstrap token from now on.
func (e *Emulator) AddToken(token string) {
	e.tokens.mu.Lock()
	defer e.tokens.mu.Unlock()
	e.tokens.bootstrap[token] = true
}

// RevokeToken makes the emulator refuse a token from now on (403), whether it
// was a bootstrap token or a minted one.
func (e *Emulator) RevokeToken(token string) {
	e.tokens.mu.Lock()
	defer e.tokens.mu.Unlock()
	delete(e.tokens.bootstrap, token)
	for _, m := range e.tokens.minted {
		if m.value == token {
			m.info.Revoked = true
		}
	}
}

// ExpireToken ends the lifetime of a minted token now: it stops
// authenticating and /token/list shows an expiry time in the past.
func (e *Emulator) ExpireToken(tokenID string) error {
	e.tokens.mu.Lock()
	defer e.tokens.mu.Unlock()
	m := e.tokens.find(tokenID)
	if m == nil {
		return fmt.Errorf("emulator: no minted token with id %q", tokenID)
	}
	m.info.ExpiryTime = time.Now().UnixMilli() - 1
	return nil
}

// Tokens returns every token minted through the Token API, revoked ones
// included, in creation order.
func (e *Emulator) Tokens() []TokenInfo {
	e.tokens.mu.Lock()
	defer e.tokens.mu.Unlock()
	out := make([]TokenInfo, len(e.tokens.minted))
	for i, m := range e.tokens.minted {
		out[i] = m.info
	}
	return out
}

type tokenInfoJSON struct {
	TokenID      string `json:"token_id"`
	CreationTime int64  `json:"creation_time"`
	ExpiryTime   int64  `json:"expiry_time"`
	Comment      string `json:"comment,omitempty"`
}

func tokenJSON(t TokenInfo) tokenInfoJSON {
	return tokenInfoJSON{TokenID: t.TokenID, CreationTime: t.CreationTime, ExpiryTime: t.ExpiryTime, Comment: t.Comment}
}

func (e *Emulator) handleCreateToken(x *exchange) {
	var req struct {
		LifetimeSeconds int64  `json:"lifetime_seconds"`
		Comment         string `json:"comment"`
	}
	if !x.decodeBody(&req) {
		return
	}
	if req.LifetimeSeconds < 0 {
		x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("lifetime_seconds must not be negative, got %d.", req.LifetimeSeconds))
		return
	}
	s := e.tokens
	s.mu.Lock()
	if s.max > 0 {
		live := 0
		for _, m := range s.minted {
			if !m.info.Revoked && m.info.Owner == x.principal {
				live++
			}
		}
		if live >= s.max {
			s.mu.Unlock()
			x.fail(http.StatusBadRequest, "QUOTA_EXCEEDED", fmt.Sprintf("Cannot create more than %d tokens for user %s. Delete unused tokens and try again.", s.max, e.principalName(x.principal)))
			return
		}
	}
	now := time.Now()
	m := &mintedToken{
		value: newTokenValue(),
		info: TokenInfo{
			TokenID:      newTokenID(),
			Comment:      req.Comment,
			CreationTime: now.UnixMilli(),
			ExpiryTime:   -1,
			Owner:        x.principal,
		},
	}
	if req.LifetimeSeconds > 0 {
		m.info.ExpiryTime = now.Add(time.Duration(req.LifetimeSeconds) * time.Second).UnixMilli()
	}
	s.minted = append(s.minted, m)
	s.mu.Unlock()

	x.reply(http.StatusOK, struct {
		TokenValue string        `json:"token_value"`
		TokenInfo  tokenInfoJSON `json:"token_info"`
	}{m.value, tokenJSON(m.info)})
}

func (e *Emulator) handleListTokens(x *exchange) {
	// Each principal sees only its own tokens, as /token/list lists the
	// caller's.
	infos := slices.DeleteFunc(e.Tokens(), func(t TokenInfo) bool { return t.Revoked || t.Owner != x.principal })
	out := make([]tokenInfoJSON, len(infos))
	for i, t := range infos {
		out[i] = tokenJSON(t)
	}
	x.reply(http.StatusOK, struct {
		TokenInfos []tokenInfoJSON `json:"token_infos"`
	}{out})
}

func (e *Emulator) handleDeleteToken(x *exchange) {
	var req struct {
		TokenID string `json:"token_id"`
	}
	if !x.decodeBody(&req) {
		return
	}
	if req.TokenID == "" {
		x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", "Missing required field: token_id")
		return
	}
	s := e.tokens
	s.mu.Lock()
	m := s.find(req.TokenID)
	found := m != nil && !m.info.Revoked && m.info.Owner == x.principal
	if found {
		m.info.Revoked = true
	}
	s.mu.Unlock()
	if !found {
		x.fail(http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("Token with ID %s does not exist.", req.TokenID))
		return
	}
	x.reply(http.StatusOK, struct{}{})
}
