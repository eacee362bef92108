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
}

func (e *Emulator) routes() []route {
	r := func(method, pattern string, ep Endpoint, h func(*exchange)) route {
		return route{method: method, segments: strings.Split(strings.Trim(pattern, "/"), "/"), endpoint: ep, handle: h}
	}
	return []route{
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
