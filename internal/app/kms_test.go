package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	kmssvc "github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
)

func (e *env) kms(akid, secret, token string) *kms.Client {
	return kms.New(kms.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url), Credentials: creds(akid, secret, token), RetryMaxAttempts: 1,
		HTTPClient: e.httpClient(nil)})
}

func (e *env) rootKMS() *kms.Client { return e.kms(account, rootSecret, "") }

// wantMessage fails unless err is an AWS API error with the code and a message containing want.
func wantMessage(t *testing.T, err error, code, want string) {
	t.Helper()
	wantCode(t, err, code)
	var ae smithy.APIError
	errors.As(err, &ae)
	if !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("%s message %q, want it to contain %q", code, ae.ErrorMessage(), want)
	}
}

// user creates an IAM user in the account with an inline policy (none when doc is ""), and
// returns its credentials.
func (e *env) user(t *testing.T, rootAccount, name, doc string) (string, string) {
	t.Helper()
	ctx := context.Background()
	c := e.iam(rootAccount, rootSecret, "")
	must(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	if doc != "" {
		must(c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	}
	k := must(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t).AccessKey
	return aws.ToString(k.AccessKeyId), aws.ToString(k.SecretAccessKey)
}

func TestKMSKeysAliasesAndIdentifiers(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()

	md := must(c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail logs")}))(t).KeyMetadata
	id, arn := aws.ToString(md.KeyId), aws.ToString(md.Arn)
	if arn != "arn:aws:kms:us-east-1:"+account+":key/"+id || md.KeyState != kmstypes.KeyStateEnabled || !md.Enabled ||
		md.KeySpec != kmstypes.KeySpecSymmetricDefault || md.KeyUsage != kmstypes.KeyUsageTypeEncryptDecrypt ||
		md.Origin != kmstypes.OriginTypeAwsKms || md.KeyManager != kmstypes.KeyManagerTypeCustomer || md.CreationDate == nil {
		t.Fatalf("KeyMetadata = %+v", md)
	}
	pol := aws.ToString(must(c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)}))(t).Policy)
	for _, want := range []string{`"Id" : "key-default-1"`, `"Sid" : "Enable IAM User Permissions"`, `"AWS" : "arn:aws:iam::` + account + `:root"`, `"Action" : "kms:*"`} {
		if !strings.Contains(pol, want) {
			t.Fatalf("default policy lacks %s:\n%s", want, pol)
		}
	}
	if names := must(c.ListKeyPolicies(ctx, &kms.ListKeyPoliciesInput{KeyId: aws.String(id)}))(t).PolicyNames; len(names) != 1 || names[0] != "default" {
		t.Fatalf("ListKeyPolicies = %v", names)
	}
	_, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id), PolicyName: aws.String("other")})
	wantCode(t, err, "ValidationException")

	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: kmstypes.KeySpecRsa2048})
	wantMessage(t, err, "UnsupportedOperationException", "RSA_2048")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeyUsage: kmstypes.KeyUsageTypeGenerateVerifyMac})
	wantMessage(t, err, "UnsupportedOperationException", "GENERATE_VERIFY_MAC")

	// Aliases.
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: aws.String(id)}))(t)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: aws.String(arn)})
	wantCode(t, err, "AlreadyExistsException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/s3"), TargetKeyId: aws.String(id)})
	wantCode(t, err, "InvalidAliasNameException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("trail"), TargetKeyId: aws.String(id)})
	wantCode(t, err, "InvalidAliasNameException")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/x"), TargetKeyId: aws.String("alias/trail")})
	wantCode(t, err, "ValidationException")

	// DescribeKey takes every identifier form; key policies take key IDs and ARNs only.
	for _, ref := range []string{id, arn, "alias/trail", "arn:aws:kms:us-east-1:" + account + ":alias/trail"} {
		if got := aws.ToString(must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)}))(t).KeyMetadata.Arn); got != arn {
			t.Fatalf("DescribeKey(%s) = %s", ref, got)
		}
	}
	_, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String("alias/trail")})
	wantCode(t, err, "NotFoundException")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/missing")})
	wantMessage(t, err, "NotFoundException", "alias/missing is not found")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")})
	wantMessage(t, err, "NotFoundException", "Key 'arn:aws:kms:us-east-1:"+account+":key/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:us-east-1:nope")})
	wantCode(t, err, "InvalidArnException")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:" + account + ":key/" + id)})
	wantCode(t, err, "NotFoundException")

	// Another account's key: by ARN only, and only as its key policy allows.
	o := e.kms(other, rootSecret, "")
	_, err = o.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	wantCode(t, err, "NotFoundException")
	_, err = o.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)})
	wantMessage(t, err, "AccessDeniedException", "User: arn:aws:iam::"+other+":root is not authorized to perform: kms:DescribeKey on resource: "+arn+" because no resource-based policy allows the kms:DescribeKey action")

	second := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	must(c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/trail"), TargetKeyId: aws.String(second)}))(t)
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/first"), TargetKeyId: aws.String(id)}))(t)
	all := must(c.ListAliases(ctx, &kms.ListAliasesInput{}))(t).Aliases
	// The predefined AWS aliases come first (alias/aws/…), with no key until one is needed.
	predefined := 0
	for len(all) > 0 && strings.HasPrefix(aws.ToString(all[0].AliasName), "alias/aws/") {
		if all[0].TargetKeyId != nil {
			t.Fatalf("predefined alias %s has a key", aws.ToString(all[0].AliasName))
		}
		all, predefined = all[1:], predefined+1
	}
	if predefined == 0 || len(all) != 2 || aws.ToString(all[0].AliasName) != "alias/first" || aws.ToString(all[1].TargetKeyId) != second {
		t.Fatalf("ListAliases = %+v", all)
	}
	of := must(c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: aws.String(second)}))(t).Aliases
	if len(of) != 1 || aws.ToString(of[0].AliasName) != "alias/trail" || aws.ToString(of[0].AliasArn) != "arn:aws:kms:us-east-1:"+account+":alias/trail" {
		t.Fatalf("ListAliases(KeyId) = %+v", of)
	}
	_, err = c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/none"), TargetKeyId: aws.String(second)})
	wantCode(t, err, "NotFoundException")
	must(c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/first")}))(t)
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/first")})
	wantCode(t, err, "NotFoundException")

	// ListKeys pages.
	for range 3 {
		must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t)
	}
	p1 := must(c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(3)}))(t)
	p2 := must(c.ListKeys(ctx, &kms.ListKeysInput{Marker: p1.NextMarker}))(t)
	if len(p1.Keys) != 3 || !p1.Truncated || len(p2.Keys) != 2 || p2.Truncated {
		t.Fatalf("ListKeys pages %d (%v), %d (%v)", len(p1.Keys), p1.Truncated, len(p2.Keys), p2.Truncated)
	}
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1001)})
	wantCode(t, err, "ValidationException")
	if n := len(must(o.ListKeys(ctx, &kms.ListKeysInput{}))(t).Keys); n != 0 {
		t.Fatalf("another account sees %d keys", n)
	}

	must(c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: aws.String(id), Description: aws.String("renamed")}))(t)
	if d := aws.ToString(must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t).KeyMetadata.Description); d != "renamed" {
		t.Fatalf("description %q", d)
	}

	// Tags.
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("audit")}, {TagKey: aws.String("env"), TagValue: aws.String("dev")}}}))(t)
	must(c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []kmstypes.Tag{{TagKey: aws.String("env"), TagValue: aws.String("prod")}}}))(t)
	tags := must(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)}))(t).Tags
	if len(tags) != 2 || aws.ToString(tags[0].TagKey) != "env" || aws.ToString(tags[0].TagValue) != "prod" {
		t.Fatalf("tags = %+v", tags)
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []kmstypes.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("y")}}})
	wantCode(t, err, "TagException")
	must(c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"team"}}))(t)
	if tags := must(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)}))(t).Tags; len(tags) != 1 {
		t.Fatalf("after untag: %+v", tags)
	}
}

func TestKMSEnvelopeEncryption(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	otherKey := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/logs"), TargetKeyId: aws.String(id)}))(t)
	ec := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:" + account + ":trail/t", "aws:s3:arn": "arn:aws:s3:::b/k"}

	dk := must(c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String("alias/logs"), KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: ec}))(t)
	if len(dk.Plaintext) != 32 || !strings.HasSuffix(aws.ToString(dk.KeyId), ":key/"+id) {
		t.Fatalf("GenerateDataKey = %d bytes, key %s", len(dk.Plaintext), aws.ToString(dk.KeyId))
	}
	// Decrypt needs no KeyId; pair order does not matter.
	got := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: map[string]string{"aws:s3:arn": "arn:aws:s3:::b/k", "aws:cloudtrail:arn": ec["aws:cloudtrail:arn"]}}))(t)
	if !bytes.Equal(got.Plaintext, dk.Plaintext) || aws.ToString(got.KeyId) != aws.ToString(dk.KeyId) || got.EncryptionAlgorithm != kmstypes.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatal("Decrypt did not return the data key")
	}
	must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String("alias/logs")}))(t)
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	wantCode(t, err, "InvalidCiphertextException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: map[string]string{"aws:cloudtrail:arn": ec["aws:cloudtrail:arn"], "aws:s3:arn": "arn:aws:s3:::B/k"}})
	wantCode(t, err, "InvalidCiphertextException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ec, KeyId: aws.String(otherKey)})
	wantCode(t, err, "IncorrectKeyException")
	for i := range dk.CiphertextBlob {
		tampered := bytes.Clone(dk.CiphertextBlob)
		tampered[i] ^= 0x40
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: ec})
		wantCode(t, err, "InvalidCiphertextException")
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext")})
	wantCode(t, err, "InvalidCiphertextException")

	wp := must(c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(16)}))(t)
	if n := len(must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: wp.CiphertextBlob}))(t).Plaintext); n != 16 {
		t.Fatalf("data key of %d bytes", n)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id)})
	wantCode(t, err, "ValidationException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: kmstypes.DataKeySpecAes128, NumberOfBytes: aws.Int32(16)})
	wantCode(t, err, "ValidationException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), NumberOfBytes: aws.Int32(1025)})
	wantCode(t, err, "ValidationException")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: kmstypes.DataKeySpecAes256, DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperationException")

	enc := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("secret"), EncryptionContext: ec}))(t)
	re := must(c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: ec, DestinationKeyId: aws.String(otherKey)}))(t)
	if !strings.HasSuffix(aws.ToString(re.SourceKeyId), id) || !strings.HasSuffix(aws.ToString(re.KeyId), otherKey) {
		t.Fatalf("ReEncrypt = %s → %s", aws.ToString(re.SourceKeyId), aws.ToString(re.KeyId))
	}
	if p := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob}))(t).Plaintext; string(p) != "secret" {
		t.Fatalf("re-encrypted plaintext %q", p)
	}
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: make([]byte, 4097)})
	wantCode(t, err, "ValidationException")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x"), EncryptionAlgorithm: kmstypes.EncryptionAlgorithmSpecRsaesOaepSha256})
	wantCode(t, err, "InvalidKeyUsageException")
	if n := len(must(c.GenerateRandom(ctx, &kms.GenerateRandomInput{NumberOfBytes: aws.Int32(64)}))(t).Plaintext); n != 64 {
		t.Fatalf("GenerateRandom gave %d bytes", n)
	}

	// Rotation keeps old ciphertexts decryptable.
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(89)})
	wantCode(t, err, "ValidationException")
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(90)}))(t)
	st := must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))(t)
	if !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 || st.NextRotationDate == nil {
		t.Fatalf("rotation status = %+v", st)
	}
	before := aws.ToString(must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t).KeyMetadata.KeyId)
	must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)}))(t)
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id)}))(t).Rotations
	if len(rot) != 1 || rot[0].RotationType != kmstypes.RotationTypeOnDemand {
		t.Fatalf("rotations = %+v", rot)
	}
	if p := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ec}))(t).Plaintext; string(p) != "secret" || before != id {
		t.Fatal("a ciphertext of the old version no longer decrypts")
	}
	enc2 := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("secret")}))(t)
	header := 3 + len(aws.ToString(enc.KeyId)) + 4 // format, ARN, backing version
	if bytes.Equal(enc2.CiphertextBlob[:header], enc.CiphertextBlob[:header]) {
		t.Fatal("the new ciphertext does not name the new version")
	}
	must(c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)}))(t)
	if must(c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)}))(t).KeyRotationEnabled {
		t.Fatal("rotation still enabled")
	}
}

// editKey changes a stored key record while keytrail is stopped: how tests move a deletion date
// or a rotation date into the past, so that the enforcement observed is the server's own.
func editKey(t *testing.T, dir, id string, edit func(rec map[string]any)) {
	t.Helper()
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(context.Background(), func(tx store.Tx) error {
		found := false
		err := tx.Scan("kms.keys", "", "", func(k string, v []byte) error {
			if !strings.HasSuffix(k, "/"+id) {
				return nil
			}
			var rec map[string]any
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			edit(rec)
			b, _ := json.Marshal(rec)
			found = true
			return tx.Put("kms.keys", k, b)
		})
		if err == nil && !found {
			err = errors.New("no such key " + id)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestKMSKeyStates(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	c := e.rootKMS()
	md := must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	id, arn := aws.ToString(md.KeyId), aws.ToString(md.Arn)
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/doomed"), TargetKeyId: aws.String(id)}))(t)
	ct := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")}))(t).CiphertextBlob
	gdk := func() error {
		_, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: kmstypes.DataKeySpecAes256})
		return err
	}

	must(c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}))(t)
	wantMessage(t, gdk(), "DisabledException", arn+" is disabled.")
	_, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	wantCode(t, err, "DisabledException")
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)})
	wantCode(t, err, "DisabledException")
	must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t)
	must(c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}))(t)
	if err := gdk(); err != nil {
		t.Fatal(err)
	}

	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(6)})
	wantCode(t, err, "ValidationException")
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
	wantMessage(t, err, "KMSInvalidStateException", arn+" is not pending deletion.")
	sk := must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}))(t)
	if sk.KeyState != kmstypes.KeyStatePendingDeletion || aws.ToInt32(sk.PendingWindowInDays) != 7 || time.Until(aws.ToTime(sk.DeletionDate)) < 6*24*time.Hour {
		t.Fatalf("ScheduleKeyDeletion = %+v", sk)
	}
	wantMessage(t, gdk(), "KMSInvalidStateException", arn+" is pending deletion.")
	for name, call := range map[string]func() error{
		"DisableKey": func() error { _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); return err },
		"EnableKey":  func() error { _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); return err },
		"Schedule": func() error {
			_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)})
			return err
		},
		"Tag": func() error {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []kmstypes.Tag{{TagKey: aws.String("a"), TagValue: aws.String("b")}}})
			return err
		},
		"CreateAlias": func() error {
			_, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/late"), TargetKeyId: aws.String(id)})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, call(), "KMSInvalidStateException") })
	}
	if st := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/doomed")}))(t).KeyMetadata; st.KeyState != kmstypes.KeyStatePendingDeletion || aws.ToInt32(st.PendingDeletionWindowInDays) != 7 {
		t.Fatalf("described as %+v", st)
	}
	must(c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}))(t)
	if st := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t).KeyMetadata.KeyState; st != kmstypes.KeyStateDisabled {
		t.Fatalf("after cancelling: %s, want Disabled", st)
	}

	// When the window ends the key and its aliases are gone; a window that ends while keytrail
	// is stopped is honoured when it starts again.
	must(c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}))(t)
	keep := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	if err := e.app.KMS.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}))(t)
	e.stop()
	editKey(t, dir, id, func(rec map[string]any) {
		rec["deletionDate"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	e = start(t, dir)
	c = e.rootKMS()
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	wantCode(t, err, "NotFoundException")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/doomed")})
	wantCode(t, err, "NotFoundException")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct})
	wantCode(t, err, "InvalidCiphertextException")
	must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keep)}))(t)

	// Automatic rotation happens when its period has passed.
	must(c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(keep), RotationPeriodInDays: aws.Int32(90)}))(t)
	old := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keep), Plaintext: []byte("before")}))(t).CiphertextBlob
	e.stop()
	editKey(t, dir, keep, func(rec map[string]any) {
		rec["nextRotation"] = time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	})
	e = start(t, dir)
	c = e.rootKMS()
	rot := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(keep)}))(t).Rotations
	if len(rot) != 1 || rot[0].RotationType != kmstypes.RotationTypeAutomatic {
		t.Fatalf("rotations = %+v", rot)
	}
	if p := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old}))(t).Plaintext; string(p) != "before" {
		t.Fatal("old ciphertext lost by rotation")
	}
}

func TestKMSKeyPolicies(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	put := func(doc string, bypass bool) error {
		_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String(doc), BypassPolicyLockoutSafetyCheck: bypass})
		return err
	}
	wantMessage(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, false),
		"MalformedPolicyDocumentException", "Principal: missing required element Principal")
	wantMessage(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:Team":"a"}}}]}`, false),
		"MalformedPolicyDocumentException", "OverlyPermissiveCondition:")
	wantMessage(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:user/Nobody"},"Action":"kms:*","Resource":"*"}]}`, false),
		"MalformedPolicyDocumentException", "invalid principals")
	big := `{"Version":"2012-10-17","Statement":[{"Sid":"` + strings.Repeat("x", 33000) + `","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}`
	wantCode(t, put(big, false), "LimitExceededException")
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"kms:*","Resource":"*"}]}`
	wantMessage(t, put(lockout, false), "MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	if err := put(lockout, true); err != nil {
		t.Fatal(err)
	}
	// Locked out: even the account root may no longer use or manage the key.
	_, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	wantCode(t, err, "AccessDeniedException")
	// The account the policy names uses the key by ARN; GetKeyPolicy is not a cross-account
	// operation, so not even it can read the policy.
	arn := "arn:aws:kms:us-east-1:" + account + ":key/" + id
	o := e.kms(other, rootSecret, "")
	must(o.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(arn)}))(t)
	_, err = o.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(arn)})
	wantCode(t, err, "NotFoundException")
}

func TestKMSAuthorization(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId)
	arn := "arn:aws:kms:us-east-1:" + account + ":key/" + id

	// The default key policy delegates to identity policies.
	ak, sk := e.user(t, account, "plain", "")
	plain := e.kms(ak, sk, "")
	_, err := plain.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: kmstypes.DataKeySpecAes256})
	wantMessage(t, err, "AccessDeniedException", "User: arn:aws:iam::"+account+":user/plain is not authorized to perform: kms:GenerateDataKey on resource: "+arn+" because no identity-based policy allows the kms:GenerateDataKey action")
	_, err = plain.ListKeys(ctx, &kms.ListKeysInput{})
	wantCode(t, err, "AccessDeniedException")
	_, err = plain.CreateKey(ctx, &kms.CreateKeyInput{})
	wantCode(t, err, "AccessDeniedException")
	ak, sk = e.user(t, account, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey*","kms:ListKeys","kms:CreateKey"],"Resource":"*"}]}`)
	writer := e.kms(ak, sk, "")
	dk := must(writer.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: kmstypes.DataKeySpecAes256}))(t)
	must(writer.ListKeys(ctx, &kms.ListKeysInput{}))(t)
	_, err = writer.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: dk.CiphertextBlob})
	wantCode(t, err, "AccessDeniedException")
	// CreateKey without a policy gets the default one, which is not checked for lockout; a
	// policy the caller gives that would lock it out is refused.
	must(writer.CreateKey(ctx, &kms.CreateKeyInput{}))(t)
	_, err = writer.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:user/writer"},"Action":"kms:Encrypt","Resource":"*"}]}`)})
	wantMessage(t, err, "MalformedPolicyDocumentException", "will not allow you to update the key policy")

	// Grants allow a grantee without any policy, within their constraints.
	ak, sk = e.user(t, account, "grantee", "")
	grantee := e.kms(ak, sk, "")
	ec := map[string]string{"purpose": "logs"}
	ct := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("p"), EncryptionContext: ec}))(t).CiphertextBlob
	ct2 := must(c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("p"), EncryptionContext: map[string]string{"purpose": "other"}}))(t).CiphertextBlob
	_, err = grantee.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantCode(t, err, "AccessDeniedException")
	g := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id), GranteePrincipal: aws.String("arn:aws:iam::" + account + ":user/grantee"),
		Operations:  []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt, kmstypes.GrantOperationRetireGrant},
		Constraints: &kmstypes.GrantConstraints{EncryptionContextSubset: ec}, Name: aws.String("logs")}))(t)
	must(grantee.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec}))(t)
	_, err = grantee.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct2, EncryptionContext: map[string]string{"purpose": "other"}})
	wantCode(t, err, "AccessDeniedException")
	_, err = grantee.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(arn), Plaintext: []byte("p"), EncryptionContext: ec})
	wantCode(t, err, "AccessDeniedException")
	grants := must(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: aws.String(id)}))(t).Grants
	if len(grants) != 1 || aws.ToString(grants[0].GrantId) != aws.ToString(g.GrantId) || aws.ToString(grants[0].IssuingAccount) != "arn:aws:iam::"+account+":root" || aws.ToString(grants[0].Name) != "logs" {
		t.Fatalf("ListGrants = %+v", grants)
	}
	_, err = plain.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken})
	wantCode(t, err, "AccessDeniedException")
	must(grantee.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: g.GrantToken}))(t)
	_, err = grantee.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	wantCode(t, err, "AccessDeniedException")
	g2 := must(c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id), GranteePrincipal: aws.String("arn:aws:iam::" + account + ":user/grantee"),
		RetiringPrincipal: aws.String("arn:aws:iam::" + account + ":root"), Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationEncrypt}}))(t)
	if n := len(must(c.ListRetirableGrants(ctx, &kms.ListRetirableGrantsInput{RetiringPrincipal: aws.String("arn:aws:iam::" + account + ":root")}))(t).Grants); n != 1 {
		t.Fatalf("ListRetirableGrants = %d", n)
	}
	must(c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(id), GrantId: g2.GrantId}))(t)
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: aws.String(id), GrantId: g2.GrantId})
	wantCode(t, err, "NotFoundException")
	_, err = c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: aws.String(id), GranteePrincipal: aws.String("arn:aws:iam::" + account + ":user/grantee"), Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationSign}})
	wantCode(t, err, "ValidationException")
}

// In-process callers (CloudTrail, S3) call the same KMS methods as their own principal, with the
// condition keys AWS would give them: here CloudTrail generating a data key for a trail under the
// seed's "Allow CloudTrail to encrypt logs" statement.
func TestKMSInProcessCaller(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	trail := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	policy := `{"Version":"2012-10-17","Statement":[
		{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
		{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
		 "Condition":{"StringEquals":{"aws:SourceArn":"` + trail + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}}]}`
	id := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(policy)}))(t).KeyMetadata.Arn)
	service := identity.WithPrincipal(ctx, identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"})
	in := &kmssvc.GenerateDataKeyInput{}
	in.KeyID, in.KeySpec = id, "AES_256"
	in.EncryptionContext = map[string]string{"aws:cloudtrail:arn": trail}
	out, err := e.app.KMS.GenerateDataKey(authz.WithKeys(service, map[string][]string{"aws:SourceArn": {trail}, "aws:SourceAccount": {account}}), in)
	if err != nil || len(out.Plaintext) != 32 || out.KeyID != id {
		t.Fatalf("CloudTrail's GenerateDataKey: %v", err)
	}
	_, err = e.app.KMS.GenerateDataKey(authz.WithKeys(service, map[string][]string{"aws:SourceArn": {trail + "-other"}}), in)
	if ae, ok := awserr.As(err); !ok || ae.Code != awserr.AccessDeniedException || !strings.Contains(ae.Message, "User: cloudtrail.amazonaws.com is not authorized to perform: kms:GenerateDataKey") {
		t.Fatalf("another trail: %v", err)
	}
	// The root decrypts what CloudTrail encrypted, with the same context.
	got := must(c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: out.CiphertextBlob, EncryptionContext: in.EncryptionContext}))(t)
	if !bytes.Equal(got.Plaintext, out.Plaintext) {
		t.Fatal("the data key does not round-trip")
	}
}

func TestKMSLimitsAndMarkers(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := aws.ToString(must(c.CreateKey(ctx, &kms.CreateKeyInput{Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("audit")}}}))(t).KeyMetadata.KeyId)
	for range 10 {
		must(c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)}))(t)
	}
	_, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)})
	wantCode(t, err, "LimitExceededException")
	p1 := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id), Limit: aws.Int32(4)}))(t)
	p2 := must(c.ListKeyRotations(ctx, &kms.ListKeyRotationsInput{KeyId: aws.String(id), Marker: p1.NextMarker}))(t)
	if len(p1.Rotations) != 4 || !p1.Truncated || len(p2.Rotations) != 6 || p2.Truncated {
		t.Fatalf("rotation pages %d, %d", len(p1.Rotations), len(p2.Rotations))
	}
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Marker: aws.String("zzzz-not-a-marker")})
	wantCode(t, err, "InvalidMarkerException")
	_, err = c.RetireGrant(ctx, &kms.RetireGrantInput{GrantToken: aws.String("bogus-token")})
	wantCode(t, err, "InvalidGrantTokenException")
	if tags := must(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)}))(t).Tags; len(tags) != 1 {
		t.Fatalf("CreateKey tags = %+v", tags)
	}
}
