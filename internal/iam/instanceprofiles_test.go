package iam_test

import (
	"fmt"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// An instance profile holds one role; a role in a profile, and a profile holding a role, cannot
// be deleted (DeleteConflict) until the role is removed; adding a role needs iam:PassRole on it
// too; ListInstanceProfilesForRole finds the profiles a role is in, as the Terraform AWS provider
// asks before it deletes a role.
func TestInstanceProfileLifecycle(t *testing.T) {
	c := newCast(t)
	s := c.w.IAM
	passless := c.w.User(acct, "passless", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*InstanceProfile*","Resource":"*"}]}`)
	profile := func(name string, roles ...string) func(*iam.InstanceProfileOutput) error {
		return func(out *iam.InstanceProfileOutput) error {
			p := out.InstanceProfile
			if p.InstanceProfileName != name || p.Arn != "arn:aws:iam::"+acct+":instance-profile/ec2/"+name || len(p.InstanceProfileID) != 21 || p.InstanceProfileID[:4] != "AIPA" {
				return fmt.Errorf("profile = %+v", p)
			}
			if len(p.Roles) != len(roles) {
				return fmt.Errorf("roles = %d, want %v", len(p.Roles), roles)
			}
			for i, r := range roles {
				if p.Roles[i].RoleName != r || p.Roles[i].AssumeRolePolicyDocument == "" {
					return fmt.Errorf("role %d = %+v, want %s", i, p.Roles[i], r)
				}
			}
			return nil
		}
	}
	listed := func(names ...string) func(*iam.ListInstanceProfilesOutput) error {
		return func(out *iam.ListInstanceProfilesOutput) error {
			if len(out.InstanceProfiles) != len(names) {
				return fmt.Errorf("listed %d profiles, want %v", len(out.InstanceProfiles), names)
			}
			for i, n := range names {
				if out.InstanceProfiles[i].InstanceProfileName != n {
					return fmt.Errorf("profile %d = %s, want %s", i, out.InstanceProfiles[i].InstanceProfileName, n)
				}
			}
			return nil
		}
	}
	add := func(p, r string) *iam.ProfileRoleInput {
		return &iam.ProfileRoleInput{InstanceProfileName: p, RoleName: r}
	}
	c.w.Run(t, []servicetest.Step{
		{Name: "role web", As: c.root, Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "web", AssumeRolePolicyDocument: trustAcct})},
		{Name: "role batch", As: c.root, Do: servicetest.Op(s.CreateRole, &iam.CreateRoleInput{RoleName: "batch", AssumeRolePolicyDocument: trustAcct})},
		{Name: "create", As: c.root, Do: expect(s.CreateInstanceProfile, &iam.CreateInstanceProfileInput{InstanceProfileName: "web-profile", Path: "/ec2/"}, profile("web-profile"))},
		{Name: "create again", As: c.root, Do: servicetest.Op(s.CreateInstanceProfile, &iam.CreateInstanceProfileInput{InstanceProfileName: "WEB-profile"}), Want: "EntityAlreadyExists"},
		{Name: "bad name", As: c.root, Do: servicetest.Op(s.CreateInstanceProfile, &iam.CreateInstanceProfileInput{InstanceProfileName: "a b"}), Want: "ValidationError"},
		{Name: "add without iam:PassRole", As: passless, Do: says("iam:PassRole", servicetest.Op(s.AddRoleToInstanceProfile, add("web-profile", "web"))), Want: "AccessDenied"},
		{Name: "add an unknown role", As: c.root, Do: servicetest.Op(s.AddRoleToInstanceProfile, add("web-profile", "nobody")), Want: "NoSuchEntity"},
		{Name: "add to an unknown profile", As: c.root, Do: servicetest.Op(s.AddRoleToInstanceProfile, add("nothing", "web")), Want: "NoSuchEntity"},
		{Name: "add", As: c.root, Do: servicetest.Op(s.AddRoleToInstanceProfile, add("web-profile", "web"))},
		{Name: "add twice", As: c.root, Do: servicetest.Op(s.AddRoleToInstanceProfile, add("web-profile", "WEB")), Want: "EntityAlreadyExists"},
		{Name: "a second role", As: c.root, Do: says("InstanceSessionsPerInstanceProfile: 1", servicetest.Op(s.AddRoleToInstanceProfile, add("web-profile", "batch"))), Want: "LimitExceeded"},
		{Name: "get", As: c.root, Do: expect(s.GetInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "web-profile"}, profile("web-profile", "web"))},
		{Name: "for the role", As: c.root, Do: expect(s.ListInstanceProfilesForRole, &iam.ListInstanceProfilesForRoleInput{RoleName: "web"}, listed("web-profile"))},
		{Name: "for another role", As: c.root, Do: expect(s.ListInstanceProfilesForRole, &iam.ListInstanceProfilesForRoleInput{RoleName: "batch"}, listed())},
		{Name: "for an unknown role", As: c.root, Do: servicetest.Op(s.ListInstanceProfilesForRole, &iam.ListInstanceProfilesForRoleInput{RoleName: "nobody"}), Want: "NoSuchEntity"},
		{Name: "list by path", As: c.root, Do: expect(s.ListInstanceProfiles, &iam.ListInstanceProfilesInput{PathPrefix: "/ec2/"}, listed("web-profile"))},
		{Name: "list another path", As: c.root, Do: expect(s.ListInstanceProfiles, &iam.ListInstanceProfilesInput{PathPrefix: "/other/"}, listed())},
		{Name: "delete the role", As: c.root, Do: says("must remove roles from instance profile first", servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "web"})), Want: "DeleteConflict"},
		{Name: "delete the profile", As: c.root, Do: servicetest.Op(s.DeleteInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "web-profile"}), Want: "DeleteConflict"},
		{Name: "remove a role it does not hold", As: c.root, Do: servicetest.Op(s.RemoveRoleFromInstanceProfile, add("web-profile", "batch")), Want: "NoSuchEntity"},
		{Name: "remove", As: c.root, Do: servicetest.Op(s.RemoveRoleFromInstanceProfile, add("web-profile", "web"))},
		{Name: "empty", As: c.root, Do: expect(s.GetInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "web-profile"}, profile("web-profile"))},
		{Name: "delete the role now", As: c.root, Do: servicetest.Op(s.DeleteRole, &iam.DeleteRoleInput{RoleName: "web"})},
		{Name: "delete the profile now", As: c.root, Do: servicetest.Op(s.DeleteInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "web-profile"})},
		{Name: "gone", As: c.root, Do: servicetest.Op(s.GetInstanceProfile, &iam.InstanceProfileInput{InstanceProfileName: "web-profile"}), Want: "NoSuchEntity"},
	})
}
