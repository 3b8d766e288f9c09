package restxml

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// A request signed for another region than its bucket's gets S3's answer, naming the bucket's
// region, before its operation runs; the operations S3 answers in every region, unsigned
// requests and buckets that do not exist run as usual.
func TestWrongRegion(t *testing.T) {
	ran := func(name string, fail bool) Operation {
		return Operation{Name: name, Handler: func(_ context.Context, w http.ResponseWriter, _ *http.Request, _ Target, _ io.Reader) error {
			if fail {
				return awserr.New(awserr.AccessDenied, "Access Denied")
			}
			w.WriteHeader(299) // the operation ran
			return nil
		}}
	}
	svc := &Service{
		Operations: map[Route]Operation{
			{"GET", ObjectLevel, ""}:          ran("GetObject", false),
			{"HEAD", BucketLevel, ""}:         ran("HeadBucket", false),
			{"PUT", BucketLevel, ""}:          ran("CreateBucket", false),
			{"GET", BucketLevel, "location"}:  ran("GetBucketLocation", false),
			{"DELETE", BucketLevel, "policy"}: ran("DeleteBucketPolicy", true),
		},
		BucketRegion: func(_ context.Context, b string) (string, bool) { return "us-west-2", b == "west" },
	}
	signed := identity.Principal{Type: identity.Root, Account: "111122223333"}
	anonymous := identity.Principal{Type: identity.Anonymous}
	cases := []struct {
		name, method, target string
		p                    identity.Principal
		region               string
		status               int
		code, message        string
	}{
		{"header-signed", "GET", "/west/k", signed, "us-east-1", 400, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region &#39;us-east-1&#39; is wrong; expecting &#39;us-west-2&#39;"},
		{"presigned", "GET", "/west/k?X-Amz-Credential=111122223333%2F20260101%2Fus-east-1%2Fs3%2Faws4_request", signed, "us-east-1", 400,
			"AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; the region &#39;us-east-1&#39; is wrong; expecting &#39;us-west-2&#39;"},
		{"HeadBucket", "HEAD", "/west", signed, "eu-west-1", 301, "", ""},
		{"right region", "GET", "/west/k", signed, "us-west-2", 299, "", ""},
		{"CreateBucket", "PUT", "/west", signed, "us-east-1", 299, "", ""},
		{"GetBucketLocation", "GET", "/west?location", signed, "us-east-1", 299, "", ""},
		{"unsigned", "GET", "/west/k", anonymous, "us-east-1", 299, "", ""},
		{"no such bucket", "GET", "/east/k", signed, "us-west-2", 299, "", ""},
		{"refused in the right region", "DELETE", "/west?policy", signed, "us-west-2", 403, "AccessDenied", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(c.method, c.target, nil)
			ctx := identity.WithPrincipal(request.WithFacts(context.Background(), request.Facts{Region: c.region}), c.p)
			w := httptest.NewRecorder()
			svc.Serve(ctx, w, r, r.Body, "req-1", slog.New(slog.DiscardHandler))
			body := w.Body.String()
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, body)
			}
			wantHeader := c.status == 400 || c.status == 301
			if got := w.Header().Get("X-Amz-Bucket-Region"); (got == "us-west-2") != wantHeader {
				t.Fatalf("x-amz-bucket-region %q", got)
			}
			if c.code != "" && !strings.Contains(body, "<Code>"+c.code+"</Code>") || !strings.Contains(body, c.message) {
				t.Fatalf("body %s, want %s: %s", body, c.code, c.message)
			}
			if wantHeader && c.status == 400 && !strings.Contains(body, "<Region>us-west-2</Region>") {
				t.Fatalf("body %s has no <Region>", body)
			}
		})
	}
}

// A refused HeadBucket of an existing bucket names its region, for clients that ask unsigned.
func TestRefusedHeadBucketNamesRegion(t *testing.T) {
	svc := &Service{
		Operations: map[Route]Operation{{"HEAD", BucketLevel, ""}: {Name: "HeadBucket", Handler: func(context.Context, http.ResponseWriter, *http.Request, Target, io.Reader) error {
			return awserr.New(awserr.AccessDenied, "Access Denied")
		}}},
		BucketRegion: func(_ context.Context, b string) (string, bool) { return "us-west-2", b == "west" },
	}
	for bucket, want := range map[string]string{"west": "us-west-2", "east": ""} {
		r := httptest.NewRequest("HEAD", "/"+bucket, nil)
		ctx := identity.WithPrincipal(request.WithFacts(context.Background(), request.Facts{Region: "us-east-1"}), identity.Principal{Type: identity.Anonymous})
		w := httptest.NewRecorder()
		svc.Serve(ctx, w, r, r.Body, "req-1", slog.New(slog.DiscardHandler))
		if w.Code != 403 || w.Header().Get("X-Amz-Bucket-Region") != want {
			t.Fatalf("HeadBucket %s: %d, x-amz-bucket-region %q", bucket, w.Code, w.Header().Get("X-Amz-Bucket-Region"))
		}
	}
}
