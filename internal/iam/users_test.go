package iam_test

import (
	"context"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestUsers: create, describe, list and delete users, as root, as a user allowed iam:*, as a
// role session and as Bob, who may do nothing.
func TestUsers(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	created := w.Clock.Now()
	w.Run(t, []servicetest.Step{
		{Name: "root creates Alice with a path and tags", As: c.root,
			Do: expect(s.CreateUser, &iam.CreateUserInput{UserName: "Alice", Path: "/ops/", Tags: []iam.Tag{{Key: "team", Value: "ops"}}},
				func(out *iam.CreateUserOutput) error {
					u := out.User
					if err := same("ARN", u.Arn, "arn:aws:iam::111111111111:user/ops/Alice"); err != nil {
						return err
					}
					if err := same("ID prefix", u.UserID[:4], "AIDA"); err != nil {
						return err
					}
					if err := same("creation", u.CreateDate, created); err != nil {
						return err
					}
					if u.Tags == nil || len(u.Tags.Members) != 1 || u.Tags.Members[0] != (iam.Tag{Key: "team", Value: "ops"}) {
						return same("tags", u.Tags, &iam.TagList{})
					}
					return same("boundary", u.PermissionsBoundary, nil)
				})},
		{Name: "names are unique in any case", As: c.root,
			Do: says("User with name ALICE already exists.", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "ALICE"})), Want: "EntityAlreadyExists"},
		{Name: "the admin user creates carol", As: c.admin, Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "carol"})},
		{Name: "the role session creates dave", As: c.reader, Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "dave"})},
		{Name: "Bob may not create users", As: c.bob,
			Do: says("is not authorized to perform: iam:CreateUser", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "erin"})), Want: "AccessDenied"},
		{Name: "GetUser finds Alice by any case", As: c.admin,
			Do: expect(s.GetUser, &iam.GetUserInput{UserName: "alice"}, func(out *iam.GetUserOutput) error {
				return same("name", out.User.UserName, "Alice")
			})},
		{Name: "GetUser of nobody", As: c.admin,
			Do: says("The user with name nobody cannot be found.", servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "nobody"})), Want: "NoSuchEntity"},
		{Name: "another account does not see Bob", As: w.Root(otherAcct),
			Do: servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "Bob"}), Want: "NoSuchEntity"},
		{Name: "the admin user describes itself", As: c.admin,
			Do: expect(s.GetUser, &iam.GetUserInput{}, func(out *iam.GetUserOutput) error {
				return same("ARN", out.User.Arn, "arn:aws:iam::111111111111:user/admin")
			})},
		{Name: "Bob may not describe himself without iam:GetUser", As: c.bob,
			Do: servicetest.Op(s.GetUser, &iam.GetUserInput{}), Want: "AccessDenied"},
		{Name: "the root describes itself", As: c.root,
			Do: expect(s.GetUser, &iam.GetUserInput{}, func(out *iam.GetUserOutput) error {
				u := out.User
				if err := same("ARN", u.Arn, "arn:aws:iam::111111111111:root"); err != nil {
					return err
				}
				if err := same("ID", u.UserID, acct); err != nil {
					return err
				}
				return same("creation (the account's first use)", u.CreateDate, created)
			})},
		{Name: "a role session must name the user", As: c.reader,
			Do: says("Must specify userName when calling with non-User credentials", servicetest.Op(s.GetUser, &iam.GetUserInput{})), Want: "ValidationError"},
		{Name: "ListUsers lists by name, without boundaries", As: c.reader,
			Do: expect(s.ListUsers, &iam.ListUsersInput{}, func(out *iam.ListUsersOutput) error {
				return same("users", names(out.Users, userName), "admin,Alice,Bob,carol,dave")
			})},
		{Name: "ListUsers under a path", As: c.reader,
			Do: expect(s.ListUsers, &iam.ListUsersInput{PathPrefix: "/ops/"}, func(out *iam.ListUsersOutput) error {
				return same("users", names(out.Users, userName), "Alice")
			})},
		{Name: "Bob may not list users", As: c.bob, Do: servicetest.Op(s.ListUsers, &iam.ListUsersInput{}), Want: "AccessDenied"},
		{Name: "Bob may not delete users", As: c.bob, Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "carol"}), Want: "AccessDenied"},
		{Name: "delete carol", As: c.admin, Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "CAROL"})},
		{Name: "carol is gone", As: c.admin, Do: servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "carol"}), Want: "NoSuchEntity"},
		{Name: "delete her again", As: c.admin, Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "carol"}), Want: "NoSuchEntity"},
		{Name: "a user with an access key stays", As: c.admin,
			Do: says("must delete access keys first", servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Bob"})), Want: "DeleteConflict"},
	})
}

// TestNoCaller: a context without a caller is refused by every operation.
func TestNoCaller(t *testing.T) {
	w := servicetest.New(t)
	ctx := context.Background()
	if _, err := w.IAM.ListUsers(ctx, &iam.ListUsersInput{}); err == nil || err.Error() != "AccessDenied: The request carries no authenticated caller." {
		t.Fatalf("ListUsers without a caller: %v", err)
	}
	if _, err := w.IAM.GetUser(ctx, &iam.GetUserInput{}); err == nil {
		t.Fatal("GetUser without a caller succeeded")
	}
	if _, err := w.IAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{}); err == nil {
		t.Fatal("CreateAccessKey without a caller succeeded")
	}
}

// TestAccounts: an account comes into being on first use, once.
func TestAccounts(t *testing.T) {
	w := servicetest.New(t)
	first := w.Clock.Now()
	if err := w.IAM.EnsureAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(time.Hour)
	if err := w.IAM.EnsureAccount(context.Background(), acct); err != nil {
		t.Fatal(err)
	}
	u := servicetest.Call(w.As(w.Root(acct)), w.IAM.GetUser, &iam.GetUserInput{}).OK().User
	if !u.CreateDate.Equal(first) {
		t.Fatalf("the account was created at %v; want %v", u.CreateDate, first)
	}
	// A second service on the same store finds the account without its memory of it.
	again := iam.New(iam.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Now: w.Clock.Now})
	u = servicetest.Call(w.As(w.Root(acct)), again.GetUser, &iam.GetUserInput{}).OK().User
	if !u.CreateDate.Equal(first) {
		t.Fatalf("reopened, the account was created at %v; want %v", u.CreateDate, first)
	}
}
