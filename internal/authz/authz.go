// Package authz decides who may do what. Every service method calls Authorizer.Authorize exactly
// once, with the caller (from the context), the action, the resource and its policy; the Engine
// gathers the caller's identity policies and answers with AWS's evaluation logic: explicit deny
// wins; KMS key policies and role trust policies must allow, directly or by naming the account,
// which then delegates to its identity policies; other resource policies (S3 buckets) allow in
// their own account on their own; across accounts both sides must allow. A user's or role's
// permissions boundary caps what its identity policies (and policies naming the role) grant.
//
// AWS pages implemented:
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
//   - https://docs.aws.amazon.com/kms/latest/developerguide/determining-access-key-policy.html
//   - https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
package authz

import (
	"context"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
)

// Request is one authorization question.
type Request struct {
	Principal       identity.Principal
	Action          string // e.g. iam:CreateUser, sts:AssumeRole, kms:Decrypt
	Resource        string // the resource ARN ("*" for actions without a resource)
	ResourceAccount string // the account that owns the resource
	// ResourcePolicy is the resource's own policy (a role's trust policy, a key or bucket
	// policy), nil when the resource has none. Its Kind decides how it combines with identity
	// policies.
	ResourcePolicy *policy.Policy
	// Context gives the service's condition keys (kms:EncryptionContext:…, aws:SourceArn,
	// sts:ExternalId…), usually a Map; names match regardless of case. The engine adds the global
	// keys of the caller and the request (aws:PrincipalArn, aws:SourceIp, aws:CurrentTime…) and
	// the keys an in-process caller put in the context with WithKeys. Nil means none.
	Context Keys
	// Grants are the KMS grants that allow this operation with this request's encryption context
	// (the KMS service checks operations and constraints); a grant to the caller, its role, or
	// its account (delegating to identity policies) allows as the key policy would.
	Grants []Grant
	// Recorded are the resources the CloudTrail record of the call lists for this authorization
	// (a KMS key, an S3 bucket and object, a trail, an assumed role); the engine notes them on
	// the call's outcome (request.Note), whatever the decision.
	Recorded []request.Resource
}

// Keys gives condition keys by name, matched regardless of case (policy.Context).
type Keys = policy.Context

// Map is condition keys in a map: the usual Keys.
type Map map[string][]string

// Lookup implements Keys: the name as written first, then regardless of case.
func (m Map) Lookup(key string) ([]string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// Grant is a KMS grant as the engine sees it.
type Grant struct {
	ID      string `json:"id"`
	Grantee string `json:"grantee"` // the grantee principal's ARN (or a service principal)
}

type keysKey struct{}

// WithKeys returns a context whose authorization decisions see these condition keys as well:
// how an in-process caller acting for another passes what AWS would (kms:ViaService when S3 calls
// KMS for a user; aws:SourceArn and aws:SourceAccount when CloudTrail acts for a trail). Keys
// already in ctx are kept unless keys names them again.
func WithKeys(ctx context.Context, keys Map) context.Context {
	merged := Map{}
	for k, v := range keysFrom(ctx) {
		merged[k] = v
	}
	for k, v := range keys {
		for old := range merged {
			if strings.EqualFold(old, k) {
				delete(merged, old)
			}
		}
		merged[k] = v
	}
	return context.WithValue(ctx, keysKey{}, merged)
}

func keysFrom(ctx context.Context) Map {
	m, _ := ctx.Value(keysKey{}).(Map)
	return m
}

// The policy types named in denial messages ("… because no permissions boundary allows the
// <action> action", https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
const (
	IdentityBased       = "identity-based policy"
	ResourceBased       = "resource-based policy"
	SessionPolicy       = "session policy"
	PermissionsBoundary = "permissions boundary"
)

// Decision is the outcome of a Request, with the statements that decided it.
type Decision struct {
	Allowed bool
	// Explicit is true when an explicit Deny decided.
	Explicit bool
	// PolicyType names the kind of policy that denied or failed to allow, for the message.
	PolicyType string
	// Matched lists the statements that decided: the denying statement, or the allowing ones.
	Matched []Matched
	// Diagnostic explains a denial statement by statement; nil when allowed.
	Diagnostic *Diagnostic
	// Refusal is set when the service, not a policy, refused (Refuse).
	Refusal *Refusal
}

// Matched names one statement that took part in a decision.
type Matched struct {
	Policy    string // e.g. "key policy", "user Bob inline policy ReadLogs", a managed policy ARN
	Sid       string
	Index     int
	Effect    policy.Effect
	Principal policy.Match // how the statement's principal matched the caller
}

// Authorizer answers authorization requests.
type Authorizer interface {
	Authorize(ctx context.Context, req Request) (Decision, error)
}

// Require asks az to decide req and, when it is denied, returns AWS's access-denied error with
// the service's code (AccessDeniedException for KMS and CloudTrail, AccessDenied for IAM, STS and
// S3) and Message's words: the one way a service turns a denial into its error.
func Require(ctx context.Context, az Authorizer, req Request, code awserr.Code) error {
	d, err := az.Authorize(ctx, req)
	if err != nil {
		return err
	}
	if !d.Allowed {
		Record(ctx, az, req, d)
		return awserr.New(code, "%s", Message(req, d))
	}
	return nil
}

// DeniedMessage is AWS's access-denied message for a request and its decision:
// "User: <caller> is not authorized to perform: <action> on resource: <arn> because no <policy
// type> allows the <action> action" (or "… with an explicit deny in a <policy type>", followed by
// ": <policy ARN>" when a managed policy or boundary of the caller's own account denied).
func DeniedMessage(req Request, d Decision) string {
	caller := req.Principal.ARN
	switch {
	case req.Principal.Type == identity.AWSService:
		caller = req.Principal.Service
	case caller == "":
		caller = "anonymous"
	}
	msg := "User: " + caller + " is not authorized to perform: " + req.Action + " on resource: " + req.Resource
	pt := d.PolicyType
	if pt == "" {
		pt = IdentityBased
	}
	if d.Explicit {
		msg += " with an explicit deny in " + article(pt) + " " + pt
		if arn := deniedBy(req, d); arn != "" {
			msg += ": " + arn
		}
		return msg
	}
	return msg + " because no " + pt + " allows the " + req.Action + " action"
}

// article is "an" before an identity-based policy, "a" before the other policy types, as AWS
// words them ("with an explicit deny in an identity-based policy").
func article(policyType string) string {
	if strings.HasPrefix(policyType, "identity") {
		return "an"
	}
	return "a"
}
