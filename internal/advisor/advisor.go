package advisor

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
)

// The requirements a check reports, by ID.
const (
	Encrypt             = "encrypt"               // CloudTrail encrypts a trail's log files (kms:GenerateDataKey*)
	CrossAccountEncrypt = "cross-account-encrypt" // … for a trail of another account than the key's
	DescribeKey         = "describe-key"          // CloudTrail describes the key (kms:DescribeKey)
	BucketKey           = "bucket-key"            // CloudTrail writes to a bucket with an S3 Bucket Key
	Decrypt             = "decrypt"               // a reader decrypts a trail's log files
	CrossAccountDecrypt = "cross-account-decrypt" // … a reader of another account than the key's
	StoreKey            = "event-data-store-key"  // the key is one an event data store may use
	StoreEncrypt        = "event-data-store-encrypt"
	StoreUser           = "event-data-store-user" // a reader creates, updates and queries the store
	Lockout             = "lockout"               // someone can still manage the key (kms:PutKeyPolicy)
)

// Report is the outcome of a check: one finding per requirement.
type Report struct {
	Key      string     `json:"key"`
	Findings []*Finding `json:"findings"`
	Met      int        `json:"met"`
	NotMet   int        `json:"notMet"`
	// Notes say what the use left unchecked.
	Notes []string `json:"notes,omitempty"`
}

// OK reports whether every requirement is met.
func (r *Report) OK() bool { return r.NotMet == 0 }

// Finding is one requirement and whether the key policy meets it.
type Finding struct {
	Requirement string `json:"requirement"` // its ID: Encrypt, DescribeKey…
	Title       string `json:"title"`
	Subject     string `json:"subject,omitempty"` // the trail, store or reader it is about
	Met         bool   `json:"met"`
	// Statement names the key policy's statement that meets it (its Sid, or its index), or that
	// denies it explicitly.
	Statement string `json:"statement,omitempty"`
	// Delegated is set when the key policy meets it by naming the caller's account: the caller's
	// IAM policies must allow the actions too (the check assumes they do).
	Delegated bool `json:"delegated,omitempty"`
	// Problem says why it is not met; Details give each statement that came closest and why it
	// did not apply (the engine's trace).
	Problem string   `json:"problem,omitempty"`
	Details []string `json:"details,omitempty"`
	// Add is the statement to add to the key policy, from the seed's statements, for every trail
	// and reader of the use; Replaces names the policy's statement of the same Sid it replaces.
	Add      json.RawMessage `json:"add,omitempty"`
	Replaces string          `json:"replaces,omitempty"`
	Note     string          `json:"note,omitempty"`
	Requests []*Request      `json:"requests,omitempty"`
	// Advisory is a request the requirement does not need but a good policy refuses: a reader's
	// Decrypt of data that is not a CloudTrail log file.
	Advisory *Request `json:"advisory,omitempty"`
}

// Request is one synthetic request of a requirement and the engine's decision on it.
type Request struct {
	Made      string              `json:"made"` // what makes it: "CreateTrail's key check", …
	Principal string              `json:"principal"`
	Action    string              `json:"action"`
	Context   map[string][]string `json:"context,omitempty"`
	Allowed   bool                `json:"allowed"`
	Statement string              `json:"statement,omitempty"`
	Denial    string              `json:"denial,omitempty"` // the access-denied message KMS would answer
}

// probe is a request as keytrail's services make it.
type probe struct {
	made   string
	who    identity.Principal
	action string            // the KMS operation
	ec     map[string]string // the encryption context
	keys   authz.Map         // the keys the calling service puts in the context (authz.WithKeys)
	// assume makes the caller's identity policies allow the action on the key: what a key policy
	// delegating to the caller's account relies on.
	assume bool
	extra  authz.Map // the operation's own condition keys (kms:BypassPolicyLockoutSafetyCheck)
}

// requirement is a finding to make and the requests that decide it: met when all are allowed.
type requirement struct {
	id, title, subject, note string
	probes                   []probe
	add                      statement
	fact                     string // a refusal that is no policy's: the finding's problem
	advise                   *probe // a request a good policy refuses (Finding.Advisory)
	anyOf                    bool   // met when any one request is allowed (else all must be)
}

// Check decides, with keytrail's policy engine, whether the key policy doc meets the requirements
// of the intended use u. A document that is not a valid key policy is
// MalformedPolicyDocumentException; an invalid use is ValidationException.
func Check(ctx context.Context, doc string, u Use) (*Report, error) {
	in, err := validate(u)
	if err != nil {
		return nil, err
	}
	if err := policy.CheckSize(doc, policy.Key, policy.MaxKeyPolicySize); err != nil {
		return nil, awserr.New(awserr.MalformedPolicyDocumentException, "%s", err.Error())
	}
	p, err := policy.Parse(doc, policy.Key)
	if err != nil {
		return nil, awserr.New(awserr.MalformedPolicyDocumentException, "%s", err.Error())
	}
	c := &checker{u: in, policy: p, plain: authz.New(authz.Config{})}
	c.assumed = authz.New(authz.Config{Identities: assumedIdentities{key: in.KeyARN}})
	r := &Report{Key: in.KeyARN}
	if len(in.Readers) == 0 && len(in.trails)+len(in.stores) > 0 {
		r.Notes = append(r.Notes, "no reader given: nobody's decrypt of the logs was checked (give --reader for each principal that reads them)")
	}
	for _, req := range requirements(in, p) {
		f, err := c.decide(ctx, req)
		if err != nil {
			return nil, err
		}
		if f.Met {
			r.Met++
		} else {
			r.NotMet++
		}
		r.Findings = append(r.Findings, f)
	}
	return r, nil
}

type checker struct {
	u              *use
	policy         *policy.Policy
	plain, assumed *authz.Engine
}

// assumedIdentities gives every user and role the identity policy a reader is assumed to have:
// the KMS actions of the log readers on the key.
type assumedIdentities struct{ key string }

func (a assumedIdentities) IdentityPolicies(context.Context, identity.Principal) ([]authz.Document, error) {
	return []authz.Document{{Name: "the caller's IAM policies (assumed to allow)", Text: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"` + a.key + `"}]}`}}, nil
}

// decide makes a requirement's finding: its requests, decided by the engine.
func (c *checker) decide(ctx context.Context, req requirement) (*Finding, error) {
	f := &Finding{Requirement: req.id, Title: req.title, Subject: req.subject, Met: true, Note: req.note}
	if req.fact != "" {
		f.Met, f.Problem = false, req.fact
		return f, nil
	}
	if req.anyOf {
		return c.decideAny(ctx, f, req)
	}
	for _, pr := range req.probes {
		r, d, err := c.evaluate(ctx, pr)
		if err != nil {
			return nil, err
		}
		f.Requests = append(f.Requests, r)
		if !f.Met {
			continue // the first refusal explains the finding
		}
		if d.Allowed {
			if f.Statement == "" {
				f.Statement = r.Statement
			}
			f.Delegated = f.Delegated || delegated(d)
			continue
		}
		f.Met, f.Statement, f.Delegated = false, "", false
		f.Problem, f.Details = c.why(r, d)
		if d.Explicit {
			f.Statement = r.Statement
		}
	}
	if !f.Met && req.add.Sid != "" {
		f.Add, _ = json.MarshalIndent(req.add, "", "  ")
		f.Replaces = c.sameSid(req.add.Sid)
	}
	if f.Met && req.advise != nil {
		r, _, err := c.evaluate(ctx, *req.advise)
		if err != nil {
			return nil, err
		}
		f.Advisory = r
		if r.Allowed {
			f.Note = join(f.Note, r.Statement+" also lets the reader decrypt data that is not a CloudTrail log file (without "+
				"aws:cloudtrail:arn in its encryption context); the seed's statement keeps it to log files with the Null condition")
		}
	}
	return f, nil
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// decideAny makes the finding of a requirement met when any one of its requests is allowed.
func (c *checker) decideAny(ctx context.Context, f *Finding, req requirement) (*Finding, error) {
	f.Met = false
	var firstDenied *Request
	var firstDecision authz.Decision
	for _, pr := range req.probes {
		r, d, err := c.evaluate(ctx, pr)
		if err != nil {
			return nil, err
		}
		f.Requests = append(f.Requests, r)
		switch {
		case d.Allowed && !f.Met:
			f.Met, f.Statement = true, r.Statement
		case !d.Allowed && firstDenied == nil:
			firstDenied, firstDecision = r, d
		}
	}
	if !f.Met && firstDenied != nil {
		f.Problem, f.Details = c.why(firstDenied, firstDecision)
		f.Problem = "no principal can change the key policy any more: " + f.Problem
		f.Add, _ = json.MarshalIndent(req.add, "", "  ")
		f.Replaces = c.sameSid(req.add.Sid)
	}
	return f, nil
}

// sameSid names the policy's statement with the Sid sid, if any.
func (c *checker) sameSid(sid string) string {
	for _, s := range c.policy.Statements {
		if s.Sid == sid {
			return s.Label()
		}
	}
	return ""
}

// managers are the requests of the lockout requirement: kms:PutKeyPolicy by the key account's
// root and by each user and role of the account the policy's Allow statements name, each on its
// own (no IAM policy assumed), as KMS's lockout safety check asks it of the caller.
func managers(u *use, p *policy.Policy) []probe {
	extra := authz.Map{"kms:BypassPolicyLockoutSafetyCheck": {"false"}}
	out := []probe{{made: "PutKeyPolicy", who: identity.AccountRoot(u.keyAccount), action: "PutKeyPolicy", extra: extra}}
	seen := map[string]bool{identity.RootARN(u.keyAccount): true}
	for _, s := range p.Statements {
		if s.Effect != policy.Allow || s.Principal == nil || s.NotPrincipal {
			continue
		}
		for _, arn := range s.Principal.AWS {
			who, err := Principal(arn)
			if err != nil || seen[arn] || who.Account != u.keyAccount || who.Type == identity.Root {
				continue
			}
			seen[arn] = true
			out = append(out, probe{made: "PutKeyPolicy", who: who, action: "PutKeyPolicy", extra: extra})
		}
	}
	return out
}

// evaluate asks the engine to decide a probe, as KMS asks it for the request it stands for.
func (c *checker) evaluate(ctx context.Context, pr probe) (*Request, authz.Decision, error) {
	ctx = request.WithFacts(ctx, request.Facts{Region: c.u.keyRegion})
	if pr.keys != nil {
		ctx = authz.WithKeys(ctx, pr.keys)
	}
	keys := kmsKeys(pr.who, pr.ec)
	maps.Copy(keys, pr.extra)
	engine := c.plain
	if pr.assume {
		engine = c.assumed
	}
	req := authz.Request{Principal: pr.who, Action: "kms:" + pr.action, Resource: c.u.KeyARN, ResourceAccount: c.u.keyAccount,
		ResourcePolicy: c.policy, Context: keys}
	d, err := engine.Authorize(ctx, req)
	if err != nil {
		return nil, d, err
	}
	r := &Request{Made: pr.made, Principal: callerName(pr.who), Action: req.Action, Allowed: d.Allowed, Context: map[string][]string{}}
	maps.Copy(r.Context, pr.keys)
	maps.Copy(r.Context, keys)
	if len(d.Matched) > 0 && (d.Allowed || d.Explicit) {
		r.Statement = keyStatement(d.Matched)
	}
	if !d.Allowed {
		r.Denial = authz.DeniedMessage(req, d)
	}
	return r, d, nil
}

// kmsKeys are the condition keys KMS adds to a request for a key (its conditionKeys):
// kms:CallerAccount for a caller that has an account, and kms:EncryptionContext:<name> and
// kms:EncryptionContextKeys for the request's encryption context
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html).
func kmsKeys(who identity.Principal, ec map[string]string) authz.Map {
	keys := authz.Map{}
	if who.Type != identity.AWSService && who.Account != "" {
		keys["kms:CallerAccount"] = []string{who.Account}
	}
	for k, v := range ec {
		keys["kms:EncryptionContext:"+k] = []string{v}
	}
	if len(ec) > 0 {
		keys["kms:EncryptionContextKeys"] = slices.Sorted(maps.Keys(ec))
	}
	return keys
}

func callerName(p identity.Principal) string {
	if p.Type == identity.AWSService {
		return p.Service
	}
	return p.ARN
}

// keyPolicy is the name the engine gives the key policy in its decisions.
var keyPolicy = policy.Key.String()

// keyStatement names the key policy's statement among those that decided.
func keyStatement(ms []authz.Matched) string {
	for _, m := range ms {
		if m.Policy == keyPolicy {
			return label(m.Sid, m.Index)
		}
	}
	return ""
}

func delegated(d authz.Decision) bool {
	for _, m := range d.Matched {
		if m.Policy == keyPolicy {
			return m.Principal == policy.MatchAccount
		}
	}
	return false
}

// label names a statement as policy.Statement.Label does.
func label(sid string, index int) string {
	if sid != "" {
		return "Statement " + strconv.Quote(sid)
	}
	return "Statement[" + strconv.Itoa(index) + "]"
}

// why explains a refused request from the engine's diagnostic: the explicit deny, or the key
// policy's statements for the caller and action that did not apply, and why.
func (c *checker) why(r *Request, d authz.Decision) (string, []string) {
	if d.Explicit {
		m := d.Matched[0]
		return "an explicit deny in the " + m.Policy + " (" + label(m.Sid, m.Index) + ") refuses " + r.Action + " to " + r.Principal +
			" (" + r.Made + "): remove or narrow it", nil
	}
	var details []string
	unsupported, resource := false, false
	if d.Diagnostic != nil {
		for _, pt := range d.Diagnostic.Policies {
			if pt.Type != authz.ResourceBased {
				continue
			}
			for _, t := range pt.Traces {
				s := t.Statement
				if s.Effect != policy.Allow {
					continue
				}
				switch {
				case t.Match != policy.NoMatch:
					details = append(details, s.Label()+" applies, naming the caller's account: the caller's IAM policies must allow "+r.Action+" too")
				case nearMiss(t.Reason):
					details = append(details, s.Label()+": "+t.Reason)
					resource = resource || !strings.HasPrefix(t.Reason, "Condition ")
					unsupported = unsupported || r.Principal == cloudTrail.Service && r.Context["aws:SourceArn"] == nil && sourceConditioned(s)
				}
			}
		}
	}
	problem := "no statement of the key policy allows " + r.Principal + " " + r.Action + " (" + r.Made + ")"
	if unsupported {
		problem += "; aws:SourceArn and aws:SourceAccount are not supported in key policies for event data stores: CloudTrail does not send them"
	}
	if resource && c.u.KeyAssumed {
		problem += "; the key's ARN was not given, " + c.u.KeyARN + " stands for it: give the key's ARN (--key-arn) when statements name it in Resource"
	}
	return problem, details
}

// nearMiss reports whether a statement failed only past its principal and action: on its
// Resource or a Condition (the reasons policy.Explain gives).
func nearMiss(reason string) bool {
	return strings.HasPrefix(reason, "Condition ") || strings.HasPrefix(reason, "Resource ") || strings.HasPrefix(reason, "NotResource ")
}

func sourceConditioned(s *policy.Statement) bool {
	for _, c := range s.Conditions {
		if strings.EqualFold(c.Key, "aws:SourceArn") || strings.EqualFold(c.Key, "aws:SourceAccount") {
			return true
		}
	}
	return false
}
