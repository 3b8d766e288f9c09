package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// ExplainPath is where GET /_keytrail/explain/<request-id> is served.
const ExplainPath = "/_keytrail/explain/"

// requestIDPattern is what a request ID looks like: keytrail's are UUIDs; anything else is
// refused before the store is asked.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

// explain serves GET /_keytrail/explain/<request-id>: signed with SigV4 like an AWS call (any
// service in the credential scope), answered with the explanation of the caller's own account's
// denials in that request, as JSON; 404 when there is none for that account.
func (g *Gateway) explain(w http.ResponseWriter, r *http.Request, f request.Facts) {
	if r.Method != http.MethodGet {
		writeAdminError(w, f.ID, &awserr.Error{Code: "MethodNotAllowed", Message: "GET explains a denied request", Status: http.StatusMethodNotAllowed})
		return
	}
	ctx := request.WithFacts(r.Context(), f)
	auth, perr := sigv4.ParseRequest(r)
	body, err := g.readBody(r)
	var p identity.Principal
	if err == nil {
		p, err = g.authenticate(ctx, r, auth, perr, sigv4.BodyHash(body), familyJSON)
	}
	if err != nil {
		writeAdminError(w, f.ID, err)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, ExplainPath)
	if !requestIDPattern.MatchString(id) {
		writeAdminError(w, f.ID, awserr.New(awserr.ValidationException, "%q is not a request ID", id))
		return
	}
	var e any
	found := false
	if g.explainFn != nil {
		e, found = g.explainFn(ctx, id, p)
	}
	if !found {
		// The same answer whether the request does not exist, was allowed, expired, or was
		// another account's: an explanation tells its own account only.
		writeAdminError(w, f.ID, &awserr.Error{Code: awserr.NotFoundException, Status: http.StatusNotFound,
			Message: "No denial of request " + id + " is known for account " + p.Account + " (explanations are kept for a bounded time and number)"})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", f.ID)
	_ = json.NewEncoder(w).Encode(e) // a client gone mid-response is not an error of the server
}

// writeAdminError answers a /_keytrail/ endpoint's error as a JSON-protocol error body.
func writeAdminError(w http.ResponseWriter, requestID string, err error) {
	e, ok := awserr.As(err)
	if !ok {
		e = awserr.New(awserr.InternalFailure, "An internal error occurred. Retry the request.")
	}
	status := e.HTTPStatus()
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{string(e.Code), e.Message})
}

// ExplainFunc answers an explanation request: the explanation of request id for principal p's
// account, false when there is none for it.
type ExplainFunc func(ctx context.Context, id string, p identity.Principal) (any, bool)
