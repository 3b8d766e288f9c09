package app_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/app"
)

// Digests come every --digest-interval without a flush; a digest that cannot be written shows
// in LatestDigestDeliveryError until one can. The intervals pass on synctest's clock.
func TestDigestIntervalAndErrors(t *testing.T) {
	const deliveryInterval, digestInterval = 100 * time.Millisecond, time.Second
	synctest.Test(t, func(t *testing.T) {
		e := startInBubble(t, t.TempDir(), func(c *app.Config) {
			c.DeliveryInterval, c.DigestInterval = deliveryInterval, digestInterval
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
		status := func() *cloudtrail.GetTrailStatusOutput {
			return must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
		}
		// Sleeping moves the bubble's clock on, the delivery ticker firing on the way; Wait
		// lets the delivery the last tick started finish.
		time.Sleep(digestInterval - deliveryInterval)
		synctest.Wait()
		if n := digests(); n != 0 {
			t.Fatalf("%d digests before the interval passed", n)
		}
		time.Sleep(digestInterval + deliveryInterval)
		synctest.Wait()
		if n := digests(); n != 2 {
			t.Fatalf("%d digests after the interval passed twice", n)
		}
		must(s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
		time.Sleep(digestInterval)
		synctest.Wait()
		if st := status(); aws.ToString(st.LatestDigestDeliveryError) != "AccessDenied" {
			t.Fatalf("LatestDigestDeliveryError = %q", aws.ToString(st.LatestDigestDeliveryError))
		}
		must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
		if sum := e.flush(); sum.DigestFiles != 1 {
			t.Fatalf("flush after the repair = %+v", sum)
		}
		if st := status(); st.LatestDigestDeliveryError != nil || st.LatestDigestDeliveryTime == nil {
			t.Fatalf("status after the repair: %v %v", st.LatestDigestDeliveryError, st.LatestDigestDeliveryTime)
		}
	})
}
