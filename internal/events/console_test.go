package events

import (
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// TestConsoleRecord: a call signed with a console session's credentials is recorded with the
// session's attributes (no issuer: the user or root itself) and sessionCredentialFromConsole
// after tlsDetails, which survive the journal encoding; other calls have neither.
func TestConsoleRecord(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), 0, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	r := NewRecorder(j)
	alice := identity.Principal{Type: identity.IAMUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice",
		PrincipalID: "AIDAX", AccessKeyID: "ASIAX", UserName: "alice", SessionIssued: time.Unix(1700000000, 0), Console: true}
	plain := alice
	plain.Console, plain.SessionIssued, plain.AccessKeyID = false, time.Time{}, "AKIAX"
	f := request.Facts{ID: "r1", Service: "kms", Region: "us-east-1", SourceIP: "10.0.0.1", UserAgent: "keytrail-console/test",
		Time: time.Unix(1700000100, 0).UTC(), Secure: true, TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", Host: "h"}
	for _, p := range []identity.Principal{alice, plain} {
		o := request.Outcome{Operation: "ListKeys", Meta: request.Meta{ReadOnly: true}}
		if err := r.Record(&f, &o, p); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	if err := j.Scan(0, 10, func(e *Event) error { got = append(got, string(e.AppendRecord(nil, "111111111111"))); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d events", len(got))
	}
	for _, want := range []string{
		`"userName":"alice","sessionContext":{"attributes":{"creationDate":"2023-11-14T22:13:20Z","mfaAuthenticated":"false"}}}`,
		`"clientProvidedHostHeader":"h"},"sessionCredentialFromConsole":"true"}`,
	} {
		if !strings.Contains(got[0], want) {
			t.Errorf("console record lacks %s:\n%s", want, got[0])
		}
	}
	if strings.Contains(got[1], "sessionContext") || strings.Contains(got[1], "sessionCredentialFromConsole") {
		t.Errorf("a long-term key's record has a console session:\n%s", got[1])
	}
}
