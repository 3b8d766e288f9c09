package kms_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The key policy statements of the seed "AWS KMS の主要ポリシーの設定 CloudTrail" (Configure AWS KMS
// key policies for CloudTrail,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
// verbatim; fill puts the scenario's values in place of region, account-id, trail-name and key-id.
const (
	// 暗号化権限の付与: CloudTrail encrypts logs for a trail of the account.
	seedEncryptLogs = `{ "Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": { "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" }, "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:account-id:trail/*" } } }`
	// 暗号化権限の付与: CloudTrail encrypts an event data store (no aws:SourceArn).
	seedEncryptEventDataStore = `{ "Sid": "Allow CloudTrail to encrypt event data store", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": [ "kms:GenerateDataKey", "kms:Decrypt" ], "Resource": "*" }`
	// 暗号化権限の付与: two accounts' trails encrypt with one key.
	seedEncryptTwoAccounts = `{ "Sid": "Enable CloudTrail encrypt permissions", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:GenerateDataKey*", "Resource": "*", "Condition": { "StringLike": { "kms:EncryptionContext:aws:cloudtrail:arn": [ "arn:aws:cloudtrail:*:111111111111:trail/*", "arn:aws:cloudtrail:*:222222222222:trail/*" ] }, "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" } } }`
	// アカウントのユーザーが KMS キーで証跡ログを復号することを許可する: Bob reads the logs.
	seedBobDecrypts = `{ "Sid": "Enable CloudTrail log decrypt permissions", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:user/Bob" }, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "Null": { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } } }`
	// 復号の権限を付与する: CloudTrail decrypts a trail.
	seedCloudTrailDecrypts = `{ "Sid": "Allow CloudTrail to decrypt a trail", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:Decrypt", "Resource": "*" }`
	// 復号の権限を付与する: users of event data stores; the seed's statement lacks the comma after its Sid.
	seedEventDataStoreUser = `{ "Sid": "Enable user key permissions for event data stores" "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::account-id:user/username" }, "Action": [ "kms:Decrypt", "kms:GenerateDataKey" ], "Resource": "*" }`
	// 別のアカウントのバケットのユーザーがログを復号する権限を与える: 222222222222 reads the logs.
	seedCrossAccountRead = `{ "Sid": "Enable encrypted CloudTrail log read access", "Effect": "Allow", "Principal": { "AWS": [ "arn:aws:iam::222222222222:root" ] }, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "Null": { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } } }`
	// Alice's IAM user policy, for KeyA in us-west-2 (the scenario's key in its region once filled).
	seedAlicePolicy = `{ "Version": "2012-10-17", "Statement": [ { "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-west-2:111111111111:key/KeyA" } ] }`
	// 別のアカウントのユーザーがバケットから証跡ログを復号することを許可する: the seed names the role
	// in the eleven-digit account 11111111111.
	seedReadRole = `{ "Sid": "Enable encrypted CloudTrail log read access", "Effect": "Allow", "Principal": { "AWS": [ "arn:aws:iam::11111111111:role/CloudTrailReadRole" ] }, "Action": "kms:Decrypt", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "Null": { "kms:EncryptionContext:aws:cloudtrail:arn": "false" } } }`
	// The trust policy of CloudTrailReadRole.
	seedReadRoleTrust = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::222222222222:root" }, "Action": "sts:AssumeRole" } ] }`
	// KMS CloudTrail キープロパティを記述できるようにする: CloudTrail describes the key.
	seedDescribeKey = `{ "Sid": "Allow CloudTrail access", "Effect": "Allow", "Principal": { "Service": "cloudtrail.amazonaws.com" }, "Action": "kms:DescribeKey", "Resource": "arn:aws:kms:region:account-id:key/key-id", "Condition": { "StringEquals": { "aws:SourceArn": "arn:aws:cloudtrail:region:account-id:trail/trail-name" } } }`
)

var (
	cloudtrail = servicetest.Service("cloudtrail.amazonaws.com")
	// What CloudTrail's requests for the trail carry (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
	forTrail      = authz.Map{"aws:SourceArn": {trailARN}, "aws:SourceAccount": {keyAccount}}
	forOtherTrail = authz.Map{"aws:SourceArn": {otherTrailARN}, "aws:SourceAccount": {keyAccount}}
	trailContext  = map[string]string{"aws:cloudtrail:arn": trailARN}
)

// TestSeedTrailKey is the seed's trail key: CloudTrail encrypts for its trail and describes the
// key; Bob of the account and Alice of 222222222222 (and the CloudTrailReadRole she assumes) read
// the logs; nobody else does, and nothing works once the key is disabled or pending deletion.
func TestSeedTrailKey(t *testing.T) {
	w, svc := newKMS(t)
	key := createKey(t, w, svc, keyAccount)
	root := w.Root(keyAccount)
	bob := w.User(keyAccount, "Bob")
	carol := w.User(keyAccount, "carol")
	dave := w.User(keyAccount, "dave", identityPolicy("kms:Decrypt", "*"))
	alicePolicy := strings.NewReplacer("us-west-2", region, "key/KeyA", "key/"+key.KeyID).Replace(seedAlicePolicy)
	alice := w.User(readerAccount, "Alice", alicePolicy, identityPolicy("sts:AssumeRole", "arn:aws:iam::111111111111:role/CloudTrailReadRole"))
	erin := w.User(readerAccount, "erin")
	mallory := w.User(strangerAccount, "mallory", identityPolicy("kms:Decrypt", "*"))
	readRole := w.Role(keyAccount, "CloudTrailReadRole", seedReadRoleTrust, alice)

	// The seed's role statement as printed names an eleven-digit account: refused.
	bad := keyPolicy(rootStatement, fill(seedReadRole, key))
	servicetest.Call(w.As(root), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &bad}).
		Want("MalformedPolicyDocumentException")
	readRoleStatement := strings.Replace(fill(seedReadRole, key), "iam::11111111111:", "iam::111111111111:", 1)
	putPolicy(t, w, svc, key, keyPolicy(rootStatement, fill(seedEncryptLogs, key), fill(seedDescribeKey, key),
		fill(seedBobDecrypts, key), fill(seedCrossAccountRead, key), readRoleStatement))

	logKey := encrypt(t, w, svc, root, key.Arn, trailContext)
	noContext := encrypt(t, w, svc, root, key.Arn, nil)
	generate := func(ec map[string]string) func(ctx context.Context) error {
		return servicetest.Op(svc.GenerateDataKey, &kms.GenerateDataKeyInput{GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{
			KeyID: key.Arn, KeySpec: "AES_256", EncryptionContext: ec}})
	}
	withoutPlaintext := servicetest.Op(svc.GenerateDataKeyWithoutPlaintext, &kms.GenerateDataKeyWithoutPlaintextInput{
		KeyID: key.Arn, KeySpec: "AES_256", EncryptionContext: trailContext})
	describe := servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.Arn})
	decrypt := func(ct []byte, ec map[string]string) func(ctx context.Context) error {
		return servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	}
	encryptOp := servicetest.Op(svc.Encrypt, &kms.EncryptInput{KeyID: key.Arn, Plaintext: []byte("x"), EncryptionContext: trailContext})
	anotherAccountsTrail := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:333333333333:trail/management"}

	w.Run(t, []servicetest.Step{
		{Name: "CloudTrail makes a data key for its trail", As: cloudtrail, Keys: forTrail, Do: generate(trailContext)},
		{Name: "GenerateDataKey* covers GenerateDataKeyWithoutPlaintext", As: cloudtrail, Keys: forTrail, Do: withoutPlaintext},
		{Name: "CloudTrail describes the key for its trail", As: cloudtrail, Keys: forTrail, Do: describe},
		{Name: "the wrong aws:SourceArn: another trail", As: cloudtrail, Keys: forOtherTrail, Do: generate(trailContext), Want: "AccessDeniedException"},
		{Name: "the wrong aws:SourceArn may not describe the key", As: cloudtrail, Keys: forOtherTrail, Do: describe, Want: "AccessDeniedException"},
		{Name: "no aws:SourceArn", As: cloudtrail, Do: generate(trailContext), Want: "AccessDeniedException"},
		{Name: "a trail of another account in the context", As: cloudtrail, Keys: forTrail, Do: generate(anotherAccountsTrail), Want: "AccessDeniedException"},
		{Name: "no encryption context", As: cloudtrail, Keys: forTrail, Do: generate(nil), Want: "AccessDeniedException"},
		{Name: "CloudTrail may not Encrypt", As: cloudtrail, Keys: forTrail, Do: encryptOp, Want: "AccessDeniedException"},
		{Name: "CloudTrail may not decrypt: no statement lets it", As: cloudtrail, Keys: forTrail, Do: decrypt(logKey, trailContext), Want: "AccessDeniedException"},
		{Name: "Bob decrypts a log's data key", As: bob, Do: decrypt(logKey, trailContext)},
		{Name: "Bob: not without the aws:cloudtrail:arn context", As: bob, Do: decrypt(noContext, nil), Want: "AccessDeniedException"},
		{Name: "Bob may only decrypt", As: bob, Do: encryptOp, Want: "AccessDeniedException"},
		{Name: "a reader without kms:Decrypt", As: carol, Do: decrypt(logKey, trailContext), Want: "AccessDeniedException"},
		{Name: "a reader whose identity policy allows kms:Decrypt", As: dave, Do: decrypt(logKey, trailContext)},
		{Name: "Alice of 222222222222 decrypts a trail's log", As: alice, Do: decrypt(logKey, trailContext)},
		{Name: "Alice: not without the aws:cloudtrail:arn context", As: alice, Do: decrypt(noContext, nil), Want: "AccessDeniedException"},
		{Name: "Alice may only decrypt", As: alice, Do: encryptOp, Want: "AccessDeniedException"},
		{Name: "a user of 222222222222 without an identity policy", As: erin, Do: decrypt(logKey, trailContext), Want: "AccessDeniedException"},
		{Name: "the cross-account user whose own account never granted the key", As: mallory, Do: decrypt(logKey, trailContext), Want: "AccessDeniedException"},
		{Name: "a session of CloudTrailReadRole, assumed by Alice, decrypts", As: readRole, Do: decrypt(logKey, trailContext)},
		{Name: "the role's session: not without the context", As: readRole, Do: decrypt(noContext, nil), Want: "AccessDeniedException"},
	})
	// The envelope as the seed describes it: CloudTrail makes a log file's data key, Bob reads it.
	dk := servicetest.Call(w.As(cloudtrail).With(forTrail), svc.GenerateDataKey, &kms.GenerateDataKeyInput{
		GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{KeyID: key.Arn, KeySpec: "AES_256", EncryptionContext: trailContext}}).OK()
	got := servicetest.Call(w.As(bob), svc.Decrypt, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: trailContext}).OK()
	if !bytes.Equal(got.Plaintext, dk.Plaintext) || len(dk.Plaintext) != 32 || got.KeyID != key.Arn {
		t.Fatalf("Bob decrypted %+v; CloudTrail's data key was %+v", got, dk)
	}
	servicetest.Call(w.As(mallory), svc.Decrypt, &kms.DecryptInput{CiphertextBlob: logKey, EncryptionContext: trailContext}).
		WantMessage("User: arn:aws:iam::333333333333:user/mallory is not authorized to perform: kms:Decrypt on resource: "+key.Arn,
			"because no resource-based policy allows the kms:Decrypt action")

	// A disabled key: authorized callers are refused for cryptography, not for DescribeKey.
	servicetest.Call(w.As(root), svc.DisableKey, &kms.KeyIDInput{KeyID: key.KeyID}).OK()
	w.Run(t, []servicetest.Step{
		{Name: "disabled: CloudTrail may not make data keys", As: cloudtrail, Keys: forTrail, Do: generate(trailContext), Want: "DisabledException"},
		{Name: "disabled: Bob may not decrypt", As: bob, Do: decrypt(logKey, trailContext), Want: "DisabledException"},
		{Name: "disabled: the unauthorized are still refused as such", As: carol, Do: decrypt(logKey, trailContext), Want: "AccessDeniedException"},
		{Name: "disabled: CloudTrail still describes the key", As: cloudtrail, Keys: forTrail, Do: describe},
	})

	// Pending deletion: every cryptographic use is an invalid state.
	servicetest.Call(w.As(root), svc.EnableKey, &kms.KeyIDInput{KeyID: key.KeyID}).OK()
	servicetest.Call(w.As(root), svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID}).OK()
	w.Run(t, []servicetest.Step{
		{Name: "pending deletion: CloudTrail may not make data keys", As: cloudtrail, Keys: forTrail, Do: generate(trailContext), Want: "KMSInvalidStateException"},
		{Name: "pending deletion: Alice may not decrypt", As: alice, Do: decrypt(logKey, trailContext), Want: "KMSInvalidStateException"},
		{Name: "pending deletion: DescribeKey answers", As: cloudtrail, Keys: forTrail, Do: describe},
	})
}

// TestSeedOtherStatements: the event data store statements (no aws:SourceArn), two accounts'
// trails on one key, CloudTrail decrypting a trail, and a key whose policy lacks
// kms:GenerateDataKey* for CloudTrail.
func TestSeedOtherStatements(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	store := createKey(t, w, svc, keyAccount)
	putPolicy(t, w, svc, store, keyPolicy(rootStatement, seedEncryptEventDataStore))
	twoAccounts := createKey(t, w, svc, keyAccount)
	putPolicy(t, w, svc, twoAccounts, keyPolicy(rootStatement, fill(seedEncryptTwoAccounts, twoAccounts), seedCloudTrailDecrypts))
	describeOnly := createKey(t, w, svc, keyAccount)
	putPolicy(t, w, svc, describeOnly, keyPolicy(rootStatement, fill(seedDescribeKey, describeOnly)))

	// The seed's statement for event data store users is not JSON (no comma after its Sid).
	bad := keyPolicy(rootStatement, fill(seedEventDataStoreUser, store))
	servicetest.Call(w.As(root), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: store.KeyID, Policy: &bad}).
		Want("MalformedPolicyDocumentException")

	lakeContext := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/eds"}
	generate := func(key *kms.KeyMetadata, ec map[string]string) func(ctx context.Context) error {
		return servicetest.Op(svc.GenerateDataKey, &kms.GenerateDataKeyInput{GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{
			KeyID: key.Arn, NumberOfBytes: ptr(int32(32)), EncryptionContext: ec}})
	}
	edsBlob := encrypt(t, w, svc, root, store.Arn, lakeContext)
	trailBlob := encrypt(t, w, svc, root, twoAccounts.Arn, trailContext)
	readerTrail := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:eu-west-1:222222222222:trail/theirs"}
	w.Run(t, []servicetest.Step{
		{Name: "event data store: CloudTrail makes data keys without aws:SourceArn", As: cloudtrail, Do: generate(store, lakeContext)},
		{Name: "event data store: CloudTrail decrypts", As: cloudtrail, Do: servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: edsBlob, EncryptionContext: lakeContext})},
		{Name: "event data store: the statement names GenerateDataKey, not GenerateDataKeyWithoutPlaintext", As: cloudtrail,
			Do: servicetest.Op(svc.GenerateDataKeyWithoutPlaintext, &kms.GenerateDataKeyWithoutPlaintextInput{KeyID: store.Arn, KeySpec: "AES_128"}), Want: "AccessDeniedException"},
		{Name: "two accounts: the key account's trail", As: cloudtrail, Keys: forTrail, Do: generate(twoAccounts, trailContext)},
		{Name: "two accounts: 222222222222's trail, through the one aws:SourceArn", As: cloudtrail, Keys: forTrail, Do: generate(twoAccounts, readerTrail)},
		{Name: "two accounts: not another aws:SourceArn", As: cloudtrail, Keys: forOtherTrail, Do: generate(twoAccounts, readerTrail), Want: "AccessDeniedException"},
		{Name: "CloudTrail decrypts a trail", As: cloudtrail, Keys: forTrail, Do: servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: trailBlob, EncryptionContext: trailContext})},
		{Name: "missing kms:GenerateDataKey*: CloudTrail may not make data keys", As: cloudtrail, Keys: forTrail, Do: generate(describeOnly, trailContext), Want: "AccessDeniedException"},
		{Name: "missing kms:GenerateDataKey*: CloudTrail describes the key", As: cloudtrail, Keys: forTrail,
			Do: servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: describeOnly.Arn})},
	})
}
