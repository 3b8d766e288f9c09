//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"
)

// fillWest fills the seed's placeholders for a key in us-west-2 of 111111111111 used by the
// us-east-1 trail of trailAccount.
func fillWest(stmt, trailAccount, trail, keyID string) string {
	stmt = strings.ReplaceAll(stmt, "arn:aws:cloudtrail:region:account-id:trail/trail-name", "arn:aws:cloudtrail:us-east-1:"+trailAccount+":trail/"+trail)
	stmt = strings.ReplaceAll(stmt, "arn:aws:cloudtrail:*:account-id:trail/*", "arn:aws:cloudtrail:*:"+trailAccount+":trail/*")
	return strings.NewReplacer("region", "us-west-2", "account-id", "111111111111", "key-id", keyID).Replace(stmt)
}

// TestSeedCrossRegionTrail: the seed's rule "use a KMS key in the same region as the S3 bucket"
// for a us-east-1 trail writing to a us-west-2 bucket, with both CLIs configured for us-east-1
// (S3 answers their requests for the bucket with its region, and they follow it): a us-east-1
// key is refused, the us-west-2 key with the seed's key policy is accepted, the log file is
// delivered encrypted under it, Bob reads it, and `aws cloudtrail validate-logs` passes.
func TestSeedCrossRegionTrail(t *testing.T) {
	owner := keys{"111111111111", "test", ""}
	const trailARN = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management"
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			start := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
			c.ok(t, s.url, owner, "s3api", "create-bucket", "--bucket", "west-logs", "--region", "us-west-2",
				"--create-bucket-configuration", "LocationConstraint=us-west-2")
			if loc := str(c.ok(t, s.url, owner, "s3api", "get-bucket-location", "--bucket", "west-logs"), "LocationConstraint"); loc != "us-west-2" {
				t.Fatalf("get-bucket-location = %q", loc)
			}
			// Signed for us-east-1: the CLI is told the bucket's region and follows it.
			c.ok(t, s.url, owner, "s3api", "put-bucket-policy", "--bucket", "west-logs", "--policy", trailBucketPolicy("west-logs", "111111111111", "management"))

			bob := c.newUser(t, s.url, owner, "Bob")
			c.ok(t, s.url, owner, "iam", "put-user-policy", "--user-name", "Bob", "--policy-name", "read-logs", "--policy-document", readBucket)
			newKey := func(region string, policy func(id string) string) (string, string) {
				md := c.ok(t, s.url, owner, "kms", "create-key", "--region", region, "--description", "trail key in "+region)
				id := str(md, "KeyMetadata", "KeyId")
				c.ok(t, s.url, owner, "kms", "put-key-policy", "--region", region, "--key-id", id, "--policy-name", "default", "--policy", policy(id))
				return id, str(md, "KeyMetadata", "Arn")
			}
			_, eastARN := newKey("us-east-1", func(id string) string {
				return keyPolicy(defaultRootStmt, fillTrail(seedEncrypt, "111111111111", "management", id),
					fill(seedBob, id), fillTrail(seedDescribe, "111111111111", "management", id))
			})
			westID, westARN := newKey("us-west-2", func(id string) string {
				return keyPolicy(defaultRootStmt, fillWest(seedEncrypt, "111111111111", "management", id),
					fillWest(seedBob, "111111111111", "management", id), fillWest(seedDescribe, "111111111111", "management", id))
			})
			c.fails(t, s.url, owner, nil, "KmsKeyNotFoundException", "cloudtrail", "create-trail", "--name", "management",
				"--s3-bucket-name", "west-logs", "--kms-key-id", eastARN)
			created := c.ok(t, s.url, owner, "cloudtrail", "create-trail", "--name", "management", "--s3-bucket-name", "west-logs",
				"--kms-key-id", westARN, "--enable-log-file-validation")
			if str(created, "KmsKeyId") != westARN || str(created, "TrailARN") != trailARN {
				t.Fatalf("create-trail = %v", created)
			}

			c.ok(t, s.url, owner, "cloudtrail", "start-logging", "--name", "management")
			c.ok(t, s.url, owner, "iam", "create-user", "--user-name", "audited")
			c.ok(t, s.url, owner, "kms", "describe-key", "--key-id", westID, "--region", "us-west-2")
			if sum := s.flush(t); sum["logFiles"].(float64) != 1 || sum["digestFiles"].(float64) < 1 {
				t.Fatalf("flush = %v", sum)
			}
			if st := c.ok(t, s.url, owner, "cloudtrail", "get-trail-status", "--name", "management"); str(st, "LatestDeliveryError") != "" || st["LatestDeliveryTime"] == nil {
				t.Fatalf("get-trail-status = %v", st)
			}
			logs := c.logKeys(t, s.url, owner, "west-logs")
			var logFile string
			for _, k := range logs {
				if strings.HasPrefix(k, "AWSLogs/111111111111/CloudTrail/us-east-1/") {
					logFile = k
				}
			}
			if logFile == "" {
				t.Fatalf("log files = %v", logs)
			}
			head := c.ok(t, s.url, owner, "s3api", "head-object", "--bucket", "west-logs", "--key", logFile)
			if str(head, "ServerSideEncryption") != "aws:kms" || str(head, "SSEKMSKeyId") != westARN {
				t.Fatalf("head-object = %v", head)
			}
			recs, r := c.readLog(t, s.url, bob, "west-logs", logFile)
			if r.code != 0 {
				t.Fatalf("Bob cannot read the log file: %s", r.err)
			}
			if !hasEvent(recs, "CreateUser", "userName", "audited") || !hasEvent(recs, "StartLogging", "", "") {
				t.Fatalf("the log file lacks the calls: %d records", len(recs))
			}

			// Digests: the trail's region's chain, validated by the CLI on PATH (whose S3 client
			// honours AWS_ENDPOINT_URL; 2.9.19's does not) and by keytrail's own validator.
			args := []string{"cloudtrail", "validate-logs", "--trail-arn", trailARN, "--start-time", start}
			for _, v := range []validator{{name: "aws cloudtrail validate-logs"}, {name: "keytrail validate-logs"}} {
				argv := append([]string{"aws"}, args...)
				if v.name == "keytrail validate-logs" {
					argv = append([]string{binary, "validate-logs"}, args[2:]...)
				}
				valid(t, v, runProcess(t, argv, awsEnv(t, owner, s.url)), 1)
			}
		})
	}
}
