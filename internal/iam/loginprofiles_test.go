package iam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestLoginProfiles: console passwords are created under the default password policy, described
// without the password, updated, checked by SignIn and deleted; each call is authorized on the
// user, and a user with a password cannot be deleted.
func TestLoginProfiles(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	const good = "Corr3ct-horse"
	yes := true
	signIn := func(user, password string, want error) func(context.Context) error {
		return func(ctx context.Context) error {
			p, _, err := s.SignIn(ctx, acct, user, password)
			if !errors.Is(err, want) {
				return same("SignIn error", err, want)
			}
			if want == nil {
				return same("principal", p.ARN, "arn:aws:iam::111111111111:user/Alice")
			}
			return nil
		}
	}
	w.Run(t, []servicetest.Step{
		{Name: "root creates Alice", As: c.root, Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "Alice"})},
		{Name: "a profile for nobody", As: c.root,
			Do: servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "nobody", Password: good}), Want: "NoSuchEntity"},
		{Name: "too short", As: c.root,
			Do: says("Password does not conform to the account password policy.",
				servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: "Ab1!"})), Want: "PasswordPolicyViolation"},
		{Name: "only two character types", As: c.root,
			Do: servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: "abcdefgh1234"}), Want: "PasswordPolicyViolation"},
		{Name: "the user's own name", As: c.root,
			Do: servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: "aLICE"}), Want: "PasswordPolicyViolation"},
		{Name: "no password", As: c.root,
			Do: says("Value null at 'password'", servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice"})), Want: "ValidationError"},
		{Name: "a character outside the model's pattern is not echoed", As: c.root,
			Do: says("Value at 'password' failed to satisfy constraint", servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: "Pässwörd€123"})), Want: "ValidationError"},
		{Name: "Bob may not give Alice a password", As: c.bob,
			Do: says("iam:CreateLoginProfile", servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: good})), Want: "AccessDenied"},
		{Name: "no profile yet", As: c.admin,
			Do: says("Login Profile for User Alice cannot be found.", servicetest.Op(s.GetLoginProfile, &iam.GetLoginProfileInput{UserName: "Alice"})), Want: "NoSuchEntity"},
		{Name: "nobody signs in before", Do: signIn("Alice", good, iam.ErrSignIn)},
		{Name: "the admin gives Alice a password to reset", As: c.admin,
			Do: expect(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "alice", Password: good, PasswordResetRequired: &yes},
				func(out *iam.CreateLoginProfileOutput) error {
					if err := same("user", out.LoginProfile.UserName, "Alice"); err != nil {
						return err
					}
					return same("reset", out.LoginProfile.PasswordResetRequired, true)
				})},
		{Name: "twice", As: c.admin,
			Do: says("Login Profile for user Alice already exists.", servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "Alice", Password: good})), Want: "EntityAlreadyExists"},
		{Name: "described", As: c.admin,
			Do: expect(s.GetLoginProfile, &iam.GetLoginProfileInput{UserName: "Alice"}, func(out *iam.GetLoginProfileOutput) error {
				return same("created", out.LoginProfile.CreateDate, w.Clock.Now().UTC())
			})},
		{Name: "Alice signs in", Do: signIn("Alice", good, nil)},
		{Name: "a wrong password", Do: signIn("Alice", good+"x", iam.ErrSignIn)},
		{Name: "an unknown user", Do: signIn("Mallory", good, iam.ErrSignIn)},
		{Name: "a weak new password changes nothing", As: c.admin,
			Do: servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{UserName: "Alice", Password: "weak", PasswordResetRequired: &yes}), Want: "PasswordPolicyViolation"},
		{Name: "the old password still works", Do: signIn("Alice", good, nil)},
		{Name: "a new password", As: c.admin,
			Do: servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{UserName: "Alice", Password: "N3w-password"})},
		{Name: "the old one no longer works", Do: signIn("Alice", good, iam.ErrSignIn)},
		{Name: "the new one does, the reset flag kept", Do: func(ctx context.Context) error {
			_, reset, err := s.SignIn(ctx, acct, "alice", "N3w-password")
			if err != nil {
				return err
			}
			return same("reset required", reset, true)
		}},
		{Name: "the reset flag alone is cleared, the password kept", As: c.admin,
			Do: servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{UserName: "Alice", PasswordResetRequired: new(bool)})},
		{Name: "no reset now", Do: func(ctx context.Context) error {
			_, reset, err := s.SignIn(ctx, acct, "Alice", "N3w-password")
			if err != nil {
				return err
			}
			return same("reset required", reset, false)
		}},
		{Name: "update needs a user name", As: c.admin,
			Do: servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{Password: "N3w-password"}), Want: "ValidationError"},
		{Name: "update of a user without a profile", As: c.admin,
			Do: servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{UserName: "Bob", Password: "N3w-password"}), Want: "NoSuchEntity"},
		{Name: "Alice cannot be deleted while she has a password", As: c.admin,
			Do: says("must delete login profile first", servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Alice"})), Want: "DeleteConflict"},
		{Name: "Bob may not delete it", As: c.bob,
			Do: servicetest.Op(s.DeleteLoginProfile, &iam.DeleteLoginProfileInput{UserName: "Alice"}), Want: "AccessDenied"},
		{Name: "the admin deletes it", As: c.admin, Do: servicetest.Op(s.DeleteLoginProfile, &iam.DeleteLoginProfileInput{UserName: "Alice"})},
		{Name: "twice", As: c.admin, Do: servicetest.Op(s.DeleteLoginProfile, &iam.DeleteLoginProfileInput{UserName: "Alice"}), Want: "NoSuchEntity"},
		{Name: "no more sign-in", Do: signIn("Alice", "N3w-password", iam.ErrSignIn)},
		{Name: "then Alice can be deleted", As: c.admin, Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Alice"})},
		{Name: "root must name a user", As: c.root,
			Do: says("Must specify userName", servicetest.Op(s.GetLoginProfile, &iam.GetLoginProfileInput{})), Want: "ValidationError"},
	})
}

// TestChangePassword: an IAM user allowed iam:ChangePassword on itself changes its own password
// given the current one, which clears PasswordResetRequired; the root and role sessions cannot.
func TestChangePassword(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	carol := w.User(acct, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::111111111111:user/${aws:username}"}]}`)
	yes := true
	w.Run(t, []servicetest.Step{
		{Name: "carol has no password yet", As: carol,
			Do: servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "N3w-password"}), Want: "NoSuchEntity"},
		{Name: "root gives carol one to reset", As: c.root,
			Do: servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "carol", Password: "Corr3ct-horse", PasswordResetRequired: &yes})},
		{Name: "both passwords are required", As: carol,
			Do: says("2 validation errors detected", servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{})), Want: "ValidationError"},
		{Name: "a wrong old password", As: carol,
			Do: says("The old password is incorrect.", servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Wrong-passw0rd", NewPassword: "N3w-password"})), Want: "AccessDenied"},
		{Name: "a weak new password", As: carol,
			Do: servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "short"}), Want: "PasswordPolicyViolation"},
		{Name: "Bob may not change his", As: c.bob,
			Do: says("iam:ChangePassword", servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "N3w-password"})), Want: "AccessDenied"},
		{Name: "a role session has no password", As: c.reader,
			Do: servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "N3w-password"}), Want: "InvalidUserType"},
		{Name: "carol changes hers", As: carol,
			Do: servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "N3w-password"})},
		{Name: "the reset is done and the new password signs in", Do: func(ctx context.Context) error {
			if _, _, err := s.SignIn(ctx, acct, "carol", "Corr3ct-horse"); !errors.Is(err, iam.ErrSignIn) {
				return same("old password's sign-in", err, iam.ErrSignIn)
			}
			_, reset, err := s.SignIn(ctx, acct, "carol", "N3w-password")
			if err != nil {
				return err
			}
			return same("reset required", reset, false)
		}},
	})
}
