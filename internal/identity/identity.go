// Package identity describes who is calling: the principal a verified request acts as.
//
// The gateway puts the Principal in the request's context after SigV4 verification; services read
// it with FromContext. In-process callers (CloudTrail writing to S3, S3 calling KMS) build their own
// Principal, usually with Service, and go through the very same service methods.
package identity

import (
	"context"
	"time"
)

// Type is the CloudTrail userIdentity.type of a principal.
type Type string

// The principal types keytrail knows.
const (
	Root        Type = "Root"
	IAMUser     Type = "IAMUser"
	AssumedRole Type = "AssumedRole"
	AWSService  Type = "AWSService"
	Anonymous   Type = "AWSAccount" // unauthenticated S3 requests; CloudTrail records them as AWSAccount "ANONYMOUS_PRINCIPAL"
)

// Principal is a caller: an account root, an IAM user, a role session or an AWS service.
type Principal struct {
	Type        Type
	Account     string // the principal's own account
	ARN         string // the caller ARN: arn:aws:iam::<a>:root, …:user/<n>, arn:aws:sts::<a>:assumed-role/<r>/<s>
	PrincipalID string // root: the account ID; user: AIDA…; session: AROA…:<session>
	AccessKeyID string // the access key that signed the request, if any

	UserName string // IAM users: the user name

	RoleName      string    // sessions: the role's name
	RoleARN       string    // sessions: the role's ARN (what aws:PrincipalArn evaluates to)
	RoleID        string    // sessions: the role's AROA… ID
	SessionName   string    // sessions: the RoleSessionName
	SessionIssued time.Time // sessions: when AssumeRole (or a console sign-in) issued the credentials
	SessionPolicy string    // sessions: the session policy passed to AssumeRole, if any

	Service string // AWS service principals: e.g. cloudtrail.amazonaws.com

	// Console is set when the temporary credentials that signed the request were issued for a
	// console sign-in (CloudTrail's sessionCredentialFromConsole); SessionIssued is then when.
	Console bool
}

// RootARN returns the ARN of an account's root principal.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// AccountRoot returns the root principal of an account.
func AccountRoot(account string) Principal {
	return Principal{Type: Root, Account: account, ARN: RootARN(account), PrincipalID: account, AccessKeyID: account}
}

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

type ctxKey struct{}

// WithPrincipal returns a context carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal a context carries.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
