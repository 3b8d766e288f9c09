package awserr

import (
	"fmt"
	"strings"
)

// Validation collects the constraint violations of one request and words them as AWS does: "1
// validation error detected: Value 'x' at 'keyId' failed to satisfy constraint: Member must have
// length less than or equal to 2048", "N validation errors detected: …; …". It is the one
// builder of these messages: the model checks (internal/model) and every service's own checks
// use it. The zero value needs Code set before Err.
type Validation struct {
	Code Code // the service's validation code: ValidationException (KMS), ValidationError (IAM, STS)…
	msgs []string
}

// NewValidation returns a builder of code's validation errors.
func NewValidation(code Code) *Validation { return &Validation{Code: code} }

// Constraint notes that value at field breaks constraint ("Member must …").
func (v *Validation) Constraint(field string, value any, constraint string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint))
}

// Hidden notes that field's value, which the message does not repeat (a secret, a blob), breaks
// constraint: "Value at 'ciphertextBlob' failed to satisfy constraint: …".
func (v *Validation) Hidden(field, constraint string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", field, constraint))
}

// Null notes that the required field is missing: "Value null at 'field' failed to satisfy
// constraint: Member must not be null".
func (v *Validation) Null(field string) {
	v.msgs = append(v.msgs, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", field))
}

// Required notes field as missing when value is empty and reports whether it is present.
func (v *Validation) Required(field, value string) bool {
	if value == "" {
		v.Null(field)
		return false
	}
	return true
}

// Message notes a violation in words of the service's own.
func (v *Validation) Message(msg string) { v.msgs = append(v.msgs, msg) }

// Len returns how many violations have been noted.
func (v *Validation) Len() int { return len(v.msgs) }

// Err returns the violations as one error, or nil when there are none.
func (v *Validation) Err() error { return Detected(v.Code, v.msgs...) }

// Detected words msgs as code's validation error: "1 validation error detected: …" or "N
// validation errors detected: …; …"; nil when there are none.
func Detected(code Code, msgs ...string) error {
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return New(code, "1 validation error detected: %s", msgs[0])
	}
	return New(code, "%d validation errors detected: %s", len(msgs), strings.Join(msgs, "; "))
}
