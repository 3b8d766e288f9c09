package iam_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// trustAcct trusts acct's root to assume a role.
const trustAcct = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`

// TestRoles: roles and their trust policies, stored as given and returned URL-encoded; the
// policies a role holds keep it from being deleted.
func TestRoles(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	w.Run(t, []servicetest.Step{
		{Name: "create a role with the defaults", As: c.admin,
			Do: expect(s.CreateRole, &iam.CreateRoleInput{RoleName: "deployer", AssumeRolePolicyDocument: trustAcct},
				func(out *iam.CreateRoleOutput) error {
					r := out.Role
					if err := same("ARN", r.Arn, "arn:aws:iam::111111111111:role/deployer"); err != nil {
						return err
					}
					if err := same("ID prefix", r.RoleID[:4], "AROA"); err != nil {
						return err
					}
					if err := same("trust policy", r.AssumeRolePolicyDocument, iam.EncodeDocument(trustAcct)); err != nil {
						return err
					}
					return same("max session duration", r.MaxSessionDuration, int32(3600))
				})},
		{Name: "create one with a path, a description, 12 hours and tags", As: c.root,
			Do: expect(s.CreateRole, &iam.CreateRoleInput{RoleName: "auditor", Path: "/audit/", AssumeRolePolicyDocument: trustAcct,
				Description: "reads logs", MaxSessionDuration: i32(43200), Tags: []iam.Tag{{Key: "k", Value: "v"}}},
				func(out *iam.CreateRoleOutput) error {
					if err := same("ARN", out.Role.Arn, "arn:aws:iam::111111111111:role/audit/auditor"); err != nil {
						return err
					}
					return same("max session duration", out.Role.MaxSessionDuration, int32(43200))
				})},
		{Name: "the name is taken", As: c.admin,
			Do:   says("Role with name Deployer already exists.", servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "Deployer", AssumeRolePolicyDocument: trustAcct})),
			Want: "EntityAlreadyExists"},
		{Name: "a trust policy must name a principal", As: c.admin,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: kmsDecrypt}), Want: "MalformedPolicyDocument"},
		{Name: "a trust policy must be JSON", As: c.admin,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: "{"}), Want: "MalformedPolicyDocument"},
		{Name: "and is needed", As: c.admin,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r"}), Want: "MalformedPolicyDocument"},
		{Name: "Bob may not create roles", As: c.bob,
			Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "r", AssumeRolePolicyDocument: trustAcct}), Want: "AccessDenied"},
		{Name: "GetRole", As: c.reader,
			Do: expect(s.GetRole, &iam.GetRoleInput{RoleName: "AUDITOR"}, func(out *iam.GetRoleOutput) error {
				return same("description", out.Role.Description, "reads logs")
			})},
		{Name: "GetRole of nobody", As: c.reader,
			Do: says("The role with name nobody cannot be found.", servicetest.Op(s.GetRole, &iam.GetRoleInput{RoleName: "nobody"})), Want: "NoSuchEntity"},
		{Name: "Bob may not GetRole", As: c.bob, Do: servicetest.Op(s.GetRole, &iam.GetRoleInput{RoleName: "auditor"}), Want: "AccessDenied"},
		{Name: "ListRoles", As: c.admin,
			Do: expect(s.ListRoles, &iam.ListRolesInput{}, func(out *iam.ListRolesOutput) error {
				if err := same("roles", names(out.Roles, roleName), "auditor,CloudTrailReadRole,deployer"); err != nil {
					return err
				}
				return same("trust policy", out.Roles[0].AssumeRolePolicyDocument, iam.EncodeDocument(trustAcct))
			})},
		{Name: "ListRoles under a path", As: c.admin,
			Do: expect(s.ListRoles, &iam.ListRolesInput{PathPrefix: "/audit"}, func(out *iam.ListRolesOutput) error {
				return same("roles", names(out.Roles, roleName), "auditor")
			})},
		{Name: "Bob may not list roles", As: c.bob, Do: servicetest.Op(s.ListRoles, &iam.ListRolesInput{}), Want: "AccessDenied"},
		{Name: "replace the trust policy with the seed's", As: c.admin,
			Do: servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "deployer", PolicyDocument: readTrust})},
		{Name: "the new trust policy, as given", As: c.admin,
			Do: expect(s.GetRole, &iam.GetRoleInput{RoleName: "deployer"}, func(out *iam.GetRoleOutput) error {
				return same("trust policy", out.Role.AssumeRolePolicyDocument, iam.EncodeDocument(readTrust))
			})},
		{Name: "not with an identity policy", As: c.admin,
			Do: servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "deployer", PolicyDocument: kmsDecrypt}), Want: "MalformedPolicyDocument"},
		{Name: "not of nobody", As: c.admin,
			Do: servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "nobody", PolicyDocument: readTrust}), Want: "NoSuchEntity"},
		{Name: "Bob may not", As: c.bob,
			Do: servicetest.Op(s.UpdateAssumeRolePolicy, &iam.UpdateAssumeRolePolicyInput{RoleName: "deployer", PolicyDocument: readTrust}), Want: "AccessDenied"},
		{Name: "give the role an inline policy", As: c.admin,
			Do: servicetest.Op(s.PutRolePolicy, &iam.PutRolePolicyInput{RoleName: "deployer", PolicyName: "decrypt", PolicyDocument: kmsDecrypt})},
		{Name: "a role with an inline policy stays", As: c.admin,
			Do: says("must delete policies first", servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "deployer"})), Want: "DeleteConflict"},
		{Name: "drop it", As: c.admin,
			Do: servicetest.Op(s.DeleteRolePolicy, &iam.InlinePolicyRef{RoleName: "deployer", PolicyName: "DECRYPT"})},
		{Name: "attach a managed policy", As: c.admin,
			Do: servicetest.Op(s.AttachRolePolicy, &iam.AttachInput{RoleName: "deployer", PolicyArn: adminARN})},
		{Name: "a role with a managed policy stays", As: c.admin,
			Do: says("must detach all policies first", servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "deployer"})), Want: "DeleteConflict"},
		{Name: "detach it", As: c.admin,
			Do: servicetest.Op(s.DetachRolePolicy, &iam.AttachInput{RoleName: "deployer", PolicyArn: adminARN})},
		{Name: "Bob may not delete the role", As: c.bob, Do: servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "deployer"}), Want: "AccessDenied"},
		{Name: "delete the role", As: c.admin, Do: servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "deployer"})},
		{Name: "again", As: c.admin, Do: servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "deployer"}), Want: "NoSuchEntity"},
	})
	r, err := s.RoleForSession(context.Background(), acct, "auditor")
	if err != nil || r.ARN != "arn:aws:iam::111111111111:role/audit/auditor" || r.Name != "auditor" || r.TrustPolicy != trustAcct ||
		r.MaxSessionDuration != 43200 || r.Account != acct || r.ID == "" {
		t.Fatalf("RoleForSession: %+v, %v", r, err)
	}
	if _, err := s.RoleForSession(context.Background(), acct, "deployer"); err == nil {
		t.Fatal("RoleForSession found a deleted role")
	}
}
