package events

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
)

// TestSignInThroughTheJournal: a ConsoleLogin event keeps its eventType and additionalEventData
// through the journal and renders as AWS's sign-in records
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html):
// a failure with errorMessage and no errorCode, no requestID; an account ID that is not one
// records nothing; an API call's record is unchanged (eventType AwsApiCall, no
// additionalEventData), and a version 2 encoding still reads.
func TestSignInThroughTheJournal(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), 0, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	r := NewRecorder(j)
	at := time.Unix(1700000000, 0)
	alice := identity.Principal{Type: identity.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", PrincipalID: "AIDAX", UserName: "alice"}
	for _, s := range []SignIn{
		{Time: at, Who: alice, SourceIP: "127.0.0.1", UserAgent: "ua", LoginTo: "http://h/console/", Success: false},
		{Time: at, Who: identity.Principal{Type: identity.IAMUser, Account: "111122223333"}, LoginTo: "http://h/console/"},
		{Time: at, Who: identity.Principal{Type: identity.IAMUser, Account: "1234"}},
	} {
		if err := r.RecordSignIn(s); err != nil {
			t.Fatal(err)
		}
	}
	var got []*Event
	if err := j.Scan(0, 10, func(e *Event) error { c := *e; got = append(got, &c); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d events; want 2 (none for a malformed account)", len(got))
	}
	rec := string(got[0].AppendRecord(nil, "111122223333"))
	for _, want := range []string{
		`"userIdentity":{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}`,
		`"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"127.0.0.1","userAgent":"ua","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"http://h/console/","MobileVersion":"No","MFAUsed":"No"},"eventID":`,
		`"readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`,
	} {
		if !strings.Contains(rec, want) {
			t.Errorf("record lacks %s:\n%s", want, rec)
		}
	}
	if strings.Contains(rec, "requestID") || strings.Contains(rec, "errorCode") {
		t.Errorf("a sign-in record has a requestID or errorCode:\n%s", rec)
	}
	if rec := string(got[1].AppendRecord(nil, "111122223333")); !strings.Contains(rec, `"principalId":"111122223333","arn":"","accountId":"111122223333","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"`) {
		t.Errorf("an unknown user's name is not hidden:\n%s", rec)
	}

	call := Event{Time: at, ID: "id", RequestID: "req", Source: "kms.amazonaws.com", Name: "ListKeys", Management: true, Recipients: []string{"111122223333"}}
	b := call.AppendBinary(nil)
	b[0] = 2
	var old Event
	if err := old.UnmarshalBinary(b); err != nil {
		t.Fatalf("a version 2 encoding: %v", err)
	}
	rec = string(old.AppendRecord(nil, "111122223333"))
	if !strings.Contains(rec, `"requestID":"req"`) || !strings.Contains(rec, `"eventType":"AwsApiCall"`) || strings.Contains(rec, "additionalEventData") {
		t.Errorf("an API call's record:\n%s", rec)
	}
	if !bytes.Equal(old.AppendBinary(nil)[1:], call.AppendBinary(nil)[1:]) {
		t.Error("an API call's encoding changed beyond its version")
	}
}
