package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRecordFidelity: after boto3's valid traffic, the delivered records name members as AWS's
// do: keyMetadata.AWSAccountId and "description": "" (the CreateKey record of
// https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html), and the IAM/STS
// response members by their XML names (credentials.accessKeyId, assumedRoleUser.assumedRoleId,
// as in the AssumeRole records of https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
func TestRecordFidelity(t *testing.T) {
	s := startServer(t, t.TempDir())
	cmd := exec.Command(python(t), "testdata/valid_boto3.py", s.url, account, root.secret)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var state map[string]string
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &state); err != nil {
		t.Fatalf("the script's last line is not its state: %q", lines[len(lines)-1])
	}
	s.flush(t)
	recs := trailRecords(t, clis[0], s.url, state["bucket"], "logs/prefix/AWSLogs/")
	resp := func(event, member string) bool {
		for _, r := range recs {
			if r["eventName"] == event && hasMember(r["responseElements"], member) {
				return true
			}
		}
		return false
	}
	if !resp("CreateKey", "keyMetadata.AWSAccountId") {
		t.Error("CreateKey responseElements lack keyMetadata.AWSAccountId")
	}
	if !anyRecordHas(recs, "UpdateKeyDescription", []string{"keyId", "description="}) {
		t.Error(`UpdateKeyDescription requestParameters lack "description": ""`)
	}
	if !resp("AssumeRole", "credentials.accessKeyId") || !resp("AssumeRole", "assumedRoleUser.assumedRoleId") {
		t.Error("AssumeRole responseElements lack credentials.accessKeyId / assumedRoleUser.assumedRoleId")
	}
	if !resp("CreateAccessKey", "accessKey.accessKeyId") {
		t.Error("CreateAccessKey responseElements lack accessKey.accessKeyId")
	}
	if resp("CreateAccessKey", "accessKey.secretAccessKey") || resp("AssumeRole", "credentials.sessionToken") {
		t.Error("a secret reached a record")
	}
}
