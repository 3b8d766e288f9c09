package request_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// The facts in a context are a copy: what the gateway does with its value afterwards, and what a
// reader does with the value it got, changes nothing for the others.
func TestFactsAreACopy(t *testing.T) {
	f := request.Facts{ID: "r1", Service: "kms", Region: "eu-west-1", SourceIP: "192.0.2.1"}
	ctx := request.WithFacts(context.Background(), f)
	f.Region = "us-east-1"
	got, ok := request.FactsOf(ctx)
	if !ok || got.Region != "eu-west-1" {
		t.Fatalf("FactsOf = %+v, %v; want the region the facts had when stored", got, ok)
	}
	got.SourceIP = "203.0.113.9"
	if again, _ := request.FactsOf(ctx); again.SourceIP != "192.0.2.1" {
		t.Fatalf("a reader changed the facts: %+v", again)
	}
	if _, ok := request.FactsOf(context.Background()); ok {
		t.Fatal("a context without facts has facts")
	}
}

// Each operation's resources land in its own collector: once each, in the order noted, and not
// in the collector of the request that made an in-process call.
func TestCollectAndNote(t *testing.T) {
	key := request.Resource{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:111122223333:key/k", Account: "111122223333"}
	bucket := request.Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::b", Account: "111122223333"}
	object := request.Resource{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::b/o"}

	request.Note(context.Background(), key) // no collector: kept nowhere, no panic

	ctx, outer := request.Collect(context.Background())
	if outer.List() != nil {
		t.Fatalf("a new collector lists %v", outer.List())
	}
	request.Note(ctx, object, bucket)
	inner, nested := request.Collect(ctx)
	request.Note(inner, key)
	request.Note(ctx, bucket, object)

	if diff := cmp.Diff([]request.Resource{object, bucket}, outer.List()); diff != "" {
		t.Errorf("outer (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]request.Resource{key}, nested.List()); diff != "" {
		t.Errorf("nested (-want +got):\n%s", diff)
	}
	var none *request.Resources
	if none.List() != nil {
		t.Error("a nil collector lists resources")
	}
}

// Begin reads the caller and the region: an in-process call's InRegion, else the request's,
// else the service's default.
func TestBegin(t *testing.T) {
	alice := identity.Principal{Type: identity.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice"}
	signed := request.WithFacts(identity.WithPrincipal(context.Background(), alice), request.Facts{Region: "eu-west-1"})
	for _, c := range []struct {
		name   string
		ctx    context.Context
		region string
		ok     bool
	}{
		{"no caller", context.Background(), "us-east-2", false},
		{"no facts: the default region", identity.WithPrincipal(context.Background(), alice), "us-east-2", true},
		{"facts without a region", request.WithFacts(identity.WithPrincipal(context.Background(), alice), request.Facts{}), "us-east-2", true},
		{"the request's region", signed, "eu-west-1", true},
		{"InRegion wins", request.InRegion(signed, "ap-south-1"), "ap-south-1", true},
	} {
		call, ok := request.Begin(c.ctx, "us-east-2")
		if call.Region != c.region || ok != c.ok || (ok && call.P.ARN != alice.ARN) || call.Ctx != c.ctx {
			t.Errorf("%s: Begin = %v, %q, %v; want %q, %v", c.name, call.P.ARN, call.Region, ok, c.region, c.ok)
		}
	}
}

// An in-process call is a request of its own: a fresh ID, made from the calling service at the
// given time, in the parent's region (or the InRegion one) and delivery, with a collector of its
// own.
func TestInProcess(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.FixedZone("x", 3600))
	trail := identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"}
	root := identity.AccountRoot("111122223333")
	delivery := request.Facts{ID: "parent", Service: "cloudtrail", Region: "eu-west-1", SourceIP: "192.0.2.1", Secure: true, Delivery: true}
	ctx, parentRes := request.Collect(request.WithFacts(identity.WithPrincipal(context.Background(), trail), delivery))

	inner, f, res := request.InProcess(ctx, "kms", at, nil)
	want := request.Facts{ID: f.ID, Service: "kms", Region: "eu-west-1", SourceIP: "cloudtrail.amazonaws.com",
		UserAgent: "cloudtrail.amazonaws.com", Time: at.UTC(), InvokedBy: "cloudtrail.amazonaws.com", Delivery: true, Outer: "parent"}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("InProcess (-want +got):\n%s", diff)
	}
	if got, _ := request.FactsOf(inner); got != f {
		t.Errorf("the call's context carries %+v, want its facts", got)
	}
	if f.ID == delivery.ID || !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(f.ID) {
		t.Errorf("InProcess ID = %q, want a fresh random UUID", f.ID)
	}
	request.Note(inner, request.Resource{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:eu-west-1:111122223333:key/k"})
	if len(res.List()) != 1 || parentRes.List() != nil {
		t.Errorf("resources: the call's %v, the parent's %v", res.List(), parentRes.List())
	}
	// A call nested in an in-process call belongs to the same client request.
	if _, nested, _ := request.InProcess(inner, "s3", at, nil); nested.Outer != "parent" || nested.ID == f.ID {
		t.Errorf("nested call: %+v, want Outer parent and an ID of its own", nested)
	}

	for _, c := range []struct {
		name              string
		ctx               context.Context
		invokedBy, region string
	}{
		{"a user's S3 request, in the bucket's region", request.InRegion(request.WithFacts(identity.WithPrincipal(context.Background(), root),
			request.Facts{Service: "s3", Region: "us-east-1"}), "us-west-2"), "s3.amazonaws.com", "us-west-2"},
		{"nested in an in-process call: the caller's service", request.WithFacts(identity.WithPrincipal(context.Background(), trail),
			request.Facts{Service: "s3", Region: "us-east-1", InvokedBy: "cloudtrail.amazonaws.com"}), "cloudtrail.amazonaws.com", "us-east-1"},
		{"outside any request", identity.WithPrincipal(context.Background(), trail), "cloudtrail.amazonaws.com", ""},
	} {
		if _, f, _ := request.InProcess(c.ctx, "kms", at, nil); f.InvokedBy != c.invokedBy || f.SourceIP != c.invokedBy || f.Region != c.region || f.Delivery {
			t.Errorf("%s: %+v", c.name, f)
		}
	}
}

func TestOutcomeFail(t *testing.T) {
	var o request.Outcome
	o.Fail("AccessDeniedException", "denied")
	if o.ErrorCode != "AccessDeniedException" || o.ErrorMessage != "denied" {
		t.Fatalf("Fail: %+v", o)
	}
}

// An operation's context is its parent's in every other respect: values, cancellation.
func TestCollectKeepsTheParent(t *testing.T) {
	parent, cancel := context.WithCancel(request.WithFacts(context.Background(), request.Facts{ID: "r1"}))
	ctx, _ := request.Collect(parent)
	if f, ok := request.FactsOf(ctx); !ok || f.ID != "r1" {
		t.Fatalf("the operation's context lost the facts: %+v", f)
	}
	cancel()
	select {
	case <-ctx.Done():
	default:
		t.Fatal("cancelling the request did not cancel the operation")
	}
	if ctx.Err() != context.Canceled {
		t.Fatalf("Err = %v", ctx.Err())
	}
}

// NewID reads its UUID from the reader it is given (version 4, RFC 4122 variant), and from
// crypto/rand when given none.
func TestNewIDFromReader(t *testing.T) {
	src := bytes.NewReader(bytes.Repeat([]byte{0xff}, 16))
	if got, want := request.NewID(src), "ffffffff-ffff-4fff-bfff-ffffffffffff"; got != want {
		t.Fatalf("NewID = %s; want %s", got, want)
	}
	if a, b := request.NewID(nil), request.NewID(nil); a == b || len(a) != 36 || a[14] != '4' {
		t.Fatalf("NewID(nil) = %s, %s; want two different version-4 UUIDs", a, b)
	}
}
