//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// validator runs one of the two validators against a server: the AWS CLI on PATH (v1, whose
// botocore honours AWS_ENDPOINT_URL for both its CloudTrail and S3 clients) or keytrail's own.
type validator struct {
	name string
	run  func(t *testing.T, url string, args ...string) result
}

var validators = []validator{
	{"aws cloudtrail validate-logs", func(t *testing.T, url string, args ...string) result {
		return runEnv(t, url, append([]string{"aws", "cloudtrail", "validate-logs"}, args...))
	}},
	{"keytrail validate-logs", func(t *testing.T, url string, args ...string) result {
		return runEnv(t, url, append([]string{binary, "validate-logs"}, args...))
	}},
}

func runEnv(t *testing.T, url string, argv []string) result {
	t.Helper()
	return runProcess(t, argv, awsEnv(t, root, url))
}

type sdk struct {
	s3  *s3.Client
	ct  *cloudtrail.Client
	iam *iam.Client
	kms *kms.Client
}

func clients(url string) sdk {
	return sdk{
		s3:  s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: rootCreds(), UsePathStyle: true}),
		ct:  cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: rootCreds()}),
		iam: iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: rootCreds()}),
		kms: kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: rootCreds()}),
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// object is an S3 object's bytes and metadata, to put back after tampering.
type object struct {
	body []byte
	meta map[string]string
}

func (c sdk) get(t *testing.T, bucket, key string) object {
	t.Helper()
	out, err := c.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	check(t, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	check(t, err)
	return object{b, out.Metadata}
}

func (c sdk) put(t *testing.T, bucket, key string, o object) {
	t.Helper()
	_, err := c.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(o.body), Metadata: o.meta})
	check(t, err)
}

func (c sdk) keys(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	out, err := c.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	check(t, err)
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func gz(t *testing.T, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write(data)
	check(t, err)
	check(t, w.Close())
	return b.Bytes()
}

func gunzip(t *testing.T, data []byte) []byte {
	r, err := gzip.NewReader(bytes.NewReader(data))
	check(t, err)
	out, err := io.ReadAll(r)
	check(t, err)
	return out
}

const validationKeyPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`

var ratio = regexp.MustCompile(`(\d+)/(\d+) (digest|log) files valid`)

// valid requires a validation to succeed with every digest and log file valid, at least min
// digests; it returns the digest and log counts.
func valid(t *testing.T, v validator, r result, least int) (int, int) {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("%s: exit %d\n%s\n%s", v.name, r.code, r.out, r.err)
	}
	counts := map[string]int{}
	for _, m := range ratio.FindAllStringSubmatch(r.out, -1) {
		if m[1] != m[2] {
			t.Fatalf("%s: %s\n%s", v.name, m[0], r.out)
		}
		counts[m[3]], _ = strconv.Atoi(m[1])
	}
	if counts["digest"] < least || counts["log"] == 0 {
		t.Fatalf("%s found %d digests and %d log files:\n%s", v.name, counts["digest"], counts["log"], r.out)
	}
	return counts["digest"], counts["log"]
}

// TestValidateLogs: the real `aws cloudtrail validate-logs` and `keytrail validate-logs` find
// every digest and log file valid over several digests (across a restart), for an encrypted and
// a plain trail, and report INVALID with exit status 1 after each kind of tampering.
func TestValidateLogs(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Fatalf("the AWS CLI is not installed (make test installs it): %v", err)
	}
	ctx := context.Background()
	data := t.TempDir()
	s := startServer(t, data)
	c := clients(s.url)
	start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")})
	check(t, err)
	// CloudTrail's bucket policy for both trails: by source account, under both prefixes.
	policy := strings.ReplaceAll(c4Policy("trail-logs", ""), `"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:`+account+`:trail/management"`, `"aws:SourceAccount":"`+account+`"`)
	policy = strings.ReplaceAll(policy, `"Resource":"arn:aws:s3:::trail-logs/AWSLogs/`+account+`/*"`,
		`"Resource":["arn:aws:s3:::trail-logs/management/AWSLogs/`+account+`/*","arn:aws:s3:::trail-logs/plain/AWSLogs/`+account+`/*"]`)
	_, err = c.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(policy)})
	check(t, err)
	key, err := c.kms.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(validationKeyPolicy)})
	check(t, err)
	for name, kmsKey := range map[string]*string{"management": key.KeyMetadata.Arn, "plain": nil} {
		_, err := c.ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("trail-logs"),
			S3KeyPrefix: aws.String(name), EnableLogFileValidation: aws.Bool(true), KmsKeyId: kmsKey})
		check(t, err)
		_, err = c.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)})
		check(t, err)
	}
	for i := 0; i < 3; i++ {
		_, err := c.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("user-" + strconv.Itoa(i))})
		check(t, err)
		s.flush(t)
		if i == 1 { // the chain continues across a restart
			s.stop(t)
			s = startServer(t, data)
			c = clients(s.url)
		}
	}
	arn := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	digests := c.keys(t, "trail-logs", "management/AWSLogs/"+account+"/CloudTrail-Digest/")
	logs := c.keys(t, "trail-logs", "management/AWSLogs/"+account+"/CloudTrail/")
	if len(digests) < 3 || len(logs) < 3 {
		t.Fatalf("%d digests and %d log files", len(digests), len(logs))
	}
	// The log files are encrypted under the trail's key; the digests with SSE-S3.
	head, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(logs[0])})
	check(t, err)
	dhead, err := c.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(digests[0])})
	check(t, err)
	if aws.ToString(head.SSEKMSKeyId) != aws.ToString(key.KeyMetadata.Arn) || string(dhead.ServerSideEncryption) != "AES256" || dhead.Metadata["signature-algorithm"] != "SHA256withRSA" {
		t.Fatalf("log file key %s, digest encryption %s, metadata %v", aws.ToString(head.SSEKMSKeyId), dhead.ServerSideEncryption, dhead.Metadata)
	}

	args := []string{"--trail-arn", arn, "--start-time", start, "--verbose"}
	for _, v := range validators {
		d, l := valid(t, v, v.run(t, s.url, args...), 3)
		if d != len(digests) || l != len(logs) {
			t.Fatalf("%s validated %d digests and %d logs of %d and %d", v.name, d, l, len(digests), len(logs))
		}
		valid(t, v, v.run(t, s.url, "--trail-arn", "arn:aws:cloudtrail:us-east-1:"+account+":trail/plain", "--start-time", start), 3)
	}

	tamper := []struct {
		name, want string
		do         func(orig object, key string)
		target     string
	}{
		{"a log file modified", "INVALID: hash value doesn't match", func(o object, k string) {
			c.put(t, "trail-logs", k, object{gz(t, append(gunzip(t, o.body), ' ')), nil})
		}, logs[1]},
		{"a log file deleted", "INVALID: not found", func(_ object, k string) {
			_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(k)})
			check(t, err)
		}, logs[1]},
		{"a digest modified", "INVALID: signature verification failed", func(o object, k string) {
			c.put(t, "trail-logs", k, object{gz(t, bytes.Replace(gunzip(t, o.body), []byte(`"logFiles":[`), []byte(`"logFiles":[ `), 1)), o.meta})
		}, digests[1]},
		{"a digest deleted", "INVALID: not found", func(_ object, k string) {
			_, err := c.s3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(k)})
			check(t, err)
		}, digests[1]},
	}
	for _, tc := range tamper {
		orig := c.get(t, "trail-logs", tc.target)
		tc.do(orig, tc.target)
		for _, v := range validators {
			r := v.run(t, s.url, args...)
			if r.code != 1 || !strings.Contains(r.err, tc.target+"\t"+tc.want) || !strings.Contains(r.out, "INVALID") {
				t.Fatalf("%s after %s: exit %d\nstdout:\n%s\nstderr:\n%s", v.name, tc.name, r.code, r.out, r.err)
			}
		}
		c.put(t, "trail-logs", tc.target, orig)
		valid(t, validators[0], validators[0].run(t, s.url, args...), 3)
	}
}
