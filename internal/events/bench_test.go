package events

import (
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// BenchmarkRecord is the recording overhead of one API call (a KMS Decrypt of a log file's data
// key): what the gateway does for CloudTrail beyond serving the call — the resource noted, the
// event built from the request, its parameters rewritten (secrets out), encoded and written to
// the journal before the answer.
func BenchmarkRecord(b *testing.B) {
	j, err := OpenJournal(b.TempDir(), 0, testKeys(b))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	r := NewRecorder(j)
	p := identity.Principal{Type: identity.AssumedRole, Account: "111122223333", ARN: "arn:aws:sts::111122223333:assumed-role/Reader/s1",
		PrincipalID: "AROAEXAMPLE:s1", AccessKeyID: "ASIAEXAMPLE", RoleName: "Reader", RoleARN: "arn:aws:iam::111122223333:role/Reader", RoleID: "AROAEXAMPLE",
		SessionIssued: time.Now()}
	body := []byte(`{"CiphertextBlob":"AQIDAHhBYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3ODkAAAB+MHwGCSqGSIb3DQEHBqBvMG0CAQAwaAYJKoZIhvcNAQcBMB4GCWCGSAFlAwQBLjARBAz","EncryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/management","aws:s3:arn":"arn:aws:s3:::trail-logs/AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/x.json.gz"}}`)
	// The request as the gateway and the protocol layer have it, whether or not it is recorded.
	f := &request.Facts{ID: "9ac15ebc-1ffa-476a-9743-37b6b50bb2fa", Service: "kms", Region: "us-east-1",
		SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.36.3 os/linux lang/go#1.26 md/GOOS#linux md/GOARCH#amd64 api/kms#1.38.1",
		Host: "127.0.0.1:4566", Time: time.Now()}
	out := &request.Outcome{Operation: "Decrypt", Meta: request.Meta{ReadOnly: true}, Params: body, Response: []byte(`{"KeyId":"k","Plaintext":"c2VjcmV0c2VjcmV0"}`),
		Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", Account: "111122223333"}}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := r.Record(f, out, p); err != nil {
			b.Fatal(err)
		}
	}
}
