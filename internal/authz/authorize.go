package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
)

// Engine is the Authorizer: AWS's decision over identity, session and resource policies.
type Engine struct {
	identities IdentityStore
	policies   *policy.Cache
	logger     *slog.Logger
	now        func() time.Time
	denials    DenialRecorder
}

// Config configures an Engine.
type Config struct {
	Identities IdentityStore    // the callers' identity policies; nil means none
	Policies   *policy.Cache    // compiles stored documents once; a new cache when nil
	Logger     *slog.Logger     // denials are explained at debug level; discarded when nil
	Now        func() time.Time // aws:CurrentTime when the request carries no time; time.Now when nil
}

// New returns an Engine.
func New(cfg Config) *Engine {
	e := &Engine{identities: cfg.Identities, policies: cfg.Policies, logger: cfg.Logger, now: cfg.Now}
	if e.policies == nil {
		e.policies = policy.NewCache(1024)
	}
	if e.logger == nil {
		e.logger = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	return e
}

// SetIdentities sets the identity store after construction, for the IAM service that itself
// needs the engine.
func (e *Engine) SetIdentities(s IdentityStore) { e.identities = s }

// IdentityStore gives the identity policies of a principal: for an IAM user its inline and
// attached policies and those of its groups, for a role session the role's.
type IdentityStore interface {
	IdentityPolicies(ctx context.Context, p identity.Principal) ([]Document, error)
}

// Document is a stored policy document and the name it is known by.
type Document struct {
	Name string // e.g. "user Bob inline policy ReadLogs", or a managed policy's ARN
	Text string
	// Boundary marks the principal's permissions boundary: it grants nothing, but caps what the
	// other identity policies grant.
	Boundary bool
}

// named is a compiled policy and its name.
type named struct {
	name string
	p    *policy.Policy
	typ  string // IdentityBased, PermissionsBoundary, SessionPolicy or ResourceBased
}

// Authorize decides a request as https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html describes:
//
//  1. an explicit Deny in any applicable policy denies;
//  2. an AWS service or anonymous caller is allowed only by the resource policy;
//  3. without a resource policy, the caller's identity policies decide (an account's root has
//     every identity permission in its own account);
//  4. a key policy or trust policy must allow: naming the caller (or its role) directly is enough
//     in the resource's account, naming the caller's account delegates to identity policies, and
//     across accounts the identity policies must allow too;
//  5. any other resource policy (a bucket policy) allows on its own in its account — otherwise
//     identity policies do — and across accounts both must allow.
//
// A permissions boundary and a session policy each limit what the identity policies, and
// resource policies naming the role (not the user or the session itself), grant
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html).
func (e *Engine) Authorize(ctx context.Context, req Request) (Decision, error) {
	in := newInput(ctx, &req, e.now)
	policies, err := e.applicable(ctx, &req, in.policies[:0])
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Matched: in.matched[:0]}
	idAllow, sessionAllow, boundaryAllow := req.Principal.Type == identity.Root, true, true
	resMatch := policy.NoMatch
	for _, np := range policies {
		r := np.p.Evaluate(&in.req)
		if r.Deny != nil {
			d.Matched = append(d.Matched[:0], matched(np.name, r.Deny, policy.MatchDirect))
			return e.deny(ctx, req, d, np.typ, true, policies, &in.req), nil
		}
		if r.Allow == nil {
			switch np.typ {
			case SessionPolicy:
				sessionAllow = false
			case PermissionsBoundary:
				boundaryAllow = false
			}
			continue
		}
		d.Matched = append(d.Matched, matched(np.name, r.Allow, r.AllowMatch))
		switch np.typ {
		case IdentityBased:
			idAllow = true
		case ResourceBased:
			resMatch = r.AllowMatch
		}
	}
	for _, g := range req.Grants {
		if m := grantMatch(g.Grantee, &in.req.Caller); m > resMatch {
			resMatch = m
			d.Matched = append(d.Matched, Matched{Policy: "grant " + g.ID, Effect: policy.Allow, Principal: m})
		}
	}
	limits := sessionAllow && boundaryAllow // neither the session policy nor the boundary refuses
	granted := resMatch
	if resMatch == policy.MatchRole && !limits {
		resMatch = policy.NoMatch // what names the role is limited by its boundary and the session policy
	}
	identityOK := idAllow && limits
	same := req.Principal.Account != "" && req.Principal.Account == req.ResourceAccount
	failed := IdentityBased // the side that did not allow, for the message
	switch {
	case req.Principal.Type == identity.AWSService || req.Principal.Type == identity.Anonymous:
		d.Allowed, failed = resMatch == policy.MatchDirect, ResourceBased
	case req.ResourcePolicy == nil:
		d.Allowed = identityOK && (same || req.ResourceAccount == "")
	case req.ResourcePolicy.Kind == policy.Key || req.ResourcePolicy.Kind == policy.Trust:
		d.Allowed = resMatch >= policy.MatchRole && (same || identityOK) || resMatch == policy.MatchAccount && identityOK
	case same:
		d.Allowed = resMatch >= policy.MatchRole || identityOK
	default:
		d.Allowed = resMatch != policy.NoMatch && identityOK
	}
	switch {
	case d.Allowed:
		return d, nil
	case failed == IdentityBased && req.ResourcePolicy != nil && granted == policy.NoMatch && !(same && req.ResourcePolicy.Kind == policy.Bucket):
		failed = ResourceBased
	case failed == IdentityBased && (idAllow || granted == policy.MatchRole) && !boundaryAllow:
		failed = PermissionsBoundary
	case failed == IdentityBased && (idAllow || granted == policy.MatchRole) && !sessionAllow:
		failed = SessionPolicy
	}
	d = e.deny(ctx, req, Decision{}, failed, false, policies, &in.req)
	d.Diagnostic.Sides = Sides{Identity: identityOK, IdentityAllows: idAllow, Resource: granted, Session: sessionAllow, Boundary: boundaryAllow, SameAccount: same}
	return d, nil
}

// applicable gathers the policies of a request: the caller's identity policies, permissions
// boundary and session policy, then the resource policy. A stored document that no longer parses denies (fail closed).
func (e *Engine) applicable(ctx context.Context, req *Request, out []named) ([]named, error) {
	p := req.Principal
	if e.identities != nil && (p.Type == identity.IAMUser || p.Type == identity.AssumedRole) {
		docs, err := e.identities.IdentityPolicies(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, doc := range docs {
			typ := IdentityBased
			if doc.Boundary {
				typ = PermissionsBoundary
			}
			out = append(out, e.compile(doc.Name, doc.Text, policy.Identity, typ))
		}
	}
	if p.Type == identity.AssumedRole && p.SessionPolicy != "" {
		out = append(out, e.compile("session policy", p.SessionPolicy, policy.Session, SessionPolicy))
	}
	if req.ResourcePolicy != nil {
		out = append(out, named{name: req.ResourcePolicy.Kind.String(), p: req.ResourcePolicy, typ: ResourceBased})
	}
	return out, nil
}

// compile compiles a stored document; one that fails becomes a policy that denies everything.
func (e *Engine) compile(name, text string, kind policy.Kind, typ string) named {
	p, err := e.policies.Parse(text, kind)
	if err != nil {
		e.logger.Warn("stored policy no longer parses; it denies every request", "policy", name, "error", err)
		p = denyAll
	}
	return named{name: name, p: p, typ: typ}
}

var denyAll, _ = policy.Parse(`{"Version":"2012-10-17","Statement":[{"Sid":"UnparseableStoredPolicy","Effect":"Deny","Action":"*","Resource":"*"}]}`, policy.Identity)

// grantMatch says how a grant's grantee matches the caller: the caller itself (or the service),
// the caller's role, or the caller's account (which delegates to identity policies).
func grantMatch(grantee string, c *policy.Caller) policy.Match {
	switch {
	case grantee == "":
		return policy.NoMatch
	case grantee == c.ARN || grantee == c.Service:
		return policy.MatchDirect
	case grantee == c.RoleARN:
		return policy.MatchRole
	case c.Account != "" && grantee == identity.RootARN(c.Account):
		return policy.MatchAccount
	}
	return policy.NoMatch
}

func matched(name string, s *policy.Statement, m policy.Match) Matched {
	return Matched{Policy: name, Sid: s.Sid, Index: s.Index, Effect: s.Effect, Principal: m}
}

// deny completes a denial with its diagnostic, and logs it at debug level.
func (e *Engine) deny(ctx context.Context, req Request, d Decision, typ string, explicit bool, policies []named, in *policy.Request) Decision {
	d.Allowed, d.Explicit, d.PolicyType = false, explicit, typ
	d.Diagnostic = explain(policies, in)
	if l := e.logger; l.Enabled(ctx, slog.LevelDebug) {
		l.DebugContext(ctx, "access denied", "caller", req.Principal.ARN, "action", req.Action, "resource", req.Resource,
			"explicit", explicit, "policy_type", typ, "diagnostic", d.Diagnostic.String())
	}
	return d
}
