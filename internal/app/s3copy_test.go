package app_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func getBody(t *testing.T, c *s3.Client, bucket, key string) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out := must(c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))(t)
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out, b
}

// CopyObject reads the source as the caller (s3:GetObject, kms:Decrypt) and writes the copy as
// the caller, encrypted as the request or the destination's default says, with the source's
// metadata (COPY) or the request's (REPLACE).
func TestS3CopyObject(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	for _, b := range []string{"src", "dst"} {
		must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))(t)
	}
	keyA := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	keyB := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	body := bytes.Repeat([]byte("copy me "), 20000) // 160 000 bytes: several segments
	const srcKey = "dir/a b+c.json"
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
		Metadata: map[string]string{"origin": "trail"}, ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyA)}))(t)
	source := aws.String("src/" + url.PathEscape(srcKey))

	// COPY: the source's metadata, the destination's default encryption (SSE-S3), S3's ETag.
	out := must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: source}))(t)
	sum := md5.Sum(body)
	if want := `"` + hex.EncodeToString(sum[:]) + `"`; aws.ToString(out.CopyObjectResult.ETag) != want || out.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject = ETag %s SSE %s, want %s AES256", aws.ToString(out.CopyObjectResult.ETag), out.ServerSideEncryption, want)
	}
	got, b := getBody(t, c, "dst", "copy")
	if !bytes.Equal(b, body) || got.Metadata["origin"] != "trail" || aws.ToString(got.ContentType) != "application/json" || got.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("copy: %d bytes, metadata %v, type %s, SSE %s", len(b), got.Metadata, aws.ToString(got.ContentType), got.ServerSideEncryption)
	}

	// REPLACE, re-encrypted under another key with a Bucket Key.
	must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("copy"), CopySource: source, MetadataDirective: s3types.MetadataDirectiveReplace,
		Metadata: map[string]string{"stage": "2"}, ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(keyB), BucketKeyEnabled: aws.Bool(true)}))(t)
	got, b = getBody(t, c, "dst", "copy")
	if !bytes.Equal(b, body) || got.Metadata["stage"] != "2" || got.Metadata["origin"] != "" || aws.ToString(got.SSEKMSKeyId) != keyB || !aws.ToBool(got.BucketKeyEnabled) {
		t.Fatalf("replaced copy: metadata %v, key %s, bucket key %v", got.Metadata, aws.ToString(got.SSEKMSKeyId), aws.ToBool(got.BucketKeyEnabled))
	}

	// Onto itself: only when something changes.
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: source})
	wantCode(t, err, "InvalidRequest")
	must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String(srcKey), CopySource: source, MetadataDirective: s3types.MetadataDirectiveReplace,
		Metadata: map[string]string{"origin": "rewritten"}}))(t)
	if got, b := getBody(t, c, "src", srcKey); !bytes.Equal(b, body) || got.Metadata["origin"] != "rewritten" || got.ServerSideEncryption != s3types.ServerSideEncryptionAes256 {
		t.Fatalf("self copy: %d bytes, %v, %s", len(b), got.Metadata, got.ServerSideEncryption)
	}

	// Conditions on the source, a missing source, a malformed source.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: source, CopySourceIfMatch: aws.String(`"0123"`)})
	wantCode(t, err, "PreconditionFailed")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: source, CopySourceIfNoneMatch: aws.String("*")})
	wantCode(t, err, "PreconditionFailed")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/missing")})
	wantCode(t, err, "NoSuchKey")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src")})
	wantCode(t, err, "InvalidArgument")
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("c2"), CopySource: aws.String("src/x?versionId=3sL4kqtJlcpXroDTDmJ")})
	wantCode(t, err, "InvalidArgument")
}

// A copier needs s3:GetObject and kms:Decrypt on the source and s3:PutObject on the destination;
// s3:x-amz-copy-source is in the request context of the write.
func TestS3CopyObjectAuthorization(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	for _, b := range []string{"src", "dst"} {
		must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}))(t)
	}
	key := aws.ToString(must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn)
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("log"), Body: bytes.NewReader([]byte("record")),
		ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(key)}))(t)
	copyOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::src/*"},
	 {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::dst/*","Condition":{"StringLike":{"s3:x-amz-copy-source":"src/*"}}}]}`
	akid, secret := e.user(t, account, "copier", copyOnly)
	u := e.s3client(akid, secret, "us-east-1", true)
	// No kms:Decrypt on the source's key yet.
	_, err := u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("log"), CopySource: aws.String("src/log")})
	wantCode(t, err, "AccessDenied")
	must(e.iam(account, rootSecret, "").PutUserPolicy(ctx, iamPolicy("copier", "decrypt", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+key+`"}]}`)))(t)
	must(u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dst"), Key: aws.String("log"), CopySource: aws.String("src/log")}))(t)
	if _, b := getBody(t, c, "dst", "log"); string(b) != "record" {
		t.Fatalf("copied %q", b)
	}
	// The write is allowed only as a copy from src.
	_, err = u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dst"), Key: aws.String("direct"), Body: bytes.NewReader([]byte("x"))})
	wantCode(t, err, "AccessDenied")
	_, err = u.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("back"), CopySource: aws.String("dst/log")})
	wantCode(t, err, "AccessDenied")
}

// UploadPartCopy builds a multipart object from ranges of another, as `aws s3 cp` does for a
// large object copied between buckets.
func TestS3UploadPartCopy(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("parts")}))(t)
	body := make([]byte, 6<<20+100)
	for i := range body {
		body[i] = byte(i * 7)
	}
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("parts"), Key: aws.String("big"), Body: bytes.NewReader(body)}))(t)
	up := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("big-copy")}))(t)
	var done []s3types.CompletedPart
	for i, r := range []string{"bytes=0-5242879", "bytes=5242880-6291555"} {
		out := must(c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("parts"), Key: aws.String("big-copy"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), CopySource: aws.String("parts/big"), CopySourceRange: aws.String(r)}))(t)
		done = append(done, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.CopyPartResult.ETag})
	}
	_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("parts"), Key: aws.String("big-copy"), UploadId: up.UploadId,
		PartNumber: aws.Int32(3), CopySource: aws.String("parts/big"), CopySourceRange: aws.String("bytes=6291556-6291556")})
	wantCode(t, err, "InvalidArgument")
	must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("parts"), Key: aws.String("big-copy"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: done}}))(t)
	if _, b := getBody(t, c, "parts", "big-copy"); !bytes.Equal(b, body) {
		t.Fatalf("the multipart copy differs (%d bytes)", len(b))
	}
}

func iamPolicy(user, name, doc string) *iam.PutUserPolicyInput {
	return &iam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}
}

// Object tags: x-amz-tagging on a write (which needs s3:PutObjectTagging as well), the tagging
// sub-resource, x-amz-tagging-count, and CopyObject's tagging directive.
func TestS3ObjectTagging(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tags")}))(t)
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("a"), Body: bytes.NewReader([]byte("x")), Tagging: aws.String("team=audit&env=dev%20one")}))(t)
	tags := must(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("a")}))(t).TagSet
	if len(tags) != 2 || aws.ToString(tags[0].Key) != "env" || aws.ToString(tags[0].Value) != "dev one" || aws.ToString(tags[1].Value) != "audit" {
		t.Fatalf("GetObjectTagging = %+v", tags)
	}
	if n := aws.ToInt32(must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("a")}))(t).TagCount); n != 2 {
		t.Fatalf("TagCount = %d", n)
	}
	// COPY keeps the source's tags, REPLACE takes the request's.
	must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("tags"), Key: aws.String("b"), CopySource: aws.String("tags/a")}))(t)
	must(c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("tags"), Key: aws.String("c"), CopySource: aws.String("tags/a"),
		TaggingDirective: s3types.TaggingDirectiveReplace, Tagging: aws.String("stage=copy")}))(t)
	for key, want := range map[string]int{"b": 2, "c": 1} {
		if got := must(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String(key)}))(t).TagSet; len(got) != want {
			t.Fatalf("%s: tags %+v, want %d", key, got, want)
		}
	}
	many := []s3types.Tag{}
	for i := range 11 {
		many = append(many, s3types.Tag{Key: aws.String(string(rune('a' + i))), Value: aws.String("v")})
	}
	_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("a"), Tagging: &s3types.Tagging{TagSet: many}})
	wantCode(t, err, "InvalidTag")
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing"), Tagging: &s3types.Tagging{TagSet: many[:1]}})
	wantCode(t, err, "NoSuchKey")
	must(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("a"), Tagging: &s3types.Tagging{TagSet: many[:1]}}))(t)
	must(c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("b")}))(t)
	if got := must(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("b")}))(t).TagSet; len(got) != 0 {
		t.Fatalf("after DeleteObjectTagging: %+v", got)
	}
	// A writer allowed s3:PutObject only may not tag what it writes.
	akid, secret := e.user(t, account, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::tags/*"}]}`)
	u := e.s3client(akid, secret, "us-east-1", true)
	must(u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("w"), Body: bytes.NewReader([]byte("x"))}))(t)
	_, err = u.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tags"), Key: aws.String("w"), Body: bytes.NewReader([]byte("x")), Tagging: aws.String("a=b")})
	wantCode(t, err, "AccessDenied")
}
