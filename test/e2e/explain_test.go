//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// debugRequestID finds the request ID of the answer in `aws --debug`'s log of response headers.
var debugRequestID = regexp.MustCompile(`(?i)'x-amzn-requestid': '([0-9a-f-]{36})'`)

// TestExplain: a request ID taken from an error — the aws-sdk-go-v2 error's RequestID, or the
// response headers `aws --debug` logs — explains itself through `keytrail explain`, to the
// denied account only.
func TestExplain(t *testing.T) {
	s := startServer(t, t.TempDir())
	c := clis[0]
	key := str(c.ok(t, s.url, root, "kms", "create-key", "--description", "explained"), "KeyMetadata", "Arn")
	bob := c.newUser(t, s.url, root, "bob")
	explain := func(k keys, args ...string) result {
		t.Helper()
		return runProcess(t, append([]string{binary, "explain"}, args...), awsEnv(t, k, s.url))
	}

	// The SDK's error carries the request ID.
	client := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), RetryMaxAttempts: 1,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: bob.id, SecretAccessKey: bob.secret}, nil
		})})
	_, err := client.Encrypt(context.Background(), &kms.EncryptInput{KeyId: aws.String(key), Plaintext: []byte("secret plaintext")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("Encrypt: %v", err)
	}
	id := re.ServiceRequestID()
	r := explain(bob, id)
	for _, want := range []string{"Request " + id, "Caller:   arn:aws:iam::" + account + ":user/bob (IAMUser)", "Action:   kms:Encrypt",
		"Rule:     the key policy names account " + account + ", which delegates to its identity-based policies, and none of them allows kms:Encrypt",
		`Statement "Enable IAM User Permissions" Allow applies`, "Fix: add to an identity-based policy of arn:aws:iam::" + account + ":user/bob"} {
		if r.code != 0 || !strings.Contains(r.out, want) {
			t.Fatalf("keytrail explain: exit %d, stderr %q, stdout lacks %q:\n%s", r.code, r.err, want, r.out)
		}
	}
	if strings.Contains(r.out, "secret plaintext") || strings.Contains(r.out, "c2VjcmV0IHBsYWludGV4dA") {
		t.Fatal("the explanation holds the request's plaintext")
	}
	if r := explain(keys{other, "test", ""}, id); r.code != 1 {
		t.Fatalf("another account: exit %d, stdout %q, stderr %q", r.code, r.out, r.err)
	}

	// The AWS CLI's --debug log shows the request ID of its failed call.
	debug := c.run(t, s.url, bob, nil, "--debug", "kms", "describe-key", "--key-id", key)
	m := debugRequestID.FindAllStringSubmatch(debug.err, -1)
	if debug.code == 0 || len(m) == 0 {
		t.Fatalf("aws --debug kms describe-key: exit %d, no request ID in its log", debug.code)
	}
	r = explain(bob, "--output", "json", m[len(m)-1][1])
	var e struct {
		RequestID string `json:"requestId"`
		Denials   []struct {
			Action, Message string
			Fixes           []struct{ Statement map[string]any }
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.out), &e) != nil || e.RequestID != m[len(m)-1][1] || len(e.Denials) != 1 ||
		e.Denials[0].Action != "kms:DescribeKey" || !strings.HasSuffix(e.Denials[0].Message, "because no identity-based policy allows the kms:DescribeKey action") ||
		len(e.Denials[0].Fixes) != 1 || e.Denials[0].Fixes[0].Statement["Action"] != "kms:DescribeKey" {
		t.Fatalf("keytrail explain --output json: exit %d, stderr %q, stdout:\n%s", r.code, r.err, r.out)
	}
}
