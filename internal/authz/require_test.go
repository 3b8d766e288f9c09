package authz_test

import (
	"context"
	"errors"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
)

type failing struct{}

func (failing) Authorize(context.Context, authz.Request) (authz.Decision, error) {
	return authz.Decision{}, errors.New("store unavailable")
}

// Require turns a denial into the service's access-denied error in AWS's words, lets an allowed
// request through and passes the authorizer's own failure on.
func TestRequire(t *testing.T) {
	e := authz.New(authz.Config{})
	ctx := context.Background()
	user := identity.Principal{Type: identity.IAMUser, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/bob", UserName: "bob"}
	req := authz.Request{Principal: user, Action: "kms:ListKeys", Resource: "*", ResourceAccount: "111122223333"}
	err := authz.Require(ctx, e, req, awserr.AccessDeniedException)
	want := "AccessDeniedException: User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:ListKeys on resource: * because no identity-based policy allows the kms:ListKeys action"
	if err == nil || err.Error() != want {
		t.Fatalf("denied: got %v\nwant %s", err, want)
	}
	if err := authz.Require(ctx, e, req, awserr.AccessDenied); !awserr.HasCode(err, awserr.AccessDenied) {
		t.Fatalf("denied with the query code: got %v", err)
	}
	req.Principal = identity.AccountRoot("111122223333")
	if err := authz.Require(ctx, e, req, awserr.AccessDeniedException); err != nil {
		t.Fatalf("the account's root: %v", err)
	}
	if err := authz.Require(ctx, failing{}, req, awserr.AccessDeniedException); err == nil || err.Error() != "store unavailable" {
		t.Fatalf("a failing authorizer: got %v", err)
	}
}
