package databricks

import "context"

// CurrentUser is the identity a token belongs to, from SCIM Me.
type CurrentUser struct {
	ID          string `json:"id"`
	UserName    string `json:"userName"` // an e-mail address, or a service principal's application id
	DisplayName string `json:"displayName"`
	Active      bool   `json:"active"`
	// WorkspaceID comes from the X-Databricks-Org-Id response header; empty when absent.
	WorkspaceID string `json:"-"`
}

// CurrentUser returns the token's owner. It is the cheapest call that proves both the
// Base URL and the token, which makes it the connection test.
func (c *Client) CurrentUser(ctx context.Context) (*CurrentUser, error) {
	var me CurrentUser
	header, err := c.do(ctx, call{method: "GET", path: "/api/2.0/preview/scim/v2/Me", retrySafe: true}, &me)
	if err != nil {
		return nil, err
	}
	me.WorkspaceID = header.Get("X-Databricks-Org-Id")
	return &me, nil
}
