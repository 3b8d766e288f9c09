package policy

import (
	"regexp"
	"slices"
	"strings"
)

// Caller is the principal of a request, as policies see it.
type Caller struct {
	Anonymous bool   // an unauthenticated request: matches only "*"
	Service   string // an AWS service principal, e.g. cloudtrail.amazonaws.com
	Account   string // the caller's account
	ARN       string // arn:aws:iam::<a>:root, …:user/<path><name>, arn:aws:sts::<a>:assumed-role/<r>/<s>
	RoleARN   string // sessions: the role's ARN, which also names the session
	UserID    string // IAM users: the AIDA… unique ID
	RoleID    string // sessions: the role's AROA… unique ID
}

// Match is how a statement's principal matched the caller, weakest first.
type Match uint8

// The ways a principal matches.
const (
	NoMatch Match = iota
	// MatchAccount: the statement names the caller's account (its root ARN or ID) and the caller
	// is one of the account's users or roles. The account delegates to its identity policies.
	MatchAccount
	// MatchRole: the statement names the role of the caller's session (or its unique ID).
	MatchRole
	// MatchDirect: the statement names the caller itself, or any principal ("*"), or the caller
	// is the account root named by its account. Identity policies have no Principal and match
	// directly.
	MatchDirect
)

var matchNames = [...]string{"no match", "account", "role", "direct"}

func (m Match) String() string { return matchNames[m] }

// match returns how the principal element matches the caller.
func (ps *Principals) match(c *Caller) Match {
	if ps.Any {
		return MatchDirect
	}
	if c.Service != "" {
		if ps.AWSAny || slices.Contains(ps.Service, c.Service) {
			return MatchDirect
		}
		return NoMatch
	}
	if ps.AWSAny {
		return MatchDirect
	}
	if c.Anonymous {
		return NoMatch
	}
	best := NoMatch
	for _, e := range ps.AWS {
		m := NoMatch
		switch {
		case e == c.ARN || c.UserID != "" && e == c.UserID:
			return MatchDirect
		case c.RoleARN != "" && e == c.RoleARN || c.RoleID != "" && e == c.RoleID:
			m = MatchRole
		case isRootOf(e, c.Account):
			m = MatchAccount
		}
		best = max(best, m)
	}
	return best
}

// excludes reports whether a NotPrincipal element leaves the caller out: every form the caller
// is known by — its own ARN, its session's role, its account — must be listed (IAM's rule for
// NotPrincipal with Deny).
func (ps *Principals) excludes(c *Caller) bool {
	switch {
	case ps.Any:
		return true
	case c.Anonymous:
		return false
	case c.Service != "":
		return ps.AWSAny || slices.Contains(ps.Service, c.Service)
	case ps.AWSAny:
		return true
	}
	listed := func(forms ...string) bool {
		return slices.ContainsFunc(ps.AWS, func(e string) bool { return slices.Contains(forms, e) && e != "" })
	}
	if !listed(c.ARN, c.UserID) {
		return false
	}
	if c.RoleARN != "" && !listed(c.RoleARN, c.RoleID) {
		return false
	}
	return slices.ContainsFunc(ps.AWS, func(e string) bool { return isRootOf(e, c.Account) })
}

// isRootOf reports whether e is arn:aws:iam::<account>:root, without building the string.
func isRootOf(e, account string) bool {
	rest, ok := strings.CutPrefix(e, "arn:aws:iam::")
	if !ok || account == "" {
		return false
	}
	acct, ok := strings.CutSuffix(rest, ":root")
	return ok && acct == account
}

var (
	accountID       = regexp.MustCompile(`^[0-9]{12}$`)
	awsPrincipalARN = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:(iam::[0-9]{12}:(root|user/([\x21-\x7E]+/)?[\w+=,.@-]{1,64}|role/([\x21-\x7E]+/)?[\w+=,.@-]{1,64})|sts::[0-9]{12}:(assumed-role/[\w+=,.@-]{1,64}/[\w+=,.@-]{2,64}|federated-user/[\w+=,.@-]{2,32}))$`)
	uniqueID        = regexp.MustCompile(`^A(IDA|ROA)[A-Z0-9]{13,}$`)
	servicePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$`)
	canonicalUser   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// normaliseAWSPrincipal validates one AWS principal entry and returns its normal form (an account
// ID becomes the account's root ARN). Wildcards other than a lone "*" are refused, as IAM does.
func normaliseAWSPrincipal(e string) (string, bool) {
	switch {
	case accountID.MatchString(e):
		return "arn:aws:iam::" + e + ":root", true
	case strings.ContainsAny(e, "*?"):
		return "", false
	case awsPrincipalARN.MatchString(e), uniqueID.MatchString(e):
		return e, true
	}
	return "", false
}

func validPrincipal(typ, e string) bool {
	switch typ {
	case "Service":
		return servicePattern.MatchString(e)
	case "CanonicalUser":
		return canonicalUser.MatchString(e)
	case "Federated":
		return e != "" && !strings.ContainsAny(e, "*?")
	}
	return false
}
