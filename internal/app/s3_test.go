package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	s3svc "github.com/keytrail/keytrail/internal/s3"
)

// s3client is an S3 client signing for region; pathStyle picks path-style addressing, otherwise
// buckets are addressed as <bucket>.s3.localhost on the test server.
func (e *env) s3client(akid, secret, region string, pathStyle bool) *s3.Client {
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, ""),
		UsePathStyle: pathStyle, RetryMaxAttempts: 1, HTTPClient: virtualHosts{}})
}

// virtualHosts sends <bucket>.s3.localhost:<port> requests to 127.0.0.1:<port>, keeping the Host.
type virtualHosts struct{}

func (virtualHosts) Do(r *http.Request) (*http.Response, error) {
	if host := r.URL.Host; strings.Contains(host, ".s3.localhost") {
		r.Host = host // the signed Host header
		r.URL.Host = "127.0.0.1" + host[strings.LastIndex(host, ":"):]
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestS3Buckets(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	for _, style := range []struct {
		name string
		path bool
	}{{"path-style", true}, {"virtual-hosted-style", false}} {
		t.Run(style.name, func(t *testing.T) {
			if !style.path {
				e.url = strings.Replace(e.url, "127.0.0.1", "s3.localhost", 1)
				defer func() { e.url = strings.Replace(e.url, "s3.localhost", "127.0.0.1", 1) }()
			}
			c := e.s3client(account, rootSecret, "us-east-1", style.path)
			name := "trail-logs-" + strings.ReplaceAll(style.name, "-style", "")
			must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))(t)
			must(c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}))(t)
			if loc := must(c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(name)}))(t).LocationConstraint; loc != "" {
				t.Fatalf("us-east-1 location = %q", loc)
			}
			// us-east-1 answers 200 when the owner creates its bucket again.
			must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))(t)
			_, err := e.s3client(other, rootSecret, "us-east-1", style.path).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
			wantCode(t, err, "BucketAlreadyExists")
			acl := must(c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(name)}))(t)
			if aws.ToString(acl.Owner.ID) != s3svc.CanonicalUserID(account) || len(acl.Grants) != 1 || acl.Grants[0].Permission != s3types.PermissionFullControl {
				t.Fatalf("ACL = %+v", acl)
			}
			must(c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}))(t)
			_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
			if err == nil || !strings.Contains(err.Error(), "404") {
				t.Fatalf("HeadBucket of a deleted bucket: %v", err)
			}
		})
	}

	c := e.s3client(account, rootSecret, "us-east-1", true)
	west := e.s3client(account, rootSecret, "eu-west-1", true)
	_, err := west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("no-constraint")})
	wantCode(t, err, "IllegalLocationConstraintException")
	must(west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-logs"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}}))(t)
	if loc := must(c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("west-logs")}))(t).LocationConstraint; loc != s3types.BucketLocationConstraintEuWest1 {
		t.Fatalf("location = %q", loc)
	}
	_, err = west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("west-logs"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest1}})
	wantCode(t, err, "BucketAlreadyOwnedByYou")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	wantCode(t, err, "InvalidBucketName")
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("192.168.5.4")})
	wantCode(t, err, "InvalidBucketName")
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("east-logs")}))(t)
	list := must(c.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	if len(list.Buckets) != 2 || aws.ToString(list.Buckets[0].Name) != "east-logs" || aws.ToString(list.Owner.ID) != s3svc.CanonicalUserID(account) {
		t.Fatalf("ListBuckets = %+v", list.Buckets)
	}
	if n := len(must(e.s3client(other, rootSecret, "us-east-1", true).ListBuckets(ctx, &s3.ListBucketsInput{}))(t).Buckets); n != 0 {
		t.Fatalf("another account sees %d buckets", n)
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("nope-nope")})
	wantCode(t, err, "NoSuchBucket")
}

// The CloudTrail bucket policy of C.4, pasted verbatim with its placeholders filled in, admits
// cloudtrail.amazonaws.com for its trail with bucket-owner-full-control, and only then.
const cloudTrailBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs",
  "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/AWSLogs/111122223333/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control",
                               "aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}}}]}`

func TestS3BucketPolicies(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)
	_, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "NoSuchBucketPolicy")
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	wantMessage(t, err, "MalformedPolicy", "missing required element Principal")
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`)})
	wantMessage(t, err, "MalformedPolicy", "Policy has invalid resource")
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	if got := aws.ToString(must(c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t).Policy); got != cloudTrailBucketPolicy {
		t.Fatalf("policy = %s", got)
	}

	// CloudTrail's ACL check, through the service as cloudtrail.amazonaws.com.
	service := identity.WithPrincipal(ctx, identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"})
	trail := authz.WithKeys(service, authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"}})
	if owner, err := e.app.S3.GetBucketACL(trail, "trail-logs"); err != nil || owner != account {
		t.Fatalf("CloudTrail's GetBucketAcl: %v", err)
	}
	otherTrail := authz.WithKeys(service, authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:" + account + ":trail/other"}})
	if _, err := e.app.S3.GetBucketACL(otherTrail, "trail-logs"); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("another trail's GetBucketAcl: %v", err)
	}
	if _, err := e.app.S3.GetBucketPolicy(trail, "trail-logs"); err == nil {
		t.Fatal("the policy grants CloudTrail nothing else")
	}

	// Another account, and an anonymous caller, are refused; the owner's root can always manage
	// the policy, even one that denies everyone.
	_, err = e.s3client(other, rootSecret, "us-east-1", true).GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "AccessDenied")
	anon := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), UsePathStyle: true, RetryMaxAttempts: 1, Credentials: aws.AnonymousCredentials{}})
	_, err = anon.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs")})
	wantCode(t, err, "AccessDenied")
	denyAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::trail-logs","arn:aws:s3:::trail-logs/*"]}]}`
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(denyAll)}))(t)
	_, err = c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("trail-logs")})
	wantMessage(t, err, "AccessDenied", "with an explicit deny in a resource-based policy")
	must(c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
	must(c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("trail-logs")}))(t)
}
