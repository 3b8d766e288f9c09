package authz_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
)

var (
	bob     = identity.Principal{Type: identity.IAMUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/Bob", UserName: "Bob", PrincipalID: "AIDABOBEXAMPLE"}
	session = identity.Principal{Type: identity.AssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/R/s1",
		RoleName: "R", RoleARN: "arn:aws:iam::111111111111:role/R", RoleID: "AROAR", PrincipalID: "AROAR:s1", SessionName: "s1",
		SessionIssued: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	cloudtrail = identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"}
	anonymous  = identity.Principal{Type: identity.Anonymous}
)

// keyPolicy allows anyone (Principal "*") kms:Decrypt when one condition holds.
func keyPolicy(t *testing.T, condition string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Sid":"C","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":`+condition+`}]}`, policy.Key)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The engine fills the global condition keys from the caller and the request.
func TestGlobalConditionKeys(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 30, 0, 0, time.UTC)
	info := &request.Facts{SourceIP: "203.0.113.7", Secure: true, Region: "eu-west-1", Time: at}
	for _, c := range []struct {
		name      string
		p         identity.Principal
		info      *request.Facts
		condition string
		want      bool
	}{
		{"aws:PrincipalArn of a user", bob, info, `{"StringEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/Bob"}}`, true},
		{"aws:PrincipalArn of a session is its role", session, info, `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:role/R"}}`, true},
		{"aws:PrincipalAccount", session, info, `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`, true},
		{"aws:PrincipalType of a user", bob, info, `{"StringEquals":{"aws:PrincipalType":"User"}}`, true},
		{"aws:PrincipalType of a session", session, info, `{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, true},
		{"aws:PrincipalType of a root", identity.AccountRoot("111111111111"), info, `{"StringEquals":{"aws:PrincipalType":"Account"}}`, true},
		{"aws:PrincipalType of an anonymous caller", anonymous, info, `{"StringEquals":{"aws:PrincipalType":"Anonymous","aws:userid":"anonymous"}}`, true},
		{"aws:userid of a session", session, info, `{"StringLike":{"aws:userid":"AROAR:*"}}`, true},
		{"aws:username of a user", bob, info, `{"StringEquals":{"aws:username":"Bob"}}`, true},
		{"no aws:username for a session", session, info, `{"Null":{"aws:username":"true"}}`, true},
		{"aws:PrincipalIsAWSService", cloudtrail, info, `{"Bool":{"aws:PrincipalIsAWSService":"true"},"StringEquals":{"aws:PrincipalServiceName":"cloudtrail.amazonaws.com"}}`, true},
		{"a service has no aws:SourceIp", cloudtrail, info, `{"Null":{"aws:SourceIp":"true","aws:PrincipalArn":"true"}}`, true},
		{"aws:SourceIp", bob, info, `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, true},
		{"aws:SecureTransport", bob, info, `{"Bool":{"aws:SecureTransport":"true"}}`, true},
		{"aws:RequestedRegion", bob, info, `{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}`, true},
		{"aws:CurrentTime", bob, info, `{"DateEquals":{"aws:CurrentTime":"2026-11-22T10:30:00Z"}}`, true},
		{"aws:EpochTime", bob, info, `{"NumericEquals":{"aws:EpochTime":"` + "1795343400" + `"}}`, true},
		{"aws:CurrentTime of an in-process call is the engine's clock", cloudtrail, nil, `{"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}`, true},
		{"aws:MultiFactorAuthPresent is false for a session", session, info, `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, true},
		{"aws:MultiFactorAuthPresent is absent for long-term keys", bob, info, `{"Null":{"aws:MultiFactorAuthPresent":"true"}}`, true},
		{"aws:TokenIssueTime of a session", session, info, `{"DateEquals":{"aws:TokenIssueTime":"2026-11-22T09:00:00Z"}}`, true},
		{"the request keys are absent for in-process calls", bob, nil, `{"Null":{"aws:SourceIp":"true","aws:SecureTransport":"true","aws:RequestedRegion":"true"}}`, true},
		{"a wrong value", bob, info, `{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := authz.New(authz.Config{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }})
			ctx := context.Background()
			if c.info != nil {
				ctx = request.WithFacts(ctx, *c.info)
			}
			d, err := e.Authorize(ctx, authz.Request{Principal: c.p, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:111111111111:key/k",
				ResourceAccount: "111111111111", ResourcePolicy: keyPolicy(t, c.condition)})
			if err != nil {
				t.Fatal(err)
			}
			if d.Allowed != c.want {
				t.Fatalf("allowed = %v, want %v: %s", d.Allowed, c.want, explainOf(d))
			}
		})
	}
}

type failingStore struct{}

func (failingStore) IdentityPolicies(context.Context, identity.Principal) ([]authz.Document, error) {
	return nil, errors.New("store is down")
}

type brokenStore struct{}

func (brokenStore) IdentityPolicies(context.Context, identity.Principal) ([]authz.Document, error) {
	return []authz.Document{{Name: "legacy", Text: `{"Statement":"not a statement"}`}}, nil
}

func TestIdentityStoreFailures(t *testing.T) {
	ctx := context.Background()
	req := authz.Request{Principal: bob, Action: "iam:GetUser", Resource: "arn:aws:iam::111111111111:user/Bob", ResourceAccount: "111111111111"}
	e := authz.New(authz.Config{})
	e.SetIdentities(failingStore{})
	if _, err := e.Authorize(ctx, req); err == nil || !strings.Contains(err.Error(), "store is down") {
		t.Fatalf("a store error is returned: %v", err)
	}
	// A stored document that no longer parses denies: fail closed.
	var logs bytes.Buffer
	e = authz.New(authz.Config{Identities: brokenStore{}, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	d, err := e.Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if d.Allowed || !d.Explicit || d.Matched[0].Sid != "UnparseableStoredPolicy" {
		t.Fatalf("decision = %+v", d)
	}
	for _, want := range []string{"stored policy no longer parses", "access denied", "UnparseableStoredPolicy"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestDiagnosticAndMessages(t *testing.T) {
	ctx := context.Background()
	e := authz.New(authz.Config{})
	req := authz.Request{Principal: cloudtrail, Action: "kms:GenerateDataKey", Resource: "arn:aws:kms:us-east-1:111111111111:key/k", ResourceAccount: "111111111111",
		ResourcePolicy: keyPolicy(t, `{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/t"}}`)}
	d, _ := e.Authorize(ctx, req)
	if d.Allowed {
		t.Fatal("Decrypt only")
	}
	diag := d.Diagnostic.String()
	if !strings.Contains(diag, `key policy: [Statement "C" Allow: Action does not match kms:GenerateDataKey]`) {
		t.Errorf("diagnostic = %s", diag)
	}
	if got := authz.DeniedMessage(req, d); got != "User: cloudtrail.amazonaws.com is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111111111111:key/k because no resource-based policy allows the kms:GenerateDataKey action" {
		t.Errorf("message = %s", got)
	}
	req.Action = "kms:Decrypt"
	req.Context = authz.Map{"aws:SourceArn": {"arn:aws:cloudtrail:us-east-1:111111111111:trail/u"}}
	d, _ = e.Authorize(ctx, req)
	if diag := d.Diagnostic.String(); !strings.Contains(diag, `Condition StringEquals aws:SourceArn: request value ["arn:aws:cloudtrail:us-east-1:111111111111:trail/u"] against ["arn:aws:cloudtrail:us-east-1:111111111111:trail/t"]`) {
		t.Errorf("diagnostic = %s", diag)
	}
	req.Context = nil
	d, _ = e.Authorize(ctx, req)
	if diag := d.Diagnostic.String(); !strings.Contains(diag, "aws:SourceArn: the key is not in the request") {
		t.Errorf("diagnostic = %s", diag)
	}
	req.Principal = anonymous
	if got := authz.DeniedMessage(req, d); !strings.HasPrefix(got, "User: anonymous is not authorized") {
		t.Errorf("message = %s", got)
	}
	if got := authz.DeniedMessage(req, authz.Decision{Explicit: true, PolicyType: authz.ResourceBased}); !strings.HasSuffix(got, "with an explicit deny in a resource-based policy") {
		t.Errorf("message = %s", got)
	}
	// With no policy at all, the diagnostic says so and the message names identity policies.
	none := authz.Request{Principal: bob, Action: "iam:CreateUser", Resource: "arn:aws:iam::111111111111:user/x", ResourceAccount: "111111111111"}
	d, _ = e.Authorize(ctx, none)
	if d.Diagnostic.String() != "no policy applies to the caller" || !strings.HasSuffix(authz.DeniedMessage(none, d), "because no identity-based policy allows the iam:CreateUser action") {
		t.Errorf("diagnostic %q, message %q", d.Diagnostic.String(), authz.DeniedMessage(none, d))
	}
	if got := authz.DeniedMessage(none, authz.Decision{}); !strings.Contains(got, "no identity-based policy") {
		t.Errorf("the default policy type: %s", got)
	}
}
