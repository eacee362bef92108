package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

type wireTokenInfo struct {
	TokenID      string `json:"token_id"`
	CreationTime int64  `json:"creation_time"`
	ExpiryTime   int64  `json:"expiry_time"`
	Comment      string `json:"comment"`
}

func createToken(t *testing.T, s *Server, body map[string]any) (string, wireTokenInfo) {
	t.Helper()
	c := do(t, s, http.MethodPost, "/api/2.0/token/create", body)
	var resp struct {
		TokenValue string        `json:"token_value"`
		TokenInfo  wireTokenInfo `json:"token_info"`
	}
	c.decode(t, &resp)
	if c.status != http.StatusOK || !strings.HasPrefix(resp.TokenValue, "dapi") || resp.TokenInfo.TokenID == "" {
		t.Fatalf("create: HTTP %d %s", c.status, c.body)
	}
	return resp.TokenValue, resp.TokenInfo
}

func listTokens(t *testing.T, s *Server) []wireTokenInfo {
	t.Helper()
	c := do(t, s, http.MethodGet, "/api/2.0/token/list", nil)
	var resp struct {
		TokenInfos []wireTokenInfo `json:"token_infos"`
	}
	c.decode(t, &resp)
	if c.status != http.StatusOK {
		t.Fatalf("list: HTTP %d", c.status)
	}
	return resp.TokenInfos
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	before := time.Now().UnixMilli()
	value, info := createToken(t, s, map[string]any{"lifetime_seconds": 3600, "comment": "flow"})
	if info.Comment != "flow" || info.CreationTime < before || info.ExpiryTime != info.CreationTime+3600*1000 {
		t.Fatalf("token info %+v", info)
	}
	forever, foreverInfo := createToken(t, s, map[string]any{"comment": "forever"})
	if foreverInfo.ExpiryTime != -1 {
		t.Fatalf("no lifetime: expiry %d", foreverInfo.ExpiryTime)
	}
	if _, zero := createToken(t, s, map[string]any{"lifetime_seconds": 0}); zero.ExpiryTime != -1 {
		t.Fatalf("lifetime 0: expiry %d", zero.ExpiryTime)
	}
	if got := listTokens(t, s); len(got) != 3 || got[0].TokenID != info.TokenID || got[1].Comment != "forever" {
		t.Fatalf("list %+v", got)
	}

	// A minted token authenticates like a bootstrap one.
	if c := doToken(t, s, value, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("minted token: HTTP %d", c.status)
	}

	if err := s.ExpireToken(info.TokenID); err != nil {
		t.Fatal(err)
	}
	if c := doToken(t, s, value, http.MethodGet, mePath, nil); c.status != http.StatusForbidden {
		t.Fatalf("expired token: HTTP %d", c.status)
	}
	if got := listTokens(t, s)[0]; got.ExpiryTime < 0 || got.ExpiryTime > time.Now().UnixMilli() {
		t.Fatalf("expired token listed with expiry %d", got.ExpiryTime)
	}
	if err := s.ExpireToken("nope"); err == nil {
		t.Fatal("ExpireToken of an unknown id succeeded")
	}

	c := do(t, s, http.MethodPost, "/api/2.0/token/delete", map[string]any{"token_id": foreverInfo.TokenID})
	if c.status != http.StatusOK {
		t.Fatalf("delete: HTTP %d %s", c.status, c.body)
	}
	if c := doToken(t, s, forever, http.MethodGet, mePath, nil); c.status != http.StatusForbidden {
		t.Fatalf("deleted token: HTTP %d", c.status)
	}
	for _, ti := range listTokens(t, s) {
		if ti.TokenID == foreverInfo.TokenID {
			t.Fatal("deleted token still listed")
		}
	}
	tokens := s.Tokens()
	if len(tokens) != 3 || !tokens[1].Revoked || tokens[0].Revoked || !tokens[0].Expired(time.Now()) {
		t.Fatalf("Tokens() %+v", tokens)
	}

	c = do(t, s, http.MethodPost, "/api/2.0/token/delete", map[string]any{"token_id": foreverInfo.TokenID})
	if e := c.apiError(t); c.status != http.StatusNotFound || e.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
		t.Fatalf("delete twice: HTTP %d %s", c.status, c.body)
	}
	if c := do(t, s, http.MethodPost, "/api/2.0/token/create", map[string]any{"lifetime_seconds": -5}); c.status != http.StatusBadRequest {
		t.Fatalf("negative lifetime: HTTP %d", c.status)
	}
	// The request log never holds a token value: it is not in any body sent.
	for _, r := range s.Log().Requests() {
		if strings.Contains(string(r.Body), value) || strings.Contains(string(r.Body), DefaultToken) {
			t.Fatalf("token in the log: %+v", r)
		}
	}
}

func TestTokenQuota(t *testing.T) {
	t.Parallel()
	s := start(t, Options{MaxTokens: 1, SampleTrips: -1})
	_, info := createToken(t, s, map[string]any{})
	c := do(t, s, http.MethodPost, "/api/2.0/token/create", map[string]any{})
	if e := c.apiError(t); c.status != http.StatusBadRequest || e.ErrorCode != "QUOTA_EXCEEDED" {
		t.Fatalf("over quota: HTTP %d %s", c.status, c.body)
	}
	do(t, s, http.MethodPost, "/api/2.0/token/delete", map[string]any{"token_id": info.TokenID})
	createToken(t, s, map[string]any{})
}

// The log says which minted token authenticated a request, never the token itself.
func TestRequestLogNamesTheMintedToken(t *testing.T) {
	t.Parallel()
	s := startBare(t)
	value, info := createToken(t, s, map[string]any{"comment": "run"})
	if c := doToken(t, s, value, http.MethodGet, mePath, nil); c.status != http.StatusOK {
		t.Fatalf("HTTP %d", c.status)
	}
	reqs := s.Log().Requests()
	if reqs[0].TokenID != "" || reqs[1].TokenID != info.TokenID {
		t.Errorf("token ids %q, %q; want \"\" (bootstrap) then %q", reqs[0].TokenID, reqs[1].TokenID, info.TokenID)
	}
}
