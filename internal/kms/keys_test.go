package kms_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestCreateKey: the key CreateKey makes, and the requests it refuses
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
func TestCreateKey(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	md := servicetest.Call(w.As(root), svc.CreateKey, &kms.CreateKeyInput{Description: "trail logs", Tags: []kms.Tag{{TagKey: "team", TagValue: "audit"}}}).OK().KeyMetadata
	if md.Arn != "arn:aws:kms:us-east-1:111111111111:key/"+md.KeyID || md.AWSAccountID != keyAccount || !md.Enabled || md.KeyState != "Enabled" ||
		md.KeySpec != "SYMMETRIC_DEFAULT" || md.KeyUsage != "ENCRYPT_DECRYPT" || md.Origin != "AWS_KMS" || md.KeyManager != "CUSTOMER" ||
		md.Description != "trail logs" || md.CurrentKeyMaterialID == "" || md.CreationDate == nil || md.DeletionDate != nil {
		t.Fatalf("KeyMetadata = %+v", md)
	}
	pol := servicetest.Call(w.As(root), svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: md.KeyID}).OK()
	for _, want := range []string{`"Id" : "key-default-1"`, `"AWS" : "arn:aws:iam::111111111111:root"`, `"Action" : "kms:*"`} {
		if !strings.Contains(pol.Policy, want) || pol.PolicyName != "default" {
			t.Fatalf("default policy lacks %s:\n%s", want, pol.Policy)
		}
	}

	bob := w.User(keyAccount, "bob")
	creator := w.User(keyAccount, "creator", identityPolicy("kms:CreateKey", "*"))
	lockedOut := keyPolicy(`{"Sid": "Bob only", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"}, "Action": "kms:*", "Resource": "*"}`)
	ghost := keyPolicy(rootStatement, `{"Sid": "Ghost", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/ghost"}, "Action": "kms:Decrypt", "Resource": "*"}`)
	huge := keyPolicy(rootStatement, `{"Sid": "`+strings.Repeat("x", 33000)+`", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:Decrypt", "Resource": "*"}`)
	create := func(in *kms.CreateKeyInput) func(context.Context) error { return servicetest.Op(svc.CreateKey, in) }
	w.Run(t, []servicetest.Step{
		{Name: "a user with kms:CreateKey", As: creator, Do: create(&kms.CreateKeyInput{})},
		{Name: "a user without kms:CreateKey", As: bob, Do: create(&kms.CreateKeyInput{}), Want: "AccessDeniedException"},
		{Name: "a service principal", As: cloudtrail, Do: create(&kms.CreateKeyInput{}), Want: "AccessDeniedException"},
		{Name: "a description over 8192 characters", As: root, Do: create(&kms.CreateKeyInput{Description: strings.Repeat("d", 8193)}), Want: "ValidationException"},
		{Name: "an empty policy", As: root, Do: create(&kms.CreateKeyInput{Policy: ptr("")}), Want: "ValidationException"},
		{Name: "an asymmetric key spec", As: root, Do: create(&kms.CreateKeyInput{KeySpec: "RSA_2048"}), Want: "UnsupportedOperationException"},
		{Name: "a customer master key spec", As: root, Do: create(&kms.CreateKeyInput{CustomerMasterKeySpec: "HMAC_256"}), Want: "UnsupportedOperationException"},
		{Name: "a signing key", As: root, Do: create(&kms.CreateKeyInput{KeyUsage: "SIGN_VERIFY"}), Want: "UnsupportedOperationException"},
		{Name: "imported key material", As: root, Do: create(&kms.CreateKeyInput{Origin: "EXTERNAL"}), Want: "UnsupportedOperationException"},
		{Name: "a multi-Region key", As: root, Do: create(&kms.CreateKeyInput{MultiRegion: ptr(true)}), Want: "UnsupportedOperationException"},
		{Name: "a reserved tag", As: root, Do: create(&kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: "aws:owner", TagValue: "x"}}}), Want: "TagException"},
		{Name: "an empty tag key", As: root, Do: create(&kms.CreateKeyInput{Tags: []kms.Tag{{TagKey: ""}}}), Want: "TagException"},
		{Name: "a policy that locks the caller out", As: root, Do: create(&kms.CreateKeyInput{Policy: &lockedOut}), Want: "MalformedPolicyDocumentException"},
		{Name: "the same policy with the lockout check bypassed", As: root, Do: create(&kms.CreateKeyInput{Policy: &lockedOut, BypassPolicyLockoutSafetyCheck: true})},
		{Name: "a policy naming a user that does not exist", As: root, Do: create(&kms.CreateKeyInput{Policy: &ghost}), Want: "MalformedPolicyDocumentException"},
		{Name: "a policy over 32 KiB", As: root, Do: create(&kms.CreateKeyInput{Policy: &huge}), Want: "LimitExceededException"},
		{Name: "a policy that is not JSON", As: root, Do: create(&kms.CreateKeyInput{Policy: ptr("{")}), Want: "MalformedPolicyDocumentException"},
	})
	servicetest.Call(w.As(root), svc.CreateKey, &kms.CreateKeyInput{Policy: &ghost}).WantMessage("arn:aws:iam::111111111111:user/ghost does not exist")
	servicetest.Call(w.As(root), svc.CreateKey, &kms.CreateKeyInput{Policy: &lockedOut}).
		WantMessage("The new key policy will not allow you to update the key policy in the future.")
	servicetest.Call(w.As(root), svc.CreateKey, &kms.CreateKeyInput{Description: strings.Repeat("d", 8193)}).
		WantMessage("1 validation error detected: Value '", "' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")

	// A context without an authenticated caller is refused.
	if _, err := svc.ListKeys(context.Background(), &kms.PageInput{}); err == nil || !strings.Contains(err.Error(), "no authenticated caller") {
		t.Fatalf("ListKeys without a caller: %v", err)
	}
}

// TestKeyIdentifiers: the forms a KeyId takes and which operations accept which
// (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id).
func TestKeyIdentifiers(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	key := createKey(t, w, svc, keyAccount)
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "alias/logs", TargetKeyID: key.KeyID}).OK()
	stranger := w.Root(strangerAccount)
	describe := func(id string) func(context.Context) error {
		return servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: id})
	}
	missing := "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000"
	w.Run(t, []servicetest.Step{
		{Name: "key ID", As: root, Do: describe(key.KeyID)},
		{Name: "key ARN", As: root, Do: describe(key.Arn)},
		{Name: "alias name", As: root, Do: describe("alias/logs")},
		{Name: "alias ARN", As: root, Do: describe("arn:aws:kms:us-east-1:111111111111:alias/logs")},
		{Name: "an alias ARN of another region", As: root, Do: describe("arn:aws:kms:eu-west-1:111111111111:alias/logs"), Want: "NotFoundException"},
		{Name: "a missing alias", As: root, Do: describe("alias/none"), Want: "NotFoundException"},
		{Name: "a missing key", As: root, Do: describe(missing), Want: "NotFoundException"},
		{Name: "not a key ID", As: root, Do: describe("not-a-key"), Want: "NotFoundException"},
		{Name: "a malformed ARN", As: root, Do: describe("arn:aws:kms:us-east-1:1111:key/x"), Want: "InvalidArnException"},
		{Name: "an empty KeyId", As: root, Do: describe(""), Want: "ValidationException"},
		{Name: "a KeyId over 2048 characters", As: root, Do: describe(strings.Repeat("k", 2049)), Want: "ValidationException"},
		{Name: "the key ARN in another region", As: root, In: "eu-west-1", Do: describe(key.Arn), Want: "NotFoundException"},
		{Name: "another account's key by bare ID is looked up in the caller's account", As: stranger, Do: describe(key.KeyID), Want: "NotFoundException"},
		{Name: "another account's key by ARN, not granted", As: stranger, Do: describe(key.Arn), Want: "AccessDeniedException"},
		{Name: "operations on the caller's own keys refuse aliases", As: root,
			Do: servicetest.Op(svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: "alias/logs"}), Want: "NotFoundException"},
		{Name: "and alias ARNs", As: root,
			Do: servicetest.Op(svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: "arn:aws:kms:us-east-1:111111111111:alias/logs"}), Want: "NotFoundException"},
		{Name: "and other accounts' key ARNs", As: stranger,
			Do: servicetest.Op(svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: key.Arn}), Want: "NotFoundException"},
	})

	// InRegion: an in-process caller uses the keys of another region.
	ctx := kms.InRegion(w.Ctx(root), "eu-west-1")
	out, err := svc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil || !strings.HasPrefix(out.KeyMetadata.Arn, "arn:aws:kms:eu-west-1:111111111111:key/") {
		t.Fatalf("CreateKey in eu-west-1: %v, %+v", err, out)
	}
}

// TestKeyLifecycle: descriptions, enabling and disabling, scheduled deletion and its
// cancellation, and Sweep deleting the key with its aliases and grants once the window ends
// (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
func TestKeyLifecycle(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	key := createKey(t, w, svc, keyAccount)
	id := &kms.KeyIDInput{KeyID: key.KeyID}

	servicetest.Call(as, svc.UpdateKeyDescription, &kms.UpdateKeyDescriptionInput{KeyID: key.KeyID, Description: ptr("new")}).OK()
	servicetest.Call(as, svc.UpdateKeyDescription, &kms.UpdateKeyDescriptionInput{KeyID: key.KeyID}).Want("ValidationException").
		WantMessage("Value null at 'description' failed to satisfy constraint: Member must not be null")
	servicetest.Call(as, svc.UpdateKeyDescription, &kms.UpdateKeyDescriptionInput{KeyID: key.KeyID, Description: ptr(strings.Repeat("d", 8193))}).Want("ValidationException")
	if got := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK().KeyMetadata.Description; got != "new" {
		t.Fatalf("description %q", got)
	}

	servicetest.Call(as, svc.DisableKey, id).OK()
	if md := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK().KeyMetadata; md.Enabled || md.KeyState != "Disabled" {
		t.Fatalf("disabled key: %+v", md)
	}
	servicetest.Call(as, svc.EnableKey, id).OK()

	servicetest.Call(as, svc.CreateAlias, &kms.AliasInput{AliasName: "alias/doomed", TargetKeyID: key.KeyID}).OK()
	bob := w.User(keyAccount, "bob")
	servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Decrypt"}}).OK()

	servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID, PendingWindowInDays: ptr(int32(6))}).
		Want("ValidationException").WantMessage("Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30")
	servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID, PendingWindowInDays: ptr(int32(31))}).Want("ValidationException")
	servicetest.Call(as, svc.CancelKeyDeletion, id).Want("KMSInvalidStateException")

	// The default window is 30 days; cancelling leaves the key Disabled.
	sched := servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID}).OK()
	if sched.PendingWindowInDays != 30 || sched.KeyState != "PendingDeletion" || sched.KeyID != key.Arn ||
		!time.Time(*sched.DeletionDate).Equal(w.Clock.Now().Add(30*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion = %+v", sched)
	}
	md := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK().KeyMetadata
	if md.KeyState != "PendingDeletion" || md.DeletionDate == nil || md.PendingDeletionWindowInDays == nil || *md.PendingDeletionWindowInDays != 30 {
		t.Fatalf("pending deletion: %+v", md)
	}
	w.Run(t, []servicetest.Step{
		{Name: "a key pending deletion is not scheduled again", As: root,
			Do: servicetest.Op(svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID}), Want: "KMSInvalidStateException"},
		{Name: "nor enabled", As: root, Do: servicetest.Op(svc.EnableKey, id), Want: "KMSInvalidStateException"},
		{Name: "nor disabled", As: root, Do: servicetest.Op(svc.DisableKey, id), Want: "KMSInvalidStateException"},
		{Name: "nor described anew", As: root,
			Do: servicetest.Op(svc.UpdateKeyDescription, &kms.UpdateKeyDescriptionInput{KeyID: key.KeyID, Description: ptr("x")}), Want: "KMSInvalidStateException"},
		{Name: "nor the target of an alias", As: root,
			Do: servicetest.Op(svc.CreateAlias, &kms.AliasInput{AliasName: "alias/late", TargetKeyID: key.KeyID}), Want: "KMSInvalidStateException"},
	})
	servicetest.Call(as, svc.CancelKeyDeletion, id).OK()
	if md := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK().KeyMetadata; md.KeyState != "Disabled" || md.DeletionDate != nil {
		t.Fatalf("cancelled deletion: %+v", md)
	}

	// Seven days: Sweep keeps the key until the window has passed, then deletes it and its
	// alias and grant.
	servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID, PendingWindowInDays: ptr(int32(7))}).OK()
	other := createKey(t, w, svc, keyAccount)
	w.Clock.Advance(7*24*time.Hour - time.Second)
	if err := svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK()
	w.Clock.Advance(time.Second)
	if err := svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).Want("NotFoundException")
	servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "alias/doomed"}).Want("NotFoundException")
	if aliases := customerAliases(servicetest.Call(as, svc.ListAliases, &kms.ListAliasesInput{}).OK().Aliases); len(aliases) != 0 {
		t.Fatalf("aliases after deletion: %+v", aliases)
	}
	if grants := servicetest.Call(as, svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{RetiringPrincipal: bob.ARN}).OK().Grants; len(grants) != 0 {
		t.Fatalf("grants after deletion: %+v", grants)
	}
	if keys := servicetest.Call(as, svc.ListKeys, &kms.PageInput{}).OK().Keys; len(keys) != 1 || keys[0].KeyID != other.KeyID {
		t.Fatalf("keys after deletion: %+v", keys)
	}
}

// TestListKeys: ListKeys pages by key ID and sees only the caller's keys in the region
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html).
func TestListKeys(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	for range 3 {
		createKey(t, w, svc, keyAccount)
	}
	createKey(t, w, svc, strangerAccount)
	all := servicetest.Call(w.As(root), svc.ListKeys, &kms.PageInput{}).OK()
	if len(all.Keys) != 3 || all.Truncated || all.NextMarker != "" {
		t.Fatalf("ListKeys = %+v", all)
	}
	for i := 1; i < len(all.Keys); i++ {
		if all.Keys[i-1].KeyID >= all.Keys[i].KeyID {
			t.Fatalf("keys not in ID order: %+v", all.Keys)
		}
	}
	first := servicetest.Call(w.As(root), svc.ListKeys, &kms.PageInput{Limit: ptr(int32(2))}).OK()
	if len(first.Keys) != 2 || !first.Truncated || first.NextMarker != first.Keys[1].KeyID {
		t.Fatalf("first page = %+v", first)
	}
	rest := servicetest.Call(w.As(root), svc.ListKeys, &kms.PageInput{Limit: ptr(int32(2)), Marker: first.NextMarker}).OK()
	if len(rest.Keys) != 1 || rest.Truncated || rest.Keys[0].KeyID != all.Keys[2].KeyID || rest.Keys[0].KeyArn != keyARN(all.Keys[2].KeyID) {
		t.Fatalf("second page = %+v", rest)
	}
	if got := servicetest.Call(w.As(root).In("eu-west-1"), svc.ListKeys, &kms.PageInput{}).OK().Keys; len(got) != 0 {
		t.Fatalf("keys in eu-west-1: %+v", got)
	}
	bob := w.User(keyAccount, "bob")
	list := func(in *kms.PageInput) func(context.Context) error { return servicetest.Op(svc.ListKeys, in) }
	w.Run(t, []servicetest.Step{
		{Name: "limit 0", As: root, Do: list(&kms.PageInput{Limit: ptr(int32(0))}), Want: "ValidationException"},
		{Name: "limit 1001", As: root, Do: list(&kms.PageInput{Limit: ptr(int32(1001))}), Want: "ValidationException"},
		{Name: "a marker after every key", As: root, Do: list(&kms.PageInput{Marker: "zzzz"}), Want: "InvalidMarkerException"},
		{Name: "a user without kms:ListKeys", As: bob, Do: list(&kms.PageInput{}), Want: "AccessDeniedException"},
	})
	servicetest.Call(w.As(root), svc.ListKeys, &kms.PageInput{Limit: ptr(int32(0))}).
		WantMessage("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value between 1 and 1000")
}

func keyARN(id string) string { return "arn:aws:kms:us-east-1:111111111111:key/" + id }

// TestListPaging: every List operation takes Limit within its own range and a Marker it returned,
// and answers an empty list as [] (never null), as KMS does
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html#API_ListKeys_RequestSyntax,
// and likewise ListAliases, ListGrants, ListRetirableGrants, ListResourceTags).
func TestListPaging(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	key := createKey(t, w, svc, keyAccount)
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "alias/logs", TargetKeyID: key.KeyID}).OK()
	limit := func(n int32) kms.PageInput { return kms.PageInput{Limit: &n} }
	w.Run(t, []servicetest.Step{
		{Name: "ListKeys, Limit 0", As: root, Do: servicetest.Op(svc.ListKeys, &kms.PageInput{Limit: ptr(int32(0))}), Want: "ValidationException"},
		{Name: "ListKeys, Limit 1001", As: root, Do: servicetest.Op(svc.ListKeys, &kms.PageInput{Limit: ptr(int32(1001))}), Want: "ValidationException"},
		{Name: "ListKeys, Limit 1000", As: root, Do: servicetest.Op(svc.ListKeys, &kms.PageInput{Limit: ptr(int32(1000))})},
		{Name: "ListAliases, Limit 101", As: root, Do: servicetest.Op(svc.ListAliases, &kms.ListAliasesInput{PageInput: limit(101)}), Want: "ValidationException"},
		{Name: "ListAliases, a marker it never gave", As: root,
			Do: servicetest.Op(svc.ListAliases, &kms.ListAliasesInput{PageInput: kms.PageInput{Marker: "zzz"}}), Want: "InvalidMarkerException"},
		{Name: "ListGrants, Limit 0", As: root,
			Do: servicetest.Op(svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID, PageInput: limit(0)}), Want: "ValidationException"},
		{Name: "ListRetirableGrants, no principal", As: root,
			Do: servicetest.Op(svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{}), Want: "ValidationException"},
		{Name: "ListRetirableGrants, Limit 101", As: root,
			Do: servicetest.Op(svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{RetiringPrincipal: root.ARN, PageInput: limit(101)}), Want: "ValidationException"},
		{Name: "ListResourceTags, Limit 51", As: root,
			Do: servicetest.Op(svc.ListResourceTags, &kms.ListResourceTagsInput{KeyID: key.KeyID, PageInput: limit(51)}), Want: "ValidationException"},
	})

	as := w.As(root)
	if got := servicetest.Call(as, svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{RetiringPrincipal: root.ARN}).OK(); got.Grants == nil || len(got.Grants) != 0 || got.Truncated {
		t.Errorf("ListRetirableGrants with none = %+v; want an empty list", got)
	}
	if got := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID}).OK(); got.Grants == nil || len(got.Grants) != 0 {
		t.Errorf("ListGrants with none = %+v; want an empty list", got)
	}
	if got := servicetest.Call(as, svc.ListAliases, &kms.ListAliasesInput{KeyID: createKey(t, w, svc, keyAccount).KeyID}).OK(); got.Aliases == nil || len(got.Aliases) != 0 {
		t.Errorf("ListAliases of a key without aliases = %+v; want an empty list", got)
	}
	if got := servicetest.Call(w.As(w.Root(strangerAccount)), svc.ListKeys, &kms.PageInput{}).OK(); got.Keys == nil || len(got.Keys) != 0 {
		t.Errorf("ListKeys in an account without keys = %+v; want an empty list", got)
	}
}
