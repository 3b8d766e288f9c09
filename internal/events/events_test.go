package events

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

func testEvent(i int) *Event {
	return &Event{Time: time.Unix(1700000000+int64(i), 0).UTC(), ID: request.NewID(), RequestID: request.NewID(),
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

func appendN(t *testing.T, j *Journal, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := j.Append(testEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func seqs(t *testing.T, j *Journal, from, to uint64) []uint64 {
	t.Helper()
	var out []uint64
	if err := j.Scan(from, to, func(e *Event) error { out = append(out, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestJournalAppendScanReopen(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, 16<<10) // small segments: many of them
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, j, 0, 3000)
	if got := j.Next(); got != 3001 {
		t.Fatalf("Next = %d, want 3001", got)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	if len(names) < 10 {
		t.Fatalf("%d segments, want many", len(names))
	}
	got := seqs(t, j, 1234, 2345)
	if len(got) != 1111 || got[0] != 1234 || got[len(got)-1] != 2344 {
		t.Fatalf("Scan(1234, 2345) gave %d events from %v to %v", len(got), got[0], got[len(got)-1])
	}
	var back []uint64
	err = j.ScanBackward(2000, time.Unix(1700000000+1500, 0), func(e *Event) error {
		back = append(back, e.Seq)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Events 1501..1999 (times 1700001500..1700001998) are at or after since.
	if len(back) != 499 || back[0] != 1999 || back[len(back)-1] != 1501 {
		t.Fatalf("ScanBackward gave %d events from %d to %d", len(back), back[0], back[len(back)-1])
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j, err = OpenJournal(dir, 16<<10)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := j.Next(); got != 3001 {
		t.Fatalf("after reopening Next = %d, want 3001", got)
	}
	appendN(t, j, 3000, 10)
	if got := seqs(t, j, 2995, 4000); len(got) != 16 || got[15] != 3010 {
		t.Fatalf("after reopening the tail is %v", got)
	}
	// Pruning keeps what a cursor still needs and the active segment.
	if err := j.Prune(2000, time.Unix(1800000000, 0)); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, j, 0, 4000); got[0] > 2000 || got[len(got)-1] != 3010 {
		t.Fatalf("after pruning the journal holds %d..%d", got[0], got[len(got)-1])
	}
	if got := seqs(t, j, 0, 4000); got[0] == 1 {
		t.Fatal("pruning removed nothing")
	}
}

// A process killed mid-write leaves a torn entry: reopening cuts it off and goes on.
func TestJournalTornTail(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, j, 0, 5)
	j.Close()
	names, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	f, err := os.OpenFile(names[len(names)-1], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0}) // a header and part of a payload
	f.Close()
	j, err = OpenJournal(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if got := j.Next(); got != 6 {
		t.Fatalf("Next = %d after a torn tail, want 6", got)
	}
	appendN(t, j, 5, 1)
	if got := seqs(t, j, 1, 10); len(got) != 6 {
		t.Fatalf("events after recovery: %v", got)
	}
}

// A process killed with the journal open leaves the active segment preallocated and mapped:
// whatever Append returned for is there when the journal opens again.
func TestJournalKilledOpen(t *testing.T) {
	dir := t.TempDir()
	j, err := OpenJournal(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, j, 0, 7)
	// The process "dies": no Close, the segment is left preallocated. (The mapping goes, as it
	// would with the process, so that reopening may cut the file.)
	close(j.stopFault)
	j.faulting.Wait()
	syscall.Munmap(j.m)
	j.f.Close()
	j2, err := OpenJournal(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	if got := seqs(t, j2, 1, 100); len(got) != 7 || j2.Next() != 8 {
		t.Fatalf("after the kill: events %v, next %d", got, j2.Next())
	}
	appendN(t, j2, 7, 3)
	if got := seqs(t, j2, 1, 100); len(got) != 10 {
		t.Fatalf("appending after recovery: %v", got)
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
	j, err := OpenJournal(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	r := NewRecorder(j)
	session := identity.Principal{Type: identity.AssumedRole, Account: "222222222222", ARN: "arn:aws:sts::222222222222:assumed-role/Reader/s1",
		PrincipalID: "AROAX:s1", AccessKeyID: "ASIAX", RoleName: "Reader", RoleARN: "arn:aws:iam::222222222222:role/Reader", RoleID: "AROAX",
		SessionIssued: time.Unix(1700000000, 0)}
	keyARN := "arn:aws:kms:us-east-1:111111111111:key/k"
	calls := []*request.Info{
		{ID: "r1", Service: "kms", Operation: "Decrypt", Region: "us-east-1", SourceIP: "10.0.0.1", UserAgent: "ua", Time: time.Unix(1700000100, 0).UTC(),
			Params:    []byte(`{"CiphertextBlob":"AQID","EncryptionContext":{"aws:cloudtrail:arn":"arn"}}`),
			Response:  []byte(`{"Plaintext":"c2VjcmV0","KeyId":"k"}`),
			Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: "111111111111"}}, Secure: true, TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: "h"},
		{ID: "r2", Service: "kms", Operation: "Decrypt", Region: "us-east-1", Time: time.Unix(1700000101, 0).UTC(),
			ErrorCode: "AccessDeniedException", ErrorMessage: "denied", Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: "111111111111"}}},
	}
	for _, c := range calls {
		if err := r.Record(c, session); err != nil {
			t.Fatal(err)
		}
	}
	var got []Event
	j.Scan(0, 10, func(e *Event) error { c := *e; got = append(got, c); return nil })
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
	json.Unmarshal(owner, &o)
	json.Unmarshal(caller, &c)
	if o["eventID"] == c["eventID"] || o["sharedEventID"] != c["sharedEventID"] || o["recipientAccountId"] != "111111111111" {
		t.Errorf("the two accounts' copies: eventID %v/%v sharedEventID %v/%v", o["eventID"], c["eventID"], o["sharedEventID"], c["sharedEventID"])
	}
}
