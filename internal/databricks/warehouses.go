package databricks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
)

// Warehouse is a SQL warehouse as the Warehouses API describes it.
type Warehouse struct {
	ID                      string           `json:"id"`
	Name                    string           `json:"name"`
	State                   string           `json:"state"` // RUNNING, STARTING, STOPPED, STOPPING, DELETING, DELETED
	ClusterSize             string           `json:"cluster_size"`
	AutoStopMins            int              `json:"auto_stop_mins"`
	NumClusters             int              `json:"num_clusters"`
	EnableServerlessCompute bool             `json:"enable_serverless_compute"`
	WarehouseType           string           `json:"warehouse_type"`
	Health                  *WarehouseHealth `json:"health,omitempty"`
}

// WarehouseHealth is a warehouse's health summary.
type WarehouseHealth struct {
	Status string `json:"status"` // HEALTHY, DEGRADED, FAILED
}

const warehousesPath = "/api/2.0/sql/warehouses"

// GetWarehouse returns one warehouse; a missing one is an error matching ErrNotFound.
func (c *Client) GetWarehouse(ctx context.Context, id string) (*Warehouse, error) {
	var w Warehouse
	_, err := c.do(ctx, call{method: "GET", path: warehousesPath + "/" + url.PathEscape(id), retrySafe: true}, &w)
	return &w, err
}

// ListWarehouses returns every warehouse the token can see, following next_page_token.
// A token already seen means the pages go round in a circle: the listing stops with a
// *PageTokenCycleError instead of asking for the same pages forever.
func (c *Client) ListWarehouses(ctx context.Context) ([]Warehouse, error) {
	var all []Warehouse
	seen := map[string]bool{}
	token := ""
	for page := 1; ; page++ {
		path := warehousesPath
		if token != "" {
			path += "?page_token=" + url.QueryEscape(token)
		}
		var resp struct {
			Warehouses    []Warehouse `json:"warehouses"`
			NextPageToken string      `json:"next_page_token"`
		}
		if _, err := c.do(ctx, call{method: "GET", path: path, retrySafe: true}, &resp); err != nil {
			return nil, err
		}
		all = append(all, resp.Warehouses...)
		if resp.NextPageToken == "" {
			return all, nil
		}
		seen[token] = true
		if seen[resp.NextPageToken] {
			return nil, &PageTokenCycleError{Method: "GET", Path: warehousesPath, Pages: page}
		}
		token = resp.NextPageToken
	}
}

// ErrPageTokenCycle marks a listing whose pages lead back to one already read.
var ErrPageTokenCycle = errors.New("page token cycle")

// PageTokenCycleError is a paginated listing whose next_page_token named a page already
// read, so that following it would never end. The token itself is not kept: page tokens
// are opaque and may encode what the server chose to put in them.
type PageTokenCycleError struct {
	Method, Path string
	Pages        int // pages read before the repeat
}

func (e *PageTokenCycleError) Error() string {
	return fmt.Sprintf("%s %s returned a next_page_token it had already returned, after %d pages: following it would list the same pages forever, so the listing stopped. "+
		"This is a fault of the API or of a proxy in front of it; check the Base URL", e.Method, e.Path, e.Pages)
}

// Is makes errors.Is(err, ErrPageTokenCycle) true, and errors.Is(err,
// ErrMalformedResponse) too: the answers were well-formed JSON, but not a listing that ends.
func (e *PageTokenCycleError) Is(target error) bool {
	return target == ErrPageTokenCycle || target == ErrMalformedResponse
}
