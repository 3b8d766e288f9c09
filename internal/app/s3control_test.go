package app_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/smithy-go"
)

// accountHosts sends <account ID>.<host>:<port> requests, as S3 Control clients address them
// with a custom endpoint, to 127.0.0.1:<port>, keeping the Host.
type accountHosts struct{}

func (accountHosts) Do(r *http.Request) (*http.Response, error) {
	r.Host = r.URL.Host // the signed Host header
	r.URL.Host = "127.0.0.1" + r.URL.Host[strings.LastIndex(r.URL.Host, ":"):]
	return http.DefaultTransport.RoundTrip(r)
}

func (e *env) s3control(akid, secret string) *s3control.Client {
	return s3control.New(s3control.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, ""),
		RetryMaxAttempts: 1, HTTPClient: e.httpClient(accountHosts{})})
}

func tagMap[T any](tags []T, kv func(T) (string, string)) map[string]string {
	out := map[string]string{}
	for _, t := range tags {
		k, v := kv(t)
		out[k] = v
	}
	return out
}

func controlTags(tags []s3ctypes.Tag) map[string]string {
	return tagMap(tags, func(t s3ctypes.Tag) (string, string) { return aws.ToString(t.Key), aws.ToString(t.Value) })
}

// S3 Control's resource tagging of a bucket, at <account>.<endpoint>/v20180820/tags/<bucket
// ARN>: the same tag set as Get/PutBucketTagging, authorized as s3:ListTagsForResource,
// s3:TagResource and s3:UntagResource, errors in S3 Control's ErrorResponse form, and each call
// recorded.
func TestS3ControlBucketTags(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	b := e.s3client(account, rootSecret, "us-east-1", true)
	must(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tagged")}))(t)
	c := e.s3control(account, rootSecret)
	arn := aws.String("arn:aws:s3:::tagged")
	list := func() map[string]string {
		t.Helper()
		return controlTags(must(c.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(account), ResourceArn: arn}))(t).Tags)
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("tags of a new bucket = %v", got)
	}
	must(c.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: arn,
		Tags: []s3ctypes.Tag{{Key: aws.String("team"), Value: aws.String("audit")}, {Key: aws.String("env"), Value: aws.String("test")}}}))(t)
	must(c.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: arn,
		Tags: []s3ctypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	if got := list(); len(got) != 2 || got["team"] != "audit" || got["env"] != "prod" {
		t.Fatalf("tags after TagResource = %v", got)
	}
	got := must(b.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("tagged")}))(t).TagSet
	if m := tagMap(got, func(t s3types.Tag) (string, string) { return aws.ToString(t.Key), aws.ToString(t.Value) }); len(m) != 2 || m["env"] != "prod" {
		t.Fatalf("GetBucketTagging = %v", m)
	}
	must(c.UntagResource(ctx, &s3control.UntagResourceInput{AccountId: aws.String(account), ResourceArn: arn, TagKeys: []string{"team", "absent"}}))(t)
	if got := list(); len(got) != 1 || got["env"] != "prod" {
		t.Fatalf("tags after UntagResource = %v", got)
	}
	must(b.DeleteBucketTagging(ctx, &s3.DeleteBucketTaggingInput{Bucket: aws.String("tagged")}))(t)
	if got := list(); len(got) != 0 {
		t.Fatalf("tags after DeleteBucketTagging = %v", got)
	}

	const other = "444455556666"
	reader, secret := e.user(t, account, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketTagging","Resource":"*"}]}`)
	for _, tc := range []struct {
		name, code string
		c          *s3control.Client
		account    string
		arn        string
	}{
		{"a bucket that does not exist", "NoSuchBucket", c, account, "arn:aws:s3:::absent"},
		{"not a bucket", "InvalidRequest", c, account, "arn:aws:s3:us-east-1:" + account + ":accesspoint/ap"},
		{"another account named as the owner", "AccessDenied", c, other, "arn:aws:s3:::tagged"},
		{"another account's root", "AccessDenied", e.s3control(other, rootSecret), other, "arn:aws:s3:::tagged"},
		{"a user allowed GetBucketTagging only", "AccessDenied", e.s3control(reader, secret), account, "arn:aws:s3:::tagged"},
	} {
		_, err := tc.c.ListTagsForResource(ctx, &s3control.ListTagsForResourceInput{AccountId: aws.String(tc.account), ResourceArn: aws.String(tc.arn)})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
			t.Errorf("%s: %v; want %s", tc.name, err, tc.code)
		}
	}
	_, err := c.TagResource(ctx, &s3control.TagResourceInput{AccountId: aws.String(account), ResourceArn: arn,
		Tags: []s3ctypes.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("x")}}})
	if ae := (smithy.APIError)(nil); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidTag" {
		t.Errorf("an aws: tag key: %v; want InvalidTag", err)
	}

	recs := lookup(t, e.cloudtrail(account, rootSecret, "us-east-1"), cttypes.LookupAttributeKeyEventName, "TagResource")
	if len(recs) != 3 || recs[0]["eventSource"] != "s3.amazonaws.com" || recs[0]["errorCode"] != "InvalidTag" || recs[1]["errorCode"] != nil {
		t.Fatalf("TagResource records = %v", recs)
	}
	if res, _ := recs[1]["resources"].([]any); !slices.ContainsFunc(res, func(r any) bool { return r.(record)["ARN"] == "arn:aws:s3:::tagged" }) {
		t.Fatalf("TagResource record = %v", recs[1])
	}
}
