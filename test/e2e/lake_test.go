//go:build e2e

package e2e

import (
	"strings"
	"testing"
)

// The seed's statements for an event data store's key (000_4a74c2ab163936f9.txt, "Required KMS
// key policy elements for event data stores"), verbatim but for the placeholders and the comma
// the page's user statement lacks after its Sid.
const (
	seedStoreEncrypt = `{ "Sid": "Allow CloudTrail to encrypt event data store", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": [ "kms:GenerateDataKey", "kms:Decrypt" ], "Resource": "*" }`
	seedStoreUser    = `{ "Sid": "Enable user key permissions for event data stores", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::account-id:user/username" }, "Action": [ "kms:Decrypt", "kms:GenerateDataKey" ], "Resource": "*" }`
	storeRootStmt    = `{ "Sid": "Enable IAM user permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111122223333:root" }, "Action": "kms:*", "Resource": "*" }`
	cloudTrailAdmin  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"}]}`
)

// TestSeedEventDataStoreKeys walks the seed's key rules for event data stores with both CLIs: a
// key whose policy lacks CloudTrail's statement is refused with
// InsufficientEncryptionPolicyException, the seed's statements make a store that is ENABLED, a
// disabled key is refused, and a store's key, once set, cannot be changed.
func TestSeedEventDataStoreKeys(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			alice := c.newUser(t, s.url, root, "alice")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "lake", "--policy-document", cloudTrailAdmin)
			user := strings.NewReplacer("account-id", account, "username", "alice").Replace(seedStoreUser)
			newKey := func(policy string) (string, string) {
				md := c.ok(t, s.url, root, "kms", "create-key", "--description", "event data store key", "--policy", policy)
				return str(md, "KeyMetadata", "KeyId"), str(md, "KeyMetadata", "Arn")
			}

			// The key policy names alice but not CloudTrail.
			_, noCloudTrail := newKey(keyPolicy(storeRootStmt, user))
			c.fails(t, s.url, alice, nil, "InsufficientEncryptionPolicyException", "cloudtrail", "create-event-data-store", "--name", "audit", "--kms-key-id", noCloudTrail)

			// The seed's statements: created, then ENABLED, with the key's ARN; by its alias too.
			id, arn := newKey(keyPolicy(storeRootStmt, seedStoreEncrypt, user))
			c.ok(t, s.url, root, "kms", "create-alias", "--alias-name", "alias/lake", "--target-key-id", id)
			created := c.ok(t, s.url, alice, "cloudtrail", "create-event-data-store", "--name", "audit", "--kms-key-id", "alias/lake", "--no-termination-protection-enabled")
			store := str(created, "EventDataStoreArn")
			if str(created, "KmsKeyId") != arn || !strings.HasPrefix(store, "arn:aws:cloudtrail:us-east-1:"+account+":eventdatastore/") {
				t.Fatalf("create-event-data-store = %v", created)
			}
			got := c.ok(t, s.url, alice, "cloudtrail", "get-event-data-store", "--event-data-store", store)
			if str(got, "Status") != "ENABLED" || str(got, "KmsKeyId") != arn || got["MultiRegionEnabled"] != true || got["RetentionPeriod"] != float64(366) {
				t.Fatalf("get-event-data-store = %v", got)
			}

			// Once set, the key cannot be changed.
			_, other := newKey(keyPolicy(storeRootStmt, seedStoreEncrypt, user))
			c.fails(t, s.url, alice, nil, "InvalidParameterException", "cloudtrail", "update-event-data-store", "--event-data-store", store, "--kms-key-id", other)

			// A disabled key is refused; enabled again, it is accepted.
			disabled, _ := newKey(keyPolicy(storeRootStmt, seedStoreEncrypt, user))
			c.ok(t, s.url, root, "kms", "disable-key", "--key-id", disabled)
			c.fails(t, s.url, alice, nil, "KmsException", "cloudtrail", "create-event-data-store", "--name", "disabled", "--kms-key-id", disabled)
			c.ok(t, s.url, root, "kms", "enable-key", "--key-id", disabled)
			c.ok(t, s.url, alice, "cloudtrail", "create-event-data-store", "--name", "disabled", "--kms-key-id", disabled)

			// A store without a key takes one, once.
			plain := str(c.ok(t, s.url, alice, "cloudtrail", "create-event-data-store", "--name", "plain", "--no-multi-region-enabled"), "EventDataStoreArn")
			updated := c.ok(t, s.url, alice, "cloudtrail", "update-event-data-store", "--event-data-store", plain, "--kms-key-id", arn)
			if str(updated, "KmsKeyId") != arn || updated["MultiRegionEnabled"] != false {
				t.Fatalf("update-event-data-store = %v", updated)
			}
			list := c.ok(t, s.url, alice, "cloudtrail", "list-event-data-stores")
			if stores, _ := list["EventDataStores"].([]any); len(stores) != 3 {
				t.Fatalf("list-event-data-stores = %v", list)
			}
			c.ok(t, s.url, alice, "cloudtrail", "delete-event-data-store", "--event-data-store", store)
			if got := c.ok(t, s.url, alice, "cloudtrail", "get-event-data-store", "--event-data-store", store); str(got, "Status") != "PENDING_DELETION" {
				t.Fatalf("after delete-event-data-store: %v", got)
			}
		})
	}
}
