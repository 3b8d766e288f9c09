package policy

import "strings"

// Kind is the kind of policy a document is; it decides which elements are required or refused.
type Kind uint8

// The kinds of policy keytrail stores.
const (
	Identity Kind = iota // user, group and role policies, inline or managed: no Principal
	Session              // a session policy passed to AssumeRole: no Principal
	Trust                // a role's trust policy: Principal required, no Resource
	Key                  // a KMS key policy: Principal required; Action and Resource optional
	Bucket               // an S3 bucket policy: Principal, Action and Resource required
)

var kindNames = [...]string{"identity policy", "session policy", "trust policy", "key policy", "bucket policy"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "policy"
}

// KindNamed returns the kind a short name stands for: identity, session, trust, key or bucket.
func KindNamed(name string) (Kind, bool) {
	for i, n := range kindNames {
		if strings.TrimSuffix(n, " policy") == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// resource reports whether the kind is a resource-based policy (one with a Principal element).
func (k Kind) resource() bool { return k == Trust || k == Key || k == Bucket }

// The policy language versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is a statement's Effect.
type Effect string

// The two effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed, validated and compiled policy document.
type Policy struct {
	Version    string // "2012-10-17" or "2008-10-17" (the default when the document names none)
	ID         string
	Statements []*Statement
	Kind       Kind
}

// Statement is one statement of a policy. String-or-list elements are lists; the Not forms are
// flags on the element they invert.
type Statement struct {
	Index  int // position in the document, from 0
	Sid    string
	Effect Effect

	// Principal is nil when the statement has neither Principal nor NotPrincipal.
	Principal    *Principals
	NotPrincipal bool

	Action    []string // nil when the statement has neither Action nor NotAction
	NotAction bool

	Resource    []string // nil when the statement has neither Resource nor NotResource
	NotResource bool

	Conditions []*Condition // in operator, then key order

	kind      Kind
	actions   []pattern
	resources []pattern
}

// Principals is a Principal or NotPrincipal element. "*" sets Any; {"AWS": "*"} sets AWSAny.
// AWS entries are normalised: an account ID becomes its root ARN.
type Principals struct {
	Any           bool
	AWSAny        bool
	AWS           []string
	Service       []string
	Federated     []string
	CanonicalUser []string
}

// Condition is one operator/key pair of a Condition element, with its values as strings (JSON
// numbers and booleans are kept as their text).
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLike"
	Key      string // as written, e.g. "kms:EncryptionContext:aws:cloudtrail:arn"
	Values   []string

	op       *operator
	set      setMode
	ifExists bool
	vals     []value
}

// Label names a statement in messages: its Sid when it has one, else its position.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return "Statement " + quote(s.Sid)
	}
	return "Statement[" + itoa(s.Index) + "]"
}
