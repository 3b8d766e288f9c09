package policy

import (
	"strings"
	"testing"
)

// TestTrustPolicyActions checks that a role trust policy may allow only STS's actions, as IAM
// requires, and that other kinds of policy are unaffected.
func TestTrustPolicyActions(t *testing.T) {
	doc := func(action string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":` + action + `}]}`
	}
	for _, c := range []struct {
		action string
		ok     bool
	}{
		{`"sts:AssumeRole"`, true},
		{`"STS:AssumeRoleWithWebIdentity"`, true},
		{`["sts:AssumeRole","sts:TagSession"]`, true},
		{`"sts:*"`, true},
		{`"*"`, false},
		{`"s3:GetObject"`, false},
		{`["sts:AssumeRole","iam:PassRole"]`, false},
		{`"kms:*"`, false},
	} {
		_, err := Parse(doc(c.action), Trust)
		switch {
		case c.ok && err != nil:
			t.Errorf("%s: %v", c.action, err)
		case !c.ok && (err == nil || !strings.Contains(err.Error(), "AssumeRole policy may only specify STS AssumeRole actions.")):
			t.Errorf("%s: %v, want the STS-only refusal", c.action, err)
		}
	}
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	if _, err := Parse(identity, Identity); err != nil {
		t.Errorf("identity policy: %v", err)
	}
}
