package app_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// malformedBucket is the bucket the malformed-request suite works on.
const malformedBucket = "malformed-suite"

// s3Fixture is the state the malformed requests must leave unchanged: a bucket with a policy,
// tags and an object with tags, and a multipart upload with one part.
type s3Fixture struct {
	e        *env
	c        *s3.Client
	uploadID string
	partETag string
}

func newS3Fixture(t *testing.T) *s3Fixture {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	b := aws.String(malformedBucket)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: b}))(t)
	must(c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"read","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + malformedBucket + `/*"}]}`)}))(t)
	must(c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: b, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("team"), Value: aws.String("audit")}}}}))(t)
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("obj"), Body: strings.NewReader("the original body"), Tagging: aws.String("k=v")}))(t)
	up := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp")}))(t)
	part := must(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part one")}))(t)
	return &s3Fixture{e: e, c: c, uploadID: aws.ToString(up.UploadId), partETag: aws.ToString(part.ETag)}
}

// snapshot describes everything a malformed request could change: the buckets, the objects with
// their bodies and tags, the bucket's policy, tags and encryption, and the uploads with their parts.
func (f *s3Fixture) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	errText := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return err.Error()
	}
	buckets := must(f.c.ListBuckets(ctx, &s3.ListBucketsInput{}))(t)
	for _, bk := range buckets.Buckets {
		fmt.Fprintf(&b, "bucket %s\n", aws.ToString(bk.Name))
	}
	bucket := aws.String(malformedBucket)
	objs := must(f.c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket}))(t)
	for _, o := range objs.Contents {
		out := must(f.c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: o.Key}))(t)
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		tags := must(f.c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: o.Key}))(t)
		fmt.Fprintf(&b, "object %s %s %q %d tags\n", aws.ToString(o.Key), aws.ToString(o.ETag), body, len(tags.TagSet))
	}
	if p, err := f.c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket}); err == nil {
		fmt.Fprintf(&b, "policy %s\n", aws.ToString(p.Policy))
	} else {
		fmt.Fprintf(&b, "policy %s\n", errText(err))
	}
	if tg, err := f.c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket}); err == nil {
		fmt.Fprintf(&b, "bucket tags %d\n", len(tg.TagSet))
	} else {
		fmt.Fprintf(&b, "bucket tags %s\n", errText(err))
	}
	enc := must(f.c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: bucket}))(t)
	fmt.Fprintf(&b, "encryption %s\n", enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)
	ups := must(f.c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket}))(t)
	for _, u := range ups.Uploads {
		parts := must(f.c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: u.Key, UploadId: u.UploadId}))(t)
		fmt.Fprintf(&b, "upload %s %s %d parts\n", aws.ToString(u.Key), aws.ToString(u.UploadId), len(parts.Parts))
	}
	return b.String()
}

// signedRequest is a request signed with SigV4 for S3 as the account's root, with its payload's
// SHA-256 in X-Amz-Content-Sha256.
func (f *s3Fixture) signedRequest(t *testing.T, method, target string, header http.Header, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, f.e.url+target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		r.Header[http.CanonicalHeaderKey(k)] = vs
	}
	sum := sha256.Sum256(body)
	r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}, r, hex.EncodeToString(sum[:]), "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// s3Error is S3's error document.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
}

// wantS3Error checks a response is a 4xx S3 error document with the code (any code when "").
func wantS3Error(t *testing.T, resp *http.Response, status int, code string) {
	t.Helper()
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e s3Error
	if err := xml.Unmarshal(raw, &e); err != nil || e.Code == "" || e.RequestID == "" {
		t.Fatalf("status %d, body %q is not an S3 error document: %v", resp.StatusCode, raw, err)
	}
	if resp.StatusCode < 400 || resp.StatusCode > 499 {
		t.Fatalf("status %d (%s: %s), want a 4xx", resp.StatusCode, e.Code, e.Message)
	}
	if (status != 0 && resp.StatusCode != status) || (code != "" && e.Code != code) {
		t.Fatalf("got %d %s (%s), want %d %s", resp.StatusCode, e.Code, e.Message, status, code)
	}
}

func b64md5(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }
func b64sha256(b []byte) string {
	s := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// malformedCase is one malformed request and the S3 error it must get.
type malformedCase struct {
	name, method, target string
	header               http.Header
	body                 string
	status               int    // 0: any 4xx
	code                 string // "": any code
}

func malformedCases(f *s3Fixture) []malformedCase {
	b, obj := "/"+malformedBucket, "/"+malformedBucket+"/obj"
	mp := "/" + malformedBucket + "/mp?uploadId=" + url.QueryEscape(f.uploadID)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	tagging := `<Tagging><TagSet><Tag><Key>new</Key><Value>tag</Value></Tag></TagSet></Tagging>`
	deleteObj := `<Delete><Object><Key>obj</Key></Object></Delete>`
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + malformedBucket + `/*"}]}`
	badPolicy := func(action string) string { return strings.Replace(policy, `"s3:*"`, action, 1) }
	complete := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + f.partETag + `</ETag></Part></CompleteMultipartUpload>`
	sse := `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`
	many := strings.Repeat("<Object><Key>x</Key></Object>", 1001)
	wrongMD5 := b64md5([]byte("something else"))
	return []malformedCase{
		// Bad XML bodies.
		{"tagging not closed", "PUT", b + "?tagging", nil, "<Tagging><TagSet>", 400, "MalformedXML"},
		{"tagging not XML", "PUT", b + "?tagging", nil, "not xml at all", 400, "MalformedXML"},
		{"tagging nested deep", "PUT", b + "?tagging", nil, "<Tagging>" + strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000) + "</Tagging>", 400, "MalformedXML"},
		{"tagging huge", "PUT", b + "?tagging", nil, "<Tagging><TagSet>" + strings.Repeat("<Tag><Key>k</Key><Value>v</Value></Tag>", 3000) + "</TagSet></Tagging>", 400, "MalformedXML"},
		{"tagging aws: key", "PUT", obj + "?tagging", nil, `<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>`, 400, "InvalidTag"},
		{"encryption wrong root", "PUT", b + "?encryption", nil, "<Foo/>", 400, "MalformedXML"},
		{"encryption unknown algorithm", "PUT", b + "?encryption", nil, strings.Replace(sse, "aws:kms", "DES", 1), 400, "MalformedXML"},
		{"delete empty body", "POST", b + "?delete", h("Content-MD5", b64md5(nil)), "", 400, "MalformedXML"},
		{"delete 1001 keys", "POST", b + "?delete", h("Content-MD5", b64md5([]byte("<Delete>"+many+"</Delete>"))), "<Delete>" + many + "</Delete>", 400, "MalformedXML"},
		{"delete without an integrity header", "POST", b + "?delete", nil, deleteObj, 400, "InvalidRequest"},
		{"complete garbage", "POST", mp, nil, "<CompleteMultipartUpload><Part>", 400, "MalformedXML"},
		{"complete entity expansion", "POST", mp, nil, `<!DOCTYPE x [<!ENTITY a "aaaa">]><CompleteMultipartUpload>&a;</CompleteMultipartUpload>`, 400, "MalformedXML"},
		{"create bucket bad configuration", "PUT", "/fresh-bucket-1", nil, "<CreateBucketConfiguration><LocationConstraint>", 400, "MalformedXML"},
		{"policy not JSON", "PUT", b + "?policy", nil, "{", 400, "MalformedPolicy"},
		{"policy unknown action", "PUT", b + "?policy", nil, badPolicy(`"s3:GetObjectz"`), 400, "MalformedPolicy"},
		{"policy foreign action", "PUT", b + "?policy", nil, badPolicy(`["s3:GetObject","foo:bar"]`), 400, "MalformedPolicy"},
		{"policy over 20 KB", "PUT", b + "?policy", nil, strings.Replace(policy, `"Effect"`, `"Sid":"`+strings.Repeat("a", 30000)+`","Effect"`, 1), 400, "MalformedPolicy"},
		// Bad headers.
		{"unknown canned ACL", "PUT", b + "/new", h("x-amz-acl", "privatee"), "x", 400, "InvalidArgument"},
		{"object ACL on a bucket", "PUT", "/fresh-bucket-2", h("x-amz-acl", "bucket-owner-full-control"), "", 400, "InvalidArgument"},
		{"unknown storage class", "PUT", b + "/new", h("x-amz-storage-class", "FOO"), "x", 400, "InvalidStorageClass"},
		{"metadata over 2 KB", "PUT", b + "/new", h("x-amz-meta-big", strings.Repeat("m", 2100)), "x", 400, "MetadataTooLarge"},
		{"unknown encryption", "PUT", b + "/new", h("x-amz-server-side-encryption", "DES"), "x", 400, "InvalidArgument"},
		{"encryption context not base64", "PUT", b + "/new", h("x-amz-server-side-encryption", "aws:kms", "x-amz-server-side-encryption-context", "%%%"), "x", 400, "InvalidArgument"},
		{"tagging header malformed", "PUT", b + "/new", h("x-amz-tagging", "a=%zz"), "x", 400, "InvalidArgument"},
		{"upload unknown storage class", "POST", b + "/new?uploads", h("x-amz-storage-class", "GLACIERX"), "", 400, "InvalidStorageClass"},
		{"upload unknown checksum algorithm", "POST", b + "/new?uploads", h("x-amz-checksum-algorithm", "MD4"), "", 400, "InvalidRequest"},
		// Bad checksums: the integrity headers of every body-taking operation.
		{"put Content-MD5 not base64", "PUT", b + "/new", h("Content-MD5", "not base64!"), "x", 400, "InvalidDigest"},
		{"put Content-MD5 wrong", "PUT", b + "/new", h("Content-MD5", wrongMD5), "x", 400, "BadDigest"},
		{"put crc32 wrong", "PUT", b + "/new", h("x-amz-checksum-crc32", crc32b64([]byte("y"))), "x", 400, "BadDigest"},
		{"put crc32 malformed", "PUT", b + "/new", h("x-amz-checksum-crc32", "zz"), "x", 400, "InvalidRequest"},
		{"put algorithm disagrees", "PUT", b + "/new", h("x-amz-sdk-checksum-algorithm", "CRC32C", "x-amz-checksum-crc32", crc32b64([]byte("x"))), "x", 400, "InvalidRequest"},
		{"put two checksums", "PUT", b + "/new", h("x-amz-checksum-crc32", crc32b64([]byte("x")), "x-amz-checksum-sha256", b64sha256([]byte("x"))), "x", 400, "InvalidRequest"},
		{"put algorithm without checksum", "PUT", b + "/new", h("x-amz-sdk-checksum-algorithm", "CRC32"), "x", 400, "InvalidRequest"},
		{"delete crc32 wrong", "POST", b + "?delete", h("x-amz-checksum-crc32", crc32b64([]byte("other"))), deleteObj, 400, "BadDigest"},
		{"delete Content-MD5 wrong", "POST", b + "?delete", h("Content-MD5", wrongMD5), deleteObj, 400, "BadDigest"},
		{"delete Content-MD5 not base64", "POST", b + "?delete", h("Content-MD5", "@@"), deleteObj, 400, "InvalidDigest"},
		{"delete algorithm disagrees", "POST", b + "?delete", h("x-amz-sdk-checksum-algorithm", "SHA256", "x-amz-checksum-crc32", crc32b64([]byte(deleteObj))), deleteObj, 400, "InvalidRequest"},
		{"policy Content-MD5 wrong", "PUT", b + "?policy", h("Content-MD5", wrongMD5), policy, 400, "BadDigest"},
		{"policy Content-MD5 not base64", "PUT", b + "?policy", h("Content-MD5", "zzz"), policy, 400, "InvalidDigest"},
		{"policy sha256 wrong", "PUT", b + "?policy", h("x-amz-checksum-sha256", b64sha256([]byte("other"))), policy, 400, "BadDigest"},
		{"bucket tagging crc32 wrong", "PUT", b + "?tagging", h("x-amz-checksum-crc32", crc32b64([]byte("other"))), tagging, 400, "BadDigest"},
		{"object tagging Content-MD5 wrong", "PUT", obj + "?tagging", h("Content-MD5", wrongMD5), tagging, 400, "BadDigest"},
		{"encryption Content-MD5 wrong", "PUT", b + "?encryption", h("Content-MD5", wrongMD5), sse, 400, "BadDigest"},
		{"complete Content-MD5 wrong", "POST", mp, h("Content-MD5", wrongMD5), complete, 400, "BadDigest"},
		{"create bucket Content-MD5 wrong", "PUT", "/fresh-bucket-3", h("Content-MD5", wrongMD5), "<CreateBucketConfiguration><LocationConstraint>us-west-2</LocationConstraint></CreateBucketConfiguration>", 400, "BadDigest"},
		{"part Content-MD5 wrong", "PUT", mp + "&partNumber=2", h("Content-MD5", wrongMD5), "part two", 400, "BadDigest"},
		// Bad bucket names.
		{"bucket sthree-", "PUT", "/sthree-logs", nil, "", 400, "InvalidBucketName"},
		{"bucket sthree-configurator", "PUT", "/sthree-configurator-logs", nil, "", 400, "InvalidBucketName"},
		{"bucket amzn-s3-demo-", "PUT", "/amzn-s3-demo-logs", nil, "", 400, "InvalidBucketName"},
		{"bucket xn--", "PUT", "/xn--logs", nil, "", 400, "InvalidBucketName"},
		{"bucket -s3alias", "PUT", "/logs-s3alias", nil, "", 400, "InvalidBucketName"},
		{"bucket --ol-s3", "PUT", "/logs--ol-s3", nil, "", 400, "InvalidBucketName"},
		{"bucket .mrap", "PUT", "/logs.mrap", nil, "", 400, "InvalidBucketName"},
		{"bucket --x-s3", "PUT", "/logs--x-s3", nil, "", 400, "InvalidBucketName"},
		{"bucket --table-s3", "PUT", "/logs--table-s3", nil, "", 400, "InvalidBucketName"},
		{"bucket IP address", "PUT", "/192.168.5.4", nil, "", 400, "InvalidBucketName"},
		{"bucket upper case", "PUT", "/Logs", nil, "", 400, "InvalidBucketName"},
		{"bucket adjacent periods", "PUT", "/lo..gs", nil, "", 400, "InvalidBucketName"},
		// Bad query parameters.
		{"max-keys not a number", "GET", b + "?max-keys=abc", nil, "", 400, "InvalidArgument"},
		{"max-keys negative", "GET", b + "?list-type=2&max-keys=-1", nil, "", 400, "InvalidArgument"},
		{"max-uploads not a number", "GET", b + "?uploads&max-uploads=abc", nil, "", 400, "InvalidArgument"},
		{"max-parts not a number", "GET", mp + "&max-parts=abc", nil, "", 400, "InvalidArgument"},
		{"part-number-marker not a number", "GET", mp + "&part-number-marker=abc", nil, "", 400, "InvalidArgument"},
		{"partNumber zero", "PUT", mp + "&partNumber=0", nil, "x", 400, "InvalidArgument"},
		{"partNumber not a number", "PUT", mp + "&partNumber=abc", nil, "x", 400, "InvalidArgument"},
		{"partNumber too large", "PUT", mp + "&partNumber=10001", nil, "x", 400, "InvalidArgument"},
		{"continuation token garbage", "GET", b + "?list-type=2&continuation-token=%21%21", nil, "", 400, "InvalidArgument"},
		{"continuation token forged", "GET", b + "?list-type=2&continuation-token=b2Jq", nil, "", 400, "InvalidArgument"},
		{"encoding-type unknown", "GET", b + "?encoding-type=xml", nil, "", 400, "InvalidArgument"},
		{"max-keys past int32", "GET", b + "?max-keys=99999999999", nil, "", 400, "InvalidArgument"},
		// Bad methods.
		{"PATCH object", "PATCH", obj, nil, "x", 405, "MethodNotAllowed"},
		{"PATCH bucket", "PATCH", b, nil, "", 405, "MethodNotAllowed"},
		{"POST service", "POST", "/", nil, "", 405, "MethodNotAllowed"},
		{"PUT service", "PUT", "/", nil, "", 405, "MethodNotAllowed"},
		{"OPTIONS object", "OPTIONS", obj, nil, "", 405, "MethodNotAllowed"},
		// Bad ranges.
		{"range past the end", "GET", obj, h("Range", "bytes=1000-2000"), "", 416, "InvalidRange"},
		{"range starting at the size", "GET", obj, h("Range", "bytes=17-"), "", 416, "InvalidRange"},
		{"copy part range past the source", "PUT", mp + "&partNumber=2", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-copy-source-range", "bytes=0-1000"), "", 400, "InvalidArgument"},
		{"copy part range reversed", "PUT", mp + "&partNumber=2", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-copy-source-range", "bytes=9-3"), "", 400, "InvalidArgument"},
		// Bad copy sources.
		{"copy source without key", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket), "", 400, "InvalidArgument"},
		{"copy source bad escape", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/%zz"), "", 400, "InvalidArgument"},
		{"copy source version", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/obj?versionId=3"), "", 400, "InvalidArgument"},
		{"copy source missing key", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/missing"), "", 404, "NoSuchKey"},
		{"copy source missing bucket", "PUT", b + "/copy", h("x-amz-copy-source", "/no-such-bucket-here/obj"), "", 404, "NoSuchBucket"},
		{"copy source bad date", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-copy-source-if-modified-since", "yesterday"), "", 400, "InvalidArgument"},
		{"copy metadata directive unknown", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-metadata-directive", "MERGE"), "", 400, "InvalidArgument"},
		{"copy tagging directive unknown", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-tagging-directive", "MERGE"), "", 400, "InvalidArgument"},
		{"copy object ACL unknown", "PUT", b + "/copy", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-acl", "everyone"), "", 400, "InvalidArgument"},
		{"copy part range garbage", "PUT", mp + "&partNumber=2", h("x-amz-copy-source", "/"+malformedBucket+"/obj", "x-amz-copy-source-range", "bytes=abc"), "", 400, "InvalidArgument"},
		// Bad multipart IDs.
		{"part of unknown upload", "PUT", b + "/mp?uploadId=nope&partNumber=1", nil, "x", 404, "NoSuchUpload"},
		{"complete unknown upload", "POST", b + "/mp?uploadId=nope", nil, complete, 404, "NoSuchUpload"},
		{"abort unknown upload", "DELETE", b + "/mp?uploadId=nope", nil, "", 404, "NoSuchUpload"},
		{"list parts of unknown upload", "GET", b + "/mp?uploadId=nope", nil, "", 404, "NoSuchUpload"},
		{"complete with a wrong ETag", "POST", mp, nil, strings.Replace(complete, f.partETag, `"0123"`, 1), 400, "InvalidPart"},
		{"complete with a missing part", "POST", mp, nil, strings.Replace(complete, "<PartNumber>1<", "<PartNumber>7<", 1), 400, "InvalidPart"},
	}
}

// TestS3MalformedRequests sends each malformed, correctly signed request through the gateway:
// each gets a 4xx S3 error document, the server still answers, and nothing changes.
func TestS3MalformedRequests(t *testing.T) {
	f := newS3Fixture(t)
	before := f.snapshot(t)
	cases := malformedCases(f)
	if len(cases) < 50 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(f.signedRequest(t, c.method, c.target, c.header, []byte(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			wantS3Error(t, resp, c.status, c.code)
			if after := f.snapshot(t); after != before {
				t.Fatalf("state changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

// TestS3IncompleteBodies cuts bodies short of their Content-Length on a raw connection: each
// body-taking operation answers 400 IncompleteBody and stores nothing.
func TestS3IncompleteBodies(t *testing.T) {
	f := newS3Fixture(t)
	before := f.snapshot(t)
	full := bytes.Repeat([]byte("0123456789"), 10)
	tagging := []byte(`<Tagging><TagSet><Tag><Key>new</Key><Value>tag-value-that-is-long-enough</Value></Tag></TagSet></Tagging>`)
	for _, c := range []struct {
		name, method, target string
		body                 []byte
	}{
		{"PutObject", "PUT", "/" + malformedBucket + "/cut", full},
		{"PutObject over the original", "PUT", "/" + malformedBucket + "/obj", full},
		{"UploadPart", "PUT", "/" + malformedBucket + "/mp?uploadId=" + url.QueryEscape(f.uploadID) + "&partNumber=2", full},
		{"PutBucketTagging", "PUT", "/" + malformedBucket + "?tagging", tagging},
		{"PutBucketPolicy", "PUT", "/" + malformedBucket + "?policy", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.signedRequest(t, c.method, c.target, nil, c.body)
			resp := sendCut(t, f.e.url, r, c.body[:10])
			if resp.StatusCode != 400 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			wantS3Error(t, resp, 400, "IncompleteBody")
			if after := f.snapshot(t); after != before {
				t.Fatalf("state changed:\nbefore\n%s\nafter\n%s", before, after)
			}
		})
	}
}

// sendCut writes r's head with its full Content-Length, then only part of the body, then closes
// its side of the connection, and reads the answer.
func sendCut(t *testing.T, base string, r *http.Request, part []byte) *http.Response {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.Method, r.URL.RequestURI(), r.Host, r.ContentLength)
	names := make([]string, 0, len(r.Header))
	for k := range r.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range r.Header[k] {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	head.Write(part)
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatal(err)
	}
	conn.(*net.TCPConn).CloseWrite()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), r)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
