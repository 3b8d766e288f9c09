package iam_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The seed's accounts: Bob and the CloudTrailReadRole live in 111111111111 (acct); the role
// trusts the root of 222222222222, where Alice lives.
const (
	otherAcct = "222222222222"
	iamAll    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`
	// readTrust is the seed's trust policy of CloudTrailReadRole.
	readTrust = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "sts:AssumeRole" } ] }`
	// kmsDecrypt is the seed's user policy of Alice, made an identity policy.
	kmsDecrypt = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	// assumeRead lets Alice assume the seed's role.
	assumeRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/CloudTrailReadRole"}]}`
)

// cast are the principals of the scenarios.
type cast struct {
	w      *servicetest.World
	root   identity.Principal // the root of acct
	bob    identity.Principal // an IAM user of acct without any permission
	admin  identity.Principal // an IAM user of acct allowed iam:*
	reader identity.Principal // a session of acct's CloudTrailReadRole (allowed iam:*), assumed by otherAcct's Alice
}

// newCast returns a World with the scenarios' principals in it: the users Bob and admin, and
// the role CloudTrailReadRole with a session.
func newCast(t *testing.T) *cast {
	t.Helper()
	w := servicetest.New(t)
	return &cast{
		w:      w,
		root:   w.Root(acct),
		bob:    w.User(acct, "Bob"),
		admin:  w.User(acct, "admin", iamAll),
		reader: w.Role(acct, "CloudTrailReadRole", readTrust, w.User(otherAcct, "Alice", assumeRead), iamAll),
	}
}

// expect makes a Step's Do of a call whose output must pass check.
func expect[In, Out any](op func(context.Context, In) (Out, error), in In, check func(Out) error) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := op(ctx, in)
		if err != nil {
			return err
		}
		return check(out)
	}
}

// says makes a Step's Do whose error, if any, must say msg.
func says(msg string, do func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error {
		err := do(ctx)
		if err != nil && !strings.Contains(err.Error(), msg) {
			return fmt.Errorf("error %q does not say %q", err, msg)
		}
		return err
	}
}

// same returns an error unless got equals want.
func same[T comparable](what string, got, want T) error {
	if got != want {
		return fmt.Errorf("%s is %v; want %v", what, got, want)
	}
	return nil
}

// names are the names of a list's items, in order, comma-separated.
func names[T any](items []T, name func(T) string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = name(it)
	}
	return strings.Join(out, ",")
}

func i32(n int32) *int32 { return &n }

func userName(u *iam.User) string   { return u.UserName }
func roleName(r *iam.Role) string   { return r.RoleName }
func groupName(g *iam.Group) string { return g.GroupName }
