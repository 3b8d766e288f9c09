package explain

import "github.com/keytrail/keytrail/internal/policy"

// statementJSON is a statement as a policy document writes it, its elements in the usual order;
// a one-value list is written as its value.
type statementJSON struct {
	Sid          string                    `json:"Sid,omitempty"`
	Effect       string                    `json:"Effect"`
	Principal    any                       `json:"Principal,omitempty"`
	NotPrincipal any                       `json:"NotPrincipal,omitempty"`
	Action       any                       `json:"Action,omitempty"`
	NotAction    any                       `json:"NotAction,omitempty"`
	Resource     any                       `json:"Resource,omitempty"`
	NotResource  any                       `json:"NotResource,omitempty"`
	Condition    map[string]map[string]any `json:"Condition,omitempty"`
}

// statementText renders a parsed statement back as a document's statement.
func statementText(s *policy.Statement) statementJSON {
	out := statementJSON{Sid: s.Sid, Effect: string(s.Effect)}
	if s.Principal != nil {
		if s.NotPrincipal {
			out.NotPrincipal = principals(s.Principal)
		} else {
			out.Principal = principals(s.Principal)
		}
	}
	if s.Action != nil {
		if s.NotAction {
			out.NotAction = one(s.Action)
		} else {
			out.Action = one(s.Action)
		}
	}
	if s.Resource != nil {
		if s.NotResource {
			out.NotResource = one(s.Resource)
		} else {
			out.Resource = one(s.Resource)
		}
	}
	for _, c := range s.Conditions {
		if out.Condition == nil {
			out.Condition = map[string]map[string]any{}
		}
		if out.Condition[c.Operator] == nil {
			out.Condition[c.Operator] = map[string]any{}
		}
		out.Condition[c.Operator][c.Key] = one(c.Values)
	}
	return out
}

func principals(p *policy.Principals) any {
	if p.Any {
		return "*"
	}
	m := map[string]any{}
	if p.AWSAny {
		m["AWS"] = "*"
	} else if len(p.AWS) > 0 {
		m["AWS"] = one(p.AWS)
	}
	for name, vs := range map[string][]string{"Service": p.Service, "Federated": p.Federated, "CanonicalUser": p.CanonicalUser} {
		if len(vs) > 0 {
			m[name] = one(vs)
		}
	}
	return m
}

func one(vs []string) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}
