package gateway_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// GET /_keytrail/explain/<id> is answered to a signed caller, with what Explain gives for its
// principal; errors are JSON-protocol errors with fitting statuses.
func TestExplainRoute(t *testing.T) {
	var asked string
	var who identity.Principal
	g := gateway.New(gateway.Config{Region: "us-east-1", Logger: slog.New(slog.DiscardHandler), Verifier: sigv4.NewVerifier(oneAccount{}, nil),
		Explain: func(_ context.Context, id string, p identity.Principal) (any, bool) {
			asked, who = id, p
			return map[string]string{"requestId": id}, id == "known-1"
		}})
	status, body := serve(t, g, signed(t, http.MethodGet, gateway.ExplainPath+"known-1", "keytrail", "us-east-1", nil, nil))
	if status != http.StatusOK || body != `{"requestId":"known-1"}`+"\n" || asked != "known-1" || who.Account != account {
		t.Fatalf("known: %d %s (asked %q as %+v)", status, body, asked, who)
	}
	status, body = serve(t, g, signed(t, http.MethodGet, gateway.ExplainPath+"other", "kms", "eu-west-1", nil, nil))
	wantError(t, status, body, http.StatusNotFound, `"__type":"NotFoundException"`, "No denial of request other is known for account "+account)
	status, body = serve(t, g, signed(t, http.MethodGet, gateway.ExplainPath+"a%2Fb", "keytrail", "us-east-1", nil, nil))
	wantError(t, status, body, http.StatusBadRequest, "ValidationException", "is not a request ID")
	status, body = serve(t, g, httptest.NewRequest(http.MethodGet, gateway.ExplainPath+"known-1", nil))
	wantError(t, status, body, http.StatusForbidden, "MissingAuthenticationToken")
	status, body = serve(t, g, signed(t, http.MethodDelete, gateway.ExplainPath+"known-1", "keytrail", "us-east-1", nil, nil))
	wantError(t, status, body, http.StatusMethodNotAllowed, "MethodNotAllowed")
	// Without an Explain, nothing is known.
	plain := gateway.New(gateway.Config{Region: "us-east-1", Verifier: sigv4.NewVerifier(oneAccount{}, nil)})
	status, body = serve(t, plain, signed(t, http.MethodGet, gateway.ExplainPath+"known-1", "keytrail", "us-east-1", nil, nil))
	wantError(t, status, body, http.StatusNotFound, "NotFoundException")
}
