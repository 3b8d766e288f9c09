//go:build e2e

package e2e

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tfProviderVersion is the hashicorp/aws provider the test pins: the one in the filesystem mirror.
const tfProviderVersion = "5.100.0"

// terraformTools finds terraform on PATH and the filesystem mirror holding the hashicorp/aws
// provider (KEYTRAIL_TF_MIRROR, else /opt/tf-plugins). Either missing fails the test with what to
// install: the registry is not reachable from the test.
func terraformTools(t *testing.T) (bin, mirror string) {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is not on PATH: install Terraform (https://developer.hashicorp.com/terraform/install); scripts/install-test-deps.sh checks for it")
	}
	mirror = os.Getenv("KEYTRAIL_TF_MIRROR")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	if _, err := fs.Stat(os.DirFS(mirror), "registry.terraform.io/hashicorp/aws/"+tfProviderVersion); err != nil {
		t.Fatalf("the hashicorp/aws %s provider is not in the filesystem mirror %s (%v): with network access, run "+
			"`terraform providers mirror %s` in a directory whose configuration requires hashicorp/aws = %s, "+
			"or set KEYTRAIL_TF_MIRROR to a mirror that has it", tfProviderVersion, mirror, err, mirror, tfProviderVersion)
	}
	return bin, mirror
}

// workspace is a Terraform working directory whose provider "aws" talks to keytrail.
type workspace struct {
	bin, dir string
	env      []string
}

// tfCLIConfig installs providers from the filesystem mirror only, and never calls HashiCorp's
// checkpoint service
// (https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation).
const tfCLIConfig = `disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
`

// tfProvider is the provider block for keytrail: every service keytrail serves at its one URL,
// and none of the calls the provider makes to find the account or the instance metadata
// (https://registry.terraform.io/providers/hashicorp/aws/latest/docs#skip_credentials_validation).
const tfProvider = `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "VERSION"
    }
  }
}

provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    cloudtrail = "URL"
    iam        = "URL"
    kms        = "URL"
    s3         = "URL"
    sts        = "URL"
  }
}
`

// newWorkspace writes the provider block and config (main.tf) into a new directory and runs
// `terraform init` there, as k against the keytrail at url. Terraform's debug log goes to
// terraform.log in the directory.
func newWorkspace(t *testing.T, url string, k keys, config string) *workspace {
	t.Helper()
	bin, mirror := terraformTools(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "terraform.rc")
	check(t, os.WriteFile(cliConfig, []byte(strings.ReplaceAll(tfCLIConfig, "MIRROR", mirror)), 0o600))
	provider := strings.NewReplacer("VERSION", tfProviderVersion, "URL", url).Replace(tfProvider)
	check(t, os.WriteFile(filepath.Join(dir, "provider.tf"), []byte(provider), 0o600))
	w := &workspace{bin: bin, dir: dir, env: append(awsEnv(t, k, ""),
		"TF_CLI_CONFIG_FILE="+cliConfig, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"TF_DATA_DIR="+filepath.Join(dir, ".terraform"), "TF_LOG=debug", "TF_LOG_PATH="+filepath.Join(dir, "terraform.log"))}
	w.write(t, config)
	w.ok(t, "init", "-no-color")
	t.Cleanup(func() { w.keepLog(t) })
	return w
}

// keepLog keeps Terraform's debug log of a failed test, where the requests the provider made and
// keytrail's answers can be read, past the removal of the workspace.
func (w *workspace) keepLog(t *testing.T) {
	if !t.Failed() {
		return
	}
	b, err := os.ReadFile(filepath.Join(w.dir, "terraform.log"))
	if err != nil {
		return
	}
	f, err := os.CreateTemp("", "keytrail-terraform-*.log")
	if err != nil {
		return
	}
	defer f.Close()
	if _, err := f.Write(b); err == nil {
		t.Logf("terraform's debug log (TF_LOG=debug): %s", f.Name())
	}
}

// run runs terraform with args in the workspace.
func (w *workspace) run(t *testing.T, args ...string) result {
	t.Helper()
	start := time.Now()
	defer func() {
		if args[0] != "output" { // the phases, for the e2e tier's progress; output is instant
			t.Logf("terraform %s: %s", args[0], time.Since(start).Round(time.Millisecond))
		}
	}()
	cmd := exec.Command(w.bin, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("terraform %v: %v", args, err)
	}
	return result{out: out.String(), code: code}
}

// ok runs terraform and requires success.
func (w *workspace) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := w.run(t, args...)
	if r.code != 0 {
		t.Fatalf("terraform %v: exit %d\n%s", args, r.code, r.out)
	}
	return r.out
}

// write replaces the workspace's configuration (main.tf).
func (w *workspace) write(t *testing.T, config string) {
	t.Helper()
	check(t, os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600))
}

// noDrift requires a plan without changes: what the provider reads back is what it wrote.
func (w *workspace) noDrift(t *testing.T) {
	t.Helper()
	if r := w.run(t, "plan", "-detailed-exitcode", "-no-color"); r.code != 0 {
		t.Fatalf("terraform plan: exit %d, want 0 (2 is a difference between the configuration and what keytrail returns)\n%s", r.code, r.out)
	}
}

// output returns the value of a string output of the applied configuration.
func (w *workspace) output(t *testing.T, name string) string {
	t.Helper()
	return strings.TrimSpace(w.ok(t, "output", "-raw", name))
}

// storeConfig is an encrypted event data store as Terraform writes one: its key's policy is
// POLICY; the store, NAME, keeps management write events and S3 object deletions for RETENTION
// days, ingesting unless SUSPEND is true, tagged with TAGS.
const storeConfig = `resource "aws_kms_key" "lake" {
  description             = "event data store key"
  deletion_window_in_days = 7
  policy                  = <<-EOT
POLICY
  EOT
}

resource "aws_cloudtrail_event_data_store" "audit" {
  name                           = "NAME"
  kms_key_id                     = aws_kms_key.lake.arn
  termination_protection_enabled = false
  retention_period               = RETENTION
  suspend                        = "SUSPEND"

  advanced_event_selector {
    name = "Management write events"
    field_selector {
      field  = "eventCategory"
      equals = ["Management"]
    }
    field_selector {
      field  = "readOnly"
      equals = ["false"]
    }
  }

  advanced_event_selector {
    name = "S3 object deletions"
    field_selector {
      field  = "eventCategory"
      equals = ["Data"]
    }
    field_selector {
      field  = "resources.type"
      equals = ["AWS::S3::Object"]
    }
    field_selector {
      field  = "eventName"
      equals = ["DeleteObject", "DeleteObjects"]
    }
  }

  tags = {
    TAGS
  }
}

output "key_arn" {
  value = aws_kms_key.lake.arn
}

output "store_arn" {
  value = aws_cloudtrail_event_data_store.audit.arn
}
`

// TestTerraformEventDataStore applies the seed's key policy for event data stores and an
// encrypted aws_cloudtrail_event_data_store with Terraform's hashicorp/aws provider, checks the
// store with the AWS CLI, changes it in place (retention, tags, suspend), requires plans without
// changes, and destroys it (PENDING_DELETION, which the provider takes for gone). A key policy
// without CloudTrail's statement, or a creator whom the key policy does not let use the key,
// makes the apply fail with InsufficientEncryptionPolicyException.
func TestTerraformEventDataStore(t *testing.T) {
	c := clis[0]
	s := startServer(t, t.TempDir())
	// The seed's user statement names the IAM user alice, who must exist for KMS to take it.
	alice := c.newUser(t, s.url, root, "alice")
	user := strings.NewReplacer("account-id", account, "username", "alice").Replace(seedStoreUser)
	config := func(name, retention, suspend, tags string, statements ...string) string {
		return strings.NewReplacer("NAME", name, "RETENTION", retention, "SUSPEND", suspend, "TAGS", tags,
			"POLICY", keyPolicy(statements...)).Replace(storeConfig)
	}
	seedPolicy := []string{storeRootStmt, seedStoreEncrypt, user}

	t.Run("seed key policy", func(t *testing.T) {
		w := newWorkspace(t, s.url, root, config("audit", "90", "false", `team = "security"`, seedPolicy...))
		w.ok(t, "apply", "-auto-approve", "-no-color")
		key, store := w.output(t, "key_arn"), w.output(t, "store_arn")
		if !strings.HasPrefix(store, "arn:aws:cloudtrail:us-east-1:"+account+":eventdatastore/") {
			t.Fatalf("store ARN = %q", store)
		}
		got := c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store)
		if str(got, "Status") != "ENABLED" || str(got, "KmsKeyId") != key || got["RetentionPeriod"] != float64(90) ||
			got["TerminationProtectionEnabled"] != false || got["MultiRegionEnabled"] != true {
			t.Fatalf("get-event-data-store = %v", got)
		}
		if sel, _ := got["AdvancedEventSelectors"].([]any); len(sel) != 2 {
			t.Fatalf("AdvancedEventSelectors = %v", got["AdvancedEventSelectors"])
		}
		tags := c.ok(t, s.url, root, "cloudtrail", "list-tags", "--resource-id-list", store)
		if !strings.Contains(mustJSON(tags), `{"Key":"team","Value":"security"}`) {
			t.Fatalf("list-tags = %v", tags)
		}

		// What Terraform reads back is what it wrote: no drift.
		w.noDrift(t)

		// Changed in place: UpdateEventDataStore, AddTags, StopEventDataStoreIngestion; the key stays.
		w.write(t, config("audit", "120", "true", `team = "security"
    env  = "prod"`, seedPolicy...))
		if out := w.ok(t, "apply", "-auto-approve", "-no-color"); !strings.Contains(out, "1 changed, 0 destroyed") {
			t.Fatalf("apply of the changes did not change the store in place:\n%s", out)
		}
		if w.output(t, "store_arn") != store {
			t.Fatal("the store was replaced")
		}
		got = c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store)
		if str(got, "Status") != "STOPPED_INGESTION" || got["RetentionPeriod"] != float64(120) || str(got, "KmsKeyId") != key {
			t.Fatalf("after the update: get-event-data-store = %v", got)
		}
		tags = c.ok(t, s.url, root, "cloudtrail", "list-tags", "--resource-id-list", store)
		if !strings.Contains(mustJSON(tags), `{"Key":"env","Value":"prod"}`) {
			t.Fatalf("after the update: list-tags = %v", tags)
		}
		w.write(t, config("audit", "120", "false", `team = "security"`, seedPolicy...))
		w.ok(t, "apply", "-auto-approve", "-no-color")
		got = c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store)
		if str(got, "Status") != "ENABLED" {
			t.Fatalf("after suspend = false: get-event-data-store = %v", got)
		}
		if tags := c.ok(t, s.url, root, "cloudtrail", "list-tags", "--resource-id-list", store); strings.Contains(mustJSON(tags), `"env"`) {
			t.Fatalf("after the tag's removal: list-tags = %v", tags)
		}
		w.noDrift(t)

		w.ok(t, "destroy", "-auto-approve", "-no-color")
		got = c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", store)
		if str(got, "Status") != "PENDING_DELETION" {
			t.Fatalf("after destroy: get-event-data-store = %v", got)
		}
		if md := c.ok(t, s.url, root, "kms", "describe-key", "--key-id", key); str(md, "KeyMetadata", "KeyState") != "PendingDeletion" {
			t.Fatalf("after destroy: describe-key = %v", md)
		}
	})

	// refused applies the configuration as k and requires the store's creation to fail with
	// InsufficientEncryptionPolicyException naming who, and no store to be made. (The key stays:
	// the server goes with the test, and destroy is the first subtest's.)
	refused := func(t *testing.T, k keys, config, who string) {
		w := newWorkspace(t, s.url, k, config)
		r := w.run(t, "apply", "-auto-approve", "-no-color")
		if r.code == 0 || !strings.Contains(r.out, "InsufficientEncryptionPolicyException") || !strings.Contains(r.out, who+" is not allowed kms:") {
			t.Fatalf("apply: exit %d, want InsufficientEncryptionPolicyException for %s\n%s", r.code, who, r.out)
		}
		list := c.ok(t, s.url, root, "cloudtrail", "list-event-data-stores")
		for _, st := range list["EventDataStores"].([]any) {
			if m := st.(map[string]any); m["Status"] != "PENDING_DELETION" {
				t.Fatalf("a store was made under a key it may not use: %v", m)
			}
		}
	}

	t.Run("no CloudTrail statement", func(t *testing.T) {
		refused(t, root, config("refused", "90", "false", `team = "security"`, storeRootStmt, user), "cloudtrail.amazonaws.com")
	})

	// The seed: "users who create or update an event data store need kms:Decrypt and
	// kms:GenerateDataKey". alice may manage keys and stores but use no key: with the seed's user
	// statement in the key policy she makes the store, without it she cannot.
	t.Run("creator without key permissions", func(t *testing.T) {
		c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "terraform", "--policy-document", tfAdmin)
		refused(t, alice, config("refused", "90", "false", "", storeRootStmt, seedStoreEncrypt), "arn:aws:iam::"+account+":user/alice")
		w := newWorkspace(t, s.url, alice, config("alice", "90", "false", "", seedPolicy...))
		w.ok(t, "apply", "-auto-approve", "-no-color")
		got := c.ok(t, s.url, root, "cloudtrail", "get-event-data-store", "--event-data-store", w.output(t, "store_arn"))
		if str(got, "Status") != "ENABLED" || str(got, "KmsKeyId") != w.output(t, "key_arn") {
			t.Fatalf("alice's store: get-event-data-store = %v", got)
		}
	})
}

// tfAdmin lets Terraform manage keys, event data stores and trails, but use no key.
const tfAdmin = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*","Action":["cloudtrail:*","kms:CreateKey",
 "kms:DescribeKey","kms:GetKeyPolicy","kms:GetKeyRotationStatus","kms:ListResourceTags","kms:PutKeyPolicy","kms:ScheduleKeyDeletion",
 "kms:TagResource","kms:UntagResource"]}]}`

// trailConfig is an encrypted trail as Terraform writes one: the bucket with CloudTrail's bucket
// policy (S3POLICY), the key with the seed's trail statements (KEYPOLICY), the trail logging.
const trailConfig = `resource "aws_kms_key" "trail" {
  description             = "trail key"
  deletion_window_in_days = 7
  policy                  = <<-EOT
KEYPOLICY
  EOT
}

resource "aws_s3_bucket" "logs" {
  bucket        = "BUCKET"
  force_destroy = true
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = <<-EOT
S3POLICY
  EOT
}

resource "aws_cloudtrail" "management" {
  name           = "management"
  s3_bucket_name = aws_s3_bucket.logs.id
  kms_key_id     = aws_kms_key.trail.arn
  depends_on     = [aws_s3_bucket_policy.logs]
}

output "key_arn" {
  value = aws_kms_key.trail.arn
}
`

// TestTerraformTrail applies an encrypted trail (aws_cloudtrail with kms_key_id, its bucket and
// CloudTrail's bucket policy, its key with the seed's statements), checks it with the AWS CLI,
// requires a plan without changes and destroys it.
func TestTerraformTrail(t *testing.T) {
	c := clis[0]
	s := startServer(t, t.TempDir())
	const bucket = "keytrail-terraform-logs"
	// The key's own ARN is not known to its policy in Terraform: the statements name the key as
	// key/*, which a key policy's Resource also matches.
	policy := keyPolicy(storeRootStmt, fillTrail(seedEncrypt, account, "management", "*"), fillTrail(seedDescribe, account, "management", "*"))
	policy = strings.ReplaceAll(policy, "111111111111", account)
	w := newWorkspace(t, s.url, root, strings.NewReplacer("KEYPOLICY", policy, "BUCKET", bucket,
		"S3POLICY", trailBucketPolicy(bucket, account, "management")).Replace(trailConfig))
	w.ok(t, "apply", "-auto-approve", "-no-color")
	key := w.output(t, "key_arn")
	got := c.ok(t, s.url, root, "cloudtrail", "get-trail", "--name", "management")
	if str(got, "Trail", "KmsKeyId") != key || str(got, "Trail", "S3BucketName") != bucket {
		t.Fatalf("get-trail = %v", got)
	}
	if st := c.ok(t, s.url, root, "cloudtrail", "get-trail-status", "--name", "management"); st["IsLogging"] != true {
		t.Fatalf("get-trail-status = %v", st)
	}
	w.noDrift(t)

	// The trail delivers the calls Terraform made, encrypted under its key.
	if sum := s.flush(t); sum["logFiles"] == float64(0) {
		t.Fatalf("flush = %v", sum)
	}
	logs := c.logKeys(t, s.url, root, bucket)
	if len(logs) == 0 {
		t.Fatal("no log file was delivered")
	}
	head := c.ok(t, s.url, root, "s3api", "head-object", "--bucket", bucket, "--key", logs[0])
	if str(head, "ServerSideEncryption") != "aws:kms" || str(head, "SSEKMSKeyId") != key {
		t.Fatalf("head-object %s = %v", logs[0], head)
	}
	var recs []map[string]any
	for _, k := range logs {
		r, res := c.readLog(t, s.url, root, bucket, k)
		if res.code != 0 {
			t.Fatalf("get-object %s: %s", k, res.err)
		}
		recs = append(recs, r...)
	}
	if !hasEvent(recs, "StartLogging", "name", "arn:aws:cloudtrail:us-east-1:"+account+":trail/management") {
		t.Fatalf("Terraform's StartLogging is not in the trail's logs: %v", recs)
	}

	// AWS deletes only an empty bucket: force_destroy lists the bucket's object versions
	// (ListObjectVersions: each object is its one version, "null") and deletes them
	// (DeleteObjects with VersionId), after the trail's deletion delivered what it still held.
	w.ok(t, "destroy", "-auto-approve", "-no-color")
	c.fails(t, s.url, root, nil, "404", "s3api", "head-bucket", "--bucket", bucket) // HeadBucket has no body: the CLI shows the status
	c.fails(t, s.url, root, nil, "TrailNotFoundException", "cloudtrail", "get-trail", "--name", "management")
}
