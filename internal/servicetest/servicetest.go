// Package servicetest runs keytrail's services on their own, without the gateway: a World of a
// temporary state store, the seal barrier, the policy engine, IAM and STS (the identities every
// service authorizes), a settable clock and deterministic randomness; and a scenario runner in
// upspin's style, so that a service's tests read as the seed's scenarios do:
//
//	w := servicetest.New(t)
//	alice := w.User("111122223333", "alice", `{"Version":"2012-10-17","Statement":[…]}`)
//	servicetest.Call(w.As(alice), keys.Decrypt, in).Want("AccessDeniedException")
//
// or, as a table:
//
//	w.Run(t, []servicetest.Step{
//		{Name: "alice may not decrypt", As: alice, Do: servicetest.Op(keys.Decrypt, in), Want: "AccessDeniedException"},
//	})
//
// It is imported only by tests (each service's external test package).
package servicetest

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
	"github.com/keytrail/keytrail/internal/sts"
)

// The accounts and region scenarios use unless they name others.
const (
	Account      = "111122223333" // the seed's account
	OtherAccount = "444455556666" // a second account, for cross-account scenarios
	Region       = "us-east-1"
)

// World is the shared state of one test: a store in a temporary directory and the services
// every other service needs. Services under test are built on its fields.
type World struct {
	t        testing.TB
	Dir      string // the temporary data directory
	DB       store.DB
	Barrier  *seal.Barrier
	Policies *policy.Cache
	Authz    *authz.Engine
	IAM      *iam.Service
	STS      *sts.Service
	Clock    *Clock
	Rand     io.Reader // deterministic: the same bytes every run
}

// New returns a World whose store is closed when the test ends.
func New(t testing.TB) *World {
	t.Helper()
	dir := t.TempDir()
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	barrier, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	clock := NewClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	random := NewRand(1)
	policies := policy.NewCache(256)
	az := authz.New(authz.Config{Policies: policies, Now: clock.Now})
	iamSvc := iam.New(iam.Config{DB: db, Barrier: barrier, Authorizer: az, Now: clock.Now, Rand: random, PasswordIterations: 1000})
	az.SetIdentities(iamSvc)
	stsSvc := sts.New(sts.Config{DB: db, Barrier: barrier, Authorizer: az, IAM: iamSvc, Policies: policies, Now: clock.Now, Rand: random})
	return &World{t: t, Dir: dir, DB: db, Barrier: barrier, Policies: policies, Authz: az, IAM: iamSvc, STS: stsSvc,
		Clock: clock, Rand: random}
}

// Root returns the root principal of account.
func (w *World) Root(account string) identity.Principal { return identity.AccountRoot(account) }

// Service returns the principal of an AWS service, e.g. cloudtrail.amazonaws.com.
func Service(name string) identity.Principal {
	return identity.Principal{Type: identity.AWSService, Service: name}
}

// User creates the IAM user name in account with one inline policy per document (named
// policy1, policy2, …) and returns it as a caller, as its access key would make it.
func (w *World) User(account, name string, documents ...string) identity.Principal {
	w.t.Helper()
	root := w.Ctx(w.Root(account))
	if _, err := w.IAM.CreateUser(root, &iam.CreateUserInput{UserName: name}); err != nil {
		w.t.Fatalf("create user %s: %v", name, err)
	}
	for i, doc := range documents {
		in := &iam.PutUserPolicyInput{UserName: name, PolicyName: "policy" + string(rune('1'+i)), PolicyDocument: doc}
		if _, err := w.IAM.PutUserPolicy(root, in); err != nil {
			w.t.Fatalf("put policy %d of user %s: %v", i+1, name, err)
		}
	}
	key, err := w.IAM.CreateAccessKey(root, &iam.CreateAccessKeyInput{UserName: name})
	if err != nil {
		w.t.Fatalf("create access key of %s: %v", name, err)
	}
	_, p, err := w.IAM.AccessKeyCredential(context.Background(), key.AccessKey.AccessKeyID)
	if err != nil {
		w.t.Fatalf("access key of %s: %v", name, err)
	}
	return p
}

// Role creates the role name in account with a trust policy and inline policies (policy1, …),
// assumes it as assumer (a session named "session") and returns the session as a caller.
func (w *World) Role(account, name, trust string, assumer identity.Principal, documents ...string) identity.Principal {
	w.t.Helper()
	root := w.Ctx(w.Root(account))
	if _, err := w.IAM.CreateRole(root, &iam.CreateRoleInput{RoleName: name, AssumeRolePolicyDocument: trust}); err != nil {
		w.t.Fatalf("create role %s: %v", name, err)
	}
	for i, doc := range documents {
		in := &iam.PutRolePolicyInput{RoleName: name, PolicyName: "policy" + string(rune('1'+i)), PolicyDocument: doc}
		if _, err := w.IAM.PutRolePolicy(root, in); err != nil {
			w.t.Fatalf("put policy %d of role %s: %v", i+1, name, err)
		}
	}
	out, err := w.STS.AssumeRole(w.Ctx(assumer), &sts.AssumeRoleInput{RoleArn: "arn:aws:iam::" + account + ":role/" + name, RoleSessionName: "session"})
	if err != nil {
		w.t.Fatalf("assume role %s: %v", name, err)
	}
	_, p, err := w.STS.SessionCredential(context.Background(), out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	if err != nil {
		w.t.Fatalf("session of role %s: %v", name, err)
	}
	return p
}

// Ctx returns the context of a request p makes in the World's region, as the gateway builds it.
func (w *World) Ctx(p identity.Principal) context.Context { return w.As(p).Context() }

// Caller is a principal about to make calls: its region and the condition keys its requests carry.
type Caller struct {
	w      *World
	p      identity.Principal
	region string
	keys   authz.Map
}

// As returns p as a caller in the World's region.
func (w *World) As(p identity.Principal) *Caller { return &Caller{w: w, p: p, region: Region} }

// In returns the caller making its requests in region.
func (c *Caller) In(region string) *Caller {
	n := *c
	n.region = region
	return &n
}

// With returns the caller with extra condition keys on its requests (aws:SourceArn, …), as a
// service calling on a customer's behalf sets them.
func (c *Caller) With(keys authz.Map) *Caller {
	n := *c
	n.keys = keys
	return &n
}

// Principal returns the caller's principal.
func (c *Caller) Principal() identity.Principal { return c.p }

// Context returns the context of one request of the caller's.
func (c *Caller) Context() context.Context {
	ctx := request.WithFacts(context.Background(), request.Facts{ID: request.NewID(c.w.Rand), Region: c.region,
		SourceIP: "192.0.2.1", UserAgent: "servicetest", Time: c.w.Clock.Now()})
	ctx = identity.WithPrincipal(ctx, c.p)
	if c.keys != nil {
		ctx = authz.WithKeys(ctx, c.keys)
	}
	return ctx
}

// Result is the answer to one call.
type Result[Out any] struct {
	t   testing.TB
	op  string
	Out Out
	Err error
}

// Call makes one call of op (a service method) as c with in.
func Call[In, Out any](c *Caller, op func(context.Context, In) (Out, error), in In) *Result[Out] {
	out, err := op(c.Context(), in)
	return &Result[Out]{t: c.w.t, op: opName(in), Out: out, Err: err}
}

// Want fails the test unless the call failed with the AWS error code code; "" wants success.
// It returns the result for more checks.
func (r *Result[Out]) Want(code string) *Result[Out] {
	r.t.Helper()
	if err := check(r.Err, code); err != nil {
		r.t.Fatalf("%s: %v", r.op, err)
	}
	return r
}

// WantMessage fails the test unless the call's error message contains each part.
func (r *Result[Out]) WantMessage(parts ...string) *Result[Out] {
	r.t.Helper()
	if r.Err == nil {
		r.t.Fatalf("%s succeeded; want an error saying %q", r.op, parts)
	}
	for _, p := range parts {
		if !strings.Contains(r.Err.Error(), p) {
			r.t.Fatalf("%s: error %q does not say %q", r.op, r.Err, p)
		}
	}
	return r
}

// OK fails the test unless the call succeeded, and returns its output.
func (r *Result[Out]) OK() Out {
	r.t.Helper()
	r.Want("")
	return r.Out
}

// Step is one line of a scenario table: as a principal, do something, want an error code ("" for
// success).
type Step struct {
	Name string
	As   identity.Principal
	In   string    // the region of the request; the World's when empty
	Keys authz.Map // extra condition keys (aws:SourceArn, aws:SourceAccount, …)
	Do   func(ctx context.Context) error
	Want string
}

// Op makes a Step's Do of a service method and its input.
func Op[In, Out any](op func(context.Context, In) (Out, error), in In) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := op(ctx, in)
		return err
	}
}

// Run runs the steps in order, each as a subtest; a step that does not answer as wanted fails.
func (w *World) Run(t *testing.T, steps []Step) {
	t.Helper()
	for _, s := range steps {
		c := w.As(s.As)
		if s.In != "" {
			c = c.In(s.In)
		}
		if s.Keys != nil {
			c = c.With(s.Keys)
		}
		if s.Do == nil {
			t.Fatalf("step %q does nothing", s.Name)
		}
		err := s.Do(c.Context())
		if cerr := check(err, s.Want); cerr != nil {
			t.Errorf("%s: %v", s.Name, cerr)
		}
	}
}

// check compares an error with the AWS error code wanted ("" for none).
func check(err error, code string) error {
	switch {
	case code == "" && err == nil:
		return nil
	case code == "":
		return errors.New("failed: " + err.Error() + "; want success")
	case err == nil:
		return errors.New("succeeded; want " + code)
	}
	e, ok := awserr.As(err)
	if !ok {
		return errors.New("failed with a non-AWS error: " + err.Error() + "; want " + code)
	}
	if string(e.Code) != code {
		return errors.New("failed with " + e.Error() + "; want " + code)
	}
	return nil
}

// opName names a call by its input's type: "*kms.DecryptInput" → "Decrypt".
func opName(in any) string {
	name := strings.TrimSuffix(typeName(in), "Input")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// Clock is a settable clock: Now returns the time it is set to.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// NewRand returns a deterministic, goroutine-safe source of random bytes seeded with seed.
func NewRand(seed uint64) io.Reader {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:8], seed)
	return &lockedReader{r: rand.NewChaCha8(s)}
}

type lockedReader struct {
	mu sync.Mutex
	r  *rand.ChaCha8
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
