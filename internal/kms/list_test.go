package kms_test

import (
	"testing"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

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
