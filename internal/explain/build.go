package explain

import (
	"context"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
)

// Build explains one denial: req as the engine decided it, d with its Diagnostic. It reads the
// request's facts and the keys an in-process caller carried from ctx.
func Build(ctx context.Context, req authz.Request, d authz.Decision) Denial {
	p := req.Principal
	out := Denial{
		Caller:          Caller{Type: string(p.Type), ARN: p.ARN, Account: p.Account, Role: p.RoleARN, Service: p.Service},
		Action:          req.Action,
		Resource:        req.Resource,
		ResourceAccount: req.ResourceAccount,
		Message:         authz.Message(req, d),
		Explicit:        d.Explicit,
		PolicyType:      d.PolicyType,
		Account:         deniedAccount(ctx, req),
	}
	if f, ok := request.FactsOf(ctx); ok {
		out.RequestID, out.InvokedBy, out.Time = f.ID, f.InvokedBy, f.Time
	}
	if d.Diagnostic != nil {
		for _, pt := range d.Diagnostic.Policies {
			out.Policies = append(out.Policies, policyView(pt))
		}
	}
	k := keysOf(ctx, req)
	if r := d.Refusal; r != nil {
		out.Message, out.Rule, out.PolicyType = r.Message, r.Rule, "" // no policy decided: the service's own rule did
		return out
	}
	out.Rule, out.Fixes = decide(req, d, k)
	if !d.Explicit {
		out.Fixes = append(out.Fixes, nearMisses(out.Policies)...)
	}
	out.Missing = missing(req, k)
	return out
}

// deniedAccount is the account a denial belongs to: the caller's; for an AWS service, the
// account it acted for (aws:SourceAccount), else the resource's.
func deniedAccount(ctx context.Context, req authz.Request) string {
	if req.Principal.Account != "" {
		return req.Principal.Account
	}
	if v := keysOf(ctx, req).first("aws:SourceAccount"); v != "" {
		return v
	}
	return req.ResourceAccount
}

// keys looks condition keys up in the request's context, then in what the caller carried.
type keys struct {
	service authz.Keys
	carried authz.Map
}

func keysOf(ctx context.Context, req authz.Request) keys {
	return keys{service: req.Context, carried: authz.KeysOf(ctx)}
}

func (k keys) first(name string) string {
	if k.service != nil {
		if v, ok := k.service.Lookup(name); ok && len(v) > 0 {
			return v[0]
		}
	}
	if v, ok := k.carried.Lookup(name); ok && len(v) > 0 {
		return v[0]
	}
	return ""
}

func policyView(pt authz.PolicyTrace) Policy {
	out := Policy{Name: pt.Policy, Type: pt.Type}
	for _, t := range pt.Traces {
		s := t.Statement
		st := Statement{Label: s.Label(), Sid: s.Sid, Index: s.Index, Effect: string(s.Effect), Applies: t.Match != policy.NoMatch,
			Action: t.Action, Resource: t.Resource, Reason: t.Reason, Text: statementText(s)}
		if s.Principal != nil {
			st.Principal = t.Principal.String()
		}
		for _, c := range t.Conditions {
			st.Conditions = append(st.Conditions, Condition{Operator: c.Operator, Key: c.Key, Expected: c.Values, Request: c.Request, Met: c.Met})
		}
		out.Statements = append(out.Statements, st)
	}
	return out
}

// decide words the rule that decided and the changes that would allow the request.
func decide(req authz.Request, d authz.Decision, k keys) (string, []Fix) {
	if d.Explicit {
		return explicitRule(d, req.Action), []Fix{{Policy: denyingPolicy(d),
			Note: "an explicit Deny overrides every Allow: remove the statement, or narrow it (its Action, Resource or a Condition) so that it leaves this request out"}}
	}
	var sides authz.Sides
	if d.Diagnostic != nil {
		sides = d.Diagnostic.Sides
	}
	rp := req.ResourcePolicy
	switch {
	case req.Principal.Type == identity.AWSService || req.Principal.Type == identity.Anonymous:
		return serviceRule(req, k)
	case rp == nil:
		return identityRule(req, sides)
	case rp.Kind == policy.Key || rp.Kind == policy.Trust:
		return keyRule(req, sides, k, limitFixes(req, sides))
	}
	return bucketRule(req, sides, k, limitFixes(req, sides))
}

// serviceRule is the rule for AWS services and anonymous callers: only a resource policy allows.
func serviceRule(req authz.Request, k keys) (string, []Fix) {
	where := "a resource-based policy"
	if rp := req.ResourcePolicy; rp != nil {
		where = "the " + rp.Kind.String()
	}
	return "an AWS service or an anonymous caller is allowed only by a resource-based policy, and no statement of " + where +
		" allows " + callerName(req.Principal) + " " + req.Action + " on " + req.Resource + " with this request's conditions", []Fix{resourceFix(req, k)}
}

// identityRule is the rule of a resource without a policy: identity-based policies decide, in
// the resource's own account only.
func identityRule(req authz.Request, s authz.Sides) (string, []Fix) {
	p, action := req.Principal, req.Action
	switch {
	case !s.SameAccount && req.ResourceAccount != "":
		return "the resource is in account " + req.ResourceAccount + " and has no resource-based policy: a caller of account " + p.Account +
			" cannot be allowed it", []Fix{{Policy: "the resource in account " + req.ResourceAccount, Note: "act as a principal of account " + req.ResourceAccount + " (assume one of its roles)"}}
	case !s.IdentityAllows:
		return "no identity-based policy of " + callerName(p) + " allows " + action + " (an implicit deny: nothing allows it)", append([]Fix{identityFix(req)}, limitFixes(req, s)...)
	}
	return limitRule(s, action), limitFixes(req, s)
}

// keyRule is the rule of a key policy or a trust policy: it must allow, directly or by naming the
// account, which delegates to identity-based policies; across accounts both sides must.
func keyRule(req authz.Request, s authz.Sides, k keys, limits []Fix) (string, []Fix) {
	kind, action, p := req.ResourcePolicy.Kind.String(), req.Action, req.Principal
	switch {
	case s.Resource == policy.NoMatch:
		rule := "the " + kind + " must allow, and no statement of it names " + callerName(p) + ", its role or its account " + p.Account + " for " + action
		if s.IdentityAllows {
			rule += " (an identity-based policy allows it, but it counts only when the " + kind + " names the account)"
		}
		fixes := []Fix{resourceFix(req, k)}
		if !s.SameAccount && !s.IdentityAllows {
			rule += "; across accounts an identity-based policy of account " + p.Account + " must allow it too"
			fixes = append(fixes, identityFix(req))
		}
		return rule, fixes
	case s.Resource == policy.MatchAccount && !s.IdentityAllows:
		return "the " + kind + " names account " + p.Account + ", which delegates to its identity-based policies, and none of them allows " + action,
			append([]Fix{identityFix(req)}, limits...)
	case !s.SameAccount && !s.IdentityAllows:
		return "cross-account: the " + kind + " of account " + req.ResourceAccount + " allows " + callerName(p) + ", but its own account " + p.Account +
			" must allow it too, and no identity-based policy does", []Fix{identityFix(req)}
	}
	return limitRule(s, action), limits
}

// bucketRule is the rule of a bucket policy: in its account it allows on its own, or identity
// policies do; across accounts both must.
func bucketRule(req authz.Request, s authz.Sides, k keys, limits []Fix) (string, []Fix) {
	action, p := req.Action, req.Principal
	if s.SameAccount {
		if s.IdentityAllows {
			return limitRule(s, action), limits
		}
		return "neither the bucket policy nor an identity-based policy of " + callerName(p) + " allows " + action, append([]Fix{identityFix(req)}, limits...)
	}
	var fixes []Fix
	var missing []string
	if s.Resource == policy.NoMatch {
		missing = append(missing, "the bucket policy of account "+req.ResourceAccount+" does not allow it")
		fixes = append(fixes, resourceFix(req, k))
	}
	if !s.IdentityAllows {
		missing = append(missing, "no identity-based policy of account "+p.Account+" allows it")
		fixes = append(fixes, identityFix(req))
	}
	if len(missing) == 0 {
		return limitRule(s, action), limits
	}
	return "cross-account requests need both sides to allow " + action + ": " + strings.Join(missing, ", and "), fixes
}

// limitRule is the rule when what allowed was capped by the session policy or the permissions
// boundary.
func limitRule(s authz.Sides, action string) string {
	switch {
	case !s.Boundary:
		return "an identity-based policy allows " + action + ", but the permissions boundary does not, and a boundary caps what identity-based policies grant"
	case !s.Session:
		return "an identity-based policy allows " + action + ", but the session policy does not, and a session gets only what both allow"
	}
	return "no policy allows " + action
}

func limitFixes(req authz.Request, s authz.Sides) []Fix {
	var out []Fix
	stmt := statementJSON{Effect: "Allow", Action: req.Action, Resource: req.Resource}
	if !s.Boundary {
		out = append(out, Fix{Policy: "the permissions boundary of " + identityName(req.Principal), Statement: stmt})
	}
	if !s.Session {
		out = append(out, Fix{Policy: "the session policy passed to AssumeRole (a new session is needed)", Statement: stmt})
	}
	return out
}

func explicitRule(d authz.Decision, action string) string {
	rule := "explicit deny: "
	if len(d.Matched) > 0 {
		m := d.Matched[0]
		label := "Statement[" + strconv.Itoa(m.Index) + "]"
		if m.Sid != "" {
			label = "Statement \"" + m.Sid + "\""
		}
		rule += label + " of " + m.Policy + " denies " + action
	} else {
		rule += "a " + d.PolicyType + " denies " + action
	}
	return rule + ", and an explicit Deny in any policy overrides every Allow"
}

func denyingPolicy(d authz.Decision) string {
	if len(d.Matched) > 0 {
		return d.Matched[0].Policy
	}
	return d.PolicyType
}

// identityFix is the smallest identity-based statement allowing the request.
func identityFix(req authz.Request) Fix {
	return Fix{Policy: "an identity-based policy of " + identityName(req.Principal),
		Statement: statementJSON{Effect: "Allow", Action: req.Action, Resource: req.Resource}}
}

// resourceFix is the smallest statement of the resource's policy allowing the caller: the seed
// page's statement for CloudTrail, the caller named directly otherwise.
func resourceFix(req authz.Request, k keys) Fix {
	where := "a resource-based policy of " + req.Resource
	kind := policy.Bucket
	if rp := req.ResourcePolicy; rp != nil {
		kind = rp.Kind
		where = "the " + rp.Kind.String() + " of " + req.Resource
	}
	if s, ok := seedStatement(req, k); ok {
		return Fix{Policy: where, Statement: s}
	}
	s := statementJSON{Effect: "Allow", Principal: principalOf(req.Principal), Action: req.Action, Resource: req.Resource}
	switch kind {
	case policy.Key:
		s.Resource = "*" // a key policy's statements apply to the key itself
	case policy.Trust:
		s.Resource = nil
	}
	if src := k.first("aws:SourceArn"); req.Principal.Type == identity.AWSService && src != "" {
		// A service acting for a resource is pinned to it (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html).
		s.Condition = map[string]map[string]any{"StringEquals": {"aws:SourceArn": src}}
	}
	return Fix{Policy: where, Statement: s}
}

func principalOf(p identity.Principal) any {
	switch p.Type {
	case identity.AWSService:
		return map[string]any{"Service": p.Service}
	case identity.Anonymous:
		return "*"
	}
	return map[string]any{"AWS": identityName(p)}
}

// identityName is the ARN policies name a caller by: a session by its role.
func identityName(p identity.Principal) string {
	if p.Type == identity.AssumedRole && p.RoleARN != "" {
		return p.RoleARN
	}
	return callerName(p)
}

func callerName(p identity.Principal) string {
	switch {
	case p.Type == identity.AWSService:
		return p.Service
	case p.Type == identity.Anonymous || p.ARN == "":
		return "anonymous"
	}
	return p.ARN
}

// nearMisses are the Allow statements that name the caller, the action and the resource but
// whose conditions fail: changing a condition is often the smaller fix.
func nearMisses(policies []Policy) []Fix {
	var out []Fix
	for _, p := range policies {
		for _, s := range p.Statements {
			if s.Effect != string(policy.Allow) || s.Applies || s.Principal == policy.NoMatch.String() || !s.Action || !s.Resource {
				continue
			}
			var failed []string
			for _, c := range s.Conditions {
				if !c.Met {
					got := "no value"
					if c.Request != nil {
						got = quoted(c.Request)
					}
					failed = append(failed, c.Operator+" "+c.Key+" expects "+quoted(c.Expected)+" where the request has "+got)
				}
			}
			if len(failed) > 0 && len(out) < 3 {
				out = append(out, Fix{Policy: s.Label + " of " + p.Name,
					Note: "it would allow the request but for its conditions: " + strings.Join(failed, "; ")})
			}
		}
	}
	return out
}
