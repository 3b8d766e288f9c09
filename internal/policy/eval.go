package policy

import (
	"strings"
)

// Context gives the values of condition keys for a request. Keys are asked for as the policy
// writes them; the implementation matches them regardless of case.
type Context interface {
	Lookup(key string) ([]string, bool)
}

// Request is what a policy is evaluated against.
type Request struct {
	Caller   Caller
	Action   string // service:Operation
	Resource string // the resource ARN, or "*" for actions without a resource
	Context  Context
}

// Result is one policy's answer for a request.
type Result struct {
	Deny       *Statement // the first statement that denies, if any
	Allow      *Statement // the allowing statement whose principal matched best, if any
	AllowMatch Match      // how Allow's principal matched
}

// Evaluate evaluates every statement of the policy against the request. It does not allocate
// unless a matching statement holds policy variables.
func (p *Policy) Evaluate(r *Request) Result {
	var res Result
	for _, s := range p.Statements {
		m := s.applies(r, nil)
		if m == NoMatch {
			continue
		}
		if s.Effect == Deny {
			if res.Deny == nil {
				res.Deny = s
			}
			continue
		}
		if m > res.AllowMatch {
			res.Allow, res.AllowMatch = s, m
		}
	}
	return res
}

// Trace says whether and how one statement applied to a request, and if not, why: the first
// element that failed, and each element's own verdict.
type Trace struct {
	Statement *Statement
	Match     Match  // NoMatch when the statement did not apply
	Reason    string // why it did not apply: the first element that failed
	// Each element on its own, every one evaluated (a statement without the element matches it).
	Principal  Match // how Principal (or NotPrincipal) matched the caller; MatchDirect without one
	Action     bool  // Action (or NotAction) covers the request's action
	Resource   bool  // Resource (or NotResource) covers the request's resource
	Conditions []ConditionTrace
}

// ConditionTrace is one condition of a statement evaluated against a request.
type ConditionTrace struct {
	Operator string   // as written, e.g. "StringLike"
	Key      string   // as written
	Values   []string // the policy's values
	Request  []string // the request's values of the key; nil when the request has none
	Present  bool     // the request has the key
	Met      bool
}

// Explain evaluates every statement and says why each did or did not apply, element by element.
// It is for denials: unlike Evaluate it allocates.
func (p *Policy) Explain(r *Request) []Trace {
	out := make([]Trace, 0, len(p.Statements))
	for _, s := range p.Statements {
		var why string
		m := s.applies(r, &why)
		out = append(out, s.trace(r, m, why))
	}
	return out
}

// trace evaluates each element of the statement on its own.
func (s *Statement) trace(r *Request, m Match, why string) Trace {
	t := Trace{Statement: s, Match: m, Reason: why, Principal: MatchDirect}
	if s.Principal != nil {
		switch {
		case s.NotPrincipal && s.Principal.excludes(&r.Caller):
			t.Principal = NoMatch
		case !s.NotPrincipal:
			t.Principal = s.Principal.match(&r.Caller)
		}
	}
	t.Action = s.Action != nil && matchAny(s.actions, r.Action, true, nil) != s.NotAction
	t.Resource = s.Resource == nil && s.kind == Trust ||
		s.Resource != nil && matchAny(s.resources, r.Resource, false, r.Context) != s.NotResource
	for _, c := range s.Conditions {
		vals, ok := r.Context.Lookup(c.Key)
		ct := ConditionTrace{Operator: c.Operator, Key: c.Key, Values: c.Values, Present: ok && len(vals) > 0, Met: c.eval(r.Context)}
		if ct.Present {
			ct.Request = append([]string(nil), vals...)
		}
		t.Conditions = append(t.Conditions, ct)
	}
	return t
}

// applies returns how the statement applies to the request: NoMatch, or how its principal matched
// (MatchDirect for statements without one). With why, it records the reason for NoMatch.
func (s *Statement) applies(r *Request, why *string) Match {
	m := MatchDirect
	if s.Principal != nil {
		if s.NotPrincipal {
			if s.Principal.excludes(&r.Caller) {
				return explained(why, "NotPrincipal lists the caller")
			}
		} else if m = s.Principal.match(&r.Caller); m == NoMatch {
			return explained(why, "Principal does not match the caller")
		}
	}
	if s.Action == nil {
		return explained(why, "no Action")
	}
	if matchAny(s.actions, r.Action, true, nil) == s.NotAction {
		if why != nil { // reasons are built only when asked for: Evaluate does not allocate
			*why = s.actionElement() + " does not match " + r.Action
		}
		return NoMatch
	}
	if s.Resource == nil {
		if s.kind != Trust {
			return explained(why, "no Resource")
		}
	} else if matchAny(s.resources, r.Resource, false, r.Context) == s.NotResource {
		if why != nil {
			*why = s.resourceElement() + " does not match " + r.Resource
		}
		return NoMatch
	}
	for _, c := range s.Conditions {
		if !c.eval(r.Context) {
			if why != nil {
				*why = c.explain(r.Context)
			}
			return NoMatch
		}
	}
	return m
}

// explained records a constant reason, if asked for, and returns NoMatch.
func explained(why *string, reason string) Match {
	if why != nil {
		*why = reason
	}
	return NoMatch
}

func (s *Statement) actionElement() string {
	if s.NotAction {
		return "NotAction"
	}
	return "Action"
}

func (s *Statement) resourceElement() string {
	if s.NotResource {
		return "NotResource"
	}
	return "Resource"
}

// pattern is a compiled Action or Resource entry.
type pattern struct {
	text  string // lower case for actions
	any   bool   // "*"
	vars  bool   // holds policy variables
	shape shape
}

func matchAny(ps []pattern, v string, fold bool, ctx Context) bool {
	for i := range ps {
		p := &ps[i]
		switch {
		case p.any:
			return true
		case p.vars:
			if t, ok := expand(p.text, ctx, true); ok && glob(t, v, fold) {
				return true
			}
		case p.shape.match(p.text, v, fold):
			return true
		}
	}
	return false
}

// explain says why a condition failed.
func (c *Condition) explain(ctx Context) string {
	vals, ok := ctx.Lookup(c.Key)
	if !ok || len(vals) == 0 {
		return "Condition " + c.Operator + " " + c.Key + ": the key is not in the request"
	}
	return "Condition " + c.Operator + " " + c.Key + ": request value " + quoteList(vals) + " against " + quoteList(c.Values)
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
