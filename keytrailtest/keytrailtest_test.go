package keytrailtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"go.uber.org/goleak"

	"github.com/keytrail/keytrail/keytrailtest"
)

// TestMain fails the package when any goroutine outlives the tests and examples: every Server
// was closed, with its background work and its clients' connections.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const account = "111122223333"

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

// Servers started by parallel tests are apart: each has its own port, state and keys.
func TestParallelServersAreApart(t *testing.T) {
	urls := sync.Map{}
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			srv := keytrailtest.Start(t)
			if _, dup := urls.LoadOrStore(srv.URL, i); dup || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
				t.Fatalf("URL %s", srv.URL)
			}
			ctx := context.Background()
			c := kms.NewFromConfig(srv.Config(account))
			for range i + 1 {
				if _, err := c.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
					t.Fatal(err)
				}
			}
			keys, err := c.ListKeys(ctx, &kms.ListKeysInput{})
			if err != nil || len(keys.Keys) != i+1 {
				t.Fatalf("ListKeys: %v, %d keys, want %d", err, len(keys.Keys), i+1)
			}
		})
	}
}

// Config signs as the account's root; NewUser as the user, whose policy applies; a config with
// a wrong secret is refused.
func TestConfigAndNewUser(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	var mu sync.Mutex
	srv := keytrailtest.Start(t, keytrailtest.WithRegion("eu-west-1"), keytrailtest.WithRootSecret("s3cr3t"),
		keytrailtest.WithLogger(slog.New(slog.NewJSONHandler(lockedWriter{&mu, &logs}, nil))))
	ctx := context.Background()
	who, err := sts.NewFromConfig(srv.Config(account)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::"+account+":root" {
		t.Fatalf("root: %v %v", who, err)
	}
	cfg := srv.NewUser(t, account, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*"}]}`)
	if cfg.Region != "eu-west-1" {
		t.Fatalf("region %s", cfg.Region)
	}
	who, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::"+account+":user/alice" {
		t.Fatalf("alice: %v %v", who, err)
	}
	key, err := kms.NewFromConfig(cfg).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil || !strings.HasPrefix(aws.ToString(key.KeyMetadata.Arn), "arn:aws:kms:eu-west-1:"+account+":key/") {
		t.Fatalf("alice's CreateKey: %v", err)
	}
	_, err = kms.NewFromConfig(cfg).ListKeys(ctx, &kms.ListKeysInput{})
	wantCode(t, err, "AccessDeniedException")
	if _, err := srv.CreateUser(ctx, account, "alice", ""); err == nil {
		t.Fatal("a second user alice was created")
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), `"operation":"ListKeys","caller":"arn:aws:iam::111122223333:user/alice","status":400,"code":"AccessDeniedException"`) {
		t.Fatalf("the logger was not used:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// Flush delivers a trail's log files; LogRecords reads them back decrypted, as the owner.
func TestFlushAndLogRecords(t *testing.T) {
	t.Parallel()
	srv := keytrailtest.Start(t)
	ctx := context.Background()
	owner := srv.S3(account)
	if _, err := owner.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("logs"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(srv.Config(account))
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("audit"), S3BucketName: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("audit")}); err != nil {
		t.Fatal(err)
	}
	if _, err := kms.NewFromConfig(srv.Config(account)).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("logged")}); err != nil {
		t.Fatal(err)
	}
	if got := srv.LogRecords(t, account, "logs"); len(got) != 0 {
		t.Fatalf("%d records before the flush", len(got))
	}
	sum := srv.Flush(t)
	if sum.LogFiles == 0 || len(sum.Errors) != 0 {
		t.Fatalf("flush: %+v", sum)
	}
	files := srv.LogFiles(t, account, "logs")
	recs := srv.LogRecords(t, account, "logs")
	if len(files) != sum.LogFiles || len(recs) != sum.Records {
		t.Fatalf("%d files, %d records; the flush wrote %d and %d", len(files), len(recs), sum.LogFiles, sum.Records)
	}
	found := false
	for _, r := range recs {
		found = found || r.EventName() == "CreateKey"
	}
	if !found {
		t.Fatalf("no CreateKey record in %v", recs)
	}
}

// New and Close, without a test: the state directory is removed on Close.
func TestNewAndClose(t *testing.T) {
	srv, err := keytrailtest.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sts.NewFromConfig(srv.Config(account)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	dir := keytrailtest.DataDir(srv)
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s is left after Close: %v", dir, err)
	}
}
