package identity_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/identity"
)

// TestAccountRoot: an account's root principal, as CloudTrail's userIdentity names it.
func TestAccountRoot(t *testing.T) {
	p := identity.AccountRoot("111122223333")
	want := identity.Principal{Type: identity.Root, Account: "111122223333", ARN: "arn:aws:iam::111122223333:root",
		PrincipalID: "111122223333", AccessKeyID: "111122223333"}
	if p != want {
		t.Errorf("AccountRoot = %+v; want %+v", p, want)
	}
	if got := identity.RootARN("444455556666"); got != "arn:aws:iam::444455556666:root" {
		t.Errorf("RootARN = %s", got)
	}
}

// TestIsAccountID: exactly 12 ASCII digits.
func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{
		"111122223333": true, "000000000000": true,
		"11112222333": false, "1111222233334": false, "": false, "11112222333a": false,
		"１１１１２２２２３３３３": false, "-11122223333": false, "test": false,
	} {
		if got := identity.IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q) = %v; want %v", s, got, want)
		}
	}
}

// TestContext: a context carries the principal it was given, and none when given none.
func TestContext(t *testing.T) {
	if p, ok := identity.FromContext(context.Background()); ok {
		t.Errorf("a bare context carries %+v", p)
	}
	alice := identity.Principal{Type: identity.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/alice", UserName: "alice"}
	ctx := identity.WithPrincipal(context.Background(), alice)
	if p, ok := identity.FromContext(ctx); !ok || p != alice {
		t.Errorf("FromContext = %+v, %v; want alice", p, ok)
	}
	svc := identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"}
	if p, _ := identity.FromContext(identity.WithPrincipal(ctx, svc)); p != svc {
		t.Errorf("the inner principal is not the one read: %+v", p)
	}
}
