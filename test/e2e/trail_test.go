//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The seed's trail statements (000_4a74c2ab163936f9.txt), verbatim but for the placeholders.
const (
	seedEncrypt      = `{ "Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": { "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" }, "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:account-id:trail/*" } } }`
	seedDescribe     = `{ "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:DescribeKey", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" } } }`
	seedCrossEncrypt = `{ "Sid": "Enable CloudTrail encrypt permissions", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": { "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": [ "arn:aws:cloudtrail:*:111111111111:trail/*", "arn:aws:cloudtrail:*:222222222222:trail/*" ] }, "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" } } }`
)

// fillTrail fills the seed's placeholders: the key's region and account, the trail's account
// and name, the key's ID.
func fillTrail(stmt, trailAccount, trail, keyID string) string {
	stmt = strings.ReplaceAll(stmt, "arn:aws:cloudtrail:region:account-id:trail/trail-name", "arn:aws:cloudtrail:us-east-1:"+trailAccount+":trail/"+trail)
	stmt = strings.ReplaceAll(stmt, "arn:aws:cloudtrail:*:account-id:trail/*", "arn:aws:cloudtrail:*:"+trailAccount+":trail/*")
	return fill(stmt, keyID)
}

// trailBucketPolicy is CloudTrail's bucket policy (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html) for a trail of account in us-east-1.
func trailBucketPolicy(bucket, account, trail string) string {
	src := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + trail
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `","Condition":{"StringEquals":{"aws:SourceArn":"` + src + `"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/` + account + `/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + src + `"}}}]}`
}

const readBucket = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

// flush runs `keytrail flush` against the server.
func (s *server) flush(t *testing.T) map[string]any {
	t.Helper()
	out, err := exec.Command(binary, "flush", "--endpoint-url", s.url).Output()
	if err != nil {
		t.Fatalf("keytrail flush: %v", err)
	}
	var sum map[string]any
	if err := json.Unmarshal(out, &sum); err != nil {
		t.Fatalf("keytrail flush printed %s", out)
	}
	return sum
}

// logKeys lists the trail log files in a bucket.
func (c cli) logKeys(t *testing.T, url string, k keys, bucket string) []string {
	t.Helper()
	out := c.ok(t, url, k, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "AWSLogs/")
	var keys []string
	list, _ := out["Contents"].([]any)
	for _, o := range list {
		keys = append(keys, o.(map[string]any)["Key"].(string))
	}
	return keys
}

// readLog downloads a log file as k and gunzips it: its records, or the CLI's failure.
func (c cli) readLog(t *testing.T, url string, k keys, bucket, key string) ([]map[string]any, result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log.json.gz")
	r := c.run(t, url, k, nil, "s3api", "get-object", "--bucket", bucket, "--key", key, path)
	if r.code != 0 {
		return nil, r
	}
	raw, _ := os.ReadFile(path)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s is not gzip: %v", key, err)
	}
	body, _ := io.ReadAll(zr)
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return doc.Records, r
}

func hasEvent(recs []map[string]any, name, param, value string) bool {
	for _, r := range recs {
		if r["eventName"] != name {
			continue
		}
		if param == "" {
			return true
		}
		if p, ok := r["requestParameters"].(map[string]any); ok && p[param] == value {
			return true
		}
	}
	return false
}

// TestSeedTrailEncryption walks the seed pages' steps with both CLIs against a real keytrail:
// the key policy CloudTrail needs, update-trail with every key identifier form, the refusals,
// encrypted delivery that Bob can read and others cannot, a disabled key's failed delivery and
// its backlog, and the cross-account encrypt statement.
func TestSeedTrailEncryption(t *testing.T) {
	owner := keys{"111111111111", "test", ""}
	partner := keys{"222222222222", "test", ""}
	const trailARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management"
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			c.ok(t, s.url, owner, "s3api", "create-bucket", "--bucket", "seed-logs")
			c.ok(t, s.url, owner, "s3api", "put-bucket-policy", "--bucket", "seed-logs", "--policy", trailBucketPolicy("seed-logs", "111111111111", "management"))

			// A key with the default key policy is refused.
			def := str(c.ok(t, s.url, owner, "kms", "create-key"), "KeyMetadata", "Arn")
			c.fails(t, s.url, owner, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "create-trail", "--name", "management", "--s3-bucket-name", "seed-logs", "--kms-key-id", def)

			// The seed's three statements make it usable.
			goodPolicy := func(id string) string {
				return keyPolicy(defaultRootStmt, fillTrail(seedEncrypt, "111111111111", "management", id),
					fill(seedBob, id), fillTrail(seedDescribe, "111111111111", "management", id))
			}
			newKey := func(policy func(string) string) (string, string) {
				md := c.ok(t, s.url, owner, "kms", "create-key", "--description", "trail key")
				id := str(md, "KeyMetadata", "KeyId")
				c.ok(t, s.url, owner, "kms", "put-key-policy", "--key-id", id, "--policy-name", "default", "--policy", policy(id))
				return id, str(md, "KeyMetadata", "Arn")
			}
			bob := c.newUser(t, s.url, owner, "Bob")
			c.ok(t, s.url, owner, "iam", "put-user-policy", "--user-name", "Bob", "--policy-name", "read-logs", "--policy-document", readBucket)
			id, arn := newKey(goodPolicy)
			created := c.ok(t, s.url, owner, "cloudtrail", "create-trail", "--name", "management", "--s3-bucket-name", "seed-logs", "--kms-key-id", id)
			if str(created, "KmsKeyId") != arn || str(created, "TrailARN") != trailARN {
				t.Fatalf("create-trail = %v", created)
			}
			c.ok(t, s.url, owner, "kms", "create-alias", "--alias-name", "alias/seed-trail", "--target-key-id", id)
			for _, form := range []string{"alias/seed-trail", "arn:aws:kms:us-east-1:111111111111:alias/seed-trail", arn, id} {
				if got := str(c.ok(t, s.url, owner, "cloudtrail", "update-trail", "--name", "management", "--kms-key-id", form), "KmsKeyId"); got != arn {
					t.Fatalf("update-trail --kms-key-id %s: KmsKeyId %s", form, got)
				}
			}
			// A statement whose aws:SourceArn names another trail.
			otherTrail, _ := newKey(func(id string) string {
				return keyPolicy(defaultRootStmt, fillTrail(seedEncrypt, "111111111111", "another-trail", id), fillTrail(seedDescribe, "111111111111", "management", id))
			})
			c.fails(t, s.url, owner, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "update-trail", "--name", "management", "--kms-key-id", otherTrail)
			// A disabled key and a key pending deletion.
			disabled, _ := newKey(goodPolicy)
			c.ok(t, s.url, owner, "kms", "disable-key", "--key-id", disabled)
			c.fails(t, s.url, owner, nil, "KmsException", "cloudtrail", "update-trail", "--name", "management", "--kms-key-id", disabled)
			pending, _ := newKey(goodPolicy)
			c.ok(t, s.url, owner, "kms", "schedule-key-deletion", "--key-id", pending, "--pending-window-in-days", "7")
			c.fails(t, s.url, owner, nil, "KmsException", "cloudtrail", "update-trail", "--name", "management", "--kms-key-id", pending)
			if got := str(c.ok(t, s.url, owner, "cloudtrail", "get-trail", "--name", "management"), "Trail", "KmsKeyId"); got != arn {
				t.Fatalf("after the refusals the trail's key is %s", got)
			}

			// Logging: the calls reach the bucket, encrypted under the trail's key.
			c.ok(t, s.url, owner, "cloudtrail", "start-logging", "--name", "management")
			c.ok(t, s.url, owner, "iam", "create-user", "--user-name", "audited")
			c.ok(t, s.url, owner, "kms", "describe-key", "--key-id", id)
			if sum := s.flush(t); sum["logFiles"].(float64) != 1 {
				t.Fatalf("flush = %v", sum)
			}
			logs := c.logKeys(t, s.url, owner, "seed-logs")
			if len(logs) != 1 || !strings.HasPrefix(logs[0], "AWSLogs/111111111111/CloudTrail/us-east-1/") || !strings.HasSuffix(logs[0], ".json.gz") {
				t.Fatalf("log files = %v", logs)
			}
			head := c.ok(t, s.url, owner, "s3api", "head-object", "--bucket", "seed-logs", "--key", logs[0])
			if str(head, "ServerSideEncryption") != "aws:kms" || str(head, "SSEKMSKeyId") != arn {
				t.Fatalf("head-object = %v", head)
			}
			recs, r := c.readLog(t, s.url, bob, "seed-logs", logs[0])
			if r.code != 0 {
				t.Fatalf("Bob cannot read the log file: %s", r.err)
			}
			if !hasEvent(recs, "CreateUser", "userName", "audited") || !hasEvent(recs, "DescribeKey", "keyId", id) || !hasEvent(recs, "StartLogging", "", "") {
				t.Fatalf("the log file lacks the calls: %d records", len(recs))
			}
			eve := c.newUser(t, s.url, owner, "Eve")
			c.ok(t, s.url, owner, "iam", "put-user-policy", "--user-name", "Eve", "--policy-name", "read-logs", "--policy-document", readBucket)
			if _, r := c.readLog(t, s.url, eve, "seed-logs", logs[0]); r.code == 0 || !strings.Contains(r.err, "AccessDenied") {
				t.Fatalf("Eve, without kms:Decrypt, read the log file: exit %d %s", r.code, r.err)
			}

			// A disabled key: delivery fails and says so; enabled again, what waited is delivered.
			c.ok(t, s.url, owner, "kms", "disable-key", "--key-id", id)
			c.ok(t, s.url, owner, "iam", "create-user", "--user-name", "while-disabled")
			s.flush(t)
			st := c.ok(t, s.url, owner, "cloudtrail", "get-trail-status", "--name", "management")
			if str(st, "LatestDeliveryError") != "KMS.DisabledException" || st["IsLogging"] != true {
				t.Fatalf("status with a disabled key = %v", st)
			}
			c.ok(t, s.url, owner, "kms", "enable-key", "--key-id", id)
			s.flush(t)
			if st := c.ok(t, s.url, owner, "cloudtrail", "get-trail-status", "--name", "management"); str(st, "LatestDeliveryError") != "" || st["LatestDeliveryTime"] == nil {
				t.Fatalf("status after enabling = %v", st)
			}
			found := false
			for _, key := range c.logKeys(t, s.url, owner, "seed-logs") {
				recs, r := c.readLog(t, s.url, bob, "seed-logs", key)
				if r.code != 0 {
					t.Fatalf("Bob cannot read %s: %s", key, r.err)
				}
				found = found || hasEvent(recs, "CreateUser", "userName", "while-disabled")
			}
			if !found {
				t.Fatal("the call made while the key was disabled was never delivered")
			}

			// The seed's cross-account statement: a trail in 222222222222, the key in 111111111111.
			cross, crossARN := newKey(func(id string) string {
				return keyPolicy(defaultRootStmt, fillTrail(seedCrossEncrypt, "222222222222", "partner", id),
					fillTrail(seedDescribe, "222222222222", "partner", id), fill(seedAliceKey, id))
			})
			_ = cross
			c.ok(t, s.url, partner, "s3api", "create-bucket", "--bucket", "partner-logs")
			c.ok(t, s.url, partner, "s3api", "put-bucket-policy", "--bucket", "partner-logs", "--policy", trailBucketPolicy("partner-logs", "222222222222", "partner"))
			if got := str(c.ok(t, s.url, partner, "cloudtrail", "create-trail", "--name", "partner", "--s3-bucket-name", "partner-logs", "--kms-key-id", crossARN), "KmsKeyId"); got != crossARN {
				t.Fatalf("the partner trail's key is %s", got)
			}
			c.ok(t, s.url, partner, "cloudtrail", "start-logging", "--name", "partner")
			c.ok(t, s.url, partner, "iam", "create-user", "--user-name", "partner-user")
			s.flush(t)
			plogs := c.logKeys(t, s.url, partner, "partner-logs")
			if len(plogs) != 1 || !strings.HasPrefix(plogs[0], "AWSLogs/222222222222/CloudTrail/us-east-1/") {
				t.Fatalf("partner log files = %v", plogs)
			}
			if head := c.ok(t, s.url, partner, "s3api", "head-object", "--bucket", "partner-logs", "--key", plogs[0]); str(head, "SSEKMSKeyId") != crossARN {
				t.Fatalf("partner head-object = %v", head)
			}
			precs, r := c.readLog(t, s.url, partner, "partner-logs", plogs[0])
			if r.code != 0 || !hasEvent(precs, "CreateUser", "userName", "partner-user") {
				t.Fatalf("the partner's log file: exit %d %s, %d records", r.code, r.err, len(precs))
			}
			if st := c.ok(t, s.url, partner, "cloudtrail", "get-trail-status", "--name", "partner"); str(st, "LatestDeliveryError") != "" {
				t.Fatalf("partner status = %v", st)
			}
		})
	}
}
