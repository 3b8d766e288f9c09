package explain_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/explain"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/servicetest"
)

const (
	acct     = servicetest.Account
	other    = servicetest.OtherAccount
	keyARN   = "arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	trailARN = "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/management"
	rootStmt = `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`
	allowKMS = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`
	allowS3  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

func doc(kind policy.Kind, statements ...string) *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":[`+strings.Join(statements, ",")+`]}`, kind)
	if err != nil {
		panic(err)
	}
	return p
}

// world is a World whose engine keeps its denials in a Store.
type world struct {
	*servicetest.World
	store *explain.Store
}

func newWorld(t *testing.T, cfg explain.Config) *world {
	w := servicetest.New(t)
	if cfg.Now == nil {
		cfg.Now = w.Clock.Now
	}
	s := explain.New(cfg)
	w.Authz.SetDenials(s)
	return &world{World: w, store: s}
}

// deny makes req as c, wants it denied, and returns its request ID.
func (w *world) deny(t *testing.T, c *servicetest.Caller, req authz.Request) string {
	t.Helper()
	ctx := c.Context()
	req.Principal = c.Principal()
	if err := authz.Require(ctx, w.Authz, req, awserr.AccessDeniedException); !awserr.HasCode(err, awserr.AccessDeniedException) {
		t.Fatalf("%s: err = %v, want AccessDeniedException", req.Action, err)
	}
	f, _ := request.FactsOf(ctx)
	return f.ID
}

// explained returns the one denial of request id as account reads it.
func (w *world) explained(t *testing.T, id, account string) explain.Denial {
	t.Helper()
	e, ok := w.store.Get(id, account)
	if !ok || len(e.Denials) != 1 || e.RequestID != id {
		t.Fatalf("explanation of %s for %s: %+v, %v", id, account, e, ok)
	}
	return e.Denials[0]
}

func statement(t *testing.T, d explain.Denial, policyName, label string) explain.Statement {
	t.Helper()
	for _, p := range d.Policies {
		if p.Name != policyName {
			continue
		}
		for _, s := range p.Statements {
			if s.Label == label {
				return s
			}
		}
	}
	t.Fatalf("no %s in %s: %+v", label, policyName, d.Policies)
	return explain.Statement{}
}

func fixJSON(t *testing.T, f explain.Fix) string {
	t.Helper()
	b, err := json.Marshal(f.Statement)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Each kind of denial, explained: the rule, the statements and their conditions, the fix.
func TestDenialKinds(t *testing.T) {
	w := newWorld(t, explain.Config{})
	bob := w.User(acct, "bob")
	carol := w.User(acct, "carol", allowKMS)
	eve := w.User(other, "eve")
	mallory := w.User(other, "mallory", allowKMS, allowS3)
	key := func(statements ...string) authz.Request {
		return authz.Request{Action: "kms:Decrypt", Resource: keyARN, ResourceAccount: acct, ResourcePolicy: doc(policy.Key, statements...)}
	}

	t.Run("no allow in the key policy", func(t *testing.T) {
		id := w.deny(t, w.As(carol), key(`{"Sid":"AliceOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:user/alice"},"Action":"kms:*","Resource":"*"}`))
		d := w.explained(t, id, acct)
		if d.Explicit || d.PolicyType != authz.ResourceBased || !strings.HasSuffix(d.Message, "because no resource-based policy allows the kms:Decrypt action") ||
			!strings.Contains(d.Rule, "the key policy must allow, and no statement of it names "+carol.ARN) ||
			!strings.Contains(d.Rule, "an identity-based policy allows it, but it counts only when the key policy names the account") {
			t.Fatalf("denial = %+v", d)
		}
		if s := statement(t, d, "key policy", `Statement "AliceOnly"`); s.Applies || s.Principal != "no match" || !s.Action || !s.Resource {
			t.Fatalf("AliceOnly = %+v", s)
		}
		if len(d.Fixes) != 1 || d.Fixes[0].Policy != "the key policy of "+keyARN ||
			fixJSON(t, d.Fixes[0]) != `{"Effect":"Allow","Principal":{"AWS":"`+carol.ARN+`"},"Action":"kms:Decrypt","Resource":"*"}` {
			t.Fatalf("fixes = %+v", d.Fixes)
		}
	})

	t.Run("explicit deny", func(t *testing.T) {
		id := w.deny(t, w.As(carol), key(rootStmt, `{"Sid":"NoCarol","Effect":"Deny","Principal":{"AWS":"`+carol.ARN+`"},"Action":"kms:Decrypt","Resource":"*"}`))
		d := w.explained(t, id, acct)
		if !d.Explicit || !strings.HasSuffix(d.Message, "with an explicit deny in a resource-based policy") ||
			d.Rule != `explicit deny: Statement "NoCarol" of key policy denies kms:Decrypt, and an explicit Deny in any policy overrides every Allow` ||
			len(d.Fixes) != 1 || d.Fixes[0].Statement != nil || d.Fixes[0].Note == "" {
			t.Fatalf("denial = %+v", d)
		}
	})

	t.Run("explicit deny in a managed identity policy names it", func(t *testing.T) {
		d := authz.Decision{Explicit: true, PolicyType: authz.IdentityBased, Matched: []authz.Matched{{Policy: "arn:aws:iam::" + acct + ":policy/NoKMS"}}}
		req := authz.Request{Principal: bob, Action: "kms:Decrypt", Resource: keyARN, ResourceAccount: acct}
		if got := authz.DeniedMessage(req, d); !strings.HasSuffix(got, "with an explicit deny in an identity-based policy: arn:aws:iam::"+acct+":policy/NoKMS") {
			t.Fatalf("message = %s", got)
		}
		req.Principal = eve // across accounts the ARN is not told
		if got := authz.DeniedMessage(req, d); !strings.HasSuffix(got, "with an explicit deny in an identity-based policy") {
			t.Fatalf("message = %s", got)
		}
	})

	t.Run("no identity-based policy allows", func(t *testing.T) {
		id := w.deny(t, w.As(bob), key(rootStmt))
		d := w.explained(t, id, acct)
		if d.PolicyType != authz.IdentityBased || !strings.Contains(d.Rule, "the key policy names account "+acct+", which delegates to its identity-based policies, and none of them allows kms:Decrypt") ||
			len(d.Fixes) != 1 || fixJSON(t, d.Fixes[0]) != `{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+keyARN+`"}` {
			t.Fatalf("denial = %+v", d)
		}
		if s := statement(t, d, "key policy", `Statement "Enable IAM User Permissions"`); !s.Applies || s.Principal != "account" {
			t.Fatalf("the root statement = %+v", s)
		}
	})

	t.Run("cross-account: the key policy allows, the caller's account does not", func(t *testing.T) {
		id := w.deny(t, w.As(eve), key(rootStmt, `{"Sid":"Eve","Effect":"Allow","Principal":{"AWS":"`+eve.ARN+`"},"Action":"kms:Decrypt","Resource":"*"}`))
		d := w.explained(t, id, other)
		if !strings.HasPrefix(d.Rule, "cross-account: the key policy of account "+acct+" allows "+eve.ARN+", but its own account "+other+" must allow it too") ||
			len(d.Fixes) != 1 || d.Fixes[0].Policy != "an identity-based policy of "+eve.ARN {
			t.Fatalf("denial = %+v", d)
		}
		if _, ok := w.store.Get(id, acct); ok {
			t.Fatal("the key's account read the explanation of another account's denial")
		}
	})

	t.Run("cross-account: the caller's account allows, the key policy does not", func(t *testing.T) {
		id := w.deny(t, w.As(mallory), key(rootStmt))
		d := w.explained(t, id, other)
		if d.PolicyType != authz.ResourceBased || len(d.Fixes) != 1 || d.Fixes[0].Policy != "the key policy of "+keyARN {
			t.Fatalf("denial = %+v", d)
		}
	})

	t.Run("aws:SourceArn names another trail", func(t *testing.T) {
		seed := `{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
			"Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + acct + `:trail/*"}}}`
		otherTrail := "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/other"
		ct := w.As(servicetest.Service("cloudtrail.amazonaws.com")).With(authz.Map{"aws:SourceArn": {otherTrail}, "aws:SourceAccount": {acct}})
		req := key(rootStmt, seed)
		req.Action = "kms:GenerateDataKey"
		req.Context = authz.Map{"kms:EncryptionContext:aws:cloudtrail:arn": {otherTrail}}
		id := w.deny(t, ct, req)
		d := w.explained(t, id, acct) // CloudTrail acted for the account: aws:SourceAccount
		s := statement(t, d, "key policy", `Statement "Allow CloudTrail to encrypt logs"`)
		want := []explain.Condition{
			{Operator: "StringEquals", Key: "aws:SourceArn", Expected: []string{trailARN}, Request: []string{otherTrail}, Met: false},
			{Operator: "StringLike", Key: "kms:EncryptionContext:aws:cloudtrail:arn", Expected: []string{"arn:aws:cloudtrail:*:" + acct + ":trail/*"}, Request: []string{otherTrail}, Met: true},
		}
		if s.Applies || s.Principal != "direct" || !slices.EqualFunc(s.Conditions, want, sameCondition) {
			t.Fatalf("the seed statement = %+v", s)
		}
		if !strings.HasPrefix(d.Rule, "an AWS service or an anonymous caller is allowed only by a resource-based policy") ||
			!strings.Contains(d.Missing, `"Allow CloudTrail to encrypt logs"`) || !strings.Contains(d.Missing, "for trail "+otherTrail) ||
			!strings.Contains(fixJSON(t, d.Fixes[0]), `"Sid":"Allow CloudTrail to encrypt logs"`) || !strings.Contains(fixJSON(t, d.Fixes[0]), `"aws:SourceArn":"`+otherTrail+`"`) {
			t.Fatalf("denial = %+v, fix %s", d, fixJSON(t, d.Fixes[0]))
		}
		if len(d.Fixes) != 2 || d.Fixes[1].Policy != `Statement "Allow CloudTrail to encrypt logs" of key policy` ||
			d.Fixes[1].Note != `it would allow the request but for its conditions: StringEquals aws:SourceArn expects ["`+trailARN+`"] where the request has ["`+otherTrail+`"]` {
			t.Fatalf("the near miss: %+v", d.Fixes)
		}
	})

	t.Run("Null condition: the request has no trail context", func(t *testing.T) {
		decrypt := `{"Sid":"Enable CloudTrail log decrypt permissions","Effect":"Allow","Principal":{"AWS":"` + bob.ARN + `"},"Action":"kms:Decrypt","Resource":"*",
			"Condition":{"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}`
		id := w.deny(t, w.As(bob), key(decrypt))
		d := w.explained(t, id, acct)
		s := statement(t, d, "key policy", `Statement "Enable CloudTrail log decrypt permissions"`)
		if s.Applies || s.Principal != "direct" || len(s.Conditions) != 1 || s.Conditions[0].Request != nil || s.Conditions[0].Met ||
			s.Conditions[0].Operator != "Null" || s.Conditions[0].Expected[0] != "false" || !strings.Contains(s.Reason, "the key is not in the request") {
			t.Fatalf("statement = %+v", s)
		}
	})

	t.Run("session policy", func(t *testing.T) {
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
		assumer := w.User(acct, "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
		sess := w.Role(acct, "reader", trust, assumer, allowKMS)
		sess.SessionPolicy = allowS3
		id := w.deny(t, w.As(sess), key(rootStmt))
		d := w.explained(t, id, acct)
		if d.PolicyType != authz.SessionPolicy || !strings.HasSuffix(d.Message, "because no session policy allows the kms:Decrypt action") ||
			!strings.Contains(d.Rule, "the session policy does not") || len(d.Fixes) != 1 || !strings.HasPrefix(d.Fixes[0].Policy, "the session policy") {
			t.Fatalf("denial = %+v", d)
		}
		if s := statement(t, d, "session policy", "Statement[0]"); s.Applies || s.Action {
			t.Fatalf("the session policy's statement = %+v", s)
		}
	})

	t.Run("S3 bucket policy across accounts", func(t *testing.T) {
		bucket := doc(policy.Bucket, `{"Sid":"OwnAccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}`)
		req := authz.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/a.json", ResourceAccount: acct, ResourcePolicy: bucket}
		id := w.deny(t, w.As(mallory), req)
		d := w.explained(t, id, other)
		if d.Message != `User: `+mallory.ARN+` is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::logs/a.json" because no resource-based policy allows the s3:GetObject action` ||
			d.Rule != "cross-account requests need both sides to allow s3:GetObject: the bucket policy of account "+acct+" does not allow it" ||
			len(d.Fixes) != 1 || fixJSON(t, d.Fixes[0]) != `{"Effect":"Allow","Principal":{"AWS":"`+mallory.ARN+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/a.json"}` {
			t.Fatalf("denial = %+v", d)
		}
	})

	t.Run("no policy at all", func(t *testing.T) {
		id := w.deny(t, w.As(bob), authz.Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acct + ":user/x", ResourceAccount: acct})
		var b strings.Builder
		e, _ := w.store.Get(id, acct)
		if err := e.WriteText(&b); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Request " + id, "Caller:   " + bob.ARN + " (IAMUser)", "Action:   iam:CreateUser", "Decision: implicit deny (identity-based policy)",
			"Rule:     no identity-based policy of " + bob.ARN + " allows iam:CreateUser", "Policies: none applies to the caller",
			"Fix: add to an identity-based policy of " + bob.ARN} {
			if !strings.Contains(b.String(), want) {
				t.Fatalf("text lacks %q:\n%s", want, b.String())
			}
		}
	})
}

func sameCondition(a, b explain.Condition) bool {
	return a.Operator == b.Operator && a.Key == b.Key && slices.Equal(a.Expected, b.Expected) && slices.Equal(a.Request, b.Request) && a.Met == b.Met
}

// The store keeps a bounded number of explanations for a bounded time, counts what it drops,
// and keeps nothing of allowed requests.
func TestStoreBounds(t *testing.T) {
	w := newWorld(t, explain.Config{MaxRequests: 2, MaxAge: time.Minute})
	bob := w.User(acct, "bob")
	req := authz.Request{Action: "iam:CreateUser", Resource: "*", ResourceAccount: acct}
	ids := []string{w.deny(t, w.As(bob), req), w.deny(t, w.As(bob), req), w.deny(t, w.As(bob), req)}
	if _, ok := w.store.Get(ids[0], acct); ok {
		t.Fatal("the oldest explanation outlived the count bound")
	}
	w.explained(t, ids[2], acct)
	if st := w.store.Stats(); st.Kept != 2 || st.Stored != 3 || st.Evicted != 1 || st.Expired != 0 {
		t.Fatalf("stats = %+v", st)
	}
	w.Clock.Advance(time.Minute)
	if _, ok := w.store.Get(ids[2], acct); ok {
		t.Fatal("an explanation outlived its age")
	}
	if st := w.store.Stats(); st.Kept != 0 || st.Expired != 2 {
		t.Fatalf("stats = %+v", st)
	}

	// The size bound (about 800 bytes an explanation): a third evicts the first; one larger than
	// the bound is not kept.
	sized := newWorld(t, explain.Config{MaxBytes: 2000})
	carol := sized.User(acct, "carol")
	first := sized.deny(t, sized.As(carol), req)
	if st := sized.store.Stats(); st.Kept != 1 || st.Bytes < 500 || st.Bytes > 1000 {
		t.Fatalf("stats = %+v", st)
	}
	one := sized.store.Stats().Bytes
	sized.deny(t, sized.As(carol), req)
	sized.deny(t, sized.As(carol), req)
	if _, ok := sized.store.Get(first, acct); ok || sized.store.Stats().Bytes > 2000 || sized.store.Stats().Evicted != 1 {
		t.Fatalf("the size bound: %+v (one explanation is %d bytes)", sized.store.Stats(), one)
	}
	huge := authz.Request{Action: "iam:CreateUser", Resource: strings.Repeat("x", 4000), ResourceAccount: acct}
	sized.deny(t, sized.As(carol), huge)
	if st := sized.store.Stats(); st.Dropped != 1 {
		t.Fatalf("a denial larger than the bound: %+v", st)
	}

	// An allowed request leaves nothing; a denial outside any request has no ID to be kept by.
	root := w.As(w.Root(acct))
	ctx := root.Context()
	if err := authz.Require(ctx, w.Authz, authz.Request{Principal: root.Principal(), Action: "iam:CreateUser", Resource: "*", ResourceAccount: acct}, awserr.AccessDenied); err != nil {
		t.Fatal(err)
	}
	noFacts := identity.WithPrincipal(context.Background(), bob)
	_ = authz.Require(noFacts, w.Authz, authz.Request{Principal: bob, Action: "iam:CreateUser", Resource: "*", ResourceAccount: acct}, awserr.AccessDenied)
	if st := w.store.Stats(); st.Kept != 0 || st.Stored != 3 || st.Dropped != 1 {
		t.Fatalf("stats = %+v", st)
	}
}

// A request's in-process calls are explained under the client's request ID, and their own.
func TestInProcessDenials(t *testing.T) {
	w := newWorld(t, explain.Config{})
	outer := w.As(w.Root(acct)).Context()
	of, _ := request.FactsOf(outer)
	ct := identity.WithPrincipal(outer, servicetest.Service("cloudtrail.amazonaws.com"))
	ct = authz.WithKeys(ct, authz.Map{"aws:SourceArn": {trailARN}, "aws:SourceAccount": {acct}})
	var inner []string
	for range explain.MaxDenials + 1 {
		ctx, f, _ := request.InProcess(ct, "kms", w.Clock.Now(), w.Rand)
		inner = append(inner, f.ID)
		req := authz.Request{Principal: servicetest.Service("cloudtrail.amazonaws.com"), Action: "kms:DescribeKey", Resource: keyARN, ResourceAccount: acct,
			ResourcePolicy: doc(policy.Key, rootStmt)}
		if err := authz.Require(ctx, w.Authz, req, awserr.AccessDeniedException); err == nil {
			t.Fatal("CloudTrail may describe the key")
		}
	}
	e, ok := w.store.Get(of.ID, acct)
	if !ok || len(e.Denials) != explain.MaxDenials || w.store.Stats().Dropped != 1 {
		t.Fatalf("explanation = %+v, stats %+v", e, w.store.Stats())
	}
	byInner, ok := w.store.Get(inner[1], acct)
	if !ok || len(byInner.Denials) != 1 || byInner.RequestID != of.ID {
		t.Fatalf("by the in-process call's ID: %+v", byInner)
	}
	d := byInner.Denials[0]
	if d.RequestID != inner[1] || d.InvokedBy != "cloudtrail.amazonaws.com" ||
		!strings.Contains(d.Missing, `"Allow CloudTrail access"`) || !strings.Contains(fixJSON(t, d.Fixes[0]), `"Action":"kms:DescribeKey"`) {
		t.Fatalf("denial = %+v", d)
	}
	if _, ok := w.store.Get(inner[1], other); ok {
		t.Fatal("another account read CloudTrail's denial")
	}
}

// A service's own refusal (a rule of the service, not a policy) is explained by its rule.
func TestRefusal(t *testing.T) {
	w := newWorld(t, explain.Config{})
	c := w.As(w.Root(acct))
	ctx := c.Context()
	req := authz.Request{Principal: c.Principal(), Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acct + ":role/r"}
	err := authz.Refuse(ctx, w.Authz, req, awserr.AccessDenied, "an account's root user cannot assume a role", "Roles may not be assumed by root accounts.")
	if !awserr.HasCode(err, awserr.AccessDenied) || !strings.Contains(err.Error(), "Roles may not be assumed by root accounts.") {
		t.Fatalf("err = %v", err)
	}
	f, _ := request.FactsOf(ctx)
	d := w.explained(t, f.ID, acct)
	if d.Rule != "an account's root user cannot assume a role" || d.Message != "Roles may not be assumed by root accounts." || d.Policies != nil || d.Fixes != nil {
		t.Fatalf("denial = %+v", d)
	}
}

// More of the engine's rules: a permissions boundary, a bucket policy in its own account, and the
// seed's statements for the Lake's and a reader's key uses.
func TestMoreRules(t *testing.T) {
	w := newWorld(t, explain.Config{})
	root := w.Ctx(w.Root(acct))
	if _, err := w.IAM.CreatePolicy(root, &iam.CreatePolicyInput{PolicyName: "Boundary",
		PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Sid":"S3Only","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}); err != nil {
		t.Fatal(err)
	}
	dave := w.User(acct, "dave", allowKMS)
	boundaryARN := "arn:aws:iam::" + acct + ":policy/Boundary"
	if _, err := w.IAM.PutUserPermissionsBoundary(root, &iam.PutUserPermissionsBoundaryInput{UserName: "dave", PermissionsBoundary: boundaryARN}); err != nil {
		t.Fatal(err)
	}
	bob := w.User(acct, "bob")
	key := func(statements ...string) authz.Request {
		return authz.Request{Action: "kms:Decrypt", Resource: keyARN, ResourceAccount: acct, ResourcePolicy: doc(policy.Key, statements...)}
	}

	d := w.explained(t, w.deny(t, w.As(dave), key(rootStmt)), acct)
	if d.PolicyType != authz.PermissionsBoundary || !strings.Contains(d.Rule, "the permissions boundary does not") ||
		len(d.Fixes) != 1 || d.Fixes[0].Policy != "the permissions boundary of "+dave.ARN {
		t.Fatalf("boundary: %+v", d)
	}
	if s := statement(t, d, boundaryARN, `Statement "S3Only"`); s.Action || s.Applies {
		t.Fatalf("the boundary's statement: %+v", s)
	}

	bucket := authz.Request{Action: "s3:PutObject", Resource: "arn:aws:s3:::logs/k", ResourceAccount: acct,
		ResourcePolicy: doc(policy.Bucket, `{"Effect":"Allow","Principal":{"AWS":"`+dave.ARN+`"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/*"}`)}
	d = w.explained(t, w.deny(t, w.As(bob), bucket), acct)
	if d.Rule != "neither the bucket policy nor an identity-based policy of "+bob.ARN+" allows s3:PutObject" || len(d.Fixes) != 1 ||
		d.Fixes[0].Policy != "an identity-based policy of "+bob.ARN {
		t.Fatalf("bucket: %+v", d)
	}

	eve := w.User(other, "eve", allowKMS)
	iamReq := authz.Request{Action: "iam:CreateUser", Resource: "arn:aws:iam::" + acct + ":user/x", ResourceAccount: acct}
	d = w.explained(t, w.deny(t, w.As(eve), iamReq), other)
	if !strings.HasPrefix(d.Rule, "the resource is in account "+acct+" and has no resource-based policy") || d.Fixes[0].Statement != nil {
		t.Fatalf("no resource policy, another account: %+v", d)
	}

	store := "arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/0123abcd"
	lakeReq := key(rootStmt)
	lakeReq.Context = authz.Map{"kms:EncryptionContext:aws:cloudtrail:arn": {store}}
	ct := w.As(servicetest.Service("cloudtrail.amazonaws.com"))
	d = w.explained(t, w.deny(t, ct, lakeReq), acct) // no aws:SourceAccount for a store: the key's account
	if fixJSON(t, d.Fixes[0]) != `{"Sid":"Allow CloudTrail to decrypt an event data store","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}` ||
		!strings.Contains(d.Missing, "for event data store "+store) {
		t.Fatalf("the Lake's decrypt: %+v", d)
	}
	lakeReq.Action = "kms:GenerateDataKey"
	d = w.explained(t, w.deny(t, ct, lakeReq), acct)
	if !strings.Contains(fixJSON(t, d.Fixes[0]), `"Sid":"Allow CloudTrail to encrypt event data store"`) || strings.Contains(fixJSON(t, d.Fixes[0]), "aws:Source") {
		t.Fatalf("the Lake's encrypt: %s", fixJSON(t, d.Fixes[0]))
	}
	aliceOnly := `{"Sid":"AliceOnly","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:user/alice"},"Action":"kms:*","Resource":"*"}`
	storeUser := key(aliceOnly)
	storeUser.Context = lakeReq.Context
	d = w.explained(t, w.deny(t, w.As(bob), storeUser), acct)
	if !strings.Contains(fixJSON(t, d.Fixes[0]), `"Sid":"Enable user key permissions for event data stores"`) {
		t.Fatalf("a store's user: %s", fixJSON(t, d.Fixes[0]))
	}
	reader := key(aliceOnly)
	reader.Context = authz.Map{"kms:EncryptionContext:aws:cloudtrail:arn": {trailARN}}
	d = w.explained(t, w.deny(t, w.As(bob), reader), acct)
	if fixJSON(t, d.Fixes[0]) != `{"Sid":"Enable CloudTrail log decrypt permissions","Effect":"Allow","Principal":{"AWS":"`+bob.ARN+`"},"Action":"kms:Decrypt","Resource":"`+keyARN+`","Condition":{"Null":{"kms:EncryptionContext:aws:cloudtrail:arn":"false"}}}` {
		t.Fatalf("a trail's reader: %s", fixJSON(t, d.Fixes[0]))
	}
}

// The client signs its request, and reads keytrail's JSON errors.
func TestClient(t *testing.T) {
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		switch r.URL.Path {
		case explain.Path + "known":
			w.Write([]byte(`{"requestId":"known","denials":[{"action":"kms:Decrypt"}]}`))
		case explain.Path + "broken":
			w.Write([]byte(`{`))
		case explain.Path + "plain":
			http.Error(w, "upstream gone", http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"__type":"NotFoundException","message":"No denial"}`))
		}
	}))
	defer srv.Close()
	c := &explain.Client{Endpoint: srv.URL + "/", Region: "eu-west-1", Credentials: aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s"},
		Now: func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }}
	e, err := c.Get(context.Background(), "known")
	if err != nil || e.RequestID != "known" || e.Denials[0].Action != "kms:Decrypt" ||
		!strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/keytrail/aws4_request") {
		t.Fatalf("Get = %+v, %v (Authorization %s)", e, err, auth)
	}
	var ee *explain.Error
	if _, err := c.Get(context.Background(), "unknown"); !errors.As(err, &ee) || ee.Status != 404 || ee.Code != "NotFoundException" || ee.Error() != "NotFoundException (404): No denial" {
		t.Fatalf("unknown: %v", err)
	}
	if _, err := c.Get(context.Background(), "plain"); !errors.As(err, &ee) || ee.Status != 502 || ee.Message != "upstream gone" {
		t.Fatalf("plain: %v", err)
	}
	if _, err := c.Get(context.Background(), "broken"); err == nil {
		t.Fatal("a broken body was read")
	}
}

// The text form: each statement's elements and conditions, near misses and fixes; statements
// written back with their Not forms and lists; anonymous callers and role sessions as policies
// name them.
func TestText(t *testing.T) {
	w := newWorld(t, explain.Config{})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	assumer := w.User(acct, "assumer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	sess := w.Role(acct, "reader", trust, assumer)
	target := authz.Request{Action: "sts:AssumeRole", Resource: "arn:aws:iam::" + acct + ":role/ops", ResourceAccount: acct,
		ResourcePolicy: doc(policy.Trust,
			`{"Sid":"Ops","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::`+acct+`:role/ops-admin","arn:aws:iam::`+acct+`:user/x"],"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}}`,
			`{"Sid":"NotThem","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::`+acct+`:root"},"NotAction":"sts:TagSession","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`)}
	target.Context = authz.Map{"sts:ExternalId": {"c"}}
	id := w.deny(t, w.As(sess), target)
	d := w.explained(t, id, acct)
	if len(d.Fixes) != 1 || fixJSON(t, d.Fixes[0]) != `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:role/reader"},"Action":"sts:AssumeRole"}` {
		t.Fatalf("the trust policy's fix: %+v", d.Fixes)
	}
	e, _ := w.store.Get(id, acct)
	var b strings.Builder
	if err := e.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`Statement "Ops" Allow does not apply: Principal does not match the caller`,
		`    principal: no match; action: matches; resource: matches`,
		`    condition StringEquals sts:ExternalId: request ["c"], expected ["a", "b"]: not met`,
		`Statement "NotThem" Deny does not apply: Condition Bool aws:SecureTransport`,
		`    condition Bool aws:SecureTransport: request ["false"], expected ["true"]: not met`,
		"Fix: add to the trust policy of arn:aws:iam::" + acct + ":role/ops:\n    {\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("text lacks %q:\n%s", want, b.String())
		}
	}
	notThem, _ := json.Marshal(statement(t, d, "trust policy", `Statement "NotThem"`).Text)
	if string(notThem) != `{"Sid":"NotThem","Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::`+acct+`:root"},"NotAction":"sts:TagSession","Condition":{"Bool":{"aws:SecureTransport":"true"}}}` {
		t.Fatalf("NotThem written back as %s", notThem)
	}

	// An anonymous caller and a bucket policy: S3 tells it "Access Denied", the fix names "*".
	anon := w.As(identity.Principal{Type: identity.Anonymous, ARN: "*"})
	bucket := authz.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::logs/k", ResourceAccount: acct,
		ResourcePolicy: doc(policy.Bucket, `{"Effect":"Allow","Principal":"*","NotAction":"s3:GetObject","NotResource":["arn:aws:s3:::logs/private/*","arn:aws:s3:::other/*"]}`)}
	ctx := anon.Context()
	bucket.Principal = anon.Principal()
	_ = authz.Require(ctx, w.Authz, bucket, awserr.AccessDenied)
	f, _ := request.FactsOf(ctx)
	d = w.explained(t, f.ID, acct) // no account of its own: the bucket's
	if d.Message != "Access Denied" || fixJSON(t, d.Fixes[0]) != `{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs/k"}` ||
		!strings.Contains(d.Rule, "allows anonymous s3:GetObject") {
		t.Fatalf("anonymous: %+v", d)
	}
	if got, _ := json.Marshal(d.Policies[0].Statements[0].Text); string(got) != `{"Effect":"Allow","Principal":"*","NotAction":"s3:GetObject","NotResource":["arn:aws:s3:::logs/private/*","arn:aws:s3:::other/*"]}` {
		t.Fatalf("written back as %s", got)
	}
}
