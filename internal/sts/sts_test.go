package sts_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/sts"
)

// The seed page's accounts: the trail owner's and the account that reads its logs.
const (
	owner  = "111111111111"
	reader = "222222222222"
)

// The seed page's CloudTrailReadRole trust statement, verbatim: account 222222222222 may assume
// the role in 111111111111.
const cloudTrailReadRoleTrust = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "sts:AssumeRole" } ] }`

const readRoleARN = "arn:aws:iam::111111111111:role/CloudTrailReadRole"

// allow is an identity policy allowing action on resource.
func allow(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}]}`
}

// trusts is a trust policy letting principal (an ARN) assume the role, under an optional
// condition block.
func trusts(principal, condition string) string {
	if condition != "" {
		condition = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + condition + `}]}`
}

// createRole creates a role in account with a trust policy, inline policies and, when
// maxSession is not zero, a maximum session duration.
func createRole(t *testing.T, w *servicetest.World, account, name, trust string, maxSession int32, documents ...string) string {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust}
	if maxSession != 0 {
		in.MaxSessionDuration = &maxSession
	}
	servicetest.Call(w.As(w.Root(account)), w.IAM.CreateRole, in).OK()
	for i, doc := range documents {
		servicetest.Call(w.As(w.Root(account)), w.IAM.PutRolePolicy, &iam.PutRolePolicyInput{
			RoleName: name, PolicyName: "policy" + string(rune('1'+i)), PolicyDocument: doc}).OK()
	}
	return "arn:aws:iam::" + account + ":role/" + name
}

func assume(arn, session string) *sts.AssumeRoleInput {
	return &sts.AssumeRoleInput{RoleArn: arn, RoleSessionName: session}
}

func seconds(n int32) *int32 { return &n }

// session returns the principal AssumeRole's credentials sign as.
func session(t *testing.T, w *servicetest.World, out *sts.AssumeRoleOutput) identity.Principal {
	t.Helper()
	_, p, err := w.STS.SessionCredential(context.Background(), out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	if err != nil {
		t.Fatalf("session credential: %v", err)
	}
	return p
}

// TestAssumeRoleSeed: the seed's CloudTrailReadRole, trusted by account 222222222222, as callers
// of both accounts see it. Across accounts the caller's own account must allow the call too.
func TestAssumeRoleSeed(t *testing.T) {
	w := servicetest.New(t)
	createRole(t, w, owner, "CloudTrailReadRole", cloudTrailReadRoleTrust, 0)
	alice := w.User(reader, "alice", allow("sts:AssumeRole", readRoleARN))
	bob := w.User(reader, "bob")
	wildcard := w.User(reader, "wildcard", allow("sts:*", "*"))
	ownerUser := w.User(owner, "owner-admin", allow("*", "*"))
	outsider := w.User(servicetest.OtherAccount, "eve", allow("sts:AssumeRole", "*"))
	w.Run(t, []servicetest.Step{
		{Name: "alice of the trusted account, allowed by her own policy", As: alice,
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "alice-reads"))},
		{Name: "a policy of sts:* on * allows it too", As: wildcard,
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "wildcard"))},
		{Name: "bob of the trusted account, whose own account does not allow it", As: bob,
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "bob")), Want: "AccessDenied"},
		{Name: "an administrator of the role's own account, not named by the trust policy", As: ownerUser,
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "admin")), Want: "AccessDenied"},
		{Name: "a user of an account the trust policy does not name", As: outsider,
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "eve")), Want: "AccessDenied"},
		{Name: "the trusted account's root: roles are not assumed by roots", As: w.Root(reader),
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "root")), Want: "AccessDenied"},
		{Name: "a role that does not exist looks like one that may not be assumed", As: alice,
			Do: servicetest.Op(w.STS.AssumeRole, assume("arn:aws:iam::111111111111:role/Nobody", "alice")), Want: "AccessDenied"},
		{Name: "the role under another path than its own", As: alice,
			Do: servicetest.Op(w.STS.AssumeRole, assume("arn:aws:iam::111111111111:role/audit/CloudTrailReadRole", "alice")), Want: "AccessDenied"},
		{Name: "a caller with no account (an AWS service)", As: servicetest.Service("cloudtrail.amazonaws.com"),
			Do: servicetest.Op(w.STS.AssumeRole, assume(readRoleARN, "svc")), Want: "AccessDenied"},
	})
	servicetest.Call(w.As(bob), w.STS.AssumeRole, assume(readRoleARN, "bob")).
		WantMessage("arn:aws:iam::222222222222:user/bob", "is not authorized to perform: sts:AssumeRole on resource: "+readRoleARN)
	servicetest.Call(w.As(w.Root(reader)), w.STS.AssumeRole, assume(readRoleARN, "root")).
		WantMessage("Roles may not be assumed by root accounts.")
}

// TestAssumeRoleSameAccount: a trust policy naming a user trusts that user without an identity
// policy; one naming the account trusts whom the account's identity policies allow.
func TestAssumeRoleSameAccount(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	named := createRole(t, w, acct, "named", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0)
	delegated := createRole(t, w, acct, "delegated", trusts("arn:aws:iam::"+acct+":root", ""), 0)
	alice := w.User(acct, "alice")
	bob := w.User(acct, "bob", allow("sts:AssumeRole", delegated))
	w.Run(t, []servicetest.Step{
		{Name: "alice, named by the trust policy", As: alice, Do: servicetest.Op(w.STS.AssumeRole, assume(named, "alice"))},
		{Name: "bob, not named", As: bob, Do: servicetest.Op(w.STS.AssumeRole, assume(named, "bob")), Want: "AccessDenied"},
		{Name: "bob, allowed by his policy, on a role trusting the account", As: bob, Do: servicetest.Op(w.STS.AssumeRole, assume(delegated, "bob"))},
		{Name: "alice, without a policy, on a role trusting the account", As: alice, Do: servicetest.Op(w.STS.AssumeRole, assume(delegated, "alice")), Want: "AccessDenied"},
	})
}

// TestAssumeRoleOutput: the credentials and the assumed-role user AssumeRole returns, and the
// principal they sign as.
func TestAssumeRoleOutput(t *testing.T) {
	w := servicetest.New(t)
	createRole(t, w, owner, "CloudTrailReadRole", cloudTrailReadRoleTrust, 0)
	alice := w.User(reader, "alice", allow("sts:AssumeRole", readRoleARN))
	role := servicetest.Call(w.As(w.Root(owner)), w.IAM.GetRole, &iam.GetRoleInput{RoleName: "CloudTrailReadRole"}).OK().Role

	out := servicetest.Call(w.As(alice), w.STS.AssumeRole, assume(readRoleARN, "alice-reads")).OK()
	c := out.Credentials
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || len(c.AccessKeyID) != 20 || len(c.SecretAccessKey) != 40 || c.SessionToken == "" {
		t.Errorf("credentials %q / %d-character secret / token %q", c.AccessKeyID, len(c.SecretAccessKey), c.SessionToken)
	}
	if want := w.Clock.Now().Add(time.Hour); !c.Expiration.Equal(want) {
		t.Errorf("expiration %v; want an hour from now, %v", c.Expiration, want)
	}
	wantARN := "arn:aws:sts::111111111111:assumed-role/CloudTrailReadRole/alice-reads"
	if u := out.AssumedRoleUser; u.Arn != wantARN || u.AssumedRoleID != role.RoleID+":alice-reads" {
		t.Errorf("assumed role user %+v; want %s, %s:alice-reads", u, wantARN, role.RoleID)
	}
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize %d without a session policy", *out.PackedPolicySize)
	}

	secret, p, err := w.STS.SessionCredential(context.Background(), c.AccessKeyID, c.SessionToken)
	if err != nil || secret != c.SecretAccessKey {
		t.Fatalf("SessionCredential = %q, %v; want the secret AssumeRole returned", secret, err)
	}
	want := identity.Principal{Type: identity.AssumedRole, Account: owner, ARN: wantARN,
		PrincipalID: role.RoleID + ":alice-reads", AccessKeyID: c.AccessKeyID, RoleName: "CloudTrailReadRole",
		RoleARN: readRoleARN, RoleID: role.RoleID, SessionName: "alice-reads", SessionIssued: w.Clock.Now()}
	if p != want {
		t.Errorf("session principal\n%+v\nwant\n%+v", p, want)
	}
	id := servicetest.Call(w.As(p), w.STS.GetCallerIdentity, &sts.GetCallerIdentityInput{}).OK()
	if id.Arn != wantARN || id.Account != owner || id.UserID != want.PrincipalID {
		t.Errorf("the session's caller identity %+v", id)
	}
}

// TestAssumeRoleExternalID: a trust policy's sts:ExternalId condition (the confused-deputy
// guard of https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html).
func TestAssumeRoleExternalID(t *testing.T) {
	w := servicetest.New(t)
	arn := createRole(t, w, owner, "vendor", trusts("arn:aws:iam::"+reader+":root", `{"StringEquals":{"sts:ExternalId":"Unique-ID-1234"}}`), 0)
	vendor := w.User(reader, "vendor", allow("sts:AssumeRole", "*"))
	withID := func(id string) *sts.AssumeRoleInput {
		in := assume(arn, "vendor")
		in.ExternalID = id
		return in
	}
	w.Run(t, []servicetest.Step{
		{Name: "the right external ID", As: vendor, Do: servicetest.Op(w.STS.AssumeRole, withID("Unique-ID-1234"))},
		{Name: "no external ID", As: vendor, Do: servicetest.Op(w.STS.AssumeRole, withID("")), Want: "AccessDenied"},
		{Name: "another external ID", As: vendor, Do: servicetest.Op(w.STS.AssumeRole, withID("Unique-ID-9999")), Want: "AccessDenied"},
		{Name: "an external ID of one character", As: vendor, Do: servicetest.Op(w.STS.AssumeRole, withID("U")), Want: "ValidationError"},
		{Name: "an external ID with a space", As: vendor, Do: servicetest.Op(w.STS.AssumeRole, withID("Unique ID")), Want: "ValidationError"},
	})
	servicetest.Call(w.As(vendor), w.STS.AssumeRole, withID("U")).
		WantMessage("1 validation error detected: Value 'U' at 'externalId' failed to satisfy constraint")
}

// TestAssumeRoleSessionName: the sts:RoleSessionName condition key carries the session name.
func TestAssumeRoleSessionName(t *testing.T) {
	w := servicetest.New(t)
	alice := w.User(reader, "alice", allow("sts:AssumeRole", "*"))
	arn := createRole(t, w, owner, "named-sessions", trusts("arn:aws:iam::"+reader+":root", `{"StringLike":{"sts:RoleSessionName":"${aws:username}"}}`), 0)
	w.Run(t, []servicetest.Step{
		{Name: "a session named after the user", As: alice, Do: servicetest.Op(w.STS.AssumeRole, assume(arn, "alice"))},
		{Name: "a session named otherwise", As: alice, Do: servicetest.Op(w.STS.AssumeRole, assume(arn, "mallory")), Want: "AccessDenied"},
	})
}

// TestSessionPolicy: a session policy narrows what the session may do to what both it and the
// role's policies allow (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session).
func TestSessionPolicy(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	arn := createRole(t, w, acct, "admin", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0, allow("iam:*", "*"))
	in := assume(arn, "narrow")
	in.Policy = allow("iam:GetUser", "*")
	out := servicetest.Call(w.As(alice), w.STS.AssumeRole, in).OK()
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize >= 100 {
		t.Errorf("PackedPolicySize %v; want a percentage of the allotted space", out.PackedPolicySize)
	}
	narrow := session(t, w, out)
	if narrow.SessionPolicy != in.Policy {
		t.Errorf("the session carries the policy %q", narrow.SessionPolicy)
	}
	wide := session(t, w, servicetest.Call(w.As(alice), w.STS.AssumeRole, assume(arn, "wide")).OK())
	w.Run(t, []servicetest.Step{
		{Name: "the narrow session reads a user", As: narrow, Do: servicetest.Op(w.IAM.GetUser, &iam.GetUserInput{UserName: "alice"})},
		{Name: "the narrow session may not list users", As: narrow, Do: servicetest.Op(w.IAM.ListUsers, &iam.ListUsersInput{}), Want: "AccessDenied"},
		{Name: "a session without a policy has the role's permissions", As: wide, Do: servicetest.Op(w.IAM.ListUsers, &iam.ListUsersInput{})},
	})

	bad := assume(arn, "bad")
	bad.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"iam:*","Resource":"*"}]}`
	servicetest.Call(w.As(alice), w.STS.AssumeRole, bad).Want("MalformedPolicyDocument")
	bad.Policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"` + strings.Repeat("x", 2100) + `"}]}`
	servicetest.Call(w.As(alice), w.STS.AssumeRole, bad).Want("PackedPolicyTooLarge").
		WantMessage("Packed policy consumes more than 100% of the allotted space.")
}

// TestDuration: DurationSeconds between 15 minutes and 12 hours, and no longer than the role's
// MaxSessionDuration, or an hour for a role assumed by a role's session (role chaining, see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining).
func TestDuration(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	short := createRole(t, w, acct, "short", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0)
	long := createRole(t, w, acct, "long", trusts("arn:aws:iam::"+acct+":user/alice", ""), 43200, allow("sts:AssumeRole", "*"))
	chained := createRole(t, w, acct, "chained", trusts("arn:aws:iam::"+acct+":role/long", ""), 43200)
	lasting := func(arn string, d int32) *sts.AssumeRoleInput {
		in := assume(arn, "s1")
		in.DurationSeconds = seconds(d)
		return in
	}
	longSession := session(t, w, servicetest.Call(w.As(alice), w.STS.AssumeRole, assume(long, "hop")).OK())
	w.Run(t, []servicetest.Step{
		{Name: "the minimum, 15 minutes", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(short, 900))},
		{Name: "below the minimum", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(short, 899)), Want: "ValidationError"},
		{Name: "above 12 hours", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(long, 43201)), Want: "ValidationError"},
		{Name: "the role's default maximum, an hour", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(short, 3600))},
		{Name: "beyond the role's maximum", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(short, 3601)), Want: "ValidationError"},
		{Name: "12 hours of a role whose maximum is 12 hours", As: alice, Do: servicetest.Op(w.STS.AssumeRole, lasting(long, 43200))},
		{Name: "role chaining, an hour", As: longSession, Do: servicetest.Op(w.STS.AssumeRole, lasting(chained, 3600))},
		{Name: "role chaining, beyond an hour", As: longSession, Do: servicetest.Op(w.STS.AssumeRole, lasting(chained, 3601)), Want: "ValidationError"},
	})
	servicetest.Call(w.As(alice), w.STS.AssumeRole, lasting(short, 899)).
		WantMessage("1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200")
	servicetest.Call(w.As(alice), w.STS.AssumeRole, lasting(short, 7200)).
		WantMessage("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	servicetest.Call(w.As(longSession), w.STS.AssumeRole, lasting(chained, 7200)).
		WantMessage("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")

	out := servicetest.Call(w.As(alice), w.STS.AssumeRole, lasting(long, 43200)).OK()
	if want := w.Clock.Now().Add(12 * time.Hour); !out.Credentials.Expiration.Equal(want) {
		t.Errorf("a 12-hour session expires at %v; want %v", out.Credentials.Expiration, want)
	}
}

// TestValidation: AssumeRole's parameters, worded as AWS words validation errors.
func TestValidation(t *testing.T) {
	w := servicetest.New(t)
	alice := w.User(servicetest.Account, "alice", allow("sts:AssumeRole", "*"))
	cases := []struct {
		name string
		in   *sts.AssumeRoleInput
		msg  string
	}{
		{"nothing", &sts.AssumeRoleInput{},
			"2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"},
		{"a user's ARN", assume("arn:aws:iam::111122223333:user/alice", "s1"),
			"1 validation error detected: Value 'arn:aws:iam::111122223333:user/alice' at 'roleArn' failed to satisfy constraint: Member must be a role ARN"},
		{"an account of 11 digits", assume("arn:aws:iam::11111111111:role/r", "s1"), "at 'roleArn' failed to satisfy constraint"},
		{"a session name of one character", assume("arn:aws:iam::111122223333:role/r", "s"),
			`1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]* and have length between 2 and 64`},
		{"a session name with a slash", assume("arn:aws:iam::111122223333:role/r", "a/b"), "at 'roleSessionName'"},
		{"a session name of 65 characters", assume("arn:aws:iam::111122223333:role/r", strings.Repeat("s", 65)), "at 'roleSessionName'"},
		{"everything wrong", &sts.AssumeRoleInput{RoleArn: "role", RoleSessionName: "?", DurationSeconds: seconds(60), ExternalID: "#"},
			"4 validation errors detected: Value 'role' at 'roleArn'"},
	}
	for _, c := range cases {
		t.Log(c.name)
		servicetest.Call(w.As(alice), w.STS.AssumeRole, c.in).Want("ValidationError").WantMessage(c.msg)
	}
}

// TestGetCallerIdentity: every kind of caller learns who it is, whatever its policies say; a
// caller without an account learns nothing.
func TestGetCallerIdentity(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`
	alice := w.User(acct, "alice", deny)
	role := w.Role(acct, "auditor", trusts("arn:aws:iam::"+acct+":user/bob", ""), w.User(acct, "bob"), deny)
	cases := []struct {
		name    string
		as      identity.Principal
		arn, id string
	}{
		{"the account's root", w.Root(acct), "arn:aws:iam::111122223333:root", acct},
		{"an IAM user denied everything", alice, "arn:aws:iam::111122223333:user/alice", alice.PrincipalID},
		{"a role's session denied everything", role, "arn:aws:sts::111122223333:assumed-role/auditor/session", role.RoleID + ":session"},
	}
	for _, c := range cases {
		out := servicetest.Call(w.As(c.as), w.STS.GetCallerIdentity, &sts.GetCallerIdentityInput{}).OK()
		if out.Arn != c.arn || out.Account != acct || out.UserID != c.id {
			t.Errorf("%s: %+v; want %s, %s, %s", c.name, out, c.arn, acct, c.id)
		}
	}
	if !strings.HasPrefix(alice.PrincipalID, "AIDA") || !strings.HasPrefix(role.RoleID, "AROA") {
		t.Errorf("user ID %s, role ID %s", alice.PrincipalID, role.RoleID)
	}
	servicetest.Call(w.As(servicetest.Service("cloudtrail.amazonaws.com")), w.STS.GetCallerIdentity, &sts.GetCallerIdentityInput{}).
		Want("AccessDenied")
	servicetest.Call(w.As(identity.Principal{}), w.STS.GetCallerIdentity, &sts.GetCallerIdentityInput{}).Want("AccessDenied")
}

// TestSessionCredential: temporary credentials verify with their own session token until they
// expire; anything else is one of SessionCredential's errors.
func TestSessionCredential(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	arn := createRole(t, w, acct, "r", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0)
	in := assume(arn, "s1")
	in.DurationSeconds = seconds(900)
	c := servicetest.Call(w.As(alice), w.STS.AssumeRole, in).OK().Credentials
	other := servicetest.Call(w.As(alice), w.STS.AssumeRole, assume(arn, "s2")).OK().Credentials
	if other.AccessKeyID == c.AccessKeyID || other.SessionToken == c.SessionToken || other.SecretAccessKey == c.SecretAccessKey {
		t.Fatal("two sessions share credentials")
	}

	ctx := context.Background()
	cases := []struct {
		name      string
		id, token string
		want      error
	}{
		{"its own token", c.AccessKeyID, c.SessionToken, nil},
		{"no token", c.AccessKeyID, "", sts.ErrBadToken},
		{"another session's token", c.AccessKeyID, other.SessionToken, sts.ErrBadToken},
		{"a token cut short", c.AccessKeyID, c.SessionToken[:len(c.SessionToken)-1], sts.ErrBadToken},
		{"an access key no session has", "ASIAAAAAAAAAAAAAAAAA", c.SessionToken, sts.ErrNoSuchSession},
		{"an IAM user's access key", alice.AccessKeyID, c.SessionToken, sts.ErrNoSuchSession},
	}
	for _, tc := range cases {
		if _, _, err := w.STS.SessionCredential(ctx, tc.id, tc.token); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, err, tc.want)
		}
	}

	w.Clock.Advance(15*time.Minute - time.Second)
	if _, _, err := w.STS.SessionCredential(ctx, c.AccessKeyID, c.SessionToken); err != nil {
		t.Errorf("a second before expiry: %v", err)
	}
	w.Clock.Advance(time.Second)
	if _, _, err := w.STS.SessionCredential(ctx, c.AccessKeyID, c.SessionToken); !errors.Is(err, sts.ErrExpired) {
		t.Errorf("at expiry: %v; want ErrExpired", err)
	}
	if _, _, err := w.STS.SessionCredential(ctx, other.AccessKeyID, other.SessionToken); err != nil {
		t.Errorf("the hour-long session after 15 minutes: %v", err)
	}
	w.Clock.Advance(45 * time.Minute)
	if _, _, err := w.STS.SessionCredential(ctx, other.AccessKeyID, other.SessionToken); !errors.Is(err, sts.ErrExpired) {
		t.Errorf("the hour-long session after an hour: %v; want ErrExpired", err)
	}
}

// TestStoredSessions: a session survives a new Service on the same store (a restart), and a
// stored record that does not decode is an error, not a session.
func TestStoredSessions(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	arn := createRole(t, w, acct, "r", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0)
	c := servicetest.Call(w.As(alice), w.STS.AssumeRole, assume(arn, "s1")).OK().Credentials

	restarted := sts.New(sts.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, IAM: w.IAM, Now: w.Clock.Now})
	secret, p, err := restarted.SessionCredential(context.Background(), c.AccessKeyID, c.SessionToken)
	if err != nil || secret != c.SecretAccessKey || p.SessionName != "s1" {
		t.Fatalf("after a restart: %q, %+v, %v", secret, p, err)
	}

	err = w.DB.Update(context.Background(), func(tx store.Tx) error {
		return tx.Put("sts.sessions", "ASIACORRUPTCORRUPT00", []byte("{"))
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = w.STS.SessionCredential(context.Background(), "ASIACORRUPTCORRUPT00", c.SessionToken)
	if err == nil || errors.Is(err, sts.ErrNoSuchSession) {
		t.Errorf("a corrupt session record: %v; want a decoding error", err)
	}
}

// failingReader is randomness that has run out.
type failingReader struct{ after int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.after <= 0 {
		return 0, errors.New("entropy exhausted")
	}
	n := min(len(p), r.after)
	r.after -= n
	return n, nil
}

// failingDB is a store whose writes fail.
type failingDB struct{ store.DB }

func (failingDB) Update(context.Context, func(store.Tx) error) error { return errors.New("disk full") }

// TestIssueFailures: when randomness or the store fails, AssumeRole returns an error and issues
// nothing.
func TestIssueFailures(t *testing.T) {
	w := servicetest.New(t)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	arn := createRole(t, w, acct, "r", trusts("arn:aws:iam::"+acct+":user/alice", ""), 0)
	for _, after := range []int{0, 16 + 20, 16 + 40 + 50} { // in the key ID, the secret, the token
		s := sts.New(sts.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, IAM: w.IAM, Policies: w.Policies,
			Now: w.Clock.Now, Rand: &failingReader{after: after}})
		servicetest.Call(w.As(alice), s.AssumeRole, assume(arn, "s1")).WantMessage("entropy exhausted")
	}
	s := sts.New(sts.Config{DB: failingDB{w.DB}, Barrier: w.Barrier, Authorizer: w.Authz, IAM: w.IAM, Now: w.Clock.Now})
	servicetest.Call(w.As(alice), s.AssumeRole, assume(arn, "s1")).WantMessage("disk full")
}
