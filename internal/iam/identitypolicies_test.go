package iam_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The engine reads identity policies from IAM.
var _ authz.IdentityStore = (*iam.Service)(nil)

// documents names the documents IdentityPolicies gives the engine for p, a boundary marked "|B".
func documents(t *testing.T, s *iam.Service, p identity.Principal) string {
	t.Helper()
	docs, err := s.IdentityPolicies(context.Background(), p)
	if err != nil {
		t.Fatalf("IdentityPolicies(%s): %v", p.ARN, err)
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = d.Name
		if d.Boundary {
			out[i] += "|B"
		}
		if d.Text == "" {
			out[i] += "|empty"
		}
	}
	return strings.Join(out, ", ")
}

// TestIdentityPolicies: what the engine sees of a user (its inline and attached policies, its
// groups', its boundary) and of a role session (its role's), read anew after every write.
func TestIdentityPolicies(t *testing.T) {
	c := newCast(t)
	w, s := c.w, c.w.IAM
	const decryptARN = "arn:aws:iam::111111111111:policy/Decrypt"
	w.Run(t, []servicetest.Step{
		{Name: "a managed policy", As: c.root, Do: servicetest.Op(s.CreatePolicy, &iam.CreatePolicyInput{PolicyName: "Decrypt", PolicyDocument: kmsDecrypt})},
		{Name: "a group", As: c.root, Do: servicetest.Op(s.CreateGroup, &iam.CreateGroupInput{GroupName: "readers"})},
		{Name: "with a policy of its own", As: c.root,
			Do: servicetest.Op(s.PutGroupPolicy, &iam.PutGroupPolicyInput{GroupName: "readers", PolicyName: "g", PolicyDocument: kmsOnly})},
		{Name: "and the managed one", As: c.root, Do: servicetest.Op(s.AttachGroupPolicy, &iam.AttachInput{GroupName: "readers", PolicyArn: decryptARN})},
		{Name: "Bob in it", As: c.root, Do: servicetest.Op(s.AddUserToGroup, &iam.GroupMembershipInput{GroupName: "readers", UserName: "Bob"})},
	})
	bob := c.bob
	if got, want := documents(t, s, bob), "group readers inline policy g, "+decryptARN; got != want {
		t.Fatalf("Bob in a group: %s; want %s", got, want)
	}
	w.Run(t, []servicetest.Step{
		{Name: "Bob's own inline policies, by name", As: c.root,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "z", PolicyDocument: kmsOnly})},
		{Name: "and", As: c.root,
			Do: servicetest.Op(s.PutUserPolicy, &iam.PutUserPolicyInput{UserName: "Bob", PolicyName: "a", PolicyDocument: kmsOnly})},
		{Name: "an attached one", As: c.root, Do: servicetest.Op(s.AttachUserPolicy, &iam.AttachInput{UserName: "Bob", PolicyArn: adminARN})},
		{Name: "a boundary", As: c.root,
			Do: servicetest.Op(s.PutUserPermissionsBoundary, &iam.PutUserPermissionsBoundaryInput{UserName: "Bob", PermissionsBoundary: decryptARN})},
	})
	want := "user Bob inline policy a, user Bob inline policy z, " + adminARN + ", " + decryptARN + "|B, group readers inline policy g, " + decryptARN
	if got := documents(t, s, bob); got != want {
		t.Fatalf("Bob: %s\nwant %s", got, want)
	}
	if got, want := documents(t, s, c.reader), "role CloudTrailReadRole inline policy policy1"; got != want {
		t.Fatalf("the role session: %s; want %s", got, want)
	}
	for _, p := range []identity.Principal{c.root, servicetest.Service("cloudtrail.amazonaws.com"),
		{Type: identity.IAMUser, Account: acct, UserName: "nobody"}, {Type: identity.AssumedRole, Account: acct, RoleName: "gone"}} {
		if got := documents(t, s, p); got != "" {
			t.Fatalf("%+v has identity policies: %s", p, got)
		}
	}
	// The engine sees the change of the next write at once.
	servicetest.Call(w.As(c.root), s.RemoveUserFromGroup, &iam.GroupMembershipInput{GroupName: "readers", UserName: "Bob"}).OK()
	servicetest.Call(w.As(c.root), s.DeleteUserPermissionsBoundary, &iam.DeleteUserPermissionsBoundaryInput{UserName: "Bob"}).OK()
	if got, want := documents(t, s, bob), "user Bob inline policy a, user Bob inline policy z, "+adminARN; got != want {
		t.Fatalf("Bob out of the group: %s; want %s", got, want)
	}
	// What the engine sees is what it decides with: AdministratorAccess lets Bob list users.
	servicetest.Call(w.As(bob), s.ListUsers, &iam.ListUsersInput{}).OK()
	servicetest.Call(w.As(c.root), s.DetachUserPolicy, &iam.AttachInput{UserName: "Bob", PolicyArn: adminARN}).OK()
	servicetest.Call(w.As(bob), s.ListUsers, &iam.ListUsersInput{}).Want("AccessDenied")
}

// TestPrincipalExists: IAM user and role ARNs name existing entities, paths included; other ARNs
// are not IAM's to refuse.
func TestPrincipalExists(t *testing.T) {
	c := newCast(t)
	servicetest.Call(c.w.As(c.root), c.w.IAM.CreateUser, &iam.CreateUserInput{UserName: "ops", Path: "/team/"}).OK()
	for arn, want := range map[string]bool{
		"arn:aws:iam::111111111111:user/Bob":                          true,
		"arn:aws:iam::111111111111:user/bob":                          false, // names are found in any case, ARNs are exact
		"arn:aws:iam::111111111111:user/team/ops":                     true,
		"arn:aws:iam::111111111111:user/ops":                          false,
		"arn:aws:iam::111111111111:user/nobody":                       false,
		"arn:aws:iam::222222222222:user/Bob":                          false,
		"arn:aws:iam::111111111111:role/CloudTrailReadRole":           true,
		"arn:aws:iam::111111111111:role/Gone":                         false,
		"arn:aws:iam::111111111111:root":                              true,
		"arn:aws:iam::111111111111:group/readers":                     true,
		"arn:aws:sts::111111111111:assumed-role/CloudTrailReadRole/s": true,
		"cloudtrail.amazonaws.com":                                    true,
	} {
		got, err := c.w.IAM.PrincipalExists(context.Background(), arn)
		if err != nil || got != want {
			t.Errorf("PrincipalExists(%s) = %v, %v; want %v", arn, got, err, want)
		}
	}
}
