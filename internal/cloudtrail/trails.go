package cloudtrail

import (
	"context"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/store"
)

// trails are the stored trails: <account>/<home region>/<name> → trailRecord.
var trails = store.Table[trailRecord]{Name: "cloudtrail.trails"}

const (
	maxTrailsInRegion = 5
	maxTags           = 50
	maxPrefix         = 200
)

// trailRecord is a stored trail (format version 1).
type trailRecord struct {
	store.Version
	Name                string    `json:"name"`
	Account             string    `json:"account"`
	HomeRegion          string    `json:"homeRegion"`
	Bucket              string    `json:"bucket"`
	Prefix              string    `json:"prefix,omitempty"`
	IncludeGlobal       bool      `json:"includeGlobal"`
	MultiRegion         bool      `json:"multiRegion"`
	Validation          bool      `json:"validation"`
	KMSKey              string    `json:"kmsKey,omitempty"` // the key ARN
	Tags                []Tag     `json:"tags,omitempty"`
	Created             time.Time `json:"created"`
	Logging             bool      `json:"logging"`
	StartLogging        time.Time `json:"startLogging,omitzero"`
	StopLogging         time.Time `json:"stopLogging,omitzero"`
	LatestDelivery      time.Time `json:"latestDelivery,omitzero"`
	LatestDeliveryError string    `json:"latestDeliveryError,omitempty"`
	LatestDigest        time.Time `json:"latestDigest,omitzero"`
	LatestDigestError   string    `json:"latestDigestError,omitempty"`

	// Delivery: the journal events from Cursor on wait for this trail, except those in Gaps
	// (while it was not logging); a stopped trail delivers up to StopSeq. Pending is a batch
	// being delivered, redone with the same object keys after a failure or a crash.
	Cursor   uint64        `json:"cursor,omitempty"`
	StopSeq  uint64        `json:"stopSeq,omitempty"`
	Gaps     []seqRange    `json:"gaps,omitempty"`
	Pending  *pendingBatch `json:"pending,omitempty"`
	LastFile time.Time     `json:"lastFile,omitzero"` // the latest log file written

	// Digests: each region's chain (the last digest written), when the current chains began
	// (validation turned on, logging started), and the regions with log files to cover.
	Chains        map[string]*digestChain `json:"chains,omitempty"`
	ChainStart    time.Time               `json:"chainStart,omitzero"`
	DigestRegions []string                `json:"digestRegions,omitempty"`

	EventSelectors         []EventSelector         `json:"eventSelectors,omitempty"`
	AdvancedEventSelectors []AdvancedEventSelector `json:"advancedEventSelectors,omitempty"`
}

// ARN is the trail's ARN.
func (t *trailRecord) ARN() string {
	return "arn:aws:cloudtrail:" + t.HomeRegion + ":" + t.Account + ":trail/" + t.Name
}

func (t *trailRecord) storeKey() string { return t.Account + "/" + t.HomeRegion + "/" + t.Name }

// logPrefix is where the trail's files go in its bucket: [prefix/]AWSLogs/<account>/.
func (t *trailRecord) logPrefix() string {
	p := "AWSLogs/" + t.Account + "/"
	if t.Prefix != "" {
		p = t.Prefix + "/" + p
	}
	return p
}

func (t *trailRecord) shape() Trail {
	return Trail{Name: t.Name, S3BucketName: t.Bucket, S3KeyPrefix: t.Prefix, IncludeGlobalServiceEvents: t.IncludeGlobal,
		IsMultiRegionTrail: t.MultiRegion, HomeRegion: t.HomeRegion, TrailARN: t.ARN(), LogFileValidationEnabled: t.Validation, KmsKeyID: t.KMSKey,
		HasCustomEventSelectors: len(t.EventSelectors) > 0 || len(t.AdvancedEventSelectors) > 0}
}

func (t *trailRecord) output() *TrailOutput {
	return &TrailOutput{Name: t.Name, S3BucketName: t.Bucket, S3KeyPrefix: t.Prefix, IncludeGlobalServiceEvents: t.IncludeGlobal,
		IsMultiRegionTrail: t.MultiRegion, TrailARN: t.ARN(), LogFileValidationEnabled: t.Validation, KmsKeyID: t.KMSKey}
}

// validName applies CloudTrail's trail name rules (the Name member of https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
func validName(name string) error {
	bad := func(why string) error {
		return awserr.New(invalidTrailName, "Trail name %s is not valid: %s", name, why)
	}
	if len(name) < 3 || len(name) > 128 {
		return bad("it must be 3 to 128 characters long.")
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		alnum := ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9'
		switch {
		case !alnum && ch != '.' && ch != '_' && ch != '-':
			return bad("it may contain only ASCII letters, numbers, periods, underscores and dashes.")
		case !alnum && (i == 0 || i == len(name)-1):
			return bad("it must start and end with a letter or number.")
		case !alnum && i > 0 && strings.IndexByte("._-", name[i-1]) >= 0:
			return bad("it must not have adjacent periods, underscores or dashes.")
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return bad("it must not be in IP address format.")
	}
	return nil
}

var trailARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):trail/(.+)$`)

// getTrail loads a trail by its store key; nil when there is none.
func getTrail(tx store.Tx, key string) (*trailRecord, error) { return trails.Get(tx, key) }

func putTrail(tx store.Tx, t *trailRecord) error { return trails.Put(tx, t.storeKey(), t) }

// updateTrail is the one way a stored trail changes: in one transaction it reloads the trail
// stored under key, applies fn (which may write the trail's other records through tx) and
// stores it. It returns the trail as stored, or nil, without calling fn, when there is none.
func (s *Service) updateTrail(ctx context.Context, key string, fn func(tx store.Tx, t *trailRecord) error) (*trailRecord, error) {
	var changed *trailRecord
	err := s.db.Update(ctx, func(tx store.Tx) error {
		t, err := getTrail(tx, key)
		if err != nil || t == nil {
			return err
		}
		if err := fn(tx, t); err != nil {
			return err
		}
		changed = t
		return putTrail(tx, t)
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// accountTrails lists an account's trails, every region, by region then name.
func accountTrails(tx store.Tx, account string) ([]*trailRecord, error) {
	var out []*trailRecord
	err := trails.Scan(tx, account+"/", "", func(_ string, t *trailRecord) error {
		out = append(out, t)
		return nil
	})
	return out, err
}

// find resolves a trail named by name or ARN as the caller sees it from its region: its own
// region's trails and, as shadow trails, the multi-region trails of other regions.
// Errors: TrailNotFoundException, InvalidTrailNameException, CloudTrailARNInvalidException.
func (s *Service) find(c *call, nameOrARN string) (*trailRecord, error) {
	if nameOrARN == "" {
		return nil, awserr.New(trailNotProvided, "Trail name or ARN can't be empty.")
	}
	var key string
	if strings.HasPrefix(nameOrARN, "arn:") {
		m := trailARNPattern.FindStringSubmatch(nameOrARN)
		if m == nil || validName(m[3]) != nil {
			return nil, awserr.New(arnInvalid, "%s is not a valid trail ARN.", nameOrARN)
		}
		if m[2] != c.P.Account {
			return nil, notFound(nameOrARN, c.P.Account)
		}
		key = m[2] + "/" + m[1] + "/" + m[3]
	} else if err := validName(nameOrARN); err != nil {
		return nil, err
	}
	var t *trailRecord
	err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		if key != "" {
			t, err = getTrail(tx, key)
			return err
		}
		if t, err = getTrail(tx, c.P.Account+"/"+c.Region+"/"+nameOrARN); t != nil || err != nil {
			return err
		}
		all, err := accountTrails(tx, c.P.Account)
		for _, o := range all {
			if o.Name == nameOrARN && o.MultiRegion {
				t = o
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if t == nil || t.HomeRegion != c.Region && !t.MultiRegion {
		return nil, notFound(nameOrARN, c.P.Account)
	}
	return t, nil
}

func notFound(name, account string) error {
	return awserr.New(trailNotFound, "Unknown trail: %s for the user: %s", name, account)
}

// home requires the caller to be in the trail's home region (UpdateTrail, DeleteTrail,
// StartLogging, StopLogging).
func home(c *call, t *trailRecord) error {
	if t.HomeRegion != c.Region {
		return awserr.New(invalidHomeRegion, "This operation must be called from the trail's home region, %s.", t.HomeRegion)
	}
	return nil
}

// CreateTrail creates a trail in the caller's region after checking its bucket and key as
// CloudTrail does. Authorized by identity policies (cloudtrail:CreateTrail).
// Errors: InvalidTrailNameException, InvalidSnsTopicNameException (keytrail sends no SNS
// notifications), InvalidCloudWatchLogsLogGroupArnException (nor delivers to CloudWatch Logs),
// OrganizationsNotInUseException, TagsLimitExceededException, InvalidTagParameterException,
// InvalidParameterCombinationException, TrailAlreadyExistsException,
// InvalidS3BucketNameException, InvalidS3PrefixException, InvalidKmsKeyIdException,
// S3BucketDoesNotExistException, InsufficientS3BucketPolicyException, KmsKeyNotFoundException,
// InsufficientEncryptionPolicyException, KmsException (a disabled key, or one pending deletion),
// MaximumNumberOfTrailsExceededException, AccessDeniedException.
func (s *Service) CreateTrail(ctx context.Context, in *CreateTrailInput) (*TrailOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := validName(in.Name); err != nil {
		return nil, err
	}
	if err := unsupported(in.SnsTopicName, in.CloudWatchLogsLogGroupArn, in.CloudWatchLogsRoleArn, in.IsOrganizationTrail); err != nil {
		return nil, err
	}
	if len(in.TagsList) > maxTags {
		return nil, awserr.New(tagsLimitExceeded, "The number of tags per trail has exceeded the permitted amount. Currently, the limit is %d.", maxTags)
	}
	if err := CheckTags(in.TagsList); err != nil {
		return nil, err
	}
	t := &trailRecord{Name: in.Name, Account: c.P.Account, HomeRegion: c.Region, Bucket: in.S3BucketName, Prefix: in.S3KeyPrefix,
		IncludeGlobal: in.IncludeGlobalServiceEvents == nil || *in.IncludeGlobalServiceEvents, MultiRegion: in.IsMultiRegionTrail != nil && *in.IsMultiRegionTrail,
		Validation: in.EnableLogFileValidation != nil && *in.EnableLogFileValidation, KMSKey: in.KmsKeyID, Tags: slices.Clone(in.TagsList),
		Created: s.now().UTC()}
	if t.MultiRegion && !t.IncludeGlobal {
		return nil, awserr.New(invalidParameterCombination, "Multi-Region trail must include global service events.")
	}
	if err := s.authorize(c, "CreateTrail", t.ARN()); err != nil {
		return nil, err
	}
	var exists bool
	if err := s.db.View(ctx, func(tx store.Tx) error {
		o, err := getTrail(tx, t.storeKey())
		exists = o != nil
		return err
	}); err != nil {
		return nil, err
	}
	if exists {
		return nil, awserr.New(trailAlreadyExists, "Trail %s already exists for customer: %s", t.Name, t.Account)
	}
	if err := s.check(c, t); err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		all, err := accountTrails(tx, t.Account)
		if err != nil {
			return err
		}
		n := 0
		for _, o := range all {
			if o.Name == t.Name && o.HomeRegion == t.HomeRegion {
				return awserr.New(trailAlreadyExists, "Trail %s already exists for customer: %s", t.Name, t.Account)
			}
			if o.HomeRegion == t.HomeRegion {
				n++
			}
		}
		if n >= maxTrailsInRegion {
			return awserr.New(maxTrailsExceeded, "User: %s already has %d trails in %s.", t.Account, maxTrailsInRegion, t.HomeRegion)
		}
		return putTrail(tx, t)
	})
	if err != nil {
		return nil, err
	}
	return t.output(), nil
}

// unsupported refuses what keytrail's trails cannot do: SNS notifications, CloudWatch Logs
// delivery and organization trails.
func unsupported(sns, cwGroup, cwRole string, org *bool) error {
	switch {
	case sns != "":
		return awserr.New(awserr.Code("InvalidSnsTopicNameException"), "keytrail does not deliver SNS notifications; leave SnsTopicName out.")
	case cwGroup != "" || cwRole != "":
		return awserr.New(awserr.Code("InvalidCloudWatchLogsLogGroupArnException"), "keytrail does not deliver to CloudWatch Logs; leave the CloudWatch Logs parameters out.")
	case org != nil && *org:
		return awserr.New(awserr.Code("OrganizationsNotInUseException"), "This account is not part of an organization.")
	}
	return nil
}

// UpdateTrail changes a trail from its home region, checking its bucket and key again; an empty
// KmsKeyId removes encryption. Authorized by identity policies (cloudtrail:UpdateTrail).
// Errors: TrailNotProvidedException, InvalidTrailNameException, CloudTrailARNInvalidException,
// TrailNotFoundException, InvalidHomeRegionException, InvalidSnsTopicNameException,
// InvalidCloudWatchLogsLogGroupArnException, OrganizationsNotInUseException,
// InvalidParameterCombinationException, InvalidS3BucketNameException, InvalidS3PrefixException,
// InvalidKmsKeyIdException, S3BucketDoesNotExistException, InsufficientS3BucketPolicyException,
// KmsKeyNotFoundException, InsufficientEncryptionPolicyException, KmsException,
// AccessDeniedException.
func (s *Service) UpdateTrail(ctx context.Context, in *UpdateTrailInput) (*TrailOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.find(c, in.Name)
	if err != nil {
		return nil, err
	}
	if err := home(c, t); err != nil {
		return nil, err
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	if err := unsupported(str(in.SnsTopicName), str(in.CloudWatchLogsLogGroupArn), str(in.CloudWatchLogsRoleArn), in.IsOrganizationTrail); err != nil {
		return nil, err
	}
	if err := s.authorize(c, "UpdateTrail", t.ARN()); err != nil {
		return nil, err
	}
	if in.S3BucketName != nil {
		t.Bucket = *in.S3BucketName
	}
	if in.S3KeyPrefix != nil {
		t.Prefix = *in.S3KeyPrefix
	}
	if in.IncludeGlobalServiceEvents != nil {
		t.IncludeGlobal = *in.IncludeGlobalServiceEvents
	}
	if in.IsMultiRegionTrail != nil {
		t.MultiRegion = *in.IsMultiRegionTrail
	}
	if in.EnableLogFileValidation != nil {
		t.Validation = *in.EnableLogFileValidation
	}
	if in.KmsKeyID != nil {
		t.KMSKey = *in.KmsKeyID
	}
	if t.MultiRegion && !t.IncludeGlobal {
		return nil, awserr.New(invalidParameterCombination, "Multi-Region trail must include global service events.")
	}
	if err := s.check(c, t); err != nil {
		return nil, err
	}
	want := t
	t, err = s.updateTrail(ctx, t.storeKey(), func(tx store.Tx, cur *trailRecord) error {
		// Keep what changed meanwhile outside this request (logging state, delivery status).
		switch {
		case want.Validation && !cur.Validation:
			cur.restartChains(s.now().UTC()) // validation turned on: a starting digest
		case !want.Validation && cur.Validation:
			cur.Chains, cur.ChainStart, cur.DigestRegions = nil, time.Time{}, nil
			if err := dropLogFiles(tx, cur); err != nil {
				return err
			}
		}
		cur.Bucket, cur.Prefix, cur.IncludeGlobal, cur.MultiRegion, cur.Validation, cur.KMSKey = want.Bucket, want.Prefix, want.IncludeGlobal, want.MultiRegion, want.Validation, want.KMSKey
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, notFound(in.Name, c.P.Account)
	}
	return t.output(), nil
}

// target finds the trail name names for a change from its home region, after authorizing
// action on it. Errors: those of find, InvalidHomeRegionException, AccessDeniedException.
func (s *Service) target(ctx context.Context, action, name string) (*call, *trailRecord, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.find(c, name)
	if err != nil {
		return nil, nil, err
	}
	if err := home(c, t); err != nil {
		return nil, nil, err
	}
	if err := s.authorize(c, action, t.ARN()); err != nil {
		return nil, nil, err
	}
	return c, t, nil
}

// change applies fn to the trail name names, from its home region, after authorizing action;
// it returns the trail as changed.
func (s *Service) change(ctx context.Context, action, name string, fn func(*trailRecord)) (*trailRecord, error) {
	c, t, err := s.target(ctx, action, name)
	if err != nil {
		return nil, err
	}
	t, err = s.updateTrail(ctx, t.storeKey(), func(_ store.Tx, cur *trailRecord) error {
		fn(cur)
		return nil
	})
	if err == nil && t == nil {
		err = notFound(name, c.P.Account)
	}
	return t, err
}

// DeleteTrail deletes a trail from its home region; a logging trail first delivers what it
// has, and its final digests. Authorized by identity policies (cloudtrail:DeleteTrail).
// Errors: TrailNotProvidedException, InvalidTrailNameException, CloudTrailARNInvalidException,
// TrailNotFoundException, InvalidHomeRegionException, AccessDeniedException.
func (s *Service) DeleteTrail(ctx context.Context, in *NameInput) (*Empty, error) {
	c, t, err := s.target(ctx, "DeleteTrail", in.Name)
	if err != nil {
		return nil, err
	}
	s.finish(ctx, t)
	err = s.db.Update(ctx, func(tx store.Tx) error {
		cur, err := getTrail(tx, t.storeKey())
		if err != nil {
			return err
		}
		if cur == nil {
			return notFound(in.Name, c.P.Account)
		}
		if err := dropLogFiles(tx, cur); err != nil {
			return err
		}
		return trails.Delete(tx, cur.storeKey())
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// StartLogging starts recording for a trail, from its home region. Authorized by identity
// policies (cloudtrail:StartLogging). Errors: TrailNotProvidedException,
// InvalidTrailNameException, CloudTrailARNInvalidException, TrailNotFoundException,
// InvalidHomeRegionException, AccessDeniedException.
func (s *Service) StartLogging(ctx context.Context, in *NameInput) (*Empty, error) {
	now := s.now().UTC()
	_, err := s.change(ctx, "StartLogging", in.Name, func(t *trailRecord) {
		if !t.Logging {
			t.Logging, t.StartLogging = true, now
			t.resume(s.journal.Next())
			if t.Validation {
				t.restartChains(now)
			}
		}
	})
	if err != nil {
		return nil, err
	}
	return &Empty{}, nil
}

// StopLogging stops recording for a trail, from its home region: what was recorded before the
// stop is delivered, and a final digest written. Authorized by identity policies
// (cloudtrail:StopLogging). Errors: TrailNotProvidedException, InvalidTrailNameException,
// CloudTrailARNInvalidException, TrailNotFoundException, InvalidHomeRegionException,
// AccessDeniedException.
func (s *Service) StopLogging(ctx context.Context, in *NameInput) (*Empty, error) {
	now := s.now().UTC()
	t, err := s.change(ctx, "StopLogging", in.Name, func(t *trailRecord) {
		if t.Logging {
			t.Logging, t.StopLogging = false, now
			t.StopSeq = s.journal.Next()
		}
	})
	if err != nil {
		return nil, err
	}
	s.finish(ctx, t)
	return &Empty{}, nil
}

// read finds a trail the caller may read with action (shadow trails included).
func (s *Service) read(ctx context.Context, action, name string) (*trailRecord, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	t, err := s.find(c, name)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, action, t.ARN()); err != nil {
		return nil, err
	}
	return t, nil
}

// GetTrail describes a trail of the caller's region, or a multi-region trail of another region.
// Authorized by identity policies (cloudtrail:GetTrail). Errors: TrailNotProvidedException,
// InvalidTrailNameException, CloudTrailARNInvalidException, TrailNotFoundException,
// AccessDeniedException.
func (s *Service) GetTrail(ctx context.Context, in *NameInput) (*GetTrailOutput, error) {
	t, err := s.read(ctx, "GetTrail", in.Name)
	if err != nil {
		return nil, err
	}
	shape := t.shape()
	return &GetTrailOutput{Trail: &shape}, nil
}

// GetTrailStatus reports a trail's logging and delivery, with the real times. Authorized by
// identity policies (cloudtrail:GetTrailStatus). Errors: TrailNotProvidedException,
// InvalidTrailNameException, CloudTrailARNInvalidException, TrailNotFoundException,
// AccessDeniedException.
func (s *Service) GetTrailStatus(ctx context.Context, in *NameInput) (*GetTrailStatusOutput, error) {
	t, err := s.read(ctx, "GetTrailStatus", in.Name)
	if err != nil {
		return nil, err
	}
	return &GetTrailStatusOutput{IsLogging: t.Logging, LatestDeliveryError: t.LatestDeliveryError, LatestDeliveryTime: awsjson.NewTime(t.LatestDelivery),
		StartLoggingTime: awsjson.NewTime(t.StartLogging), StopLoggingTime: awsjson.NewTime(t.StopLogging),
		LatestDigestDeliveryTime: awsjson.NewTime(t.LatestDigest), LatestDigestDeliveryError: t.LatestDigestError}, nil
}

// DescribeTrails describes the trails named (names or ARNs; those not found are left out), or
// else the caller's region's trails and, unless includeShadowTrails is false, the multi-region
// trails of other regions. Authorized by identity policies (cloudtrail:DescribeTrails).
// Errors: TrailNotProvidedException, InvalidTrailNameException, CloudTrailARNInvalidException,
// AccessDeniedException.
func (s *Service) DescribeTrails(ctx context.Context, in *DescribeTrailsInput) (*DescribeTrailsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "DescribeTrails", "*"); err != nil {
		return nil, err
	}
	out := &DescribeTrailsOutput{TrailList: []Trail{}}
	shadows := in.IncludeShadowTrails == nil || *in.IncludeShadowTrails
	if len(in.TrailNameList) > 0 {
		for _, name := range in.TrailNameList {
			t, err := s.find(c, name)
			if ae, ok := awserr.As(err); ok && ae.Code == trailNotFound {
				continue // DescribeTrails leaves out the names it does not find
			}
			if err != nil {
				return nil, err
			}
			if shadows || t.HomeRegion == c.Region {
				out.TrailList = append(out.TrailList, t.shape())
			}
		}
		return out, nil
	}
	var all []*trailRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		all, err = accountTrails(tx, c.P.Account)
		return err
	}); err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.HomeRegion == c.Region || shadows && t.MultiRegion {
			out.TrailList = append(out.TrailList, t.shape())
		}
	}
	return out, nil
}

// ListTrails lists the account's trails of every region, in one page. Authorized by identity
// policies (cloudtrail:ListTrails). Errors: InvalidNextTokenException, AccessDeniedException.
func (s *Service) ListTrails(ctx context.Context, in *ListTrailsInput) (*ListTrailsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
	}
	if err := s.authorize(c, "ListTrails", "*"); err != nil {
		return nil, err
	}
	var all []*trailRecord
	if err := s.db.View(ctx, func(tx store.Tx) (err error) {
		all, err = accountTrails(tx, c.P.Account)
		return err
	}); err != nil {
		return nil, err
	}
	out := &ListTrailsOutput{Trails: []TrailInfo{}}
	for _, t := range all {
		out.Trails = append(out.Trails, TrailInfo{TrailARN: t.ARN(), Name: t.Name, HomeRegion: t.HomeRegion})
	}
	return out, nil
}
