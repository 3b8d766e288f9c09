package kms

import (
	"fmt"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/model"
)

// KMS's own input checks, beyond what the gateway's model checks see (and for in-process
// callers, which no model check has seen), worded by the one builder of AWS's "N validation
// errors detected" messages (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).

// newValidation returns a builder of KMS's ValidationException messages.
func newValidation() *awserr.Validation { return model.Validation("kms") }

// invalid is the ValidationException of one value of field breaking constraint.
func invalid(field string, value any, constraint string) error {
	v := newValidation()
	v.Constraint(field, value, constraint)
	return v.Err()
}

// invalidHidden is the ValidationException of one value, not repeated, breaking constraint.
func invalidHidden(field, constraint string) error {
	v := newValidation()
	v.Hidden(field, constraint)
	return v.Err()
}

// missing is the ValidationException of one required member that is missing.
func missing(field string) error {
	v := newValidation()
	v.Null(field)
	return v.Err()
}

// invalidMessage is the ValidationException of one violation in KMS's own words.
func invalidMessage(msg string) error {
	v := newValidation()
	v.Message(msg)
	return v.Err()
}

// checkLength notes value when its length in characters is not within least and most.
func checkLength(v *awserr.Validation, field, value string, least, most int) {
	if n := len([]rune(value)); n < least || n > most {
		v.Constraint(field, value, fmt.Sprintf("Member must have length between %d and %d", least, most))
	}
}

// checkKeyID notes a missing or over-long required KeyId member (1–2048 characters).
func checkKeyID(v *awserr.Validation, field, value string) {
	if v.Required(field, value) {
		checkLength(v, field, value, 1, 2048)
	}
}
