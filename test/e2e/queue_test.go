//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func rootCreds() aws.CredentialsProviderFunc {
	return func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: account, SecretAccessKey: "test"}, nil
	}
}

// TestQueueSurvivesKill9: every call keytrail answered before a kill -9 is delivered after the
// restart, exactly once.
func TestQueueSurvivesKill9(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	s := startServer(t, data)
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds(), UsePathStyle: true})
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(c4Policy("trail-logs", ""))}); err != nil {
		t.Fatal(err)
	}
	trails := cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds()})
	if _, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		t.Fatal(err)
	}
	users := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds()})
	const n = 300
	for i := 0; i < n; i++ {
		if _, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user-%03d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	s.kill()

	s = startServer(t, data)
	s.flush(t)
	s3c = s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: rootCreds(), UsePathStyle: true})
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("AWSLogs/")})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, o := range list.Contents {
		out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(out.Body)
		out.Body.Close()
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []map[string]any }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Records {
			if p, ok := r["requestParameters"].(map[string]any); ok && r["eventName"] == "CreateUser" && strings.HasPrefix(p["userName"].(string), "user-") {
				seen[p["userName"].(string)]++
			}
		}
	}
	for i := 0; i < n; i++ {
		if name := fmt.Sprintf("user-%03d", i); seen[name] != 1 {
			t.Fatalf("CreateUser %s was delivered %d times after kill -9", name, seen[name])
		}
	}
}
