package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestSSEKMS: SSE-KMS under a key the writer may or may not use, and readers with and without
// kms:Decrypt: S3 calls KMS as the caller, through S3 (kms:ViaService), and answers KMS's
// denial as AccessDenied.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func TestSSEKMS(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "logs")
	key := w.key(t, account, "")
	// The seed's reader: the key policy statement that lets Bob decrypt CloudTrail's log files
	// (objects whose encryption context names a trail) and nothing else:
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-decrypt.html
	bobsKey := w.key(t, account, `{"Version":"2012-10-17","Statement":[
{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
{"Sid":"Enable CloudTrail log decrypt permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"kms:Decrypt","Resource":"*",
 "Condition":{"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}]}`)
	trailContext := func(in *s3.PutObjectInput) {
		in.EncryptionCtx = base64.StdEncoding.EncodeToString([]byte(`{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management"}`))
	}
	writer := w.User(account, "writer", s3All, kmsUse)
	noKMS := w.User(account, "nokms", s3All)
	encryptOnly := w.User(account, "encrypter", s3All, kmsEncOly)
	bob := w.User(account, "bob", s3Read)
	westKey := w.key(t, account, "", "us-west-2")
	w.Run(t, []servicetest.Step{
		{Name: "the writer may use the key", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "secret", "top secret", sseKMS(key)))},
		{Name: "a writer without KMS permissions may not", As: noKMS, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", sseKMS(key))), Want: "AccessDenied"},
		{Name: "the writer reads it back", As: writer, Do: w.getOp("logs", "secret")},
		{Name: "a reader without kms:Decrypt may not", As: encryptOnly, Do: w.getOp("logs", "secret"), Want: "AccessDenied"},
		{Name: "nor HeadObject it", As: encryptOnly, Do: servicetest.Op(w.S3.HeadObject, &s3.HeadObjectInput{Bucket: "logs", Key: "secret"}), Want: "AccessDenied"},
		{Name: "a key of another region", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", sseKMS(westKey))), Want: "KMS.NotFoundException"},
		{Name: "a key that does not exist", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", sseKMS("alias/none"))), Want: "KMS.NotFoundException"},
		{Name: "a log file under bob's key", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "for-bob", "hello bob", sseKMS(bobsKey), trailContext))},
		{Name: "another object under it", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "not-a-log", "x", sseKMS(bobsKey)))},
		{Name: "bob reads the log file: the key policy lets him decrypt it", As: bob, Do: w.getOp("logs", "for-bob")},
		{Name: "not the object that names no trail", As: bob, Do: w.getOp("logs", "not-a-log"), Want: "AccessDenied"},
		{Name: "nor the other key's object", As: bob, Do: w.getOp("logs", "secret"), Want: "AccessDenied"},
		{Name: "a key without aws:kms", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", func(in *s3.PutObjectInput) { in.KMSKeyID = key })), Want: "InvalidArgument"},
		{Name: "an unknown SSE", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", func(in *s3.PutObjectInput) { in.SSE = "aws:fsx" })), Want: "InvalidArgument"},
		{Name: "a context that is not base64 JSON", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", sseKMS(key), func(in *s3.PutObjectInput) { in.EncryptionCtx = "{" })), Want: "InvalidArgument"},
		{Name: "a context naming aws:s3:arn", As: writer, Do: servicetest.Op(w.S3.PutObject, put("logs", "x", "x", sseKMS(key), func(in *s3.PutObjectInput) {
			in.EncryptionCtx = base64.StdEncoding.EncodeToString([]byte(`{"aws:s3:arn":"x"}`))
		})), Want: "InvalidArgument"},
	})
	if got := w.get(t, w.As(bob), "logs", "for-bob"); got != "hello bob" {
		t.Errorf("bob reads %q", got)
	}
	info := servicetest.Call(w.As(writer), w.S3.PutObject, put("logs", "ctx", "with context", sseKMS(key), func(in *s3.PutObjectInput) {
		in.EncryptionCtx = base64.StdEncoding.EncodeToString([]byte(`{"purpose":"test"}`))
	})).OK()
	if info.SSE != "aws:kms" || info.KMSKey != key || info.BucketKey {
		t.Errorf("PutObject = %+v", info)
	}
	if got := w.get(t, w.As(writer), "logs", "ctx"); got != "with context" {
		t.Errorf("read %q", got)
	}

	// The bucket's default: aws:kms with an S3 Bucket Key; no key named: the AWS managed key aws/s3.
	servicetest.Call(w.As(root), w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "logs",
		BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: key, BucketKey: true}}).OK()
	enc := servicetest.Call(w.As(root), w.S3.GetBucketEncryption, &s3.GetBucketEncryptionInput{Bucket: "logs"}).OK()
	if enc.SSE != "aws:kms" || enc.KMSKey != key || !enc.BucketKey {
		t.Errorf("GetBucketEncryption = %+v", enc)
	}
	for i := range 3 { // one GenerateDataKey for the three, each object's key derived
		k := "bk" + string(rune('0'+i))
		o := servicetest.Call(w.As(writer), w.S3.PutObject, put("logs", k, "bucket key "+k)).OK()
		if !o.BucketKey || o.KMSKey != key {
			t.Errorf("%s: %+v", k, o)
		}
		if got := w.get(t, w.As(writer), "logs", k); got != "bucket key "+k {
			t.Errorf("%s reads %q", k, got)
		}
	}
	servicetest.Call(w.As(noKMS), w.S3.PutObject, put("logs", "x", "x")).Want("AccessDenied")
	f, _, _ := w.S3.Facts(w.Ctx(root), "logs")
	if f.SSE != "aws:kms" || f.KMSKey != key || !f.BucketKey {
		t.Errorf("Facts = %+v", f)
	}
	servicetest.Call(w.As(root), w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "logs", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms"}}).OK()
	managed := servicetest.Call(w.As(writer), w.S3.PutObject, put("logs", "managed", "aws/s3")).OK()
	if managed.SSE != "aws:kms" || managed.KMSKey == "" || managed.KMSKey == key {
		t.Errorf("PutObject under aws/s3 = %+v", managed)
	}
	if got := w.get(t, w.As(writer), "logs", "managed"); got != "aws/s3" {
		t.Errorf("read %q", got)
	}
	w.Run(t, []servicetest.Step{
		{Name: "an SSE-S3 default with a key", As: root, Do: servicetest.Op(w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "logs",
			BucketEncryption: s3.BucketEncryption{SSE: "AES256", KMSKey: key}}), Want: "InvalidArgument"},
		{Name: "an unknown default", As: root, Do: servicetest.Op(w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "logs",
			BucketEncryption: s3.BucketEncryption{SSE: "DES"}}), Want: "MalformedXML"},
		{Name: "bob may not read the configuration", As: bob, Do: servicetest.Op(w.S3.GetBucketEncryption, &s3.GetBucketEncryptionInput{Bucket: "logs"}), Want: "AccessDenied"},
		{Name: "nor delete it", As: bob, Do: servicetest.Op(w.S3.DeleteBucketEncryption, &s3.DeleteBucketEncryptionInput{Bucket: "logs"}), Want: "AccessDenied"},
		{Name: "the owner restores SSE-S3", As: root, Do: servicetest.Op(w.S3.DeleteBucketEncryption, &s3.DeleteBucketEncryptionInput{Bucket: "logs"})},
		{Name: "and noKMS writes again", As: noKMS, Do: servicetest.Op(w.S3.PutObject, put("logs", "plain", "x"))},
	})
}

// TestSSES3: objects sealed by keytrail: written, described, read whole, by range and under
// preconditions, and deleted. https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html
func TestSSES3(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "data")
	body := sized(200 << 10) // four segments
	sum := md5.Sum([]byte(body))
	info := servicetest.Call(w.As(root), w.S3.PutObject, put("data", "big", body, func(in *s3.PutObjectInput) {
		in.ContentType, in.ContentMD5, in.Metadata = "text/plain", base64.StdEncoding.EncodeToString(sum[:]), map[string]string{"owner": "ops"}
		in.ChecksumAlgorithm = "sha256"
		in.SSE = "AES256"
	})).OK()
	if info.SSE != "AES256" || info.Size != int64(len(body)) || info.Checksum == nil || info.Checksum.Algorithm != "sha256" || info.Owner != account {
		t.Fatalf("PutObject = %+v", info)
	}
	if got := w.get(t, w.As(root), "data", "big"); got != body {
		t.Fatalf("read %d bytes, not the %d written", len(got), len(body))
	}
	ranges := []struct {
		r           s3.ByteRange
		first, last int64
	}{
		{s3.ByteRange{First: 10, Last: 19}, 10, 19},
		{s3.ByteRange{First: 65530, Last: 65545}, 65530, 65545}, // across segments
		{s3.ByteRange{First: 204790, Last: -1}, 204790, 204799},
		{s3.ByteRange{First: 204790, Last: 1 << 40}, 204790, 204799},
		{s3.ByteRange{Suffix: 5}, 204795, 204799},
		{s3.ByteRange{Suffix: 1 << 30}, 0, 204799},
	}
	for _, c := range ranges {
		out := servicetest.Call(w.As(root), w.S3.GetObject, &s3.GetObjectInput{Bucket: "data", Key: "big", Range: &c.r}).OK()
		if got := read(t, out); !out.Ranged || out.First != c.first || out.Last != c.last || got != body[c.first:c.last+1] {
			t.Errorf("range %+v: [%d, %d] %d bytes", c.r, out.First, out.Last, len(got))
		}
	}
	servicetest.Call(w.As(root), w.S3.GetObject, &s3.GetObjectInput{Bucket: "data", Key: "big", Range: &s3.ByteRange{First: 1 << 20}}).Want("InvalidRange")

	head := servicetest.Call(w.As(root), w.S3.HeadObject, &s3.HeadObjectInput{Bucket: "data", Key: "big"}).OK()
	if head.Body != nil || head.ETag != info.ETag || head.ContentType != "text/plain" || head.Metadata["owner"] != "ops" {
		t.Errorf("HeadObject = %+v", head)
	}
	before, after := info.LastModified.Add(-time.Hour), info.LastModified.Add(time.Hour)
	conds := []struct {
		name        string
		c           s3.Conditions
		want        string
		notModified bool
	}{
		{"If-Match the ETag", s3.Conditions{IfMatch: info.ETag}, "", false},
		{"If-Match unquoted", s3.Conditions{IfMatch: strings.Trim(info.ETag, `"`)}, "", false},
		{"If-Match *", s3.Conditions{IfMatch: "*"}, "", false},
		{"If-Match another", s3.Conditions{IfMatch: `"abc"`}, "PreconditionFailed", false},
		{"If-Unmodified-Since before", s3.Conditions{IfUnmodifiedSince: before}, "PreconditionFailed", false},
		{"If-Unmodified-Since after", s3.Conditions{IfUnmodifiedSince: after}, "", false},
		{"If-Match wins over If-Unmodified-Since", s3.Conditions{IfMatch: info.ETag, IfUnmodifiedSince: before}, "", false},
		{"If-None-Match the ETag", s3.Conditions{IfNoneMatch: info.ETag}, "", true},
		{"If-None-Match *", s3.Conditions{IfNoneMatch: "*"}, "", true},
		{"If-None-Match another", s3.Conditions{IfNoneMatch: `"abc"`, IfModifiedSince: after}, "", false},
		{"If-Modified-Since after", s3.Conditions{IfModifiedSince: after}, "", true},
		{"If-Modified-Since before", s3.Conditions{IfModifiedSince: before}, "", false},
	}
	for _, c := range conds {
		r := servicetest.Call(w.As(root), w.S3.GetObject, &s3.GetObjectInput{Bucket: "data", Key: "big", Conditions: c.c})
		if err := r.Err; (err == nil) != (c.want == "") {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		r.Want(c.want)
		if r.Out != nil {
			if r.Out.NotModified != c.notModified || (r.Out.Body == nil) != c.notModified {
				t.Errorf("%s: not modified %v, body %v", c.name, r.Out.NotModified, r.Out.Body != nil)
			}
			if r.Out.Body != nil {
				_ = r.Out.Body.Close()
			}
		}
	}

	empty := servicetest.Call(w.As(root), w.S3.PutObject, put("data", "empty", "")).OK()
	if empty.Size != 0 || empty.ETag != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Errorf("empty object = %+v", empty)
	}
	if got := w.get(t, w.As(root), "data", "empty"); got != "" {
		t.Errorf("empty object reads %q", got)
	}

	// Overwrites replace; a digest that does not match stores nothing.
	servicetest.Call(w.As(root), w.S3.PutObject, put("data", "big", "small")).OK()
	if got := w.get(t, w.As(root), "data", "big"); got != "small" {
		t.Errorf("overwritten object reads %q", got)
	}
	w.Run(t, []servicetest.Step{
		{Name: "a Content-MD5 that does not match", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) {
			in.ContentMD5 = base64.StdEncoding.EncodeToString(sum[:])
		})), Want: "BadDigest"},
		{Name: "a Content-MD5 that is not one", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) { in.ContentMD5 = "abc" })), Want: "InvalidDigest"},
		{Name: "a checksum that does not match", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) {
			in.ChecksumAlgorithm, in.Checksum = "crc32", "AAAAAA=="
		})), Want: "BadDigest"},
		{Name: "an unknown checksum", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) { in.ChecksumAlgorithm = "md4" })), Want: "InvalidRequest"},
		{Name: "a checksum with no algorithm", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) { in.Checksum = "AAAAAA==" })), Want: "InvalidRequest"},
		{Name: "a malformed checksum", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "big", "other", func(in *s3.PutObjectInput) {
			in.ChecksumAlgorithm, in.Checksum = "crc32", "nope"
		})), Want: "InvalidRequest"},
		{Name: "an empty key", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "", "x")), Want: "InvalidArgument"},
		{Name: "a key too long", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", strings.Repeat("k", 1025), "x")), Want: "InvalidArgument"},
		{Name: "no such bucket", As: root, Do: servicetest.Op(w.S3.PutObject, put("nothing", "k", "x")), Want: "NoSuchBucket"},
		{Name: "no such key", As: root, Do: w.getOp("data", "missing"), Want: "NoSuchKey"},
		{Name: "another account may not read", As: w.Root(other), Do: w.getOp("data", "big"), Want: "AccessDenied"},
	})
	if got := w.get(t, w.As(root), "data", "big"); got != "small" {
		t.Errorf("a refused write changed the object: %q", got)
	}
	servicetest.Call(w.As(root), w.S3.DeleteObject, &s3.DeleteObjectInput{Bucket: "data", Key: "big"}).OK()
	servicetest.Call(w.As(root), w.S3.HeadObject, &s3.HeadObjectInput{Bucket: "data", Key: "big"}).Want("NoSuchKey")
}

// TestDeleteObjects: each key is deleted as DeleteObject would be, its own outcome reported.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
func TestDeleteObjects(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "data")
	for _, k := range []string{"a", "keep/b", "c"} {
		servicetest.Call(w.As(root), w.S3.PutObject, put("data", k, k)).OK()
	}
	// A user who may delete everything but keep/*.
	partial := w.User(account, "partial", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"*"},
{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/keep/*"}]}`)
	out := servicetest.Call(w.As(partial), w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "data", Keys: []string{"a", "keep/b", "never-was"}}).OK()
	if !slices.Equal(out.Deleted, []s3.DeletedObject{{Key: "a"}, {Key: "never-was"}}) || len(out.Errors) != 1 || out.Errors[0].Key != "keep/b" || out.Errors[0].Code != "AccessDenied" {
		t.Errorf("DeleteObjects = %+v", out)
	}
	quiet := servicetest.Call(w.As(root), w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "data", Keys: []string{"c"}, Quiet: true}).OK()
	if len(quiet.Deleted) != 0 || len(quiet.Errors) != 0 {
		t.Errorf("quiet DeleteObjects = %+v", quiet)
	}
	// keytrail's buckets are not versioned: "null" names an object's one version; another
	// version does not exist.
	servicetest.Call(w.As(root), w.S3.PutObject, put("data", "v", "v")).OK()
	versioned := servicetest.Call(w.As(root), w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "data", Keys: []string{"v", "a"}, Versions: []string{"null", "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"}}).OK()
	if !slices.Equal(versioned.Deleted, []s3.DeletedObject{{Key: "v", VersionID: "null"}}) || len(versioned.Errors) != 1 || versioned.Errors[0].Code != "NoSuchVersion" {
		t.Errorf("DeleteObjects with versions = %+v", versioned)
	}
	w.Run(t, []servicetest.Step{
		{Name: "no keys", As: root, Do: servicetest.Op(w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "data"}), Want: "MalformedXML"},
		{Name: "too many keys", As: root, Do: servicetest.Op(w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "data", Keys: make([]string, 1001)}), Want: "MalformedXML"},
		{Name: "no such bucket", As: root, Do: servicetest.Op(w.S3.DeleteObjects, &s3.DeleteObjectsInput{Bucket: "nothing", Keys: []string{"a"}}), Want: "NoSuchBucket"},
		{Name: "keep/b stayed", As: root, Do: servicetest.Op(w.S3.HeadObject, &s3.HeadObjectInput{Bucket: "data", Key: "keep/b"})},
	})
}

// TestListObjects: keys in byte order, grouped by a delimiter, a page at a time.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
func TestListObjects(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "logs")
	for _, k := range []string{"AWSLogs/1/a.gz", "AWSLogs/1/b.gz", "AWSLogs/2/c.gz", "AWSLogs/3/d.gz", "readme", "z/last"} {
		servicetest.Call(w.As(root), w.S3.PutObject, put("logs", k, k)).OK()
	}
	list := func(in *s3.ListObjectsInput) string {
		t.Helper()
		out := servicetest.Call(w.As(root), w.S3.ListObjects, in).OK()
		var got []string
		for _, o := range out.Objects {
			got = append(got, o.Key)
		}
		for _, p := range out.Prefixes {
			got = append(got, p+"*")
		}
		s := strings.Join(got, " ")
		if out.Truncated {
			s += " … " + out.Last
		}
		return s
	}
	cases := []struct {
		in   s3.ListObjectsInput
		want string
	}{
		{s3.ListObjectsInput{MaxKeys: 1000}, "AWSLogs/1/a.gz AWSLogs/1/b.gz AWSLogs/2/c.gz AWSLogs/3/d.gz readme z/last"},
		{s3.ListObjectsInput{MaxKeys: 0}, ""},
		{s3.ListObjectsInput{MaxKeys: 2}, "AWSLogs/1/a.gz AWSLogs/1/b.gz … AWSLogs/1/b.gz"},
		{s3.ListObjectsInput{MaxKeys: 1000, Delimiter: "/"}, "readme AWSLogs/* z/*"},
		{s3.ListObjectsInput{MaxKeys: 1000, Prefix: "AWSLogs/", Delimiter: "/"}, "AWSLogs/1/* AWSLogs/2/* AWSLogs/3/*"},
		{s3.ListObjectsInput{MaxKeys: 1, Prefix: "AWSLogs/", Delimiter: "/"}, "AWSLogs/1/* … AWSLogs/1/"},
		{s3.ListObjectsInput{MaxKeys: 1, Prefix: "AWSLogs/", Delimiter: "/", After: "AWSLogs/1/"}, "AWSLogs/2/* … AWSLogs/2/"},
		{s3.ListObjectsInput{MaxKeys: 1000, After: "AWSLogs/2/c.gz"}, "AWSLogs/3/d.gz readme z/last"},
		{s3.ListObjectsInput{MaxKeys: 1000, Prefix: "AWSLogs/1/"}, "AWSLogs/1/a.gz AWSLogs/1/b.gz"},
	}
	for _, c := range cases {
		in := c.in
		in.Bucket = "logs"
		if got := list(&in); got != c.want {
			t.Errorf("%+v: %s, want %s", c.in, got, c.want)
		}
	}
	// s3:prefix in an identity policy's condition limits what a user may list.
	scoped := w.User(account, "scoped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::logs",
"Condition":{"StringLike":{"s3:prefix":"AWSLogs/1/*"}}}]}`)
	w.Run(t, []servicetest.Step{
		{Name: "within the prefix", As: scoped, Do: servicetest.Op(w.S3.ListObjects, &s3.ListObjectsInput{Bucket: "logs", Prefix: "AWSLogs/1/x", MaxKeys: 10})},
		{Name: "outside it", As: scoped, Do: servicetest.Op(w.S3.ListObjects, &s3.ListObjectsInput{Bucket: "logs", Prefix: "AWSLogs/2/", MaxKeys: 10}), Want: "AccessDenied"},
		{Name: "no such bucket", As: root, Do: servicetest.Op(w.S3.ListObjects, &s3.ListObjectsInput{Bucket: "nothing", MaxKeys: 10}), Want: "NoSuchBucket"},
	})
}

// TestTagging: object tags (at most 10, written with the object only with s3:PutObjectTagging)
// and bucket tags (at most 50). https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html
func TestTagging(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "data")
	writer := w.User(account, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	tags := []s3.Tag{{Key: "team", Value: "ops"}}
	tagged := func(in *s3.PutObjectInput) { in.Tags = tags }
	many := func(n int) []s3.Tag {
		var out []s3.Tag
		for i := range n {
			out = append(out, s3.Tag{Key: "k" + strings.Repeat("x", i), Value: "v"})
		}
		return out
	}
	w.Run(t, []servicetest.Step{
		{Name: "the writer writes untagged", As: writer, Do: servicetest.Op(w.S3.PutObject, put("data", "a", "a"))},
		{Name: "not tagged without s3:PutObjectTagging", As: writer, Do: servicetest.Op(w.S3.PutObject, put("data", "b", "b", tagged)), Want: "AccessDenied"},
		{Name: "the root writes tagged", As: root, Do: servicetest.Op(w.S3.PutObject, put("data", "b", "b", tagged))},
		{Name: "the writer may not read tags", As: writer, Do: servicetest.Op(w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "b"}), Want: "AccessDenied"},
		{Name: "tags of a missing key", As: root, Do: servicetest.Op(w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "none"}), Want: "NoSuchKey"},
		{Name: "retag a missing key", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "none", Tags: tags}), Want: "NoSuchKey"},
		{Name: "eleven object tags", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "a", Tags: many(11)}), Want: "InvalidTag"},
		{Name: "an aws: tag", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "a", Tags: []s3.Tag{{Key: "aws:x"}}}), Want: "InvalidTag"},
		{Name: "an empty key", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "a", Tags: []s3.Tag{{Value: "v"}}}), Want: "InvalidTag"},
		{Name: "a key twice", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "a", Tags: []s3.Tag{{Key: "k"}, {Key: "k"}}}), Want: "InvalidTag"},
		{Name: "ten", As: root, Do: servicetest.Op(w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "a", Tags: many(10)})},
		{Name: "no bucket tags yet", As: root, Do: servicetest.Op(w.S3.GetBucketTagging, &s3.GetBucketTaggingInput{Bucket: "data"}), Want: "NoSuchTagSet"},
		{Name: "51 bucket tags", As: root, Do: servicetest.Op(w.S3.PutBucketTagging, &s3.PutBucketTaggingInput{Bucket: "data", Tags: many(51)}), Want: "InvalidTag"},
		{Name: "50", As: root, Do: servicetest.Op(w.S3.PutBucketTagging, &s3.PutBucketTaggingInput{Bucket: "data", Tags: many(50)})},
		{Name: "the writer may not tag the bucket", As: writer, Do: servicetest.Op(w.S3.PutBucketTagging, &s3.PutBucketTaggingInput{Bucket: "data", Tags: tags}), Want: "AccessDenied"},
	})
	if got := servicetest.Call(w.As(root), w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "b"}).OK().Tags; len(got) != 1 || got[0] != tags[0] {
		t.Errorf("tags of b = %v", got)
	}
	if got := servicetest.Call(w.As(root), w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "a"}).OK().Tags; len(got) != 10 {
		t.Errorf("a has %d tags", len(got))
	}
	servicetest.Call(w.As(root), w.S3.DeleteObjectTagging, &s3.DeleteObjectTaggingInput{Bucket: "data", Key: "a"}).OK()
	if got := servicetest.Call(w.As(root), w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "a"}).OK().Tags; len(got) != 0 {
		t.Errorf("a keeps %d tags", len(got))
	}
	servicetest.Call(w.As(root), w.S3.PutObjectTagging, &s3.PutObjectTaggingInput{Bucket: "data", Key: "b"}).OK()
	if got := servicetest.Call(w.As(root), w.S3.GetObjectTagging, &s3.GetObjectTaggingInput{Bucket: "data", Key: "b"}).OK().Tags; len(got) != 0 {
		t.Errorf("an empty tag set leaves %d tags", len(got))
	}
	if got := servicetest.Call(w.As(root), w.S3.GetBucketTagging, &s3.GetBucketTaggingInput{Bucket: "data"}).OK().Tags; len(got) != 50 {
		t.Errorf("the bucket has %d tags", len(got))
	}
}

// TestVersioning: keytrail's buckets have never been versioned: GetBucketVersioning answers no
// Status. https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
func TestVersioning(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "data")
	if s := servicetest.Call(w.As(root), w.S3.GetBucketVersioning, &s3.GetBucketVersioningInput{Bucket: "data"}).OK().Status; s != "" {
		t.Errorf("Status = %q", s)
	}
	w.Run(t, []servicetest.Step{
		{Name: "another account", As: w.Root(other), Do: servicetest.Op(w.S3.GetBucketVersioning, &s3.GetBucketVersioningInput{Bucket: "data"}), Want: "AccessDenied"},
		{Name: "no such bucket", As: root, Do: servicetest.Op(w.S3.GetBucketVersioning, &s3.GetBucketVersioningInput{Bucket: "nothing"}), Want: "NoSuchBucket"},
	})
}
