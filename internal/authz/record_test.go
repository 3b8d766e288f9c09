package authz_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/policy"
)

// denials keeps what the engine hands it.
type denials struct{ got []authz.Decision }

func (d *denials) RecordDenial(_ context.Context, _ authz.Request, dec authz.Decision) {
	d.got = append(d.got, dec)
}

// Require and Refuse hand each denial they answer with to the engine's recorder, and only
// denials; S3's words quote the resource and tell anonymous callers and services nothing more.
func TestDenialsRecordedAndWorded(t *testing.T) {
	e := authz.New(authz.Config{})
	rec := &denials{}
	ctx := authz.WithKeys(context.Background(), authz.Map{"aws:SourceAccount": {"111111111111"}})
	if got := authz.KeysOf(ctx); len(got["aws:SourceAccount"]) != 1 {
		t.Fatalf("KeysOf = %v", got)
	}
	req := authz.Request{Principal: bob, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "111111111111"}
	err := authz.Require(ctx, e, req, awserr.AccessDenied) // no recorder yet: nothing to hand to
	if !awserr.HasCode(err, awserr.AccessDenied) ||
		err.Error() != `AccessDenied: User: arn:aws:iam::111111111111:user/Bob is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::b/k" because no identity-based policy allows the s3:GetObject action` {
		t.Fatalf("err = %v", err)
	}
	e.SetDenials(rec)
	_ = authz.Require(ctx, e, req, awserr.AccessDenied)
	root := req
	root.Principal.Type, root.Principal.ARN = "Root", "arn:aws:iam::111111111111:root"
	if err := authz.Require(ctx, e, root, awserr.AccessDenied); err != nil {
		t.Fatalf("the root: %v", err)
	}
	err = authz.Refuse(ctx, e, req, awserr.AccessDenied, "a rule", "Refused.")
	if len(rec.got) != 2 || rec.got[0].Allowed || rec.got[1].Refusal == nil || rec.got[1].Refusal.Rule != "a rule" || err.Error() != "AccessDenied: Refused." {
		t.Fatalf("recorded %+v, err %v", rec.got, err)
	}
	authz.Record(ctx, e, req, authz.Decision{Allowed: true})
	if len(rec.got) != 2 {
		t.Fatal("an allowed decision was recorded")
	}
	for _, p := range []authz.Request{{Principal: anonymous, Action: "s3:GetObject"}, {Principal: cloudtrail, Action: "s3:PutObject"}} {
		if got := authz.Message(p, authz.Decision{}); got != "Access Denied" {
			t.Errorf("%s: %s", p.Principal.Type, got)
		}
	}
	kms := authz.Request{Principal: bob, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111111111111:key/k"}
	if got := authz.Message(kms, authz.Decision{Explicit: true, PolicyType: authz.IdentityBased, Matched: []authz.Matched{{Policy: "user Bob inline policy P", Effect: policy.Deny}}}); got !=
		"User: arn:aws:iam::111111111111:user/Bob is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:111111111111:key/k with an explicit deny in an identity-based policy" {
		t.Errorf("an inline policy's deny: %s", got)
	}
}
