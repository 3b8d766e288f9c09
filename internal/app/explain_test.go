package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/explain"
	"github.com/keytrail/keytrail/internal/gateway"
)

// requestID is the request ID an SDK error carries (x-amzn-RequestId, x-amz-request-id).
func requestID(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("err = %v, want a response error with a request ID", err)
	}
	return re.ServiceRequestID()
}

func (e *env) explainer(akid, secret string) *explain.Client {
	return &explain.Client{Endpoint: e.url, Region: "us-east-1", Credentials: aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}}
}

// A denied KMS call explains itself by the request ID the SDK's error carries, to the denied
// account only; CreateTrail's refusal explains the KMS call CloudTrail made for it.
func TestExplainDenials(t *testing.T) {
	if explain.Path != gateway.ExplainPath {
		t.Fatalf("the client asks %s, the gateway serves %s", explain.Path, gateway.ExplainPath)
	}
	e := start(t, t.TempDir())
	ctx := context.Background()
	key := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	bobID, bobSecret := e.user(t, account, "bob", "")

	_, err := e.kms(bobID, bobSecret, "").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.Arn})
	wantMessage(t, err, "AccessDeniedException", "because no identity-based policy allows the kms:DescribeKey action")
	id := requestID(t, err)

	got, err := e.explainer(bobID, bobSecret).Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.RequestID != id || len(got.Denials) != 1 {
		t.Fatalf("explanation = %+v", got)
	}
	d := got.Denials[0]
	if d.Action != "kms:DescribeKey" || d.Resource != aws.ToString(key.Arn) || d.Caller.ARN != "arn:aws:iam::"+account+":user/bob" ||
		!strings.Contains(d.Rule, "names account "+account+", which delegates to its identity-based policies") ||
		len(d.Policies) != 1 || d.Policies[0].Name != "key policy" || !d.Policies[0].Statements[0].Applies ||
		len(d.Fixes) != 1 || d.Fixes[0].Policy != "an identity-based policy of arn:aws:iam::"+account+":user/bob" {
		t.Fatalf("denial = %+v", d)
	}
	// The account's root may read it too; another account, or an unsigned request, may not.
	if _, err := e.explainer(account, rootSecret).Get(ctx, id); err != nil {
		t.Fatalf("the account's root: %v", err)
	}
	var ee *explain.Error
	if _, err := e.explainer("444455556666", rootSecret).Get(ctx, id); !errors.As(err, &ee) || ee.Status != http.StatusNotFound {
		t.Fatalf("another account: %v", err)
	}
	if _, err := e.explainer(bobID, bobSecret).Get(ctx, "no-such-request"); !errors.As(err, &ee) || ee.Status != http.StatusNotFound {
		t.Fatalf("an unknown request: %v", err)
	}
	resp := must(http.Get(e.url + explain.Path + id))(t)
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("unsigned: %s", resp.Status)
	}

	// CreateTrail with a bucket whose policy does not let CloudTrail check it.
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)
	_, err = e.cloudtrail(account, rootSecret, "us-east-1").CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"),
		S3BucketName: aws.String("trail-logs")})
	wantMessage(t, err, "InsufficientS3BucketPolicyException", "trail-logs")
	got, err = e.explainer(account, rootSecret).Get(ctx, requestID(t, err))
	if err != nil || got.Denials[0].Action != "s3:GetBucketAcl" || got.Denials[0].Caller.Service != "cloudtrail.amazonaws.com" ||
		got.Denials[0].Message != "Access Denied" || len(got.Denials[0].Fixes) != 1 {
		t.Fatalf("the bucket check's denial: %+v, %v", got, err)
	}
	// Only GET.
	resp = must(http.Post(e.url+explain.Path+id, "application/json", nil))(t)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %s", resp.Status)
	}

	// CreateTrail with a key whose policy does not let CloudTrail encrypt.
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	_, err = e.cloudtrail(account, rootSecret, "us-east-1").CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"),
		S3BucketName: aws.String("trail-logs"), KmsKeyId: key.Arn})
	wantCode(t, err, "InsufficientEncryptionPolicyException")
	got, err = e.explainer(account, rootSecret).Get(ctx, requestID(t, err))
	if err != nil {
		t.Fatal(err)
	}
	d = got.Denials[0]
	if d.Caller.Service != "cloudtrail.amazonaws.com" || d.Action != "kms:GenerateDataKey" || d.InvokedBy != "cloudtrail.amazonaws.com" ||
		!strings.Contains(d.Missing, `"Allow CloudTrail to encrypt logs"`) || len(d.Fixes) != 1 {
		t.Fatalf("CreateTrail's denial = %+v", d)
	}
	// S3's x-amz-request-id, for a user of the bucket's account that no policy allows.
	_, err = e.s3client(bobID, bobSecret, "us-east-1", true).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String("k")})
	wantMessage(t, err, "AccessDenied", `User: arn:aws:iam::`+account+`:user/bob is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::trail-logs/k" because no identity-based policy allows the s3:GetObject action`)
	if s3d, err := e.explainer(bobID, bobSecret).Get(ctx, requestID(t, err)); err != nil || s3d.Denials[0].Rule != "neither the bucket policy nor an identity-based policy of arn:aws:iam::"+account+":user/bob allows s3:GetObject" {
		t.Fatalf("S3: %+v, %v", s3d, err)
	}
	// The KMS call's own ID (its CloudTrail record's requestID) explains it as well.
	if inner, err := e.explainer(account, rootSecret).Get(ctx, d.RequestID); err != nil || len(inner.Denials) != 1 {
		t.Fatalf("by the KMS call's ID %s: %+v, %v", d.RequestID, inner, err)
	}
}

// A delivery CloudTrail cannot encrypt: the KMS call it made shows in LookupEvents with its
// requestID, which explains the permission CloudTrail lacked as the seed page lists it.
func TestExplainDeliveryDenial(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	keyARN := setupTrail(t, e)
	e.flush()
	// The key policy loses its CloudTrail statements.
	must(e.rootKMS().PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`)}))(t)
	if sum := e.flush(); len(sum.Errors) != 1 {
		t.Fatalf("flush = %+v", sum)
	}
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	out := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
		{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GenerateDataKey")}}}))(t)
	var id string
	for _, ev := range out.Events {
		var rec struct {
			RequestID string `json:"requestID"`
			ErrorCode string `json:"errorCode"`
		}
		if json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec) == nil && rec.ErrorCode == "AccessDeniedException" {
			id = rec.RequestID
		}
	}
	if id == "" {
		t.Fatalf("no denied GenerateDataKey among %d events", len(out.Events))
	}
	got, err := e.explainer(account, rootSecret).Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	d := got.Denials[0]
	if d.RequestID != id || d.Caller.Service != "cloudtrail.amazonaws.com" || d.Action != "kms:GenerateDataKey" ||
		!strings.Contains(d.Missing, `"Allow CloudTrail to encrypt logs"`) || !strings.Contains(d.Missing, "trail/management") {
		t.Fatalf("the delivery's denial = %+v", d)
	}
}

// CreateEventDataStore with a key CloudTrail may not use: the Lake's key check explains the event
// data store statement of the seed page.
func TestExplainEventDataStoreKey(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	bad := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, false))}))(t).KeyMetadata
	_, err := e.cloudtrail(account, rootSecret, "us-east-1").CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"), KmsKeyId: bad.KeyId})
	wantCode(t, err, "InsufficientEncryptionPolicyException")
	got, err := e.explainer(account, rootSecret).Get(ctx, requestID(t, err))
	if err != nil {
		t.Fatal(err)
	}
	d := got.Denials[0]
	if d.Caller.Service != "cloudtrail.amazonaws.com" || d.Action != "kms:GenerateDataKey" || !strings.Contains(d.Missing, `"Allow CloudTrail to encrypt event data store"`) ||
		!strings.Contains(d.Missing, "for event data store arn:aws:cloudtrail:us-east-1:"+account+":eventdatastore/") {
		t.Fatalf("the store's key check = %+v", d)
	}
}
