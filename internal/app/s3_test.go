package app_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	s3svc "github.com/keytrail/keytrail/internal/s3"
)

// s3client is an S3 client signing for region; pathStyle picks path-style addressing, otherwise
// buckets are addressed as <bucket>.s3.localhost on the test server.
func (e *env) s3client(akid, secret, region string, pathStyle bool) *s3.Client {
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, ""),
		UsePathStyle: pathStyle, RetryMaxAttempts: 1, HTTPClient: e.httpClient(virtualHosts{})})
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

// The CloudTrail bucket policy of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html, pasted verbatim with its placeholders filled in, admits
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
	if _, err := e.app.S3.GetBucketPolicy(trail, &s3svc.GetBucketPolicyInput{Bucket: "trail-logs"}); err == nil {
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

func TestS3ObjectsEncrypted(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))(t)

	// SSE-S3 by default; metadata, ETag, ranges, conditional requests.
	body := strings.Repeat("0123456789abcdef", 10000) // 160000 bytes: three segments
	put := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt"), Body: strings.NewReader(body),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"owner": "audit"}}))(t)
	sum := md5.Sum([]byte(body))
	if aws.ToString(put.ETag) != `"`+hex.EncodeToString(sum[:])+`"` || put.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject = %s %s", aws.ToString(put.ETag), put.ServerSideEncryption)
	}
	got := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")}))(t)
	data, _ := io.ReadAll(got.Body)
	if string(data) != body || aws.ToString(got.ContentType) != "text/plain" || got.Metadata["owner"] != "audit" || aws.ToInt64(got.ContentLength) != int64(len(body)) {
		t.Fatalf("GetObject: %d bytes, %s, %v", len(data), aws.ToString(got.ContentType), got.Metadata)
	}
	for rng, want := range map[string]string{"bytes=65530-65545": body[65530:65546], "bytes=159990-": body[159990:], "bytes=-5": body[len(body)-5:], "bytes=0-0": body[:1]} {
		r := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt"), Range: aws.String(rng)}))(t)
		part, _ := io.ReadAll(r.Body)
		if string(part) != want {
			t.Fatalf("Range %s = %q, want %q", rng, part, want)
		}
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt"), Range: aws.String("bytes=200000-")})
	wantCode(t, err, "InvalidRange")
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt"), IfMatch: aws.String(`"nope"`)})
	wantCode(t, err, "PreconditionFailed")
	head := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")}))(t)
	if aws.ToInt64(head.ContentLength) != int64(len(body)) || head.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("HeadObject = %+v", head)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("empty"), Body: strings.NewReader("")}))(t)
	if r := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("empty")}))(t); aws.ToInt64(r.ContentLength) != 0 {
		t.Fatal("empty object")
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("bad-md5"), Body: strings.NewReader("abc"), ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
	wantCode(t, err, "BadDigest")
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("bad-md5")})
	if err == nil {
		t.Fatal("an object with a bad digest was stored")
	}
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("data")})
	wantCode(t, err, "BucketNotEmpty")

	// Bytes on disk are never plaintext.
	marker := strings.Repeat("PLAINTEXT-MARKER-", 1000)
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("marker"), Body: strings.NewReader(marker)}))(t)
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("PLAINTEXT-MARKER")) {
				t.Errorf("%s holds the plaintext", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// SSE-KMS: the writer generates the data key, the reader decrypts it, both through S3.
	id := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	kput := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/a.json.gz"), Body: strings.NewReader("secret log"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id), SSEKMSEncryptionContext: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}`)))}))(t)
	if kput.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(kput.SSEKMSKeyId) != id {
		t.Fatalf("SSE-KMS PutObject = %s %s", kput.ServerSideEncryption, aws.ToString(kput.SSEKMSKeyId))
	}
	kget := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/a.json.gz")}))(t)
	if b, _ := io.ReadAll(kget.Body); string(b) != "secret log" || aws.ToString(kget.SSEKMSKeyId) != id {
		t.Fatalf("SSE-KMS GetObject = %q", b)
	}
	// A reader allowed by S3 but not by the key gets AccessDenied; with kms:Decrypt, the object.
	ak, sk := e.user(t, account, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)
	reader := e.s3client(ak, sk, "us-east-1", true)
	_, err = reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/a.json.gz")})
	wantMessage(t, err, "AccessDenied", "kms:Decrypt")
	if r := must(reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")}))(t); aws.ToInt64(r.ContentLength) != int64(len(body)) {
		t.Fatal("the SSE-S3 object needs no key permission")
	}
	must(e.rootIAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("reader"), PolicyName: aws.String("decrypt"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}`)}))(t)
	if b, _ := io.ReadAll(must(reader.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/a.json.gz")}))(t).Body); string(b) != "secret log" {
		t.Fatal("the reader with kms:Decrypt through S3")
	}
	// A disabled key refuses the read with S3's KMS error.
	must(e.rootKMS().DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}))(t)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/a.json.gz")})
	wantCode(t, err, "KMS.DisabledException")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("logs/b"), Body: strings.NewReader("x"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id)})
	wantCode(t, err, "KMS.DisabledException")

	must(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")}))(t)
	must(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")}))(t)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/file.txt")})
	wantCode(t, err, "NoSuchKey")
}

func TestS3ListObjects(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}))(t)
	keys := []string{"AWSLogs/1/a.gz", "AWSLogs/1/b.gz", "AWSLogs/2/c.gz", "readme", "z y+é.txt"}
	for _, k := range keys {
		must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String(k), Body: strings.NewReader(k)}))(t)
	}
	all := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs")}))(t)
	if aws.ToInt32(all.KeyCount) != 5 || aws.ToString(all.Contents[4].Key) != "z y+é.txt" || aws.ToInt64(all.Contents[0].Size) != int64(len(keys[0])) {
		t.Fatalf("ListObjectsV2 = %d keys", aws.ToInt32(all.KeyCount))
	}
	// Delimiter and common prefixes, paged two at a time with continuation tokens.
	var got []string
	var token *string
	for {
		p := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("AWSLogs/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), ContinuationToken: token}))(t)
		for _, cp := range p.CommonPrefixes {
			got = append(got, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(p.IsTruncated) {
			break
		}
		token = p.NextContinuationToken
	}
	if strings.Join(got, ",") != "AWSLogs/1/,AWSLogs/2/" {
		t.Fatalf("common prefixes = %v", got)
	}
	after := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs"), StartAfter: aws.String("AWSLogs/2/c.gz")}))(t)
	if len(after.Contents) != 2 || aws.ToString(after.Contents[0].Key) != "readme" {
		t.Fatalf("StartAfter = %+v", after.Contents)
	}
	// Version 1 with markers, and URL encoding.
	v1 := must(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("logs"), MaxKeys: aws.Int32(3)}))(t)
	if len(v1.Contents) != 3 || !aws.ToBool(v1.IsTruncated) {
		t.Fatalf("ListObjects v1 = %d, truncated %v", len(v1.Contents), aws.ToBool(v1.IsTruncated))
	}
	rest := must(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("logs"), Marker: v1.Contents[2].Key, EncodingType: s3types.EncodingTypeUrl}))(t)
	if len(rest.Contents) != 2 || aws.ToString(rest.Contents[1].Key) != "z%20y%2B%C3%A9.txt" { // the Go SDK leaves URL encoding to the caller
		t.Fatalf("ListObjects v1 after marker = %+v", rest.Contents)
	}
	_, err := e.s3client(other, rootSecret, "us-east-1", true).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs")})
	wantCode(t, err, "AccessDenied")
}

func TestS3MultipartUpload(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}))(t)
	id := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	up := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(id)}))(t)
	if up.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms {
		t.Fatalf("CreateMultipartUpload SSE = %s", up.ServerSideEncryption)
	}
	parts := [][]byte{bytes.Repeat([]byte("a"), 5<<20), bytes.Repeat([]byte("b"), 5<<20+7), []byte("tail")}
	var done []s3types.CompletedPart
	h := md5.New()
	for i, p := range parts {
		out := must(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}))(t)
		sum := md5.Sum(p)
		h.Write(sum[:])
		done = append(done, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	lp := must(c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId}))(t)
	if len(lp.Parts) != 3 || aws.ToInt64(lp.Parts[1].Size) != 5<<20+7 {
		t.Fatalf("ListParts = %+v", lp.Parts)
	}
	if n := len(must(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("big")}))(t).Uploads); n != 1 {
		t.Fatalf("ListMultipartUploads = %d", n)
	}
	_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{done[1], done[0]}}})
	wantCode(t, err, "InvalidPartOrder")
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: []s3types.CompletedPart{done[0], done[2], {PartNumber: aws.Int32(4), ETag: done[2].ETag}}}})
	wantCode(t, err, "EntityTooSmall")
	fin := must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: done}}))(t)
	if want := `"` + hex.EncodeToString(h.Sum(nil)) + `-3"`; aws.ToString(fin.ETag) != want {
		t.Fatalf("multipart ETag = %s, want %s", aws.ToString(fin.ETag), want)
	}
	got := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("blob.bin")}))(t)
	data, _ := io.ReadAll(got.Body)
	if !bytes.Equal(data, bytes.Join(parts, nil)) || got.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms {
		t.Fatalf("GetObject returned %d bytes", len(data))
	}
	// A range across the boundary of parts 1 and 2.
	r := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), Range: aws.String("bytes=5242878-5242881")}))(t)
	if b, _ := io.ReadAll(r.Body); string(b) != "aabb" {
		t.Fatalf("range across parts = %q", b)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("big"), Key: aws.String("blob.bin"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchUpload")
	up2 := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("gone")}))(t)
	must(c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("big"), Key: aws.String("gone"), UploadId: up2.UploadId}))(t)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("big"), Key: aws.String("gone"), UploadId: up2.UploadId})
	wantCode(t, err, "NoSuchUpload")
}

func TestS3BucketEncryptionAndBucketKeys(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("enc")}))(t)
	def := must(c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("enc")}))(t)
	if r := def.ServerSideEncryptionConfiguration.Rules[0]; r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("default encryption = %+v", r)
	}
	// aws:kms without a key: the AWS managed key aws/s3, created on first use.
	out := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("managed"), Body: strings.NewReader("m"), ServerSideEncryption: s3types.ServerSideEncryptionAwsKms}))(t)
	managed := must(e.rootKMS().DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/s3")}))(t).KeyMetadata
	if aws.ToString(out.SSEKMSKeyId) != aws.ToString(managed.Arn) || managed.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Fatalf("aws/s3 = %s (%s), object key %s", aws.ToString(managed.Arn), managed.KeyManager, aws.ToString(out.SSEKMSKeyId))
	}
	// The managed key is usable only through S3, not directly, and cannot be administered.
	_, err := e.rootKMS().Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/aws/s3"), Plaintext: []byte("x")})
	wantCode(t, err, "AccessDeniedException")
	_, err = e.rootKMS().DisableKey(ctx, &kms.DisableKeyInput{KeyId: managed.KeyId})
	wantCode(t, err, "AccessDeniedException")
	if b, _ := io.ReadAll(must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("managed")}))(t).Body); string(b) != "m" {
		t.Fatal("managed-key object")
	}

	// Default SSE-KMS with a Bucket Key: objects without headers use it, bound to the bucket ARN.
	id := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	must(c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("enc"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(id)}, BucketKeyEnabled: aws.Bool(true)}}}}))(t)
	for i := range 3 {
		o := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("bk/" + strconv.Itoa(i)), Body: strings.NewReader("bucket key " + strconv.Itoa(i))}))(t)
		if o.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(o.SSEKMSKeyId) != id || !aws.ToBool(o.BucketKeyEnabled) {
			t.Fatalf("default SSE-KMS PutObject = %s %s %v", o.ServerSideEncryption, aws.ToString(o.SSEKMSKeyId), aws.ToBool(o.BucketKeyEnabled))
		}
	}
	for i := range 3 {
		g := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("bk/" + strconv.Itoa(i))}))(t)
		if b, _ := io.ReadAll(g.Body); string(b) != "bucket key "+strconv.Itoa(i) || !aws.ToBool(g.BucketKeyEnabled) {
			t.Fatalf("bucket-key object %d = %q", i, b)
		}
	}
	// A key policy that only admits the bucket-ARN context shows which context S3 used.
	must(e.rootKMS().PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":["kms:PutKeyPolicy","kms:GetKeyPolicy","kms:DescribeKey"],"Resource":"*"},
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::enc"}}}]}`)}))(t)
	must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("enc"), Key: aws.String("bk/0")}))(t)
	must(c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("enc")}))(t)
	if o := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("enc"), Key: aws.String("plain"), Body: strings.NewReader("p")}))(t); o.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("after DeleteBucketEncryption: %s", o.ServerSideEncryption)
	}

	// Versioning (never enabled) and tagging.
	if v := must(c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("enc")}))(t); v.Status != "" {
		t.Fatalf("versioning = %s", v.Status)
	}
	_, err = c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("enc")})
	wantCode(t, err, "NoSuchTagSet")
	must(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String("enc"), Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("audit")}}}}))(t)
	if tags := must(c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String("enc")}))(t).TagSet; len(tags) != 1 || aws.ToString(tags[0].Value) != "audit" {
		t.Fatalf("tags = %+v", tags)
	}
}

// CloudTrail writes a log file through S3 as cloudtrail.amazonaws.com under CloudTrail's bucket policy: with
// bucket-owner-full-control and its trail's aws:SourceArn it may, otherwise not.
func TestS3CloudTrailWritesUnderTheC4Policy(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	service := identity.WithPrincipal(ctx, identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"})
	trail := authz.WithKeys(service, authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"}})
	key := "AWSLogs/" + account + "/CloudTrail/us-east-1/2026/11/22/" + account + "_CloudTrail_us-east-1_20261122T1200Z_x.json.gz"
	put := func(ctx context.Context, key, acl string) error {
		_, err := e.app.S3.PutObject(ctx, &s3svc.PutObjectInput{Bucket: "trail-logs", Key: key, Body: strings.NewReader("{}"), ACL: acl})
		return err
	}
	if err := put(trail, key, "bucket-owner-full-control"); err != nil {
		t.Fatalf("CloudTrail's PutObject: %v", err)
	}
	for name, err := range map[string]error{
		"without the ACL":           put(trail, key, ""),
		"with another ACL":          put(trail, key, "private"),
		"outside AWSLogs/<account>": put(trail, "AWSLogs/"+other+"/x.json.gz", "bucket-owner-full-control"),
		"for another trail":         put(authz.WithKeys(service, authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:" + account + ":trail/other"}}), key, "bucket-owner-full-control"),
	} {
		if ae, ok := awserr.As(err); !ok || ae.Code != awserr.AccessDenied {
			t.Errorf("%s: %v, want AccessDenied", name, err)
		}
	}
	// The bucket owner reads the log file.
	if b, _ := io.ReadAll(must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(key)}))(t).Body); string(b) != "{}" {
		t.Fatal("the owner reads the log file")
	}
}

func TestS3DeleteObjects(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("many")}))(t)
	for _, k := range []string{"a", "b", "c"} {
		must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(k), Body: strings.NewReader(k)}))(t)
	}
	out := must(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("many"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("b")}, {Key: aws.String("missing")}}}}))(t)
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects = %d deleted, %d errors", len(out.Deleted), len(out.Errors))
	}
	if left := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many")}))(t).Contents; len(left) != 1 || aws.ToString(left[0].Key) != "c" {
		t.Fatalf("left = %+v", left)
	}
	ak, sk := e.user(t, account, "limited", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::many/x*"}]}`)
	out = must(e.s3client(ak, sk, "us-east-1", true).DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("many"), Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{{Key: aws.String("c")}}}}))(t)
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("a key the user may not delete: %+v", out.Errors)
	}
}
