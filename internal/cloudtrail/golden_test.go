package cloudtrail_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
	"time"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/request"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from what the Golden tests produce")

// golden compares got with testdata/golden/name byte for byte, or rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run Golden -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (go test -run Golden -update rewrites it):\ngot  %s\nwant %s", name, path, got, want)
	}
}

// One delivered log file (as CloudTrail wrote it, before S3 encrypted it under the trail's key:
// gunzipped, the bytes its digest hashes) and the digest covering it, made on the World's
// clock with deterministic randomness (the signing key's too, through
// testing/cryptotest.SetGlobalRandom), are the files of testdata/golden
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
func TestGoldenFiles(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 1)
	tw := newTrailWorld(t)
	key := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	tw.logsTrail(t, ct.CreateTrailInput{KmsKeyID: key, EnableLogFileValidation: ptr(true)})
	tw.Clock.Advance(90 * time.Second)
	keyResource := request.Resource{Type: "AWS::KMS::Key", ARN: key, Account: acct}
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false, keyResource)
	tw.Clock.Advance(time.Second)
	tw.event(t, "us-east-1", "iam.amazonaws.com", "CreateUser", false)
	tw.Clock.Advance(time.Second)
	tw.event(t, "us-east-1", "kms.amazonaws.com", "DescribeKey", true, keyResource)
	tw.Clock.Advance(time.Minute)
	if sum := deliver(t, tw); sum.LogFiles != 1 || sum.DigestFiles != 1 {
		t.Fatalf("Deliver = %+v", sum)
	}
	logs, digests := tw.Objects.written(t, "/CloudTrail/"), tw.Objects.written(t, "/CloudTrail-Digest/")
	golden(t, "logfile.json", logs[0].raw)
	golden(t, "digest.json", digests[0].raw)
}
