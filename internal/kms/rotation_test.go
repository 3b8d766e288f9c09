package kms_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

const day = 24 * time.Hour

// TestRotation: automatic rotation by Sweep when its period has passed, rotation on demand (at
// most 10), and ciphertexts of every version still decrypting
// (https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html).
func TestRotation(t *testing.T) {
	w, svc := newKMS(t)
	root := w.Root(keyAccount)
	as := w.As(root)
	key := createKey(t, w, svc, keyAccount)
	id := &kms.KeyIDInput{KeyID: key.KeyID}
	status := func() *kms.GetKeyRotationStatusOutput { return servicetest.Call(as, svc.GetKeyRotationStatus, id).OK() }
	if s := status(); s.KeyRotationEnabled || s.RotationPeriodInDays != nil || s.NextRotationDate != nil || s.KeyID != key.Arn {
		t.Fatalf("a new key's rotation status = %+v", s)
	}

	servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID, RotationPeriodInDays: ptr(int32(89))}).
		Want("ValidationException").WantMessage("Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value between 90 and 2560")
	servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID, RotationPeriodInDays: ptr(int32(2561))}).Want("ValidationException")
	servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID}).OK()
	if s := status(); !s.KeyRotationEnabled || *s.RotationPeriodInDays != 365 {
		t.Fatalf("the default period: %+v", s)
	}
	servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID, RotationPeriodInDays: ptr(int32(90))}).OK()
	s := status()
	if !s.KeyRotationEnabled || *s.RotationPeriodInDays != 90 || !time.Time(*s.NextRotationDate).Equal(w.Clock.Now().Add(90*day)) {
		t.Fatalf("rotation status = %+v", s)
	}

	old := encrypt(t, w, svc, root, key.KeyID, nil)
	w.Clock.Advance(90*day - time.Second)
	if err := svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID}).OK().Rotations; len(r) != 0 {
		t.Fatalf("rotated early: %+v", r)
	}
	w.Clock.Advance(time.Second)
	if err := svc.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	rotations := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID}).OK().Rotations
	if len(rotations) != 1 || rotations[0].RotationType != "AUTOMATIC" || rotations[0].KeyID != key.Arn || rotations[0].KeyMaterialID == key.CurrentKeyMaterialID {
		t.Fatalf("after the period: %+v", rotations)
	}
	if s := status(); !time.Time(*s.NextRotationDate).Equal(w.Clock.Now().Add(90 * day)) {
		t.Fatalf("next rotation %v; want 90 days on", time.Time(*s.NextRotationDate))
	}
	current := servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: key.KeyID}).OK().KeyMetadata.CurrentKeyMaterialID
	if current != rotations[0].KeyMaterialID {
		t.Fatalf("current material %s; want the rotated %s", current, rotations[0].KeyMaterialID)
	}
	if got := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: old}).OK(); got.KeyMaterialID != key.CurrentKeyMaterialID {
		t.Fatalf("the old ciphertext decrypted with material %s; want the first, %s", got.KeyMaterialID, key.CurrentKeyMaterialID)
	}

	// On demand: ten rotations, then LimitExceededException.
	for i := range 10 {
		servicetest.Call(as, svc.RotateKeyOnDemand, id).OK()
		if i == 0 && status().OnDemandRotationStartDate == nil {
			t.Fatal("no OnDemandRotationStartDate after an on-demand rotation")
		}
	}
	servicetest.Call(as, svc.RotateKeyOnDemand, id).Want("LimitExceededException")
	if got := servicetest.Call(as, svc.Decrypt, &kms.DecryptInput{CiphertextBlob: old}).OK(); string(got.Plaintext) != "log file data key" {
		t.Fatalf("the first ciphertext after 11 rotations: %q", got.Plaintext)
	}
	all := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID}).OK()
	if len(all.Rotations) != 11 || all.Rotations[1].RotationType != "ON_DEMAND" || all.Truncated {
		t.Fatalf("ListKeyRotations = %d rotations, %+v", len(all.Rotations), all.PageOutput)
	}
	// Pages follow version numbers, 2 to 12: the marker sorts as a number does.
	first := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID, PageInput: kms.PageInput{Limit: ptr(int32(8))}}).OK()
	if len(first.Rotations) != 8 || !first.Truncated {
		t.Fatalf("first page = %+v", first.PageOutput)
	}
	rest := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID, PageInput: kms.PageInput{Limit: ptr(int32(8)), Marker: first.NextMarker}}).OK()
	if len(rest.Rotations) != 3 || rest.Truncated || rest.Rotations[2].KeyMaterialID != all.Rotations[10].KeyMaterialID {
		t.Fatalf("second page = %+v", rest)
	}

	servicetest.Call(as, svc.DisableKeyRotation, id).OK()
	if s := status(); s.KeyRotationEnabled || s.RotationPeriodInDays != nil || s.NextRotationDate != nil {
		t.Fatalf("after DisableKeyRotation: %+v", s)
	}

	bob := w.User(keyAccount, "bob")
	stranger := w.Root(strangerAccount)
	servicetest.Call(as, svc.DisableKey, id).OK()
	w.Run(t, []servicetest.Step{
		{Name: "enable rotation of a disabled key", As: root, Do: servicetest.Op(svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID}), Want: "DisabledException"},
		{Name: "disable rotation of a disabled key", As: root, Do: servicetest.Op(svc.DisableKeyRotation, id), Want: "DisabledException"},
		{Name: "rotate a disabled key", As: root, Do: servicetest.Op(svc.RotateKeyOnDemand, id), Want: "DisabledException"},
		{Name: "the status of a disabled key", As: root, Do: servicetest.Op(svc.GetKeyRotationStatus, id)},
		{Name: "a user without kms:GetKeyRotationStatus", As: bob, Do: servicetest.Op(svc.GetKeyRotationStatus, id), Want: "AccessDeniedException"},
		{Name: "another account, by ARN, not granted", As: stranger, Do: servicetest.Op(svc.GetKeyRotationStatus, &kms.KeyIDInput{KeyID: key.Arn}), Want: "AccessDeniedException"},
		{Name: "a user without kms:ListKeyRotations", As: bob, Do: servicetest.Op(svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: key.KeyID}), Want: "AccessDeniedException"},
	})
	servicetest.Call(as, svc.EnableKey, id).OK()
	servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key.KeyID}).OK()
	servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: key.KeyID}).Want("KMSInvalidStateException")
	servicetest.Call(as, svc.RotateKeyOnDemand, id).Want("KMSInvalidStateException")
}

// TestRun: Run sweeps at every tick of its interval, not before, and returns when its context
// ends; time is synctest's, so the minute passes at once.
func TestRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w, svc := newKMS(t)
		root := w.Root(keyAccount)
		as := w.As(root)
		doomed := createKey(t, w, svc, keyAccount)
		rotating := createKey(t, w, svc, keyAccount)
		servicetest.Call(as, svc.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: doomed.KeyID, PendingWindowInDays: ptr(int32(7))}).OK()
		servicetest.Call(as, svc.EnableKeyRotation, &kms.EnableKeyRotationInput{KeyID: rotating.KeyID, RotationPeriodInDays: ptr(int32(90))}).OK()
		w.Clock.Advance(90 * day) // both are due; only a sweep acts on them

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			svc.Run(ctx, time.Minute)
			close(done)
		}()
		synctest.Wait()
		servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: doomed.KeyID}).OK()

		time.Sleep(time.Minute)
		synctest.Wait()
		servicetest.Call(as, svc.DescribeKey, &kms.DescribeKeyInput{KeyID: doomed.KeyID}).Want("NotFoundException")
		if r := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: rotating.KeyID}).OK().Rotations; len(r) != 1 || r[0].RotationType != "AUTOMATIC" {
			t.Fatalf("rotations after the first tick: %+v", r)
		}

		// The next tick finds nothing due: no second rotation.
		time.Sleep(time.Minute)
		synctest.Wait()
		if r := servicetest.Call(as, svc.ListKeyRotations, &kms.ListKeyRotationsInput{KeyID: rotating.KeyID}).OK().Rotations; len(r) != 1 {
			t.Fatalf("rotations after the second tick: %d", len(r))
		}

		cancel()
		<-done
	})
}
