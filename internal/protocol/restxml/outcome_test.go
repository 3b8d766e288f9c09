package restxml

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// Serve returns the call's outcome: the operation (a write with a copy source as the copy), its
// table's metadata, what the record shows of the request, the resources the operation noted and
// the error it was answered with; an error after the answer began is the transfer's, not the
// call's.
func TestServeReturnsTheOutcome(t *testing.T) {
	bucket := request.Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::b", Account: "111122223333"}
	data := request.Meta{Data: true}
	handler := func(ctx context.Context, w http.ResponseWriter, r *http.Request, _ Target, _ io.Reader) error {
		request.Note(ctx, bucket)
		switch r.Header.Get("X-Test") {
		case "denied":
			return awserr.New(awserr.AccessDenied, "Access Denied")
		case "cut":
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, "part of a body")
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			return errors.New("the client went away")
		}
		w.WriteHeader(http.StatusOK)
		return nil
	}
	svc := &Service{Operations: map[Route]Operation{{Method: "PUT", Level: ObjectLevel}: {Name: "PutObject", Handler: handler, Meta: data}}}
	for _, c := range []struct {
		name, test, copySource, op, code string
		status                           int
		resources                        int
	}{
		{"answered", "", "", "PutObject", "", 200, 1},
		{"a copy", "", "src/k", "CopyObject", "", 200, 1},
		{"refused", "denied", "", "PutObject", "AccessDenied", 403, 1},
		{"cut short", "cut", "", "PutObject", "", 200, 1},
	} {
		r := httptest.NewRequest("PUT", "/b/k?tagging-ignored=1", nil)
		r.Header.Set("X-Test", c.test)
		r.Header.Set("X-Amz-Acl", "private")
		if c.copySource != "" {
			r.Header.Set("X-Amz-Copy-Source", c.copySource)
		}
		w := httptest.NewRecorder()
		ctx := identity.WithPrincipal(request.WithFacts(context.Background(), request.Facts{Region: "us-east-1"}), identity.AccountRoot("111122223333"))
		out := svc.Serve(ctx, w, r, r.Body, "rid", slog.New(slog.DiscardHandler))
		if w.Code != c.status {
			t.Errorf("%s: status %d", c.name, w.Code)
		}
		if out.Operation != c.op || out.Meta != data || out.ErrorCode != c.code || len(out.Resources) != c.resources ||
			out.S3 == nil || out.S3.Bucket != "b" || out.S3.Key != "k" || out.S3.Headers["x-amz-acl"] != "private" {
			t.Errorf("%s: outcome %+v (S3 %+v)", c.name, out, out.S3)
		}
	}
	r := httptest.NewRequest("GET", "/b/k", nil)
	if out := svc.Serve(context.Background(), httptest.NewRecorder(), r, r.Body, "rid", slog.New(slog.DiscardHandler)); out.Operation != "" {
		t.Errorf("an unrouted request has the outcome %+v", out)
	}
}
