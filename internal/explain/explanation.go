package explain

import (
	"time"
)

// Explanation is why a request was denied: one Denial for each authorization refused while
// serving it (a CreateTrail whose key CloudTrail may not use has the KMS call's).
type Explanation struct {
	RequestID string    `json:"requestId"`
	Time      time.Time `json:"time"`
	Denials   []Denial  `json:"denials"`
}

// Denial explains one refused authorization.
type Denial struct {
	// RequestID is the authorization's own request: the client's, or the in-process call's.
	RequestID string    `json:"requestId"`
	InvokedBy string    `json:"invokedBy,omitempty"` // the service that made an in-process call
	Time      time.Time `json:"time"`
	Account   string    `json:"-"` // the account that was denied: the only one that may read it

	Caller          Caller `json:"caller"`
	Action          string `json:"action"`
	Resource        string `json:"resource"`
	ResourceAccount string `json:"resourceAccount,omitempty"`
	Message         string `json:"message"` // AWS's access-denied message for it

	Explicit   bool   `json:"explicit"`   // an explicit Deny decided
	PolicyType string `json:"policyType"` // the kind of policy that denied or failed to allow
	Rule       string `json:"rule"`       // the evaluation rule that decided, in words
	// Missing names, for an AWS service's call, the permission the service lacked as the
	// CloudTrail key policy page lists it.
	Missing  string   `json:"missing,omitempty"`
	Policies []Policy `json:"policies"`
	Fixes    []Fix    `json:"fixes,omitempty"`
}

// Caller is who was denied.
type Caller struct {
	Type    string `json:"type"`
	ARN     string `json:"arn,omitempty"`
	Account string `json:"account,omitempty"`
	Role    string `json:"role,omitempty"`    // a session's role ARN
	Service string `json:"service,omitempty"` // an AWS service principal
}

// Policy is one policy consulted, statement by statement.
type Policy struct {
	Name       string      `json:"name"` // e.g. "key policy", a managed policy ARN, "user Bob inline policy P"
	Type       string      `json:"type"` // identity-based policy, resource-based policy, session policy, permissions boundary
	Statements []Statement `json:"statements"`
}

// Statement is one statement and why it did or did not apply.
type Statement struct {
	Label     string `json:"label"` // its Sid, or its position
	Sid       string `json:"sid,omitempty"`
	Index     int    `json:"index"`
	Effect    string `json:"effect"`
	Applies   bool   `json:"applies"`
	Principal string `json:"principal,omitempty"` // how it names the caller: direct, role, account, no match; "" without a Principal
	Action    bool   `json:"action"`              // its Action covers the request's
	Resource  bool   `json:"resource"`            // its Resource covers the request's
	// Conditions are its conditions, each with the request's values.
	Conditions []Condition `json:"conditions,omitempty"`
	Reason     string      `json:"reason,omitempty"` // why it did not apply: the first element that failed
	Text       any         `json:"statement"`        // the statement as a policy document writes it
}

// Condition is one condition of a statement against the request.
type Condition struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Expected []string `json:"expected"`
	Request  []string `json:"request"` // the request's values; null when the request has no such key
	Met      bool     `json:"met"`
}

// Fix is a change that would let the request through.
type Fix struct {
	Policy    string `json:"policy"`              // where: "the key policy of <arn>", "an identity-based policy of <arn>"…
	Statement any    `json:"statement,omitempty"` // the smallest statement to add
	Note      string `json:"note,omitempty"`      // what to do when no statement can be added (an explicit Deny)
}
