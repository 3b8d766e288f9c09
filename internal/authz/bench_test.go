package authz_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/policy"
)

// BenchmarkDecideGenerateDataKey decides the GenerateDataKey S3 makes for CloudTrail against the
// CloudTrail console's default key policy (five statements with conditions), compiled once, as
// KMS holds it. Target: ≤ 1 µs/op and ≤ 4 allocs/op.
func BenchmarkDecideGenerateDataKey(b *testing.B) {
	var suite corpusSuite
	for _, s := range loadCorpus(&testing.T{})["console-default-key-policy.json"].Suites {
		if s.Name == "trail key" {
			suite = s
		}
	}
	if suite.Resource == nil {
		b.Fatal("the console default key policy is missing from the corpus")
	}
	kp, err := policy.Parse(suite.Resource.text(), policy.Key)
	if err != nil || len(kp.Statements) != 5 {
		b.Fatalf("key policy: %v", err)
	}
	e := authz.New(authz.Config{})
	req := authz.Request{Principal: cloudtrail, Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ResourceAccount: "111111111111", ResourcePolicy: kp, Context: authz.Map{
			"aws:SourceArn":                            {"arn:aws:cloudtrail:us-east-1:111111111111:trail/management"},
			"aws:SourceAccount":                        {"111111111111"},
			"kms:EncryptionContext:aws:cloudtrail:arn": {"arn:aws:cloudtrail:us-east-1:111111111111:trail/management"},
			"kms:EncryptionContext:aws:s3:arn":         {"arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/us-east-1/2026/11/22/f.json.gz"},
			"kms:EncryptionContextKeys":                {"aws:cloudtrail:arn", "aws:s3:arn"},
		}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		d, err := e.Authorize(ctx, req)
		if err != nil || !d.Allowed {
			b.Fatalf("denied: %v %s", err, explainOf(d))
		}
	}
}
