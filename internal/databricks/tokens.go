package databricks

import (
	"context"
	"time"
)

// TokenInfo describes a personal access token, never its value.
type TokenInfo struct {
	TokenID      string `json:"token_id"`
	Comment      string `json:"comment"`
	CreationTime int64  `json:"creation_time"` // epoch milliseconds
	ExpiryTime   int64  `json:"expiry_time"`   // epoch milliseconds; -1 when it never expires
}

// Expires reports when the token expires; ok is false for a token that never does.
func (t TokenInfo) Expires() (at time.Time, ok bool) {
	if t.ExpiryTime <= 0 {
		return time.Time{}, false
	}
	return time.UnixMilli(t.ExpiryTime), true
}

// CreateTokenRequest is the body of POST /api/2.0/token/create.
type CreateTokenRequest struct {
	LifetimeSeconds int64  `json:"lifetime_seconds,omitempty"` // 0 = the workspace's maximum, or never
	Comment         string `json:"comment,omitempty"`
}

// CreatedToken is a new token: its value is shown once, here, and never again.
type CreatedToken struct {
	TokenValue string    `json:"token_value"`
	TokenInfo  TokenInfo `json:"token_info"`
}

// CreateToken mints a token for the calling identity. It is sent once: a retry after a
// lost answer would mint a second token that nobody holds.
func (c *Client) CreateToken(ctx context.Context, req CreateTokenRequest) (*CreatedToken, error) {
	var created CreatedToken
	_, err := c.do(ctx, call{method: "POST", path: "/api/2.0/token/create", body: req}, &created)
	return &created, err
}

// ListTokens lists the calling identity's tokens.
func (c *Client) ListTokens(ctx context.Context) ([]TokenInfo, error) {
	var list struct {
		TokenInfos []TokenInfo `json:"token_infos"`
	}
	_, err := c.do(ctx, call{method: "GET", path: "/api/2.0/token/list", retrySafe: true}, &list)
	return list.TokenInfos, err
}

// DeleteToken revokes a token; an unknown id is an error matching ErrNotFound.
func (c *Client) DeleteToken(ctx context.Context, tokenID string) error {
	_, err := c.do(ctx, call{method: "POST", path: "/api/2.0/token/delete", body: map[string]string{"token_id": tokenID}, retrySafe: true}, nil)
	return err
}
