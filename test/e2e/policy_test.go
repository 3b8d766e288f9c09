//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// The seed page's CloudTrailReadRole trust statement, verbatim: account 222222222222 may assume
// the role in 111111111111.
const cloudTrailReadRoleTrust = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "sts:AssumeRole" } ] }`

const assumeReadRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/CloudTrailReadRole"}]}`

// TestCloudTrailReadRole: a user of 222222222222 whose own policy allows sts:AssumeRole assumes
// the seed's CloudTrailReadRole in 111111111111; without that policy, or when the trust policy
// names another account, AccessDenied. Both CLIs, against a real keytrail.
func TestCloudTrailReadRole(t *testing.T) {
	owner := keys{"111111111111", "test", ""}
	reader := keys{"222222222222", "test", ""}
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			c.ok(t, s.url, owner, "iam", "create-role", "--role-name", "CloudTrailReadRole", "--assume-role-policy-document", cloudTrailReadRoleTrust)
			alice := c.newUser(t, s.url, reader, "alice")
			assume := []string{"sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/CloudTrailReadRole", "--role-session-name", "alice"}

			// The trust policy names her account, but her account has not granted her the role.
			c.fails(t, s.url, alice, nil, "AccessDenied", assume...)

			c.ok(t, s.url, reader, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "assume-read-role", "--policy-document", assumeReadRole)
			out := c.ok(t, s.url, alice, assume...)
			if got := str(out, "AssumedRoleUser", "Arn"); got != "arn:aws:sts::111111111111:assumed-role/CloudTrailReadRole/alice" {
				t.Fatalf("AssumedRoleUser = %s", got)
			}
			session := keys{str(out, "Credentials", "AccessKeyId"), str(out, "Credentials", "SecretAccessKey"), str(out, "Credentials", "SessionToken")}
			if got := str(c.ok(t, s.url, session, "sts", "get-caller-identity"), "Account"); got != "111111111111" {
				t.Fatalf("the session acts in account %s", got)
			}

			// A trust policy naming another account refuses her, whatever her own policy says.
			other := strings.Replace(cloudTrailReadRoleTrust, "222222222222", "333333333333", 1)
			c.ok(t, s.url, owner, "iam", "update-assume-role-policy", "--role-name", "CloudTrailReadRole", "--policy-document", other)
			c.fails(t, s.url, alice, nil, "AccessDenied", assume...)

			// The seed's key-policy statement for this role, verbatim, names an eleven-digit
			// account: as a trust policy principal it is refused as malformed.
			bad := strings.Replace(cloudTrailReadRoleTrust, "arn:aws:iam::222222222222:root", "arn:aws:iam::11111111111:role/CloudTrailReadRole", 1)
			c.fails(t, s.url, owner, nil, "MalformedPolicyDocument", "iam", "update-assume-role-policy", "--role-name", "CloudTrailReadRole", "--policy-document", bad)
		})
	}
}
