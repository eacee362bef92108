package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func threeWarehouses(t *testing.T) *Server {
	t.Helper()
	return start(t, Options{SampleTrips: -1, Warehouses: []Warehouse{
		{ID: "w1", Name: "One"},
		{ID: "w2", Name: "Two", State: "STOPPED", StartDelay: 50 * time.Millisecond, ClusterSize: "Small", Serverless: true},
		{ID: "w3", Name: "Three", WarehouseType: "CLASSIC"},
	}})
}

type wireWarehouses struct {
	Warehouses []struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	} `json:"warehouses"`
	NextPageToken string `json:"next_page_token"`
}

func TestWarehousePaging(t *testing.T) {
	t.Parallel()
	s := threeWarehouses(t)
	for size, pages := range map[string]int{"1": 3, "2": 2, "": 1, "10": 1} {
		var ids []string
		token, n := "", 0
		for {
			q := url.Values{}
			if size != "" {
				q.Set("page_size", size)
			}
			if token != "" {
				q.Set("page_token", token)
			}
			c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses?"+q.Encode(), nil)
			var page wireWarehouses
			c.decode(t, &page)
			n++
			for _, w := range page.Warehouses {
				ids = append(ids, w.ID)
			}
			if page.NextPageToken == "" {
				break
			}
			token = page.NextPageToken
			if n > 5 {
				t.Fatal("paging does not end")
			}
		}
		if n != pages || strings.Join(ids, ",") != "w1,w2,w3" {
			t.Errorf("page_size %q: %d pages, ids %v", size, n, ids)
		}
	}
	if c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses?page_token=bogus", nil); c.status != http.StatusBadRequest {
		t.Errorf("bad page token: HTTP %d", c.status)
	}
}

func TestGetWarehouse(t *testing.T) {
	t.Parallel()
	s := threeWarehouses(t)
	c := do(t, s, http.MethodGet, "/api/2.0/sql/warehouses/w2", nil)
	var w map[string]any
	c.decode(t, &w)
	for _, field := range []string{"id", "name", "state", "cluster_size", "auto_stop_mins", "num_clusters", "enable_serverless_compute", "warehouse_type", "health", "odbc_params", "jdbc_url", "creator_name"} {
		if _, ok := w[field]; !ok {
			t.Errorf("field %s missing: %s", field, c.body)
		}
	}
	health, _ := w["health"].(map[string]any)
	if w["state"] != "STOPPED" || w["cluster_size"] != "Small" || w["enable_serverless_compute"] != true || w["warehouse_type"] != "PRO" ||
		health["status"] != "HEALTHY" || w["num_clusters"] != float64(0) {
		t.Errorf("w2: %s", c.body)
	}
	c = do(t, s, http.MethodGet, "/api/2.0/sql/warehouses/nope", nil)
	if e := c.apiError(t); c.status != http.StatusNotFound || e.ErrorCode != "RESOURCE_DOES_NOT_EXIST" || !strings.Contains(e.Message, "nope does not exist") {
		t.Errorf("unknown: HTTP %d %s", c.status, c.body)
	}
	if s.Log().Count(EndpointGetWarehouse) != 2 {
		t.Errorf("count %d", s.Log().Count(EndpointGetWarehouse))
	}
}

func TestStartStopWarehouse(t *testing.T) {
	t.Parallel()
	s := threeWarehouses(t)
	c := do(t, s, http.MethodPost, "/api/2.0/sql/warehouses/w2/start", map[string]any{})
	if c.status != http.StatusOK || strings.TrimSpace(string(c.body)) != "{}" {
		t.Fatalf("start: HTTP %d %s", c.status, c.body)
	}
	if got := warehouseState(t, s, "w2"); got != stateStarting && got != stateRunning {
		t.Fatalf("after start: %s", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for warehouseState(t, s, "w2") != stateRunning {
		if time.Now().After(deadline) {
			t.Fatal("w2 never RUNNING")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if c := do(t, s, http.MethodPost, "/api/2.0/sql/warehouses/w1/stop", map[string]any{}); c.status != http.StatusOK {
		t.Fatalf("stop: HTTP %d", c.status)
	}
	if got := warehouseState(t, s, "w1"); got != stateStopped || s.WarehouseState("w1") != stateStopped {
		t.Fatalf("after stop: %s", got)
	}
	for _, op := range []string{"start", "stop"} {
		if c := do(t, s, http.MethodPost, "/api/2.0/sql/warehouses/nope/"+op, map[string]any{}); c.status != http.StatusNotFound {
			t.Errorf("%s unknown: HTTP %d", op, c.status)
		}
	}
}

func TestWarehouseOptionsValidation(t *testing.T) {
	t.Parallel()
	for name, whs := range map[string][]Warehouse{
		"no id":     {{Name: "x"}},
		"duplicate": {{ID: "a"}, {ID: "a"}},
		"bad state": {{ID: "a", State: "SLEEPING"}},
	} {
		if e, err := New(Options{Warehouses: whs, SampleTrips: -1}); err == nil {
			e.Close()
			t.Errorf("%s: New accepted %+v", name, whs)
		}
	}
}
