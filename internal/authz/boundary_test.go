package authz_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
)

// boundaryStore gives every user and role the same identity policies and permissions boundary.
type boundaryStore struct {
	identity []string
	boundary *string // nil: no boundary
}

func (s boundaryStore) IdentityPolicies(context.Context, identity.Principal) ([]authz.Document, error) {
	var out []authz.Document
	for i, d := range s.identity {
		out = append(out, authz.Document{Name: "inline " + string(rune('A'+i)), Text: d})
	}
	if s.boundary != nil {
		out = append(out, authz.Document{Name: "arn:aws:iam::111111111111:policy/Boundary", Text: *s.boundary, Boundary: true})
	}
	return out, nil
}

func doc(statements string) string {
	return `{"Version":"2012-10-17","Statement":[` + statements + `]}`
}

func ptr(s string) *string { return &s }

var (
	allowAll    = doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
	allowKMS    = doc(`{"Sid":"KMSOnly","Effect":"Allow","Action":"kms:*","Resource":"*"}`)
	allowS3     = doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`)
	denyS3      = doc(`{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}`)
	outsider    = identity.Principal{Type: identity.IAMUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/Eve", UserName: "Eve", PrincipalID: "AIDAEVE"}
	bucketARN   = "arn:aws:s3:::b"
	keyARN      = "arn:aws:kms:us-east-1:111111111111:key/k"
	bobARN      = bob.ARN
	roleARN     = session.RoleARN
	sessionARN  = session.ARN
	accountRoot = "arn:aws:iam::111111111111:root"
)

// resource parses a resource policy granting action to one principal ARN.
func resource(t *testing.T, kind policy.Kind, principal, action string) *policy.Policy {
	t.Helper()
	res := `,"Resource":"*"`
	if kind == policy.Trust {
		res = "" // the resource is the role
	}
	p, err := policy.Parse(doc(`{"Sid":"R","Effect":"Allow","Principal":{"AWS":"`+principal+`"},"Action":"`+action+`"`+res+`}`), kind)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A permissions boundary caps identity-based permissions; resource policies naming the user or
// the session directly are not capped, those naming the role (or the account, which delegates to
// identity policies) are (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
func TestPermissionsBoundary(t *testing.T) {
	for _, c := range []struct {
		name     string
		store    boundaryStore
		caller   identity.Principal
		action   string
		resource func(t *testing.T) *policy.Policy
		resAcct  string
		grants   []authz.Grant
		session  string // the caller's session policy
		want     string // allow, deny, explicit-deny
		wantType string
	}{
		{name: "identity and boundary allow", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: bob, action: "kms:ListKeys", want: "allow"},
		{name: "identity allows, boundary does not", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: bob, action: "s3:ListAllMyBuckets",
			want: "deny", wantType: authz.PermissionsBoundary},
		{name: "the boundary alone grants nothing", store: boundaryStore{nil, ptr(allowS3)}, caller: bob, action: "s3:ListAllMyBuckets",
			want: "deny", wantType: authz.IdentityBased},
		{name: "identity does not allow what the boundary allows", store: boundaryStore{[]string{allowKMS}, ptr(allowS3)}, caller: bob, action: "s3:ListAllMyBuckets",
			want: "deny", wantType: authz.IdentityBased},
		{name: "explicit deny in the boundary", store: boundaryStore{[]string{allowAll}, ptr(denyS3)}, caller: bob, action: "s3:ListAllMyBuckets",
			want: "explicit-deny", wantType: authz.PermissionsBoundary},
		{name: "no boundary: identity decides", store: boundaryStore{[]string{allowAll}, nil}, caller: bob, action: "s3:ListAllMyBuckets", want: "allow"},
		{name: "a boundary that no longer parses denies", store: boundaryStore{[]string{allowAll}, ptr("")}, caller: bob, action: "kms:ListKeys",
			want: "explicit-deny", wantType: authz.PermissionsBoundary},
		{name: "a role session is limited by its role's boundary", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: session, action: "s3:ListAllMyBuckets",
			want: "deny", wantType: authz.PermissionsBoundary},
		{name: "a role session within its boundary", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: session, action: "kms:ListKeys", want: "allow"},
		{name: "boundary allows, session policy does not", store: boundaryStore{[]string{allowAll}, ptr(allowAll)}, caller: session, action: "s3:ListAllMyBuckets",
			session: allowKMS, want: "deny", wantType: authz.SessionPolicy},
		{name: "session policy allows, boundary does not", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: session, action: "s3:ListAllMyBuckets",
			session: allowAll, want: "deny", wantType: authz.PermissionsBoundary},

		{name: "bucket policy naming the user is not limited", store: boundaryStore{nil, ptr(allowKMS)}, caller: bob, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, bobARN, "s3:GetObject") }, want: "allow"},
		{name: "bucket policy naming the session is not limited", store: boundaryStore{nil, ptr(allowKMS)}, caller: session, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, sessionARN, "s3:GetObject") }, want: "allow"},
		{name: "bucket policy naming the role is limited", store: boundaryStore{nil, ptr(allowKMS)}, caller: session, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, roleARN, "s3:GetObject") }, want: "deny", wantType: authz.PermissionsBoundary},
		{name: "bucket policy naming the role within the boundary", store: boundaryStore{nil, ptr(allowS3)}, caller: session, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, roleARN, "s3:GetObject") }, want: "allow"},
		{name: "explicit deny in the boundary beats a bucket policy naming the user", store: boundaryStore{nil, ptr(denyS3)}, caller: bob, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, bobARN, "s3:GetObject") }, want: "explicit-deny", wantType: authz.PermissionsBoundary},
		{name: "across accounts the identity side is limited", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: outsider, action: "s3:GetObject",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Bucket, outsider.ARN, "s3:GetObject") }, resAcct: "111111111111",
			want: "deny", wantType: authz.PermissionsBoundary},

		{name: "key policy naming the user is not limited", store: boundaryStore{nil, ptr(allowS3)}, caller: bob, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, bobARN, "kms:Decrypt") }, want: "allow"},
		{name: "key policy naming the session is not limited", store: boundaryStore{nil, ptr(allowS3)}, caller: session, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, sessionARN, "kms:Decrypt") }, want: "allow"},
		{name: "key policy naming the role is limited", store: boundaryStore{nil, ptr(allowS3)}, caller: session, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, roleARN, "kms:Decrypt") }, want: "deny", wantType: authz.PermissionsBoundary},
		{name: "key policy naming the account delegates to identity policies, limited", store: boundaryStore{[]string{allowAll}, ptr(allowS3)}, caller: bob, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, accountRoot, "kms:Decrypt") }, want: "deny", wantType: authz.PermissionsBoundary},
		{name: "key policy naming the account, within the boundary", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: bob, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, accountRoot, "kms:Decrypt") }, want: "allow"},
		{name: "key policy naming someone else", store: boundaryStore{[]string{allowAll}, ptr(allowKMS)}, caller: bob, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, outsider.ARN, "kms:Decrypt") }, want: "deny", wantType: authz.ResourceBased},
		{name: "trust policy naming the user is not limited", store: boundaryStore{nil, ptr(allowKMS)}, caller: bob, action: "sts:AssumeRole",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Trust, bobARN, "sts:AssumeRole") }, want: "allow"},

		{name: "grant to the user is not limited", store: boundaryStore{nil, ptr(allowS3)}, caller: bob, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, accountRoot, "kms:ListKeys") }, grants: []authz.Grant{{ID: "g", Grantee: bobARN}}, want: "allow"},
		{name: "grant to the role is limited", store: boundaryStore{nil, ptr(allowS3)}, caller: session, action: "kms:Decrypt",
			resource: func(t *testing.T) *policy.Policy { return resource(t, policy.Key, accountRoot, "kms:ListKeys") }, grants: []authz.Grant{{ID: "g", Grantee: roleARN}},
			want: "deny", wantType: authz.PermissionsBoundary},
	} {
		t.Run(c.name, func(t *testing.T) {
			caller := c.caller
			caller.SessionPolicy = c.session
			req := authz.Request{Principal: caller, Action: c.action, Resource: "*", ResourceAccount: caller.Account, Grants: c.grants}
			if c.resource != nil {
				req.ResourcePolicy = c.resource(t)
				req.Resource, req.ResourceAccount = bucketARN, "111111111111"
				if req.ResourcePolicy.Kind != policy.Bucket {
					req.Resource = keyARN
				}
			}
			if c.resAcct != "" {
				req.ResourceAccount = c.resAcct
			}
			d, err := authz.New(authz.Config{Identities: c.store}).Authorize(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			got := verdict(d)
			if got != c.want || (!d.Allowed && d.PolicyType != c.wantType) {
				t.Fatalf("got %s (%s), want %s (%s): %s", got, d.PolicyType, c.want, c.wantType, explainOf(d))
			}
		})
	}
}

// A denial by the boundary says so in AWS's words, and the diagnostic shows its statements.
func TestPermissionsBoundaryMessages(t *testing.T) {
	ctx := context.Background()
	req := authz.Request{Principal: bob, Action: "s3:ListAllMyBuckets", Resource: "*", ResourceAccount: "111111111111"}
	d, err := authz.New(authz.Config{Identities: boundaryStore{[]string{allowAll}, ptr(allowKMS)}}).Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	want := "User: arn:aws:iam::111111111111:user/Bob is not authorized to perform: s3:ListAllMyBuckets on resource: * because no permissions boundary allows the s3:ListAllMyBuckets action"
	if got := authz.DeniedMessage(req, d); got != want {
		t.Errorf("message = %s", got)
	}
	var found bool
	for _, pt := range d.Diagnostic.Policies {
		if pt.Type == authz.PermissionsBoundary && pt.Policy == "arn:aws:iam::111111111111:policy/Boundary" && len(pt.Traces) == 1 && pt.Traces[0].Statement.Sid == "KMSOnly" {
			found = true
		}
	}
	if !found || !strings.Contains(d.Diagnostic.String(), `arn:aws:iam::111111111111:policy/Boundary: [Statement "KMSOnly" Allow: Action does not match s3:ListAllMyBuckets]`) {
		t.Errorf("the diagnostic lacks the boundary: %s", d.Diagnostic.String())
	}

	d, err = authz.New(authz.Config{Identities: boundaryStore{[]string{allowAll}, ptr(denyS3)}}).Authorize(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := authz.DeniedMessage(req, d); !strings.HasSuffix(got, "with an explicit deny in a permissions boundary: arn:aws:iam::111111111111:policy/Boundary") || d.Matched[0].Sid != "NoS3" {
		t.Errorf("message = %s, matched %+v", got, d.Matched)
	}
}
