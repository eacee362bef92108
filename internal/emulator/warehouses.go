package emulator

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// warehouseSet holds the warehouses and their state machine: STOPPED ->
// STARTING -> (StartDelay later) RUNNING, and back to STOPPED on /stop.
type warehouseSet struct {
	mu    sync.Mutex
	order []*warehouse
	byID  map[string]*warehouse
}

type warehouse struct {
	cfg   Warehouse
	state string
	// ready is closed while the warehouse is RUNNING; statements waiting for
	// a cold start wait on it.
	ready chan struct{}
	timer *time.Timer
}

func newWarehouseSet(cfgs []Warehouse) *warehouseSet {
	s := &warehouseSet{byID: map[string]*warehouse{}}
	for _, c := range cfgs {
		w := &warehouse{cfg: c, ready: make(chan struct{})}
		s.order = append(s.order, w)
		s.byID[c.ID] = w
		s.setLocked(w, c.State)
	}
	return s
}

// setLocked moves a warehouse to state; s.mu must be held.
func (s *warehouseSet) setLocked(w *warehouse, state string) {
	if w.timer != nil && state != stateStarting {
		w.timer.Stop()
		w.timer = nil
	}
	w.state = state
	select {
	case <-w.ready:
		if state != stateRunning {
			w.ready = make(chan struct{})
		}
	default:
		if state == stateRunning {
			close(w.ready)
		}
	}
	if state == stateStarting && w.timer == nil {
		w.timer = time.AfterFunc(w.cfg.StartDelay, func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if w.state == stateStarting {
				w.timer = nil
				s.setLocked(w, stateRunning)
			}
		})
	}
}

// startLocked begins a cold start unless the warehouse is running or starting.
func (s *warehouseSet) startLocked(w *warehouse) {
	switch w.state {
	case stateStopped, stateStopping:
		s.setLocked(w, stateStarting)
	}
}

// awaitRunning starts the warehouse if needed and waits until it runs.
func (s *warehouseSet) awaitRunning(ctx context.Context, id string) error {
	s.mu.Lock()
	w, ok := s.byID[id]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("warehouse %s does not exist", id)
	}
	s.startLocked(w)
	ready := w.ready
	s.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// wake starts the warehouse if it is stopped, as a statement's submission does on
// Databricks: by the time the submission is answered, the warehouse is STARTING.
func (s *warehouseSet) wake(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.byID[id]; ok {
		s.startLocked(w)
	}
}

// usable reports whether statements can be submitted to the warehouse: it
// exists and is not deleted.
func (s *warehouseSet) usable(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.byID[id]
	return ok && w.state != stateDeleted && w.state != stateDeleting
}

func (s *warehouseSet) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range s.order {
		if w.timer != nil {
			w.timer.Stop()
			w.timer = nil
		}
	}
}

// SetWarehouseState forces a warehouse into a state. STARTING goes on to
// RUNNING after the warehouse's StartDelay; RUNNING releases the statements
// waiting for it. An unknown id is ignored.
func (e *Emulator) SetWarehouseState(id, state string) {
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.byID[id]; ok {
		s.setLocked(w, state)
	}
}

// WarehouseState returns the current state of a warehouse, "" if unknown.
func (e *Emulator) WarehouseState(id string) string {
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.byID[id]; ok {
		return w.state
	}
	return ""
}

type warehouseJSON struct {
	ID                      string            `json:"id"`
	Name                    string            `json:"name"`
	State                   string            `json:"state"`
	ClusterSize             string            `json:"cluster_size"`
	AutoStopMins            int               `json:"auto_stop_mins"`
	MinNumClusters          int               `json:"min_num_clusters"`
	MaxNumClusters          int               `json:"max_num_clusters"`
	NumClusters             int               `json:"num_clusters"`
	NumActiveSessions       int               `json:"num_active_sessions"`
	EnableServerlessCompute bool              `json:"enable_serverless_compute"`
	EnablePhoton            bool              `json:"enable_photon"`
	WarehouseType           string            `json:"warehouse_type"`
	SpotInstancePolicy      string            `json:"spot_instance_policy"`
	Channel                 map[string]string `json:"channel"`
	CreatorName             string            `json:"creator_name"`
	JDBCURL                 string            `json:"jdbc_url"`
	ODBCParams              odbcParamsJSON    `json:"odbc_params"`
	Health                  map[string]string `json:"health"`
	Tags                    map[string]any    `json:"tags"`
}

type odbcParamsJSON struct {
	Hostname string `json:"hostname"`
	Path     string `json:"path"`
	Protocol string `json:"protocol"`
	Port     int    `json:"port"`
}

// describe renders a warehouse as the API does; host is the request's Host, so
// the connection details point back at the emulator.
func (s *warehouseSet) describe(w *warehouse, host, creator string) warehouseJSON {
	path := "/sql/1.0/warehouses/" + w.cfg.ID
	clusters := 0
	if w.state == stateRunning {
		clusters = 1
	}
	hostname, port := host, 80
	if h, p, err := splitHostPort(host); err == nil {
		hostname, port = h, p
	}
	return warehouseJSON{
		ID:                      w.cfg.ID,
		Name:                    w.cfg.Name,
		State:                   w.state,
		ClusterSize:             w.cfg.ClusterSize,
		AutoStopMins:            10,
		MinNumClusters:          1,
		MaxNumClusters:          1,
		NumClusters:             clusters,
		EnableServerlessCompute: w.cfg.Serverless,
		EnablePhoton:            true,
		WarehouseType:           w.cfg.WarehouseType,
		SpotInstancePolicy:      "COST_OPTIMIZED",
		Channel:                 map[string]string{"name": "CHANNEL_NAME_CURRENT"},
		CreatorName:             creator,
		JDBCURL:                 fmt.Sprintf("jdbc:databricks://%s:%d/default;transportMode=http;ssl=0;AuthMech=3;httpPath=%s;", hostname, port, path),
		ODBCParams:              odbcParamsJSON{Hostname: hostname, Path: path, Protocol: "http", Port: port},
		Health:                  map[string]string{"status": "HEALTHY"},
		Tags:                    map[string]any{},
	}
}

func splitHostPort(host string) (string, int, error) {
	h, p, err := net.SplitHostPort(host)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	return h, port, err
}

// defaultWarehousePageSize is large enough that a real workspace's
// warehouses come back in one page unless the client asks for less.
const defaultWarehousePageSize = 1000

func (e *Emulator) handleListWarehouses(x *exchange) {
	q := x.r.URL.Query()
	size := defaultWarehousePageSize
	if e.opts.WarehousePageSize > 0 {
		size = e.opts.WarehousePageSize
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("page_size must be a non-negative integer, got %q.", v))
			return
		}
		if n > 0 {
			size = n
		}
	}
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	start := 0
	// The page token is the id of the first warehouse of the next page.
	if tok := q.Get("page_token"); tok != "" {
		start = -1
		for i, w := range s.order {
			if w.cfg.ID == tok {
				start = i
			}
		}
		if start < 0 {
			x.fail(http.StatusBadRequest, "INVALID_PARAMETER_VALUE", fmt.Sprintf("Invalid page_token %q.", tok))
			return
		}
	}
	end := min(start+size, len(s.order))
	page := make([]warehouseJSON, 0, end-start)
	for _, w := range s.order[start:end] {
		page = append(page, s.describe(w, x.r.Host, e.opts.UserName))
	}
	resp := struct {
		Warehouses    []warehouseJSON `json:"warehouses"`
		NextPageToken string          `json:"next_page_token,omitempty"`
	}{Warehouses: page}
	if end < len(s.order) {
		resp.NextPageToken = s.order[end].cfg.ID
	}
	x.reply(http.StatusOK, resp)
}

// lookupWarehouse finds the warehouse named in the path or answers 404; s.mu
// must be held.
func (e *Emulator) lookupWarehouse(x *exchange) *warehouse {
	id := x.params["id"]
	w, ok := e.warehouses.byID[id]
	if !ok {
		x.fail(http.StatusNotFound, "RESOURCE_DOES_NOT_EXIST", fmt.Sprintf("SQL warehouse %s does not exist.", id))
		return nil
	}
	return w
}

func (e *Emulator) handleGetWarehouse(x *exchange) {
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := e.lookupWarehouse(x); w != nil {
		x.reply(http.StatusOK, s.describe(w, x.r.Host, e.opts.UserName))
	}
}

func (e *Emulator) handleStartWarehouse(x *exchange) {
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := e.lookupWarehouse(x); w != nil {
		s.startLocked(w)
		x.reply(http.StatusOK, struct{}{})
	}
}

func (e *Emulator) handleStopWarehouse(x *exchange) {
	s := e.warehouses
	s.mu.Lock()
	defer s.mu.Unlock()
	if w := e.lookupWarehouse(x); w != nil {
		if w.state != stateDeleted && w.state != stateDeleting {
			s.setLocked(w, stateStopped)
		}
		x.reply(http.StatusOK, struct{}{})
	}
}
