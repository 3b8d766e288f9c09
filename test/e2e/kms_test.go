//go:build e2e

package e2e

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The seed page's statements (000_4a74c2ab163936f9.txt), verbatim; only the placeholders region,
// account-id, key-id and username are filled in, as the page tells its reader to.
const (
	seedBob         = `{ "Sid": "Enable CloudTrail log decrypt permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:user/Bob" }, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "Null": { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } } }`
	seedAliceKey    = `{ "Sid": "Enable encrypted CloudTrail log read access", "Effect": "Allow", "Principal": { "AWS": [ "arn:aws:iam::222222222222:root" ] }, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "Null": { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } } }`
	seedAliceIAM    = `{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-west-2:111111111111:key/KeyA" } ] }`
	defaultRootStmt = `{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"}`
	trailContext    = `{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111111111111:trail/management"}`
)

// fill replaces the seed's placeholders for a key in us-east-1 of 111111111111.
func fill(stmt, keyID string) string {
	return strings.NewReplacer("region", "us-east-1", "account-id", "111111111111", "key-id", keyID).Replace(stmt)
}

func keyPolicy(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ", ") + `]}`
}

// encrypt encrypts with the CLI and returns a file holding the ciphertext blob.
func (c cli) encrypt(t *testing.T, url string, k keys, keyID, context string) string {
	t.Helper()
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	check(t, os.WriteFile(plain, []byte("log file data key"), 0o600))
	args := []string{"kms", "encrypt", "--key-id", keyID, "--plaintext", "fileb://" + plain}
	if context != "" {
		args = append(args, "--encryption-context", context)
	}
	blob, err := base64.StdEncoding.DecodeString(str(c.ok(t, url, k, args...), "CiphertextBlob"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ct")
	check(t, os.WriteFile(path, blob, 0o600))
	return path
}

func decryptArgs(ct, context string) []string {
	args := []string{"kms", "decrypt", "--ciphertext-blob", "fileb://" + ct}
	if context != "" {
		args = append(args, "--encryption-context", context)
	}
	return args
}

// TestSeedKeyPolicies: the seed's statements pasted into put-key-policy have exactly their
// documented effect, through both CLIs against a real keytrail.
func TestSeedKeyPolicies(t *testing.T) {
	owner := keys{"111111111111", "test", ""}
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			// Bob, in the key's account, may decrypt log files: ciphertexts made with an
			// aws:cloudtrail:arn encryption context, and no others.
			bob := c.newUser(t, s.url, owner, "Bob")
			id := str(c.ok(t, s.url, owner, "kms", "create-key", "--description", "trail key"), "KeyMetadata", "KeyId")
			c.ok(t, s.url, owner, "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", keyPolicy(defaultRootStmt, fill(seedBob, id)))
			logFile := c.encrypt(t, s.url, owner, id, trailContext)
			other := c.encrypt(t, s.url, owner, id, "")
			got := c.ok(t, s.url, bob, decryptArgs(logFile, trailContext)...)
			if p, _ := base64.StdEncoding.DecodeString(str(got, "Plaintext")); string(p) != "log file data key" || !strings.HasSuffix(str(got, "KeyId"), id) {
				t.Fatalf("Bob's decrypt = %v", got)
			}
			c.fails(t, s.url, bob, nil, "AccessDeniedException", decryptArgs(other, "")...)
			c.fails(t, s.url, bob, nil, "AccessDeniedException", "kms", "generate-data-key", "--key-id", id, "--key-spec", "AES_256")

			// The seed statement with its placeholders left in names no real key.
			c.ok(t, s.url, owner, "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", keyPolicy(defaultRootStmt, seedBob))
			c.fails(t, s.url, bob, nil, "AccessDeniedException", decryptArgs(logFile, trailContext)...)

			// A disabled key and a key pending deletion refuse GenerateDataKey (contract).
			c.ok(t, s.url, owner, "kms", "disable-key", "--key-id", id)
			c.fails(t, s.url, owner, nil, "DisabledException", "kms", "generate-data-key", "--key-id", id, "--key-spec", "AES_256")
			c.ok(t, s.url, owner, "kms", "enable-key", "--key-id", id)
			c.ok(t, s.url, owner, "kms", "generate-data-key", "--key-id", id, "--key-spec", "AES_256")
			c.ok(t, s.url, owner, "kms", "schedule-key-deletion", "--key-id", id, "--pending-window-in-days", "7")
			c.fails(t, s.url, owner, nil, "KMSInvalidStateException", "kms", "generate-data-key", "--key-id", id, "--key-spec", "AES_256")
			r := c.run(t, s.url, owner, nil, "kms", "generate-data-key", "--key-id", id, "--key-spec", "AES_256")
			if want := "arn:aws:kms:us-east-1:111111111111:key/" + id + " is pending deletion."; !strings.Contains(r.err, want) {
				t.Fatalf("pending deletion message: %s", r.err)
			}
		})
	}
}

// TestSeedCrossAccountAlice: the key in 111111111111 (us-west-2) allows 222222222222's root to
// decrypt log files; Alice's own policy in 222222222222 allows Decrypt on the key ARN. Both halves
// are needed.
func TestSeedCrossAccountAlice(t *testing.T) {
	owner := keys{"111111111111", "test", ""}
	partner := keys{"222222222222", "test", ""}
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			west := func(k keys, args ...string) map[string]any {
				return c.ok(t, s.url, k, append([]string{"--region", "us-west-2"}, args...)...)
			}
			id := str(west(owner, "kms", "create-key"), "KeyMetadata", "KeyId")
			arn := "arn:aws:kms:us-west-2:111111111111:key/" + id
			full := keyPolicy(defaultRootStmt, strings.NewReplacer("region", "us-west-2", "account-id", "111111111111", "key-id", id).Replace(seedAliceKey))
			west(owner, "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", full)

			alice := c.newUser(t, s.url, partner, "Alice")
			c.ok(t, s.url, partner, "iam", "put-user-policy", "--user-name", "Alice", "--policy-name", "read-logs",
				"--policy-document", strings.Replace(seedAliceIAM, "arn:aws:kms:us-west-2:111111111111:key/KeyA", arn, 1))

			dir := t.TempDir()
			check(t, os.WriteFile(filepath.Join(dir, "p"), []byte("k"), 0o600))
			blob, _ := base64.StdEncoding.DecodeString(str(west(owner, "kms", "encrypt", "--key-id", id, "--plaintext", "fileb://"+filepath.Join(dir, "p"),
				"--encryption-context", `{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-west-2:222222222222:trail/t"}`), "CiphertextBlob"))
			ct := filepath.Join(dir, "ct")
			check(t, os.WriteFile(ct, blob, 0o600))
			decrypt := append([]string{"--region", "us-west-2"}, decryptArgs(ct, `{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-west-2:222222222222:trail/t"}`)...)

			c.ok(t, s.url, alice, decrypt...)
			// Without her own policy: her account never granted her the key.
			c.ok(t, s.url, partner, "iam", "delete-user-policy", "--user-name", "Alice", "--policy-name", "read-logs")
			c.fails(t, s.url, alice, nil, "AccessDeniedException", decrypt...)
			c.ok(t, s.url, partner, "iam", "put-user-policy", "--user-name", "Alice", "--policy-name", "read-logs",
				"--policy-document", strings.Replace(seedAliceIAM, "arn:aws:kms:us-west-2:111111111111:key/KeyA", arn, 1))
			c.ok(t, s.url, alice, decrypt...)
			// Without the key policy's statement for 222222222222.
			west(owner, "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", keyPolicy(defaultRootStmt))
			c.fails(t, s.url, alice, nil, "AccessDeniedException", decrypt...)
		})
	}
}
