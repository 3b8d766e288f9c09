package iam_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestAccessDenied: every operation in IAM's table refuses a caller without its permission
// (Bob), naming the action, before it looks for what it is about; and the same call succeeds for
// the root or answers what the entity's absence makes it answer.
func TestAccessDenied(t *testing.T) {
	c := newCast(t)
	s := c.w.IAM
	const policyARN = "arn:aws:iam::111111111111:policy/P"
	user := func(n string) *iam.InlinePolicyRef { return &iam.InlinePolicyRef{UserName: n, PolicyName: "p"} }
	ops := map[string]func(context.Context) error{
		"CreateUser":                    servicetest.Op(s.CreateUser, &iam.CreateUserInput{UserName: "x"}),
		"GetUser":                       servicetest.Op(s.GetUser, &iam.GetUserInput{UserName: "x"}),
		"DeleteUser":                    servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "x"}),
		"ListUsers":                     servicetest.Op(s.ListUsers, &iam.ListUsersInput{}),
		"CreateAccessKey":               servicetest.Op(s.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "x"}),
		"DeleteAccessKey":               servicetest.Op(s.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "x", AccessKeyID: "AKIAAAAAAAAAAAAAAAAA"}),
		"CreateLoginProfile":            servicetest.Op(s.CreateLoginProfile, &iam.CreateLoginProfileInput{UserName: "x", Password: "Corr3ct-horse"}),
		"GetLoginProfile":               servicetest.Op(s.GetLoginProfile, &iam.GetLoginProfileInput{UserName: "x"}),
		"UpdateLoginProfile":            servicetest.Op(s.UpdateLoginProfile, &iam.UpdateLoginProfileInput{UserName: "x", Password: "Corr3ct-horse"}),
		"DeleteLoginProfile":            servicetest.Op(s.DeleteLoginProfile, &iam.DeleteLoginProfileInput{UserName: "x"}),
		"ChangePassword":                servicetest.Op(s.ChangePassword, &iam.ChangePasswordInput{OldPassword: "Corr3ct-horse", NewPassword: "N3w-password"}),
		"UpdateAccessKey":               servicetest.Op(s.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "x", AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", Status: "Active"}),
		"ListAccessKeys":                servicetest.Op(s.ListAccessKeys, &iam.ListAccessKeysInput{UserName: "x"}),
		"CreateRole":                    servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "x", AssumeRolePolicyDocument: trustAcct}),
		"GetRole":                       servicetest.Op(s.GetRole, &iam.GetRoleInput{RoleName: "x"}),
		"DeleteRole":                    servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "x"}),
		"ListRoles":                     servicetest.Op(s.ListRoles, &iam.ListRolesInput{}),
		"UpdateAssumeRolePolicy":        servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "x", PolicyDocument: trustAcct}),
		"PutUserPermissionsBoundary":    servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: "x", PermissionsBoundary: policyARN}),
		"DeleteUserPermissionsBoundary": servicetest.Op(s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "x"}),
		"PutRolePermissionsBoundary":    servicetest.Op(s.PutRolePermissionsBoundary, &iam.PutRolePermissionsBoundaryInput{RoleName: "x", PermissionsBoundary: policyARN}),
		"DeleteRolePermissionsBoundary": servicetest.Op(s.DeleteRolePermissionsBoundary, &iam.DeleteRolePermissionsBoundaryInput{RoleName: "x"}),
		"CreateGroup":                   servicetest.Op(s.CreateGroup, &iam.CreateGroupInput{GroupName: "x"}),
		"GetGroup":                      servicetest.Op(s.GetGroup, &iam.GetGroupInput{GroupName: "x"}),
		"DeleteGroup":                   servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "x"}),
		"ListGroups":                    servicetest.Op(s.ListGroups, &iam.ListGroupsInput{}),
		"AddUserToGroup":                servicetest.Op(s.AddUserToGroup, &iam.GroupMembershipInput{GroupName: "x", UserName: "x"}),
		"RemoveUserFromGroup":           servicetest.Op(s.RemoveUserFromGroup, &iam.GroupMembershipInput{GroupName: "x", UserName: "x"}),
		"ListGroupsForUser":             servicetest.Op(s.ListGroupsForUser, &iam.ListGroupsForUserInput{UserName: "x"}),
		"PutUserPolicy":                 servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "x", PolicyName: "p", PolicyDocument: kmsDecrypt}),
		"GetUserPolicy":                 servicetest.Op(s.GetUserPolicy, user("x")),
		"DeleteUserPolicy":              servicetest.Op(s.DeleteUserPolicy, user("x")),
		"ListUserPolicies":              servicetest.Op(s.ListUserPolicies, &iam.HolderPaging{UserName: "x"}),
		"PutRolePolicy":                 servicetest.Op(s.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: "x", PolicyName: "p", PolicyDocument: kmsDecrypt}),
		"GetRolePolicy":                 servicetest.Op(s.GetRolePolicy, &iam.InlinePolicyRef{RoleName: "x", PolicyName: "p"}),
		"DeleteRolePolicy":              servicetest.Op(s.DeleteRolePolicy, &iam.InlinePolicyRef{RoleName: "x", PolicyName: "p"}),
		"ListRolePolicies":              servicetest.Op(s.ListRolePolicies, &iam.HolderPaging{RoleName: "x"}),
		"PutGroupPolicy":                servicetest.Op(s.PutGroupPolicy, &iam.PutGroupPolicyInput{GroupName: "x", PolicyName: "p", PolicyDocument: kmsDecrypt}),
		"GetGroupPolicy":                servicetest.Op(s.GetGroupPolicy, &iam.InlinePolicyRef{GroupName: "x", PolicyName: "p"}),
		"DeleteGroupPolicy":             servicetest.Op(s.DeleteGroupPolicy, &iam.InlinePolicyRef{GroupName: "x", PolicyName: "p"}),
		"ListGroupPolicies":             servicetest.Op(s.ListGroupPolicies, &iam.HolderPaging{GroupName: "x"}),
		"CreatePolicy":                  servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "x", PolicyDocument: kmsDecrypt}),
		"GetPolicy":                     servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: policyARN}),
		"DeletePolicy":                  servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: policyARN}),
		"GetPolicyVersion":              servicetest.Op(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: policyARN, VersionID: "v1"}),
		"ListPolicies":                  servicetest.Op(s.ListPolicies, &iam.ListPoliciesInput{}),
		"AttachUserPolicy":              servicetest.Op(s.AttachUserPolicy, &iam.AttachInput{UserName: "x", PolicyArn: policyARN}),
		"DetachUserPolicy":              servicetest.Op(s.DetachUserPolicy, &iam.AttachInput{UserName: "x", PolicyArn: policyARN}),
		"ListAttachedUserPolicies":      servicetest.Op(s.ListAttachedUserPolicies, &iam.ListAttachedInput{UserName: "x"}),
		"AttachRolePolicy":              servicetest.Op(s.AttachRolePolicy, &iam.AttachInput{RoleName: "x", PolicyArn: policyARN}),
		"DetachRolePolicy":              servicetest.Op(s.DetachRolePolicy, &iam.AttachInput{RoleName: "x", PolicyArn: policyARN}),
		"ListAttachedRolePolicies":      servicetest.Op(s.ListAttachedRolePolicies, &iam.ListAttachedInput{RoleName: "x"}),
		"AttachGroupPolicy":             servicetest.Op(s.AttachGroupPolicy, &iam.AttachInput{GroupName: "x", PolicyArn: policyARN}),
		"DetachGroupPolicy":             servicetest.Op(s.DetachGroupPolicy, &iam.AttachInput{GroupName: "x", PolicyArn: policyARN}),
		"ListAttachedGroupPolicies":     servicetest.Op(s.ListAttachedGroupPolicies, &iam.ListAttachedInput{GroupName: "x"}),
		"CreateInstanceProfile":         servicetest.Op(s.CreateInstanceProfile, &iam.CreateInstanceProfileInput{InstanceProfileName: "x"}),
		"GetInstanceProfile":            servicetest.Op(s.GetInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "x"}),
		"DeleteInstanceProfile":         servicetest.Op(s.DeleteInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "x"}),
		"AddRoleToInstanceProfile":      servicetest.Op(s.AddRoleToInstanceProfile, &iam.ProfileRoleInput{InstanceProfileName: "x", RoleName: "x"}),
		"RemoveRoleFromInstanceProfile": servicetest.Op(s.RemoveRoleFromInstanceProfile, &iam.ProfileRoleInput{InstanceProfileName: "x", RoleName: "x"}),
		"ListInstanceProfiles":          servicetest.Op(s.ListInstanceProfiles, &iam.ListInstanceProfilesInput{}),
		"ListInstanceProfilesForRole":   servicetest.Op(s.ListInstanceProfilesForRole, &iam.ListInstanceProfilesForRoleInput{RoleName: "x"}),
	}
	var table []string
	for name := range s.API().Operations {
		table = append(table, name)
	}
	slices.Sort(table)
	var denied, allowed, creates []servicetest.Step
	for _, name := range table {
		do, ok := ops[name]
		if !ok {
			t.Errorf("%s is in IAM's table and not in this test", name)
			continue
		}
		denied = append(denied, servicetest.Step{Name: name, As: c.bob, Do: says("is not authorized to perform: iam:"+name, do), Want: "AccessDenied"})
		// The root may; x does not exist (the creations come last), so what is about x finds
		// nothing.
		step := servicetest.Step{Name: name + " as root", As: c.root, Do: do, Want: "NoSuchEntity"}
		switch {
		case name == "CreateAccessKey", name == "CreateLoginProfile":
		case name == "ChangePassword": // the root has no console password of its own to change
			step.Want = "InvalidUserType"
		case strings.HasPrefix(name, "Create"):
			step.Want = ""
			creates = append(creates, step)
			continue
		case name == "ListUsers", name == "ListRoles", name == "ListGroups", name == "ListPolicies", name == "ListInstanceProfiles":
			step.Want = ""
		}
		allowed = append(allowed, step)
	}
	if len(table) != len(ops) {
		t.Errorf("IAM's table has %d operations; this test %d", len(table), len(ops))
	}
	c.w.Run(t, slices.Concat(denied, allowed, creates))
}
