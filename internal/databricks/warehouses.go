package databricks

import (
	"context"
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
func (c *Client) ListWarehouses(ctx context.Context) ([]Warehouse, error) {
	var all []Warehouse
	token := ""
	for {
		path := warehousesPath
		if token != "" {
			path += "?page_token=" + url.QueryEscape(token)
		}
		var page struct {
			Warehouses    []Warehouse `json:"warehouses"`
			NextPageToken string      `json:"next_page_token"`
		}
		if _, err := c.do(ctx, call{method: "GET", path: path, retrySafe: true}, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Warehouses...)
		if page.NextPageToken == "" || page.NextPageToken == token {
			return all, nil
		}
		token = page.NextPageToken
	}
}
