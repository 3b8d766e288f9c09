package events

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/request"
)

// TestEmptyStringMembersKept: a member sent as "" is recorded as "", as in AWS's CreateKey record
// ("description": "", https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html);
// null is still left out.
func TestEmptyStringMembersKept(t *testing.T) {
	out, err := project(nil, []byte(`{"KeyId":"k","Description":"","Tags":null}`), inputShape("kms", "UpdateKeyDescription"), maxElement)
	if want := `{"keyId":"k","description":""}`; err != nil || string(out) != want {
		t.Fatalf("project = %s (%v), want %s", out, err, want)
	}
}

// TestTwoCapitalsKept: CloudTrail keeps a name whose first two letters are capitals
// (keyMetadata.AWSAccountId in the CreateKey record) and lowers the others.
func TestTwoCapitalsKept(t *testing.T) {
	out, err := project(nil, []byte(`{"KeyMetadata":{"AWSAccountId":"111122223333","KeyId":"k","S3Key":"x","Description":""}}`), nil, maxElement)
	if want := `{"keyMetadata":{"AWSAccountId":"111122223333","keyId":"k","s3Key":"x"}}`; err != nil || string(out) != want {
		t.Fatalf("project = %s (%v), want %s", out, err, want)
	}
}

type testAccessKey struct {
	UserName        string    `xml:"UserName"`
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	Path            string    `xml:"Path"`
	CreateDate      time.Time `xml:"CreateDate"`
}

type testList struct {
	Keys []testAccessKey `xml:"Keys>member"`
}

type testResult struct {
	AccessKey *testAccessKey `xml:"AccessKey"`
	testList
	Missing *testAccessKey `xml:"Missing"`
}

// TestQueryResponseNames: IAM and STS responseElements take the XML names (accessKeyId, not the
// Go field's accessKeyID), leave absent members out, write times as CloudTrail does, and drop
// secrets.
func TestQueryResponseNames(t *testing.T) {
	created := time.Date(2019, 10, 2, 23, 12, 29, 0, time.UTC)
	k := testAccessKey{UserName: "alice", AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", CreateDate: created}
	o := &request.Outcome{Output: &testResult{AccessKey: &k, testList: testList{Keys: []testAccessKey{k}}}}
	out := responseElements(o)
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	want := map[string]any{"userName": "alice", "accessKeyId": "AKIAEXAMPLE", "createDate": "Oct 2, 2019 11:12:29 PM"}
	key, _ := got["accessKey"].(map[string]any)
	if len(key) != len(want) {
		t.Fatalf("accessKey = %v, want %v", key, want)
	}
	for n, v := range want {
		if key[n] != v {
			t.Errorf("accessKey.%s = %v, want %v", n, key[n], v)
		}
	}
	if list, _ := got["keys"].([]any); len(list) != 1 {
		t.Errorf("keys = %v, want one member", got["keys"])
	}
	if _, ok := got["missing"]; ok {
		t.Errorf("an absent member is recorded: %s", out)
	}
}
