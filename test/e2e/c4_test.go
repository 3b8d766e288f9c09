//go:build e2e

package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	s3svc "github.com/keytrail/keytrail/internal/s3"
)

// inProcess serves keytrail from this process, so that a test can drive it with real clients
// and also call a service as an AWS service principal, as CloudTrail does.
func inProcess(t *testing.T) (string, *app.App) {
	t.Helper()
	a, err := app.Open(app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: root.secret, Version: "e2e",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	return srv.URL, a
}

// c4Policy is the bucket policy CloudTrail requires (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html) as its page gives it,
// with its placeholders filled for a trail "management" in us-east-1.
func c4Policy(bucket, prefix string) string {
	if prefix != "" {
		prefix += "/"
	}
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",
  "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:` + account + `:trail/management"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/` + prefix + `AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control",
                               "aws:SourceArn":"arn:aws:cloudtrail:us-east-1:` + account + `:trail/management"}}}]}`
}

// checkCloudTrailWrites calls S3 as cloudtrail.amazonaws.com, as CloudTrail does: its ACL check
// and a log file write succeed for the trail the policy names, with bucket-owner-full-control,
// under the prefix; every other variation is AccessDenied. It returns the log file's key.
func checkCloudTrailWrites(t *testing.T, a *app.App, bucket, prefix string) string {
	t.Helper()
	service := identity.WithPrincipal(context.Background(), identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"})
	trail := func(name string) context.Context {
		return authz.WithKeys(service, authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name}})
	}
	if prefix != "" {
		prefix += "/"
	}
	key := prefix + "AWSLogs/" + account + "/CloudTrail/us-east-1/2026/11/22/" + account + "_CloudTrail_us-east-1_20261122T1200Z_Mu0KsOhtH1ar15ZZ.json.gz"
	put := func(ctx context.Context, key, acl string) error {
		_, err := a.S3.PutObject(ctx, &s3svc.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(`{"Records":[]}`), ACL: acl})
		return err
	}
	if _, err := a.S3.GetBucketACL(trail("management"), bucket); err != nil {
		t.Fatalf("CloudTrail's GetBucketAcl: %v", err)
	}
	if err := put(trail("management"), key, "bucket-owner-full-control"); err != nil {
		t.Fatalf("CloudTrail's PutObject: %v", err)
	}
	_, aclErr := a.S3.GetBucketACL(trail("other"), bucket)
	denied := map[string]error{
		"GetBucketAcl for another trail": aclErr,
		"PutObject without the ACL":      put(trail("management"), key, ""),
		"PutObject with another ACL":     put(trail("management"), key, "public-read"),
		"PutObject for another trail":    put(trail("other"), key, "bucket-owner-full-control"),
		"PutObject without a trail":      put(service, key, "bucket-owner-full-control"),
		"PutObject for another account":  put(trail("management"), prefix+"AWSLogs/"+other+"/x.json.gz", "bucket-owner-full-control"),
	}
	if prefix != "" {
		denied["PutObject outside the prefix"] = put(trail("management"), "AWSLogs/"+account+"/x.json.gz", "bucket-owner-full-control")
	}
	for name, err := range denied {
		if ae, ok := awserr.As(err); !ok || ae.Code != awserr.AccessDenied {
			t.Errorf("%s: %v, want AccessDenied", name, err)
		}
	}
	return key
}

// TestS3CloudTrailBucketPolicyC4: each CLI pastes CloudTrail's bucket policy into a bucket; keytrail admits
// cloudtrail.amazonaws.com for its trail with bucket-owner-full-control and nothing else, and the
// bucket owner reads the log file with the CLI. The policy with its placeholders is refused.
func TestS3CloudTrailBucketPolicyC4(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			url, a := inProcess(t)
			dir := t.TempDir()
			const bucket = "c4-trail-logs"
			c.succeeds(t, url, root, "s3", "mb", "s3://"+bucket)
			file := filepath.Join(dir, "c4.json")
			check(t, os.WriteFile(file, []byte(c4Policy(bucket, "audit")), 0o600))
			c.ok(t, url, root, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "file://"+file)
			if got := str(c.ok(t, url, root, "s3api", "get-bucket-policy", "--bucket", bucket), "Policy"); got != c4Policy(bucket, "audit") {
				t.Fatalf("get-bucket-policy = %s", got)
			}
			unfilled := filepath.Join(dir, "unfilled.json")
			check(t, os.WriteFile(unfilled, []byte(strings.ReplaceAll(c4Policy(bucket, "audit"), bucket, "<bucket>")), 0o600))
			c.fails(t, url, root, nil, "MalformedPolicy", "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "file://"+unfilled)

			key := checkCloudTrailWrites(t, a, bucket, "audit")
			if out := c.succeeds(t, url, root, "s3", "cp", "s3://"+bucket+"/"+key, "-"); out != `{"Records":[]}` {
				t.Fatalf("the owner reads the log file: %q", out)
			}
		})
	}
}

// python is an interpreter that imports boto3: python3 on PATH, or Debian's (which
// scripts/install-test-deps.sh gives python3-boto3 when the first has no boto3).
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import boto3").Run() == nil {
			return p
		}
	}
	t.Fatal("no python3 imports boto3; run scripts/install-test-deps.sh")
	return ""
}

// TestS3Boto3 runs testdata/s3_boto3.py: an SSE-KMS multipart upload and download, a reader the
// key policy grants kms:Decrypt and one it does not, a Bucket Key, and CloudTrail's bucket policy; then
// CloudTrail writes into the bucket boto3 configured.
func TestS3Boto3(t *testing.T) {
	url, a := inProcess(t)
	dir := t.TempDir()
	check(t, os.WriteFile(filepath.Join(dir, "c4.json"), []byte(c4Policy("c4-boto3", "")), 0o600))
	cmd := exec.Command(python(t), "testdata/s3_boto3.py", url, account, root.secret, dir)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CA_BUNDLE=" + os.Getenv("AWS_CA_BUNDLE")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("s3_boto3.py: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "ok "); n != 8 {
		t.Fatalf("s3_boto3.py passed %d checks, want 8:\n%s", n, out)
	}
	checkCloudTrailWrites(t, a, "c4-boto3", "")
}
