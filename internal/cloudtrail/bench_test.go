package cloudtrail_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

const trailKeyPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*"}]}`

// BenchmarkDeliver measures delivery throughput: records per second from the journal into
// gzip JSON log files written through S3 with SSE-KMS under the trail's key.
func BenchmarkDeliver(b *testing.B) {
	const perRound = 100000
	ctx := context.Background()
	t := &testing.T{}
	r := open(t, b.TempDir())
	defer r.close()
	r.logsBucket(t)
	k := kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds()})
	key, err := k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy)})
	if err != nil {
		b.Fatal(err)
	}
	trails := r.trails()
	if _, err := trails.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("logs"), KmsKeyId: key.KeyMetadata.Arn}); err != nil {
		b.Fatal(err)
	}
	if _, err := trails.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		b.Fatal(err)
	}
	rec := events.NewRecorder(r.a.Journal)
	p := identity.Principal{Type: identity.AssumedRole, Account: account, ARN: "arn:aws:sts::111122223333:assumed-role/Reader/s1",
		PrincipalID: "AROAEXAMPLE:s1", AccessKeyID: "ASIAEXAMPLE", RoleName: "Reader", RoleARN: "arn:aws:iam::111122223333:role/Reader", RoleID: "AROAEXAMPLE",
		SessionIssued: time.Now()}
	body := []byte(`{"CiphertextBlob":"AQIDAHhBYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODk","EncryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management","aws:s3:arn":"arn:aws:s3:::logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/x.json.gz"}}`)
	fill := func() {
		for i := 0; i < perRound; i++ {
			f := &request.Facts{ID: request.NewID(nil), Service: "kms", Region: "us-east-1", SourceIP: "127.0.0.1",
				UserAgent: "aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26 api/kms#1.38.1", Host: "127.0.0.1:4566", Time: time.Now()}
			out := &request.Outcome{Operation: "Decrypt", Meta: request.Meta{ReadOnly: true}, Params: body,
				Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: aws.ToString(key.KeyMetadata.Arn), Account: account}}}
			if err := rec.Record(f, out, p); err != nil {
				b.Fatal(err)
			}
		}
	}
	records := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		fill()
		b.StartTimer()
		sum, err := r.a.CloudTrail.Deliver(ctx)
		if err != nil || len(sum.Errors) > 0 || sum.Records < perRound {
			b.Fatalf("Deliver = %+v, %v", sum, err)
		}
		records += sum.Records
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
