package app_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// LocalStack's default account, whose root the access key "test" signs as.
const localStackAccount = "000000000000"

// The access key "test" with the root secret is the root of account 000000000000, a normal root
// account everywhere: its caller identity, the ARNs of what it creates, S3, and CloudTrail.
func TestLocalStackTestKey(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()

	id := must(e.sts("test", rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	if aws.ToString(id.Account) != localStackAccount || aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(id.UserId) != localStackAccount {
		t.Fatalf("GetCallerIdentity = %s %s %s, want the root of %s", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId), localStackAccount)
	}

	key := must(e.kms("test", rootSecret, "").CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	if !strings.HasPrefix(aws.ToString(key.Arn), "arn:aws:kms:us-east-1:000000000000:key/") || aws.ToString(key.AWSAccountId) != localStackAccount {
		t.Fatalf("CreateKey: ARN %s in account %s", aws.ToString(key.Arn), aws.ToString(key.AWSAccountId))
	}

	c := e.s3client("test", rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("localstack-habits")}))(t)
	must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("localstack-habits"), Key: aws.String("k"), Body: strings.NewReader("hello"),
		ServerSideEncryption: "aws:kms", SSEKMSKeyId: key.Arn}))(t)
	out := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("localstack-habits"), Key: aws.String("k")}))(t)
	body, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if !bytes.Equal(body, []byte("hello")) || aws.ToString(out.SSEKMSKeyId) != aws.ToString(key.Arn) {
		t.Fatalf("GetObject = %q under %s", body, aws.ToString(out.SSEKMSKeyId))
	}

	recs := lookup(t, e.cloudtrail("test", rootSecret, "us-east-1"), cttypes.LookupAttributeKeyEventName, "CreateKey")
	if len(recs) != 1 {
		t.Fatalf("CreateKey events: %d", len(recs))
	}
	ui := recs[0]["userIdentity"].(record)
	if ui["type"] != "Root" || ui["accountId"] != localStackAccount || ui["arn"] != "arn:aws:iam::000000000000:root" ||
		ui["accessKeyId"] != "test" || recs[0]["recipientAccountId"] != localStackAccount {
		t.Fatalf("CreateKey record: userIdentity %v, recipientAccountId %v", ui, recs[0]["recipientAccountId"])
	}

	// The other accounts see none of it.
	other := must(e.kms(account, rootSecret, "").ListKeys(ctx, &kms.ListKeysInput{}))(t)
	for _, k := range other.Keys {
		if aws.ToString(k.KeyArn) == aws.ToString(key.Arn) {
			t.Fatalf("account %s lists 000000000000's key", account)
		}
	}

	// "test" is a root key: the wrong secret or a session token is refused.
	_, err := e.sts("test", "not-the-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = e.sts("test", rootSecret, "a-token").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
}

// An access key that is neither an account ID, "test", nor one keytrail issued gets each
// protocol's AWS error, and the server log says which rule it broke.
func TestUnknownAccessKeyIsExplained(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()

	_, err := e.sts("foo", rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantMessage(t, err, "InvalidClientTokenId", "The security token included in the request is invalid.")
	_, err = e.kms("AKIAIOSFODNN7EXAMPLE", rootSecret, "").ListKeys(ctx, &kms.ListKeysInput{})
	wantMessage(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = e.s3client("foo", rootSecret, "us-east-1", true).ListBuckets(ctx, &s3.ListBucketsInput{})
	wantMessage(t, err, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")

	for _, akid := range []string{"foo", "AKIAIOSFODNN7EXAMPLE"} {
		want := "access key '" + akid + "' is not a 12-digit account ID, not 'test', and not an access key keytrail issued"
		if !strings.Contains(e.logs.String(), want) {
			t.Errorf("the log does not say %q:\n%s", want, e.logs.String())
		}
	}
}
