package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/app"
	ct "github.com/keytrail/keytrail/internal/cloudtrail"
)

const account = "111122223333"

func creds() aws.CredentialsProviderFunc {
	return func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: account, SecretAccessKey: "test"}, nil
	}
}

type running struct {
	a   *app.App
	srv *httptest.Server
}

func open(t *testing.T, dir string) *running {
	t.Helper()
	a, err := app.Open(app.Config{Data: dir, Region: "us-east-1", RootSecret: "test", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return &running{a, httptest.NewServer(a.Handler())}
}

func (r *running) close() {
	r.srv.Close()
	r.a.Close()
}

func (r *running) s3() *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds(), UsePathStyle: true})
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

const bucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/111122223333/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`

// logsBucket makes the bucket "logs" with a policy that lets CloudTrail write.
func (r *running) logsBucket(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	_, err := r.s3().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")})
	check(t, err)
	_, err = r.s3().PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(bucketPolicy)})
	check(t, err)
}

func (r *running) trails() *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds()})
}

// A delivery interrupted after writing its files but before recording it (a crash) is redone
// after the restart into the same objects: every record is in the bucket exactly once.
func TestInterruptedDeliveryIsRedoneOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	r := open(t, dir)
	s3c := r.s3()
	r.logsBucket(t)
	trails := r.trails()
	_, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("logs")})
	check(t, err)
	_, err = trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")})
	check(t, err)
	users := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds()})
	for _, u := range []string{"u1", "u2", "u3"} {
		_, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u)})
		check(t, err)
	}
	crash := errors.New("crash")
	ct.SetAfterWrite(r.a.CloudTrail, func() error { return crash })
	if _, err := r.a.CloudTrail.Deliver(ctx); !errors.Is(err, crash) {
		t.Fatalf("Deliver = %v, want the crash", err)
	}
	first := logKeys(t, s3c)
	if len(first) != 1 {
		t.Fatalf("before the crash %d files were written", len(first))
	}
	r.close()

	r = open(t, dir)
	defer r.close()
	sum, err := r.a.CloudTrail.Deliver(ctx)
	check(t, err)
	if sum.LogFiles == 0 {
		t.Fatalf("after the restart the batch was not redone: %+v", sum)
	}
	keys := logKeys(t, r.s3())
	if keys[0] != first[0] {
		t.Fatalf("the redone batch went to %s, not %s", keys[0], first[0])
	}
	seen := map[string]int{}
	for _, k := range keys {
		for _, rec := range records(t, r.s3(), k) {
			if rec["eventName"] == "CreateUser" {
				seen[rec["requestParameters"].(map[string]any)["userName"].(string)]++
			}
		}
	}
	if seen["u1"] != 1 || seen["u2"] != 1 || seen["u3"] != 1 {
		t.Fatalf("deliveries per user: %v", seen)
	}
}

func logKeys(t *testing.T, c *s3.Client) []string {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("AWSLogs/")})
	check(t, err)
	var keys []string
	for _, o := range out.Contents {
		if strings.Contains(aws.ToString(o.Key), "/CloudTrail/") {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func records(t *testing.T, c *s3.Client, key string) []map[string]any {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String(key)})
	check(t, err)
	raw, _ := io.ReadAll(out.Body)
	out.Body.Close()
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	check(t, err)
	var doc struct{ Records []map[string]any }
	check(t, json.NewDecoder(zr).Decode(&doc))
	return doc.Records
}

func gunzipBody(t *testing.T, body io.ReadCloser) []byte {
	t.Helper()
	defer body.Close()
	raw, err := io.ReadAll(body)
	check(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	check(t, err)
	out, err := io.ReadAll(zr)
	check(t, err)
	return out
}
