package iam_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store/bolt"
)

const (
	acct     = "111111111111"
	kmsOnly  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	bARN     = "arn:aws:iam::" + acct + ":policy/B"
	adminARN = "arn:aws:iam::aws:policy/AdministratorAccess"
)

func newService(t *testing.T) (*iam.Service, context.Context) {
	t.Helper()
	db, err := bolt.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	engine := authz.New(authz.Config{})
	s := iam.New(iam.Config{DB: db, Authorizer: engine})
	engine.SetIdentities(s)
	return s, identity.WithPrincipal(context.Background(), identity.AccountRoot(acct))
}

// step is one line of a scenario: call, and expect an error code ("" for success).
type step struct {
	name string
	call func(s *iam.Service, ctx context.Context) error
	code awserr.Code
}

func run(ctx context.Context, t *testing.T, s *iam.Service, steps []step) {
	t.Helper()
	for _, st := range steps {
		err := st.call(s, ctx)
		switch {
		case st.code == "" && err != nil:
			t.Fatalf("%s: %v", st.name, err)
		case st.code != "" && !awserr.HasCode(err, st.code):
			t.Fatalf("%s: error %v, want %s", st.name, err, st.code)
		}
	}
}

// wantUsage is a step checking a policy's PermissionsBoundaryUsageCount.
func wantUsage(arn string, n int32) step {
	return step{name: "usage of " + arn, call: func(s *iam.Service, ctx context.Context) error {
		out, err := s.GetPolicy(ctx, &iam.PolicyARNInput{PolicyArn: arn})
		if err != nil {
			return err
		}
		if got := out.Policy.PermissionsBoundaryUsageCount; got != n {
			return awserr.New(awserr.InvalidInput, "usage count %d, want %d", got, n)
		}
		return nil
	}}
}

// wantUserBoundary is a step checking GetUser's PermissionsBoundary and the documents the
// engine is given.
func wantUserBoundary(user, arn string) step {
	return step{name: "boundary of " + user, call: func(s *iam.Service, ctx context.Context) error {
		out, err := s.GetUser(ctx, &iam.GetUserInput{UserName: user})
		if err != nil {
			return err
		}
		got := ""
		if b := out.User.PermissionsBoundary; b != nil {
			got = b.PermissionsBoundaryArn
			if b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
				return awserr.New(awserr.InvalidInput, "type %q", b.PermissionsBoundaryType)
			}
		}
		docs, err := s.IdentityPolicies(ctx, identity.Principal{Type: identity.IAMUser, Account: acct, UserName: user})
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
			return awserr.New(awserr.InvalidInput, "boundary %q, to the engine %q, want %q", got, engine, arn)
		}
		return nil
	}}
}

func TestBoundaryStorage(t *testing.T) {
	s, ctx := newService(t)
	putUser := func(user, arn string) func(*iam.Service, context.Context) error {
		return func(s *iam.Service, ctx context.Context) error {
			_, err := s.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: user, PermissionsBoundary: arn})
			return err
		}
	}
	run(ctx, t, s, []step{
		{"create the policy", func(s *iam.Service, ctx context.Context) error {
			_, err := s.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: "B", PolicyDocument: kmsOnly})
			return err
		}, ""},
		{"create a user with a missing boundary", func(s *iam.Service, ctx context.Context) error {
			_, err := s.CreateUser(ctx, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN + "x"})
			return err
		}, awserr.NoSuchEntity},
		{"nothing was created", func(s *iam.Service, ctx context.Context) error {
			_, err := s.GetUser(ctx, &iam.GetUserInput{UserName: "u"})
			return err
		}, awserr.NoSuchEntity},
		{"create the user with the boundary", func(s *iam.Service, ctx context.Context) error {
			_, err := s.CreateUser(ctx, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN})
			return err
		}, ""},
		wantUserBoundary("u", bARN),
		wantUsage(bARN, 1),
		{"create the same user again", func(s *iam.Service, ctx context.Context) error {
			_, err := s.CreateUser(ctx, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: bARN})
			return err
		}, awserr.EntityAlreadyExists},
		wantUsage(bARN, 1),
		{"delete the policy in use", func(s *iam.Service, ctx context.Context) error {
			_, err := s.DeletePolicy(ctx, &iam.PolicyARNInput{PolicyArn: bARN})
			return err
		}, awserr.DeleteConflict},
		{"put without a boundary", putUser("u", ""), awserr.ValidationError},
		{"put a malformed ARN", putUser("u", "arn:aws:iam::1:policy/B"), awserr.InvalidInput},
		{"put on a missing user", putUser("nobody", bARN), awserr.NoSuchEntity},
		wantUserBoundary("u", bARN),
		{"replace it with an AWS managed policy", putUser("u", adminARN), ""},
		wantUserBoundary("u", adminARN),
		wantUsage(bARN, 0),
		{"remove it", func(s *iam.Service, ctx context.Context) error {
			_, err := s.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: "u"})
			return err
		}, ""},
		wantUserBoundary("u", ""),
		{"a role keeps its boundary until deleted", func(s *iam.Service, ctx context.Context) error {
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
			_, err := s.CreateRole(ctx, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trust, PermissionsBoundary: bARN})
			return err
		}, ""},
		wantUsage(bARN, 1),
		{"delete the role", func(s *iam.Service, ctx context.Context) error {
			_, err := s.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: "r"})
			return err
		}, ""},
		wantUsage(bARN, 0),
		{"the policy is free to go", func(s *iam.Service, ctx context.Context) error {
			_, err := s.DeletePolicy(ctx, &iam.PolicyARNInput{PolicyArn: bARN})
			return err
		}, ""},
	})
}
