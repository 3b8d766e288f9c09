package authz

import (
	"strings"

	"github.com/keytrail/keytrail/internal/policy"
)

// Diagnostic explains a denial: for every applicable policy, whether and why each statement
// applied.
type Diagnostic struct {
	Policies []PolicyTrace
	// Sides is how each side of the decision stood, for an implicit denial (zero after an
	// explicit Deny, which decides alone).
	Sides Sides
}

// Sides is how each kind of policy stood in an implicit denial: what the decision rule combined.
type Sides struct {
	IdentityAllows bool         // an identity-based policy allows (or the caller is its account's root)
	Identity       bool         // …and neither the session policy nor the permissions boundary refuses
	Resource       policy.Match // how the resource policy (or a KMS grant) names the caller
	Session        bool         // the session policy allows (true without one)
	Boundary       bool         // the permissions boundary allows (true without one)
	SameAccount    bool         // the caller and the resource are in the same account
}

// PolicyTrace is the statement-by-statement evaluation of one policy.
type PolicyTrace struct {
	Policy string // the policy's name
	Type   string // IdentityBased, PermissionsBoundary, SessionPolicy or ResourceBased
	Traces []policy.Trace
}

func explain(policies []named, in *policy.Request) *Diagnostic {
	d := &Diagnostic{}
	for _, np := range policies {
		d.Policies = append(d.Policies, PolicyTrace{Policy: np.name, Type: np.typ, Traces: np.p.Explain(in)})
	}
	return d
}

// String renders the diagnostic on one line per policy, for logs.
func (d *Diagnostic) String() string {
	if len(d.Policies) == 0 {
		return "no policy applies to the caller"
	}
	var b strings.Builder
	for i, pt := range d.Policies {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(pt.Policy + ":")
		for _, t := range pt.Traces {
			b.WriteString(" [" + t.Statement.Label() + " " + string(t.Statement.Effect) + ": ")
			if t.Match == policy.NoMatch {
				b.WriteString(t.Reason)
			} else {
				b.WriteString("applies (principal " + t.Match.String() + ")")
			}
			b.WriteString("]")
		}
	}
	return b.String()
}
