// Package authz decides who may do what. Every service method calls Authorizer.Authorize exactly
// once, with the caller (from the context), the action, the resource and its policies.
//
// The policy engine (issue 3: identity, resource, key and trust policies evaluated with AWS's
// logic) replaces AccountBoundary; until then AccountBoundary is the decision, and it is recorded
// as such in docs/decisions.md.
package authz

import (
	"context"

	"github.com/keytrail/keytrail/internal/identity"
)

// Request is one authorization question.
type Request struct {
	Principal       identity.Principal
	Action          string // e.g. iam:CreateUser, sts:AssumeRole
	Resource        string // the resource ARN ("*" for actions without a resource)
	ResourceAccount string // the account that owns the resource
	ResourcePolicy  string // the resource's own policy (a role's trust policy, a key or bucket policy), if any
	PolicyType      string // what ResourcePolicy is called in messages, e.g. "role trust policy"
	Context         map[string][]string
}

// Decision is the outcome of a Request.
type Decision struct {
	Allowed bool
	// Explicit is true when an explicit Deny decided.
	Explicit bool
	// PolicyType names the policy that allowed or failed to allow, for the denial message.
	PolicyType string
}

// Authorizer answers authorization requests.
type Authorizer interface {
	Authorize(ctx context.Context, req Request) (Decision, error)
}

// DeniedMessage is AWS's access-denied message for a request and its decision:
// "User: <caller> is not authorized to perform: <action> on resource: <arn> because no <policy
// type> allows the <action> action" (or "… with an explicit deny in a <policy type>").
func DeniedMessage(req Request, d Decision) string {
	msg := "User: " + req.Principal.ARN + " is not authorized to perform: " + req.Action + " on resource: " + req.Resource
	pt := d.PolicyType
	if pt == "" {
		pt = "identity-based policy"
	}
	if d.Explicit {
		return msg + " with an explicit deny in a " + pt
	}
	return msg + " because no " + pt + " allows the " + req.Action + " action"
}

// AccountBoundary is the interim decision until the policy engine lands: a principal may act on
// resources of its own account (an account's root and its users and roles are not yet
// distinguished by their policies), AWS service principals may act where the service calls them,
// and every cross-account request is denied, as no resource policy is evaluated yet.
type AccountBoundary struct{}

// Authorize implements Authorizer.
func (AccountBoundary) Authorize(_ context.Context, req Request) (Decision, error) {
	switch {
	case req.Principal.Type == identity.AWSService:
		return Decision{Allowed: true}, nil
	case req.Principal.Account != "" && req.Principal.Account == req.ResourceAccount:
		return Decision{Allowed: true}, nil
	}
	pt := req.PolicyType
	if pt == "" {
		pt = "resource-based policy"
	}
	return Decision{Allowed: false, PolicyType: pt}, nil
}
