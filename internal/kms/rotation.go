package kms

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
)

const maxOnDemandRotations = 10

// rotate adds a new backing version to a key record: new ciphertexts use it, old ones still
// decrypt with theirs.
func (s *Service) rotate(rec *keyRecord, kind string) error {
	last := rec.Versions[len(rec.Versions)-1]
	ver, err := s.newMaterial(keyARN(rec.Region, rec.Account, rec.ID), last.N+1, kind)
	if err != nil {
		return err
	}
	rec.Versions = append(rec.Versions, ver)
	return nil
}

// rotationState refuses rotation changes on a key that is not Enabled (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
func rotationState(k *loadedKey, rec *keyRecord) error {
	switch rec.State {
	case stateDisabled:
		return awserr.New(awserr.DisabledException, "%s is disabled.", k.arn)
	case statePendingDeletion:
		return pendingDeletion(k)
	}
	return nil
}

// EnableKeyRotation turns on automatic rotation every RotationPeriodInDays (90–2560, default
// 365). Errors: ValidationException, NotFoundException, DisabledException,
// KMSInvalidStateException, AccessDeniedException.
func (s *Service) EnableKeyRotation(ctx context.Context, in *EnableKeyRotationInput) (*Empty, error) {
	days := int32(365)
	if in.RotationPeriodInDays != nil {
		if days = *in.RotationPeriodInDays; days < 90 || days > 2560 {
			return nil, invalid("rotationPeriodInDays", days, "Member must have value between 90 and 2560")
		}
	}
	c, k, err := s.keyOp(ctx, "EnableKeyRotation", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.change(c, k, rotationState, func(rec *keyRecord) error {
		rec.Rotation, rec.RotationDays = true, days
		rec.NextRotation = s.stamp().Add(time.Duration(days) * 24 * time.Hour)
		return nil
	})
}

// DisableKeyRotation turns automatic rotation off. Errors: NotFoundException, DisabledException,
// KMSInvalidStateException, AccessDeniedException.
func (s *Service) DisableKeyRotation(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	c, k, err := s.keyOp(ctx, "DisableKeyRotation", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.change(c, k, rotationState, func(rec *keyRecord) error {
		rec.Rotation, rec.RotationDays, rec.NextRotation = false, 0, time.Time{}
		return nil
	})
}

// GetKeyRotationStatus says whether automatic rotation is on, its period and next date (other
// accounts' keys by ARN). Errors: NotFoundException, AccessDeniedException.
func (s *Service) GetKeyRotationStatus(ctx context.Context, in *KeyIDInput) (*GetKeyRotationStatusOutput, error) {
	_, k, err := s.keyOp(ctx, "GetKeyRotationStatus", "keyId", in.KeyID, keyAnyAccount, nil)
	if err != nil {
		return nil, err
	}
	out := &GetKeyRotationStatusOutput{KeyRotationEnabled: k.rec.Rotation, KeyID: k.arn, OnDemandRotationStartDate: awsjsonTime(k.rec.OnDemandStart)}
	if k.rec.Rotation {
		days := k.rec.RotationDays
		out.RotationPeriodInDays, out.NextRotationDate = &days, awsjsonTime(k.rec.NextRotation)
	}
	return out, nil
}

// RotateKeyOnDemand rotates a key's material now (at most 10 times per key). Errors:
// NotFoundException, DisabledException, KMSInvalidStateException, LimitExceededException,
// AccessDeniedException.
func (s *Service) RotateKeyOnDemand(ctx context.Context, in *KeyIDInput) (*KeyIDOutput, error) {
	c, k, err := s.keyOp(ctx, "RotateKeyOnDemand", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	err = s.change(c, k, rotationState, func(rec *keyRecord) error {
		n := 0
		for _, v := range rec.Versions {
			if v.Rotation == "ON_DEMAND" {
				n++
			}
		}
		if n >= maxOnDemandRotations {
			return awserr.New(awserr.LimitExceededException, "%s has reached the limit of %d on-demand rotations.", k.arn, maxOnDemandRotations)
		}
		rec.OnDemandStart = s.stamp()
		return s.rotate(rec, "ON_DEMAND")
	})
	if err != nil {
		return nil, err
	}
	return &KeyIDOutput{KeyID: k.arn}, nil
}

// ListKeyRotations lists a key's completed rotations, oldest first. Errors: NotFoundException,
// InvalidMarkerException, AccessDeniedException.
func (s *Service) ListKeyRotations(ctx context.Context, in *ListKeyRotationsInput) (*ListKeyRotationsOutput, error) {
	_, k, err := s.keyOp(ctx, "ListKeyRotations", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	var rotations []RotationsListEntry
	var markers []string
	for _, v := range k.rec.Versions {
		if v.Rotation == "" {
			continue
		}
		rotations = append(rotations, RotationsListEntry{KeyID: k.arn, KeyMaterialID: v.MaterialID, RotationDate: awsjsonTime(v.Created), RotationType: v.Rotation})
		markers = append(markers, strconv.Itoa(int(v.N)))
	}
	idx := make([]int, len(rotations))
	for i := range idx {
		idx[i] = i
	}
	// Markers are version numbers, zero-padded so that they sort as numbers do.
	name := func(i int) string { return pad(markers[i]) }
	sel, pg, err := page(idx, name, in.PageInput, 1000, 100)
	if err != nil {
		return nil, err
	}
	out := make([]RotationsListEntry, 0, len(sel))
	for _, i := range sel {
		out = append(out, rotations[i])
	}
	return &ListKeyRotationsOutput{Rotations: slices.Clip(out), PageOutput: pg}, nil
}

func pad(n string) string {
	for len(n) < 10 {
		n = "0" + n
	}
	return n
}
