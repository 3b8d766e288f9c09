package kms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestGrants: a grant lets its grantee use the key within its constraints; the grantee, the
// retiring principal and the issuing account retire it; kms:RevokeGrant revokes it
// (https://docs.aws.amazon.com/kms/latest/developerguide/grants.html).
func TestGrants(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	key := createKey(t, w, svc, keyAccount)
	bob := w.User(keyAccount, "bob")
	carol := w.User(keyAccount, "carol")
	stranger := w.User(strangerAccount, "stranger", identityPolicy("kms:*", "*"))
	ec := map[string]string{"Department": "audit"}
	blob := encrypt(t, w, svc, root, key.KeyID, ec)
	other := encrypt(t, w, svc, root, key.KeyID, map[string]string{"Department": "sales"})

	g := servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, RetiringPrincipal: carol.ARN,
		Operations: []string{"Decrypt", "RetireGrant"}, Name: "audit", Constraints: &kms.GrantConstraints{EncryptionContextSubset: ec}}).OK()
	if g.GrantID == "" || g.GrantToken == "" {
		t.Fatalf("CreateGrant = %+v", g)
	}
	equals := servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.Arn, GranteePrincipal: carol.ARN,
		Operations: []string{"Encrypt"}, Constraints: &kms.GrantConstraints{EncryptionContextEquals: ec}}).OK()
	decrypt := func(ct []byte, ec map[string]string) func(context.Context) error {
		return servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: ct, EncryptionContext: ec})
	}
	encryptOp := func(ec map[string]string) func(context.Context) error {
		return servicetest.Op(svc.Encrypt, &kms.EncryptInput{KeyID: key.Arn, Plaintext: []byte("x"), EncryptionContext: ec})
	}
	grant := func(in *kms.CreateGrantInput) func(context.Context) error { return servicetest.Op(svc.CreateGrant, in) }
	w.Run(t, []servicetest.Step{
		{Name: "the grantee decrypts within the constraint", As: bob, Do: decrypt(blob, ec)},
		{Name: "not outside it", As: bob, Do: decrypt(other, map[string]string{"Department": "sales"}), Want: "AccessDeniedException"},
		{Name: "the grant allows only Decrypt", As: bob, Do: encryptOp(ec), Want: "AccessDeniedException"},
		{Name: "EncryptionContextEquals: the exact context", As: carol, Do: encryptOp(ec)},
		{Name: "EncryptionContextEquals: not a larger one", As: carol, Do: encryptOp(map[string]string{"Department": "audit", "x": "y"}), Want: "AccessDeniedException"},
		{Name: "a grantee that is not a principal", As: root, Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: "bob", Operations: []string{"Decrypt"}}), Want: "ValidationException"},
		{Name: "no grantee", As: root, Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, Operations: []string{"Decrypt"}}), Want: "ValidationException"},
		{Name: "a retiring principal that is not a principal", As: root,
			Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, RetiringPrincipal: "carol", Operations: []string{"Decrypt"}}), Want: "ValidationException"},
		{Name: "no operations", As: root, Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN}), Want: "ValidationException"},
		{Name: "an operation a symmetric key's grant cannot allow", As: root,
			Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Sign"}}), Want: "ValidationException"},
		{Name: "a name over 256 characters", As: root,
			Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Decrypt"}, Name: strings.Repeat("n", 257)}), Want: "ValidationException"},
		{Name: "CreateGrant with DryRun", As: root,
			Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Decrypt"}, DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "a user without kms:CreateGrant", As: carol,
			Do: grant(&kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: carol.ARN, Operations: []string{"Decrypt"}}), Want: "AccessDeniedException"},
		{Name: "another account's key, not granted", As: stranger,
			Do: grant(&kms.CreateGrantInput{KeyID: key.Arn, GranteePrincipal: stranger.ARN, Operations: []string{"Decrypt"}}), Want: "AccessDeniedException"},
	})
	servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: "bob", Operations: []string{"Sign"}}).
		WantMessage("2 validation errors detected: Value 'bob' at 'granteePrincipal' failed to satisfy constraint: Member must be a principal ARN or an AWS service principal; " +
			"Value 'Sign' at 'operations' failed to satisfy constraint: Member must be an operation a grant on a symmetric encryption key allows: Decrypt, Encrypt,")

	list := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID}).OK()
	if len(list.Grants) != 2 {
		t.Fatalf("ListGrants = %+v", list)
	}
	one := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID, GrantID: g.GrantID}).OK().Grants
	if len(one) != 1 || one[0].Name != "audit" || one[0].GranteePrincipal != bob.ARN || one[0].RetiringPrincipal != carol.ARN ||
		one[0].IssuingAccount != "arn:aws:iam::111111111111:root" || one[0].KeyID != key.Arn || one[0].Constraints == nil || one[0].CreationDate == nil {
		t.Fatalf("the grant = %+v", one)
	}
	if ofCarol := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID, GranteePrincipal: carol.ARN}).OK().Grants; len(ofCarol) != 1 || ofCarol[0].GrantID != equals.GrantID {
		t.Fatalf("carol's grants = %+v", ofCarol)
	}
	page := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID, PageInput: kms.PageInput{Limit: ptr(int32(1))}}).OK()
	if len(page.Grants) != 1 || !page.Truncated || page.NextMarker != page.Grants[0].GrantID {
		t.Fatalf("first page = %+v", page)
	}
	retirable := servicetest.Call(as, svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{RetiringPrincipal: carol.ARN}).OK()
	if len(retirable.Grants) != 1 || retirable.Grants[0].GrantID != g.GrantID {
		t.Fatalf("ListRetirableGrants = %+v", retirable)
	}

	retire := func(in *kms.RetireGrantInput) func(context.Context) error { return servicetest.Op(svc.RetireGrant, in) }
	revoke := func(in *kms.RevokeGrantInput) func(context.Context) error { return servicetest.Op(svc.RevokeGrant, in) }
	w.Run(t, []servicetest.Step{
		{Name: "ListRetirableGrants without a principal", As: root, Do: servicetest.Op(svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{}), Want: "ValidationException"},
		{Name: "ListRetirableGrants as a user without the permission", As: bob,
			Do: servicetest.Op(svc.ListRetirableGrants, &kms.ListRetirableGrantsInput{RetiringPrincipal: carol.ARN}), Want: "AccessDeniedException"},
		{Name: "ListGrants as a user without kms:ListGrants", As: bob, Do: servicetest.Op(svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID}), Want: "AccessDeniedException"},
		{Name: "retire with a token that is no grant's", As: bob, Do: retire(&kms.RetireGrantInput{GrantToken: "not-a-token"}), Want: "InvalidGrantTokenException"},
		{Name: "retire with neither token nor IDs", As: bob, Do: retire(&kms.RetireGrantInput{KeyID: key.KeyID}), Want: "ValidationException"},
		{Name: "retire a missing grant", As: root, Do: retire(&kms.RetireGrantInput{KeyID: key.KeyID, GrantID: "none"}), Want: "NotFoundException"},
		{Name: "carol's Encrypt grant does not let her retire it", As: carol, Do: retire(&kms.RetireGrantInput{KeyID: key.Arn, GrantID: equals.GrantID}), Want: "AccessDeniedException"},
		{Name: "nor may another account", As: stranger, Do: retire(&kms.RetireGrantInput{GrantToken: equals.GrantToken}), Want: "AccessDeniedException"},
		{Name: "RetireGrant with DryRun", As: carol, Do: retire(&kms.RetireGrantInput{GrantToken: g.GrantToken, DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "the retiring principal retires by token", As: carol, Do: retire(&kms.RetireGrantInput{GrantToken: g.GrantToken})},
		{Name: "the grant is gone", As: bob, Do: decrypt(blob, ec), Want: "AccessDeniedException"},
		{Name: "revoke without a grant ID", As: root, Do: revoke(&kms.RevokeGrantInput{KeyID: key.KeyID}), Want: "ValidationException"},
		{Name: "revoke a missing grant", As: root, Do: revoke(&kms.RevokeGrantInput{KeyID: key.KeyID, GrantID: "none"}), Want: "NotFoundException"},
		{Name: "revoke as a user without kms:RevokeGrant", As: bob, Do: revoke(&kms.RevokeGrantInput{KeyID: key.KeyID, GrantID: equals.GrantID}), Want: "AccessDeniedException"},
		{Name: "RevokeGrant with DryRun", As: root, Do: revoke(&kms.RevokeGrantInput{KeyID: key.KeyID, GrantID: equals.GrantID, DryRun: ptr(true)}), Want: "DryRunOperationException"},
		{Name: "revoke", As: root, Do: revoke(&kms.RevokeGrantInput{KeyID: key.KeyID, GrantID: equals.GrantID})},
		{Name: "the revoked grant is gone", As: carol, Do: encryptOp(ec), Want: "AccessDeniedException"},
	})
	if left := servicetest.Call(as, svc.ListGrants, &kms.ListGrantsInput{KeyID: key.KeyID}).OK().Grants; left == nil || len(left) != 0 {
		t.Fatalf("grants left: %#v; want an empty list", left)
	}

	// The grantee retires a grant that allows RetireGrant; the issuing account retires any.
	mine := servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Decrypt", "RetireGrant"}}).OK()
	servicetest.Call(w.As(bob), svc.RetireGrant, &kms.RetireGrantInput{KeyID: key.Arn, GrantID: mine.GrantID}).OK()
	theirs := servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: "cloudtrail.amazonaws.com", Operations: []string{"GenerateDataKey"}}).OK()
	servicetest.Call(as, svc.RetireGrant, &kms.RetireGrantInput{GrantToken: theirs.GrantToken}).OK()

	// A grant on a disabled key is refused.
	servicetest.Call(as, svc.DisableKey, &kms.KeyIDInput{KeyID: key.KeyID}).OK()
	servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN, Operations: []string{"Decrypt"}}).Want("DisabledException")
}

// TestCrossAccountGrant: a key's owner grants a user of another account, who then uses the key
// by ARN with no key policy statement for its account (its own identity policy still applies).
func TestCrossAccountGrant(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	key := createKey(t, w, svc, keyAccount)
	alice := w.User(readerAccount, "Alice", identityPolicy("kms:Decrypt", key.Arn))
	blob := encrypt(t, w, svc, root, key.KeyID, trailContext)
	decrypt := servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: trailContext})
	w.Run(t, []servicetest.Step{{Name: "before the grant", As: alice, Do: decrypt, Want: "AccessDeniedException"}})
	servicetest.Call(w.As(root), svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: alice.ARN, Operations: []string{"Decrypt"}}).OK()
	w.Run(t, []servicetest.Step{
		{Name: "with the grant", As: alice, Do: decrypt},
		{Name: "the grant does not let her list the key's grants", As: alice,
			Do: servicetest.Op(svc.ListGrants, &kms.ListGrantsInput{KeyID: key.Arn}), Want: "AccessDeniedException"},
	})
}

// Grant constraints apply to the cryptographic operations only: a grant of DescribeKey and
// RetireGrant with a constraint (as the Terraform AWS provider's tests create) is accepted and
// its operations are allowed whatever the context; a constraint's keys match without case, its
// values with it; a grantee of CreateGrant creates only grants at least as strict as its own
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html,
// https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html).
func TestGrantConstraintsScope(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	key := createKey(t, w, svc, keyAccount)
	bob := w.User(keyAccount, "bob")
	carol := w.User(keyAccount, "carol")
	dave := w.User(keyAccount, "dave")
	ec := map[string]string{"Department": "audit"}
	blob := encrypt(t, w, svc, root, key.KeyID, ec)
	describe := servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.Arn})
	w.Run(t, []servicetest.Step{{Name: "bob has no grant yet", As: bob, Do: describe, Want: "AccessDeniedException"}})
	mgmt := servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN,
		Operations: []string{"RetireGrant", "DescribeKey"}, Constraints: &kms.GrantConstraints{EncryptionContextEquals: ec}}).OK()
	servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: bob.ARN,
		Operations: []string{"Decrypt"}, Constraints: &kms.GrantConstraints{EncryptionContextSubset: map[string]string{"department": "audit"}}}).OK()
	servicetest.Call(as, svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.KeyID, GranteePrincipal: carol.ARN,
		Operations: []string{"CreateGrant", "Decrypt"}, Constraints: &kms.GrantConstraints{EncryptionContextSubset: ec}}).OK()
	grant := func(c *kms.GrantConstraints) func(context.Context) error {
		return servicetest.Op(svc.CreateGrant, &kms.CreateGrantInput{KeyID: key.Arn, GranteePrincipal: dave.ARN, Operations: []string{"Decrypt"}, Constraints: c})
	}
	decrypt := func(ec map[string]string) func(context.Context) error {
		return servicetest.Op(svc.Decrypt, &kms.DecryptInput{CiphertextBlob: blob, EncryptionContext: ec})
	}
	w.Run(t, []servicetest.Step{
		{Name: "DescribeKey through the constrained grant", As: bob, Do: describe},
		{Name: "a constraint key matches without case", As: bob, Do: decrypt(ec)},
		{Name: "a constraint value does not", As: bob, Do: decrypt(map[string]string{"Department": "Audit"}), Want: "AccessDeniedException"},
		{Name: "carol: an unconstrained grant is less strict", As: carol, Do: grant(nil), Want: "AccessDeniedException"},
		{Name: "carol: another context is not as strict", As: carol, Do: grant(&kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "sales"}}), Want: "AccessDeniedException"},
		{Name: "carol: a larger subset is stricter", As: carol, Do: grant(&kms.GrantConstraints{EncryptionContextSubset: map[string]string{"Department": "audit", "Team": "x"}})},
		{Name: "carol: an exact context holding it is stricter", As: carol, Do: grant(&kms.GrantConstraints{EncryptionContextEquals: ec})},
		{Name: "RetireGrant through the constrained grant", As: bob, Do: servicetest.Op(svc.RetireGrant, &kms.RetireGrantInput{KeyID: key.Arn, GrantID: mgmt.GrantID})},
		{Name: "DescribeKey once retired", As: bob, Do: describe, Want: "AccessDeniedException"},
	})
}
