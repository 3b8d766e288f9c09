//go:build cgo

package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/keytrail/keytrail/internal/identity"
)

// lakeResultsPolicy is the bucket policy of
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/s3-bucket-policy-lake-query-results.html
// for bucket.
func lakeResultsPolicy(bucket string) string {
	cond := `"Condition":{"StringLike":{"aws:sourceAccount":"` + account + `","aws:sourceArn":"arn:aws:cloudtrail:us-east-1:` + account + `:eventdatastore/*"}}`
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailLake1","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:PutObject*","s3:Abort*"],"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],` + cond + `},
 {"Sid":"AWSCloudTrailLake2","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `}]}`
}

// Saved query results over the wire: StartQuery with a DeliveryS3Uri into a bucket whose default
// encryption is a KMS key; DescribeQuery reports SUCCESS; the CSV holds GetQueryResults' rows;
// the sign file verifies with the key ListPublicKeys returns; the data key S3 made for CloudTrail
// is recorded as a KMS event invoked by CloudTrail. A bucket without the page's policy is
// refused at StartQuery.
func TestLakeSavedQueryResults(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	k := e.rootKMS()
	store := aws.ToString(must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")}))(t).EventDataStoreArn)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("saved")}))(t)
	e.lakeFlush()
	bucketKey := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, true))}))(t).KeyMetadata
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("lake-results")}))(t)
	must(s3c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("lake-results"), ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: bucketKey.Arn}}}}}))(t)

	id := store[strings.LastIndexByte(store, '/')+1:]
	stmt := "SELECT requestParameters['userName'] AS who, eventName FROM " + id + " WHERE eventName = 'CreateUser'"
	_, err := ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(stmt), DeliveryS3Uri: aws.String("s3://lake-results/q")})
	var policyErr *cttypes.InsufficientS3BucketPolicyException
	if !errors.As(err, &policyErr) {
		t.Fatalf("StartQuery into a bucket without the policy: %v", err)
	}
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("lake-results"), Policy: aws.String(lakeResultsPolicy("lake-results"))}))(t)
	qid := aws.ToString(must(ct.StartQuery(ctx, &cloudtrail.StartQueryInput{QueryStatement: aws.String(stmt), DeliveryS3Uri: aws.String("s3://lake-results/q")}))(t).QueryId)
	if err := e.app.Lake.WaitQuery(identity.WithPrincipal(ctx, identity.AccountRoot(account)), qid); err != nil {
		t.Fatal(err)
	}
	d := must(ct.DescribeQuery(ctx, &cloudtrail.DescribeQueryInput{QueryId: aws.String(qid)}))(t)
	if d.QueryStatus != cttypes.QueryStatusFinished || d.DeliveryStatus != cttypes.DeliveryStatusSuccess || aws.ToString(d.DeliveryS3Uri) != "s3://lake-results/q" {
		t.Fatalf("DescribeQuery = %+v", d)
	}

	read := func(key string) []byte {
		t.Helper()
		out := must(s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("lake-results"), Key: aws.String(key)}))(t)
		defer out.Body.Close()
		if out.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != aws.ToString(bucketKey.Arn) {
			t.Fatalf("%s: SSE %q key %q", key, out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId))
		}
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	folder := "q/AWSLogs/" + account + "/CloudTrail-Lake/Query/" + time.Now().UTC().Format("2006/01/02") + "/" + qid + "/"
	zr, err := gzip.NewReader(bytes.NewReader(read(folder + "result_1.csv.gz")))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil || !slices.EqualFunc(rows, [][]string{{"who", "eventName"}, {"saved", "CreateUser"}}, slices.Equal) {
		t.Fatalf("CSV = %q, %v", rows, err)
	}

	var sign struct {
		Files []struct {
			FileHashValue, FileName string
		} `json:"files"`
		QueryCompleteTime    string `json:"queryCompleteTime"`
		HashSignature        string `json:"hashSignature"`
		PublicKeyFingerprint string `json:"publicKeyFingerprint"`
	}
	if err := json.Unmarshal(read(folder+"result_sign.json"), &sign); err != nil || len(sign.Files) != 1 {
		t.Fatalf("sign file: %+v, %v", sign, err)
	}
	sum := sha256.Sum256(read(folder + sign.Files[0].FileName))
	if hex.EncodeToString(sum[:]) != sign.Files[0].FileHashValue {
		t.Fatal("the result file's hash is not the sign file's")
	}
	done, err := time.Parse(time.RFC3339, sign.QueryCompleteTime)
	if err != nil {
		t.Fatal(err)
	}
	keys := must(ct.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: &done, EndTime: aws.Time(done.Add(20 * 24 * time.Hour))}))(t).PublicKeyList
	i := slices.IndexFunc(keys, func(k cttypes.PublicKey) bool { return aws.ToString(k.Fingerprint) == sign.PublicKeyFingerprint })
	if i < 0 {
		t.Fatalf("no public key %s in %+v", sign.PublicKeyFingerprint, keys)
	}
	pub, err := x509.ParsePKCS1PublicKey(keys[i].Value)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := hex.DecodeString(sign.HashSignature)
	signed := sha256.Sum256([]byte(sign.Files[0].FileHashValue))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, signed[:], sig); err != nil {
		t.Fatalf("signature: %v", err)
	}

	// The data keys S3 made for CloudTrail's writes are recorded, invoked by CloudTrail.
	evs := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{
		AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GenerateDataKey")}}}))(t).Events
	n := 0
	for _, ev := range evs {
		var rec record
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		ec, _ := rec["requestParameters"].(record)["encryptionContext"].(record)
		arn, _ := ec["aws:s3:arn"].(string)
		if strings.Contains(arn, "lake-results/"+folder) && rec["userIdentity"].(record)["invokedBy"] == "cloudtrail.amazonaws.com" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d GenerateDataKey events for the saved files (of %d), want 2", n, len(evs))
	}
}
