package credentials_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/credentials"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/sigv4"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/sts"
)

const rootSecret = "root-secret"

var ctx = context.Background()

func resolver(w *servicetest.World) *credentials.Resolver {
	return &credentials.Resolver{RootSecret: rootSecret, IAM: w.IAM, STS: w.STS}
}

// kind returns the sigv4 error kind of err, failing the test when err is not a sigv4 error.
func kind(t *testing.T, err error) sigv4.Kind {
	t.Helper()
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a sigv4 error", err)
	}
	return e.Kind
}

// TestRoot: a 12-digit account ID signs as that account's root with the root secret, and the
// account comes into being; LocalStack's "test" signs as the root of 000000000000. Roots have no
// session token.
func TestRoot(t *testing.T) {
	w := servicetest.New(t)
	r := resolver(w)
	cases := []struct {
		akid, account string
	}{
		{servicetest.Account, servicetest.Account},
		{"000000000001", "000000000001"},
		{credentials.LocalStackAccessKey, credentials.LocalStackAccount},
	}
	for _, c := range cases {
		cred, err := r.Credential(ctx, c.akid, "")
		if err != nil {
			t.Fatalf("%s: %v", c.akid, err)
		}
		want := identity.AccountRoot(c.account)
		want.AccessKeyID = c.akid
		if cred.Secret != rootSecret || cred.Principal != want {
			t.Errorf("%s: %q, %+v; want the root secret and %+v", c.akid, cred.Secret, cred.Principal, want)
		}
		if _, err := r.Credential(ctx, c.akid, "a-token"); !errors.Is(err, sigv4.ErrInvalidToken) {
			t.Errorf("%s with a session token: %v; want ErrInvalidToken", c.akid, err)
		}
	}
	// The account exists now: its root may create users in it.
	servicetest.Call(w.As(w.Root("000000000001")), w.IAM.CreateUser, &iam.CreateUserInput{UserName: "u"}).OK()
}

// TestUserKeys: an IAM user's AKIA… key signs as the user with its secret while it is active;
// an inactive, deleted or never-issued key is an unknown key, whose reason says which.
func TestUserKeys(t *testing.T) {
	w := servicetest.New(t)
	r := resolver(w)
	root := w.As(w.Root(servicetest.Account))
	servicetest.Call(root, w.IAM.CreateUser, &iam.CreateUserInput{UserName: "alice"}).OK()
	key := servicetest.Call(root, w.IAM.CreateAccessKey, &iam.CreateAccessKeyInput{UserName: "alice"}).OK().AccessKey

	cred, err := r.Credential(ctx, key.AccessKeyID, "")
	if err != nil {
		t.Fatal(err)
	}
	p := cred.Principal
	if cred.Secret != key.SecretAccessKey || p.Type != identity.IAMUser || p.ARN != "arn:aws:iam::111122223333:user/alice" ||
		p.UserName != "alice" || p.AccessKeyID != key.AccessKeyID || p.Account != servicetest.Account {
		t.Errorf("alice's key: %q, %+v", cred.Secret, p)
	}
	if _, err := r.Credential(ctx, key.AccessKeyID, "a-token"); !errors.Is(err, sigv4.ErrInvalidToken) {
		t.Errorf("a user's key with a session token: %v; want ErrInvalidToken", err)
	}

	servicetest.Call(root, w.IAM.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "alice", AccessKeyID: key.AccessKeyID, Status: "Inactive"}).OK()
	unknown := func(akid, reason string) {
		t.Helper()
		_, err := r.Credential(ctx, akid, "")
		var e *sigv4.Error
		if !errors.As(err, &e) || e.Kind != sigv4.KindUnknownKey || e.Value != akid || e.Reason != reason {
			t.Errorf("%s: %#v; want an unknown key because %s", akid, err, reason)
		}
		if e != nil && e == sigv4.ErrUnknownKey {
			t.Error("the shared ErrUnknownKey was returned (and would be written to)")
		}
	}
	unknown(key.AccessKeyID, "access key '"+key.AccessKeyID+"' is inactive")
	servicetest.Call(root, w.IAM.UpdateAccessKey, &iam.UpdateAccessKeyInput{UserName: "alice", AccessKeyID: key.AccessKeyID, Status: "Active"}).OK()
	if _, err := r.Credential(ctx, key.AccessKeyID, ""); err != nil {
		t.Errorf("the key made active again: %v", err)
	}
	servicetest.Call(root, w.IAM.DeleteAccessKey, &iam.DeleteAccessKeyInput{UserName: "alice", AccessKeyID: key.AccessKeyID}).OK()
	notIssued := " is not a 12-digit account ID, not 'test', and not an access key keytrail issued"
	unknown(key.AccessKeyID, "access key '"+key.AccessKeyID+"'"+notIssued)
	for _, akid := range []string{"AKIAIOSFODNN7EXAMPLE", "11112222333", "1111222233334", "TEST", ""} {
		unknown(akid, "access key '"+akid+"'"+notIssued)
	}
}

// TestSessions: STS's ASIA… credentials sign as the role session with their token until they
// expire; a missing or wrong token is an invalid token, an expired session an expired token.
func TestSessions(t *testing.T) {
	w := servicetest.New(t)
	r := resolver(w)
	acct := servicetest.Account
	alice := w.User(acct, "alice")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`
	servicetest.Call(w.As(w.Root(acct)), w.IAM.CreateRole, &iam.CreateRoleInput{RoleName: "reader", AssumeRolePolicyDocument: trust}).OK()
	c := servicetest.Call(w.As(alice), w.STS.AssumeRole, &sts.AssumeRoleInput{
		RoleArn: "arn:aws:iam::111122223333:role/reader", RoleSessionName: "alice"}).OK().Credentials

	cred, err := r.Credential(ctx, c.AccessKeyID, c.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if cred.Secret != c.SecretAccessKey || cred.Principal.ARN != "arn:aws:sts::111122223333:assumed-role/reader/alice" ||
		cred.Principal.AccessKeyID != c.AccessKeyID {
		t.Errorf("the session's credential: %q, %+v", cred.Secret, cred.Principal)
	}
	for _, token := range []string{"", "not-the-token"} {
		if _, err := r.Credential(ctx, c.AccessKeyID, token); !errors.Is(err, sigv4.ErrInvalidToken) {
			t.Errorf("token %q: %v; want ErrInvalidToken", token, err)
		}
	}
	if _, err := r.Credential(ctx, "ASIAAAAAAAAAAAAAAAAA", c.SessionToken); kind(t, err) != sigv4.KindUnknownKey {
		t.Errorf("an ASIA key STS never issued: %v; want an unknown key", err)
	}
	w.Clock.Advance(time.Hour)
	if _, err := r.Credential(ctx, c.AccessKeyID, c.SessionToken); !errors.Is(err, sigv4.ErrExpiredToken) {
		t.Errorf("after an hour: %v; want ErrExpiredToken", err)
	}
}

// brokenDB is a store that cannot be read or written.
type brokenDB struct{ store.DB }

var errBroken = errors.New("store unreadable")

func (brokenDB) View(context.Context, func(store.Tx) error) error   { return errBroken }
func (brokenDB) Update(context.Context, func(store.Tx) error) error { return errBroken }

// TestStoreFailures: when the store fails, the resolver says so rather than calling the key
// unknown (which would tell a client its key does not exist).
func TestStoreFailures(t *testing.T) {
	w := servicetest.New(t)
	db := brokenDB{w.DB}
	iamSvc := iam.New(iam.Config{DB: db, Barrier: w.Barrier, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand})
	stsSvc := sts.New(sts.Config{DB: db, Barrier: w.Barrier, Authorizer: w.Authz, IAM: iamSvc, Now: w.Clock.Now, Rand: w.Rand})
	r := &credentials.Resolver{RootSecret: rootSecret, IAM: iamSvc, STS: stsSvc}
	for akid, token := range map[string]string{"999988887777": "", "AKIAIOSFODNN7EXAMPLE": "", "ASIAAAAAAAAAAAAAAAAA": "a-token"} {
		if _, err := r.Credential(ctx, akid, token); !errors.Is(err, errBroken) {
			t.Errorf("%s: %v; want the store's error", akid, err)
		}
	}
}
