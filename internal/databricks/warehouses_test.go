package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// pagedWarehouses answers the warehouse listing from pages keyed by page_token ("" for
// the first): each page's warehouse is named after its key, and next names the page after.
func pagedWarehouses(next map[string]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("page_token")
		answer(w, http.StatusOK, fmt.Sprintf(`{"warehouses":[{"id":"w%s","name":"page %s"}],"next_page_token":%q}`, token, token, next[token]))
	}
}

func TestListWarehousesFollowsEveryPage(t *testing.T) {
	t.Parallel()
	srv := newFakeServer(t, pagedWarehouses(map[string]string{"": "a b", "a b": "c&d", "c&d": ""}))
	list, err := srv.client(t, databricks.Config{}).ListWarehouses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, w := range list {
		ids = append(ids, w.ID)
	}
	if strings.Join(ids, ",") != "w,wa b,wc&d" {
		t.Errorf("warehouses %v", ids)
	}
	want := []string{warehousesURL, warehousesURL + "?page_token=a+b", warehousesURL + "?page_token=c%26d"}
	if strings.Join(srv.paths(), " ") != strings.Join(want, " ") {
		t.Errorf("requests = %v, want %v", srv.paths(), want)
	}
}

// Page tokens that go round in a circle end the listing with an error that names the
// API, instead of sending requests until the deadline (a cycle of two once sent 19,184
// requests in 2 seconds).
func TestListWarehousesStopsAtAPageTokenCycle(t *testing.T) {
	t.Parallel()
	for name, next := range map[string]map[string]string{
		"two tokens":            {"": "a", "a": "b", "b": "a"},
		"back to the first":     {"": "a", "a": "b", "b": "c", "c": "a"},
		"a token naming itself": {"": "a", "a": "a"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, pagedWarehouses(next))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := srv.client(t, databricks.Config{}).ListWarehouses(ctx)
			var cycle *databricks.PageTokenCycleError
			if !errors.As(err, &cycle) || !errors.Is(err, databricks.ErrPageTokenCycle) || !errors.Is(err, databricks.ErrMalformedResponse) {
				t.Fatalf("err = %v after %d requests, want a PageTokenCycleError", err, len(srv.requests()))
			}
			if !strings.Contains(err.Error(), "GET /api/2.0/sql/warehouses") {
				t.Errorf("the error does not name the API: %v", err)
			}
			if n := len(srv.requests()); n != len(next) {
				t.Errorf("%d requests for %d distinct pages", n, len(next))
			}
		})
	}
}
