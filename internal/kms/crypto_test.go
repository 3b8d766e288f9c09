package kms_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestEnvelopeEncryption: Encrypt, Decrypt, ReEncrypt, GenerateDataKey* and GenerateRandom, and
// the encryption context bound to each ciphertext
// (https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html).
func TestEnvelopeEncryption(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	a := createKey(t, w, svc, keyAccount)
	b := createKey(t, w, svc, keyAccount)
	servicetest.Call(as, svc.CreateAlias, &kms.AliasInput{AliasName: "alias/b", TargetKeyID: b.KeyID}).OK()
	ec := map[string]string{"aws:cloudtrail:arn": trailARN, "purpose": "test"}

	enc := servicetest.Call(as, svc.Encrypt, &kms.EncryptInput{KeyID: "alias/b", Plaintext: []byte("secret"), EncryptionContext: ec}).OK()
	if enc.KeyID != b.Arn || enc.EncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
		t.Fatalf("Encrypt = %+v", enc)
	}
	dec := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}).OK()
	if string(dec.Plaintext) != "secret" || dec.KeyID != b.Arn || dec.KeyMaterialID != b.CurrentKeyMaterialID {
		t.Fatalf("Decrypt = %+v", dec)
	}
	// The pairs' order does not matter, their values do.
	reordered := map[string]string{"purpose": "test", "aws:cloudtrail:arn": trailARN}
	servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: reordered, KeyID: b.Arn}).OK()

	gdk := servicetest.Call(as, svc.GenerateDataKey, &kms.GenerateDataKeyInput{GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{
		KeyID: a.KeyID, KeySpec: "AES_128", EncryptionContext: ec}}).OK()
	if len(gdk.Plaintext) != 16 || gdk.KeyID != a.Arn || gdk.KeyMaterialID != a.CurrentKeyMaterialID {
		t.Fatalf("GenerateDataKey = %+v", gdk)
	}
	if got := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: gdk.CiphertextBlob, EncryptionContext: ec}).OK().Plaintext; !bytes.Equal(got, gdk.Plaintext) {
		t.Fatal("the data key does not decrypt to its plaintext")
	}
	wp := servicetest.Call(as, svc.GenerateDataKeyWithoutPlaintext, &kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, NumberOfBytes: ptr(int32(64))}).OK()
	if got := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob}).OK().Plaintext; len(got) != 64 {
		t.Fatalf("data key of %d bytes; want 64", len(got))
	}

	// ReEncrypt moves the ciphertext to key a with another context, without exposing it.
	re := servicetest.Call(as, svc.ReEncrypt, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec,
		DestinationKeyID: a.Arn, DestinationEncryptionContext: map[string]string{"moved": "yes"}}).OK()
	if re.SourceKeyID != b.Arn || re.KeyID != a.Arn || re.SourceEncryptionAlgorithm != "SYMMETRIC_DEFAULT" || re.DestinationEncryptionAlgorithm != "SYMMETRIC_DEFAULT" {
		t.Fatalf("ReEncrypt = %+v", re)
	}
	if got := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"moved": "yes"}}).OK(); string(got.Plaintext) != "secret" || got.KeyID != a.Arn {
		t.Fatalf("Decrypt after ReEncrypt = %+v", got)
	}

	random := servicetest.Call(as, svc.GenerateRandom, &kms.GenerateRandomInput{NumberOfBytes: ptr(int32(24))}).OK()
	if len(random.Plaintext) != 24 {
		t.Fatalf("GenerateRandom gave %d bytes", len(random.Plaintext))
	}

	ct := enc.CiphertextBlob
	tampered := bytes.Clone(ct)
	tampered[len(tampered)-1] ^= 1
	foreign := servicetest.Call(w.As(root).In("eu-west-1"), svc.CreateKey, &kms.CreateKeyInput{}).OK().KeyMetadata
	foreignCT := servicetest.Call(w.As(root).In("eu-west-1"), svc.Encrypt, &kms.EncryptInput{KeyID: foreign.KeyID, Plaintext: []byte("x")}).OK().CiphertextBlob
	bob := w.User(keyAccount, "bob")
	decrypt := func(in *kms.DecryptInput) func(context.Context) error { return servicetest.Op(svc.Decrypt, in) }
	encrypt := func(in *kms.EncryptInput) func(context.Context) error { return servicetest.Op(svc.Encrypt, in) }
	gen := func(in kms.GenerateDataKeyWithoutPlaintextInput) func(context.Context) error {
		return servicetest.Op(svc.GenerateDataKey, &kms.GenerateDataKeyInput{GenerateDataKeyWithoutPlaintextInput: in})
	}
	reencrypt := func(in *kms.ReEncryptInput) func(context.Context) error { return servicetest.Op(svc.ReEncrypt, in) }
	random0 := servicetest.Op(svc.GenerateRandom, &kms.GenerateRandomInput{NumberOfBytes: ptr(int32(0))})
	w.Run(t, []servicetest.Step{
		{Name: "encryption context mismatch", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: map[string]string{"purpose": "test"}}), Want: "InvalidCiphertextException"},
		{Name: "a value changed in the context", As: root,
			Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: map[string]string{"aws:cloudtrail:arn": otherTrailARN, "purpose": "test"}}), Want: "InvalidCiphertextException"},
		{Name: "no context", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct}), Want: "InvalidCiphertextException"},
		{Name: "a tampered ciphertext", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec}), Want: "InvalidCiphertextException"},
		{Name: "not a ciphertext", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext blob at all, really")}), Want: "InvalidCiphertextException"},
		{Name: "a ciphertext of another region's key", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: foreignCT}), Want: "InvalidCiphertextException"},
		{Name: "no ciphertext", As: root, Do: decrypt(&kms.DecryptInput{}), Want: "ValidationException"},
		{Name: "a ciphertext over 6144 bytes", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: make([]byte, 6145)}), Want: "ValidationException"},
		{Name: "the KeyId of another key", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, KeyID: a.KeyID}), Want: "IncorrectKeyException"},
		{Name: "a KeyId that names no key", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, KeyID: "alias/none"}), Want: "NotFoundException"},
		{Name: "an asymmetric algorithm", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, EncryptionAlgorithm: "RSAES_OAEP_SHA_256"}), Want: "InvalidKeyUsageException"},
		{Name: "a Recipient", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, Recipient: &struct{}{}}), Want: "UnsupportedOperationException"},
		{Name: "Decrypt with DryRun", As: root, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec, DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "a user without kms:Decrypt", As: bob, Do: decrypt(&kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec}), Want: "AccessDeniedException"},
		{Name: "encrypt nothing", As: root, Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID}), Want: "ValidationException"},
		{Name: "encrypt over 4096 bytes", As: root, Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID, Plaintext: make([]byte, 4097)}), Want: "ValidationException"},
		{Name: "encrypt with an asymmetric algorithm", As: root, Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID, Plaintext: []byte("x"), EncryptionAlgorithm: "RSAES_OAEP_SHA_1"}), Want: "InvalidKeyUsageException"},
		{Name: "an empty context key", As: root, Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID, Plaintext: []byte("x"), EncryptionContext: map[string]string{"": "v"}}), Want: "ValidationException"},
		{Name: "a context over 8192 bytes", As: root,
			Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID, Plaintext: []byte("x"), EncryptionContext: map[string]string{"k": strings.Repeat("v", 8192)}}), Want: "ValidationException"},
		{Name: "Encrypt with DryRun", As: root, Do: encrypt(&kms.EncryptInput{KeyID: a.KeyID, Plaintext: []byte("x"), DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "encrypt without a KeyId", As: root, Do: encrypt(&kms.EncryptInput{Plaintext: []byte("x")}), Want: "ValidationException"},
		{Name: "a data key with both NumberOfBytes and KeySpec", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, KeySpec: "AES_256", NumberOfBytes: ptr(int32(32))}), Want: "ValidationException"},
		{Name: "a data key with neither", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID}), Want: "ValidationException"},
		{Name: "a data key of 0 bytes", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, NumberOfBytes: ptr(int32(0))}), Want: "ValidationException"},
		{Name: "a data key of 1025 bytes", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, NumberOfBytes: ptr(int32(1025))}), Want: "ValidationException"},
		{Name: "a data key of an unknown spec", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, KeySpec: "AES_512"}), Want: "ValidationException"},
		{Name: "GenerateDataKey with DryRun", As: root, Do: gen(kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, KeySpec: "AES_256", DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "GenerateDataKey for a Recipient", As: root, Do: servicetest.Op(svc.GenerateDataKey, &kms.GenerateDataKeyInput{
			GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, KeySpec: "AES_256"}, Recipient: &struct{}{}}), Want: "UnsupportedOperationException"},
		{Name: "ReEncrypt with the wrong source context", As: root, Do: reencrypt(&kms.ReEncryptInput{CiphertextBlob: ct, DestinationKeyID: a.KeyID}), Want: "InvalidCiphertextException"},
		{Name: "ReEncrypt to a missing key", As: root,
			Do: reencrypt(&kms.ReEncryptInput{CiphertextBlob: ct, SourceEncryptionContext: ec, DestinationKeyID: "alias/none"}), Want: "NotFoundException"},
		{Name: "ReEncrypt with an asymmetric algorithm", As: root,
			Do: reencrypt(&kms.ReEncryptInput{CiphertextBlob: ct, SourceEncryptionContext: ec, DestinationKeyID: a.KeyID, DestinationEncryptionAlgorithm: "SM2PKE"}), Want: "InvalidKeyUsageException"},
		{Name: "ReEncrypt with DryRun", As: root,
			Do: reencrypt(&kms.ReEncryptInput{CiphertextBlob: ct, SourceEncryptionContext: ec, DestinationKeyID: a.KeyID, DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "ReEncrypt as a user without kms:ReEncryptFrom", As: bob,
			Do: reencrypt(&kms.ReEncryptInput{CiphertextBlob: ct, SourceEncryptionContext: ec, DestinationKeyID: a.KeyID}), Want: "AccessDeniedException"},
		{Name: "GenerateRandom of 0 bytes", As: root, Do: random0, Want: "ValidationException"},
		{Name: "GenerateRandom without a size", As: root, Do: servicetest.Op(svc.GenerateRandom, &kms.GenerateRandomInput{}), Want: "ValidationException"},
		{Name: "GenerateRandom in a custom key store", As: root,
			Do: servicetest.Op(svc.GenerateRandom, &kms.GenerateRandomInput{NumberOfBytes: ptr(int32(8)), CustomKeyStoreID: "cks-1"}), Want: "UnsupportedOperationException"},
		{Name: "GenerateRandom as a user without kms:GenerateRandom", As: bob,
			Do: servicetest.Op(svc.GenerateRandom, &kms.GenerateRandomInput{NumberOfBytes: ptr(int32(8))}), Want: "AccessDeniedException"},
	})
	servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{}).
		WantMessage("1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length between 1 and 6144")
	servicetest.Call(as, svc.GenerateDataKey, &kms.GenerateDataKeyInput{GenerateDataKeyWithoutPlaintextInput: kms.GenerateDataKeyWithoutPlaintextInput{KeyID: a.KeyID, KeySpec: "AES_512"}}).
		WantMessage("1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]")
	servicetest.Call(as, svc.Encrypt, &kms.EncryptInput{KeyID: a.KeyID, Plaintext: []byte("x"), EncryptionContext: map[string]string{"": "v"}}).
		WantMessage("1 validation error detected: encryptionContext keys must not be empty")
	servicetest.Call(as, svc.Encrypt, &kms.EncryptInput{Plaintext: []byte("x")}).
		WantMessage("1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null")

	// A disabled source key cannot be re-encrypted from.
	servicetest.Call(as, svc.DisableKey, &kms.KeyIDInput{KeyID: b.KeyID}).OK()
	servicetest.Call(as, svc.ReEncrypt, &kms.ReEncryptInput{CiphertextBlob: ct, SourceEncryptionContext: ec, DestinationKeyID: a.KeyID}).Want("DisabledException")
	servicetest.Call(as, svc.Encrypt, &kms.EncryptInput{KeyID: b.KeyID, Plaintext: []byte("x")}).Want("DisabledException").WantMessage(b.Arn + " is disabled.")
}

// TestEncryptionContextConditions: key policy conditions on kms:EncryptionContext:,
// kms:EncryptionContextKeys, kms:CallerAccount and kms:RequestAlias
// (https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html).
func TestEncryptionContextConditions(t *testing.T) {
	w, svc := newKMS(t)
	key := createKey(t, w, svc, keyAccount)
	root := w.Root(keyAccount)
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "alias/app", TargetKeyID: key.KeyID}).OK()
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "alias/other", TargetKeyID: key.KeyID}).OK()
	bob := w.User(keyAccount, "bob")
	putPolicy(t, w, svc, key, keyPolicy(rootStatement,
		`{"Sid": "Bob encrypts for the app", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"}, "Action": "kms:Encrypt", "Resource": "*",
		  "Condition": {"StringEquals": {"kms:EncryptionContext:App": "billing", "kms:CallerAccount": "111111111111", "kms:RequestAlias": "alias/app"},
		                "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["App", "Tenant"]}}}`))
	encrypt := func(id string, ec map[string]string) func(context.Context) error {
		return servicetest.Op(svc.Encrypt, &kms.EncryptInput{KeyID: id, Plaintext: []byte("x"), EncryptionContext: ec})
	}
	w.Run(t, []servicetest.Step{
		{Name: "the app's context through the app's alias", As: bob, Do: encrypt("alias/app", map[string]string{"App": "billing"})},
		{Name: "both allowed context keys", As: bob, Do: encrypt("alias/app", map[string]string{"App": "billing", "Tenant": "t1"})},
		{Name: "kms:EncryptionContextKeys compares key names as they are: app is not App", As: bob,
			Do: encrypt("alias/app", map[string]string{"app": "billing"}), Want: "AccessDeniedException"},
		{Name: "the alias ARN counts as the alias", As: bob, Do: encrypt("arn:aws:kms:us-east-1:111111111111:alias/app", map[string]string{"App": "billing"})},
		{Name: "another alias", As: bob, Do: encrypt("alias/other", map[string]string{"App": "billing"}), Want: "AccessDeniedException"},
		{Name: "the key ID: no alias", As: bob, Do: encrypt(key.KeyID, map[string]string{"App": "billing"}), Want: "AccessDeniedException"},
		{Name: "another value", As: bob, Do: encrypt("alias/app", map[string]string{"App": "payroll"}), Want: "AccessDeniedException"},
		{Name: "a context key not allowed", As: bob, Do: encrypt("alias/app", map[string]string{"App": "billing", "Extra": "x"}), Want: "AccessDeniedException"},
		{Name: "no context", As: bob, Do: encrypt("alias/app", nil), Want: "AccessDeniedException"},
	})
}
