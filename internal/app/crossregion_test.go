package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// westKMS is a KMS client of the account's root in us-west-2.
func (e *env) westKMS() *kms.Client {
	return kms.New(kms.Options{Region: "us-west-2", BaseEndpoint: aws.String(e.url), Credentials: creds(account, rootSecret, ""), RetryMaxAttempts: 1})
}

// westBucket creates a bucket in us-west-2 and returns an S3 client of its owner there.
func (e *env) westBucket(t *testing.T, name string) *s3.Client {
	t.Helper()
	west := e.s3client(account, rootSecret, "us-west-2", true)
	must(west.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintUsWest2}}))(t)
	return west
}

// wantBucketRegion fails unless err is S3's answer to a request signed for the wrong region:
// the status and code, the bucket's region in x-amz-bucket-region.
func wantBucketRegion(t *testing.T, err error, status int, code, region string) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != status || re.Response.Header.Get("X-Amz-Bucket-Region") != region {
		t.Fatalf("err = %v, want status %d with x-amz-bucket-region %s", err, status, region)
	}
	if code != "" {
		wantMessage(t, err, code, "the region 'us-east-1' is wrong; expecting '"+region+"'")
	}
}

// A trail whose home region (us-east-1) is not its bucket's (us-west-2) is encrypted with a key
// of the bucket's region, refused one of its own region, and delivers, with digests, files its
// readers decrypt through S3 in us-west-2.
func TestCrossRegionTrail(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	west := e.westBucket(t, "west-logs")
	must(west.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("west-logs"),
		Policy: aws.String(strings.ReplaceAll(cloudTrailBucketPolicy, "trail-logs", "west-logs"))}))(t)
	eastKey := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy(account, trailARN))}))(t).KeyMetadata
	westKey := must(e.westKMS().CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy(account, trailARN))}))(t).KeyMetadata

	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	create := func(key *string) (*cloudtrail.CreateTrailOutput, error) {
		return ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("west-logs"),
			KmsKeyId: key, EnableLogFileValidation: aws.Bool(true)})
	}
	// The trail's own region's key, by ARN or ID, is not in the bucket's region.
	_, err := create(eastKey.Arn)
	wantCode(t, err, "KmsKeyNotFoundException")
	_, err = create(eastKey.KeyId)
	wantCode(t, err, "KmsKeyNotFoundException")
	out := must(create(westKey.Arn))(t)
	if aws.ToString(out.KmsKeyId) != aws.ToString(westKey.Arn) {
		t.Fatalf("CreateTrail: KmsKeyId %s, want %s", aws.ToString(out.KmsKeyId), aws.ToString(westKey.Arn))
	}
	// A bare key ID is the bucket's region's.
	up := must(ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: westKey.KeyId}))(t)
	if aws.ToString(up.KmsKeyId) != aws.ToString(westKey.Arn) {
		t.Fatalf("UpdateTrail with the key ID: KmsKeyId %s", aws.ToString(up.KmsKeyId))
	}

	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("audited")}))(t)
	if sum := e.flush(); sum.LogFiles != 1 || sum.DigestFiles == 0 || len(sum.Errors) != 0 {
		t.Fatalf("flush = %+v", sum)
	}
	st := must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
	if aws.ToString(st.LatestDeliveryError) != "" || st.LatestDeliveryTime == nil || aws.ToString(st.LatestDigestDeliveryError) != "" {
		t.Fatalf("GetTrailStatus = %+v", st)
	}
	files, keys := logFiles(t, west, "west-logs")
	if len(keys) != 1 || !strings.HasPrefix(keys[0], "AWSLogs/"+account+"/CloudTrail/us-east-1/") || find(files[keys[0]], "CreateUser", nil) == nil {
		t.Fatalf("log files %v", keys)
	}
	head := must(west.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("west-logs"), Key: aws.String(keys[0])}))(t)
	if head.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != aws.ToString(westKey.Arn) {
		t.Fatalf("HeadObject: %s under %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}
	// The trail's region's S3 client is told where the bucket is.
	_, err = e.s3client(account, rootSecret, "us-east-1", true).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("west-logs"), Key: aws.String(keys[0])})
	wantBucketRegion(t, err, http.StatusBadRequest, "AuthorizationHeaderMalformed", "us-west-2")
}

// S3 calls KMS in its bucket's region, with kms:ViaService naming S3 there: keys of that region
// by ARN, ID or alias, Bucket Keys, copies across regions and multipart uploads; a key ARN of
// another region is refused as S3 refuses it.
func TestCrossRegionSSEKMS(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	west := e.westBucket(t, "west-data")
	wk := e.westKMS()
	westKey := must(wk.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	must(wk.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/west"), TargetKeyId: westKey.KeyId}))(t)
	eastKey := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	put := func(c *s3.Client, bucket, key, kmsKey string) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("body of " + key),
			ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(kmsKey)})
		return err
	}
	get := func(c *s3.Client, bucket, key string) (string, error) {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return "", err
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		return string(b), err
	}

	for _, id := range []string{aws.ToString(westKey.Arn), aws.ToString(westKey.KeyId), "alias/west", "arn:aws:kms:us-west-2:" + account + ":alias/west"} {
		must(0, put(west, "west-data", "by-"+id, id))(t)
		if body := must(get(west, "west-data", "by-"+id))(t); body != "body of by-"+id {
			t.Fatalf("read back %q", body)
		}
	}
	// A key of another region, as S3 answers it.
	wantMessage(t, put(west, "west-data", "east", aws.ToString(eastKey.Arn)), "KMS.NotFoundException", "Invalid arn us-east-1")
	// A request signed for us-east-1 is told where the bucket is, presigned or not.
	east := e.s3client(account, rootSecret, "us-east-1", true)
	wantBucketRegion(t, put(east, "west-data", "signed-east", aws.ToString(westKey.Arn)), http.StatusBadRequest, "AuthorizationHeaderMalformed", "us-west-2")
	_, err := east.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("west-data")})
	wantBucketRegion(t, err, http.StatusMovedPermanently, "", "us-west-2")
	_, err = east.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("west-data"), Key: aws.String("alias/west")})
	wantBucketRegion(t, err, http.StatusBadRequest, "", "us-west-2")
	// Unsigned, as the Go SDK's manager.GetBucketRegion asks: refused, with the bucket's region.
	anon := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: aws.AnonymousCredentials{}, UsePathStyle: true, RetryMaxAttempts: 1})
	_, err = anon.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("west-data")})
	wantBucketRegion(t, err, http.StatusForbidden, "", "us-west-2")
	_, err = anon.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("no-such-data")})
	var missing *awshttp.ResponseError
	if !errors.As(err, &missing) || missing.HTTPStatusCode() != http.StatusNotFound || missing.Response.Header.Get("X-Amz-Bucket-Region") != "" {
		t.Fatalf("HeadBucket of no bucket: %v", err)
	}
	if loc := must(east.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("west-data")}))(t).LocationConstraint; loc != s3types.BucketLocationConstraintUsWest2 {
		t.Fatalf("GetBucketLocation from us-east-1 = %q", loc)
	}
	presigned := must(s3.NewPresignClient(east).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("west-data"), Key: aws.String("alias/west")}))(t)
	resp := must(http.Get(presigned.URL))(t)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amz-Bucket-Region") != "us-west-2" || !bytes.Contains(body, []byte("<Code>AuthorizationQueryParametersError</Code>")) ||
		!bytes.Contains(body, []byte("the region &#39;us-east-1&#39; is wrong; expecting &#39;us-west-2&#39;")) || !bytes.Contains(body, []byte("<Region>us-west-2</Region>")) {
		t.Fatalf("presigned GET signed for us-east-1: %s %v\n%s", resp.Status, resp.Header, body)
	}

	// A Bucket Key of the bucket's region.
	must(west.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("west-data"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: westKey.Arn}}}}}))(t)
	must(west.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("west-data"), Key: aws.String("bucket-key"), Body: strings.NewReader("under a bucket key")}))(t)
	if body := must(get(west, "west-data", "bucket-key"))(t); body != "under a bucket key" {
		t.Fatalf("bucket key object = %q", body)
	}
	// A copy from us-west-2 to us-east-1: decrypted in the source's region, encrypted in the target's.
	must(east.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("east-data")}))(t)
	must(east.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("east-data"), Key: aws.String("copy"), CopySource: aws.String("west-data/bucket-key"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: eastKey.Arn}))(t)
	if body := must(get(east, "east-data", "copy"))(t); body != "under a bucket key" {
		t.Fatalf("copy = %q", body)
	}
	// A multipart upload under the bucket's default key.
	up := must(west.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("west-data"), Key: aws.String("multi")}))(t)
	part := must(west.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("west-data"), Key: aws.String("multi"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("one part")}))(t)
	must(west.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("west-data"), Key: aws.String("multi"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}))(t)
	if body := must(get(west, "west-data", "multi"))(t); body != "one part" {
		t.Fatalf("multipart object = %q", body)
	}

	// kms:ViaService names S3 in the bucket's region.
	reader := func(name, via string) *s3.Client {
		must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
		must(e.rootIAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("read"), PolicyDocument: aws.String(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
			 {"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"` + via + `"}}}]}`)}))(t)
		ak := must(e.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
		return e.s3client(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), "us-west-2", true)
	}
	if body := must(get(reader("west-reader", "s3.us-west-2.amazonaws.com"), "west-data", "multi"))(t); body != "one part" {
		t.Fatalf("west reader read %q", body)
	}
	_, err = get(reader("east-reader", "s3.us-east-1.amazonaws.com"), "west-data", "multi")
	wantCode(t, err, "AccessDenied")
}
