package databricks_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// The token cache every OAuth kind shares, tested through oauth-m2m: one fetch for many
// callers, refresh before expiry, a refused token replaced once, failures held briefly.

func TestNewNeedsValidCredentials(t *testing.T) {
	t.Parallel()
	var inputErr *databricks.InputError
	if _, err := databricks.New(databricks.Config{BaseURL: "https://x.cloud.databricks.com"}); !errors.As(err, &inputErr) {
		t.Errorf("no credentials: err = %v, want an InputError", err)
	}
	_, err := databricks.New(databricks.Config{BaseURL: "https://x.cloud.databricks.com", Credentials: databricks.PersonalAccessToken("dapi1\n")})
	if !errors.As(err, &inputErr) {
		t.Errorf("a token with a newline: err = %v, want an InputError", err)
	}
}

func TestOneTokenFetchForConcurrentRequests(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	// A slow token endpoint, so that every request arrives while the fetch runs.
	idp.set(func(p *fakeIdP) { p.delay = 200 * time.Millisecond })
	creds := idp.m2m(t, testClientSecret, nil)
	var wg sync.WaitGroup
	var failures atomic.Int32
	for range 20 {
		// Several clients of one identity share its credentials, as the provider's do.
		client := idp.client(t, databricks.Config{Credentials: creds})
		for range 3 {
			wg.Go(func() {
				if _, err := client.CurrentUser(context.Background()); err != nil {
					failures.Add(1)
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if n := idp.count(http.MethodPost, tokenURL); n != 1 {
		t.Errorf("%d token requests for 60 concurrent calls, want 1", n)
	}
	if n := idp.count(http.MethodGet, discoveryURL); n != 1 {
		t.Errorf("%d discovery requests, want 1", n)
	}
	if n := idp.count(http.MethodGet, meURL); n != 60 {
		t.Errorf("%d API requests, want 60", n)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		lifetime int           // expires_in
		reuse    time.Duration // still in use this long after the fetch
		replace  time.Duration // replaced this long after the fetch, before it expires
	}{
		// An hour's token is replaced 40 s before its end: Databricks refuses tokens with
		// 30 s or less left.
		{"an hour", 3600, time.Hour - 41*time.Second, time.Hour - 39*time.Second},
		// A 4 s token (emulator tests) gets a quarter of its life as margin, not 40 s,
		// which would replace it on every request.
		{"seconds", 4, 2900 * time.Millisecond, 3100 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			idp := newFakeIdP(t)
			idp.set(func(p *fakeIdP) { p.lifetime = tc.lifetime })
			creds := idp.m2m(t, testClientSecret, nil)
			var mu sync.Mutex
			start := time.Now()
			offset := time.Duration(0)
			databricks.SetClock(creds, func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				return start.Add(offset)
			})
			at := func(d time.Duration) string {
				mu.Lock()
				offset = d
				mu.Unlock()
				auth, err := creds.Authorization(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				return auth
			}
			first := at(0)
			if again := at(tc.reuse); again != first {
				t.Errorf("the token was replaced %s after it was fetched, before its margin", tc.reuse)
			}
			if n := idp.count(http.MethodPost, tokenURL); n != 1 {
				t.Fatalf("%d token requests before the margin, want 1", n)
			}
			if next := at(tc.replace); next == first {
				t.Errorf("the token was still in use %s after it was fetched, within its margin", tc.replace)
			}
			if n := idp.count(http.MethodPost, tokenURL); n != 2 {
				t.Errorf("%d token requests after the margin, want 2", n)
			}
		})
	}
}

func TestRefusedTokenIsReplacedAndTheWriteSentOnceMore(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	creds := idp.m2m(t, testClientSecret, nil)
	client := idp.client(t, databricks.Config{Credentials: creds})
	ctx := context.Background()
	if _, err := client.CurrentUser(ctx); err != nil {
		t.Fatal(err)
	}
	// Revoked, or expired early: the workspace refuses a token the cache still holds. It
	// did not process the request, so even a write is sent again, with a new token.
	idp.set(func(p *fakeIdP) { p.revoked[p.issued[0]] = true })
	if _, err := client.Run(ctx, write()); err != nil {
		t.Fatalf("a revoked token was not replaced: %v", err)
	}
	if n := idp.count(http.MethodPost, tokenURL); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
	var submissions []string
	for _, r := range idp.requests() {
		if r.Method == http.MethodPost && r.Path == statementsPath {
			submissions = append(submissions, r.Authorization)
		}
	}
	tokens := idp.tokens()
	if len(submissions) != 2 || submissions[0] != "Bearer "+tokens[0] || submissions[1] != "Bearer "+tokens[1] {
		t.Errorf("the write was sent %d times, want twice: refused with the old token, then with the new", len(submissions))
	}
}

func TestConcurrentRefusalsShareOneNewToken(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	creds := idp.m2m(t, testClientSecret, nil)
	client := idp.client(t, databricks.Config{Credentials: creds})
	ctx := context.Background()
	if _, err := client.CurrentUser(ctx); err != nil {
		t.Fatal(err)
	}
	idp.set(func(p *fakeIdP) { p.revoked[p.issued[0]] = true; p.delay = 100 * time.Millisecond })
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := client.CurrentUser(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := idp.count(http.MethodPost, tokenURL); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}

	// A refusal that arrives after the token was replaced drops nothing: the request is
	// sent again with the newer token, which is not fetched anew.
	refused := "Bearer " + idp.tokens()[0]
	current, err := creds.Authorization(ctx)
	if err != nil || current == refused {
		t.Fatalf("Authorization = %v, want the new token", err)
	}
	if !creds.Refused(refused) {
		t.Error("Refused = false for fetched tokens")
	}
	if again, _ := creds.Authorization(ctx); again != current {
		t.Error("a late refusal of the old token dropped the new one")
	}
	if n := idp.count(http.MethodPost, tokenURL); n != 2 {
		t.Errorf("%d token requests after a late refusal, want 2", n)
	}
}

func TestRefusedPrincipalIsSentOnceMoreOnly(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	// The workspace refuses every token of this principal (no access).
	workspace := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == meURL {
			invalidToken(w)
			return
		}
		idp.serve(w, r)
	})
	creds, err := databricks.NewOAuthM2M(databricks.OAuthM2MConfig{BaseURL: workspace.URL, ClientID: testClientID, ClientSecret: testClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	_, err = workspace.client(t, databricks.Config{Credentials: creds}).CurrentUser(context.Background())
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden || errors.Is(err, databricks.ErrCredentials) {
		t.Fatalf("err = %v, want the workspace's 403 as an APIError", err)
	}
	if n := workspace.count(http.MethodGet, meURL); n != 2 {
		t.Errorf("%d API requests, want 2: the request and one resend with a new token", n)
	}
	if n := workspace.count(http.MethodPost, tokenURL); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestAbandonedFetchDoesNotFailOtherCallers(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	arrived := make(chan struct{}, 4)
	idp.set(func(p *fakeIdP) {
		p.delay = 300 * time.Millisecond
		p.arrived = func() { arrived <- struct{}{} }
	})
	creds := idp.m2m(t, testClientSecret, nil)
	impatient, giveUp := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := creds.Authorization(impatient)
		leader <- err
	}()
	<-arrived
	waiter := make(chan error, 1)
	go func() {
		_, err := creds.Authorization(context.Background())
		waiter <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the waiter join the fetch in flight
	giveUp()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Errorf("the caller that gave up got %v", err)
	}
	// The fetch ended because its caller gave up, not because the token endpoint
	// refused: the caller still waiting fetches again instead of sharing that failure.
	if err := <-waiter; err != nil {
		t.Errorf("the caller still waiting got %v", err)
	}
}

func TestFailedFetchIsHeldBrieflyThenRetried(t *testing.T) {
	t.Parallel()
	idp := newFakeIdP(t)
	creds := idp.m2m(t, "dose-wrong-secret", nil)
	databricks.SetFailureHold(creds, 300*time.Millisecond)
	ctx := context.Background()
	for range 5 {
		if _, err := creds.Authorization(ctx); !errors.Is(err, databricks.ErrCredentials) {
			t.Fatalf("err = %v", err)
		}
	}
	// Five callers at once, in a plan of many data sources: one doomed token request.
	if n := idp.count(http.MethodPost, tokenURL); n != 1 {
		t.Errorf("%d token requests within the hold, want 1", n)
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := creds.Authorization(ctx); err == nil {
		t.Fatal("a wrong secret worked")
	}
	if n := idp.count(http.MethodPost, tokenURL); n != 2 {
		t.Errorf("%d token requests after the hold, want 2: a failure is not remembered forever", n)
	}
}
