package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/servicetest"
)

type recordedCall struct {
	f request.Facts
	o request.Outcome
	p identity.Principal
}

type memRecorder struct{ calls []recordedCall }

func (m *memRecorder) Record(f *request.Facts, o *request.Outcome, p identity.Principal) error {
	m.calls = append(m.calls, recordedCall{*f, *o, p})
	return nil
}

// The KMS calls S3 and CloudTrail make in-process are each recorded as a KMS event of their own:
// invoked by and from the calling service, in the key's region, with the parent's delivery flag,
// the call's own resources and error; the calling request's resources stay its own.
func TestInProcessKMSCallsAreRecorded(t *testing.T) {
	w := servicetest.New(t)
	svc := kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Principals: w.IAM,
		Region: "us-east-1", Now: w.Clock.Now, Rand: w.Rand})
	root := w.Root(servicetest.Account)
	created, err := svc.CreateKey(w.As(root).In("eu-west-1").Context(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyARN := created.KeyMetadata.Arn
	rec := &memRecorder{}
	keys := newKeys(&inProcess{recorder: rec, now: w.Clock.Now, log: slog.New(slog.DiscardHandler)}, svc, "")
	key := []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: servicetest.Account}}

	// S3 serving the root's PutObject in us-east-1 to a bucket of eu-west-1.
	s3ctx, s3res := request.Collect(request.WithFacts(identity.WithPrincipal(context.Background(), root),
		request.Facts{ID: "s3-request", Service: "s3", Region: "us-east-1", SourceIP: "192.0.2.1"}))
	in := &kms.GenerateDataKeyInput{}
	in.KeyID, in.KeySpec = keyARN, "AES_256"
	if _, err := keys.GenerateDataKey(request.InRegion(s3ctx, "eu-west-1"), in); err != nil {
		t.Fatal(err)
	}
	if _, err := keys.Decrypt(request.InRegion(s3ctx, "eu-west-1"), &kms.DecryptInput{CiphertextBlob: []byte("not a blob")}); err == nil {
		t.Fatal("Decrypt of a bad blob succeeded")
	}
	// CloudTrail delivering a trail of us-west-2 to a bucket of eu-west-1, as
	// cloudtrail.amazonaws.com, which the default key policy does not allow.
	ctctx := request.WithFacts(identity.WithPrincipal(context.Background(), servicetest.Service("cloudtrail.amazonaws.com")),
		request.Facts{ID: "delivery", Service: "cloudtrail", Region: "us-west-2", Delivery: true})
	if _, err := keys.GenerateDataKey(request.InRegion(ctctx, "eu-west-1"), in); err == nil {
		t.Fatal("CloudTrail's GenerateDataKey was allowed by the default key policy")
	}
	// A key that does not exist, outside any request: KMS's default region.
	if _, err := keys.DescribeKey(identity.WithPrincipal(context.Background(), root), &kms.DescribeKeyInput{KeyID: "alias/none"}); err == nil {
		t.Fatal("DescribeKey of a missing alias succeeded")
	}

	if len(rec.calls) != 4 {
		t.Fatalf("%d calls recorded, want 4: %+v", len(rec.calls), rec.calls)
	}
	for i, c := range []struct {
		op, invokedBy, region, code string
		delivery                    bool
		resources                   []request.Resource
	}{
		{"GenerateDataKey", "s3.amazonaws.com", "eu-west-1", "", false, key},
		{"Decrypt", "s3.amazonaws.com", "eu-west-1", "InvalidCiphertextException", false, nil},
		{"GenerateDataKey", "cloudtrail.amazonaws.com", "eu-west-1", "AccessDeniedException", true, key},
		{"DescribeKey", "", "us-east-1", "NotFoundException", false, nil},
	} {
		got := rec.calls[i]
		f, o := got.f, got.o
		if f.Service != "kms" || f.InvokedBy != c.invokedBy || f.SourceIP != c.invokedBy || f.UserAgent != c.invokedBy ||
			f.Region != c.region || f.Delivery != c.delivery || f.ID == "" || f.ID == "s3-request" || f.Time != w.Clock.Now().UTC() {
			t.Errorf("%d %s: facts %+v", i, c.op, f)
		}
		if o.Operation != c.op || !o.Meta.ReadOnly || o.Meta.Data || o.ErrorCode != c.code || len(o.Resources) != len(c.resources) ||
			(len(c.resources) > 0 && o.Resources[0] != c.resources[0]) {
			t.Errorf("%d %s: outcome %+v", i, c.op, o)
		}
		var params map[string]any
		if err := json.Unmarshal(o.Params, &params); err != nil {
			t.Errorf("%d %s: params %s: %v", i, c.op, o.Params, err)
		}
	}
	if rec.calls[0].p.ARN != root.ARN || rec.calls[2].p.Service != "cloudtrail.amazonaws.com" {
		t.Errorf("callers %+v, %+v", rec.calls[0].p, rec.calls[2].p)
	}
	if s3res.List() != nil {
		t.Errorf("the S3 request took the KMS call's resources: %v", s3res.List())
	}
}

// CloudTrail's calls to S3 are not recorded, and the resources they act on are not the calling
// request's.
func TestScopeKeepsResourcesApart(t *testing.T) {
	ctx, parent := request.Collect(context.Background())
	request.Note(scope(ctx), request.Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::b"})
	if parent.List() != nil {
		t.Fatalf("the calling request took the in-process call's resources: %v", parent.List())
	}
}
