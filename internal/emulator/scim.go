package emulator

import (
	"net/http"
	"strings"
)

// scimUserID is the SCIM id of the emulated user; any stable number will do.
const scimUserID = "4213860713539291"

func (e *Emulator) handleMe(x *exchange) {
	if x.principal != "" {
		e.replyMeServicePrincipal(x)
		return
	}
	name := e.opts.UserName
	display := name
	if local, _, ok := strings.Cut(name, "@"); ok {
		display = local
	}
	type email struct {
		Type    string `json:"type"`
		Value   string `json:"value"`
		Primary bool   `json:"primary"`
	}
	type group struct {
		Display string `json:"display"`
		Type    string `json:"type"`
		Value   string `json:"value"`
		Ref     string `json:"$ref"`
	}
	type entitlement struct {
		Value string `json:"value"`
	}
	body := struct {
		ID           string        `json:"id"`
		UserName     string        `json:"userName"`
		DisplayName  string        `json:"displayName"`
		Active       bool          `json:"active"`
		Emails       []email       `json:"emails"`
		Groups       []group       `json:"groups"`
		Entitlements []entitlement `json:"entitlements"`
		Schemas      []string      `json:"schemas"`
	}{
		ID:           scimUserID,
		UserName:     name,
		DisplayName:  display,
		Active:       true,
		Emails:       []email{{Type: "work", Value: name, Primary: true}},
		Groups:       []group{{Display: "users", Type: "direct", Value: "3214621409461432", Ref: "Groups/3214621409461432"}},
		Entitlements: []entitlement{{Value: "databricks-sql-access"}, {Value: "workspace-access"}},
		Schemas: []string{
			"urn:ietf:params:scim:schemas:core:2.0:User",
			"urn:ietf:params:scim:schemas:extension:workspace:2.0:User",
		},
	}
	if e.opts.WorkspaceID != "-" {
		x.w.Header().Set("X-Databricks-Org-Id", e.opts.WorkspaceID)
	}
	x.reply(http.StatusOK, body)
}

// replyMeServicePrincipal answers SCIM Me for a service principal: its
// userName is its application id, it has no emails, and its schema is the
// service principal one.
func (e *Emulator) replyMeServicePrincipal(x *exchange) {
	appID := x.principal
	display, _ := e.principals.displayName(appID)
	type entitlement struct {
		Value string `json:"value"`
	}
	if e.opts.WorkspaceID != "-" {
		x.w.Header().Set("X-Databricks-Org-Id", e.opts.WorkspaceID)
	}
	x.reply(http.StatusOK, struct {
		ID           string        `json:"id"`
		UserName     string        `json:"userName"`
		DisplayName  string        `json:"displayName"`
		Active       bool          `json:"active"`
		Entitlements []entitlement `json:"entitlements"`
		Schemas      []string      `json:"schemas"`
	}{
		ID:           scimID(appID),
		UserName:     appID,
		DisplayName:  display,
		Active:       true,
		Entitlements: []entitlement{{Value: "databricks-sql-access"}, {Value: "workspace-access"}},
		Schemas:      []string{"urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal"},
	})
}
