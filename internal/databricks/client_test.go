package databricks_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
	"github.com/dbsqlhq/terraform-provider-dbsql/internal/emulator"
)

// fastRetries keeps retry tests quick while exercising the real back-off path.
var fastRetries = databricks.RetryPolicy{BaseDelay: 20 * time.Millisecond, MaxDelay: 100 * time.Millisecond}

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
	if cfg.Token == "" {
		cfg.Token = emulator.DefaultToken
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

func TestInvalidTokenIsReadable(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{Token: "dapiWRONG0000"})
	_, err := client.CurrentUser(context.Background())
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, databricks.ErrPermissionDenied) {
		t.Fatalf("err = %v, want a 403 APIError", err)
	}
	if apiErr.ErrorCode != "403" || apiErr.Message != "Invalid access token." {
		t.Errorf("code %q message %q", apiErr.ErrorCode, apiErr.Message)
	}
	if strings.Contains(err.Error(), "dapiWRONG") {
		t.Errorf("the error repeats the token: %v", err)
	}
	if n := srv.Log().Count(emulator.EndpointMe); n != 1 {
		t.Errorf("a rejected token was sent %d times; it must not be retried", n)
	}
}

func TestErrorBodiesAreReadable(t *testing.T) {
	t.Parallel()
	cases := map[emulator.FaultKind]struct {
		sentinel error
		text     string
	}{
		emulator.FaultNumericErrorCode: {databricks.ErrPermissionDenied, "HTTP 403: Invalid access token."},
		emulator.FaultHTMLError:        {databricks.ErrPermissionDenied, "HTTP 403: Invalid access token."},
		emulator.FaultMalformedJSON:    {databricks.ErrMalformedResponse, "is not valid JSON"},
		emulator.FaultInternalError:    {databricks.ErrInternal, "HTTP 500 INTERNAL_ERROR"},
	}
	for kind, want := range cases {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
			srv.AddFault(emulator.Fault{Kind: kind})
			_, err := client.CurrentUser(context.Background())
			if !errors.Is(err, want.sentinel) || !strings.Contains(err.Error(), want.text) {
				t.Errorf("err = %v, want %v containing %q", err, want.sentinel, want.text)
			}
			// None of these is worth retrying.
			if n := srv.Log().Count(emulator.EndpointMe); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// 429 with Retry-After: the client waits at least that long, measured by the emulator.
func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	srv.AddFault(emulator.Fault{Endpoint: emulator.EndpointMe, Kind: emulator.FaultRateLimit, Times: 1, RetryAfter: 1})
	if _, err := client.CurrentUser(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Log().Requests()
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 {
		t.Fatalf("requests = %+v, want a 429 then a 200", reqs)
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < time.Second {
		t.Errorf("the retry came %v after the 429, before its Retry-After of 1s", gap)
	}
}

func TestBurstOf503sIsRidden(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	srv.AddFault(emulator.Fault{Kind: emulator.FaultUnavailable, Times: 3})
	if _, err := client.ListWarehouses(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log().Count(emulator.EndpointListWarehouses); n != 4 {
		t.Errorf("%d requests, want 3 failures and a success", n)
	}
}

// 503s that never stop: the client gives up within the caller's deadline and says how
// many attempts it made.
func TestEndless503sFailWithinTheDeadline(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	srv.AddFault(emulator.Fault{Kind: emulator.FaultUnavailable})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := client.CurrentUser(ctx)
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, databricks.ErrUnavailable) {
		t.Fatalf("err = %v, want a 503 APIError", err)
	}
	n := srv.Log().Count(emulator.EndpointMe)
	if n < 2 || apiErr.Attempts != n {
		t.Errorf("the error reports %d attempts, the emulator saw %d", apiErr.Attempts, n)
	}
	if !strings.Contains(err.Error(), "attempts") {
		t.Errorf("the message does not say how many attempts were made: %v", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the client waited past the deadline instead of reporting the last answer")
	}
}

func TestRetryBudgetBoundsRetries(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{Retry: databricks.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond, MaxElapsed: 200 * time.Millisecond}})
	srv.AddFault(emulator.Fault{Kind: emulator.FaultRateLimit})
	_, err := client.CurrentUser(context.Background())
	if !errors.Is(err, databricks.ErrTooManyRequests) {
		t.Fatalf("err = %v", err)
	}
	if n := srv.Log().Count(emulator.EndpointMe); n < 2 || n > 30 {
		t.Errorf("%d attempts within a 200ms budget", n)
	}
}

// A connection dropped mid-response is retried for a read, never for a request that may
// have had an effect.
func TestDroppedConnection(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	srv.AddFault(emulator.Fault{Kind: emulator.FaultDropConnection, Times: 1})
	if _, err := client.ListWarehouses(context.Background()); err != nil {
		t.Fatalf("a read after a dropped connection: %v", err)
	}
	if n := srv.Log().Count(emulator.EndpointListWarehouses); n != 2 {
		t.Errorf("%d list requests, want 2", n)
	}

	srv.AddFault(emulator.Fault{Kind: emulator.FaultDropConnection, Times: 1})
	_, err := client.CreateToken(context.Background(), databricks.CreateTokenRequest{Comment: "once"})
	var netErr *databricks.NetworkError
	if !errors.As(err, &netErr) {
		t.Fatalf("err = %v, want a NetworkError", err)
	}
	if n := srv.Log().Count(emulator.EndpointCreateToken); n != 1 {
		t.Errorf("token creation was sent %d times after a dropped connection; a second token nobody holds may exist", n)
	}
}

func TestSlowResponseTimesOut(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{Timeout: 300 * time.Millisecond})
	srv.AddFault(emulator.Fault{Kind: emulator.FaultSlow, Delay: 2 * time.Second})
	_, err := client.CurrentUser(context.Background())
	var timeoutErr *databricks.TimeoutError
	if !errors.As(err, &timeoutErr) || !errors.Is(err, databricks.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want a TimeoutError", err)
	}
	if !strings.Contains(err.Error(), "within the 300ms request timeout") {
		t.Errorf("the message does not name the timeout: %v", err)
	}
}

func TestRefusedConnectionIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	client, err := databricks.New(databricks.Config{BaseURL: "http://127.0.0.1:1", Token: "dapi0", Retry: fastRetries})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CurrentUser(context.Background())
	var netErr *databricks.NetworkError
	if !errors.As(err, &netErr) || netErr.Attempts != 3 {
		t.Fatalf("err = %v, want a NetworkError after 3 attempts", err)
	}
	if !strings.Contains(err.Error(), "cannot reach 127.0.0.1:1") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("message: %v", err)
	}
}

// Sequential requests reuse one keep-alive connection.
func TestConnectionsAreReused(t *testing.T) {
	t.Parallel()
	srv, client := startWorkspace(t, emulator.Options{}, databricks.Config{})
	for range 10 {
		if _, err := client.CurrentUser(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Log().Connections(); n != 1 {
		t.Errorf("10 requests used %d connections", n)
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
	if err := client.StartWarehouse(ctx, "bbbb2222"); err != nil {
		t.Fatal(err)
	}
	if w, _ := client.GetWarehouse(ctx, "bbbb2222"); w.State != "STARTING" && w.State != "RUNNING" {
		t.Errorf("after start the warehouse is %s", w.State)
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
	minted, err := databricks.New(databricks.Config{BaseURL: client.BaseURL().String(), Token: created.TokenValue})
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
