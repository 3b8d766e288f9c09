package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestBuckets: who may create, find, list and delete buckets, and in which region.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
func TestBuckets(t *testing.T) {
	w := newWorld(t)
	root, stranger := w.Root(account), w.Root(other)
	alice := w.User(account, "alice", s3All)
	bob := w.User(account, "bob") // no policy
	anon := identity.Principal{Type: identity.Anonymous}
	ct := servicetest.Service("cloudtrail.amazonaws.com")
	create := func(name string) func(in *s3.CreateBucketInput) *s3.CreateBucketInput {
		return func(in *s3.CreateBucketInput) *s3.CreateBucketInput { in.Bucket = name; return in }
	}
	mk := func(name, constraint string) *s3.CreateBucketInput {
		return create(name)(&s3.CreateBucketInput{LocationConstraint: constraint})
	}
	head := func(name string) *s3.HeadBucketInput { return &s3.HeadBucketInput{Bucket: name} }
	w.Run(t, []servicetest.Step{
		{Name: "the root creates a bucket", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("logs", ""))},
		{Name: "again in us-east-1: 200", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("logs", ""))},
		{Name: "another account may not take the name", As: stranger, Do: servicetest.Op(w.S3.CreateBucket, mk("logs", "")), Want: "BucketAlreadyExists"},
		{Name: "alice, allowed s3:*, creates one in eu-west-1", As: alice, In: "eu-west-1", Do: servicetest.Op(w.S3.CreateBucket, mk("eu-logs", "eu-west-1"))},
		{Name: "again: already owned", As: alice, In: "eu-west-1", Do: servicetest.Op(w.S3.CreateBucket, mk("eu-logs", "eu-west-1")), Want: "BucketAlreadyOwnedByYou"},
		{Name: "EU is eu-west-1", As: root, In: "eu-west-1", Do: servicetest.Op(w.S3.CreateBucket, mk("eu-alias", "EU"))},
		{Name: "bob has no policy", As: bob, Do: servicetest.Op(w.S3.CreateBucket, mk("bobs", "")), Want: "AccessDenied"},
		{Name: "anonymous callers create nothing", As: anon, Do: servicetest.Op(w.S3.CreateBucket, mk("anon", "")), Want: "AccessDenied"},
		{Name: "nor do services", As: ct, Do: servicetest.Op(w.S3.CreateBucket, mk("svc", "")), Want: "AccessDenied"},
		{Name: "upper case is not a bucket name", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("Logs", "")), Want: "InvalidBucketName"},
		{Name: "an IP address is not either", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("192.168.5.4", "")), Want: "InvalidBucketName"},
		{Name: "reserved prefix", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("xn--logs", "")), Want: "InvalidBucketName"},
		{Name: "reserved suffix", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("logs-s3alias", "")), Want: "InvalidBucketName"},
		{Name: "us-east-1 is never a constraint", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("east", "us-east-1")), Want: "InvalidLocationConstraint"},
		{Name: "nor is a word", As: root, Do: servicetest.Op(w.S3.CreateBucket, mk("east", "moon")), Want: "InvalidLocationConstraint"},
		{Name: "no constraint at a regional endpoint", As: root, In: "eu-west-1", Do: servicetest.Op(w.S3.CreateBucket, mk("west", "")), Want: "IllegalLocationConstraintException"},
		{Name: "another region's constraint", As: root, In: "eu-west-1", Do: servicetest.Op(w.S3.CreateBucket, mk("west", "us-west-2")), Want: "IllegalLocationConstraintException"},
		{Name: "head: the owner", As: root, Do: servicetest.Op(w.S3.HeadBucket, head("logs"))},
		{Name: "head: bob may not list it", As: bob, Do: servicetest.Op(w.S3.HeadBucket, head("logs")), Want: "AccessDenied"},
		{Name: "head: another account", As: stranger, Do: servicetest.Op(w.S3.HeadBucket, head("logs")), Want: "AccessDenied"},
		{Name: "head: no such bucket", As: root, Do: servicetest.Op(w.S3.HeadBucket, head("nothing-here")), Want: "NoSuchBucket"},
		{Name: "head: a bad name is no bucket", As: root, Do: servicetest.Op(w.S3.HeadBucket, head("A")), Want: "NoSuchBucket"},
		{Name: "anonymous may not list", As: anon, Do: servicetest.Op(w.S3.ListBuckets, &s3.ListBucketsInput{}), Want: "AccessDenied"},
		{Name: "bob may not list", As: bob, Do: servicetest.Op(w.S3.ListBuckets, &s3.ListBucketsInput{}), Want: "AccessDenied"},
	})

	if r := servicetest.Call(w.As(root).In("eu-west-1"), w.S3.HeadBucket, head("eu-logs")).OK(); r.Region != "eu-west-1" {
		t.Errorf("HeadBucket region = %q", r.Region)
	}
	if l := servicetest.Call(w.As(root), w.S3.GetBucketLocation, &s3.GetBucketLocationInput{Bucket: "logs"}).OK(); l.LocationConstraint != "" {
		t.Errorf("us-east-1 location = %q; S3 answers none", l.LocationConstraint)
	}
	if l := servicetest.Call(w.As(root), w.S3.GetBucketLocation, &s3.GetBucketLocationInput{Bucket: "eu-alias"}).OK(); l.LocationConstraint != "eu-west-1" {
		t.Errorf("EU location = %q", l.LocationConstraint)
	}
	list := servicetest.Call(w.As(alice), w.S3.ListBuckets, &s3.ListBucketsInput{}).OK()
	var names []string
	for _, b := range list.Buckets {
		names = append(names, b.Name+"@"+b.Region)
	}
	if got := strings.Join(names, " "); list.Owner != account || got != "eu-alias@eu-west-1 eu-logs@eu-west-1 logs@us-east-1" {
		t.Errorf("ListBuckets = %s owned by %s", got, list.Owner)
	}
	if n := len(servicetest.Call(w.As(stranger), w.S3.ListBuckets, &s3.ListBucketsInput{}).OK().Buckets); n != 0 {
		t.Errorf("another account lists %d buckets", n)
	}
	if f, ok, err := w.S3.Facts(w.Ctx(root), "eu-logs"); err != nil || !ok || f.Owner != account || f.Region != "eu-west-1" || f.SSE != "AES256" {
		t.Errorf("Facts = %+v, %v, %v", f, ok, err)
	}
	if _, ok, _ := w.S3.Facts(w.Ctx(root), "Not-A-Bucket"); ok {
		t.Error("Facts of a bad name")
	}
	if region, ok := w.S3.BucketRegion(w.Ctx(root), "eu-logs"); !ok || region != "eu-west-1" {
		t.Errorf("BucketRegion = %q, %v", region, ok)
	}
	if !s3.ValidBucketName("logs") || s3.ValidBucketName("a..b") {
		t.Error("ValidBucketName")
	}

	servicetest.Call(w.As(root), w.S3.PutObject, put("logs", "a", "x")).OK()
	w.Run(t, []servicetest.Step{
		{Name: "a bucket with objects stays", As: root, Do: servicetest.Op(w.S3.DeleteBucket, &s3.DeleteBucketInput{Bucket: "logs"}), Want: "BucketNotEmpty"},
		{Name: "bob may not delete it", As: bob, Do: servicetest.Op(w.S3.DeleteBucket, &s3.DeleteBucketInput{Bucket: "logs"}), Want: "AccessDenied"},
		{Name: "emptied", As: root, Do: servicetest.Op(w.S3.DeleteObject, &s3.DeleteObjectInput{Bucket: "logs", Key: "a"})},
		{Name: "deleting a missing key succeeds", As: root, Do: servicetest.Op(w.S3.DeleteObject, &s3.DeleteObjectInput{Bucket: "logs", Key: "a"})},
		{Name: "then deleted", As: root, Do: servicetest.Op(w.S3.DeleteBucket, &s3.DeleteBucketInput{Bucket: "logs"})},
		{Name: "and gone", As: root, Do: servicetest.Op(w.S3.HeadBucket, head("logs")), Want: "NoSuchBucket"},
	})
}

// cloudTrailBucketPolicy is the bucket policy CloudTrail's documentation gives for a trail's
// bucket, with aws:SourceArn naming the trail:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
const cloudTrailBucketPolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl",
 "Resource":"arn:aws:s3:::trail-logs","Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}}},
{"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::trail-logs/AWSLogs/111122223333/*",
 "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}}}]}`

// TestCloudTrailBucketPolicy: the trail named in aws:SourceArn may check the bucket's ACL and
// write its log files with the bucket-owner-full-control ACL; another trail, another prefix or
// another ACL may not; the bucket's owner keeps managing the policy whatever it says.
func TestCloudTrailBucketPolicy(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "trail-logs")
	bob := w.User(account, "bob")
	servicetest.Call(w.As(root), w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "trail-logs", Policy: cloudTrailBucketPolicy}).OK()
	ct := servicetest.Service("cloudtrail.amazonaws.com")
	trail := authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}, "aws:SourceAccount": {account}}
	otherTrail := authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:111122223333:trail/other"}, "aws:SourceAccount": {account}}
	authorize := func(key, acl string) func(ctx context.Context) error {
		return func(ctx context.Context) error { return w.S3.AuthorizePutObject(ctx, "trail-logs", key, acl) }
	}
	acl := func(ctx context.Context) error { _, err := w.S3.GetBucketACL(ctx, "trail-logs"); return err }
	logFile := "AWSLogs/111122223333/CloudTrail/us-east-1/2026/12/02/file.json.gz"
	w.Run(t, []servicetest.Step{
		{Name: "the trail checks the ACL", As: ct, Keys: trail, Do: acl},
		{Name: "another trail may not", As: ct, Keys: otherTrail, Do: acl, Want: "AccessDenied"},
		{Name: "nor CloudTrail with no source", As: ct, Do: acl, Want: "AccessDenied"},
		{Name: "the trail may write its log files", As: ct, Keys: trail, Do: authorize(logFile, "bucket-owner-full-control")},
		{Name: "not without the ACL", As: ct, Keys: trail, Do: authorize(logFile, ""), Want: "AccessDenied"},
		{Name: "nor outside AWSLogs/<account>/", As: ct, Keys: trail, Do: authorize("elsewhere/file", "bucket-owner-full-control"), Want: "AccessDenied"},
		{Name: "nor as another trail", As: ct, Keys: otherTrail, Do: authorize(logFile, "bucket-owner-full-control"), Want: "AccessDenied"},
		{Name: "no such bucket", As: ct, Keys: trail, Do: func(ctx context.Context) error {
			return w.S3.AuthorizePutObject(ctx, "no-such-bucket", logFile, "")
		}, Want: "NoSuchBucket"},
		{Name: "the trail writes a log file", As: ct, Keys: trail, Do: servicetest.Op(w.S3.PutObject,
			put("trail-logs", logFile, "{}", func(in *s3.PutObjectInput) { in.ACL = "bucket-owner-full-control" }))},
		{Name: "CloudTrail may not read the policy", As: ct, Keys: trail, Do: servicetest.Op(w.S3.GetBucketPolicy, &s3.GetBucketPolicyInput{Bucket: "trail-logs"}), Want: "AccessDenied"},
		{Name: "bob may not either", As: bob, Do: servicetest.Op(w.S3.GetBucketPolicy, &s3.GetBucketPolicyInput{Bucket: "trail-logs"}), Want: "AccessDenied"},
	})
	if got := servicetest.Call(w.As(root), w.S3.GetBucketPolicy, &s3.GetBucketPolicyInput{Bucket: "trail-logs"}).OK().Policy; got != cloudTrailBucketPolicy {
		t.Errorf("the policy comes back as %s", got)
	}
	if owner, err := w.S3.GetBucketACL(w.Ctx(root), "trail-logs"); err != nil || owner != account {
		t.Errorf("GetBucketACL = %q, %v", owner, err)
	}

	// A policy that denies everyone everything still lets the owner's root manage the policy.
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"]}]}`
	servicetest.Call(w.As(root), w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "trail-logs", Policy: denyAll}).OK()
	servicetest.Call(w.As(root), w.S3.HeadBucket, &s3.HeadBucketInput{Bucket: "trail-logs"}).Want("AccessDenied")
	servicetest.Call(w.As(root), w.S3.DeleteBucketPolicy, &s3.DeleteBucketPolicyInput{Bucket: "trail-logs"}).OK()
	servicetest.Call(w.As(root), w.S3.GetBucketPolicy, &s3.GetBucketPolicyInput{Bucket: "trail-logs"}).Want("NoSuchBucketPolicy")
	servicetest.Call(w.As(root), w.S3.HeadBucket, &s3.HeadBucketInput{Bucket: "trail-logs"}).OK()
}

// TestBucketPolicyValidation: a bucket policy is checked as S3 checks it when it is written.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
func TestBucketPolicyValidation(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "logs")
	cases := []struct{ name, doc, want, says string }{
		{"not JSON", `{`, "MalformedPolicy", ""},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`, "MalformedPolicy", "Principal"},
		{"another bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, "MalformedPolicy", "Policy has invalid resource"},
		{"not an S3 action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"arn:aws:s3:::logs/*"}]}`, "MalformedPolicy", "invalid action"},
		{"too large", `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 21<<10) + `","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`, "MalformedPolicy", "20 KB"},
		{"this bucket's objects", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}]}`, "", ""},
	}
	for _, c := range cases {
		r := servicetest.Call(w.As(root), w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "logs", Policy: c.doc}).Want(c.want)
		if c.says != "" {
			r.WantMessage(c.says)
		}
	}
	servicetest.Call(w.As(root), w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "nothing", Policy: "{}"}).Want("NoSuchBucket")
}
