package kms

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/store"
)

func awsjsonTime(t time.Time) *awsjson.Time { return awsjson.NewTime(t) }

// defaultPolicy is the key policy CreateKey gives a key when the request names none (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
func defaultPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}

// newMaterial draws 32 bytes of key material and seals it for the key's version n.
func (s *Service) newMaterial(arn string, n uint32, rotation string) (keyVersion, error) {
	material := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, material); err != nil {
		return keyVersion{}, err
	}
	sealed, err := s.barrier.Seal(material, materialPurpose(arn, n))
	if err != nil {
		return keyVersion{}, err
	}
	id, err := s.randomHex(32)
	if err != nil {
		return keyVersion{}, err
	}
	return keyVersion{N: n, MaterialID: id, Sealed: sealed, Created: s.stamp(), Rotation: rotation}, nil
}

// checkKeyPolicy validates a key policy document: size (LimitExceededException), grammar and
// principals (MalformedPolicyDocumentException), and the lockout safety check unless bypassed:
// the policy must let the caller make a later PutKeyPolicy call on the key.
func (s *Service) checkKeyPolicy(c *call, doc, arn, account string, bypass bool) (*policy.Policy, error) {
	if err := policy.CheckSize(doc, policy.Key, policy.MaxKeyPolicySize); err != nil {
		return nil, awserr.New(awserr.LimitExceededException, "The key policy is %d bytes; the limit is %d bytes.", len(doc), policy.MaxKeyPolicySize)
	}
	p, err := policy.Parse(doc, policy.Key)
	if err != nil {
		return nil, awserr.New(awserr.MalformedPolicyDocumentException, "%s", err.Error())
	}
	if err := s.checkPrincipals(c, p); err != nil {
		return nil, err
	}
	if bypass {
		return p, nil
	}
	k := &loadedKey{rec: keyRecord{Account: account}, arn: arn, policy: p}
	if err := s.authorize(c, "PutKeyPolicy", k, nil, nil); err != nil {
		return nil, awserr.New(awserr.MalformedPolicyDocumentException, "The new key policy will not allow you to update the key policy in the future.")
	}
	return p, nil
}

// checkPrincipals refuses a key policy naming IAM users or roles that do not exist.
func (s *Service) checkPrincipals(c *call, p *policy.Policy) error {
	if s.principals == nil {
		return nil
	}
	for _, st := range p.Statements {
		if st.Principal == nil {
			continue
		}
		for _, arn := range st.Principal.AWS {
			if !strings.Contains(arn, ":user/") && !strings.Contains(arn, ":role/") {
				continue
			}
			ok, err := s.principals.PrincipalExists(c.Ctx, arn)
			if err != nil {
				return err
			}
			if !ok {
				return awserr.New(awserr.MalformedPolicyDocumentException, "Policy contains a statement with one or more invalid principals: %s does not exist (%s).", arn, st.Label())
			}
		}
	}
	return nil
}

// CreateKey creates a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT, AWS_KMS) with
// the given key policy or the default one. Authorized by identity policies (kms:CreateKey).
// Errors: ValidationException, UnsupportedOperationException, MalformedPolicyDocumentException,
// LimitExceededException, TagException, AccessDeniedException.
func (s *Service) CreateKey(ctx context.Context, in *CreateKeyInput) (*KeyMetadataOutput, error) {
	v := newValidation()
	if len([]rune(in.Description)) > 8192 {
		v.Constraint("description", in.Description, "Member must have length less than or equal to 8192")
	}
	if in.Policy != nil && (len(*in.Policy) < 1 || len(*in.Policy) > 131072) {
		v.Constraint("policy", *in.Policy, "Member must have length between 1 and 131072")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	for field, got := range map[string]string{"KeySpec": in.KeySpec, "CustomerMasterKeySpec": in.CustomerMasterKeySpec} {
		if got != "" && got != "SYMMETRIC_DEFAULT" {
			return nil, awserr.New(awserr.UnsupportedOperationException, "%s %s is not supported: keytrail implements symmetric encryption keys (SYMMETRIC_DEFAULT) only.", field, got)
		}
	}
	if in.KeyUsage != "" && in.KeyUsage != "ENCRYPT_DECRYPT" {
		return nil, awserr.New(awserr.UnsupportedOperationException, "KeyUsage %s is not supported for KeySpec SYMMETRIC_DEFAULT: keytrail implements ENCRYPT_DECRYPT keys only.", in.KeyUsage)
	}
	if in.Origin != "" && in.Origin != "AWS_KMS" || in.CustomKeyStoreID != "" || in.XksKeyID != "" || in.MultiRegion != nil && *in.MultiRegion {
		return nil, awserr.New(awserr.UnsupportedOperationException, "keytrail implements single-region keys with Origin AWS_KMS only.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if c.P.Type == identity.AWSService {
		return nil, awserr.New(awserr.AccessDeniedException, "Service principals cannot create keys.")
	}
	bypass := authz.Map{"kms:BypassPolicyLockoutSafetyCheck": {fmt.Sprint(in.BypassPolicyLockoutSafetyCheck)}}
	if err := s.authorizeIdentity(c, "CreateKey", bypass); err != nil {
		return nil, err
	}
	id, err := s.newUUID()
	if err != nil {
		return nil, err
	}
	arn := keyARN(c.Region, c.P.Account, id)
	doc := defaultPolicy(c.P.Account)
	if in.Policy != nil {
		doc = *in.Policy
		if _, err := s.checkKeyPolicy(c, doc, arn, c.P.Account, in.BypassPolicyLockoutSafetyCheck); err != nil {
			return nil, err
		}
	}
	ver, err := s.newMaterial(arn, 1, "")
	if err != nil {
		return nil, err
	}
	rec := keyRecord{ID: id, Account: c.P.Account, Region: c.Region, Description: in.Description, Created: s.stamp(),
		State: stateEnabled, Policy: doc, Tags: in.Tags, Versions: []keyVersion{ver}}
	if err := s.db.Update(ctx, func(tx store.Tx) error { return putKey(tx, &rec) }); err != nil {
		return nil, err
	}
	k, err := s.key(c, c.P.Account, c.Region, id)
	if err != nil {
		return nil, err
	}
	return &KeyMetadataOutput{KeyMetadata: k.metadata()}, nil
}

// DescribeKey describes a key, by key ID, key ARN, alias name or alias ARN (other accounts' keys
// by ARN); a predefined AWS alias with no key yet gets its AWS managed key first.
// Errors: NotFoundException, InvalidArnException, AccessDeniedException.
func (s *Service) DescribeKey(ctx context.Context, in *DescribeKeyInput) (_ *KeyMetadataOutput, err error) {
	_, k, err := s.keyOp(ctx, "DescribeKey", "keyId", in.KeyID, anyForm, nil)
	if made, merr := s.managedOnFirstUse(ctx, err, in.KeyID); merr != nil {
		return nil, merr
	} else if made {
		_, k, err = s.keyOp(ctx, "DescribeKey", "keyId", in.KeyID, anyForm, nil)
	}
	if err != nil {
		return nil, err
	}
	return &KeyMetadataOutput{KeyMetadata: k.metadata()}, nil
}

// target validates a required key identifier and resolves it as the operation accepts it.
func (s *Service) target(ctx context.Context, field, id string, forms idForms) (*call, *loadedKey, error) {
	v := newValidation()
	checkKeyID(v, field, id)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	k, err := s.resolve(c, id, forms)
	if err != nil {
		return nil, nil, err
	}
	return c, k, nil
}

// keyOp is the start of most key operations: validate the KeyId, resolve it as the operation
// accepts it, and authorize the action on the key.
func (s *Service) keyOp(ctx context.Context, action, field, id string, forms idForms, extra authz.Map) (*call, *loadedKey, error) {
	c, k, err := s.target(ctx, field, id, forms)
	if err != nil {
		return nil, nil, err
	}
	// A grant may allow DescribeKey (the only grant operation keyOp serves); grantsFor finds none
	// for the other actions.
	if err := s.authorize(c, action, k, &conditionKeys{extra: extra}, k.grantsFor(action, nil)); err != nil {
		return nil, nil, err
	}
	return c, k, nil
}

// changeKey is the whole of an operation that changes one of the caller's own keys: keyOp, then
// fn on the key's record, in one transaction, unless check refuses the key's state.
func (s *Service) changeKey(ctx context.Context, action, id string, check func(*loadedKey, *keyRecord) error, fn func(*keyRecord) error) (*Empty, error) {
	c, k, err := s.keyOp(ctx, action, "keyId", id, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	return &Empty{}, s.change(c, k, check, fn)
}

// identityOp is the start of the operations on no key, authorized by identity policies alone:
// ListKeys, ListAliases, ListRetirableGrants, GenerateRandom.
func (s *Service) identityOp(ctx context.Context, action string) (*call, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	return c, s.authorizeIdentity(c, action, nil)
}

// page applies Limit and Marker to a sorted list of names: the marker is the last name returned.
// The page is never nil (an empty list is [] on the wire).
func page[T any](items []T, name func(T) string, in PageInput, maxItems, def int32) ([]T, PageOutput, error) {
	if items == nil {
		items = []T{}
	}
	limit := def
	if in.Limit != nil {
		limit = *in.Limit
		if limit < 1 || limit > maxItems {
			return nil, PageOutput{}, invalid("limit", limit, fmt.Sprintf("Member must have value between 1 and %d", maxItems))
		}
	}
	start := 0
	if in.Marker != "" {
		start = slices.IndexFunc(items, func(t T) bool { return name(t) > in.Marker })
		if start < 0 {
			start = len(items)
		}
		if !slices.ContainsFunc(items, func(t T) bool { return name(t) == in.Marker }) && start == len(items) && len(items) > 0 {
			return nil, PageOutput{}, awserr.New(awserr.InvalidMarkerException, "The marker %q is not valid for this request.", in.Marker)
		}
	}
	items = items[start:]
	if len(items) > int(limit) {
		return items[:limit], PageOutput{NextMarker: name(items[limit-1]), Truncated: true}, nil
	}
	return items, PageOutput{}, nil
}

// scanRegion returns the entries that entry makes of the records of table in the caller's account
// and region, in store order, leaving out those it answers false for.
func scanRegion[R, T any](s *Service, c *call, table store.Table[R], entry func(*R) (T, bool)) ([]T, error) {
	var out []T
	err := s.db.View(c.Ctx, func(tx store.Tx) error {
		return table.Scan(tx, c.P.Account+"/"+c.Region+"/", "", func(_ string, r *R) error {
			if e, ok := entry(r); ok {
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// ListKeys lists the caller's keys in the region, all states. Authorized by identity policies.
// Errors: ValidationException, InvalidMarkerException, AccessDeniedException.
func (s *Service) ListKeys(ctx context.Context, in *PageInput) (*ListKeysOutput, error) {
	c, err := s.identityOp(ctx, "ListKeys")
	if err != nil {
		return nil, err
	}
	keys, err := scanRegion(s, c, keysTable, func(rec *keyRecord) (KeyListEntry, bool) {
		return KeyListEntry{KeyID: rec.ID, KeyArn: keyARN(rec.Region, rec.Account, rec.ID)}, true
	})
	if err != nil {
		return nil, err
	}
	out, pg, err := page(keys, func(e KeyListEntry) string { return e.KeyID }, *in, 1000, 100)
	if err != nil {
		return nil, err
	}
	return &ListKeysOutput{Keys: out, PageOutput: pg}, nil
}

// UpdateKeyDescription replaces a key's description. Errors: NotFoundException,
// KMSInvalidStateException, ValidationException, AccessDeniedException.
func (s *Service) UpdateKeyDescription(ctx context.Context, in *UpdateKeyDescriptionInput) (*Empty, error) {
	if in.Description == nil {
		return nil, missing("description")
	}
	if len([]rune(*in.Description)) > 8192 {
		return nil, invalid("description", *in.Description, "Member must have length less than or equal to 8192")
	}
	return s.changeKey(ctx, "UpdateKeyDescription", in.KeyID, refusePending, func(rec *keyRecord) error {
		rec.Description = *in.Description
		return nil
	})
}

// EnableKey sets a key's state to Enabled. Errors: NotFoundException, KMSInvalidStateException
// (pending deletion), AccessDeniedException.
func (s *Service) EnableKey(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	return s.setEnabled(ctx, "EnableKey", in.KeyID, stateEnabled)
}

// DisableKey sets a key's state to Disabled: cryptographic operations then fail with
// DisabledException. Errors: NotFoundException, KMSInvalidStateException, AccessDeniedException.
func (s *Service) DisableKey(ctx context.Context, in *KeyIDInput) (*Empty, error) {
	return s.setEnabled(ctx, "DisableKey", in.KeyID, stateDisabled)
}

func (s *Service) setEnabled(ctx context.Context, action, id, state string) (*Empty, error) {
	return s.changeKey(ctx, action, id, refusePending, func(rec *keyRecord) error {
		rec.State = state
		return nil
	})
}

// ScheduleKeyDeletion puts a key in PendingDeletion for 7–30 days (default 30); when the window
// ends the key and its aliases and grants are deleted (Sweep). Errors: ValidationException,
// NotFoundException, KMSInvalidStateException, AccessDeniedException.
func (s *Service) ScheduleKeyDeletion(ctx context.Context, in *ScheduleKeyDeletionInput) (*ScheduleKeyDeletionOutput, error) {
	days := int32(30)
	if in.PendingWindowInDays != nil {
		days = *in.PendingWindowInDays
		if days < 7 || days > 30 {
			return nil, invalid("pendingWindowInDays", days, "Member must have value between 7 and 30")
		}
	}
	c, k, err := s.keyOp(ctx, "ScheduleKeyDeletion", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	// AWS schedules deletion at the end of the day the window ends (UTC); keytrail keeps the
	// exact instant, so that the window is the window asked for.
	when := s.stamp().Add(time.Duration(days) * 24 * time.Hour)
	err = s.change(c, k, refusePending, func(rec *keyRecord) error {
		rec.State, rec.DeletionDate, rec.PendingWindow = statePendingDeletion, when, days
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ScheduleKeyDeletionOutput{KeyID: k.arn, DeletionDate: awsjsonTime(when), KeyState: statePendingDeletion, PendingWindowInDays: days}, nil
}

// CancelKeyDeletion takes a key out of PendingDeletion; it is Disabled afterwards, as in AWS.
// Errors: NotFoundException, KMSInvalidStateException (not pending deletion), AccessDeniedException.
func (s *Service) CancelKeyDeletion(ctx context.Context, in *KeyIDInput) (*KeyIDOutput, error) {
	c, k, err := s.keyOp(ctx, "CancelKeyDeletion", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	err = s.update(c, k, func(_ store.Tx, rec *keyRecord) error {
		if rec.State != statePendingDeletion {
			return awserr.New(awserr.KMSInvalidStateException, "%s is not pending deletion.", k.arn)
		}
		rec.State, rec.DeletionDate, rec.PendingWindow = stateDisabled, time.Time{}, 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &KeyIDOutput{KeyID: k.arn}, nil
}

// Sweep does what time does to keys: it deletes the keys whose deletion date has passed, with
// their aliases and grants, and rotates the keys whose automatic rotation is due. keytrail runs
// it at start and every minute (Run), so a window that ends while keytrail is down is honoured at
// the next start.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var changed []cacheKey
	err := s.db.Update(ctx, func(tx store.Tx) error {
		var due []keyRecord
		err := keysTable.Scan(tx, "", "", func(_ string, rec *keyRecord) error {
			if rec.State == statePendingDeletion && !now.Before(rec.DeletionDate) || rec.State != statePendingDeletion && rec.Rotation && !now.Before(rec.NextRotation) {
				due = append(due, *rec)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, rec := range due {
			arn := keyARN(rec.Region, rec.Account, rec.ID)
			changed = append(changed, cacheKey{rec.Account, rec.Region, rec.ID})
			if rec.State != statePendingDeletion {
				if err := s.rotate(&rec, "AUTOMATIC"); err != nil {
					return err
				}
				rec.NextRotation = now.UTC().Add(time.Duration(rec.RotationDays) * 24 * time.Hour)
				if err := putKey(tx, &rec); err != nil {
					return err
				}
				continue
			}
			if err := deleteKey(tx, &rec); err != nil {
				return err
			}
			s.log.Info("kms key deleted at the end of its waiting period", "key", arn)
		}
		return nil
	})
	for _, k := range changed {
		s.cache.Delete(k)
	}
	return err
}

// deleteKey removes a key, the aliases that point to it and its grants.
func deleteKey(tx store.Tx, rec *keyRecord) error {
	prefix := rec.Account + "/" + rec.Region + "/"
	var aliases, grants []string
	err := aliasesTable.Scan(tx, prefix, "", func(k string, a *aliasRecord) error {
		if a.Target == rec.ID {
			aliases = append(aliases, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = tx.Scan(grantsTable.Name, prefix+rec.ID+"/", "", func(k string, _ []byte) error {
		grants = append(grants, k)
		return nil
	})
	if err != nil {
		return err
	}
	if err := deleteAll(tx, aliasesTable, aliases); err != nil {
		return err
	}
	if err := deleteAll(tx, grantsTable, grants); err != nil {
		return err
	}
	return keysTable.Delete(tx, keyStoreKey(rec.Account, rec.Region, rec.ID))
}

// deleteAll deletes the records of table stored under keys.
func deleteAll[T any](tx store.Tx, table store.Table[T], keys []string) error {
	for _, k := range keys {
		if err := table.Delete(tx, k); err != nil {
			return err
		}
	}
	return nil
}

// Run sweeps every interval until ctx ends (Open has swept once already).
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.Sweep(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("kms sweep", "err", err)
		}
	}
}

// ---- Key policies ----

func checkPolicyName(name *string) error {
	if name != nil && *name != "default" {
		return invalid("policyName", *name, "Member must satisfy regular expression pattern: default")
	}
	return nil
}

// GetKeyPolicy returns a key's policy, exactly as it was given. Errors: NotFoundException,
// ValidationException, AccessDeniedException.
func (s *Service) GetKeyPolicy(ctx context.Context, in *KeyPolicyInput) (*GetKeyPolicyOutput, error) {
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	_, k, err := s.keyOp(ctx, "GetKeyPolicy", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	return &GetKeyPolicyOutput{Policy: k.rec.Policy, PolicyName: "default"}, nil
}

// PutKeyPolicy replaces a key's policy, validated by the policy engine, within 32 KiB, with the
// lockout safety check unless BypassPolicyLockoutSafetyCheck. Errors: NotFoundException,
// MalformedPolicyDocumentException, LimitExceededException, ValidationException,
// KMSInvalidStateException, AccessDeniedException.
func (s *Service) PutKeyPolicy(ctx context.Context, in *PutKeyPolicyInput) (*Empty, error) {
	v := newValidation()
	if in.Policy == nil {
		v.Null("policy")
	} else {
		checkLength(v, "policy", *in.Policy, 1, 131072)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := checkPolicyName(in.PolicyName); err != nil {
		return nil, err
	}
	bypass := authz.Map{"kms:BypassPolicyLockoutSafetyCheck": {fmt.Sprint(in.BypassPolicyLockoutSafetyCheck)}}
	c, k, err := s.keyOp(ctx, "PutKeyPolicy", "keyId", in.KeyID, keyOwnAccount, bypass)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkKeyPolicy(c, *in.Policy, k.arn, k.rec.Account, in.BypassPolicyLockoutSafetyCheck); err != nil {
		return nil, err
	}
	return &Empty{}, s.update(c, k, func(_ store.Tx, rec *keyRecord) error {
		rec.Policy = *in.Policy
		return nil
	})
}

// ListKeyPolicies lists a key's policy names: always ["default"]. Errors: NotFoundException,
// AccessDeniedException.
func (s *Service) ListKeyPolicies(ctx context.Context, in *ListKeyPoliciesInput) (*ListKeyPoliciesOutput, error) {
	if _, _, err := s.keyOp(ctx, "ListKeyPolicies", "keyId", in.KeyID, keyOwnAccount, nil); err != nil {
		return nil, err
	}
	names, pg, err := page([]string{"default"}, func(n string) string { return n }, in.PageInput, 1000, 100)
	if err != nil {
		return nil, err
	}
	return &ListKeyPoliciesOutput{PolicyNames: names, PageOutput: pg}, nil
}

// ---- Tags ----

func checkTags(tags []Tag) error {
	for _, t := range tags {
		switch {
		case t.TagKey == "" || len([]rune(t.TagKey)) > 128 || len([]rune(t.TagValue)) > 256:
			return awserr.New(awserr.TagException, "Tag keys must have 1 to 128 characters and tag values at most 256.")
		case strings.HasPrefix(strings.ToLower(t.TagKey), "aws:"):
			return awserr.New(awserr.TagException, "Tags beginning with aws: are reserved.")
		}
	}
	if len(tags) > 50 {
		return awserr.New(awserr.TagException, "A key can have at most 50 tags.")
	}
	return nil
}

// TagResource adds or replaces tags on a key. Errors: TagException, NotFoundException,
// KMSInvalidStateException, AccessDeniedException.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*Empty, error) {
	if in.Tags == nil {
		return nil, missing("tags")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return s.changeKey(ctx, "TagResource", in.KeyID, refusePending, func(rec *keyRecord) error {
		for _, t := range in.Tags {
			rec.Tags = slices.DeleteFunc(rec.Tags, func(old Tag) bool { return old.TagKey == t.TagKey })
			rec.Tags = append(rec.Tags, t)
		}
		if len(rec.Tags) > 50 {
			return awserr.New(awserr.TagException, "A key can have at most 50 tags.")
		}
		return nil
	})
}

// UntagResource removes tags from a key. Errors: NotFoundException, KMSInvalidStateException,
// AccessDeniedException.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*Empty, error) {
	if in.TagKeys == nil {
		return nil, missing("tagKeys")
	}
	return s.changeKey(ctx, "UntagResource", in.KeyID, refusePending, func(rec *keyRecord) error {
		rec.Tags = slices.DeleteFunc(rec.Tags, func(t Tag) bool { return slices.Contains(in.TagKeys, t.TagKey) })
		return nil
	})
}

// ListResourceTags lists a key's tags by key. Errors: NotFoundException, AccessDeniedException.
func (s *Service) ListResourceTags(ctx context.Context, in *ListResourceTagsInput) (*ListResourceTagsOutput, error) {
	_, k, err := s.keyOp(ctx, "ListResourceTags", "keyId", in.KeyID, keyOwnAccount, nil)
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(k.rec.Tags)
	slices.SortFunc(tags, func(a, b Tag) int { return strings.Compare(a.TagKey, b.TagKey) })
	out, pg, err := page(tags, func(t Tag) string { return t.TagKey }, in.PageInput, 50, 50)
	if err != nil {
		return nil, err
	}
	return &ListResourceTagsOutput{Tags: out, PageOutput: pg}, nil
}

// managedKeyPolicy is the key policy of an AWS managed key for a service: every principal of the
// account may use the key through that service; the account may read its metadata.
func managedKeyPolicy(account, region, service string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "auto-` + service + `-2",
  "Statement" : [ {
    "Sid" : "Allow access through ` + strings.ToUpper(service) + ` for all principals in the account that are authorized to use ` + strings.ToUpper(service) + `",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:CallerAccount" : "` + account + `",
        "kms:ViaService" : "` + service + `.` + region + `.amazonaws.com"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],
    "Resource" : "*"
  } ]
}`
}

// AWSManagedKey returns the ARN of the account's AWS managed key for a service (aws/s3) in a
// region, creating it with its alias on first use, as AWS does when the service first needs it.
// It is an in-process call of the service, not an API operation: it authorizes nothing itself;
// using the key is authorized by its policy like any other.
func (s *Service) AWSManagedKey(ctx context.Context, account, region, service string) (string, error) {
	alias := "alias/aws/" + service
	s.mu.Lock()
	defer s.mu.Unlock()
	var arn string
	err := s.db.Update(ctx, func(tx store.Tx) error {
		if a, err := getAlias(tx, account, region, alias); err != nil || a != nil {
			if a != nil {
				arn = keyARN(region, account, a.Target)
			}
			return err
		}
		id, err := s.newUUID()
		if err != nil {
			return err
		}
		arn = keyARN(region, account, id)
		ver, err := s.newMaterial(arn, 1, "")
		if err != nil {
			return err
		}
		now := s.stamp()
		rec := keyRecord{ID: id, Account: account, Region: region, Description: "Default key that protects my " + strings.ToUpper(service) + " objects when no other key is defined",
			Created: now, State: stateEnabled, Policy: managedKeyPolicy(account, region, service), Versions: []keyVersion{ver}, Managed: true}
		if err := putKey(tx, &rec); err != nil {
			return err
		}
		return putAlias(tx, account, region, &aliasRecord{Name: alias, Target: id, Created: now, Updated: now})
	})
	return arn, err
}
