package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/app"
)

// The seed's trail key policy for account 111122223333 and its trail "management"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
const (
	checkTrail  = "arn:aws:cloudtrail:us-east-1:111122223333:trail/management"
	checkPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM user permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + checkTrail + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}},
 {"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + checkTrail + `"}}}]}`
)

// TestPolicyCheck: keytrail policy check reads the policy from a file or standard input, reports
// as text or JSON, and ends with status 0 when every requirement is met, 1 when one is not (or
// the document is no key policy), 2 on a usage error and 3 when the file cannot be read.
func TestPolicyCheck(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "policy.json")
	if err := os.WriteFile(file, []byte(checkPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		args      []string
		stdin     string
		code      int
		out, errs string
	}{
		{"met", []string{file, "--trail", checkTrail}, "", 0,
			"ok      encrypt: CloudTrail may encrypt the trail's log files", ""},
		{"flags after the file", []string{"--trail", checkTrail, "--bucket", "logs", file}, "", 0, "3 requirement(s): 3 met, 0 not met\n", ""},
		{"another trail", []string{"--trail", "arn:aws:cloudtrail:us-east-1:111122223333:trail/other", "-"}, checkPolicy, 1,
			`Statement "Allow CloudTrail to encrypt logs": Condition StringEquals aws:SourceArn: request value ["arn:aws:cloudtrail:us-east-1:111122223333:trail/other"]`, ""},
		{"a Bucket Key", []string{"--trail", checkTrail, "--bucket-key", "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/k1", file}, "", 1,
			"NOT MET bucket-key:", ""},
		{"a reader of another account", []string{"--trail", checkTrail, "--reader", "arn:aws:iam::444455556666:user/alice", file}, "", 1,
			"NOT MET cross-account-decrypt:", ""},
		{"the README's example, for its key", []string{"--trail", checkTrail, "--reader", "arn:aws:iam::111122223333:role/log-reader",
			"--key-arn", "arn:aws:kms:us-east-1:111122223333:key/key-id", "../../examples/trail-key-policy.json"}, "", 0, "0 not met", ""},
		{"the README's example, its key not given", []string{"--trail", checkTrail, "../../examples/trail-key-policy.json"}, "", 1,
			"the key's ARN was not given, arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000 stands for it", ""},
		{"not a key policy", []string{"--trail", checkTrail, "-"}, `{"Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, 1, "", "keytrail: invalid key policy: "},
		{"no use", []string{file}, "", 2, "", "needs the key's use"},
		{"a bad trail", []string{"--trail", "management", file}, "", 2, "", `Trail "management" is not a trail ARN`},
		{"a bad output", []string{"--trail", checkTrail, "--output", "yaml", file}, "", 2, "", "--output must be text or json"},
		{"a bucket without a trail", []string{"--event-data-store", "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x", "--bucket", "logs", file}, "", 2, "", "give --trail too"},
		{"two files", []string{"--trail", checkTrail, file, file}, "", 2, "", "one file"},
		{"a file and a key", []string{"--trail", checkTrail, "--key-id", "k", file}, "", 2, "", "not both"},
		{"a key ARN and a key", []string{"--trail", checkTrail, "--key-id", "k", "--key-arn", "arn:aws:kms:us-east-1:111122223333:key/k"}, "", 2, "", "--key-arn is for a policy read from a file"},
		{"no file", []string{"--trail", checkTrail, filepath.Join(dir, "missing.json")}, "", 3, "", "no such file"},
		{"an unknown flag", []string{"--trial", checkTrail, file}, "", 2, "", "flag provided but not defined"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runStdin(t, c.stdin, nil, append([]string{"policy", "check"}, c.args...)...)
			if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.errs) || (c.errs == "") != (errOut == "") {
				t.Errorf("status %d, stdout:\n%s\nstderr: %q; want status %d, %q and %q", code, out, errOut, c.code, c.out, c.errs)
			}
		})
	}
}

// TestPolicyCheckJSON: --output json is the report: each finding with its requests, the
// statement to add to the one not met.
func TestPolicyCheckJSON(t *testing.T) {
	code, out, errOut := runStdin(t, checkPolicy, nil, "policy", "check", "--output", "json", "--trail", checkTrail,
		"--event-data-store", "arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x", "-")
	var report struct {
		Key      string
		Met      int
		NotMet   int
		Findings []struct {
			Requirement string
			Met         bool
			Add         map[string]any
			Problem     string
			Requests    []struct{ Principal, Action string }
		}
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil || code != 1 || errOut != "" {
		t.Fatalf("status %d, %v, stderr %q:\n%s", code, err, errOut, out)
	}
	if report.Key != "arn:aws:kms:us-east-1:111122223333:key/00000000-0000-0000-0000-000000000000" || report.Met != 3 || report.NotMet != 1 {
		t.Errorf("report: %s", out)
	}
	for _, f := range report.Findings {
		if f.Requirement == "event-data-store-encrypt" && (f.Met || f.Add["Sid"] != "Allow CloudTrail to encrypt event data store" ||
			len(f.Requests) != 2 || f.Requests[0].Principal != "cloudtrail.amazonaws.com" || !strings.Contains(f.Problem, "not supported")) {
			t.Errorf("store finding: %+v", f)
		}
	}
}

// TestPolicyCheckKeyID: --key-id reads the policy and the key's ARN from a running keytrail with
// the environment's credentials.
func TestPolicyCheckKeyID(t *testing.T) {
	a, err := app.Open(app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: "test"})
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
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "test"}, nil
		})})
	key, err := client.CreateKey(context.Background(), &kms.CreateKeyInput{Policy: aws.String(checkPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(key.KeyMetadata.Arn)
	creds := map[string]string{"AWS_ACCESS_KEY_ID": "111122223333", "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": srv.URL}
	code, out, errOut := runStdin(t, "", creds, "policy", "check", "--trail", checkTrail, "--key-id", aws.ToString(key.KeyMetadata.KeyId))
	if code != 0 || errOut != "" || !strings.Contains(out, "key policy check for "+arn+"\n") || !strings.Contains(out, "0 not met") {
		t.Errorf("status %d, stderr %q:\n%s", code, errOut, out)
	}
	code, _, errOut = runStdin(t, "", creds, "policy", "check", "--trail", checkTrail, "--key-id", "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	if code != 3 || !strings.Contains(errOut, "NotFoundException") {
		t.Errorf("a missing key: status %d, stderr %q", code, errOut)
	}
	code, _, errOut = runStdin(t, "", map[string]string{"AWS_ENDPOINT_URL": srv.URL}, "policy", "check", "--trail", checkTrail, "--key-id", arn)
	if code != 3 || !strings.Contains(errOut, "AWS_ACCESS_KEY_ID") {
		t.Errorf("no credentials: status %d, stderr %q", code, errOut)
	}
	code, _, errOut = runStdin(t, "", creds, "policy", "check", "--trail", checkTrail, "--key-id", arn, "--endpoint-url", "ftp://x")
	if code != 2 || !strings.Contains(errOut, "not an http") {
		t.Errorf("a bad endpoint: status %d, stderr %q", code, errOut)
	}
}

// runStdin is run with standard input.
func runStdin(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr, Getenv: env(vars)}
	code := m.Exit(context.Background(), args)
	return code, stdout.String(), stderr.String()
}
