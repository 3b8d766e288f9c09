package authz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
)

// The corpus (testdata/corpus/*.json) is the engine's specification by example: every JSON
// statement of the seed page, the CloudTrail console's default key policy and the evaluation rules,
// each as suites of {policies, cases {request, want decision, want matched statements}}. A case
// that asserts nothing fails the harness.

type corpusFile struct {
	Source string        `json:"source"`
	Suites []corpusSuite `json:"suites"`
}

type corpusSuite struct {
	Name            string                `json:"name"`
	Resource        *corpusPolicy         `json:"resourcePolicy"`
	ResourceAccount string                `json:"resourceAccount"`
	Identity        map[string][]docValue `json:"identityPolicies"`      // by user or role ARN
	Boundaries      map[string]docValue   `json:"permissionsBoundaries"` // by user or role ARN
	WantError       string                `json:"wantError"`             // the resource policy is refused
	Cases           []corpusCase          `json:"cases"`
}

// corpusPolicy is a resource policy: a whole document, or statements (as JSON or as the text of
// the seed page, verbatim) wrapped in {"Version": "2012-10-17", "Statement": [...]}.
type corpusPolicy struct {
	Kind           string          `json:"kind"`
	Document       json.RawMessage `json:"document"`
	Statements     json.RawMessage `json:"statements"`
	StatementsText string          `json:"statementsText"`
}

type docValue json.RawMessage

func (d *docValue) UnmarshalJSON(b []byte) error { *d = append((*d)[:0], b...); return nil }

type corpusCase struct {
	Name          string          `json:"name"`
	Principal     string          `json:"principal"` // an ARN, "service:<name>" or "anonymous"
	SessionPolicy json.RawMessage `json:"sessionPolicy"`
	Action        string          `json:"action"`
	Resource      string          `json:"resource"`
	Context       authz.Map       `json:"context"`
	Carried       authz.Map       `json:"carriedContext"` // keys an in-process caller passes with authz.WithKeys
	Grants        []authz.Grant   `json:"grants"`
	Want          string          `json:"want"` // allow, deny, explicit-deny
	WantType      string          `json:"wantPolicyType"`
	Matched       []string        `json:"matched"`
}

func (p *corpusPolicy) text() string {
	switch {
	case p.Document != nil:
		return string(p.Document)
	case p.Statements != nil:
		return `{"Version":"2012-10-17","Statement":` + string(p.Statements) + `}`
	}
	return `{"Version":"2012-10-17","Statement":[` + p.StatementsText + `]}`
}

var kinds = map[string]policy.Kind{"key": policy.Key, "bucket": policy.Bucket, "trust": policy.Trust}

// principalFromARN builds the caller a corpus case names.
func principalFromARN(t *testing.T, s string) identity.Principal {
	t.Helper()
	switch {
	case s == "anonymous":
		return identity.Principal{Type: identity.Anonymous}
	case strings.HasPrefix(s, "service:"):
		return identity.Principal{Type: identity.AWSService, Service: strings.TrimPrefix(s, "service:")}
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		t.Fatalf("principal %q is not an ARN", s)
	}
	account, res := parts[4], parts[5]
	switch {
	case res == "root":
		return identity.AccountRoot(account)
	case strings.HasPrefix(res, "user/"):
		name := res[strings.LastIndex(res, "/")+1:]
		return identity.Principal{Type: identity.IAMUser, Account: account, ARN: s, UserName: name, PrincipalID: "AIDA" + strings.ToUpper(name) + "EXAMPLE"}
	case strings.HasPrefix(res, "assumed-role/"):
		role, session, _ := strings.Cut(strings.TrimPrefix(res, "assumed-role/"), "/")
		return identity.Principal{Type: identity.AssumedRole, Account: account, ARN: s, RoleName: role, SessionName: session,
			RoleARN: "arn:aws:iam::" + account + ":role/" + role, RoleID: "AROA" + strings.ToUpper(role), PrincipalID: "AROA" + strings.ToUpper(role) + ":" + session}
	}
	t.Fatalf("unsupported principal %q", s)
	return identity.Principal{}
}

// identities serves a suite's identity policies and permissions boundaries by user ARN or, for
// sessions, role ARN.
type identities struct {
	docs       map[string][]docValue
	boundaries map[string]docValue
}

func (m identities) IdentityPolicies(_ context.Context, p identity.Principal) ([]authz.Document, error) {
	key := p.ARN
	if p.Type == identity.AssumedRole {
		key = p.RoleARN
	}
	var out []authz.Document
	for i, d := range m.docs[key] {
		out = append(out, authz.Document{Name: fmt.Sprintf("%s policy %d", key, i), Text: string(d)})
	}
	if b, ok := m.boundaries[key]; ok {
		out = append(out, authz.Document{Name: key + " boundary", Text: string(b), Boundary: true})
	}
	return out, nil
}

func loadCorpus(t *testing.T) map[string]corpusFile {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	out := map[string]corpusFile{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf corpusFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = cf
	}
	return out
}

func TestCorpus(t *testing.T) {
	for file, cf := range loadCorpus(t) {
		if cf.Source == "" || len(cf.Suites) == 0 {
			t.Errorf("%s: a corpus file names its source and holds suites", file)
		}
		for _, s := range cf.Suites {
			t.Run(strings.TrimSuffix(file, ".json")+"/"+s.Name, func(t *testing.T) { runSuite(t, s) })
		}
	}
}

func runSuite(t *testing.T, s corpusSuite) {
	var rp *policy.Policy
	if s.Resource != nil {
		kind, ok := kinds[s.Resource.Kind]
		if !ok {
			t.Fatalf("resource policy kind %q", s.Resource.Kind)
		}
		var err error
		rp, err = policy.Parse(s.Resource.text(), kind)
		if s.WantError != "" {
			if err == nil || !strings.Contains(err.Error(), s.WantError) {
				t.Fatalf("parse error = %v, want one containing %q", err, s.WantError)
			}
			if len(s.Cases) > 0 {
				t.Fatal("a suite whose policy is refused has no cases")
			}
			return
		}
		if err != nil {
			t.Fatalf("resource policy: %v", err)
		}
	}
	if s.WantError != "" && s.Resource == nil {
		t.Fatal("wantError needs a resource policy")
	}
	for arn, docs := range s.Identity {
		for _, d := range append(docs, s.Boundaries[arn]) {
			if _, err := policy.Parse(string(d), policy.Identity); d != nil && err != nil {
				t.Fatalf("identity policy or boundary of %s: %v", arn, err)
			}
		}
	}
	if len(s.Cases) == 0 {
		t.Fatal("a suite without cases asserts nothing")
	}
	engine := authz.New(authz.Config{Identities: identities{s.Identity, s.Boundaries}})
	for _, c := range s.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Want == "" || c.Principal == "" || c.Action == "" {
				t.Fatal("the case asserts nothing: it needs principal, action and want")
			}
			p := principalFromARN(t, c.Principal)
			if c.SessionPolicy != nil {
				p.SessionPolicy = string(c.SessionPolicy)
			}
			resource := c.Resource
			if resource == "" {
				resource = "*"
			}
			req := authz.Request{Principal: p, Action: c.Action, Resource: resource, ResourceAccount: s.ResourceAccount, ResourcePolicy: rp, Context: c.Context, Grants: c.Grants}
			ctx := context.Background()
			if c.Carried != nil {
				ctx = authz.WithKeys(authz.WithKeys(ctx, authz.Map{"aws:SourceArn": {"overridden"}}), c.Carried)
			}
			d, err := engine.Authorize(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			got := verdict(d)
			if got != c.Want {
				t.Errorf("decision = %s, want %s (%s)", got, c.Want, explainOf(d))
			}
			if c.WantType != "" && d.PolicyType != c.WantType {
				t.Errorf("policy type = %q, want %q", d.PolicyType, c.WantType)
			}
			if c.Want != "deny" || c.Matched != nil {
				var names []string
				for _, m := range d.Matched {
					name := m.Sid
					if name == "" {
						name = fmt.Sprintf("%s[%d]", m.Policy, m.Index)
					}
					names = append(names, name)
				}
				slices.Sort(names)
				want := slices.Clone(c.Matched)
				slices.Sort(want)
				if !slices.Equal(names, want) {
					t.Errorf("matched = %q, want %q", names, want)
				}
			}
			if !d.Allowed && d.Diagnostic == nil {
				t.Error("a denial carries its diagnostic")
			}
			if !d.Allowed && !strings.Contains(authz.DeniedMessage(req, d), "is not authorized to perform: "+c.Action) {
				t.Errorf("message %q", authz.DeniedMessage(req, d))
			}
		})
	}
}

func explainOf(d authz.Decision) string {
	if d.Diagnostic == nil {
		return fmt.Sprintf("matched %v", d.Matched)
	}
	return d.Diagnostic.String()
}

// verdict is a decision in the corpus's words: allow, deny (nothing allowed) or explicit-deny.
func verdict(d authz.Decision) string {
	switch {
	case d.Allowed:
		return "allow"
	case d.Explicit:
		return "explicit-deny"
	}
	return "deny"
}
