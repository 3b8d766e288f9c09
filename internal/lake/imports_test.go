package lake_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store/files"
)

// The trail whose log files the scenarios copy: "management", writing to the bucket "logs",
// its files encrypted with a KMS key of the account
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
const (
	trailARN      = "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/management"
	importRoleARN = "arn:aws:iam::" + acct + ":role/CloudTrailImport"
	trailEncrypt  = `{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + acct + `:trail/*"}}}`
	trailDescribe = `{"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}}`
	trailBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::logs",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}},
 {"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::logs/AWSLogs/` + acct + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + trailARN + `"}}}]}`
)

// importTrust is the import role's trust policy of the copy page
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-copy-trail-to-lake-eds.html#copy-trail-events-permissions-iam),
// for the store storeARN.
func importTrust(storeARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"sts:AssumeRole",
 "Condition":{"StringEquals":{"aws:SourceAccount":"` + acct + `","aws:SourceArn":"` + storeARN + `"}}}]}`
}

// importPermissions is the import role's permissions policy of the same page, for the bucket
// "logs" and its prefix "AWSLogs", with the AWSCloudTrailImportKeyAccess statement for keyARN
// unless keyARN is empty.
func importPermissions(storeARN, keyARN string) string {
	cond := `"Condition":{"StringEquals":{"aws:SourceAccount":"` + acct + `","aws:SourceArn":"` + storeARN + `"}}`
	doc := `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailImportBucketAccess","Effect":"Allow","Action":["s3:ListBucket","s3:GetBucketAcl"],"Resource":["arn:aws:s3:::logs"],` + cond + `},
 {"Sid":"AWSCloudTrailImportObjectAccess","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::logs/AWSLogs","arn:aws:s3:::logs/AWSLogs/*"],` + cond + `}`
	if keyARN != "" {
		doc += `,{"Sid":"AWSCloudTrailImportKeyAccess","Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":["` + keyARN + `"]}`
	}
	return doc + `]}`
}

// importWorld is the Lake with real S3 and STS for imports, and the trail "management"
// delivering the journal's events to "logs" under the KMS key TrailKey.
type importWorld struct {
	*lakeWorld
	S3       *s3.Service
	Trails   *ct.Service
	TrailKey string
}

func newImportWorld(t *testing.T) *importWorld {
	t.Helper()
	lw := newLakeWorld(t)
	blobs, err := files.Open(filepath.Join(lw.Dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	w := &importWorld{lakeWorld: lw}
	w.S3 = s3.New(s3.Config{DB: lw.DB, Blobs: blobs, Barrier: lw.Barrier, KMS: lw.KMS, Authorizer: lw.Authz, Policies: lw.Policies, Now: lw.Clock.Now, Rand: lw.Rand})
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Objects: w.S3, Roles: lw.STS})
	w.Trails = ct.New(ct.Config{DB: lw.DB, S3: w.S3, KMS: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier})
	servicetest.Call(lw.root, w.S3.CreateBucket, &s3.CreateBucketInput{Bucket: "logs"}).OK()
	servicetest.Call(lw.root, w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "logs", Policy: trailBucketPolicy}).OK()
	w.TrailKey = lw.key(t, "us-east-1", keyPolicy(rootStatement, trailEncrypt, trailDescribe)).Arn
	servicetest.Call(lw.root, w.Trails.CreateTrail, &ct.CreateTrailInput{Name: "management", S3BucketName: "logs", KmsKeyID: w.TrailKey}).OK()
	servicetest.Call(lw.root, w.Trails.StartLogging, &ct.NameInput{Name: "management"}).OK()
	return w
}

// deliver records the events now and has the trail deliver them as a log file.
func (w *importWorld) deliver(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		w.record(t, call(id, kmsSource, "Decrypt"))
	}
	sum, err := w.Trails.Deliver(context.Background())
	if err != nil || sum.LogFiles == 0 {
		t.Fatalf("Deliver = %+v, %v; want a log file", sum, err)
	}
}

// role creates the import role with a trust policy and a permissions policy.
func (w *importWorld) role(t *testing.T, trust, permissions string) {
	t.Helper()
	ctx := w.Ctx(w.Root(acct))
	if _, err := w.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: "CloudTrailImport", AssumeRolePolicyDocument: trust}); err != nil {
		t.Fatal(err)
	}
	w.permit(t, permissions)
}

// permit replaces the import role's permissions policy.
func (w *importWorld) permit(t *testing.T, permissions string) {
	t.Helper()
	in := &iam.PutRolePolicyInput{RoleName: "CloudTrailImport", PolicyName: "import", PolicyDocument: permissions}
	if _, err := w.IAM.PutRolePolicy(w.Ctx(w.Root(acct)), in); err != nil {
		t.Fatal(err)
	}
}

// source is the trail's log files as an ImportSource.
func source(uri string) *lake.ImportSource {
	return &lake.ImportSource{S3: &lake.S3ImportSource{S3LocationURI: uri, S3BucketRegion: "us-east-1", S3BucketAccessRoleArn: importRoleARN}}
}

// start starts an import of the trail's files into the store as the account's root.
func (w *importWorld) start(t *testing.T, storeARN string, in lake.StartImportInput) *lake.StartImportOutput {
	t.Helper()
	in.Destinations = []string{storeARN}
	if in.ImportSource == nil {
		in.ImportSource = source("s3://logs/AWSLogs/")
	}
	return servicetest.Call(w.root, w.Lake.StartImport, &in).OK()
}

// step moves the imports on once.
func (w *importWorld) step(t *testing.T) {
	t.Helper()
	if err := w.Lake.RunImports(context.Background()); err != nil {
		t.Fatalf("RunImports: %v", err)
	}
}

func (w *importWorld) getImport(t *testing.T, id string) *lake.ImportOutput {
	t.Helper()
	return servicetest.Call(w.root, w.Lake.GetImport, &lake.ImportInput{ImportID: id}).OK()
}

// wantImport fails unless the import is in status with the statistics want.
func (w *importWorld) wantImport(t *testing.T, id, status string, want lake.ImportStatistics) {
	t.Helper()
	got := w.getImport(t, id)
	if got.ImportStatus != status || got.ImportStatistics != want {
		t.Fatalf("import %s: %s %+v; want %s %+v", id, got.ImportStatus, got.ImportStatistics, status, want)
	}
}

// A trail's log files, SSE-KMS-encrypted with the trail's key, are copied into a store through
// S3 and KMS as the import role (trust and permissions policies as the copy page writes them):
// INITIALIZING, IN_PROGRESS once its files are listed, COMPLETED once they are copied.
func TestImportCopiesTrailLogFiles(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "old-1", "old-2")
	w.Clock.Advance(time.Hour)
	w.deliver(t, "old-3")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))

	out := w.start(t, storeARN, lake.StartImportInput{})
	if out.ImportStatus != lake.ImportInitializing || len(out.ImportID) != 36 ||
		out.ImportSource.S3.S3LocationURI != "s3://logs/AWSLogs/" || !slices.Equal(out.Destinations, []string{storeARN}) {
		t.Fatalf("StartImport = %+v", out)
	}
	w.wantImport(t, out.ImportID, lake.ImportInitializing, lake.ImportStatistics{})
	w.step(t)
	w.wantImport(t, out.ImportID, lake.ImportInProgress, lake.ImportStatistics{PrefixesFound: 1})
	w.step(t)
	w.wantImport(t, out.ImportID, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 2, EventsCompleted: 3})
	w.wantRead(t, w.root, storeARN, "old-1", "old-2", "old-3")
	failures := servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: out.ImportID}).OK()
	if len(failures.Failures) != 0 {
		t.Fatalf("failures of a completed import: %+v", failures.Failures)
	}
	// Another step changes nothing; a second import copies nothing twice.
	w.step(t)
	again := w.start(t, storeARN, lake.StartImportInput{})
	w.step(t)
	w.step(t)
	w.wantImport(t, again.ImportID, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 2})
	w.wantRead(t, w.root, storeARN, "old-1", "old-2", "old-3")

	list := servicetest.Call(w.root, w.Lake.ListImports, &lake.ListImportsInput{Destination: storeARN, ImportStatus: lake.ImportCompleted}).OK()
	if len(list.Imports) != 2 {
		t.Fatalf("ListImports = %+v; want both imports", list.Imports)
	}
}

// An import role without kms:Decrypt on the trail's key cannot read the SSE-KMS log files: the
// import ends FAILED, each file a failure (S3's AccessDenied, as the copy details page shows).
// With the permission added, a retry (StartImport with the ImportId) copies them.
func TestImportWithoutDecryptFails(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1")
	w.Clock.Advance(time.Hour)
	w.deliver(t, "e-2")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, ""))

	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportFailed, lake.ImportStatistics{PrefixesFound: 1, FailedEntries: 2})
	failures := servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: id, MaxResults: ptr(1)}).OK()
	if len(failures.Failures) != 1 || failures.NextToken == "" {
		t.Fatalf("first page of failures = %+v", failures)
	}
	f := failures.Failures[0]
	if f.Status != "FAILED" || f.ErrorType != "AccessDenied" || !strings.HasPrefix(f.Location, "s3://logs/AWSLogs/"+acct+"/CloudTrail/us-east-1/2026/12/02/") ||
		!strings.Contains(f.ErrorMessage, "kms:Decrypt") || f.LastUpdatedTime == nil {
		t.Fatalf("failure = %+v", f)
	}
	rest := servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: id, NextToken: failures.NextToken}).OK()
	if len(rest.Failures) != 1 || rest.NextToken != "" || rest.Failures[0].Location == f.Location {
		t.Fatalf("second page of failures = %+v", rest)
	}
	w.wantRead(t, w.root, storeARN)

	w.permit(t, importPermissions(storeARN, w.TrailKey))
	retry := servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{ImportID: id}).OK()
	if retry.ImportID != id || retry.ImportStatus != lake.ImportInitializing {
		t.Fatalf("retry = %+v", retry)
	}
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 2, EventsCompleted: 2})
	w.wantRead(t, w.root, storeARN, "e-1", "e-2")
	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{ImportID: id}).Want("InvalidParameterException")
}

// StartImport's checks, in the order a caller meets them: the request, the store, the source
// bucket, and the import role, whose trust policy must let CloudTrail assume it for this store.
func TestStartImportErrors(t *testing.T) {
	w := newImportWorld(t)
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	// The role trusts CloudTrail for another store only.
	w.role(t, importTrust(strings.Replace(storeARN, ":eventdatastore/", ":eventdatastore/0", 1)), importPermissions(storeARN, w.TrailKey))
	root := w.Root(acct)
	bob := w.User(acct, "bob", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:GetImport","Resource":"*"}]}`)
	start := func(dest []string, src *lake.ImportSource, mod ...func(*lake.StartImportInput)) func(context.Context) error {
		in := &lake.StartImportInput{Destinations: dest, ImportSource: src}
		for _, m := range mod {
			m(in)
		}
		return servicetest.Op(w.Lake.StartImport, in)
	}
	one := []string{storeARN}
	src := func(mod func(*lake.S3ImportSource)) *lake.ImportSource {
		s := source("s3://logs/AWSLogs/")
		mod(s.S3)
		return s
	}
	noBucket := src(func(s *lake.S3ImportSource) { s.S3LocationURI = "s3://absent/" })
	otherRegion := src(func(s *lake.S3ImportSource) { s.S3BucketRegion = "eu-west-1" })
	at := func(t time.Time) *awsjson.Time { return awsjson.NewTime(t) }
	w.Run(t, []servicetest.Step{
		{Name: "no destination", As: root, Do: start(nil, source("s3://logs/")), Want: "InvalidParameterException"},
		{Name: "two destinations", As: root, Do: start([]string{storeARN, storeARN}, source("s3://logs/")), Want: "InvalidParameterException"},
		{Name: "no source", As: root, Do: start(one, nil), Want: "InvalidParameterException"},
		{Name: "not an S3 URI", As: root, Do: start(one, source("https://logs/")), Want: "InvalidParameterException"},
		{Name: "bad region", As: root, Do: start(one, src(func(s *lake.S3ImportSource) { s.S3BucketRegion = "mars" })), Want: "InvalidParameterException"},
		{Name: "not a role", As: root, Do: start(one, src(func(s *lake.S3ImportSource) { s.S3BucketAccessRoleArn = "arn:aws:iam::" + acct + ":user/bob" })), Want: "InvalidParameterException"},
		{Name: "window backwards", As: root, Do: start(one, source("s3://logs/"), func(in *lake.StartImportInput) {
			in.StartEventTime, in.EndEventTime = at(w.Clock.Now()), at(w.Clock.Now().Add(-time.Hour))
		}), Want: "InvalidParameterException"},
		{Name: "store of another account", As: root, Do: start([]string{"arn:aws:cloudtrail:us-east-1:" + other + ":eventdatastore/x"}, source("s3://logs/")), Want: "EventDataStoreARNInvalidException"},
		{Name: "unknown store", As: root, Do: start([]string{"arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/x"}, source("s3://logs/")), Want: "EventDataStoreNotFoundException"},
		{Name: "caller without cloudtrail:StartImport", As: bob, Do: start(one, source("s3://logs/")), Want: "AccessDeniedException"},
		{Name: "from another Region", As: root, In: "eu-west-1", Do: start(one, source("s3://logs/")), Want: "OperationNotPermittedException"},
		{Name: "no such bucket", As: root, Do: start(one, noBucket), Want: "InvalidImportSourceException"},
		{Name: "bucket in another Region", As: root, Do: start(one, otherRegion), Want: "InvalidImportSourceException"},
		{Name: "role CloudTrail may not assume for this store", As: root, Do: start(one, source("s3://logs/")), Want: "InvalidParameterException"},
		{Name: "retry of an unknown import", As: root, Do: start(nil, nil, func(in *lake.StartImportInput) { in.ImportID = "00000000-0000-4000-8000-000000000000" }), Want: "ImportNotFoundException"},
		{Name: "retry of a malformed ID", As: root, Do: start(nil, nil, func(in *lake.StartImportInput) { in.ImportID = "x" }), Want: "InvalidParameterException"},
	})
	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{Destinations: one, ImportSource: source("s3://logs/")}).
		WantMessage("CloudTrail cannot assume the role " + importRoleARN)

	// A trust policy that does not name CloudTrail at all; then the copy page's, but a role
	// that may not list the bucket: the bucket policy or role "does not have sufficient permissions".
	w2 := newImportWorld(t)
	store2 := w2.create(t, w2.Root(acct), lake.CreateEventDataStoreInput{})
	w2.role(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+`:root"},"Action":"sts:AssumeRole"}]}`, importPermissions(store2, w2.TrailKey))
	w2.Run(t, []servicetest.Step{
		{Name: "trust policy without CloudTrail", As: root, Do: servicetest.Op(w2.Lake.StartImport, &lake.StartImportInput{Destinations: []string{store2}, ImportSource: source("s3://logs/")}), Want: "InvalidParameterException"},
	})
	if _, err := w2.IAM.UpdateAssumeRolePolicy(w2.Ctx(root), &iam.UpdateAssumeRolePolicyInput{RoleName: "CloudTrailImport", PolicyDocument: importTrust(store2)}); err != nil {
		t.Fatal(err)
	}
	w2.permit(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	servicetest.Call(w2.root, w2.Lake.StartImport, &lake.StartImportInput{Destinations: []string{store2}, ImportSource: source("s3://logs/")}).
		Want("InsufficientEncryptionPolicyException")
	// A store pending deletion takes no import.
	servicetest.Call(w2.root, w2.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: store2, TerminationProtectionEnabled: ptr(false)}).OK()
	servicetest.Call(w2.root, w2.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: store2}).OK()
	servicetest.Call(w2.root, w2.Lake.StartImport, &lake.StartImportInput{Destinations: []string{store2}, ImportSource: source("s3://logs/")}).
		Want("InactiveEventDataStoreException")
}

// StartEventTime and EndEventTime bound an import: only the day prefixes they cover are
// listed and only the events within them copied. Events past the store's retention period are
// not copied either ("CloudTrail only copies trail events that have an eventTime within the
// event data store's retention period").
func TestImportTimeWindowAndRetention(t *testing.T) {
	w := newImportWorld(t)
	day1 := w.Clock.Now()
	w.deliver(t, "day1-a")
	w.Clock.Advance(2 * time.Hour)
	w.deliver(t, "day1-b")
	w.Clock.Advance(2 * 24 * time.Hour)
	w.deliver(t, "day3")
	w.Clock.Advance(24 * time.Hour)
	w.deliver(t, "day4")
	w.Clock.Advance(5 * 24 * time.Hour) // day 9: a 7-day retention keeps day 3 on
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false), RetentionPeriod: ptr(7)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))

	window := w.start(t, storeARN, lake.StartImportInput{StartEventTime: awsjson.NewTime(day1.Add(time.Hour)), EndEventTime: awsjson.NewTime(day1.Add(2*24*time.Hour + 3*time.Hour))}).ImportID
	w.step(t)
	w.step(t)
	// Day 1 and day 3 are the prefixes covered (day 4 is after the window); day 1's events are
	// past the retention period, day1-a also before the window.
	w.wantImport(t, window, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 2, PrefixesCompleted: 2, FilesCompleted: 3, EventsCompleted: 1})
	w.wantRead(t, w.root, storeARN, "day3")
	got := w.getImport(t, window)
	if got.StartEventTime == nil || !time.Time(*got.StartEventTime).Equal(day1.Add(time.Hour)) {
		t.Fatalf("StartEventTime = %v", got.StartEventTime)
	}
}

// StopImport stops an import under way, which then does nothing until it is retried; an import
// at a time per account (AccountHasOngoingImportException); a completed one cannot be stopped.
func TestStopImport(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{Destinations: []string{storeARN}, ImportSource: source("s3://logs/")}).
		Want("AccountHasOngoingImportException")
	w.step(t)
	stopped := servicetest.Call(w.root, w.Lake.StopImport, &lake.ImportInput{ImportID: id}).OK()
	if stopped.ImportStatus != lake.ImportStopped || stopped.ImportStatistics.PrefixesFound != 1 {
		t.Fatalf("StopImport = %+v", stopped)
	}
	servicetest.Call(w.root, w.Lake.StopImport, &lake.ImportInput{ImportID: id}).OK()
	w.step(t)
	w.wantImport(t, id, lake.ImportStopped, lake.ImportStatistics{PrefixesFound: 1})
	w.wantRead(t, w.root, storeARN)

	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{ImportID: id}).OK()
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 1, EventsCompleted: 1})
	w.wantRead(t, w.root, storeARN, "e-1")
	servicetest.Call(w.root, w.Lake.StopImport, &lake.ImportInput{ImportID: id}).Want("InvalidParameterException")
	w.Run(t, []servicetest.Step{
		{Name: "stop an unknown import", As: w.Root(acct), Do: servicetest.Op(w.Lake.StopImport, &lake.ImportInput{ImportID: "00000000-0000-4000-8000-000000000000"}), Want: "ImportNotFoundException"},
		{Name: "get from another Region", As: w.Root(acct), In: "eu-west-1", Do: servicetest.Op(w.Lake.GetImport, &lake.ImportInput{ImportID: id}), Want: "ImportNotFoundException"},
		{Name: "get a malformed ID", As: w.Root(acct), Do: servicetest.Op(w.Lake.GetImport, &lake.ImportInput{ImportID: "x"}), Want: "InvalidParameterException"},
		{Name: "failures of an unknown import", As: w.Root(acct), Do: servicetest.Op(w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: "00000000-0000-4000-8000-000000000000"}), Want: "ImportNotFoundException"},
	})
}

// A store that an import is copying into can be neither updated nor deleted
// (EventDataStoreHasOngoingImportException); once the import is stopped, both work.
func TestStoreWithOngoingImportIsFixed(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false), TerminationProtectionEnabled: ptr(false)})
	other := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{Name: "other", StartIngestion: ptr(false), TerminationProtectionEnabled: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.Run(t, []servicetest.Step{
		{Name: "update during the import", As: w.Root(acct), Do: servicetest.Op(w.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: storeARN, RetentionPeriod: ptr(30)}), Want: "EventDataStoreHasOngoingImportException"},
		{Name: "delete during the import", As: w.Root(acct), Do: servicetest.Op(w.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: storeARN}), Want: "EventDataStoreHasOngoingImportException"},
		{Name: "another store is free", As: w.Root(acct), Do: servicetest.Op(w.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: other, RetentionPeriod: ptr(30)})},
		{Name: "stop the import", As: w.Root(acct), Do: servicetest.Op(w.Lake.StopImport, &lake.ImportInput{ImportID: id})},
		{Name: "update once stopped", As: w.Root(acct), Do: servicetest.Op(w.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: storeARN, RetentionPeriod: ptr(30)})},
		{Name: "delete once stopped", As: w.Root(acct), Do: servicetest.Op(w.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: storeARN})},
	})
}

// An import copies no event the store already holds or that ingestion has yet to take: each
// event of the account reaches the store once, whichever way comes first.
func TestImportDeduplicatesAgainstIngestion(t *testing.T) {
	w := newImportWorld(t)
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	w.deliver(t, "ingested-1", "ingested-2")
	if sum := w.ingest(t); sum.Events != 2 {
		t.Fatalf("Ingest = %+v", sum)
	}
	w.Clock.Advance(time.Hour)
	w.deliver(t, "pending") // in a log file, not yet ingested
	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 2})
	w.wantRead(t, w.root, storeARN, "ingested-1", "ingested-2")
	w.ingest(t)
	w.wantRead(t, w.root, storeARN, "ingested-1", "ingested-2", "pending")

	// Events recorded while the store was stopped are not ingested: the import brings them.
	servicetest.Call(w.root, w.Lake.StopEventDataStoreIngestion, &lake.StoreInput{EventDataStore: storeARN}).OK()
	w.Clock.Advance(time.Hour)
	w.deliver(t, "while-stopped")
	servicetest.Call(w.root, w.Lake.StartEventDataStoreIngestion, &lake.StoreInput{EventDataStore: storeARN}).OK()
	w.ingest(t)
	id = w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 3, EventsCompleted: 1})
	w.wantRead(t, w.root, storeARN, "ingested-1", "ingested-2", "pending", "while-stopped")
}

// A file under the CloudTrail prefix that is not a gzip log file is a failure of its own; the
// other files are copied.
func TestImportFailsOnFilesThatAreNotLogFiles(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1")
	key := "AWSLogs/" + acct + "/CloudTrail/us-east-1/2026/12/02/notes.txt"
	servicetest.Call(w.root, w.S3.PutObject, &s3.PutObjectInput{Bucket: "logs", Key: key, Body: bytes.NewReader([]byte("not a log file"))}).OK()
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	id := w.start(t, storeARN, lake.StartImportInput{ImportSource: source("s3://logs/")}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportFailed, lake.ImportStatistics{PrefixesFound: 1, FilesCompleted: 1, EventsCompleted: 1, FailedEntries: 1})
	f := servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: id}).OK().Failures
	if len(f) != 1 || f[0].Location != "s3://logs/"+key || f[0].ErrorType != "InvalidLogFile" {
		t.Fatalf("failures = %+v", f)
	}
	w.wantRead(t, w.root, storeARN, "e-1")
}

// ListImports: the caller's imports, filtered by destination and status, in pages.
func TestListImports(t *testing.T) {
	w := newImportWorld(t)
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	var ids []string
	for range 3 {
		id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
		servicetest.Call(w.root, w.Lake.StopImport, &lake.ImportInput{ImportID: id}).OK()
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var got []string
	token := ""
	for {
		page := servicetest.Call(w.root, w.Lake.ListImports, &lake.ListImportsInput{MaxResults: ptr(2), NextToken: token, ImportStatus: lake.ImportStopped}).OK()
		for _, im := range page.Imports {
			got = append(got, im.ImportID)
		}
		if token = page.NextToken; token == "" {
			break
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("ListImports pages = %v; want %v", got, ids)
	}
	if n := len(servicetest.Call(w.root, w.Lake.ListImports, &lake.ListImportsInput{ImportStatus: lake.ImportCompleted}).OK().Imports); n != 0 {
		t.Fatalf("%d completed imports; want none", n)
	}
	root := w.Root(acct)
	w.Run(t, []servicetest.Step{
		{Name: "MaxResults 0", As: root, Do: servicetest.Op(w.Lake.ListImports, &lake.ListImportsInput{MaxResults: ptr(0)}), Want: "InvalidParameterException"},
		{Name: "unknown status", As: root, Do: servicetest.Op(w.Lake.ListImports, &lake.ListImportsInput{ImportStatus: "DONE"}), Want: "InvalidParameterException"},
		{Name: "destination not an ARN", As: root, Do: servicetest.Op(w.Lake.ListImports, &lake.ListImportsInput{Destination: "x"}), Want: "EventDataStoreARNInvalidException"},
		{Name: "bad token", As: root, Do: servicetest.Op(w.Lake.ListImports, &lake.ListImportsInput{NextToken: "!!!!"}), Want: "InvalidNextTokenException"},
		{Name: "bad failures token", As: root, Do: servicetest.Op(w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: ids[0], NextToken: "!!!!"}), Want: "InvalidNextTokenException"},
		{Name: "failures MaxResults 1001", As: root, Do: servicetest.Op(w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: ids[0], MaxResults: ptr(1001)}), Want: "InvalidParameterException"},
	})
}

// A store with a KMS key: imported events are sealed under its data keys (CloudTrail's
// GenerateDataKey), and the next import reads the store's chunks as CloudTrail (Decrypt) to
// skip what it holds. With the store's key disabled, each file fails with KMS's error.
func TestImportIntoKMSStore(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1", "e-2")
	key := w.key(t, "us-east-1", consolePolicy("arn:aws:iam::"+acct+":root"))
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false), KmsKeyID: key.Arn})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	first := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, first, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 1, EventsCompleted: 2})
	w.Clock.Advance(25 * time.Hour) // tomorrow's data key is made, yesterday's unwrapped
	w.deliver(t, "e-3")
	second := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, second, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 2, PrefixesCompleted: 2, FilesCompleted: 2, EventsCompleted: 1})
	w.wantRead(t, w.root, storeARN, "e-1", "e-2", "e-3")

	servicetest.Call(w.root, w.KMS.DisableKey, &kms.KeyIDInput{KeyID: key.KeyID}).OK()
	third := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.step(t)
	w.step(t)
	w.wantImport(t, third, lake.ImportFailed, lake.ImportStatistics{PrefixesFound: 2, FailedEntries: 2})
	for _, f := range servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: third}).OK().Failures {
		if !strings.HasPrefix(f.Location, "s3://logs/AWSLogs/") || f.ErrorType != "DisabledException" {
			t.Fatalf("failure = %+v", f)
		}
	}
}

// What StartImport checked can change before the import runs: a role that may no longer list
// the bucket fails the listing; a store cannot be deleted while the import runs, and one deleted
// while it was stopped fails the retried copy.
func TestImportFailsWhenSourceOrStoreChanges(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false), TerminationProtectionEnabled: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	w.permit(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	w.step(t)
	w.wantImport(t, id, lake.ImportFailed, lake.ImportStatistics{FailedEntries: 1})
	f := servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: id}).OK().Failures
	if len(f) != 1 || f[0].Location != "s3://logs/AWSLogs/" || f[0].ErrorType != "AccessDenied" {
		t.Fatalf("failures = %+v", f)
	}

	w.permit(t, importPermissions(storeARN, w.TrailKey))
	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{ImportID: id}).OK()
	w.step(t)
	servicetest.Call(w.root, w.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: storeARN}).Want("EventDataStoreHasOngoingImportException")
	servicetest.Call(w.root, w.Lake.StopImport, &lake.ImportInput{ImportID: id}).OK()
	servicetest.Call(w.root, w.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: storeARN}).OK()
	servicetest.Call(w.root, w.Lake.StartImport, &lake.StartImportInput{ImportID: id}).OK()
	w.step(t)
	w.step(t)
	w.wantImport(t, id, lake.ImportFailed, lake.ImportStatistics{PrefixesFound: 1, FailedEntries: 1})
	f = servicetest.Call(w.root, w.Lake.ListImportFailures, &lake.ListImportFailuresInput{ImportID: id}).OK().Failures
	if len(f) != 1 || f[0].Location != storeARN || f[0].ErrorType != "InactiveEventDataStoreException" {
		t.Fatalf("failures = %+v", f)
	}
}

// Runs that overlap (Run's ticker and a flush) copy an import's files once.
func TestConcurrentImportRunsCopyOnce(t *testing.T) {
	w := newImportWorld(t)
	w.deliver(t, "e-1", "e-2")
	w.Clock.Advance(time.Hour)
	w.deliver(t, "e-3")
	storeARN := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false)})
	w.role(t, importTrust(storeARN), importPermissions(storeARN, w.TrailKey))
	id := w.start(t, storeARN, lake.StartImportInput{}).ImportID
	for range 2 {
		errs := make(chan error, 4)
		for range 4 {
			go func() { errs <- w.Lake.RunImports(context.Background()) }()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatalf("RunImports: %v", err)
			}
		}
	}
	w.wantImport(t, id, lake.ImportCompleted, lake.ImportStatistics{PrefixesFound: 1, PrefixesCompleted: 1, FilesCompleted: 2, EventsCompleted: 3})
	w.wantRead(t, w.root, storeARN, "e-1", "e-2", "e-3")
}
