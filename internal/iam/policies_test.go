package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// bigPolicy returns an identity policy of more than n non-white-space characters.
func bigPolicy(n int) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"arn:aws:kms:us-east-1:111111111111:key/` +
		strings.Repeat("k", n) + `"}]}`
}

// TestInlinePolicies: each kind of identity holds inline policies by case-insensitive name,
// within its own size quota.
func TestInlinePolicies(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	servicetest.Call(w.As(c.admin), s.CreateGroup, &iam.CreateGroupInput{GroupName: "readers"}).OK()
	ref := func(user, role, group, name string) *iam.InlinePolicyRef {
		return &iam.InlinePolicyRef{UserName: user, RoleName: role, GroupName: group, PolicyName: name}
	}
	list := func(user, role, group string) *iam.HolderPaging {
		return &iam.HolderPaging{UserName: user, RoleName: role, GroupName: group}
	}
	policyNames := func(want string) func(*iam.ListInlinePoliciesOutput) error {
		return func(out *iam.ListInlinePoliciesOutput) error {
			return same("policies", strings.Join(out.PolicyNames, ","), want)
		}
	}
	w.Run(t, []servicetest.Step{
		// Users.
		{Name: "put a user policy", As: c.admin,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "Decrypt", PolicyDocument: kmsDecrypt})},
		{Name: "get it back, URL-encoded", As: c.reader,
			Do: expect(s.GetUserPolicy, ref("bob", "", "", "decrypt"), func(out *iam.GetUserPolicyOutput) error {
				if err := same("user", out.UserName, "Bob"); err != nil {
					return err
				}
				if err := same("name", out.PolicyName, "Decrypt"); err != nil {
					return err
				}
				return same("document", out.PolicyDocument, iam.EncodeDocument(kmsDecrypt))
			})},
		{Name: "replace it under another case", As: c.admin,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "DECRYPT", PolicyDocument: kmsOnly})},
		{Name: "add a second", As: c.admin,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "b", PolicyDocument: kmsDecrypt})},
		{Name: "list them, in byte order", As: c.admin, Do: expect(s.ListUserPolicies, list("Bob", "", ""), policyNames("DECRYPT,b"))},
		{Name: "a page of them", As: c.admin,
			Do: expect(s.ListUserPolicies, &iam.HolderPaging{UserName: "Bob", Paging: iam.Paging{MaxItems: i32(1)}},
				func(out *iam.ListInlinePoliciesOutput) error {
					if err := same("policies", strings.Join(out.PolicyNames, ","), "DECRYPT"); err != nil {
						return err
					}
					return same("marker", out.Marker, "DECRYPT")
				})},
		{Name: "the page after", As: c.admin,
			Do: expect(s.ListUserPolicies, &iam.HolderPaging{UserName: "Bob", Paging: iam.Paging{Marker: "DECRYPT"}}, policyNames("b"))},
		{Name: "a user's policy quota", As: c.admin,
			Do:   says("2048", servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "big", PolicyDocument: bigPolicy(2048)})),
			Want: "LimitExceeded"},
		{Name: "a trust policy is no identity policy", As: c.admin,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "t", PolicyDocument: readTrust}), Want: "MalformedPolicyDocument"},
		{Name: "no user", As: c.admin,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "nobody", PolicyName: "p", PolicyDocument: kmsDecrypt}), Want: "NoSuchEntity"},
		{Name: "no such policy", As: c.admin,
			Do: says("The user policy with name nothing cannot be found.", servicetest.Op(s.GetUserPolicy, ref("Bob", "", "", "nothing"))), Want: "NoSuchEntity"},
		{Name: "Bob may not read his policies", As: c.bob, Do: servicetest.Op(s.GetUserPolicy, ref("Bob", "", "", "b")), Want: "AccessDenied"},
		{Name: "nor list them", As: c.bob, Do: servicetest.Op(s.ListUserPolicies, list("Bob", "", "")), Want: "AccessDenied"},
		{Name: "nor put one", As: c.bob,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "p", PolicyDocument: iamAll}), Want: "AccessDenied"},
		{Name: "nor delete one", As: c.bob, Do: servicetest.Op(s.DeleteUserPolicy, ref("Bob", "", "", "b")), Want: "AccessDenied"},
		{Name: "delete one", As: c.admin, Do: servicetest.Op(s.DeleteUserPolicy, ref("Bob", "", "", "B"))},
		{Name: "not twice", As: c.admin, Do: servicetest.Op(s.DeleteUserPolicy, ref("Bob", "", "", "b")), Want: "NoSuchEntity"},
		{Name: "not of nobody", As: c.admin, Do: servicetest.Op(s.DeleteUserPolicy, ref("nobody", "", "", "b")), Want: "NoSuchEntity"},
		{Name: "the list of nobody", As: c.admin, Do: servicetest.Op(s.ListUserPolicies, list("nobody", "", "")), Want: "NoSuchEntity"},

		// Roles: a larger quota.
		{Name: "a role's policy quota is larger", As: c.admin,
			Do: servicetest.Op(s.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: "CloudTrailReadRole", PolicyName: "big", PolicyDocument: bigPolicy(4096)})},
		{Name: "but not without end", As: c.admin,
			Do:   says("10240", servicetest.Op(s.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: "CloudTrailReadRole", PolicyName: "bigger", PolicyDocument: bigPolicy(10240)})),
			Want: "LimitExceeded"},
		{Name: "the role's policies", As: c.admin, Do: expect(s.ListRolePolicies, list("", "CloudTrailReadRole", ""), policyNames("big,policy1"))},
		{Name: "get the role's", As: c.admin,
			Do: expect(s.GetRolePolicy, ref("", "cloudtrailreadrole", "", "POLICY1"), func(out *iam.GetRolePolicyOutput) error {
				if err := same("role", out.RoleName, "CloudTrailReadRole"); err != nil {
					return err
				}
				return same("document", out.PolicyDocument, iam.EncodeDocument(iamAll))
			})},
		{Name: "Bob may not read the role's", As: c.bob, Do: servicetest.Op(s.GetRolePolicy, ref("", "CloudTrailReadRole", "", "big")), Want: "AccessDenied"},
		{Name: "delete the role's big one", As: c.admin, Do: servicetest.Op(s.DeleteRolePolicy, ref("", "CloudTrailReadRole", "", "big"))},

		// Groups.
		{Name: "put a group policy", As: c.admin,
			Do: servicetest.Op(s.PutGroupPolicy, &iam.PutGroupPolicyInput{GroupName: "readers", PolicyName: "decrypt", PolicyDocument: kmsDecrypt})},
		{Name: "a group's quota", As: c.admin,
			Do: servicetest.Op(s.PutGroupPolicy, &iam.PutGroupPolicyInput{GroupName: "readers", PolicyName: "big", PolicyDocument: bigPolicy(5120)}), Want: "LimitExceeded"},
		{Name: "get the group's", As: c.admin,
			Do: expect(s.GetGroupPolicy, ref("", "", "READERS", "decrypt"), func(out *iam.GetGroupPolicyOutput) error {
				return same("group", out.GroupName, "readers")
			})},
		{Name: "the group's policies", As: c.admin, Do: expect(s.ListGroupPolicies, list("", "", "readers"), policyNames("decrypt"))},
		{Name: "Bob may not list the group's", As: c.bob, Do: servicetest.Op(s.ListGroupPolicies, list("", "", "readers")), Want: "AccessDenied"},
		{Name: "no group", As: c.admin, Do: servicetest.Op(s.GetGroupPolicy, ref("", "", "nobody", "decrypt")), Want: "NoSuchEntity"},
	})
}

// TestManagedPolicies: customer managed policies, their one version, attachments to each kind of
// identity, and what holds their deletion up.
func TestManagedPolicies(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	servicetest.Call(w.As(c.admin), s.CreateGroup, &iam.CreateGroupInput{GroupName: "readers"}).OK()
	const decryptARN = "arn:aws:iam::111111111111:policy/keys/Decrypt"
	created := w.Clock.Now()
	attach := func(user, role, group, arn string) *iam.AttachInput {
		return &iam.AttachInput{UserName: user, RoleName: role, GroupName: group, PolicyArn: arn}
	}
	attachments := func(arn string, n int32) func(*iam.PolicyOutput) error {
		return func(out *iam.PolicyOutput) error { return same("attachments of "+arn, out.Policy.AttachmentCount, n) }
	}
	attached := func(want string) func(*iam.ListAttachedOutput) error {
		return func(out *iam.ListAttachedOutput) error {
			return same("attached", names(out.AttachedPolicies, func(a *iam.AttachedPolicy) string { return a.PolicyName }), want)
		}
	}
	w.Run(t, []servicetest.Step{
		{Name: "create a policy", As: c.admin,
			Do: expect(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "Decrypt", Path: "/keys/", PolicyDocument: kmsDecrypt,
				Description: "the seed's", Tags: []iam.Tag{{Key: "k", Value: "v"}}},
				func(out *iam.PolicyOutput) error {
					p := out.Policy
					if err := same("ARN", p.Arn, decryptARN); err != nil {
						return err
					}
					if err := same("default version", p.DefaultVersionID, "v1"); err != nil {
						return err
					}
					if err := same("ID prefix", p.PolicyID[:4], "ANPA"); err != nil {
						return err
					}
					if err := same("attachable", p.IsAttachable, true); err != nil {
						return err
					}
					return same("created", p.CreateDate, created)
				})},
		{Name: "a name is taken in any path", As: c.admin,
			Do:   says("A policy called decrypt already exists.", servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "decrypt", PolicyDocument: kmsDecrypt})),
			Want: "EntityAlreadyExists"},
		{Name: "a managed policy's quota", As: c.admin,
			Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "big", PolicyDocument: bigPolicy(6144)}), Want: "LimitExceeded"},
		{Name: "a malformed policy", As: c.admin,
			Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "bad", PolicyDocument: `{"Statement":[]}`}), Want: "MalformedPolicyDocument"},
		{Name: "reserved tag keys", As: c.admin,
			Do: says("Tag keys beginning with aws: are reserved", servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "t", PolicyDocument: kmsDecrypt,
				Tags: []iam.Tag{{Key: "AWS:x"}}})), Want: "InvalidInput"},
		{Name: "Bob may not create policies", As: c.bob,
			Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "p", PolicyDocument: kmsDecrypt}), Want: "AccessDenied"},
		{Name: "GetPolicy", As: c.reader, Do: expect(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}, attachments(decryptARN, 0))},
		{Name: "GetPolicy of an AWS managed policy", As: c.reader,
			Do: expect(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: adminARN}, func(out *iam.PolicyOutput) error {
				return same("name", out.Policy.PolicyName, "AdministratorAccess")
			})},
		{Name: "the path is part of the ARN", As: c.reader,
			Do: says("Policy arn:aws:iam::111111111111:policy/Decrypt does not exist or is not attachable.",
				servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: "arn:aws:iam::111111111111:policy/Decrypt"})), Want: "NoSuchEntity"},
		{Name: "another account's policy", As: c.reader,
			Do: servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: "arn:aws:iam::222222222222:policy/keys/Decrypt"}), Want: "NoSuchEntity"},
		{Name: "not a policy ARN", As: c.reader,
			Do:   says("ARN arn:aws:iam::111111111111:user/Bob is not valid.", servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: "arn:aws:iam::111111111111:user/Bob"})),
			Want: "InvalidInput"},
		{Name: "Bob may not GetPolicy", As: c.bob, Do: servicetest.Op(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}), Want: "AccessDenied"},
		{Name: "version v1 is the default", As: c.reader,
			Do: expect(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: decryptARN, VersionID: "v1"}, func(out *iam.GetPolicyVersionOutput) error {
				v := out.PolicyVersion
				if err := same("default", v.IsDefaultVersion, true); err != nil {
					return err
				}
				return same("document", v.Document, iam.EncodeDocument(kmsDecrypt))
			})},
		{Name: "there is no v2", As: c.reader,
			Do: says("version v2 does not exist", servicetest.Op(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: decryptARN, VersionID: "v2"})), Want: "NoSuchEntity"},
		{Name: "nor a version of nothing", As: c.reader,
			Do: servicetest.Op(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: decryptARN + "x", VersionID: "v1"}), Want: "NoSuchEntity"},
		{Name: "Bob may not GetPolicyVersion", As: c.bob,
			Do: servicetest.Op(s.GetPolicyVersion, &iam.GetPolicyVersionInput{PolicyArn: decryptARN, VersionID: "v1"}), Want: "AccessDenied"},

		{Name: "attach it to Bob", As: c.admin, Do: servicetest.Op(s.AttachUserPolicy, attach("Bob", "", "", decryptARN))},
		{Name: "twice is once", As: c.admin, Do: servicetest.Op(s.AttachUserPolicy, attach("Bob", "", "", decryptARN))},
		{Name: "to the role", As: c.admin, Do: servicetest.Op(s.AttachRolePolicy, attach("", "CloudTrailReadRole", "", decryptARN))},
		{Name: "to the group", As: c.admin, Do: servicetest.Op(s.AttachGroupPolicy, attach("", "", "readers", decryptARN))},
		{Name: "and AdministratorAccess to the group", As: c.admin, Do: servicetest.Op(s.AttachGroupPolicy, attach("", "", "readers", adminARN))},
		{Name: "three attachments", As: c.admin, Do: expect(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}, attachments(decryptARN, 3))},
		{Name: "no attaching what is not there", As: c.admin,
			Do: servicetest.Op(s.AttachUserPolicy, attach("Bob", "", "", "arn:aws:iam::111111111111:policy/nothing")), Want: "NoSuchEntity"},
		{Name: "nor to nobody", As: c.admin, Do: servicetest.Op(s.AttachUserPolicy, attach("nobody", "", "", decryptARN)), Want: "NoSuchEntity"},
		{Name: "nor a malformed ARN", As: c.admin,
			Do: servicetest.Op(s.AttachRolePolicy, attach("", "CloudTrailReadRole", "", "arn:aws:iam::1:policy/x")), Want: "InvalidInput"},
		{Name: "Bob may not attach", As: c.bob, Do: servicetest.Op(s.AttachUserPolicy, attach("Bob", "", "", adminARN)), Want: "AccessDenied"},
		{Name: "Bob's attached policies", As: c.admin, Do: expect(s.ListAttachedUserPolicies, &iam.ListAttachedInput{UserName: "Bob"}, attached("Decrypt"))},
		{Name: "the group's, by ARN", As: c.admin,
			Do: expect(s.ListAttachedGroupPolicies, &iam.ListAttachedInput{GroupName: "readers"}, attached("Decrypt,AdministratorAccess"))},
		{Name: "the group's under /keys/", As: c.admin,
			Do: expect(s.ListAttachedGroupPolicies, &iam.ListAttachedInput{GroupName: "readers", PathPrefix: "/keys/"}, attached("Decrypt"))},
		{Name: "a page of the group's", As: c.admin,
			Do: expect(s.ListAttachedGroupPolicies, &iam.ListAttachedInput{GroupName: "readers", Paging: iam.Paging{MaxItems: i32(1)}},
				func(out *iam.ListAttachedOutput) error { return same("marker", out.Marker, decryptARN) })},
		{Name: "the role's", As: c.admin,
			Do: expect(s.ListAttachedRolePolicies, &iam.ListAttachedInput{RoleName: "CloudTrailReadRole"}, attached("Decrypt"))},
		{Name: "of nobody", As: c.admin, Do: servicetest.Op(s.ListAttachedRolePolicies, &iam.ListAttachedInput{RoleName: "nobody"}), Want: "NoSuchEntity"},
		{Name: "Bob may not list them", As: c.bob, Do: servicetest.Op(s.ListAttachedUserPolicies, &iam.ListAttachedInput{UserName: "Bob"}), Want: "AccessDenied"},

		{Name: "ListPolicies Local", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{Scope: "Local"}, listed("Decrypt"))},
		{Name: "ListPolicies AWS", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{Scope: "AWS"}, listed("AdministratorAccess"))},
		{Name: "ListPolicies All, by ARN", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{}, listed("Decrypt,AdministratorAccess"))},
		{Name: "ListPolicies under /keys/", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{PathPrefix: "/keys/"}, listed("Decrypt"))},
		{Name: "a page of one", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{Paging: iam.Paging{MaxItems: i32(1)}}, func(out *iam.ListPoliciesOutput) error {
				return same("page", fmt.Sprintf("%s %v %s", out.Policies[0].PolicyName, out.IsTruncated, out.Marker), "Decrypt true "+decryptARN)
			})},
		{Name: "Bob may not list policies", As: c.bob, Do: servicetest.Op(s.ListPolicies, &iam.ListPoliciesInput{}), Want: "AccessDenied"},

		{Name: "an attached policy stays", As: c.admin,
			Do: says("Cannot delete a policy attached to entities.", servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: decryptARN})), Want: "DeleteConflict"},
		{Name: "AWS managed policies stay", As: c.admin,
			Do: says("AWS managed policies cannot be deleted.", servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: adminARN})), Want: "AccessDenied"},
		{Name: "Bob may not detach", As: c.bob, Do: servicetest.Op(s.DetachUserPolicy, attach("Bob", "", "", decryptARN)), Want: "AccessDenied"},
		{Name: "detach from Bob", As: c.admin, Do: servicetest.Op(s.DetachUserPolicy, attach("Bob", "", "", decryptARN))},
		{Name: "not twice", As: c.admin,
			Do: says("Policy "+decryptARN+" was not found.", servicetest.Op(s.DetachUserPolicy, attach("Bob", "", "", decryptARN))), Want: "NoSuchEntity"},
		{Name: "detach from the role", As: c.admin, Do: servicetest.Op(s.DetachRolePolicy, attach("", "CloudTrailReadRole", "", decryptARN))},
		{Name: "only attached ones (AWS managed policies' attachments are not counted)", As: c.reader,
			Do: expect(s.ListPolicies, &iam.ListPoliciesInput{OnlyAttached: new(true)}, listed("Decrypt"))},
		{Name: "detach from the group", As: c.admin, Do: servicetest.Op(s.DetachGroupPolicy, attach("", "", "readers", decryptARN))},
		{Name: "detach AdministratorAccess", As: c.admin, Do: servicetest.Op(s.DetachGroupPolicy, attach("", "", "readers", adminARN))},
		{Name: "none attached", As: c.admin, Do: expect(s.GetPolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}, attachments(decryptARN, 0))},
		{Name: "Bob may not delete it", As: c.bob, Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}), Want: "AccessDenied"},
		{Name: "delete it", As: c.admin, Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: decryptARN})},
		{Name: "it is gone", As: c.admin, Do: servicetest.Op(s.DeletePolicy, &iam.PolicyARNInput{PolicyArn: decryptARN}), Want: "NoSuchEntity"},
	})
}

// listed checks ListPolicies' names, in order.
func listed(want string) func(*iam.ListPoliciesOutput) error {
	return func(out *iam.ListPoliciesOutput) error {
		return same("policies", names(out.Policies, func(p *iam.Policy) string { return p.PolicyName }), want)
	}
}
