package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/keytrail/keytrail/internal/app"
)

const (
	account    = "111122223333"
	other      = "444455556666"
	rootSecret = "test"
)

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type env struct {
	t    *testing.T
	url  string
	dir  string
	logs *syncBuffer
	app  *app.App
	srv  *httptest.Server
	mem  *http.Client // in a synctest bubble: the in-memory transport to app (startInBubble); else nil
	done bool         // stopped
}

func start(t *testing.T, dir string) *env {
	t.Helper()
	return startWith(t, dir, nil)
}

// startWith starts keytrail with its configuration changed by change, if not nil.
func startWith(t *testing.T, dir string, change func(*app.Config)) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := app.Config{Data: dir, Region: "us-east-1", RootSecret: rootSecret, Version: "test",
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if change != nil {
		change(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	e := &env{t: t, url: srv.URL, dir: dir, logs: logs, app: a, srv: srv}
	t.Cleanup(e.stop)
	return e
}

func (e *env) stop() {
	if !e.done {
		if e.srv != nil {
			e.srv.Close()
		}
		e.app.Close()
		e.done = true
	}
}

func creds(akid, secret, token string) aws.CredentialsProviderFunc {
	return func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token}, nil
	}
}

func (e *env) iam(akid, secret, token string) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, token), HTTPClient: e.httpClient(nil)})
}

func (e *env) sts(akid, secret, token string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, token), HTTPClient: e.httpClient(nil)})
}

func (e *env) rootIAM() *iam.Client { return e.iam(account, rootSecret, "") }

// wantCode fails unless err is an AWS API error with the code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

// must(call)(t) returns call's value, failing the test on its error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

const userPolicy = `{"Version": "2012-10-17", "Statement": [{"Sid": "DecrypterLesJournaux", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*", "Condition": {"StringEquals": {"kms:EncryptionContext:équipe": "journaux d'audit"}}}]}`

const assumeAnyRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

// manageOwnKeys lets a user manage its own access keys, through the ${aws:username} variable.
const manageOwnKeys = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*AccessKey*","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`

const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`

func TestUsersAndAccessKeys(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()

	u := must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), Path: aws.String("/auditors/")}))(t)
	if got, want := aws.ToString(u.User.Arn), "arn:aws:iam::111122223333:user/auditors/alice"; got != want {
		t.Fatalf("Arn = %s, want %s", got, want)
	}
	if !strings.HasPrefix(aws.ToString(u.User.UserId), "AIDA") || len(aws.ToString(u.User.UserId)) != 21 {
		t.Fatalf("UserId = %s", aws.ToString(u.User.UserId))
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
	wantCode(t, err, "EntityAlreadyExists")
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
	wantCode(t, err, "ValidationError")

	for _, n := range []string{"bob", "carol", "dave"} {
		must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(n)}))(t)
	}
	p1 := must(c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(3)}))(t)
	if len(p1.Users) != 3 || !p1.IsTruncated || aws.ToString(p1.Users[0].UserName) != "alice" {
		t.Fatalf("page 1 = %d users, truncated %v", len(p1.Users), p1.IsTruncated)
	}
	p2 := must(c.ListUsers(ctx, &iam.ListUsersInput{Marker: p1.Marker}))(t)
	if len(p2.Users) != 1 || p2.IsTruncated || aws.ToString(p2.Users[0].UserName) != "dave" {
		t.Fatalf("page 2 = %+v", p2.Users)
	}
	byPath := must(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/auditors/")}))(t)
	if len(byPath.Users) != 1 {
		t.Fatalf("PathPrefix: %d users", len(byPath.Users))
	}

	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	id, secret := aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)
	if !strings.HasPrefix(id, "AKIA") || len(id) != 20 || len(secret) != 40 {
		t.Fatalf("access key %s / secret of %d chars", id, len(secret))
	}
	who := must(e.sts(id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	if aws.ToString(who.Arn) != "arn:aws:iam::111122223333:user/auditors/alice" || aws.ToString(who.UserId) != aws.ToString(u.User.UserId) {
		t.Fatalf("caller = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	// The user, signing as itself, manages its own keys without naming itself, once its policy
	// allows it.
	self := e.iam(id, secret, "")
	_, err = self.ListAccessKeys(ctx, &iam.ListAccessKeysInput{})
	wantCode(t, err, "AccessDenied")
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own-keys"), PolicyDocument: aws.String(manageOwnKeys)}))(t)
	keys := must(self.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))(t)
	if len(keys.AccessKeyMetadata) != 1 || aws.ToString(keys.AccessKeyMetadata[0].AccessKeyId) != id {
		t.Fatalf("ListAccessKeys = %+v", keys.AccessKeyMetadata)
	}

	// An inactive key authenticates nothing; reactivated, it works again.
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeInactive}))(t)
	_, err = e.sts(id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
	must(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(id), Status: iamtypes.StatusTypeActive}))(t)
	must(e.sts(id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)

	// A wrong secret is a signature mismatch; quota of two keys.
	_, err = e.sts(id, strings.Repeat("x", 40), "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t)
	_, err = c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
	wantCode(t, err, "LimitExceeded")

	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, err, "DeleteConflict")
	for _, m := range must(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("alice")}))(t).AccessKeyMetadata {
		must(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: m.AccessKeyId}))(t)
	}
	_, err = e.sts(id, secret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
	must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("own-keys")}))(t)
	must(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	wantCode(t, err, "NoSuchEntity")

	// GetUser without a name, as root, describes the account root.
	root := must(c.GetUser(ctx, &iam.GetUserInput{}))(t)
	if aws.ToString(root.User.Arn) != "arn:aws:iam::111122223333:root" || aws.ToString(root.User.UserId) != account {
		t.Fatalf("root GetUser = %+v", root.User)
	}
}

func TestPolicyDocumentsAreStoredExactlyAndReturnedURLEncoded(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("decrypt-logs"), PolicyDocument: aws.String(userPolicy)}))(t)
	got := aws.ToString(must(c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("DECRYPT-LOGS")}))(t).PolicyDocument)
	if got == userPolicy || strings.ContainsAny(got, " {\"") {
		t.Fatalf("document is not URL-encoded: %s", got)
	}
	if dec, err := url.PathUnescape(got); err != nil || dec != userPolicy {
		t.Fatalf("decoded document = %q, want the original %q", dec, userPolicy)
	}
	names := must(c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("bob")}))(t).PolicyNames
	if len(names) != 1 || names[0] != "decrypt-logs" {
		t.Fatalf("ListUserPolicies = %v", names)
	}
	_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement": [`)})
	wantCode(t, err, "MalformedPolicyDocument")
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: aws.String(userPolicy)})
	wantCode(t, err, "NoSuchEntity")
	must(c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("decrypt-logs")}))(t)
	_, err = c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("decrypt-logs")})
	wantCode(t, err, "NoSuchEntity")
}

func TestRolesGroupsAndManagedPolicies(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()

	r := must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("log-reader"), AssumeRolePolicyDocument: aws.String(trustPolicy), MaxSessionDuration: aws.Int32(7200)}))(t)
	if !strings.HasPrefix(aws.ToString(r.Role.RoleId), "AROA") {
		t.Fatalf("RoleId = %s", aws.ToString(r.Role.RoleId))
	}
	got := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("log-reader")}))(t).Role
	if dec, _ := url.PathUnescape(aws.ToString(got.AssumeRolePolicyDocument)); dec != trustPolicy || aws.ToInt32(got.MaxSessionDuration) != 7200 {
		t.Fatalf("GetRole trust policy %q, max %d", dec, aws.ToInt32(got.MaxSessionDuration))
	}
	newTrust := strings.Replace(trustPolicy, "root", "user/alice", 1)
	must(c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("log-reader"), PolicyDocument: aws.String(newTrust)}))(t)
	got = must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("log-reader")}))(t).Role
	if dec, _ := url.PathUnescape(aws.ToString(got.AssumeRolePolicyDocument)); dec != newTrust {
		t.Fatalf("updated trust policy %q", dec)
	}
	if n := len(must(c.ListRoles(ctx, &iam.ListRolesInput{}))(t).Roles); n != 1 {
		t.Fatalf("ListRoles: %d", n)
	}
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r2"), AssumeRolePolicyDocument: aws.String(trustPolicy), MaxSessionDuration: aws.Int32(100)})
	wantCode(t, err, "ValidationError")

	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("log-reader"), PolicyName: aws.String("inline"), PolicyDocument: aws.String(userPolicy)}))(t)
	if n := must(c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("log-reader")}))(t).PolicyNames; len(n) != 1 {
		t.Fatalf("ListRolePolicies = %v", n)
	}

	pol := must(c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("DecryptLogs"), Path: aws.String("/trail/"), PolicyDocument: aws.String(userPolicy)}))(t).Policy
	arn := aws.ToString(pol.Arn)
	if arn != "arn:aws:iam::111122223333:policy/trail/DecryptLogs" || aws.ToString(pol.DefaultVersionId) != "v1" {
		t.Fatalf("policy %s %s", arn, aws.ToString(pol.DefaultVersionId))
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("DecryptLogs"), PolicyDocument: aws.String(userPolicy)})
	wantCode(t, err, "EntityAlreadyExists")
	v := must(c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")}))(t).PolicyVersion
	if dec, _ := url.PathUnescape(aws.ToString(v.Document)); dec != userPolicy || !v.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion = %q default %v", dec, v.IsDefaultVersion)
	}

	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("log-reader"), PolicyArn: aws.String(arn)}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("log-reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))(t)
	att := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("log-reader")}))(t).AttachedPolicies
	if len(att) != 2 {
		t.Fatalf("ListAttachedRolePolicies = %+v", att)
	}
	if n := aws.ToInt32(must(c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy.AttachmentCount); n != 1 {
		t.Fatalf("AttachmentCount = %d", n)
	}
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("log-reader"), PolicyArn: aws.String("arn:aws:iam::111122223333:policy/Nope")})
	wantCode(t, err, "NoSuchEntity")
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "DeleteConflict")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("log-reader")})
	wantCode(t, err, "DeleteConflict")

	// Groups: membership, inline and managed policies.
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("auditors")}))(t)
	must(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("alice")}))(t)
	g := must(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("auditors")}))(t)
	if len(g.Users) != 1 || aws.ToString(g.Users[0].UserName) != "alice" {
		t.Fatalf("GetGroup users = %+v", g.Users)
	}
	if gs := must(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice")}))(t).Groups; len(gs) != 1 {
		t.Fatalf("ListGroupsForUser = %+v", gs)
	}
	must(c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("auditors"), PolicyName: aws.String("read"), PolicyDocument: aws.String(userPolicy)}))(t)
	if d, _ := url.PathUnescape(aws.ToString(must(c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("auditors"), PolicyName: aws.String("read")}))(t).PolicyDocument)); d != userPolicy {
		t.Fatalf("GetGroupPolicy = %q", d)
	}
	must(c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String(arn)}))(t)
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("auditors")})
	wantCode(t, err, "DeleteConflict")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")})
	wantCode(t, err, "DeleteConflict")
	must(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("auditors"), UserName: aws.String("alice")}))(t)
	must(c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("auditors"), PolicyName: aws.String("read")}))(t)
	must(c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("auditors"), PolicyArn: aws.String(arn)}))(t)
	must(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("auditors")}))(t)
	if gs := must(c.ListGroups(ctx, &iam.ListGroupsInput{}))(t).Groups; len(gs) != 0 {
		t.Fatalf("ListGroups after delete = %+v", gs)
	}

	// Users carry managed policies too.
	must(c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}))(t)
	if a := must(c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")}))(t).AttachedPolicies; len(a) != 1 {
		t.Fatalf("ListAttachedUserPolicies = %+v", a)
	}
	must(c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}))(t)
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity")

	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("log-reader"), PolicyArn: aws.String(arn)}))(t)
	must(c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("log-reader"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))(t)
	must(c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("log-reader"), PolicyName: aws.String("inline")}))(t)
	must(c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("log-reader")}))(t)
	local := must(c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal}))(t).Policies
	if len(local) != 1 || aws.ToInt32(local[0].AttachmentCount) != 0 {
		t.Fatalf("ListPolicies Local = %+v", local)
	}
	must(c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}))(t)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity")
}

func TestAssumeRole(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustPolicy)}))(t)
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))(t)
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))(t).AccessKey
	bob := e.sts(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	// The trust policy names the account: its users need their own policy to allow sts:AssumeRole.
	_, err := bob.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("audit")})
	wantCode(t, err, "AccessDenied")
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("bob"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(assumeAnyRole)}))(t)
	must(c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(assumeAnyRole)}))(t)

	out := must(bob.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("audit"), DurationSeconds: aws.Int32(900)}))(t)
	cr := out.Credentials
	if !strings.HasPrefix(aws.ToString(cr.AccessKeyId), "ASIA") || len(aws.ToString(cr.SecretAccessKey)) != 40 || aws.ToString(cr.SessionToken) == "" {
		t.Fatalf("credentials = %+v", cr)
	}
	if d := time.Until(aws.ToTime(cr.Expiration)); d < 14*time.Minute || d > 15*time.Minute {
		t.Fatalf("expiration in %v, want 15 minutes", d)
	}
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::111122223333:assumed-role/reader/audit" {
		t.Fatalf("AssumedRoleUser = %s", aws.ToString(out.AssumedRoleUser.Arn))
	}
	session := e.sts(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	who := must(session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	if aws.ToString(who.Arn) != "arn:aws:sts::111122223333:assumed-role/reader/audit" || !strings.HasSuffix(aws.ToString(who.UserId), ":audit") || !strings.HasPrefix(aws.ToString(who.UserId), "AROA") {
		t.Fatalf("session caller = %s %s", aws.ToString(who.Arn), aws.ToString(who.UserId))
	}
	// A forged or missing session token is refused.
	_, err = e.sts(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), "forged").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
	_, err = e.sts(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "InvalidClientTokenId")
	// Role chaining is limited to one hour.
	_, err = session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("chain"), DurationSeconds: aws.Int32(3601)})
	wantCode(t, err, "ValidationError")

	for name, in := range map[string]*sts.AssumeRoleInput{
		"too short":       {RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s"), DurationSeconds: aws.Int32(899)},
		"too long":        {RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(43201)},
		"over role max":   {RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s1"), DurationSeconds: aws.Int32(7200)},
		"bad arn":         {RoleArn: aws.String("arn:aws:iam::111122223333:user/reader"), RoleSessionName: aws.String("s1")},
		"bad policy json": {RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s1"), Policy: aws.String("{")},
	} {
		_, err := bob.AssumeRole(ctx, in)
		want := "ValidationError"
		if name == "bad policy json" {
			want = "MalformedPolicyDocument"
		}
		t.Run(name, func(t *testing.T) { wantCode(t, err, want) })
	}
	for name, c := range map[string]*sts.Client{"root": e.sts(account, rootSecret, ""), "other account": e.sts(other, rootSecret, "")} {
		_, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s1")})
		t.Run(name, func(t *testing.T) { wantCode(t, err, "AccessDenied") })
	}
	_, err = bob.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/missing"), RoleSessionName: aws.String("s1")})
	wantCode(t, err, "AccessDenied")
}

func TestStatePersistsAndSecretsAreSealed(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	c := e.rootIAM()
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trustPolicy)}))(t)
	must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(assumeAnyRole)}))(t)
	alice := e.sts(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	cr := must(alice.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"), RoleSessionName: aws.String("s1")}))(t).Credentials
	e.stop()

	state, err := os.ReadFile(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{aws.ToString(k.SecretAccessKey), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)} {
		if bytes.Contains(state, []byte(secret)) {
			t.Fatalf("a secret is stored in the clear")
		}
		if strings.Contains(e.logs.String(), secret) {
			t.Fatalf("a secret was logged")
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "root.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("root.key: %v, mode %v", err, fi.Mode())
	}

	e2 := start(t, dir)
	must(e2.rootIAM().GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))(t)
	who := must(e2.sts(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	if aws.ToString(who.Arn) != "arn:aws:iam::111122223333:user/alice" {
		t.Fatalf("after restart caller = %s", aws.ToString(who.Arn))
	}
	must(e2.sts(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
}

func TestRequestLogAndIDs(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	must(e.sts(account, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	_, err := e.rootIAM().GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ghost")})
	wantCode(t, err, "NoSuchEntity")
	var re interface{ ServiceRequestID() string }
	if !errors.As(err, &re) || len(re.ServiceRequestID()) != 36 {
		t.Fatalf("error carries no request ID: %v", err)
	}
	logs := e.logs.String()
	for _, want := range []string{
		"service=sts operation=GetCallerIdentity caller=arn:aws:iam::111122223333:root status=200",
		"service=iam operation=GetUser caller=arn:aws:iam::111122223333:root status=404",
		"request_id=" + re.ServiceRequestID(),
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if n := strings.Count(logs, "msg=request "); n != 2 {
		t.Errorf("%d request log lines, want 2", n)
	}
}

// TestGatewayRouting drives the gateway with raw HTTP where no SDK would go.
func TestGatewayRouting(t *testing.T) {
	e := start(t, t.TempDir())
	cases := []struct {
		name       string
		req        func() *http.Request
		status     int
		contains   []string
		headerName string
	}{
		{"health", func() *http.Request { r, _ := http.NewRequest("GET", e.url+"/_keytrail/health", nil); return r },
			200, []string{`"status":"ok"`}, ""},
		{"unsigned IAM call", func() *http.Request {
			r, _ := http.NewRequest("POST", e.url+"/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 403, []string{"<ErrorResponse", "<Code>MissingAuthenticationTokenException</Code>", "<Type>Sender</Type>", "<RequestId>"}, "X-Amzn-Requestid"},
		{"unsigned KMS call", func() *http.Request {
			r, _ := http.NewRequest("POST", e.url+"/", strings.NewReader("{}"))
			r.Header.Set("X-Amz-Target", "TrentService.ListKeys")
			r.Header.Set("Content-Type", "application/x-amz-json-1.1")
			return r
		}, 400, []string{`"__type":"MissingAuthenticationTokenException"`}, "X-Amzn-Requestid"},
		{"malformed authorization", func() *http.Request {
			r, _ := http.NewRequest("POST", e.url+"/", strings.NewReader("Action=GetCallerIdentity"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=111122223333/20261122/us-east-1/sts/aws4_request, Signature=abc")
			r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			return r
		}, 400, []string{"<Code>IncompleteSignature</Code>"}, ""},
		{"anonymous S3 request", func() *http.Request { r, _ := http.NewRequest("GET", e.url+"/some-bucket?list-type=2", nil); return r },
			404, []string{"<Error>", "<Code>NoSuchBucket</Code>", "<RequestId>"}, "X-Amz-Request-Id"},
		{"an S3 operation keytrail does not serve", func() *http.Request { r, _ := http.NewRequest("GET", e.url+"/some-bucket?lifecycle", nil); return r },
			501, []string{"<Error>", "<Code>NotImplemented</Code>", "<RequestId>"}, "X-Amz-Request-Id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(c.req())
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body bytes.Buffer
			if _, err := body.ReadFrom(resp.Body); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, body.String())
			}
			for _, s := range c.contains {
				if !strings.Contains(body.String(), s) {
					t.Errorf("body lacks %q: %s", s, body.String())
				}
			}
			if c.headerName != "" && len(resp.Header.Get(c.headerName)) != 36 {
				t.Errorf("header %s = %q", c.headerName, resp.Header.Get(c.headerName))
			}
		})
	}
}

// A trust policy's conditions are evaluated with the keys STS and the engine fill in: here
// sts:ExternalId and aws:PrincipalArn, across accounts, with the caller's own identity policy.
func TestAssumeRoleTrustConditions(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	trust := `{"Version":"2012-10-17","Statement":[{"Sid":"Partner","Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"sts:AssumeRole",
		"Condition":{"StringEquals":{"sts:ExternalId":"partner-7"},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::` + other + `:user/auditors/*"}}}]}`
	must(e.rootIAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("partner"), AssumeRolePolicyDocument: aws.String(trust)}))(t)

	partner := e.iam(other, rootSecret, "")
	for _, u := range []struct{ name, path string }{{"ann", "/auditors/"}, {"ben", "/"}} {
		must(partner.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(u.name), Path: aws.String(u.path)}))(t)
		must(partner.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(u.name), PolicyName: aws.String("assume"), PolicyDocument: aws.String(assumeAnyRole)}))(t)
	}
	client := func(user string) *sts.Client {
		k := must(partner.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)}))(t).AccessKey
		return e.sts(aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey), "")
	}
	ann, ben := client("ann"), client("ben")
	in := func(externalID string) *sts.AssumeRoleInput {
		in := &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/partner"), RoleSessionName: aws.String("audit")}
		if externalID != "" {
			in.ExternalId = aws.String(externalID)
		}
		return in
	}
	must(ann.AssumeRole(ctx, in("partner-7")))(t)
	_, err := ann.AssumeRole(ctx, in(""))
	wantCode(t, err, "AccessDenied")
	_, err = ann.AssumeRole(ctx, in("partner-8"))
	wantCode(t, err, "AccessDenied")
	_, err = ben.AssumeRole(ctx, in("partner-7"))
	wantCode(t, err, "AccessDenied")
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::"+account+":role/partner") {
		t.Fatalf("message = %v", err)
	}

	// A malformed trust policy is refused with the engine's reason, and nothing changes.
	_, err = e.rootIAM().UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("partner"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + other + `"},"Action":"sts:AssumeRole","Condition":{"StringEqual":{"sts:ExternalId":"x"}}}]}`)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" || !strings.Contains(ae.ErrorMessage(), `unknown condition operator "StringEqual"`) {
		t.Fatalf("UpdateAssumeRolePolicy = %v", err)
	}
	must(ann.AssumeRole(ctx, in("partner-7")))(t)
	// An oversized inline policy is refused with IAM's quota message.
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 2100) + `","Effect":"Allow","Action":"*","Resource":"*"}]}`
	_, err = partner.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("big"), PolicyDocument: aws.String(big)})
	if !errors.As(err, &ae) || ae.ErrorCode() != "LimitExceeded" || ae.ErrorMessage() != "Cannot exceed quota for PolicySize: 2048" {
		t.Fatalf("PutUserPolicy = %v", err)
	}
}
