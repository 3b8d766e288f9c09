package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func (e *env) cloudtrail(akid, secret, region string) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{Region: region, BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, ""), RetryMaxAttempts: 1,
		HTTPClient: e.httpClient(readWholeBody{awshttp.NewBuildableClient()})})
}

// readWholeBody reads each response before the SDK deserializes it. With aws-sdk-go-v2 1.47.7
// under Go 1.26 the SDK's own client now and then fails reading a large JSON response ("use of
// closed network connection"), against any server: a static httptest.Server answering an 85 KB
// LookupEvents body reproduces it within a few hundred calls, and reading the body first does not.
type readWholeBody struct{ c aws.HTTPClient }

func (r readWholeBody) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// The seed's three required statements for a trail key (create-kms-key-policy-for-cloudtrail):
// encrypt with aws:SourceArn and the StringLike context condition, decrypt for the account's
// principals with Null, and DescribeKey.
func trailKeyPolicy(account, trailARN string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"},
 {"Sid":"Allow principals in the account to decrypt log files","Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt","kms:ReEncryptFrom"],"Resource":"*",
  "Condition":{"StringEquals":{"kms:CallerAccount":"` + account + `"},"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}]}`
}

// CreateTrail and UpdateTrail check the bucket policy and the key policy as CloudTrail does,
// through S3 and KMS as cloudtrail.amazonaws.com.
func TestCloudTrailTrailChecks(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)

	// No bucket policy yet.
	_, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs")})
	wantCode(t, err, "InsufficientS3BucketPolicyException")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("no-such-bucket")})
	wantCode(t, err, "S3BucketDoesNotExistException")
	for _, bad := range []string{"ab", "my--trail", "-trail", "my-_trail", "192.168.0.1", "trail!"} {
		_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(bad), S3BucketName: aws.String("trail-logs")})
		wantCode(t, err, "InvalidTrailNameException")
	}
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)

	// A key with the default key policy: CloudTrail may not use it.
	k := e.rootKMS()
	def := aws.ToString(must(k.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), KmsKeyId: aws.String(def)})
	wantMessage(t, err, "InsufficientEncryptionPolicyException", "kms:GenerateDataKey")
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), KmsKeyId: aws.String("not a key")})
	wantCode(t, err, "InvalidKmsKeyIdException")

	// With the seed's statements it may.
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy(account, trailARN))}))(t).KeyMetadata
	must(k.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: key.KeyId}))(t)
	out := must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), KmsKeyId: aws.String("alias/trail")}))(t)
	if aws.ToString(out.TrailARN) != trailARN || aws.ToString(out.KmsKeyId) != aws.ToString(key.Arn) {
		t.Fatalf("CreateTrail = %s, key %s", aws.ToString(out.TrailARN), aws.ToString(out.KmsKeyId))
	}
	_, err = ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs")})
	wantCode(t, err, "TrailAlreadyExistsException")
	// Every form of the key's identifier.
	for _, id := range []string{"alias/trail", "arn:aws:kms:us-east-1:" + account + ":alias/trail", aws.ToString(key.Arn), aws.ToString(key.KeyId)} {
		up := must(ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: aws.String(id)}))(t)
		if aws.ToString(up.KmsKeyId) != aws.ToString(key.Arn) {
			t.Fatalf("UpdateTrail with %s: KmsKeyId %s", id, aws.ToString(up.KmsKeyId))
		}
	}
	// A key in another region than the bucket.
	west := aws.ToString(must(e.kms(account, rootSecret, "").CreateKey(ctx, &kms.CreateKeyInput{}, func(o *kms.Options) { o.Region = "us-west-2" }))(t).KeyMetadata.Arn)
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: aws.String(west)})
	wantCode(t, err, "KmsKeyNotFoundException")
	// A statement whose aws:SourceArn names another trail.
	other := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy(account, "arn:aws:cloudtrail:us-east-1:"+account+":trail/other"))}))(t).KeyMetadata
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: other.Arn})
	wantCode(t, err, "InsufficientEncryptionPolicyException")
	// Disabled, and pending deletion.
	must(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: other.KeyId}))(t)
	must(k.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: other.KeyId, PolicyName: aws.String("default"), Policy: aws.String(trailKeyPolicy(account, trailARN))}))(t)
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: other.Arn})
	wantMessage(t, err, "KmsException", "is disabled")
	must(k.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: other.KeyId, PendingWindowInDays: aws.Int32(7)}))(t)
	_, err = ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: other.Arn})
	wantMessage(t, err, "KmsException", "pending deletion")
	// The trail still has its key; "" removes it.
	got := must(ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(trailARN)}))(t).Trail
	if aws.ToString(got.KmsKeyId) != aws.ToString(key.Arn) || aws.ToString(got.HomeRegion) != "us-east-1" {
		t.Fatalf("GetTrail = %+v", got)
	}
	if up := must(ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: aws.String("")}))(t); up.KmsKeyId != nil {
		t.Fatalf("after removing the key: %s", aws.ToString(up.KmsKeyId))
	}
}

// Logging, status, listings and home-region rules.
func TestCloudTrailTrailLifecycle(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(strings.ReplaceAll(cloudTrailBucketPolicy, `"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:`+account+`:trail/management"`, `"aws:SourceAccount":"`+account+`"`))}))(t)
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), IsMultiRegionTrail: aws.Bool(true)}))(t)
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("local"), S3BucketName: aws.String("trail-logs")}))(t)
	st := must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
	if aws.ToBool(st.IsLogging) || st.StartLoggingTime != nil || st.LatestDeliveryTime != nil {
		t.Fatalf("a new trail's status = %+v", st)
	}
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}))(t)
	if st := must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t); !aws.ToBool(st.IsLogging) || st.StartLoggingTime == nil {
		t.Fatalf("after StartLogging: %+v", st)
	}
	// From us-west-2 the multi-region trail is a shadow trail: readable, not changeable.
	west := e.cloudtrail(account, rootSecret, "us-west-2")
	d := must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))(t).TrailList
	if len(d) != 1 || aws.ToString(d[0].Name) != "management" || aws.ToString(d[0].HomeRegion) != "us-east-1" {
		t.Fatalf("DescribeTrails from us-west-2 = %+v", d)
	}
	if d := must(west.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(false)}))(t).TrailList; len(d) != 0 {
		t.Fatalf("without shadow trails: %+v", d)
	}
	_, err := west.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("management")})
	wantCode(t, err, "InvalidHomeRegionException")
	_, err = west.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("local")})
	wantCode(t, err, "TrailNotFoundException")
	if l := must(west.ListTrails(ctx, &cloudtrail.ListTrailsInput{}))(t).Trails; len(l) != 2 {
		t.Fatalf("ListTrails = %+v", l)
	}
	if d := must(ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{"local", "missing"}}))(t).TrailList; len(d) != 1 {
		t.Fatalf("DescribeTrails by name = %+v", d)
	}
	must(ct.StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("management")}))(t)
	if st := must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t); aws.ToBool(st.IsLogging) || st.StopLoggingTime == nil {
		t.Fatalf("after StopLogging: %+v", st)
	}
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("arn:aws:cloudtrail:us-east-1:x:trail/local")})
	wantCode(t, err, "CloudTrailARNInvalidException")
	must(ct.DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("local")}))(t)
	_, err = ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("local")})
	wantCode(t, err, "TrailNotFoundException")
}

// AddTags, RemoveTags and ListTags on a trail ARN; CreateTrail's TagsList.
func TestCloudTrailTags(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	e.trailBucket(t)
	arn := aws.ToString(must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"),
		TagsList: []cttypes.Tag{{Key: aws.String("team"), Value: aws.String("audit")}}}))(t).TrailARN)
	must(ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("sec")}}}))(t)
	must(ct.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(arn), TagsList: []cttypes.Tag{{Key: aws.String("env")}}}))(t)
	l := must(ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}}))(t).ResourceTagList
	if len(l) != 1 || len(l[0].TagsList) != 1 || aws.ToString(l[0].TagsList[0].Value) != "sec" {
		t.Fatalf("ListTags = %+v", l)
	}
	_, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{"arn:aws:cloudtrail:us-east-1:" + account + ":trail/missing"}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String("management"), TagsList: []cttypes.Tag{{Key: aws.String("a")}}})
	wantCode(t, err, "CloudTrailARNInvalidException")
}
