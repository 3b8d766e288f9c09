package kms_test

import (
	"context"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestAliases: CreateAlias, UpdateAlias, DeleteAlias and ListAliases
// (https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html).
func TestAliases(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	a := createKey(t, w, svc, keyAccount)
	b := createKey(t, w, svc, keyAccount)
	bob := w.User(keyAccount, "bob")
	alias := func(op func(context.Context, *kms.AliasInput) (*kms.Empty, error), name, target string) func(context.Context) error {
		return servicetest.Op(op, &kms.AliasInput{AliasName: name, TargetKeyID: target})
	}
	del := func(name string) func(context.Context) error {
		return servicetest.Op(svc.DeleteAlias, &kms.DeleteAliasInput{AliasName: name})
	}
	w.Run(t, []servicetest.Step{
		{Name: "create by key ID", As: root, Do: alias(svc.CreateAlias, "alias/one", a.KeyID)},
		{Name: "create by key ARN", As: root, Do: alias(svc.CreateAlias, "alias/two", a.Arn)},
		{Name: "create a third", As: root, Do: alias(svc.CreateAlias, "alias/three", b.KeyID)},
		{Name: "a name taken", As: root, Do: alias(svc.CreateAlias, "alias/one", b.KeyID), Want: "AlreadyExistsException"},
		{Name: "a name without alias/", As: root, Do: alias(svc.CreateAlias, "logs", a.KeyID), Want: "InvalidAliasNameException"},
		{Name: "a name with a space", As: root, Do: alias(svc.CreateAlias, "alias/my logs", a.KeyID), Want: "InvalidAliasNameException"},
		{Name: "the reserved alias/aws/", As: root, Do: alias(svc.CreateAlias, "alias/aws/s3", a.KeyID), Want: "InvalidAliasNameException"},
		{Name: "no name", As: root, Do: alias(svc.CreateAlias, "", a.KeyID), Want: "ValidationException"},
		{Name: "a name over 256 characters", As: root, Do: alias(svc.CreateAlias, "alias/"+strings.Repeat("a", 251), a.KeyID), Want: "ValidationException"},
		{Name: "an alias pointing at an alias", As: root, Do: alias(svc.CreateAlias, "alias/four", "alias/one"), Want: "ValidationException"},
		{Name: "an alias pointing at an alias ARN", As: root,
			Do: alias(svc.CreateAlias, "alias/four", "arn:aws:kms:us-east-1:111111111111:alias/one"), Want: "ValidationException"},
		{Name: "a missing key", As: root, Do: alias(svc.CreateAlias, "alias/four", "00000000-0000-4000-8000-000000000000"), Want: "NotFoundException"},
		{Name: "no target", As: root, Do: alias(svc.CreateAlias, "alias/four", ""), Want: "ValidationException"},
		{Name: "a user without kms:CreateAlias", As: bob, Do: alias(svc.CreateAlias, "alias/four", a.KeyID), Want: "AccessDeniedException"},
		{Name: "update to another key", As: root, Do: alias(svc.UpdateAlias, "alias/two", b.KeyID)},
		{Name: "update a missing alias", As: root, Do: alias(svc.UpdateAlias, "alias/none", b.KeyID), Want: "NotFoundException"},
		{Name: "delete a missing alias", As: root, Do: del("alias/none"), Want: "NotFoundException"},
		{Name: "delete with a bad name", As: root, Do: del("none"), Want: "InvalidAliasNameException"},
		{Name: "a user without kms:DeleteAlias", As: bob, Do: del("alias/three"), Want: "AccessDeniedException"},
		{Name: "delete", As: root, Do: del("alias/three")},
	})
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "alias/one", TargetKeyID: b.KeyID}).
		WantMessage("An alias with the name arn:aws:kms:us-east-1:111111111111:alias/one already exists")
	servicetest.Call(w.As(root), svc.CreateAlias, &kms.AliasInput{AliasName: "", TargetKeyID: b.KeyID}).
		WantMessage("1 validation error detected: Value null at 'aliasName' failed to satisfy constraint: Member must not be null")

	// Aliases are listed by name, with their target; by key; and in pages.
	all := servicetest.Call(w.As(root), svc.ListAliases, &kms.ListAliasesInput{}).OK()
	all.Aliases = customerAliases(all.Aliases)
	if len(all.Aliases) != 2 || all.Aliases[0].AliasName != "alias/one" || all.Aliases[0].TargetKeyID != a.KeyID ||
		all.Aliases[0].AliasArn != "arn:aws:kms:us-east-1:111111111111:alias/one" || all.Aliases[1].AliasName != "alias/two" ||
		all.Aliases[1].TargetKeyID != b.KeyID || all.Aliases[0].CreationDate == nil || all.Aliases[0].LastUpdatedDate == nil {
		t.Fatalf("ListAliases = %+v", all)
	}
	ofB := servicetest.Call(w.As(root), svc.ListAliases, &kms.ListAliasesInput{KeyID: b.Arn}).OK()
	if len(ofB.Aliases) != 1 || ofB.Aliases[0].AliasName != "alias/two" {
		t.Fatalf("aliases of b = %+v", ofB)
	}
	page := servicetest.Call(w.As(root), svc.ListAliases, &kms.ListAliasesInput{PageInput: kms.PageInput{Limit: ptr(int32(1)), Marker: "alias/aws/xray"}}).OK()
	if len(page.Aliases) != 1 || !page.Truncated || page.NextMarker != "alias/one" {
		t.Fatalf("first page = %+v", page)
	}
	page = servicetest.Call(w.As(root), svc.ListAliases, &kms.ListAliasesInput{PageInput: kms.PageInput{Limit: ptr(int32(1)), Marker: page.NextMarker}}).OK()
	if len(page.Aliases) != 1 || page.Truncated || page.Aliases[0].AliasName != "alias/two" {
		t.Fatalf("second page = %+v", page)
	}
	w.Run(t, []servicetest.Step{
		{Name: "list the aliases of a missing key", As: root,
			Do: servicetest.Op(svc.ListAliases, &kms.ListAliasesInput{KeyID: "00000000-0000-4000-8000-000000000000"}), Want: "NotFoundException"},
		{Name: "list with limit 101", As: root,
			Do: servicetest.Op(svc.ListAliases, &kms.ListAliasesInput{PageInput: kms.PageInput{Limit: ptr(int32(101))}}), Want: "ValidationException"},
		{Name: "a user without kms:ListAliases", As: bob, Do: servicetest.Op(svc.ListAliases, &kms.ListAliasesInput{}), Want: "AccessDeniedException"},
	})
	if got := customerAliases(servicetest.Call(w.As(w.Root(strangerAccount)), svc.ListAliases, &kms.ListAliasesInput{}).OK().Aliases); len(got) != 0 {
		t.Fatalf("another account lists %+v", got)
	}
}

// TestAWSManagedKey: the aws/s3 key S3 makes on first use, with its alias and policy
// (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#aws-managed-key).
func TestAWSManagedKey(t *testing.T) {
	w, svc := newKMS(t)
	ctx := context.Background()
	arn, err := svc.AWSManagedKey(ctx, keyAccount, region, "s3")
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.AWSManagedKey(ctx, keyAccount, region, "s3")
	if err != nil || again != arn {
		t.Fatalf("second call: %s, %v; want %s", again, err, arn)
	}
	root := w.Root(keyAccount)
	md := servicetest.Call(w.As(root), svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "alias/aws/s3"}).OK().KeyMetadata
	if md.Arn != arn || md.KeyManager != "AWS" || !strings.Contains(md.Description, "S3") {
		t.Fatalf("aws/s3 = %+v", md)
	}
	pol := servicetest.Call(w.As(root), svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: md.KeyID}).OK().Policy
	if !strings.Contains(pol, `"kms:ViaService" : "s3.us-east-1.amazonaws.com"`) {
		t.Fatalf("aws/s3 policy:\n%s", pol)
	}
	// The root uses the key only through S3: its policy grants direct access to metadata alone.
	servicetest.Call(w.As(root), svc.Encrypt, &kms.EncryptInput{KeyID: arn, Plaintext: []byte("x")}).Want("AccessDeniedException")
}

// TestKeyPolicies: GetKeyPolicy, ListKeyPolicies and PutKeyPolicy's checks
// (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html).
func TestKeyPolicies(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	key := createKey(t, w, svc, keyAccount)
	bob := w.User(keyAccount, "bob")
	doc := keyPolicy(rootStatement)
	put := func(in *kms.PutKeyPolicyInput) func(context.Context) error {
		return servicetest.Op(svc.PutKeyPolicy, in)
	}
	bobOnly := keyPolicy(`{"Sid": "Bob only", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/bob"}, "Action": "kms:*", "Resource": "*"}`)
	w.Run(t, []servicetest.Step{
		{Name: "put a policy", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc})},
		{Name: "put the policy named default", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc, PolicyName: ptr("default")})},
		{Name: "another policy name", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc, PolicyName: ptr("other")}), Want: "ValidationException"},
		{Name: "no policy", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID}), Want: "ValidationException"},
		{Name: "an empty policy", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: ptr("")}), Want: "ValidationException"},
		{Name: "a policy that is not a policy", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: ptr(`{"Version": "2012-10-17"}`)}), Want: "MalformedPolicyDocumentException"},
		{Name: "a policy that would lock the caller out", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &bobOnly}), Want: "MalformedPolicyDocumentException"},
		{Name: "a user without kms:PutKeyPolicy", As: bob, Do: put(&kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc}), Want: "AccessDeniedException"},
		{Name: "a missing key", As: root, Do: put(&kms.PutKeyPolicyInput{KeyID: "00000000-0000-4000-8000-000000000000", Policy: &doc}), Want: "NotFoundException"},
		{Name: "get with another policy name", As: root,
			Do: servicetest.Op(svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: key.KeyID, PolicyName: ptr("other")}), Want: "ValidationException"},
		{Name: "get as a user without kms:GetKeyPolicy", As: bob,
			Do: servicetest.Op(svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: key.KeyID}), Want: "AccessDeniedException"},
		{Name: "list as a user without kms:ListKeyPolicies", As: bob,
			Do: servicetest.Op(svc.ListKeyPolicies, &kms.ListKeyPoliciesInput{KeyID: key.KeyID}), Want: "AccessDeniedException"},
	})
	servicetest.Call(w.As(root), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc, PolicyName: ptr("other")}).
		WantMessage("1 validation error detected: Value 'other' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: default")
	if got := servicetest.Call(w.As(root), svc.GetKeyPolicy, &kms.KeyPolicyInput{KeyID: key.KeyID}).OK().Policy; got != doc {
		t.Fatalf("GetKeyPolicy = %s; want it exactly as put: %s", got, doc)
	}
	names := servicetest.Call(w.As(root), svc.ListKeyPolicies, &kms.ListKeyPoliciesInput{KeyID: key.KeyID}).OK()
	if len(names.PolicyNames) != 1 || names.PolicyNames[0] != "default" || names.Truncated {
		t.Fatalf("ListKeyPolicies = %+v", names)
	}

	// Bypassing the lockout check hands the key to Bob: the root can no longer change its policy.
	servicetest.Call(w.As(root), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &bobOnly, BypassPolicyLockoutSafetyCheck: true}).OK()
	servicetest.Call(w.As(root), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc}).Want("AccessDeniedException")
	servicetest.Call(w.As(bob), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &bobOnly}).OK()
}

// TestTags: TagResource, UntagResource and ListResourceTags
// (https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html).
func TestTags(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	key := createKey(t, w, svc, keyAccount)
	tag := func(tags ...kms.Tag) func(context.Context) error {
		return servicetest.Op(svc.TagResource, &kms.TagResourceInput{KeyID: key.KeyID, Tags: tags})
	}
	many := make([]kms.Tag, 51)
	for i := range many {
		many[i] = kms.Tag{TagKey: "k" + string(rune('A'+i))}
	}
	w.Run(t, []servicetest.Step{
		{Name: "tag", As: root, Do: tag(kms.Tag{TagKey: "team", TagValue: "audit"}, kms.Tag{TagKey: "env", TagValue: "dev"})},
		{Name: "replace a value", As: root, Do: tag(kms.Tag{TagKey: "env", TagValue: "prod"})},
		{Name: "no tags", As: root, Do: servicetest.Op(svc.TagResource, &kms.TagResourceInput{KeyID: key.KeyID}), Want: "ValidationException"},
		{Name: "a reserved key", As: root, Do: tag(kms.Tag{TagKey: "AWS:x"}), Want: "TagException"},
		{Name: "a value over 256 characters", As: root, Do: tag(kms.Tag{TagKey: "v", TagValue: strings.Repeat("v", 257)}), Want: "TagException"},
		{Name: "more than 50 tags in one request", As: root, Do: tag(many...), Want: "TagException"},
		{Name: "more than 50 tags on the key", As: root, Do: tag(many[:49]...), Want: "TagException"},
		{Name: "untag without keys", As: root, Do: servicetest.Op(svc.UntagResource, &kms.UntagResourceInput{KeyID: key.KeyID}), Want: "ValidationException"},
		{Name: "untag", As: root, Do: servicetest.Op(svc.UntagResource, &kms.UntagResourceInput{KeyID: key.KeyID, TagKeys: []string{"team", "none"}})},
	})
	servicetest.Call(as, svc.TagResource, &kms.TagResourceInput{KeyID: key.KeyID}).
		WantMessage("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	servicetest.Call(as, svc.TagResource, &kms.TagResourceInput{KeyID: key.KeyID, Tags: []kms.Tag{{TagKey: "a"}, {TagKey: "b"}, {TagKey: "c"}}}).OK()
	got := servicetest.Call(as, svc.ListResourceTags, &kms.ListResourceTagsInput{KeyID: key.KeyID}).OK()
	want := []kms.Tag{{TagKey: "a"}, {TagKey: "b"}, {TagKey: "c"}, {TagKey: "env", TagValue: "prod"}}
	if len(got.Tags) != len(want) || got.Truncated {
		t.Fatalf("ListResourceTags = %+v; want %+v", got, want)
	}
	for i := range want {
		if got.Tags[i] != want[i] {
			t.Fatalf("ListResourceTags = %+v; want %+v", got.Tags, want)
		}
	}
	page := servicetest.Call(as, svc.ListResourceTags, &kms.ListResourceTagsInput{KeyID: key.KeyID, PageInput: kms.PageInput{Limit: ptr(int32(3))}}).OK()
	if len(page.Tags) != 3 || !page.Truncated || page.NextMarker != "c" {
		t.Fatalf("first page = %+v", page)
	}
	servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID}).OK()
	servicetest.Call(as, svc.TagResource, &kms.TagResourceInput{KeyID: key.KeyID, Tags: []kms.Tag{{TagKey: "late"}}}).Want("KMSInvalidStateException")
	servicetest.Call(as, svc.UntagResource, &kms.UntagResourceInput{KeyID: key.KeyID, TagKeys: []string{"a"}}).Want("KMSInvalidStateException")
	if empty := servicetest.Call(as, svc.ListResourceTags, &kms.ListResourceTagsInput{KeyID: createKey(t, w, svc, keyAccount).KeyID}).OK(); empty.Tags == nil || len(empty.Tags) != 0 {
		t.Fatalf("tags of an untagged key = %#v; want an empty list", empty.Tags)
	}
}

// customerAliases are the aliases of a list that are not AWS's (alias/aws/…).
func customerAliases(list []kms.AliasListEntry) []kms.AliasListEntry {
	var out []kms.AliasListEntry
	for _, a := range list {
		if !strings.HasPrefix(a.AliasName, "alias/aws/") {
			out = append(out, a)
		}
	}
	return out
}

// Every account and Region lists the predefined AWS aliases, without a key until one is needed:
// DescribeKey on one makes its AWS managed key, which ListAliases then names; an alias under
// alias/aws/ that is not predefined stays unknown.
func TestPredefinedAliases(t *testing.T) {
	w, svc := newKMS(t)
	as := w.As(w.Root(keyAccount))
	s3Alias := func(list []kms.AliasListEntry) *kms.AliasListEntry {
		for i := range list {
			if list[i].AliasName == "alias/aws/s3" {
				return &list[i]
			}
		}
		return nil
	}
	a := s3Alias(servicetest.Call(as, svc.ListAliases, &kms.ListAliasesInput{}).OK().Aliases)
	if a == nil || a.TargetKeyID != "" || a.CreationDate != nil || a.AliasArn != "arn:aws:kms:us-east-1:111111111111:alias/aws/s3" {
		t.Fatalf("alias/aws/s3 before use = %+v", a)
	}
	md := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "alias/aws/s3"}).OK().KeyMetadata
	if md.KeyManager != "AWS" || md.KeyState != "Enabled" {
		t.Fatalf("the AWS managed key = %+v", md)
	}
	again := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "arn:aws:kms:us-east-1:111111111111:alias/aws/s3"}).OK().KeyMetadata
	if again.KeyID != md.KeyID {
		t.Fatalf("a second DescribeKey made another key: %s, then %s", md.KeyID, again.KeyID)
	}
	a = s3Alias(servicetest.Call(as, svc.ListAliases, &kms.ListAliasesInput{}).OK().Aliases)
	if a == nil || a.TargetKeyID != md.KeyID || a.CreationDate == nil {
		t.Fatalf("alias/aws/s3 after use = %+v", a)
	}
	if of := servicetest.Call(as, svc.ListAliases, &kms.ListAliasesInput{KeyID: md.Arn}).OK().Aliases; len(of) != 1 || of[0].AliasName != "alias/aws/s3" {
		t.Fatalf("aliases of the managed key = %+v", of)
	}
	w.Run(t, []servicetest.Step{
		{Name: "not predefined", As: w.Root(keyAccount), Do: servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "alias/aws/nothing"}), Want: "NotFoundException"},
		{Name: "another account's predefined alias", As: w.Root(keyAccount),
			Do: servicetest.Op(svc.DescribeKey, &kms.DescribeKeyInput{KeyID: "arn:aws:kms:us-east-1:" + strangerAccount + ":alias/aws/ebs"}), Want: "NotFoundException"},
	})
	if n := len(servicetest.Call(as, svc.ListKeys, &kms.PageInput{}).OK().Keys); n != 1 {
		t.Fatalf("%d keys; want the one AWS managed key", n)
	}
}
