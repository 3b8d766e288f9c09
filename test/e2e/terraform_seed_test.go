//go:build e2e

package e2e

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedModule is the module with the seed's whole setup, testdata/terraform/seed/main.tf: a file
// a user can read and copy. The tests apply it as the root module, next to the provider block
// that points Terraform at keytrail, with its variables in terraform.tfvars.
//
//go:embed testdata/terraform/seed/main.tf
var seedModule string

// newSeedWorkspace is a workspace holding the seed module with vars (terraform.tfvars).
func newSeedWorkspace(t *testing.T, url string, vars map[string]string) *workspace {
	t.Helper()
	w := newWorkspace(t, url, root, seedModule)
	var tfvars strings.Builder
	for name, value := range vars {
		fmt.Fprintf(&tfvars, "%s = %s\n", name, value)
	}
	check(t, os.WriteFile(filepath.Join(w.dir, "terraform.tfvars"), []byte(tfvars.String()), 0o600))
	return w
}

// TestTerraformSeed applies the seed module (key policy from aws_iam_policy_document, alias, log
// bucket with CloudTrail's bucket policy and SSE-KMS, trail with log file validation, event data
// store with its key, reader role), checks what it made with the AWS CLI, requires a plan
// without changes, reads a delivered log file as the reader role, and destroys it all. The
// module without CloudTrail's GenerateDataKey statement fails its apply with
// InsufficientEncryptionPolicyException.
func TestTerraformSeed(t *testing.T) {
	c := clis[0]
	s := startServer(t, t.TempDir())

	t.Run("seed", func(t *testing.T) {
		const bucket = "keytrail-seed-logs"
		w := newSeedWorkspace(t, s.url, map[string]string{"bucket_name": `"` + bucket + `"`})
		w.ok(t, "apply", "-auto-approve", "-no-color")
		trailARN, key, lakeKey := w.output(t, "trail_arn"), w.output(t, "trail_key_arn"), w.output(t, "lake_key_arn")
		store, reader := w.output(t, "event_data_store_arn"), w.output(t, "reader_role_arn")
		if trailARN != "arn:aws:cloudtrail:us-east-1:"+account+":trail/management" || reader != "arn:aws:iam::"+account+":role/CloudTrailReadRole" {
			t.Fatalf("trail_arn = %s, reader_role_arn = %s", trailARN, reader)
		}

		trail := c.ok(t, s.url, root, "cloudtrail", "get-trail", "--name", "management")
		if str(trail, "Trail", "KmsKeyId") != key || str(trail, "Trail", "S3BucketName") != bucket || trail["Trail"].(map[string]any)["LogFileValidationEnabled"] != true {
			t.Fatalf("get-trail = %v", trail)
		}
		if st := c.ok(t, s.url, root, "cloudtrail", "get-trail-status", "--name", "management"); st["IsLogging"] != true {
			t.Fatalf("get-trail-status = %v", st)
		}
		aliases := c.ok(t, s.url, root, "kms", "list-aliases", "--key-id", key)
		if !strings.Contains(mustJSON(aliases), `"AliasName":"alias/cloudtrail"`) {
			t.Fatalf("list-aliases = %v", aliases)
		}
		enc := c.ok(t, s.url, root, "s3api", "get-bucket-encryption", "--bucket", bucket)
		if js := mustJSON(enc); !strings.Contains(js, `"SSEAlgorithm":"aws:kms"`) || !strings.Contains(js, `"KMSMasterKeyID":"`+key+`"`) {
			t.Fatalf("get-bucket-encryption = %v", enc)
		}
		bp := c.ok(t, s.url, root, "s3api", "get-bucket-policy", "--bucket", bucket)
		for _, sid := range []string{"AWSCloudTrailAclCheck20150319", "AWSCloudTrailWrite20150319"} {
			if !strings.Contains(str(bp, "Policy"), sid) {
				t.Fatalf("the bucket policy has no statement %q: %s", sid, str(bp, "Policy"))
			}
		}
		policy := c.ok(t, s.url, root, "kms", "get-key-policy", "--key-id", key, "--policy-name", "default")
		for _, sid := range []string{"Allow CloudTrail to encrypt logs", "Allow CloudTrail access", "Enable CloudTrail log decrypt permissions"} {
			if !strings.Contains(str(policy, "Policy"), sid) {
				t.Fatalf("the trail key's policy has no statement %q: %s", sid, str(policy, "Policy"))
			}
		}
		got := c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store)
		if str(got, "Status") != "ENABLED" || str(got, "KmsKeyId") != lakeKey {
			t.Fatalf("get-event-data-store = %v", got)
		}

		// What Terraform reads back is what it wrote.
		w.noDrift(t)

		// The trail delivers Terraform's calls, encrypted under its key, and the reader role
		// decrypts them: the seed's Null condition holds for CloudTrail's log files.
		if sum := s.flush(t); sum["logFiles"] == float64(0) {
			t.Fatalf("flush = %v", sum)
		}
		var logs []string // the log files, not the digest files (CloudTrail-Digest/)
		for _, k := range c.logKeys(t, s.url, root, bucket) {
			if strings.Contains(k, "/CloudTrail/") {
				logs = append(logs, k)
			}
		}
		if len(logs) == 0 {
			t.Fatal("no log file was delivered")
		}
		head := c.ok(t, s.url, root, "s3api", "head-object", "--bucket", bucket, "--key", logs[0])
		if str(head, "ServerSideEncryption") != "aws:kms" || str(head, "SSEKMSKeyId") != key {
			t.Fatalf("head-object %s = %v", logs[0], head)
		}
		// Roles are not assumed by root: bob, a user the trust policy's account root lets his
		// identity policy decide for, assumes it.
		bob := c.newUser(t, s.url, root, "bob")
		c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "assume-reader", "--policy-document",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+reader+`"}]}`)
		assumed := c.ok(t, s.url, bob, "sts", "assume-role", "--role-arn", reader, "--role-session-name", "seed")
		session := keys{str(assumed, "Credentials", "AccessKeyId"), str(assumed, "Credentials", "SecretAccessKey"), str(assumed, "Credentials", "SessionToken")}
		recs, res := c.readLog(t, s.url, session, bucket, logs[0])
		if res.code != 0 || len(recs) == 0 {
			t.Fatalf("the reader role's get-object %s: exit %d %s", logs[0], res.code, res.err)
		}

		w.ok(t, "destroy", "-auto-approve", "-no-color")
		c.fails(t, s.url, root, nil, "TrailNotFoundException", "cloudtrail", "get-trail", "--name", "management")
		c.fails(t, s.url, root, nil, "404", "s3api", "head-bucket", "--bucket", bucket)
		c.fails(t, s.url, root, nil, "NoSuchEntity", "iam", "get-role", "--role-name", "CloudTrailReadRole")
		for _, k := range []string{key, lakeKey} {
			if md := c.ok(t, s.url, root, "kms", "describe-key", "--key-id", k); str(md, "KeyMetadata", "KeyState") != "PendingDeletion" {
				t.Fatalf("after destroy: describe-key %s = %v", k, md)
			}
		}
		if got := c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store); str(got, "Status") != "PENDING_DELETION" {
			t.Fatalf("after destroy: get-event-data-store = %v", got)
		}
	})

	// Without the seed's "Allow CloudTrail to encrypt logs" statement CloudTrail may not
	// generate data keys under the key: CreateTrail fails and no trail is made. Destroy removes
	// what the apply made before it failed.
	t.Run("no GenerateDataKey statement", func(t *testing.T) {
		w := newSeedWorkspace(t, s.url, map[string]string{
			"bucket_name": `"keytrail-seed-broken"`, "trail_name": `"broken"`, "alias_name": `"alias/broken"`,
			"event_data_store_name": `"broken"`, "reader_role_name": `"BrokenReadRole"`, "cloudtrail_can_encrypt": "false",
		})
		r := w.run(t, "apply", "-auto-approve", "-no-color")
		if r.code == 0 || !strings.Contains(r.out, "InsufficientEncryptionPolicyException") {
			t.Fatalf("apply: exit %d, want InsufficientEncryptionPolicyException\n%s", r.code, r.out)
		}
		c.fails(t, s.url, root, nil, "TrailNotFoundException", "cloudtrail", "get-trail", "--name", "broken")
		w.ok(t, "destroy", "-auto-approve", "-no-color")
		c.fails(t, s.url, root, nil, "404", "s3api", "head-bucket", "--bucket", "keytrail-seed-broken")
		c.fails(t, s.url, root, nil, "NoSuchEntity", "iam", "get-role", "--role-name", "BrokenReadRole")
	})
}

// TestTerraformReadme requires the README's provider block to be the one the Terraform tests
// use, at keytrail's default address, and the README to name the seed module's file.
func TestTerraformReadme(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	check(t, err)
	want := strings.NewReplacer("VERSION", tfProviderVersion, "URL", "http://127.0.0.1:4566").Replace(tfProvider)
	if !strings.Contains(string(readme), "```hcl\n"+want+"```\n") {
		t.Fatalf("the README has no hcl block that is the tests' provider block:\n%s", want)
	}
	if !strings.Contains(string(readme), "(test/e2e/testdata/terraform/seed/main.tf)") {
		t.Fatal("the README does not link the seed module")
	}
}
