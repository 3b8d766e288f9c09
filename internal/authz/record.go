package authz

import (
	"context"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
)

// DenialRecorder keeps the denials that became a request's answer, so that the denied caller can
// later ask why (internal/explain). It is called only on denial: allowed requests cost nothing.
type DenialRecorder interface {
	RecordDenial(ctx context.Context, req Request, d Decision)
}

// SetDenials sets where the engine's denials are kept; nil keeps none.
func (e *Engine) SetDenials(r DenialRecorder) { e.denials = r }

// RecordDenial implements DenialRecorder: it hands the denial to the recorder set, if any.
func (e *Engine) RecordDenial(ctx context.Context, req Request, d Decision) {
	if e.denials != nil && !d.Allowed {
		e.denials.RecordDenial(ctx, req, d)
	}
}

// Record hands a denial that a service answers with to az's recorder, when az keeps denials
// (the Engine does): Require calls it, and so does a service that words its own denial (S3).
// A denial the service then overrules (the bucket owner's root managing its policy) is not one.
func Record(ctx context.Context, az Authorizer, req Request, d Decision) {
	if r, ok := az.(DenialRecorder); ok && !d.Allowed {
		r.RecordDenial(ctx, req, d)
	}
}

// S3DeniedMessage is S3's access-denied message: AWS's form with the resource ARN in quotes
// ("User: <arn> is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\"
// because no resource-based policy allows the s3:GetObject action"), and the bare "Access
// Denied" for anonymous requests and AWS services, which S3 does not tell more
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html#access-denied-message-examples).
func S3DeniedMessage(req Request, d Decision) string {
	if req.Principal.Type == identity.Anonymous || req.Principal.Type == identity.AWSService || req.Principal.ARN == "" {
		return "Access Denied"
	}
	quoted := req
	quoted.Resource = `"` + req.Resource + `"`
	return DeniedMessage(quoted, d)
}

// deniedBy returns the ARN of the one managed policy or permissions boundary whose Deny decided,
// which AWS appends to the message in the caller's own account
// (https://aws.amazon.com/blogs/security/enhanced-access-denied-error-messages-with-policy-arns/);
// "" for inline, session and resource policies, and across accounts.
func deniedBy(req Request, d Decision) string {
	if !d.Explicit || len(d.Matched) != 1 || (d.PolicyType != IdentityBased && d.PolicyType != PermissionsBoundary) {
		return ""
	}
	if name := d.Matched[0].Policy; strings.HasPrefix(name, "arn:") && (req.ResourceAccount == "" || req.ResourceAccount == req.Principal.Account) {
		return name
	}
	return ""
}

// KeysOf returns the condition keys an in-process caller put in ctx (WithKeys): aws:SourceArn
// and aws:SourceAccount when CloudTrail acts for a trail, kms:ViaService when S3 calls KMS.
func KeysOf(ctx context.Context) Map { return keysFrom(ctx) }

// Message is the access-denied message of the service that authorized req: S3's form for s3:
// actions, the IAM form for every other service.
func Message(req Request, d Decision) string {
	if strings.HasPrefix(req.Action, "s3:") {
		return S3DeniedMessage(req, d)
	}
	return DeniedMessage(req, d)
}

// Refusal is a service's own refusal of a request, by a rule of the service rather than a
// policy's (only a grant's retiring principal may retire it; a root may not assume a role).
type Refusal struct {
	Rule    string // the rule, in words
	Message string // the message the service answered with
}

// Refuse returns a service's own refusal of req as the error code with message, and hands it to
// az's recorder with its rule, so that it is explained like every other denial.
func Refuse(ctx context.Context, az Authorizer, req Request, code awserr.Code, rule, message string) error {
	Record(ctx, az, req, Decision{Refusal: &Refusal{Rule: rule, Message: message}})
	return awserr.New(code, "%s", message)
}
