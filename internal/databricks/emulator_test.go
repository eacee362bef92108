//go:build cgo

package databricks_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// The tests of the files built with cgo run the client end to end against the workspace
// emulator (DuckDB): real SQL, real statement states, real chunking. `make unit` runs
// them; wire-level behaviour is tested without cgo, against httptest servers.

// startWorkspace starts an emulator and a client for it.
func startWorkspace(t *testing.T, opts emulator.Options, cfg databricks.Config) (*emulator.Server, *databricks.Client) {
	t.Helper()
	if opts.SampleTrips == 0 {
		opts.SampleTrips = -1 // most client tests need no sample data
	}
	srv, err := emulator.Start(opts)
	if err != nil {
		t.Fatalf("starting the emulator: %v", err)
	}
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	if cfg.Credentials == nil {
		cfg.Credentials = databricks.PersonalAccessToken(emulator.DefaultToken)
	}
	if cfg.Retry == (databricks.RetryPolicy{}) {
		cfg.Retry = fastRetries
	}
	client, err := databricks.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, client
}

// query is a query of the emulator's default warehouse.
func query(statement string) databricks.QueryRequest {
	return databricks.QueryRequest{WarehouseID: emulator.DefaultWarehouseID, Statement: statement}
}

func TestCurrentUser(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{UserName: "etl@example.com"}, databricks.Config{UserAgent: "terraform-provider-dbsql/1.2.3 terraform/1.5.7"})
	me, err := client.CurrentUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.UserName != "etl@example.com" || me.WorkspaceID != emulator.DefaultWorkspaceID || !me.Active {
		t.Errorf("CurrentUser = %+v", me)
	}
	reqs := srv.Log().Requests()
	if len(reqs) != 1 || reqs[0].UserAgent != "terraform-provider-dbsql/1.2.3 terraform/1.5.7" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestCurrentUserWithoutWorkspaceID(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{WorkspaceID: "-"}, databricks.Config{})
	me, err := client.CurrentUser(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.WorkspaceID != "" {
		t.Errorf("WorkspaceID = %q, want empty when the header is absent", me.WorkspaceID)
	}
}

func TestWarehouses(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{Warehouses: []emulator.Warehouse{
		{ID: "aaaa1111", Name: "One"},
		{ID: "bbbb2222", Name: "Two", State: "STOPPED", Serverless: true},
	}}, databricks.Config{})
	ctx := context.Background()
	list, err := client.ListWarehouses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "aaaa1111" || list[1].Name != "Two" || !list[1].EnableServerlessCompute {
		t.Errorf("ListWarehouses = %+v", list)
	}
	w, err := client.GetWarehouse(ctx, "bbbb2222")
	if err != nil || w.State != "STOPPED" || w.Health == nil || w.Health.Status == "" {
		t.Fatalf("GetWarehouse = %+v, %v", w, err)
	}
	_, err = client.GetWarehouse(ctx, "ffff0000")
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, databricks.ErrNotFound) || apiErr.ErrorCode != "RESOURCE_DOES_NOT_EXIST" {
		t.Errorf("a missing warehouse: %v", err)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	_, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	ctx := context.Background()
	created, err := client.CreateToken(ctx, databricks.CreateTokenRequest{Comment: "flow", LifetimeSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	if created.TokenValue == "" || created.TokenInfo.TokenID == "" || created.TokenInfo.Comment != "flow" {
		t.Fatalf("CreateToken = %+v", created.TokenInfo)
	}
	expires, ok := created.TokenInfo.Expires()
	if !ok || expires.Sub(time.UnixMilli(created.TokenInfo.CreationTime)) != time.Hour {
		t.Errorf("expiry %v (%v) for a one-hour token created at %d", expires, ok, created.TokenInfo.CreationTime)
	}
	// The new token works.
	minted, err := databricks.New(databricks.Config{BaseURL: client.BaseURL().String(), Credentials: databricks.PersonalAccessToken(created.TokenValue)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := minted.CurrentUser(ctx); err != nil {
		t.Fatalf("the minted token does not authenticate: %v", err)
	}
	list, err := client.ListTokens(ctx)
	if err != nil || len(list) != 1 || list[0].TokenID != created.TokenInfo.TokenID {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
	if err := client.DeleteToken(ctx, created.TokenInfo.TokenID); err != nil {
		t.Fatal(err)
	}
	if _, err := minted.CurrentUser(ctx); !errors.Is(err, databricks.ErrPermissionDenied) {
		t.Errorf("a revoked token still authenticates: %v", err)
	}
	if err := client.DeleteToken(ctx, created.TokenInfo.TokenID); !errors.Is(err, databricks.ErrNotFound) {
		t.Errorf("deleting a gone token: %v", err)
	}
	never, err := client.CreateToken(ctx, databricks.CreateTokenRequest{Comment: "forever"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := never.TokenInfo.Expires(); ok {
		t.Errorf("a token without lifetime expires at %d", never.TokenInfo.ExpiryTime)
	}
}
