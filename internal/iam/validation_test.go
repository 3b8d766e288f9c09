package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestValidation: what IAM refuses before it looks at anything, with AWS's whole message. On the
// wire the model refuses most of these first with the same words; IAM answers them itself where
// it is stricter than its model (user names of at most 64 characters in every operation, access
// keys Active or Inactive) and for in-process callers.
func TestValidation(t *testing.T) {
	w := servicetest.New(t)
	s := w.IAM
	long := func(n int) string { return strings.Repeat("a", n) }
	const (
		one      = "1 validation error detected: "
		null     = "failed to satisfy constraint: Member must not be null"
		namePat  = `failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`
		pathPat  = `failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
		max64    = "failed to satisfy constraint: Member must have length less than or equal to 64"
		itemsMsg = "failed to satisfy constraint: Member must have value between 1 and 1000"
	)
	for _, c := range []struct {
		name string
		do   func(context.Context) error
		code awserr.Code
		msg  string
	}{
		{"CreateUser without a name", servicetest.Op(s.CreateUser, &iam.CreateUserInput{}),
			awserr.ValidationError, one + "Value null at 'userName' " + null},
		{"CreateUser with a long name", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: long(65)}),
			awserr.ValidationError, one + "Value '" + long(65) + "' at 'userName' " + max64},
		{"CreateUser with a bad name and path", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "a b", Path: "x"}),
			awserr.ValidationError, "2 validation errors detected: Value 'a b' at 'userName' " + namePat + "; Value 'x' at 'path' " + pathPat},
		{"CreateUser with a path too long", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", Path: "/" + long(512) + "/"}),
			awserr.ValidationError, one + "Value '/" + long(512) + "/' at 'path' " + pathPat},
		{"DeleteUser: 64 characters, as CreateUser (the model allows 128)", servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: long(100)}),
			awserr.ValidationError, one + "Value '" + long(100) + "' at 'userName' " + max64},
		{"GetUser with a bad name", servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "a/b"}),
			awserr.ValidationError, one + "Value 'a/b' at 'userName' " + namePat},
		{"ListUsers of no items", servicetest.Op(s.ListUsers, &iam.ListUsersInput{Paging: iam.Paging{MaxItems: i32(0)}}),
			awserr.ValidationError, one + "Value '0' at 'maxItems' " + itemsMsg},
		{"ListAccessKeys of too many", servicetest.Op(s.ListAccessKeys, &iam.ListAccessKeysInput{UserName: "u", Paging: iam.Paging{MaxItems: i32(1001)}}),
			awserr.ValidationError, one + "Value '1001' at 'maxItems' " + itemsMsg},
		{"CreateAccessKey for a bad name", servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "a b"}),
			awserr.ValidationError, one + "Value 'a b' at 'userName' " + namePat},
		{"UpdateAccessKey to Expired (the model allows it, IAM does not)",
			servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "u", AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", Status: "Expired"}),
			awserr.ValidationError, one + "Value 'Expired' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"},
		{"UpdateAccessKey to nothing", servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "u", AccessKeyID: "AKIAAAAAAAAAAAAAAAAA"}),
			awserr.ValidationError, one + "Value null at 'status' " + null},
		{"CreateRole without anything", servicetest.Op(s.CreateRole, &iam.CreateRoleInput{}),
			awserr.ValidationError, one + "Value null at 'roleName' " + null},
		{"CreateRole for 100 seconds", servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct, MaxSessionDuration: i32(100)}),
			awserr.ValidationError, one + "Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value between 3600 and 43200"},
		{"GetRole without a name", servicetest.Op(s.GetRole, &iam.GetRoleInput{}),
			awserr.ValidationError, one + "Value null at 'roleName' " + null},
		{"DeleteRole with a bad name", servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "r!"}),
			awserr.ValidationError, one + "Value 'r!' at 'roleName' " + namePat},
		{"UpdateAssumeRolePolicy without a role", servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{PolicyDocument: trustAcct}),
			awserr.ValidationError, one + "Value null at 'roleName' " + null},
		{"ListRoles of no items", servicetest.Op(s.ListRoles, &iam.ListRolesInput{Paging: iam.Paging{MaxItems: i32(-1)}}),
			awserr.ValidationError, one + "Value '-1' at 'maxItems' " + itemsMsg},
		{"CreateGroup with a long name", servicetest.Op(s.CreateGroup, &iam.CreateGroupInput{GroupName: long(129)}),
			awserr.ValidationError, one + "Value '" + long(129) + "' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"GetGroup without a name", servicetest.Op(s.GetGroup, &iam.GetGroupInput{}),
			awserr.ValidationError, one + "Value null at 'groupName' " + null},
		{"DeleteGroup without a name", servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{}),
			awserr.ValidationError, one + "Value null at 'groupName' " + null},
		{"ListGroups of too many", servicetest.Op(s.ListGroups, &iam.ListGroupsInput{Paging: iam.Paging{MaxItems: i32(1001)}}),
			awserr.ValidationError, one + "Value '1001' at 'maxItems' " + itemsMsg},
		{"AddUserToGroup without names", servicetest.Op(s.AddUserToGroup, &iam.GroupMembershipInput{}),
			awserr.ValidationError, "2 validation errors detected: Value null at 'groupName' " + null + "; Value null at 'userName' " + null},
		{"ListGroupsForUser without a user", servicetest.Op(s.ListGroupsForUser, &iam.ListGroupsForUserInput{}),
			awserr.ValidationError, one + "Value null at 'userName' " + null},
		{"PutUserPolicy without names", servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{PolicyDocument: kmsDecrypt}),
			awserr.ValidationError, "2 validation errors detected: Value null at 'userName' " + null + "; Value null at 'policyName' " + null},
		{"GetRolePolicy with a bad policy name", servicetest.Op(s.GetRolePolicy, &iam.InlinePolicyRef{RoleName: "r", PolicyName: "a b"}),
			awserr.ValidationError, one + "Value 'a b' at 'policyName' " + namePat},
		{"DeleteGroupPolicy without a group", servicetest.Op(s.DeleteGroupPolicy, &iam.InlinePolicyRef{PolicyName: "p"}),
			awserr.ValidationError, one + "Value null at 'groupName' " + null},
		{"ListUserPolicies of no items", servicetest.Op(s.ListUserPolicies, &iam.HolderPaging{UserName: "u", Paging: iam.Paging{MaxItems: i32(0)}}),
			awserr.ValidationError, one + "Value '0' at 'maxItems' " + itemsMsg},
		{"CreatePolicy with a bad path", servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "p", Path: "keys", PolicyDocument: kmsDecrypt}),
			awserr.ValidationError, one + "Value 'keys' at 'path' " + pathPat},
		{"ListPolicies of no items", servicetest.Op(s.ListPolicies, &iam.ListPoliciesInput{Paging: iam.Paging{MaxItems: i32(0)}}),
			awserr.ValidationError, one + "Value '0' at 'maxItems' " + itemsMsg},
		{"AttachUserPolicy without a user", servicetest.Op(s.AttachUserPolicy, &iam.AttachInput{PolicyArn: adminARN}),
			awserr.ValidationError, one + "Value null at 'userName' " + null},
		{"ListAttachedRolePolicies of no items", servicetest.Op(s.ListAttachedRolePolicies, &iam.ListAttachedInput{RoleName: "r", Paging: iam.Paging{MaxItems: i32(0)}}),
			awserr.ValidationError, one + "Value '0' at 'maxItems' " + itemsMsg},
		{"PutUserPermissionsBoundary without a boundary", servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: "u"}),
			awserr.ValidationError, one + "Value null at 'permissionsBoundary' " + null},
		{"DeleteRolePermissionsBoundary without a role", servicetest.Op(s.DeleteRolePermissionsBoundary, &iam.DeleteRolePermissionsBoundaryInput{}),
			awserr.ValidationError, one + "Value null at 'roleName' " + null},

		// Beyond the model: InvalidInput.
		{"a boundary that is no policy ARN", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", PermissionsBoundary: "arn:aws:iam::1:policy/x"}),
			awserr.InvalidInput, "ARN arn:aws:iam::1:policy/x is not valid."},
		{"an aws: tag key", servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "u", Tags: []iam.Tag{{Key: "aws:team"}}}),
			awserr.InvalidInput, "Tag keys beginning with aws: are reserved for AWS use: aws:team."},
		{"a tag key twice, in any case", servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct,
			Tags: []iam.Tag{{Key: "Team", Value: "a"}, {Key: "team", Value: "b"}}}),
			awserr.InvalidInput, "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"a role's boundary that is no policy ARN", servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct,
			PermissionsBoundary: "policy/x"}),
			awserr.InvalidInput, "ARN policy/x is not valid."},
	} {
		err := c.do(w.Ctx(w.Root(acct)))
		e, ok := awserr.As(err)
		if !ok || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: %v\nwant %s: %s", c.name, err, c.code, c.msg)
		}
	}
	// Nothing refused was stored.
	if out := servicetest.Call(w.As(w.Root(acct)), s.ListUsers, &iam.ListUsersInput{}).OK(); len(out.Users) != 0 {
		t.Fatalf("refused users were stored: %d", len(out.Users))
	}
	if out := servicetest.Call(w.As(w.Root(acct)), s.ListRoles, &iam.ListRolesInput{}).OK(); len(out.Roles) != 0 {
		t.Fatalf("refused roles were stored: %d", len(out.Roles))
	}
}

// TestUncheckedInProcess: values the model refuses on the wire and IAM does not check again
// still get AWS errors in-process, from what they fail to find or parse.
func TestUncheckedInProcess(t *testing.T) {
	c := newCast(t)
	s := c.w.IAM
	steps := []servicetest.Step{
		{Name: "GetPolicy of no ARN", Do: servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{}), Want: "InvalidInput"},
		{Name: "DeletePolicy of no ARN", Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{}), Want: "InvalidInput"},
		{Name: "GetPolicyVersion of no version", Do: servicetest.Op(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: adminARN}), Want: "NoSuchEntity"},
		{Name: "AttachUserPolicy of no ARN", Do: servicetest.Op(s.AttachUserPolicy, &iam.AttachInput{UserName: "Bob"}), Want: "InvalidInput"},
		{Name: "DetachUserPolicy of no ARN", Do: servicetest.Op(s.DetachUserPolicy, &iam.AttachInput{UserName: "Bob"}), Want: "NoSuchEntity"},
		{Name: "DeleteAccessKey of no key", Do: servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "Bob"}), Want: "NoSuchEntity"},
		{Name: "UpdateAccessKey of no key", Do: servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "Bob", Status: "Active"}), Want: "NoSuchEntity"},
		{Name: "PutUserPolicy of no document", Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "p"}), Want: "MalformedPolicyDocument"},
		{Name: "CreatePolicy of no document", Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "p"}), Want: "MalformedPolicyDocument"},
		{Name: "UpdateAssumeRolePolicy of no document", Do: servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "CloudTrailReadRole"}),
			Want: "MalformedPolicyDocument"},
		{Name: "PutUserPermissionsBoundary of a short ARN", Do: servicetest.Op(s.PutUserPermissionsBoundary,
			&iam.PutUserPermissionsBoundaryInput{UserName: "Bob", PermissionsBoundary: "x"}), Want: "InvalidInput"},
		{Name: "ListUsers under a prefix without a slash", Do: expect(s.ListUsers, &iam.ListUsersInput{PathPrefix: "x"},
			func(out *iam.ListUsersOutput) error { return same("users", len(out.Users), 0) })},
		{Name: "ListPolicies of an unknown scope: all of them", Do: expect(s.ListPolicies, &iam.ListPoliciesInput{Scope: "Everything"},
			func(out *iam.ListPoliciesOutput) error {
				return same("policies", names(out.Policies, func(p *iam.Policy) string { return p.PolicyName }), "AdministratorAccess")
			})},
	}
	for _, as := range []identity.Principal{c.root, c.admin} {
		for i := range steps {
			steps[i].As = as
		}
		c.w.Run(t, steps)
	}
}
