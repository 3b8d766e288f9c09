package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

func testEvent(i int) *Event {
	return &Event{Time: time.Unix(1700000000+int64(i), 0).UTC(), ID: request.NewID(nil), RequestID: request.NewID(nil),
		Source: "kms.amazonaws.com", Name: "Decrypt", Region: "us-east-1", SourceIP: "127.0.0.1", UserAgent: "ua",
		ReadOnly: true, Management: true, Identity: Identity{Type: "Root", PrincipalID: "111111111111", ARN: "arn:aws:iam::111111111111:root", AccountID: "111111111111"},
		Recipients: []string{"111111111111"}, Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:111111111111:key/k", Account: "111111111111"}},
		Params: []byte(`{"keyId":"k"}`)}
}

func TestEventEncodingRoundTrip(t *testing.T) {
	e := testEvent(1)
	e.Seq = 42
	e.Identity.RoleARN, e.Identity.SessionIssued = "arn:aws:iam::111111111111:role/r", 1700000000
	var got Event
	if err := got.UnmarshalBinary(e.AppendBinary(nil)); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(e)
	b, _ := json.Marshal(&got)
	if string(a) != string(b) {
		t.Fatalf("round trip:\n%s\n%s", a, b)
	}
	enc := e.AppendBinary(nil)
	for _, bad := range [][]byte{nil, enc[:len(enc)-1], append(append([]byte{}, enc...), 0), append([]byte{9}, enc[1:]...)} {
		if err := got.UnmarshalBinary(bad); err == nil {
			t.Errorf("a corrupt encoding of %d bytes decoded", len(bad))
		}
	}
}

func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"KeyId":"alias/x","Plaintext":"c2VjcmV0","EncryptionContext":{"Dept":"A","plaintext":"kept: user data"}}`,
			`{"keyId":"alias/x","encryptionContext":{"Dept":"A","plaintext":"kept: user data"}}`},
		{`{"Credentials":{"AccessKeyId":"ASIA","SecretAccessKey":"s","SessionToken":"t","Expiration":1},"Nested":[{"Password":"p","Name":"n"}]}`,
			`{"credentials":{"accessKeyId":"ASIA","expiration":1},"nested":[{"name":"n"}]}`},
		{` { "A" : [1, 2.5e3, true, null, "x\"y"] , "B":null, "C":"" } `, `{"a":[1,2.5e3,true,null,"x\"y"]}`},
		{`{"Plaintext":"x"}`, ``},
		{`{}`, ``},
		{`[1]`, ``},
		{`{"A":}`, ``},
		{`{"A":1`, ``},
		{`{"A":nope}`, ``},
		{`{"A":1} x`, ``},
	} {
		if got := string(Rewrite(nil, []byte(c.in))); got != c.want {
			t.Errorf("Rewrite(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestFormParams(t *testing.T) {
	out, err := formParams([]byte("Action=CreateUser&Version=2010-05-08&UserName=bob&Tags.member.2.Key=b&Tags.member.1.Key=a&Tags.member.1.Value=1&Password=hunter2"), inputShape("iam", "CreateUser"))
	got := string(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"tags":[{"key":"a","value":"1"},{"key":"b"}],"userName":"bob"}`
	if got != want {
		t.Fatalf("formParams = %s, want %s", got, want)
	}
}

func TestRecordRendering(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), 0, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	r := NewRecorder(j)
	session := identity.Principal{Type: identity.AssumedRole, Account: "222222222222", ARN: "arn:aws:sts::222222222222:assumed-role/Reader/s1",
		PrincipalID: "AROAX:s1", AccessKeyID: "ASIAX", RoleName: "Reader", RoleARN: "arn:aws:iam::222222222222:role/Reader", RoleID: "AROAX",
		SessionIssued: time.Unix(1700000000, 0)}
	keyARN := "arn:aws:kms:us-east-1:111111111111:key/k"
	read := request.Meta{ReadOnly: true}
	calls := []struct {
		f request.Facts
		o request.Outcome
	}{
		{request.Facts{ID: "r1", Service: "kms", Region: "us-east-1", SourceIP: "10.0.0.1", UserAgent: "ua", Time: time.Unix(1700000100, 0).UTC(),
			Secure: true, TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: "h"},
			request.Outcome{Operation: "Decrypt", Meta: read,
				Params:    []byte(`{"CiphertextBlob":"AQID","EncryptionContext":{"aws:cloudtrail:arn":"arn"}}`),
				Response:  []byte(`{"Plaintext":"c2VjcmV0","KeyId":"k"}`),
				Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: "111111111111"}}}},
		{request.Facts{ID: "r2", Service: "kms", Region: "us-east-1", Time: time.Unix(1700000101, 0).UTC()},
			request.Outcome{Operation: "Decrypt", Meta: read, ErrorCode: "AccessDeniedException", ErrorMessage: "denied",
				Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: "111111111111"}}}},
	}
	for _, c := range calls {
		if err := r.Record(&c.f, &c.o, session); err != nil {
			t.Fatal(err)
		}
	}
	var got []Event
	if err := j.Scan(0, 10, func(e *Event) error { c := *e; got = append(got, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d events", len(got))
	}
	if strings.Join(got[0].Recipients, ",") != "222222222222,111111111111" {
		t.Errorf("a cross-account call goes to %v, want both accounts", got[0].Recipients)
	}
	if strings.Join(got[1].Recipients, ",") != "222222222222" {
		t.Errorf("a denied cross-account call goes to %v, want the caller's account alone", got[1].Recipients)
	}
	owner := got[0].AppendRecord(nil, "111111111111")
	caller := got[0].AppendRecord(nil, "222222222222")
	for _, rec := range [][]byte{owner, caller} {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			t.Fatalf("record is not JSON: %v\n%s", err, rec)
		}
		for _, f := range []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
			"userAgent", "requestParameters", "responseElements", "requestID", "eventID", "readOnly", "resources", "eventType",
			"managementEvent", "recipientAccountId", "eventCategory", "tlsDetails", "sharedEventID"} {
			if _, ok := m[f]; !ok {
				t.Errorf("record lacks %s: %s", f, rec)
			}
		}
		if strings.Contains(string(rec), "AQID") || strings.Contains(string(rec), "c2VjcmV0") {
			t.Errorf("a secret is in the record: %s", rec)
		}
		id := m["userIdentity"].(map[string]any)
		issuer := id["sessionContext"].(map[string]any)["sessionIssuer"].(map[string]any)
		if id["type"] != "AssumedRole" || id["arn"] != session.ARN || issuer["arn"] != session.RoleARN {
			t.Errorf("userIdentity = %v", id)
		}
		if m["responseElements"] != nil {
			t.Errorf("a read-only call's responseElements = %v, want null", m["responseElements"])
		}
	}
	var o, c map[string]any
	if err := json.Unmarshal(owner, &o); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(caller, &c); err != nil {
		t.Fatal(err)
	}
	if o["eventID"] == c["eventID"] || o["sharedEventID"] != c["sharedEventID"] || o["recipientAccountId"] != "111111111111" {
		t.Errorf("the two accounts' copies: eventID %v/%v sharedEventID %v/%v", o["eventID"], c["eventID"], o["sharedEventID"], c["sharedEventID"])
	}
}
