package lake

import (
	"context"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/sts"
)

// Imports copy a trail's delivered log files into an event data store
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-copy-trail-to-lake-eds.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartImport.html). CloudTrail
// reads the files as the import role (S3BucketAccessRoleArn), which it assumes as
// cloudtrail.amazonaws.com with aws:SourceAccount and aws:SourceArn (the destination store) set,
// so the trust and permissions policies the page documents work as written; S3 decrypts each
// SSE-KMS file through KMS as that role session.

// Objects is what an import needs of S3: a bucket's Region, its listing and its objects, each
// called as the import role's session. keytrail's app passes S3 itself.
type Objects interface {
	BucketRegion(ctx context.Context, name string) (string, bool)
	ListObjects(ctx context.Context, in *s3.ListObjectsInput) (*s3.ListObjectsOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error)
}

// Roles is what an import needs of STS: the import role assumed as cloudtrail.amazonaws.com, and
// the session its credentials name.
type Roles interface {
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error)
	SessionCredential(ctx context.Context, id, token string) (string, identity.Principal, error)
}

// imports are the stored imports: <account>/<region>/<import ID> → importRecord.
var imports = store.Table[importRecord]{Name: "lake.imports"}

// The statuses of an import (ImportStatus in the API reference).
const (
	ImportInitializing = "INITIALIZING"
	ImportInProgress   = "IN_PROGRESS"
	ImportFailed       = "FAILED"
	ImportStopped      = "STOPPED"
	ImportCompleted    = "COMPLETED"
)

// The error codes of the import operations.
const (
	accountHasOngoingImport awserr.Code = "AccountHasOngoingImportException"
	invalidImportSource     awserr.Code = "InvalidImportSourceException"
	importNotFound          awserr.Code = "ImportNotFoundException"
	storeHasOngoingImport   awserr.Code = "EventDataStoreHasOngoingImportException"
)

// S3ImportSource is the bucket an import copies from.
type S3ImportSource struct {
	S3LocationURI         string `json:"S3LocationUri"`
	S3BucketRegion        string `json:"S3BucketRegion"`
	S3BucketAccessRoleArn string `json:"S3BucketAccessRoleArn"`
}

// ImportSource is where an import copies from.
type ImportSource struct {
	S3 *S3ImportSource `json:"S3"`
}

// StartImportInput is StartImport's request: Destinations and ImportSource for a new import,
// ImportId to retry one.
type StartImportInput struct {
	Destinations   []string      `json:"Destinations"`
	ImportSource   *ImportSource `json:"ImportSource"`
	StartEventTime *awsjson.Time `json:"StartEventTime"`
	EndEventTime   *awsjson.Time `json:"EndEventTime"`
	ImportID       string        `json:"ImportId"`
}

// ImportStatistics is how far an import has gone.
type ImportStatistics struct {
	PrefixesFound     int64 `json:"PrefixesFound"`
	PrefixesCompleted int64 `json:"PrefixesCompleted"`
	FilesCompleted    int64 `json:"FilesCompleted"`
	EventsCompleted   int64 `json:"EventsCompleted"`
	FailedEntries     int64 `json:"FailedEntries"`
}

// StartImportOutput is StartImport's response: the import, without statistics.
type StartImportOutput struct {
	ImportID         string        `json:"ImportId"`
	Destinations     []string      `json:"Destinations"`
	ImportSource     *ImportSource `json:"ImportSource"`
	StartEventTime   *awsjson.Time `json:"StartEventTime,omitempty"`
	EndEventTime     *awsjson.Time `json:"EndEventTime,omitempty"`
	ImportStatus     string        `json:"ImportStatus"`
	CreatedTimestamp *awsjson.Time `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp *awsjson.Time `json:"UpdatedTimestamp,omitempty"`
}

// ImportOutput is an import as GetImport and StopImport return it.
type ImportOutput struct {
	StartImportOutput
	ImportStatistics ImportStatistics `json:"ImportStatistics"`
}

// ImportInput is the request of the operations that name one import.
type ImportInput struct {
	ImportID string `json:"ImportId"`
}

// ListImportsInput is ListImports' request.
type ListImportsInput struct {
	MaxResults   *int   `json:"MaxResults"`
	Destination  string `json:"Destination"`
	ImportStatus string `json:"ImportStatus"`
	NextToken    string `json:"NextToken"`
}

// ImportsListItem is an entry of ListImports.
type ImportsListItem struct {
	ImportID         string        `json:"ImportId"`
	ImportStatus     string        `json:"ImportStatus"`
	Destinations     []string      `json:"Destinations"`
	CreatedTimestamp *awsjson.Time `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp *awsjson.Time `json:"UpdatedTimestamp,omitempty"`
}

// ListImportsOutput is ListImports' response.
type ListImportsOutput struct {
	Imports   []ImportsListItem `json:"Imports"`
	NextToken string            `json:"NextToken,omitempty"`
}

// ListImportFailuresInput is ListImportFailures' request.
type ListImportFailuresInput struct {
	ImportID   string `json:"ImportId"`
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// ImportFailure is a file (or prefix) an import could not copy.
type ImportFailure struct {
	Location        string        `json:"Location"`
	Status          string        `json:"Status"`
	ErrorType       string        `json:"ErrorType"`
	ErrorMessage    string        `json:"ErrorMessage"`
	LastUpdatedTime *awsjson.Time `json:"LastUpdatedTime,omitempty"`
}

// ListImportFailuresOutput is ListImportFailures' response.
type ListImportFailuresOutput struct {
	Failures  []ImportFailure `json:"Failures"`
	NextToken string          `json:"NextToken,omitempty"`
}

// importRecord is a stored import (format version 1).
type importRecord struct {
	store.Version
	ID          string         `json:"id"`
	Account     string         `json:"account"`
	Region      string         `json:"region"`      // where StartImport was called: the store's home Region
	Destination string         `json:"destination"` // the store's ARN
	StoreKey    string         `json:"storeKey"`
	Source      S3ImportSource `json:"source"`
	Start       time.Time      `json:"start,omitzero"`
	End         time.Time      `json:"end,omitzero"`
	Status      string         `json:"status"`
	Created     time.Time      `json:"created"`
	Updated     time.Time      `json:"updated"`
	// Files are the log files found (when the import left INITIALIZING), Done once copied.
	Files    []importFile     `json:"files,omitempty"`
	Stats    ImportStatistics `json:"stats"`
	Failures []failureRecord  `json:"failures,omitempty"`
}

// importFile is a log file an import copies.
type importFile struct {
	Key    string `json:"key"`
	Prefix string `json:"prefix"` // its day prefix: …/CloudTrail/<region>/YYYY/MM/DD/
	Done   bool   `json:"done,omitempty"`
}

// failureRecord is a stored ImportFailure.
type failureRecord struct {
	Location string    `json:"location"`
	Type     string    `json:"type"`
	Message  string    `json:"message"`
	Time     time.Time `json:"time"`
}

func (im *importRecord) key() string { return im.Account + "/" + im.Region + "/" + im.ID }

func (im *importRecord) source() *ImportSource {
	src := im.Source
	return &ImportSource{S3: &src}
}

func (im *importRecord) started() *StartImportOutput {
	return &StartImportOutput{ImportID: im.ID, Destinations: []string{im.Destination}, ImportSource: im.source(),
		StartEventTime: awsjson.NewTime(im.Start), EndEventTime: awsjson.NewTime(im.End), ImportStatus: im.Status,
		CreatedTimestamp: awsjson.NewTime(im.Created), UpdatedTimestamp: awsjson.NewTime(im.Updated)}
}

func (im *importRecord) output() *ImportOutput {
	return &ImportOutput{StartImportOutput: *im.started(), ImportStatistics: im.Stats}
}

// ongoing reports whether an import is under way: the account may have one at a time.
func (im *importRecord) ongoing() bool {
	return im.Status == ImportInitializing || im.Status == ImportInProgress
}

// fail notes a failure of what is at location.
func (im *importRecord) fail(location string, err error, now time.Time) {
	f := failureRecord{Location: location, Type: "InternalError", Message: err.Error(), Time: now}
	if ae, ok := awserr.As(err); ok {
		f.Type, f.Message = string(ae.Code), ae.Message
	}
	im.Failures = append(im.Failures, f)
	im.Stats.FailedEntries = int64(len(im.Failures))
}

// countPrefixes sets the prefix statistics from the files.
func (im *importRecord) countPrefixes() {
	found, open := map[string]bool{}, map[string]bool{}
	for _, f := range im.Files {
		found[f.Prefix] = true
		if !f.Done {
			open[f.Prefix] = true
		}
	}
	im.Stats.PrefixesFound, im.Stats.PrefixesCompleted = int64(len(found)), int64(len(found)-len(open))
}

var (
	// locationPattern is an S3LocationUri: s3://<bucket>[/<prefix>].
	locationPattern = regexp.MustCompile(`^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:/(.*))?$`)
	// roleARNPattern is an IAM role ARN.
	roleARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$`)
	regionPattern  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	importIDRegexp = regexp.MustCompile(`^[a-f0-9-]{36}$`)
	// logFilePattern is a CloudTrail log file's key (the CloudTrail prefix of a trail's, or an
	// organization trail's, AWSLogs), with its day prefix
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-find-log-files.html).
	logFilePattern = regexp.MustCompile(`^((?:.*/)?AWSLogs/(?:o-[a-z0-9]{10,32}/)?\d{12}/CloudTrail/[a-z0-9-]+/(\d{4}/\d{2}/\d{2})/)[^/]+$`)
)

func bad(format string, args ...any) error { return awserr.New(invalidParameter, format, args...) }

// StartImport starts copying a trail's log files from ImportSource into the one store of
// Destinations, or, given ImportId, retries a FAILED or STOPPED import where it stopped. The new
// import is INITIALIZING; Run (and a flush) moves it on. Authorized by identity policies
// (cloudtrail:StartImport on the store). Errors: InvalidParameterException,
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException,
// InactiveEventDataStoreException, OperationNotPermittedException,
// AccountHasOngoingImportException, ImportNotFoundException, InvalidImportSourceException,
// InsufficientEncryptionPolicyException, AccessDeniedException.
func (s *Service) StartImport(ctx context.Context, in *StartImportInput) (*StartImportOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if in.ImportID != "" {
		return s.retryImport(c, in)
	}
	im, r, err := s.newImport(c, in)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "StartImport", r.ARN()); err != nil {
		return nil, err
	}
	if err := home(c, r); err != nil {
		return nil, err
	}
	if r.Status == StatusPendingDeletion {
		return nil, awserr.New(inactive, "The event data store %s is inactive.", r.ARN())
	}
	if err := s.checkSource(c.Ctx, im); err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		if err := checkOngoing(tx, im); err != nil {
			return err
		}
		return imports.Put(tx, im.key(), im)
	})
	if err != nil {
		return nil, err
	}
	return im.started(), nil
}

// newImport validates a new import's request and returns the import and its store.
func (s *Service) newImport(c *call, in *StartImportInput) (*importRecord, *storeRecord, error) {
	if len(in.Destinations) != 1 {
		return nil, nil, bad("A new import needs exactly one destination event data store in Destinations.")
	}
	if in.ImportSource == nil || in.ImportSource.S3 == nil {
		return nil, nil, bad("A new import needs an ImportSource with S3.")
	}
	src := *in.ImportSource.S3
	if !locationPattern.MatchString(src.S3LocationURI) {
		return nil, nil, bad("S3LocationUri %q is not valid: it must be s3://<bucket>[/<prefix>].", src.S3LocationURI)
	}
	if !regionPattern.MatchString(src.S3BucketRegion) {
		return nil, nil, bad("S3BucketRegion %q is not a valid Region.", src.S3BucketRegion)
	}
	if !roleARNPattern.MatchString(src.S3BucketAccessRoleArn) {
		return nil, nil, bad("S3BucketAccessRoleArn %q is not a valid IAM role ARN.", src.S3BucketAccessRoleArn)
	}
	var start, end time.Time
	if in.StartEventTime != nil {
		start = time.Time(*in.StartEventTime).UTC()
	}
	if in.EndEventTime != nil {
		end = time.Time(*in.EndEventTime).UTC()
	}
	if !start.IsZero() && !end.IsZero() && start.After(end) {
		return nil, nil, bad("StartEventTime must be before EndEventTime.")
	}
	r, err := s.find(c, in.Destinations[0])
	if err != nil {
		return nil, nil, err
	}
	id, err := newID(s.rand)
	if err != nil {
		return nil, nil, err
	}
	now := s.now().UTC()
	im := &importRecord{ID: id, Account: c.P.Account, Region: c.Region, Destination: r.ARN(), StoreKey: r.storeKey(), Source: src,
		Start: start, End: end, Status: ImportInitializing, Created: now, Updated: now}
	return im, r, nil
}

// checkOngoing refuses an import while another of the account's is under way.
func checkOngoing(tx store.Tx, im *importRecord) error {
	return imports.Scan(tx, im.Account+"/", "", func(_ string, o *importRecord) error {
		if o.ID != im.ID && o.ongoing() {
			return awserr.New(accountHasOngoingImport, "Import %s is still in progress; one import at a time is allowed.", o.ID)
		}
		return nil
	})
}

// importing refuses to change or delete a store that an import of its account is copying into:
// EventDataStoreHasOngoingImportException, "thrown when you try to update or delete an event data
// store that currently has an import in progress"
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateEventDataStore.html).
func importing(tx store.Tx, r *storeRecord) error {
	arn := r.ARN()
	return imports.Scan(tx, r.Account+"/", "", func(_ string, o *importRecord) error {
		if o.Destination == arn && o.ongoing() {
			return awserr.New(storeHasOngoingImport, "Event data store %s has import %s in progress; stop it or wait until it ends.", arn, o.ID)
		}
		return nil
	})
}

// checkSource checks, as StartImport does, that CloudTrail can assume the import role and that
// the role may list the bucket, which must be in S3BucketRegion.
func (s *Service) checkSource(ctx context.Context, im *importRecord) error {
	bucket, prefix := im.location()
	region, ok := s.objects.BucketRegion(ctx, bucket)
	if !ok {
		return awserr.New(invalidImportSource, "The S3 bucket %s of S3LocationUri %s does not exist.", bucket, im.Source.S3LocationURI)
	}
	if region != im.Source.S3BucketRegion {
		return awserr.New(invalidImportSource, "The S3 bucket %s is in %s, not in S3BucketRegion %s.", bucket, region, im.Source.S3BucketRegion)
	}
	sctx, err := s.importRole(ctx, im)
	if err != nil {
		return err
	}
	_, err = s.objects.ListObjects(sctx, &s3.ListObjectsInput{Bucket: bucket, Prefix: prefix, MaxKeys: 1})
	return sourceError(err, im)
}

// sourceError is CloudTrail's error for S3's refusal to list the source bucket: the bucket
// policy or the role's does not allow it (InsufficientEncryptionPolicyException, "the policy on
// the S3 bucket … does not have sufficient permissions"), or the bucket is gone.
func sourceError(err error, im *importRecord) error {
	ae, ok := awserr.As(err)
	switch {
	case !ok:
		return err
	case ae.Code == awserr.NoSuchBucket:
		return awserr.New(invalidImportSource, "The S3 bucket of S3LocationUri %s does not exist.", im.Source.S3LocationURI)
	}
	return awserr.New(insufficientEncryption, "The policy on the S3 bucket of %s does not let %s list it: %s %s",
		im.Source.S3LocationURI, im.Source.S3BucketAccessRoleArn, ae.Code, ae.Message)
}

// location splits the S3LocationUri into bucket and key prefix.
func (im *importRecord) location() (bucket, prefix string) {
	m := locationPattern.FindStringSubmatch(im.Source.S3LocationURI)
	if m == nil {
		return "", ""
	}
	return m[1], m[2]
}

// importRole assumes the import role as cloudtrail.amazonaws.com for the import's store and
// returns the context of calls its session makes in the bucket's Region. A trust policy that does
// not let CloudTrail assume it is InvalidParameterException, as AWS answers a role a service
// cannot assume (see docs/decisions.md).
func (s *Service) importRole(ctx context.Context, im *importRecord) (context.Context, error) {
	keys := authz.Map{"aws:SourceAccount": {im.Account}, "aws:SourceArn": {im.Destination}}
	// STS needs the account a service acts for; aws:SourceAccount names it to policies.
	ct := cloudTrail
	ct.Account = im.Account
	asCT := authz.WithKeys(request.WithFacts(identity.WithPrincipal(ctx, ct), request.Facts{ID: request.NewID(s.rand),
		Service: "cloudtrail", Region: im.Region, Time: s.now().UTC(), Delivery: true}), keys)
	out, err := s.roles.AssumeRole(asCT, &sts.AssumeRoleInput{RoleArn: im.Source.S3BucketAccessRoleArn, RoleSessionName: "CloudTrailImport-" + im.ID[:8]})
	if ae, ok := awserr.As(err); ok {
		return nil, bad("CloudTrail cannot assume the role %s: %s", im.Source.S3BucketAccessRoleArn, ae.Message)
	}
	if err != nil {
		return nil, err
	}
	_, p, err := s.roles.SessionCredential(ctx, out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	if err != nil {
		return nil, err
	}
	// The session's calls are S3 requests (S3 records the KMS calls it makes for them as invoked
	// by S3), flagged as CloudTrail's own like a delivery's.
	return authz.WithKeys(request.WithFacts(identity.WithPrincipal(ctx, p), request.Facts{ID: request.NewID(s.rand),
		Service: "s3", Region: im.Source.S3BucketRegion, Time: s.now().UTC(), Delivery: true}), keys), nil
}

// retryImport starts a FAILED or STOPPED import again where it stopped: the files it copied
// stay copied, its failures are forgotten.
func (s *Service) retryImport(c *call, in *StartImportInput) (*StartImportOutput, error) {
	if !importIDRegexp.MatchString(in.ImportID) {
		return nil, bad("ImportId %q is not valid.", in.ImportID)
	}
	im, err := s.getImport(c, in.ImportID)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "StartImport", im.Destination); err != nil {
		return nil, err
	}
	if err := s.checkSource(c.Ctx, im); err != nil {
		return nil, err
	}
	err = s.db.Update(c.Ctx, func(tx store.Tx) error {
		cur, err := imports.Get(tx, im.key())
		if err != nil || cur == nil {
			return importGone(in.ImportID, err)
		}
		if cur.Status != ImportFailed && cur.Status != ImportStopped {
			return bad("Import %s is %s; only a FAILED or STOPPED import can be retried.", cur.ID, cur.Status)
		}
		if err := checkOngoing(tx, cur); err != nil {
			return err
		}
		cur.Status, cur.Updated, cur.Failures, cur.Stats.FailedEntries = ImportInitializing, s.now().UTC(), nil, 0
		im = cur
		return imports.Put(tx, cur.key(), cur)
	})
	if err != nil {
		return nil, err
	}
	return im.started(), nil
}

func importGone(id string, err error) error {
	if err != nil {
		return err
	}
	return awserr.New(importNotFound, "The import %s was not found.", id)
}

// getImport returns the caller's import id (of its account and Region).
func (s *Service) getImport(c *call, id string) (*importRecord, error) {
	if !importIDRegexp.MatchString(id) {
		return nil, bad("ImportId %q is not valid.", id)
	}
	var im *importRecord
	err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
		im, err = imports.Get(tx, c.P.Account+"/"+c.Region+"/"+id)
		return err
	})
	if err != nil || im == nil {
		return nil, importGone(id, err)
	}
	return im, nil
}

// GetImport describes an import of the caller's account and Region, with its statistics.
// Authorized by identity policies (cloudtrail:GetImport). Errors: InvalidParameterException,
// ImportNotFoundException, AccessDeniedException.
func (s *Service) GetImport(ctx context.Context, in *ImportInput) (*ImportOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "GetImport", "*"); err != nil {
		return nil, err
	}
	im, err := s.getImport(c, in.ImportID)
	if err != nil {
		return nil, err
	}
	return im.output(), nil
}

// StopImport stops an INITIALIZING or IN_PROGRESS import: the files it copied stay in the store,
// and StartImport with its ImportId resumes it. Stopping a STOPPED import changes nothing.
// Authorized by identity policies (cloudtrail:StopImport). Errors: InvalidParameterException,
// ImportNotFoundException, AccessDeniedException.
func (s *Service) StopImport(ctx context.Context, in *ImportInput) (*ImportOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "StopImport", "*"); err != nil {
		return nil, err
	}
	im, err := s.getImport(c, in.ImportID)
	if err != nil {
		return nil, err
	}
	err = s.db.Update(ctx, func(tx store.Tx) error {
		cur, err := imports.Get(tx, im.key())
		if err != nil || cur == nil {
			return importGone(in.ImportID, err)
		}
		im = cur
		switch {
		case cur.Status == ImportStopped:
			return nil
		case !cur.ongoing():
			return bad("Import %s is %s; only an import in progress can be stopped.", cur.ID, cur.Status)
		}
		cur.Status, cur.Updated = ImportStopped, s.now().UTC()
		return imports.Put(tx, cur.key(), cur)
	})
	if err != nil {
		return nil, err
	}
	return im.output(), nil
}

// ListImports lists the imports of the caller's account and Region, by ImportId, those of one
// Destination or in one ImportStatus only, in pages of MaxResults (all when absent). Authorized
// by identity policies (cloudtrail:ListImports). Errors: InvalidParameterException,
// EventDataStoreARNInvalidException, InvalidNextTokenException, AccessDeniedException.
func (s *Service) ListImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkMax(in.MaxResults); err != nil {
		return nil, err
	}
	if in.Destination != "" {
		if m := storeARNPattern.FindStringSubmatch(in.Destination); m == nil || m[2] != c.P.Account {
			return nil, awserr.New(arnInvalid, "The specified event data store ARN %s is not valid or does not map to an event data store in your account.", in.Destination)
		}
	}
	switch in.ImportStatus {
	case "", ImportInitializing, ImportInProgress, ImportFailed, ImportStopped, ImportCompleted:
	default:
		return nil, bad("ImportStatus %q is not valid.", in.ImportStatus)
	}
	after, err := pageStart(in.NextToken, importIDRegexp)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "ListImports", "*"); err != nil {
		return nil, err
	}
	out := &ListImportsOutput{Imports: []ImportsListItem{}}
	err = s.db.View(ctx, func(tx store.Tx) error {
		return imports.Scan(tx, c.P.Account+"/"+c.Region+"/", "", func(_ string, im *importRecord) error {
			if im.ID <= after || (in.Destination != "" && im.Destination != in.Destination) || (in.ImportStatus != "" && im.Status != in.ImportStatus) {
				return nil
			}
			if in.MaxResults != nil && len(out.Imports) == *in.MaxResults {
				out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(out.Imports[len(out.Imports)-1].ImportID))
				return store.ErrStop
			}
			out.Imports = append(out.Imports, ImportsListItem{ImportID: im.ID, ImportStatus: im.Status, Destinations: []string{im.Destination},
				CreatedTimestamp: awsjson.NewTime(im.Created), UpdatedTimestamp: awsjson.NewTime(im.Updated)})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListImportFailures lists the failures of an import of the caller's account and Region, in
// pages of MaxResults (all when absent). Authorized by identity policies
// (cloudtrail:ListImportFailures). Errors: InvalidParameterException, ImportNotFoundException,
// InvalidNextTokenException, AccessDeniedException.
func (s *Service) ListImportFailures(ctx context.Context, in *ListImportFailuresInput) (*ListImportFailuresOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkMax(in.MaxResults); err != nil {
		return nil, err
	}
	after, err := pageStart(in.NextToken, regexp.MustCompile(`^\d{1,9}$`))
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, "ListImportFailures", "*"); err != nil {
		return nil, err
	}
	im, err := s.getImport(c, in.ImportID)
	if err != nil {
		return nil, err
	}
	first := 0
	if after != "" {
		for _, d := range after {
			first = first*10 + int(d-'0')
		}
	}
	out := &ListImportFailuresOutput{Failures: []ImportFailure{}}
	for i := first; i < len(im.Failures); i++ {
		if in.MaxResults != nil && len(out.Failures) == *in.MaxResults {
			out.NextToken = base64.RawURLEncoding.EncodeToString([]byte(itoa(i)))
			break
		}
		f := im.Failures[i]
		out.Failures = append(out.Failures, ImportFailure{Location: f.Location, Status: ImportFailed, ErrorType: f.Type,
			ErrorMessage: f.Message, LastUpdatedTime: awsjson.NewTime(f.Time)})
	}
	return out, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append(b, byte('0'+n%10))
	}
	slices.Reverse(b)
	return string(b)
}

func checkMax(n *int) error {
	if n != nil && (*n < 1 || *n > 1000) {
		return bad("MaxResults %d is not valid: it must be between 1 and 1000.", *n)
	}
	return nil
}

// pageStart decodes a NextToken: where the previous page ended.
func pageStart(token string, valid *regexp.Regexp) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !valid.Match(b) {
		return "", awserr.New(invalidNextToken, "Invalid NextToken.")
	}
	return string(b), nil
}

// logFiles lists the CloudTrail log files under the import's location as its role, those of
// the days its time window covers.
func (s *Service) logFiles(ctx context.Context, im *importRecord) ([]importFile, error) {
	bucket, prefix := im.location()
	var files []importFile
	in := &s3.ListObjectsInput{Bucket: bucket, Prefix: prefix, MaxKeys: 1000}
	for {
		out, err := s.objects.ListObjects(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, o := range out.Objects {
			m := logFilePattern.FindStringSubmatch(o.Key)
			if m == nil || !im.coversDay(m[2]) {
				continue
			}
			files = append(files, importFile{Key: o.Key, Prefix: m[1]})
		}
		if !out.Truncated || out.Last == "" {
			return files, nil
		}
		in.After = out.Last
	}
}

// coversDay reports whether the day prefix YYYY/MM/DD may hold events of the import's window:
// CloudTrail "checks the prefix and log file names" against StartEventTime and EndEventTime.
func (im *importRecord) coversDay(day string) bool {
	d, err := time.Parse("2006/01/02", day)
	if err != nil {
		return false
	}
	return (im.End.IsZero() || !d.After(im.End)) && (im.Start.IsZero() || d.Add(24*time.Hour).After(im.Start))
}

// inWindow reports whether an event time is within the import's window.
func (im *importRecord) inWindow(t time.Time) bool {
	return (im.Start.IsZero() || !t.Before(im.Start)) && (im.End.IsZero() || !t.After(im.End))
}

// locationOf is the S3 URI of a key of the import's bucket.
func (im *importRecord) locationOf(key string) string {
	bucket, _ := im.location()
	return "s3://" + bucket + "/" + strings.TrimPrefix(key, "/")
}
