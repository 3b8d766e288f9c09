//go:build e2e

package e2e

import "testing"

// checkRecordNames: the records of boto3's valid traffic name members as AWS's do:
// keyMetadata.AWSAccountId and "description": "" (the CreateKey record of
// https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html), and the IAM/STS
// response members by their XML names (credentials.accessKeyId, assumedRoleUser.assumedRoleId,
// as in the AssumeRole records of https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html),
// with no secret among them.
func checkRecordNames(t *testing.T, recs []map[string]any) {
	t.Helper()
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
