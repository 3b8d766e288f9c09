package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/app"
)

// Digests come every --digest-interval without a flush; a digest that cannot be written shows
// in LatestDigestDeliveryError until one can.
func TestDigestIntervalAndErrors(t *testing.T) {
	e := startWith(t, t.TempDir(), func(c *app.Config) {
		c.DeliveryInterval, c.DigestInterval = 100*time.Millisecond, time.Second
	})
	ctx := context.Background()
	s3c := e.trailBucket(t)
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), EnableLogFileValidation: aws.Bool(true)}))(t)
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}))(t)
	digests := func() int {
		out := must(s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("AWSLogs/" + account + "/CloudTrail-Digest/")}))(t)
		return len(out.Contents)
	}
	for deadline := time.Now().Add(15 * time.Second); digests() < 2 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if n := digests(); n < 2 {
		t.Fatalf("%d digests after the interval passed twice", n)
	}
	must(s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
	var st *cloudtrail.GetTrailStatusOutput
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		st = must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
		if aws.ToString(st.LatestDigestDeliveryError) != "" {
			break
		}
	}
	if aws.ToString(st.LatestDigestDeliveryError) != "AccessDenied" {
		t.Fatalf("LatestDigestDeliveryError = %q", aws.ToString(st.LatestDigestDeliveryError))
	}
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	if sum := e.flush(); sum.DigestFiles != 1 {
		t.Fatalf("flush after the repair = %+v", sum)
	}
	st = must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
	if st.LatestDigestDeliveryError != nil || st.LatestDigestDeliveryTime == nil {
		t.Fatalf("status after the repair: %v %v", st.LatestDigestDeliveryError, st.LatestDigestDeliveryTime)
	}
}
