package iam_test

import (
	"context"
	"errors"
	"regexp"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestAccessKeys: at most two keys per user; an inactive key authenticates nothing; a key is
// another user's to nobody else; keys must go before their user.
func TestAccessKeys(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	servicetest.Call(w.As(c.root), s.CreateUser, &iam.CreateUserInput{UserName: "Alice"}).OK()
	key := servicetest.Call(w.As(c.root), s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "alice"}).OK().AccessKey
	if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(key.AccessKeyID) || len(key.SecretAccessKey) != 40 ||
		key.Status != "Active" || key.UserName != "Alice" || !key.CreateDate.Equal(w.Clock.Now()) {
		t.Fatalf("CreateAccessKey returned %+v", key)
	}
	secret, p, err := s.AccessKeyCredential(context.Background(), key.AccessKeyID)
	if err != nil || secret != key.SecretAccessKey || p.Type != identity.IAMUser || p.UserName != "Alice" ||
		p.ARN != "arn:aws:iam::111111111111:user/Alice" || p.AccessKeyID != key.AccessKeyID || p.Account != acct {
		t.Fatalf("AccessKeyCredential: %q, %+v, %v", secret, p, err)
	}
	// The admin user has one key already (the World made it a caller with one).
	var adminKey string
	w.Run(t, []servicetest.Step{
		{Name: "a second key for Alice", As: c.admin, Do: servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "Alice"})},
		{Name: "not a third", As: c.admin,
			Do: says("Cannot exceed quota for AccessKeysPerUser: 2", servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "Alice"})), Want: "LimitExceeded"},
		{Name: "a user makes its own second key", As: c.admin,
			Do: expect(s.CreateAccessKey, &iam.CreateAccessKeyInput{}, func(out *iam.CreateAccessKeyOutput) error {
				adminKey = out.AccessKey.AccessKeyID
				return same("user", out.AccessKey.UserName, "admin")
			})},
		{Name: "a role session must name the user", As: c.reader,
			Do: says("Must specify userName", servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{})), Want: "ValidationError"},
		{Name: "the root must name the user too", As: c.root,
			Do: servicetest.Op(s.ListAccessKeys, &iam.ListAccessKeysInput{}), Want: "ValidationError"},
		{Name: "no keys for nobody", As: c.admin, Do: servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "nobody"}), Want: "NoSuchEntity"},
		{Name: "Bob may not make himself a key", As: c.bob,
			Do: says("iam:CreateAccessKey", servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{})), Want: "AccessDenied"},
		{Name: "Bob may not list keys", As: c.bob, Do: servicetest.Op(s.ListAccessKeys, &iam.ListAccessKeysInput{}), Want: "AccessDenied"},
		{Name: "Bob may not switch a key off", As: c.bob,
			Do: servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "Alice", AccessKeyID: key.AccessKeyID, Status: "Inactive"}), Want: "AccessDenied"},
		{Name: "Bob may not delete a key", As: c.bob,
			Do: servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "Alice", AccessKeyID: key.AccessKeyID}), Want: "AccessDenied"},
		{Name: "Alice's keys", As: c.reader,
			Do: expect(s.ListAccessKeys, &iam.ListAccessKeysInput{UserName: "Alice"}, func(out *iam.ListAccessKeysOutput) error {
				if err := same("keys", len(out.AccessKeyMetadata), 2); err != nil {
					return err
				}
				return same("status", out.AccessKeyMetadata[0].Status, "Active")
			})},
		{Name: "switch Alice's first key off", As: c.admin,
			Do: servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "Alice", AccessKeyID: key.AccessKeyID, Status: "Inactive"})},
		{Name: "the key is not the admin's", As: c.admin,
			Do: says("The Access Key with id "+key.AccessKeyID+" cannot be found.",
				servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{AccessKeyID: key.AccessKeyID, Status: "Active"})), Want: "NoSuchEntity"},
		{Name: "nor Bob's to delete", As: c.admin,
			Do: servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "Bob", AccessKeyID: key.AccessKeyID}), Want: "NoSuchEntity"},
		{Name: "no such key", As: c.admin,
			Do: servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "Alice", AccessKeyID: "AKIAAAAAAAAAAAAAAAAA"}), Want: "NoSuchEntity"},
		{Name: "no such user", As: c.admin,
			Do: servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "nobody", AccessKeyID: key.AccessKeyID}), Want: "NoSuchEntity"},
		{Name: "Alice cannot go while she has keys", As: c.admin,
			Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Alice"}), Want: "DeleteConflict"},
	})
	if _, _, err := s.AccessKeyCredential(context.Background(), key.AccessKeyID); !errors.Is(err, iam.ErrInactiveKey) {
		t.Fatalf("an inactive key: %v; want ErrInactiveKey", err)
	}
	if _, _, err := s.AccessKeyCredential(context.Background(), "AKIAAAAAAAAAAAAAAAAA"); !errors.Is(err, iam.ErrNoSuchKey) {
		t.Fatalf("an unknown key: %v; want ErrNoSuchKey", err)
	}
	if _, p, err := s.AccessKeyCredential(context.Background(), adminKey); err != nil || p.UserName != "admin" {
		t.Fatalf("the admin's own key: %+v, %v", p, err)
	}
	// Switched on again, the key authenticates again: the credential cache is read anew after
	// every write.
	servicetest.Call(w.As(c.admin), s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "Alice", AccessKeyID: key.AccessKeyID, Status: "Active"}).OK()
	if _, _, err := s.AccessKeyCredential(context.Background(), key.AccessKeyID); err != nil {
		t.Fatalf("the key switched on again: %v", err)
	}
	keys := servicetest.Call(w.As(c.admin), s.ListAccessKeys, &iam.ListAccessKeysInput{UserName: "Alice"}).OK().AccessKeyMetadata
	for _, k := range keys {
		servicetest.Call(w.As(c.admin), s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "Alice", AccessKeyID: k.AccessKeyID}).OK()
	}
	if _, _, err := s.AccessKeyCredential(context.Background(), key.AccessKeyID); !errors.Is(err, iam.ErrNoSuchKey) {
		t.Fatalf("a deleted key: %v; want ErrNoSuchKey", err)
	}
	servicetest.Call(w.As(c.admin), s.DeleteUser, &iam.DeleteUserInput{UserName: "Alice"}).OK()
}
