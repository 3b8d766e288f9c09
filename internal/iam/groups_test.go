package iam_test

import (
	"context"
	"testing"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestGroups: groups, their members and what membership holds up.
func TestGroups(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	member := func(group, user string) *iam.GroupMembershipInput {
		return &iam.GroupMembershipInput{GroupName: group, UserName: user}
	}
	w.Run(t, []servicetest.Step{
		{Name: "create readers", As: c.admin,
			Do: expect(s.CreateGroup, &iam.CreateGroupInput{GroupName: "readers"}, func(out *iam.CreateGroupOutput) error {
				if err := same("ARN", out.Group.Arn, "arn:aws:iam::111111111111:group/readers"); err != nil {
					return err
				}
				return same("ID prefix", out.Group.GroupID[:4], "AGPA")
			})},
		{Name: "create writers under a path", As: c.root,
			Do: expect(s.CreateGroup, &iam.CreateGroupInput{GroupName: "writers", Path: "/w/"}, func(out *iam.CreateGroupOutput) error {
				return same("ARN", out.Group.Arn, "arn:aws:iam::111111111111:group/w/writers")
			})},
		{Name: "the name is taken", As: c.admin,
			Do: says("Group with name Readers already exists.", servicetest.Op(s.CreateGroup, &iam.CreateGroupInput{GroupName: "Readers"})), Want: "EntityAlreadyExists"},
		{Name: "Bob may not create groups", As: c.bob, Do: servicetest.Op(s.CreateGroup, &iam.CreateGroupInput{GroupName: "g"}), Want: "AccessDenied"},
		{Name: "add Bob to readers", As: c.admin, Do: servicetest.Op(s.AddUserToGroup, member("readers", "bob"))},
		{Name: "adding him twice is no error", As: c.admin, Do: servicetest.Op(s.AddUserToGroup, member("READERS", "Bob"))},
		{Name: "add the admin to readers and writers", As: c.admin, Do: servicetest.Op(s.AddUserToGroup, member("readers", "admin"))},
		{Name: "and writers", As: c.admin, Do: servicetest.Op(s.AddUserToGroup, member("writers", "admin"))},
		{Name: "no such user", As: c.admin, Do: servicetest.Op(s.AddUserToGroup, member("readers", "nobody")), Want: "NoSuchEntity"},
		{Name: "no such group", As: c.admin,
			Do: says("The group with name nobody cannot be found.", servicetest.Op(s.AddUserToGroup, member("nobody", "Bob"))), Want: "NoSuchEntity"},
		{Name: "Bob may not add himself", As: c.bob, Do: servicetest.Op(s.AddUserToGroup, member("writers", "Bob")), Want: "AccessDenied"},
		{Name: "GetGroup lists members by name", As: c.reader,
			Do: expect(s.GetGroup, &iam.GetGroupInput{GroupName: "readers"}, func(out *iam.GetGroupOutput) error {
				if err := same("group", out.Group.GroupName, "readers"); err != nil {
					return err
				}
				return same("users", names(out.Users, userName), "admin,Bob")
			})},
		{Name: "a page of one member", As: c.reader,
			Do: expect(s.GetGroup, &iam.GetGroupInput{GroupName: "readers", Paging: iam.Paging{MaxItems: i32(1)}}, func(out *iam.GetGroupOutput) error {
				if err := same("users", names(out.Users, userName), "admin"); err != nil {
					return err
				}
				return same("truncated", out.IsTruncated, true)
			})},
		{Name: "GetGroup of nobody", As: c.reader, Do: servicetest.Op(s.GetGroup, &iam.GetGroupInput{GroupName: "nobody"}), Want: "NoSuchEntity"},
		{Name: "Bob may not GetGroup", As: c.bob, Do: servicetest.Op(s.GetGroup, &iam.GetGroupInput{GroupName: "readers"}), Want: "AccessDenied"},
		{Name: "ListGroups", As: c.reader,
			Do: expect(s.ListGroups, &iam.ListGroupsInput{}, func(out *iam.ListGroupsOutput) error {
				return same("groups", names(out.Groups, groupName), "readers,writers")
			})},
		{Name: "ListGroups under a path", As: c.reader,
			Do: expect(s.ListGroups, &iam.ListGroupsInput{PathPrefix: "/w/"}, func(out *iam.ListGroupsOutput) error {
				return same("groups", names(out.Groups, groupName), "writers")
			})},
		{Name: "Bob may not ListGroups", As: c.bob, Do: servicetest.Op(s.ListGroups, &iam.ListGroupsInput{}), Want: "AccessDenied"},
		{Name: "the admin's groups", As: c.reader,
			Do: expect(s.ListGroupsForUser, &iam.ListGroupsForUserInput{UserName: "admin"}, func(out *iam.ListGroupsForUserOutput) error {
				return same("groups", names(out.Groups, groupName), "readers,writers")
			})},
		{Name: "a page of them", As: c.reader,
			Do: expect(s.ListGroupsForUser, &iam.ListGroupsForUserInput{UserName: "admin", Paging: iam.Paging{Marker: "readers"}},
				func(out *iam.ListGroupsForUserOutput) error {
					return same("groups", names(out.Groups, groupName), "writers")
				})},
		{Name: "the groups of nobody", As: c.reader,
			Do: servicetest.Op(s.ListGroupsForUser, &iam.ListGroupsForUserInput{UserName: "nobody"}), Want: "NoSuchEntity"},
		{Name: "Bob may not list his groups", As: c.bob,
			Do: servicetest.Op(s.ListGroupsForUser, &iam.ListGroupsForUserInput{UserName: "Bob"}), Want: "AccessDenied"},
		{Name: "a group with members stays", As: c.admin,
			Do: says("must remove users from group first", servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "writers"})), Want: "DeleteConflict"},
		{Name: "Bob may not leave", As: c.bob, Do: servicetest.Op(s.RemoveUserFromGroup, member("readers", "Bob")), Want: "AccessDenied"},
		{Name: "the admin leaves writers", As: c.admin, Do: servicetest.Op(s.RemoveUserFromGroup, member("writers", "ADMIN"))},
		{Name: "not twice", As: c.admin,
			Do:   says("The user with name admin cannot be found in the group writers.", servicetest.Op(s.RemoveUserFromGroup, member("writers", "admin"))),
			Want: "NoSuchEntity"},
		{Name: "a group with an inline policy stays", As: c.admin,
			Do: servicetest.Op(s.PutGroupPolicy, &iam.PutGroupPolicyInput{GroupName: "writers", PolicyName: "p", PolicyDocument: kmsDecrypt})},
		{Name: "it does", As: c.admin, Do: servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "writers"}), Want: "DeleteConflict"},
		{Name: "drop the policy", As: c.admin, Do: servicetest.Op(s.DeleteGroupPolicy, &iam.InlinePolicyRef{GroupName: "writers", PolicyName: "p"})},
		{Name: "Bob may not delete a group", As: c.bob, Do: servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "writers"}), Want: "AccessDenied"},
		{Name: "delete writers", As: c.admin, Do: servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "writers"})},
		{Name: "again", As: c.admin, Do: servicetest.Op(s.DeleteGroup, &iam.DeleteGroupInput{GroupName: "writers"}), Want: "NoSuchEntity"},
		{Name: "drop Bob's key", As: c.admin, Do: func(ctx context.Context) error {
			keys, err := s.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: "Bob"})
			if err != nil {
				return err
			}
			_, err = s.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: "Bob", AccessKeyID: keys.AccessKeyMetadata[0].AccessKeyID})
			return err
		}},
		{Name: "a member of a group stays", As: c.admin,
			Do: says("must remove user from all groups first", servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Bob"})), Want: "DeleteConflict"},
		{Name: "Bob leaves readers", As: c.admin, Do: servicetest.Op(s.RemoveUserFromGroup, member("readers", "Bob"))},
		{Name: "and may go", As: c.admin, Do: servicetest.Op(s.DeleteUser, &iam.DeleteUserInput{UserName: "Bob"})},
	})
}
