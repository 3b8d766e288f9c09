package lake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The seed's key rules for event data stores, as a table: which key policy, which caller, which
// answer. alice is named in the key policies; bob is not and has no KMS permission of his own;
// carol is not named but her identity policy allows GenerateDataKey and Decrypt (the root
// statement delegates to IAM); dave's allows GenerateDataKey only.
func TestKeyPolicyRules(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	bob := lw.User(acct, "bob", allowCloudTrail())
	carol := lw.User(acct, "carol", allowCloudTrail("kms:GenerateDataKey", "kms:Decrypt"))
	dave := lw.User(acct, "dave", allowCloudTrail("kms:GenerateDataKey"))
	erin := lw.User(acct, "erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`)

	seed := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	seedSplit := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptOnlyStatement, decryptStatement, userStatement)).Arn
	noCloudTrail := lw.key(t, "us-east-1", keyPolicy(rootStatement, userStatement)).Arn
	sourceArn := lw.key(t, "us-east-1", keyPolicy(rootStatement, sourceArnStatement, userStatement)).Arn
	sourceAccount := lw.key(t, "us-east-1", keyPolicy(rootStatement, sourceAccountStatement, userStatement)).Arn
	encryptOnly := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptOnlyStatement, userStatement)).Arn
	console := lw.key(t, "us-east-1", consolePolicy(alice)).Arn

	n := 0
	create := func(key string) func(context.Context) error {
		n++
		in := &lake.CreateEventDataStoreInput{Name: fmt.Sprintf("store-%d", n), KmsKeyID: key, TerminationProtectionEnabled: ptr(false)}
		return servicetest.Op(lw.Lake.CreateEventDataStore, in)
	}
	lw.Run(t, []servicetest.Step{
		{Name: "the seed's statements: alice creates", As: a, Do: create(seed)},
		{Name: "the seed's separate encrypt and decrypt statements", As: a, Do: create(seedSplit)},
		{Name: "the console's default policy, pasted as is", As: a, Do: create(console)},
		{Name: "no statement for CloudTrail", As: a, Do: create(noCloudTrail), Want: "InsufficientEncryptionPolicyException"},
		{Name: "CloudTrail's statement conditioned on aws:SourceArn does not match", As: a, Do: create(sourceArn), Want: "InsufficientEncryptionPolicyException"},
		{Name: "CloudTrail's statement conditioned on aws:SourceAccount does not match", As: a, Do: create(sourceAccount), Want: "InsufficientEncryptionPolicyException"},
		{Name: "CloudTrail may encrypt but not decrypt", As: a, Do: create(encryptOnly), Want: "InsufficientEncryptionPolicyException"},
		{Name: "bob: neither key policy nor identity policy", As: bob, Do: create(seed), Want: "InsufficientEncryptionPolicyException"},
		{Name: "carol: her identity policy, through the root statement", As: carol, Do: create(seed)},
		{Name: "dave: GenerateDataKey without Decrypt", As: dave, Do: create(seed), Want: "InsufficientEncryptionPolicyException"},
		{Name: "erin: no cloudtrail:CreateEventDataStore", As: erin, Do: create(seed), Want: "AccessDeniedException"},
	})
}

// The message of a refusal names the key, the principal and the permission missing.
func TestInsufficientEncryptionPolicyMessage(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(t, "us-east-1", keyPolicy(rootStatement, userStatement)).Arn
	servicetest.Call(lw.As(a), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit", KmsKeyID: key}).
		Want("InsufficientEncryptionPolicyException").
		WantMessage("The policy for KMS key "+key+" does not have sufficient permissions", "cloudtrail.amazonaws.com", "kms:GenerateDataKey")
	bob := lw.User(acct, "bob", allowCloudTrail())
	good := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement)).Arn
	servicetest.Call(lw.As(bob), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit", KmsKeyID: good}).
		Want("InsufficientEncryptionPolicyException").WantMessage("arn:aws:iam::" + acct + ":user/bob")
}

// KmsKeyId may be an alias name, an alias ARN, a key ARN or a key ID; the store records the key
// ARN. A key of another Region is not found, another account's is refused, a malformed one is
// invalid, one that does not exist is not found.
func TestKeyForms(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	policy := keyPolicy(rootStatement, encryptStatement, userStatement)
	k := lw.key(t, "us-east-1", policy)
	servicetest.Call(lw.root, lw.KMS.CreateAlias, &kms.AliasInput{AliasName: "alias/lake", TargetKeyID: k.KeyID}).OK()
	for i, id := range []string{"alias/lake", "arn:aws:kms:us-east-1:" + acct + ":alias/lake", k.Arn, k.KeyID} {
		out := servicetest.Call(lw.As(a), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: fmt.Sprintf("form-%d", i), KmsKeyID: id}).OK()
		if out.KmsKeyID != k.Arn {
			t.Errorf("KmsKeyId %s: the store's key is %s, want %s", id, out.KmsKeyID, k.Arn)
		}
	}
	eu := lw.key(t, "eu-west-1", policy)
	otherKey := "arn:aws:kms:us-east-1:" + other + ":key/0b8a4c1e-6f3d-4e58-9a2b-7c1d2e3f4a5b"
	create := func(name, key string) func(context.Context) error {
		return servicetest.Op(lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: name, KmsKeyID: key})
	}
	lw.Run(t, []servicetest.Step{
		{Name: "a key of another Region, by ARN", As: a, Do: create("europe", eu.Arn), Want: "KmsKeyNotFoundException"},
		{Name: "a key of another Region, by ID from us-east-1", As: a, Do: create("europe", eu.KeyID), Want: "KmsKeyNotFoundException"},
		{Name: "the same key from its own Region", As: a, In: "eu-west-1", Do: create("europe", eu.KeyID)},
		{Name: "another account's key", As: a, Do: create("other", otherKey), Want: "KmsException"},
		{Name: "not a key identifier", As: a, Do: create("bad", "my-key"), Want: "InvalidKmsKeyIdException"},
		{Name: "an alias that does not exist", As: a, Do: create("missing", "alias/missing"), Want: "KmsKeyNotFoundException"},
		{Name: "a key ID that does not exist", As: a, Do: create("missing", "1234abcd-12ab-34cd-56ef-1234567890ab"), Want: "KmsKeyNotFoundException"},
	})
	// The refused creations left nothing behind.
	list := servicetest.Call(lw.root, lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{}).OK()
	if len(list.EventDataStores) != 5 { // four forms and the eu-west-1 store, multi-Region
		t.Errorf("%d stores listed, want 5", len(list.EventDataStores))
	}
}

// A disabled key, or one pending deletion, cannot be given to a store.
func TestKeyState(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	policy := keyPolicy(rootStatement, encryptStatement, userStatement)
	disabled := lw.key(t, "us-east-1", policy)
	servicetest.Call(lw.root, lw.KMS.DisableKey, &kms.KeyIDInput{KeyID: disabled.KeyID}).OK()
	pending := lw.key(t, "us-east-1", policy)
	servicetest.Call(lw.root, lw.KMS.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: pending.KeyID, PendingWindowInDays: ptr(int32(7))}).OK()
	servicetest.Call(lw.As(a), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "disabled", KmsKeyID: disabled.Arn}).
		Want("KmsException").WantMessage(disabled.Arn)
	servicetest.Call(lw.As(a), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "pending", KmsKeyID: pending.Arn}).Want("KmsException")
	// Enabled again, the key is accepted.
	servicetest.Call(lw.root, lw.KMS.EnableKey, &kms.KeyIDInput{KeyID: disabled.KeyID}).OK()
	servicetest.Call(lw.As(a), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "enabled", KmsKeyID: disabled.Arn}).OK()
}

// A key can be added to a store that has none, and then never changed or removed; naming the key
// it has (in any form) changes nothing. The key added is checked as at creation.
func TestKeyAddedNeverChanged(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	policy := keyPolicy(rootStatement, encryptStatement, userStatement)
	first, second := lw.key(t, "us-east-1", policy), lw.key(t, "us-east-1", policy)
	bad := lw.key(t, "us-east-1", keyPolicy(rootStatement, userStatement))
	arn := lw.create(t, a, lake.CreateEventDataStoreInput{})
	update := func(key string) func(context.Context) error {
		return servicetest.Op(lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn, KmsKeyID: &key})
	}
	lw.Run(t, []servicetest.Step{
		{Name: "a key without CloudTrail's statement", As: a, Do: update(bad.Arn), Want: "InsufficientEncryptionPolicyException"},
		{Name: "a key added to a store without one", As: a, Do: update(first.KeyID)},
		{Name: "the same key again, by ARN", As: a, Do: update(first.Arn)},
		{Name: "the same key again, by ID", As: a, Do: update(first.KeyID)},
		{Name: "another key", As: a, Do: update(second.Arn), Want: "InvalidParameterException"},
		{Name: "the key removed", As: a, Do: update(""), Want: "InvalidParameterException"},
	})
	if got := lw.get(t, arn).KmsKeyID; got != first.Arn {
		t.Errorf("the store's key is %q, want %s", got, first.Arn)
	}
}

// A store without a key never gets one by an update that names none.
func TestUpdateWithoutKeyKeepsNone(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	out := servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn, RetentionPeriod: ptr(90)}).OK()
	if out.KmsKeyID != "" || out.RetentionPeriod != 90 {
		t.Errorf("after the update: key %q, retention %d; want none and 90", out.KmsKeyID, out.RetentionPeriod)
	}
	if !strings.HasSuffix(out.EventDataStoreArn, arn[strings.LastIndexByte(arn, '/'):]) {
		t.Errorf("the update answered for %s, want %s", out.EventDataStoreArn, arn)
	}
}

// Terraform's acceptance test for aws_cloudtrail_event_data_store's kms_key_id, which ran against
// AWS, creates the store with a key whose only statement allows everyone everything
// (hashicorp/terraform-provider-aws, internal/service/cloudtrail/event_data_store_test.go): the
// wildcard principal covers the caller and CloudTrail alike.
func TestWildcardKeyPolicy(t *testing.T) {
	lw := newLakeWorld(t)
	key := lw.key(t, "us-east-1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`)
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "terraform", KmsKeyID: key.Arn}).OK()
}

// The console's default policy made for a role: its third statement names the role, and a session
// of the role creates the store.
func TestConsolePolicyForRole(t *testing.T) {
	lw := newLakeWorld(t)
	ops := lw.User(acct, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"sts:AssumeRole"}]}`
	admin := lw.Role(acct, "lake-admin", trust, ops, allowCloudTrail())
	key := lw.key(t, "us-east-1", consolePolicy("arn:aws:iam::"+acct+":role/lake-admin"))
	servicetest.Call(lw.As(admin), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "console", KmsKeyID: key.Arn}).OK()
	// Without the third statement the session has no KMS permission of its own.
	bare := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement))
	servicetest.Call(lw.As(admin), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "bare", KmsKeyID: bare.Arn}).
		Want("InsufficientEncryptionPolicyException")
}
