package validatelogs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/validatelogs"
)

const (
	account    = "111122223333"
	rootSecret = "test"
	bucket     = "trail-logs"
)

// t0 is when every world's clock starts.
var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// world is the wired app served on 127.0.0.1 with a settable clock, and root's clients of it.
type world struct {
	t     *testing.T
	clock *servicetest.Clock
	app   *app.App
	url   string
	ct    *cloudtrail.Client
	s3    *s3.Client
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clock := servicetest.NewClock(t0)
	a, err := app.Open(app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: rootSecret, Version: "test",
		Now: clock.Now, Rand: servicetest.NewRand(9)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	w := &world{t: t, clock: clock, app: a, url: srv.URL}
	w.ct = w.cloudTrail(root, "us-east-1")
	w.s3 = w.s3Client(root, "us-east-1")
	return w
}

// on is w for a subtest: its failures are t's.
func (w *world) on(t *testing.T) *world {
	c := *w
	c.t = t
	return &c
}

// clockSigner sends each request signed again at the world's clock, as a client whose clock
// agrees with the server's: the SDK signs with the real time, which the server's SigV4 check
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html) rejects
// as more than 15 minutes away from its clock.
type clockSigner struct {
	now   func() time.Time
	creds aws.Credentials
}

var credentialScope = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request`)

func (c clockSigner) Do(r *http.Request) (*http.Response, error) {
	scope := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if scope == nil {
		return nil, fmt.Errorf("unsigned request to %s", r.URL)
	}
	region, service := scope[1], scope[2]
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash == "" {
		var body []byte
		if r.Body != nil {
			var err error
			if body, err = io.ReadAll(r.Body); err != nil {
				return nil, err
			}
			r.Body.Close()
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	r.Header.Del("Authorization")
	r.Header.Del("X-Amz-Date")
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err := signer.SignHTTP(r.Context(), c.creds, r, hash, service, region, c.now()); err != nil {
		return nil, err
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Retrieve makes the signer its own credentials provider.
func (c clockSigner) Retrieve(context.Context) (aws.Credentials, error) { return c.creds, nil }

// root is the account's root credentials.
var root = aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}

func (w *world) signer(c aws.Credentials) clockSigner { return clockSigner{now: w.clock.Now, creds: c} }

func (w *world) cloudTrail(c aws.Credentials, region string) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{Region: region, BaseEndpoint: aws.String(w.url), RetryMaxAttempts: 1,
		Credentials: w.signer(c), HTTPClient: w.signer(c)})
}

func (w *world) s3Client(c aws.Credentials, region string) *s3.Client {
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(w.url), UsePathStyle: true, RetryMaxAttempts: 1,
		Credentials: w.signer(c), HTTPClient: w.signer(c)})
}

// bucketPolicy is CloudTrail's bucket policy of
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
// for every trail of the account, under any prefix.
const bucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs",
  "Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceAccount":"111122223333"}}}]}`

// trailARN is the ARN of the account's trail name in us-east-1.
func trailARN(name string) string {
	return "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name
}

// trail makes the bucket (once) and a logging trail with log file validation, at the clock's time.
func (w *world) trail(name, prefix string) string {
	w.t.Helper()
	ctx := context.Background()
	if _, err := w.s3.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err != nil {
		w.must(w.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
		w.must(w.s3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(bucketPolicy)}))
	}
	in := &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket), EnableLogFileValidation: aws.Bool(true)}
	if prefix != "" {
		in.S3KeyPrefix = aws.String(prefix)
	}
	w.must(w.ct.CreateTrail(ctx, in))
	w.must(w.ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}))
	return trailARN(name)
}

// hour moves the clock on an hour, makes a call for the trails to record and delivers: every
// trail gets a log file and a digest ending now.
func (w *world) hour() {
	w.t.Helper()
	w.clock.Advance(time.Hour)
	ctx := context.Background()
	w.must(w.s3.ListBuckets(ctx, &s3.ListBucketsInput{}))
	w.deliver()
}

func (w *world) deliver() {
	w.t.Helper()
	sum, err := w.app.CloudTrail.Deliver(context.Background())
	if err != nil || len(sum.Errors) > 0 {
		w.t.Fatalf("delivery: %+v, %v", sum, err)
	}
}

// must fails the test on err; it takes a call's two results.
func (w *world) must(_ any, err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// keys lists the bucket's keys under prefix, in key order.
func (w *world) keys(prefix string) []string {
	w.t.Helper()
	out, err := w.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		w.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// digests and logs list a trail's digest and log file keys, oldest first.
func (w *world) digests(prefix string) []string {
	return w.keys(prefix + "AWSLogs/" + account + "/CloudTrail-Digest/")
}
func (w *world) logs(prefix string) []string {
	return w.keys(prefix + "AWSLogs/" + account + "/CloudTrail/")
}

// object is an S3 object's bytes and metadata.
type object struct {
	body []byte
	meta map[string]string
}

func (w *world) get(key string) object {
	w.t.Helper()
	out, err := w.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		w.t.Fatal(err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return object{b, out.Metadata}
}

func (w *world) put(key string, o object) {
	w.t.Helper()
	w.must(w.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(o.body), Metadata: o.meta}))
}

func (w *world) delete(key string) {
	w.t.Helper()
	w.must(w.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
}

// editDigest rewrites a digest's JSON with edit, keeping its metadata (and so its signature).
func (w *world) editDigest(key string, edit func(map[string]any)) {
	w.t.Helper()
	o := w.get(key)
	var d map[string]any
	if err := json.Unmarshal(gunzip(w.t, o.body), &d); err != nil {
		w.t.Fatal(err)
	}
	edit(d)
	raw, err := json.Marshal(d)
	if err != nil {
		w.t.Fatal(err)
	}
	w.put(key, object{gz(w.t, raw), o.meta})
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// report is what one validation printed and returned.
type report struct {
	res            validatelogs.Result
	err            error
	stdout, stderr string
}

// validate runs validatelogs against the world with cfg's arguments, by default as root
// from us-east-1.
func (w *world) validate(cfg validatelogs.Config) report {
	w.t.Helper()
	var stdout, stderr bytes.Buffer
	cfg.Stdout, cfg.Stderr = &stdout, &stderr
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.CloudTrail == nil {
		cfg.CloudTrail = w.ct
	}
	if cfg.S3 == nil {
		cfg.S3 = func(region string) *s3.Client { return w.s3Client(root, region) }
	}
	res, err := validatelogs.Run(context.Background(), cfg)
	return report{res: res, err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// ok fails unless the validation ran.
func (r report) ok(t *testing.T) report {
	t.Helper()
	if r.err != nil {
		t.Fatalf("validation failed: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.stdout, r.stderr)
	}
	return r
}

// want fails unless the validation counted res.
func (r report) want(t *testing.T, res validatelogs.Result) report {
	t.Helper()
	r.ok(t)
	if r.res != res {
		t.Fatalf("result = %+v, want %+v\nstdout:\n%s\nstderr:\n%s", r.res, res, r.stdout, r.stderr)
	}
	if r.res.Invalid() != (res.InvalidDigests+res.InvalidLogs > 0) {
		t.Fatalf("Invalid() = %v for %+v", r.res.Invalid(), r.res)
	}
	return r
}

// has fails unless the named output contains every line of lines.
func (r report) has(t *testing.T, stream string, lines ...string) report {
	t.Helper()
	out := r.stdout
	if stream == "stderr" {
		out = r.stderr
	}
	for _, l := range lines {
		if !strings.Contains(out, l) {
			t.Fatalf("%s lacks %q:\n%s", stream, l, out)
		}
	}
	return r
}

// lacks fails if the named output contains any of texts.
func (r report) lacks(t *testing.T, stream string, texts ...string) report {
	t.Helper()
	out := r.stdout
	if stream == "stderr" {
		out = r.stderr
	}
	for _, s := range texts {
		if strings.Contains(out, s) {
			t.Fatalf("%s has %q:\n%s", stream, s, out)
		}
	}
	return r
}

func (w *world) iam() *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(w.url), RetryMaxAttempts: 1,
		Credentials: w.signer(root), HTTPClient: w.signer(root)})
}

// user makes an IAM user of the account with an identity policy and returns its credentials.
func (w *world) user(name, policy string) aws.Credentials {
	w.t.Helper()
	ctx := context.Background()
	c := w.iam()
	w.must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	w.must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("validate"), PolicyDocument: aws.String(policy)}))
	key, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
}

// as makes cfg run with c's credentials.
func (w *world) as(c aws.Credentials, cfg validatelogs.Config) validatelogs.Config {
	cfg.CloudTrail = w.cloudTrail(c, "us-east-1")
	cfg.S3 = func(region string) *s3.Client { return w.s3Client(c, region) }
	return cfg
}
