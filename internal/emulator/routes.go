package emulator

import (
	"net/http"
	"strings"
)

// route is one API operation: a method, a path pattern whose {name} segments
// match any non-empty segment, and its handler.
type route struct {
	method   string
	segments []string
	endpoint Endpoint
	handle   func(*exchange)
	// oauth marks an authorization-server endpoint: it needs no bearer token
	// (token requests authenticate the client themselves), and since its form
	// carries secrets the request log keeps neither its query nor its values.
	oauth bool
}

func (e *Emulator) routes() []route {
	r := func(method, pattern string, ep Endpoint, h func(*exchange)) route {
		return route{method: method, segments: strings.Split(strings.Trim(pattern, "/"), "/"), endpoint: ep, handle: h}
	}
	api := []route{
		r(http.MethodGet, "/api/2.0/preview/scim/v2/Me", EndpointMe, e.handleMe),
		r(http.MethodPost, "/api/2.0/sql/statements", EndpointExecute, e.handleExecute),
		r(http.MethodGet, "/api/2.0/sql/statements/{id}", EndpointGetStatement, e.handleGetStatement),
		r(http.MethodGet, "/api/2.0/sql/statements/{id}/result/chunks/{chunk}", EndpointChunk, e.handleChunk),
		r(http.MethodPost, "/api/2.0/sql/statements/{id}/cancel", EndpointCancel, e.handleCancel),
		r(http.MethodGet, "/api/2.0/sql/warehouses", EndpointListWarehouses, e.handleListWarehouses),
		r(http.MethodGet, "/api/2.0/sql/warehouses/{id}", EndpointGetWarehouse, e.handleGetWarehouse),
		r(http.MethodPost, "/api/2.0/sql/warehouses/{id}/start", EndpointStartWarehouse, e.handleStartWarehouse),
		r(http.MethodPost, "/api/2.0/sql/warehouses/{id}/stop", EndpointStopWarehouse, e.handleStopWarehouse),
		r(http.MethodPost, "/api/2.0/token/create", EndpointCreateToken, e.handleCreateToken),
		r(http.MethodGet, "/api/2.0/token/list", EndpointListTokens, e.handleListTokens),
		r(http.MethodPost, "/api/2.0/token/delete", EndpointDeleteToken, e.handleDeleteToken),
	}
	// The OAuth endpoints' {tenant} patterns match no API path, so the order
	// does not matter.
	return append(api, e.oauthRoutes()...)
}

// oauthRoutes are the endpoints clients reach before they have a token.
func (e *Emulator) oauthRoutes() []route {
	r := func(method, pattern string, ep Endpoint, h func(*exchange)) route {
		return route{method: method, segments: strings.Split(strings.Trim(pattern, "/"), "/"), endpoint: ep, handle: h, oauth: true}
	}
	return []route{
		r(http.MethodGet, "/oidc/.well-known/oauth-authorization-server", EndpointOAuthDiscovery, e.handleOIDCDiscovery),
		r(http.MethodGet, "/oidc/.well-known/openid-configuration", EndpointOAuthDiscovery, e.handleOIDCDiscovery),
		r(http.MethodPost, "/oidc/v1/token", EndpointOAuthToken, e.handleOIDCToken),
		r(http.MethodGet, "/common/discovery/instance", EndpointAzureDiscovery, e.handleAzureInstanceDiscovery),
		r(http.MethodGet, "/{tenant}/v2.0/.well-known/openid-configuration", EndpointAzureDiscovery, e.handleAzureDiscovery),
		r(http.MethodPost, "/{tenant}/oauth2/v2.0/token", EndpointAzureToken, e.handleAzureToken),
		r(http.MethodPost, "/{tenant}/oauth2/token", EndpointAzureToken, e.handleAzureToken),
	}
}

// oauthPath reports whether path belongs to an OAuth endpoint, whatever the
// method, so that a wrong method there is answered without asking for a token.
func (e *Emulator) oauthPath(path string) bool {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for _, rt := range e.table {
		if _, ok := matchSegments(rt.segments, segs); ok && rt.oauth {
			return true
		}
	}
	return false
}

// match finds the route for a request. When the path is known but the method
// is not, it returns the allowed methods instead.
func (e *Emulator) match(method, path string) (rt *route, params map[string]string, allowed []string) {
	// Clients have posted statements both with and without a trailing slash.
	if path == "/api/2.0/sql/statements/" {
		path = "/api/2.0/sql/statements"
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := range e.table {
		candidate := &e.table[i]
		p, ok := matchSegments(candidate.segments, segs)
		if !ok {
			continue
		}
		if candidate.method != method {
			allowed = append(allowed, candidate.method)
			continue
		}
		return candidate, p, nil
	}
	return nil, nil, allowed
}

func matchSegments(pattern, segs []string) (map[string]string, bool) {
	if len(pattern) != len(segs) {
		return nil, false
	}
	var params map[string]string
	for i, p := range pattern {
		if strings.HasPrefix(p, "{") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[strings.Trim(p, "{}")] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return params, true
}
