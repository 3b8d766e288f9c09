package iam_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

const (
	acct     = "111111111111"
	kmsOnly  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	bARN     = "arn:aws:iam::" + acct + ":policy/B"
	adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"
)

// wantUsage is a step's Do checking a policy's PermissionsBoundaryUsageCount.
func wantUsage(s *iam.Service, arn string, n int32) func(context.Context) error {
	return expect(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: arn}, func(out *iam.PolicyOutput) error {
		return same("boundary usage of "+arn, out.Policy.PermissionsBoundaryUsageCount, n)
	})
}

// wantBoundary is a step's Do checking the boundary GetUser or GetRole returns and the one the
// engine is given.
func wantBoundary(s *iam.Service, p identity.Principal, arn string) func(context.Context) error {
	return func(ctx context.Context) error {
		var b *iam.AttachedPermissionsBoundary
		if p.Type == identity.IAMUser {
			out, err := s.GetUser(ctx, &iam.GetUserInput{UserName: p.UserName})
			if err != nil {
				return err
			}
			b = out.User.PermissionsBoundary
		} else {
			out, err := s.GetRole(ctx, &iam.GetRoleInput{RoleName: p.RoleName})
			if err != nil {
				return err
			}
			b = out.Role.PermissionsBoundary
		}
		got := ""
		if b != nil {
			got = b.PermissionsBoundaryArn
			if b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
				return fmt.Errorf("boundary type %q", b.PermissionsBoundaryType)
			}
		}
		docs, err := s.IdentityPolicies(ctx, p)
		if err != nil {
			return err
		}
		engine := ""
		for _, d := range docs {
			if d.Boundary {
				engine = d.Name
			}
		}
		if got != arn || engine != arn {
			return fmt.Errorf("boundary %q, to the engine %q, want %q", got, engine, arn)
		}
		return nil
	}
}

// TestBoundaryStorage: a permissions boundary is stored on its user or role, counted on its
// policy, and released when the user or role goes.
func TestBoundaryStorage(t *testing.T) {
	w := servicetest.New(t)
	s, root := w.IAM, w.Root(acct)
	u := identity.Principal{Type: identity.IAMUser, Account: acct, UserName: "u"}
	r := identity.Principal{Type: identity.AssumedRole, Account: acct, RoleName: "r"}
	putUser := func(user, arn string) func(context.Context) error {
		return servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: user, PermissionsBoundary: arn})
	}
	putRole := func(role, arn string) func(context.Context) error {
		return servicetest.Op(s.PutRolePermissionsBoundary, &iam.PutRolePermissionsBoundaryInput{RoleName: role, PermissionsBoundary: arn})
	}
	w.Run(t, []servicetest.Step{
		{Name: "create the policy", As: root, Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "B", PolicyDocument: kmsOnly})},
		{Name: "create a user with a missing boundary", As: root,
			Do: says("Scope ARN: "+bARN+"x does not exist or is not attachable.",
				servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN + "x"})), Want: "NoSuchEntity"},
		{Name: "nothing was created", As: root, Do: servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "u"}), Want: "NoSuchEntity"},
		{Name: "create the user with the boundary", As: root, Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN})},
		{Name: "the user's boundary", As: root, Do: wantBoundary(s, u, bARN)},
		{Name: "ListUsers leaves it out", As: root, Do: expect(s.ListUsers, &iam.ListUsersInput{}, func(out *iam.ListUsersOutput) error {
			return same("listed boundary", out.Users[0].PermissionsBoundary, nil)
		})},
		{Name: "one use", As: root, Do: wantUsage(s, bARN, 1)},
		{Name: "create the same user again", As: root,
			Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN}), Want: "EntityAlreadyExists"},
		{Name: "still one use", As: root, Do: wantUsage(s, bARN, 1)},
		{Name: "delete the policy in use", As: root, Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: bARN}), Want: "DeleteConflict"},
		{Name: "put without a boundary", As: root, Do: putUser("u", ""), Want: "ValidationError"},
		{Name: "put a malformed ARN", As: root, Do: putUser("u", "arn:aws:iam::1:policy/B"), Want: "InvalidInput"},
		{Name: "put on a missing user", As: root, Do: putUser("nobody", bARN), Want: "NoSuchEntity"},
		{Name: "the boundary is unchanged", As: root, Do: wantBoundary(s, u, bARN)},
		{Name: "replace it with an AWS managed policy", As: root, Do: putUser("u", adminARN)},
		{Name: "the new boundary", As: root, Do: wantBoundary(s, u, adminARN)},
		{Name: "no use of B", As: root, Do: wantUsage(s, bARN, 0)},
		{Name: "remove it", As: root, Do: servicetest.Op(s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "u"})},
		{Name: "no boundary", As: root, Do: wantBoundary(s, u, "")},
		{Name: "removing none changes nothing", As: root, Do: servicetest.Op(s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "u"})},
		{Name: "a role with a boundary", As: root,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct, PermissionsBoundary: bARN})},
		{Name: "the role's boundary", As: root, Do: wantBoundary(s, r, bARN)},
		{Name: "one use by the role", As: root, Do: wantUsage(s, bARN, 1)},
		{Name: "put the same boundary again", As: root, Do: putRole("r", bARN)},
		{Name: "still one use by the role", As: root, Do: wantUsage(s, bARN, 1)},
		{Name: "put on a missing role", As: root, Do: putRole("nobody", bARN), Want: "NoSuchEntity"},
		{Name: "remove the role's", As: root, Do: servicetest.Op(s.DeleteRolePermissionsBoundary, &iam.DeleteRolePermissionsBoundaryInput{RoleName: "r"})},
		{Name: "no use", As: root, Do: wantUsage(s, bARN, 0)},
		{Name: "the role's boundary again", As: root, Do: putRole("r", bARN)},
		{Name: "a role keeps its boundary until deleted", As: root, Do: wantUsage(s, bARN, 1)},
		{Name: "delete the role", As: root, Do: servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "r"})},
		{Name: "the role released it", As: root, Do: wantUsage(s, bARN, 0)},
		{Name: "the policy is free to go", As: root, Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: bARN})},
	})
}

// TestBoundaryAuthorization: iam:PermissionsBoundary is the boundary being set, so a delegate
// may be let create only users it bounds; a boundary limits what its user's policies grant.
func TestBoundaryAuthorization(t *testing.T) {
	w := servicetest.New(t)
	s, root := w.IAM, w.Root(acct)
	servicetest.Call(w.As(root), s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "B", PolicyDocument: kmsOnly}).OK()
	delegate := w.User(acct, "delegate", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":["iam:CreateUser","iam:PutUserPermissionsBoundary","iam:CreateRole","iam:PutRolePermissionsBoundary"],"Resource":"*",
		"Condition":{"StringEquals":{"iam:PermissionsBoundary":"`+bARN+`"}}}]}`)
	bounded := w.User(acct, "bounded", iamAll)
	w.Run(t, []servicetest.Step{
		{Name: "the delegate creates a user it bounds", As: delegate,
			Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN})},
		{Name: "not one without a boundary", As: delegate, Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "v"}), Want: "AccessDenied"},
		{Name: "nor one with another", As: delegate,
			Do: servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "v", PermissionsBoundary: adminARN}), Want: "AccessDenied"},
		{Name: "it may not loosen a boundary", As: delegate,
			Do: servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: "u", PermissionsBoundary: adminARN}), Want: "AccessDenied"},
		{Name: "nor remove one", As: delegate,
			Do: servicetest.Op(s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "u"}), Want: "AccessDenied"},
		{Name: "the delegate bounds a role", As: delegate,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct, PermissionsBoundary: bARN})},
		{Name: "and may set that boundary again", As: delegate,
			Do: servicetest.Op(s.PutRolePermissionsBoundary, &iam.PutRolePermissionsBoundaryInput{RoleName: "r", PermissionsBoundary: bARN})},
		{Name: "but not remove it", As: delegate,
			Do: servicetest.Op(s.DeleteRolePermissionsBoundary, &iam.DeleteRolePermissionsBoundaryInput{RoleName: "r"}), Want: "AccessDenied"},
		{Name: "bounded may use IAM", As: bounded, Do: servicetest.Op(s.ListUsers, &iam.ListUsersInput{})},
		{Name: "bound it to KMS", As: root,
			Do: servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: "bounded", PermissionsBoundary: bARN})},
		{Name: "now it may not", As: bounded, Do: servicetest.Op(s.ListUsers, &iam.ListUsersInput{}), Want: "AccessDenied"},
		{Name: "unbound it", As: root,
			Do: servicetest.Op(s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "bounded"})},
		{Name: "it may again", As: bounded, Do: servicetest.Op(s.ListUsers, &iam.ListUsersInput{})},
	})
}
