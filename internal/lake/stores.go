package lake

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/store"
)

// stores are the stored event data stores: <account>/<home region>/<id> → storeRecord.
var stores = store.Table[storeRecord]{Name: "lake.stores"}

// The limits of event data stores.
const (
	// maxStores is the most stores of an account in one Region, counting the multi-Region
	// stores of every Region and stores in any lifecycle stage
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
	maxStores = 10
	// maxTags is the most tags of a store (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AddTags.html).
	maxTags = 50
	// deletionWait is how long a deleted store waits in PENDING_DELETION before it is purged
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteEventDataStore.html).
	deletionWait = 7 * 24 * time.Hour
)

// retention is a billing mode's range and default of RetentionPeriod, in days
// (BillingMode in https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html).
var retention = map[string]struct{ min, max, def int }{
	Extendable: {7, 3653, 366},
	Fixed:      {7, 2557, 2557},
}

// storeRecord is a stored event data store (format version 1).
type storeRecord struct {
	store.Version
	ID                    string                  `json:"id"`
	Name                  string                  `json:"name"`
	Account               string                  `json:"account"`
	Region                string                  `json:"region"`
	Status                string                  `json:"status"`
	Selectors             []AdvancedEventSelector `json:"selectors"`
	MultiRegion           bool                    `json:"multiRegion"`
	Retention             int                     `json:"retention"`
	TerminationProtection bool                    `json:"terminationProtection"`
	Billing               string                  `json:"billing"`
	KMSKey                string                  `json:"kmsKey,omitempty"` // the key ARN
	Tags                  []Tag                   `json:"tags,omitempty"`
	Created               time.Time               `json:"created"`
	Updated               time.Time               `json:"updated"`
	// Deleted is when a PENDING_DELETION store was deleted; Resume is the status a restore
	// returns it to.
	Deleted time.Time `json:"deleted,omitzero"`
	Resume  string    `json:"resume,omitempty"`
}

// ARN is the store's ARN.
func (r *storeRecord) ARN() string {
	return "arn:aws:cloudtrail:" + r.Region + ":" + r.Account + ":eventdatastore/" + r.ID
}

func (r *storeRecord) storeKey() string { return r.Account + "/" + r.Region + "/" + r.ID }

func (r *storeRecord) output() StoreOutput {
	return StoreOutput{EventDataStoreArn: r.ARN(), Name: r.Name, Status: r.Status, AdvancedEventSelectors: r.Selectors,
		MultiRegionEnabled: r.MultiRegion, RetentionPeriod: r.Retention, TerminationProtectionEnabled: r.TerminationProtection,
		CreatedTimestamp: awsjson.NewTime(r.Created), UpdatedTimestamp: awsjson.NewTime(r.Updated), KmsKeyID: r.KMSKey, BillingMode: r.Billing}
}

func (r *storeRecord) summary() StoreSummary {
	return StoreSummary{EventDataStoreArn: r.ARN(), Name: r.Name, TerminationProtectionEnabled: r.TerminationProtection, Status: r.Status,
		AdvancedEventSelectors: r.Selectors, MultiRegionEnabled: r.MultiRegion, RetentionPeriod: r.Retention,
		CreatedTimestamp: awsjson.NewTime(r.Created), UpdatedTimestamp: awsjson.NewTime(r.Updated)}
}

// storeARNPattern is an event data store ARN
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetEventDataStore.html).
var storeARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore/([A-Za-z0-9-]+)$`)

// newID returns a new store ID: a random UUID, as AWS's are.
func newID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// accountStores lists an account's stores, every Region.
func accountStores(tx store.Tx, account string) ([]*storeRecord, error) {
	var out []*storeRecord
	err := stores.Scan(tx, account+"/", "", func(_ string, r *storeRecord) error {
		out = append(out, r)
		return nil
	})
	return out, err
}

// visible reports whether the caller sees the store from its region: its own region's stores
// and the multi-Region stores of every Region.
func visible(c *call, r *storeRecord) bool { return r.Region == c.Region || r.MultiRegion }

// find resolves the store an EventDataStore member names (its ARN, or the ID at the end of it)
// as the caller sees it. Errors: EventDataStoreARNInvalidException, EventDataStoreNotFoundException.
func (s *Service) find(c *call, ref string) (*storeRecord, error) {
	var key, id string
	switch m := storeARNPattern.FindStringSubmatch(ref); {
	case m != nil && m[2] != c.P.Account:
		return nil, awserr.New(arnInvalid, "The specified event data store ARN %s is not valid or does not map to an event data store in your account.", ref)
	case m != nil:
		key = m[2] + "/" + m[1] + "/" + m[3]
	case strings.HasPrefix(ref, "arn:") || ref == "":
		return nil, awserr.New(arnInvalid, "The specified event data store ARN %s is not valid or does not map to an event data store in your account.", ref)
	default:
		id = ref
	}
	var r *storeRecord
	err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		if key != "" {
			r, err = stores.Get(tx, key)
			return err
		}
		all, err := accountStores(tx, c.P.Account)
		for _, o := range all {
			if o.ID == id {
				r = o
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if r == nil || !visible(c, r) {
		return nil, awserr.New(notFound, "The specified event data store %s was not found.", ref)
	}
	return r, nil
}

// home requires the caller to be in the store's home Region for a change.
func home(c *call, r *storeRecord) error {
	if r.Region != c.Region {
		return awserr.New(operationNotPermitted, "Event data store %s can be changed only from its home Region, %s.", r.ARN(), r.Region)
	}
	return nil
}

// target finds the store ref names, authorizes action on it and, for a change, requires the
// caller's Region to be its home.
func (s *Service) target(ctx context.Context, action, ref string, change bool) (*call, *storeRecord, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.find(c, ref)
	if err != nil {
		return nil, nil, err
	}
	if err := s.authorize(c, action, r.ARN()); err != nil {
		return nil, nil, err
	}
	if change {
		if err := home(c, r); err != nil {
			return nil, nil, err
		}
	}
	return c, r, nil
}

// update is the one way a stored store changes: in one transaction it reloads the store, applies
// fn and stores it. It returns the store as stored; EventDataStoreNotFoundException when it is
// gone.
func (s *Service) update(ctx context.Context, r *storeRecord, fn func(tx store.Tx, cur *storeRecord) error) (*storeRecord, error) {
	var changed *storeRecord
	err := s.db.Update(ctx, func(tx store.Tx) error {
		cur, err := stores.Get(tx, r.storeKey())
		if err != nil {
			return err
		}
		if cur == nil {
			return awserr.New(notFound, "The specified event data store %s was not found.", r.ARN())
		}
		before := cur.Status
		if err := fn(tx, cur); err != nil {
			return err
		}
		if err := s.statusChanged(tx, cur, before); err != nil {
			return err
		}
		changed = cur
		return stores.Put(tx, cur.storeKey(), cur)
	})
	return changed, err
}

// checkName applies the Name member's rules (3–128 letters, digits, periods, underscores and
// dashes), which the protocol layer checks on the wire; in-process callers are checked here.
func checkName(name string) error {
	if len(name) < 3 || len(name) > 128 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
		return awserr.New(invalidParameter, "Event data store name %q is not valid: it must be 3 to 128 letters, digits, periods, underscores and dashes.", name)
	}
	return nil
}

// checkRetention checks a retention period against the billing mode's range.
func checkRetention(days int, billing string) error {
	b := retention[billing]
	if days < b.min || days > b.max {
		return awserr.New(invalidParameter, "RetentionPeriod %d is not valid for billing mode %s: it must be between %d and %d days.", days, billing, b.min, b.max)
	}
	return nil
}

func checkBilling(mode string) error {
	if _, ok := retention[mode]; !ok {
		return awserr.New(invalidParameter, "BillingMode %q is not valid: it must be %s or %s.", mode, Extendable, Fixed)
	}
	return nil
}

func checkOrganization(org *bool) error {
	if org != nil && *org {
		return awserr.New(organizationsNotInUse, "This account is not part of an organization.")
	}
	return nil
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

// CreateEventDataStore creates an event data store in the caller's Region: all management
// events when no selectors are given, multi-Region, termination protection on, ingesting unless
// StartIngestion is false, with the billing mode's default retention; a KMS key is checked as
// the seed page says (see checkKey). Authorized by identity policies
// (cloudtrail:CreateEventDataStore). Errors: InvalidParameterException,
// InvalidEventSelectorsException, InvalidTagParameterException, OrganizationsNotInUseException,
// EventDataStoreAlreadyExistsException, EventDataStoreMaxLimitExceededException,
// InvalidKmsKeyIdException, KmsKeyNotFoundException, KmsException,
// InsufficientEncryptionPolicyException, AccessDeniedException.
func (s *Service) CreateEventDataStore(ctx context.Context, in *CreateEventDataStoreInput) (*CreateEventDataStoreOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.newStore(c, in)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "CreateEventDataStore", r.ARN()); err != nil {
		return nil, err
	}
	if err := s.db.View(ctx, func(tx store.Tx) error { return checkRoom(tx, r) }); err != nil {
		return nil, err
	}
	if in.KmsKeyID != "" {
		if r.KMSKey, err = s.checkKey(c, r, in.KmsKeyID); err != nil {
			return nil, err
		}
	}
	if err := s.db.Update(ctx, func(tx store.Tx) error {
		if err := checkRoom(tx, r); err != nil {
			return err
		}
		if err := s.started(tx, r); err != nil {
			return err
		}
		return stores.Put(tx, r.storeKey(), r)
	}); err != nil {
		return nil, err
	}
	out := &CreateEventDataStoreOutput{StoreOutput: r.output(), TagsList: slices.Clone(r.Tags)}
	if out.TagsList == nil {
		out.TagsList = []Tag{}
	}
	if r.Status == StatusEnabled {
		out.Status = StatusCreated // the response names the creation; the store is then ENABLED
	}
	return out, nil
}

// newStore validates a CreateEventDataStore request and returns the store it describes.
func (s *Service) newStore(c *call, in *CreateEventDataStoreInput) (*storeRecord, error) {
	if err := checkName(in.Name); err != nil {
		return nil, err
	}
	if err := checkOrganization(in.OrganizationEnabled); err != nil {
		return nil, err
	}
	billing := in.BillingMode
	if billing == "" {
		billing = Extendable
	}
	if err := checkBilling(billing); err != nil {
		return nil, err
	}
	days := retention[billing].def
	if in.RetentionPeriod != nil {
		days = *in.RetentionPeriod
	}
	if err := checkRetention(days, billing); err != nil {
		return nil, err
	}
	selectors, err := checkSelectors(in.AdvancedEventSelectors)
	if err != nil {
		return nil, err
	}
	if len(in.TagsList) > maxTags {
		return nil, awserr.New(invalidTagParameter, "An event data store can have at most %d tags.", maxTags)
	}
	if err := cloudtrail.CheckTags(in.TagsList); err != nil {
		return nil, err
	}
	id, err := newID(s.rand)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC()
	r := &storeRecord{ID: id, Name: in.Name, Account: c.P.Account, Region: c.Region, Status: StatusEnabled, Selectors: selectors,
		MultiRegion: boolOr(in.MultiRegionEnabled, true), Retention: days, TerminationProtection: boolOr(in.TerminationProtectionEnabled, true),
		Billing: billing, Tags: slices.Clone(in.TagsList), Created: now, Updated: now}
	if !boolOr(in.StartIngestion, true) {
		r.Status = StatusStoppedIngestion
	}
	return r, nil
}

// checkRoom refuses a new store whose name is taken in its Region, or one more than the
// Region's quota.
func checkRoom(tx store.Tx, r *storeRecord) error {
	all, err := accountStores(tx, r.Account)
	if err != nil {
		return err
	}
	n := 0
	for _, o := range all {
		if o.Region == r.Region && o.Name == r.Name && o.ID != r.ID {
			return awserr.New(alreadyExists, "An event data store with the name %s already exists.", r.Name)
		}
		if o.Region == r.Region || o.MultiRegion {
			n++
		}
	}
	if n >= maxStores {
		return awserr.New(maxLimitExceeded, "Your account has used the maximum number of event data stores (%d) in %s.", maxStores, r.Region)
	}
	return nil
}

// GetEventDataStore describes a store (its own Region's, or a multi-Region store of another).
// Authorized by identity policies (cloudtrail:GetEventDataStore). Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException, AccessDeniedException.
func (s *Service) GetEventDataStore(ctx context.Context, in *StoreInput) (*GetEventDataStoreOutput, error) {
	_, r, err := s.target(ctx, "GetEventDataStore", in.EventDataStore, false)
	if err != nil {
		return nil, err
	}
	return &GetEventDataStoreOutput{StoreOutput: r.output(), FederationStatus: "DISABLED"}, nil
}

// ListEventDataStores lists the stores the caller sees from its Region, by ARN, in pages of
// MaxResults (all when it is absent). Authorized by identity policies
// (cloudtrail:ListEventDataStores). Errors: InvalidMaxResultsException,
// InvalidNextTokenException, AccessDeniedException.
func (s *Service) ListEventDataStores(ctx context.Context, in *ListEventDataStoresInput) (*ListEventDataStoresOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 1000) {
		return nil, awserr.New(invalidMaxResults, "MaxResults %d is not valid: it must be between 1 and 1000.", *in.MaxResults)
	}
	after := ""
	if in.NextToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(in.NextToken)
		if err != nil || !storeARNPattern.Match(b) {
			return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
		}
		after = string(b)
	}
	if err := s.authorize(c, "ListEventDataStores", "*"); err != nil {
		return nil, err
	}
	var all []*storeRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		all, err = accountStores(tx, c.P.Account)
		return err
	}); err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(r *storeRecord) bool { return !visible(c, r) || r.ARN() <= after })
	slices.SortFunc(all, func(a, b *storeRecord) int { return strings.Compare(a.ARN(), b.ARN()) })
	out := &ListEventDataStoresOutput{EventDataStores: []StoreSummary{}}
	for _, r := range all {
		if in.MaxResults != nil && len(out.EventDataStores) == *in.MaxResults {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.EventDataStores[len(out.EventDataStores)-1].EventDataStoreArn))
			break
		}
		out.EventDataStores = append(out.EventDataStores, r.summary())
	}
	return out, nil
}

// UpdateEventDataStore changes a store from its home Region: at least one member besides
// EventDataStore; a key only where the store has none (see checkKey); the billing mode only from
// FIXED to EXTENDABLE. Authorized by identity policies (cloudtrail:UpdateEventDataStore).
// Errors: EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, InvalidParameterException, InvalidEventSelectorsException,
// OrganizationsNotInUseException, EventDataStoreAlreadyExistsException,
// OperationNotPermittedException, InvalidKmsKeyIdException, KmsKeyNotFoundException,
// KmsException, InsufficientEncryptionPolicyException, EventDataStoreHasOngoingImportException,
// AccessDeniedException.
func (s *Service) UpdateEventDataStore(ctx context.Context, in *UpdateEventDataStoreInput) (*UpdateEventDataStoreOutput, error) {
	if in.Name == nil && in.AdvancedEventSelectors == nil && in.MultiRegionEnabled == nil && in.OrganizationEnabled == nil &&
		in.RetentionPeriod == nil && in.TerminationProtectionEnabled == nil && in.KmsKeyID == nil && in.BillingMode == nil {
		return nil, awserr.New(invalidParameter, "UpdateEventDataStore needs at least one parameter to change besides EventDataStore.")
	}
	c, r, err := s.target(ctx, "UpdateEventDataStore", in.EventDataStore, true)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusPendingDeletion {
		return nil, awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
	}
	want, err := s.changed(c, r, in)
	if err != nil {
		return nil, err
	}
	r, err = s.update(ctx, r, func(tx store.Tx, cur *storeRecord) error {
		if cur.Status == StatusPendingDeletion {
			return awserr.New(inactive, "The event data store %s is inactive.", cur.ARN())
		}
		if cur.KMSKey != "" && want.KMSKey != cur.KMSKey {
			return keyFixed(cur)
		}
		if err := importing(tx, cur); err != nil {
			return err
		}
		if want.Name != cur.Name {
			if err := checkRoom(tx, want); err != nil && !isCode(err, maxLimitExceeded) {
				return err
			}
		}
		cur.Name, cur.Selectors, cur.MultiRegion, cur.Retention = want.Name, want.Selectors, want.MultiRegion, want.Retention
		cur.TerminationProtection, cur.KMSKey, cur.Billing, cur.Updated = want.TerminationProtection, want.KMSKey, want.Billing, s.now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateEventDataStoreOutput{StoreOutput: r.output(), FederationStatus: "DISABLED"}, nil
}

// changed validates an UpdateEventDataStore request against the store and returns the store
// as it would be.
func (s *Service) changed(c *call, r *storeRecord, in *UpdateEventDataStoreInput) (*storeRecord, error) {
	want := *r
	if err := checkOrganization(in.OrganizationEnabled); err != nil {
		return nil, err
	}
	if in.Name != nil {
		if err := checkName(*in.Name); err != nil {
			return nil, err
		}
		want.Name = *in.Name
	}
	if in.BillingMode != nil {
		if err := checkBilling(*in.BillingMode); err != nil {
			return nil, err
		}
		if r.Billing == Extendable && *in.BillingMode == Fixed {
			return nil, awserr.New(invalidParameter, "The billing mode of event data store %s cannot be changed from %s to %s.", r.ARN(), Extendable, Fixed)
		}
		want.Billing = *in.BillingMode
	}
	if in.RetentionPeriod != nil {
		want.Retention = *in.RetentionPeriod
	}
	if err := checkRetention(want.Retention, want.Billing); err != nil {
		return nil, err
	}
	if in.AdvancedEventSelectors != nil {
		sel, err := checkSelectors(in.AdvancedEventSelectors)
		if err != nil {
			return nil, err
		}
		want.Selectors = sel
	}
	want.MultiRegion = boolOr(in.MultiRegionEnabled, r.MultiRegion)
	want.TerminationProtection = boolOr(in.TerminationProtectionEnabled, r.TerminationProtection)
	if in.KmsKeyID != nil && *in.KmsKeyID != r.KMSKey {
		if *in.KmsKeyID == "" {
			return nil, keyFixed(r)
		}
		key, err := s.checkKey(c, r, *in.KmsKeyID)
		if err != nil {
			return nil, err
		}
		if r.KMSKey != "" && key != r.KMSKey {
			return nil, keyFixed(r)
		}
		want.KMSKey = key
	}
	return &want, nil
}

func keyFixed(r *storeRecord) error {
	return awserr.New(invalidParameter, "The KMS key of event data store %s is %s: once associated, a KMS key cannot be removed or changed.", r.ARN(), r.KMSKey)
}

func isCode(err error, code awserr.Code) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == code
}

// DeleteEventDataStore disables a store from its home Region: it is PENDING_DELETION, and
// purged seven days later unless restored. Authorized by identity policies
// (cloudtrail:DeleteEventDataStore). Errors: EventDataStoreARNInvalidException,
// EventDataStoreNotFoundException, EventDataStoreTerminationProtectedException,
// InactiveEventDataStoreException, EventDataStoreHasOngoingImportException,
// OperationNotPermittedException, AccessDeniedException.
func (s *Service) DeleteEventDataStore(ctx context.Context, in *StoreInput) (*Empty, error) {
	_, r, err := s.target(ctx, "DeleteEventDataStore", in.EventDataStore, true)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, r, func(tx store.Tx, cur *storeRecord) error {
		switch {
		case cur.Status == StatusPendingDeletion:
			return awserr.New(inactive, "The event data store %s is inactive.", cur.ARN())
		case cur.TerminationProtection:
			return awserr.New(terminationProtected, "Event data store %s cannot be deleted because termination protection is enabled for it.", cur.ARN())
		}
		if err := importing(tx, cur); err != nil {
			return err
		}
		now := s.now().UTC()
		cur.Resume, cur.Status, cur.Deleted, cur.Updated = cur.Status, StatusPendingDeletion, now, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// RestoreEventDataStore brings a PENDING_DELETION store back, from its home Region, in the
// status it had. Authorized by identity policies (cloudtrail:RestoreEventDataStore). Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InvalidEventDataStoreStatusException, OperationNotPermittedException, AccessDeniedException.
func (s *Service) RestoreEventDataStore(ctx context.Context, in *StoreInput) (*StoreOutput, error) {
	_, r, err := s.target(ctx, "RestoreEventDataStore", in.EventDataStore, true)
	if err != nil {
		return nil, err
	}
	r, err = s.update(ctx, r, func(_ store.Tx, cur *storeRecord) error {
		if cur.Status != StatusPendingDeletion {
			return awserr.New(invalidStatus, "Event data store %s is %s; only a store pending deletion can be restored.", cur.ARN(), cur.Status)
		}
		cur.Status, cur.Resume, cur.Deleted, cur.Updated = cur.Resume, "", time.Time{}, s.now().UTC()
		if cur.Status == "" {
			cur.Status = StatusEnabled
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := r.output()
	return &out, nil
}

// StartEventDataStoreIngestion starts a STOPPED_INGESTION store ingesting, from its home Region.
// Authorized by identity policies (cloudtrail:StartEventDataStoreIngestion). Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InvalidEventDataStoreStatusException, OperationNotPermittedException, AccessDeniedException.
func (s *Service) StartEventDataStoreIngestion(ctx context.Context, in *StoreInput) (*Empty, error) {
	return s.ingestion(ctx, "StartEventDataStoreIngestion", in.EventDataStore, StatusStoppedIngestion, StatusEnabled)
}

// StopEventDataStoreIngestion stops an ENABLED store ingesting, from its home Region.
// Authorized by identity policies (cloudtrail:StopEventDataStoreIngestion). Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InvalidEventDataStoreStatusException, OperationNotPermittedException, AccessDeniedException.
func (s *Service) StopEventDataStoreIngestion(ctx context.Context, in *StoreInput) (*Empty, error) {
	return s.ingestion(ctx, "StopEventDataStoreIngestion", in.EventDataStore, StatusEnabled, StatusStoppedIngestion)
}

// ingestion moves a store from the status from to the status to.
func (s *Service) ingestion(ctx context.Context, action, ref, from, to string) (*Empty, error) {
	_, r, err := s.target(ctx, action, ref, true)
	if err != nil {
		return nil, err
	}
	_, err = s.update(ctx, r, func(_ store.Tx, cur *storeRecord) error {
		if cur.Status != from {
			return awserr.New(invalidStatus, "Event data store %s is %s; %s needs it %s.", cur.ARN(), cur.Status, action, from)
		}
		cur.Status, cur.Updated = to, s.now().UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// Sweep purges the stores whose seven days of PENDING_DELETION are over, with their events,
// and the events of the other stores that are past their retention period.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.now()
	var purged []string
	defer func() {
		for _, key := range purged {
			s.forget(ctx, key[strings.LastIndex(key, "/")+1:])
		}
	}()
	return s.db.Update(ctx, func(tx store.Tx) error {
		var due []string
		var kept []*storeRecord
		err := stores.Scan(tx, "", "", func(key string, r *storeRecord) error {
			if r.Status == StatusPendingDeletion && !now.Before(r.Deleted.Add(deletionWait)) {
				due = append(due, key)
			} else {
				kept = append(kept, r)
			}
			return nil
		})
		if err != nil {
			return err
		}
		purged = due
		for _, key := range due {
			if err := stores.Delete(tx, key); err != nil {
				return err
			}
			if err := purgeData(tx, key); err != nil {
				return err
			}
		}
		for _, r := range kept {
			if err := expire(tx, r, now); err != nil {
				return err
			}
		}
		return purgeQueries(tx, now)
	})
}
