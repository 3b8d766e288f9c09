package servicetest_test

import (
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/sts"
)

const listUsers = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`

// TestScenario shows the runner: identities made in IAM and STS, calls as each, codes wanted.
func TestScenario(t *testing.T) {
	w := servicetest.New(t)
	alice := w.User(servicetest.Account, "alice", listUsers)
	bob := w.User(servicetest.Account, "bob")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`
	auditor := w.Role(servicetest.Account, "auditor", trust, alice, listUsers)
	stranger := w.Root(servicetest.OtherAccount)

	users := servicetest.Call(w.As(alice), w.IAM.ListUsers, &iam.ListUsersInput{}).OK()
	if len(users.Users) != 2 {
		t.Fatalf("alice lists %d users; want 2", len(users.Users))
	}
	servicetest.Call(w.As(bob), w.IAM.ListUsers, &iam.ListUsersInput{}).Want("AccessDenied").
		WantMessage("is not authorized to perform: iam:ListUsers")
	id := servicetest.Call(w.As(auditor), w.STS.GetCallerIdentity, &sts.GetCallerIdentityInput{}).OK()
	if id.Arn != "arn:aws:sts::111122223333:assumed-role/auditor/session" {
		t.Fatalf("the auditor session is %s", id.Arn)
	}
	w.Run(t, []servicetest.Step{
		{Name: "the role's session lists users", As: auditor, Do: servicetest.Op(w.IAM.ListUsers, &iam.ListUsersInput{})},
		{Name: "bob may not", As: bob, Do: servicetest.Op(w.IAM.ListUsers, &iam.ListUsersInput{}), Want: "AccessDenied"},
		{Name: "another account sees none of these users", As: stranger,
			Do: servicetest.Op(w.IAM.GetUser, &iam.GetUserInput{UserName: "alice"}), Want: "NoSuchEntity"},
	})
}

// TestClockAndRand: the clock moves only when told; the randomness repeats for a seed.
func TestClockAndRand(t *testing.T) {
	w := servicetest.New(t)
	start := w.Clock.Now()
	w.Clock.Advance(90)
	if got := w.Clock.Now().Sub(start); got != 90 {
		t.Fatalf("the clock moved %v; want 90ns", got)
	}
	a, b := make([]byte, 16), make([]byte, 16)
	if _, err := servicetest.NewRand(7).Read(a); err != nil {
		t.Fatal(err)
	}
	if _, err := servicetest.NewRand(7).Read(b); err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatal("two sources with one seed differ")
	}
}
