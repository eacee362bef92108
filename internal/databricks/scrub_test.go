package databricks_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/dbsqlhq/terraform-provider-dbsql/internal/databricks"
)

// otherToken is a credential the client does not hold, in the shape of a personal access
// token: a server quoting it is as bad as quoting the client's own.
const otherToken = "dapifedcba9876543210fedcba9876543210"

// Whatever a server echoes of the request's credentials, or of anyone's, never reaches an
// error: not in a JSON message, an error code, an HTML page, plain text, a header.
func TestServerTextIsScrubbedOfCredentials(t *testing.T) {
	t.Parallel()
	cases := map[string]func(w http.ResponseWriter, r *http.Request){
		"json message": func(w http.ResponseWriter, r *http.Request) {
			apiError(w, http.StatusBadRequest, "BAD_REQUEST", "unexpected header Authorization: "+r.Header.Get("Authorization"))
		},
		"json error code": func(w http.ResponseWriter, r *http.Request) {
			apiError(w, http.StatusBadRequest, r.Header.Get("Authorization"), "bad")
		},
		"html title": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, "<html><title>Denied for %s</title></html>", r.Header.Get("Authorization"))
		},
		"html body": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "<!DOCTYPE html><html><body><p>request headers:</p><pre>authorization: %s</pre></body></html>", r.Header.Get("Authorization"))
		},
		"plain text": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "INVALID_PARAMETER_VALUE: token %s is not allowed here", strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		},
		"reason phrase header": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Databricks-Reason-Phrase", "Invalid token "+r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusForbidden)
		},
		"request id header": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Request-Id", r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusInternalServerError)
		},
		"someone else's bearer value, any case": func(w http.ResponseWriter, _ *http.Request) {
			apiError(w, http.StatusBadRequest, "BAD_REQUEST", "forwarded BEARER eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.sig and bearer\topaque-Value-42")
		},
		"someone else's access token": func(w http.ResponseWriter, _ *http.Request) {
			apiError(w, http.StatusBadRequest, "BAD_REQUEST", "token "+otherToken+" belongs to another user")
		},
		"someone else's JWT, without Bearer": func(w http.ResponseWriter, _ *http.Request) {
			apiError(w, http.StatusBadRequest, "BAD_REQUEST", "subject_token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln-opaque-Value-42 is not trusted")
		},
		"a redirect to a url holding the token": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "/login/"+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			w.WriteHeader(http.StatusFound)
		},
		"a response that is not HTTP": func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(http.ErrAbortHandler)
			}
			defer conn.Close()
			// net/http quotes a first line it cannot read as HTTP in its error.
			_, _ = buf.WriteString("HTTP/1.1 " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + "\r\n\r\n")
			_ = buf.Flush()
		},
	}
	for name, respond := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newFakeServer(t, respond)
			_, err := srv.client(t, databricks.Config{Retry: databricks.RetryPolicy{MaxNetworkAttempts: 1}}).CurrentUser(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			for _, secret := range []string{testToken, otherToken, "eyJhbGciOiJIUzI1NiJ9", "opaque-Value-42"} {
				if strings.Contains(msg, secret) {
					t.Errorf("the error holds a credential: %v", msg)
				}
			}
			if !strings.Contains(msg, "[REDACTED]") {
				t.Errorf("the error does not show where a credential was blanked: %v", msg)
			}
		})
	}
}

// failedStatement answers every submission with a FAILED statement and message.
func failedStatement(message string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, fmt.Sprintf(`{"statement_id":"s1","status":{"state":"FAILED","error":{"error_code":"BAD_REQUEST","message":%q},"sql_state":"42000"}}`, message))
	}
}

// A FAILED statement's message of a megabyte reaches the error cut to a few KiB, with a
// note saying how much was cut.
func TestHugeStatementMessageIsCut(t *testing.T) {
	t.Parallel()
	message := "[DIVIDE_BY_ZERO] " + strings.Repeat("row data ", (1<<20)/9)
	srv := newFakeServer(t, failedStatement(message))
	client := srv.client(t, databricks.Config{})
	_, runErr := client.Run(context.Background(), databricks.RunRequest{WarehouseID: testWarehouse, Statement: "INSERT INTO t SELECT 1/0"})
	_, queryErr := client.StreamQuery(context.Background(), fakeQuery("SELECT 1/0"), newRowRecorder())
	for what, err := range map[string]error{"Run": runErr, "StreamQuery": queryErr} {
		var stmtErr *databricks.StatementError
		if !errors.As(err, &stmtErr) || !errors.Is(err, databricks.ErrStatementFailed) {
			t.Fatalf("%s: err = %v", what, err)
		}
		want := fmt.Sprintf("(%d more bytes cut)", len(message)-4096)
		if !strings.HasPrefix(stmtErr.Message, "[DIVIDE_BY_ZERO] row data") || !strings.HasSuffix(stmtErr.Message, want) {
			t.Errorf("%s: the message is not cut with a note %q: …%s", what, want, stmtErr.Message[max(0, len(stmtErr.Message)-60):])
		}
		if n := len(err.Error()); n > 5<<10 {
			t.Errorf("%s: the error is %d bytes long", what, n)
		}
	}
}

// The same for an error body's message, and for a FAILED statement's credentials.
func TestHugeErrorMessageIsCutAndStatementMessagesScrubbed(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("é", 30<<10) // two bytes each: the cut falls between characters
	srv := newFakeServer(t, func(w http.ResponseWriter, _ *http.Request) {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETER_VALUE", huge)
	})
	_, err := srv.client(t, databricks.Config{}).CurrentUser(context.Background())
	var apiErr *databricks.APIError
	if !errors.As(err, &apiErr) || !strings.HasSuffix(apiErr.Message, fmt.Sprintf("… (%d more bytes cut)", len(huge)-4096)) || len(apiErr.Message) > 4200 {
		t.Errorf("message of %d bytes: …%s", len(apiErr.Message), apiErr.Message[max(0, len(apiErr.Message)-40):])
	}

	srv = newFakeServer(t, failedStatement("cannot read s3://bucket with header Authorization: Bearer "+testToken))
	_, err = srv.client(t, databricks.Config{}).Run(context.Background(), databricks.RunRequest{WarehouseID: testWarehouse, Statement: "INSERT INTO t VALUES (1)"})
	if err == nil || strings.Contains(err.Error(), testToken) || !strings.Contains(err.Error(), "Bearer [REDACTED]") {
		t.Errorf("err = %v", err)
	}
}

// A chunk link that is not a path is quoted in the error, scrubbed like any server text.
func TestRefusedChunkLinkIsScrubbed(t *testing.T) {
	t.Parallel()
	client, _ := fakeWorkspace(t,
		`{"statement_id":"s1","status":{"state":"SUCCEEDED"},
		  "manifest":{"schema":{"columns":[{"name":"i","type_name":"INT","type_text":"INT"}]},"total_chunk_count":2,"total_row_count":2},
		  "result":{"chunk_index":0,"row_count":1,"data_array":[["0"]],"next_chunk_internal_link":"https://elsewhere.example/c?h=Bearer `+testToken+`"}}`, nil)
	_, err := client.StreamQuery(context.Background(), fakeQuery("SELECT i"), newRowRecorder())
	if err == nil || !strings.Contains(err.Error(), "is not a path on the workspace") || strings.Contains(err.Error(), testToken) {
		t.Errorf("err = %v", err)
	}
}
