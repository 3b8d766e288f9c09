package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/explain"
)

// TestExplain: keytrail explain REQUEST-ID prints why a request the SDK saw denied was denied,
// as text or JSON, to the denied account only, with credentials from the environment or a profile.
func TestExplain(t *testing.T) {
	a, err := app.Open(app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: "test", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	// Account 444455556666's root may not describe a key of 111122223333's.
	owner := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds("111122223333")})
	key, err := owner.CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	outsider := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds("444455556666"), RetryMaxAttempts: 1})
	_, err = outsider.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: key.KeyMetadata.Arn})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("DescribeKey: %v", err)
	}
	id := re.ServiceRequestID()
	vars := map[string]string{"AWS_ACCESS_KEY_ID": "444455556666", "AWS_SECRET_ACCESS_KEY": "test", "AWS_ENDPOINT_URL": srv.URL}

	code, out, errOut := run(t, vars, "explain", id)
	if code != 0 || errOut != "" || !strings.Contains(out, "Request "+id) || !strings.Contains(out, "Action:   kms:DescribeKey") ||
		!strings.Contains(out, "Rule:     the key policy must allow, and no statement of it names arn:aws:iam::444455556666:root") {
		t.Fatalf("text: status %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	code, out, _ = run(t, vars, "explain", "--output", "json", id)
	var e explain.Explanation
	if code != 0 || json.Unmarshal([]byte(out), &e) != nil || e.RequestID != id || len(e.Denials) != 1 || e.Denials[0].PolicyType != "resource-based policy" {
		t.Fatalf("json: status %d, stdout %s", code, out)
	}
	// Flags after the request ID, and credentials from a profile of the shared credentials file.
	file := filepath.Join(t.TempDir(), "credentials")
	if err := os.WriteFile(file, []byte("[default]\naws_access_key_id = nobody\n\n[outsider]\naws_access_key_id = 444455556666\naws_secret_access_key = test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	byProfile := map[string]string{"AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "outsider"}
	if code, out, errOut := run(t, byProfile, "explain", id, "--endpoint-url", srv.URL, "--output", "json"); code != 0 || !strings.Contains(out, `"requestId": "`+id+`"`) {
		t.Fatalf("by profile: status %d, stderr %q", code, errOut)
	}
	byProfile["AWS_PROFILE"] = "default"
	if code, _, errOut := run(t, byProfile, "explain", id, "--endpoint-url", srv.URL); code != exitFailed || !strings.Contains(errOut, "no aws_access_key_id and aws_secret_access_key") {
		t.Fatalf("incomplete profile: status %d, stderr %q", code, errOut)
	}
	// The key's own account was not denied: nothing to explain to it.
	vars["AWS_ACCESS_KEY_ID"] = "111122223333"
	if code, _, errOut := run(t, vars, "explain", id); code != exitInvalid || !strings.Contains(errOut, "No denial of request "+id) {
		t.Fatalf("another account: status %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"explain"}, {"explain", "--output", "yaml", id}, {"explain", id, "extra"}} {
		if code, _, _ := run(t, vars, args...); code != exitUsage {
			t.Errorf("%v: status %d, want %d", args, code, exitUsage)
		}
	}
}

func staticCreds(id string) aws.CredentialsProviderFunc {
	return func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: "test"}, nil
	}
}
