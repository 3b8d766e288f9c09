package cloudtrail_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store/files"
)

// The seed's names: account 111122223333 with the trail "management" writing to the bucket "logs".
const (
	acct     = servicetest.Account
	trailARN = "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/management"
)

// trailBucketPolicy is the bucket policy CloudTrail needs
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html),
// with aws:SourceArn matching the trail ARN pattern sourceARN.
func trailBucketPolicy(bucket, sourceARN string) string {
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",
  "Condition":{"ArnLike":{"aws:SourceArn":"` + sourceARN + `"}}},
 {"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/` + acct + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"},"ArnLike":{"aws:SourceArn":"` + sourceARN + `"}}}]}`
}

// The statements of a trail's key policy, from
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html.
const (
	rootStatement    = `{"Sid":"Enable IAM user permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`
	encryptStatement = `{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + acct + `:trail/*"}}}`
	describeStatement = `{"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}}`
)

func keyPolicy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// trailWorld is CloudTrail on a servicetest World, with real KMS and S3 and a journal; the
// objects CloudTrail writes are kept as it wrote them (before S3 encrypts them).
type trailWorld struct {
	*servicetest.World
	KMS     *kms.Service
	S3      *s3.Service
	Objects *objects
	Journal *events.Journal
	CT      *ct.Service
	root    *servicetest.Caller
	seq     int
}

func newTrailWorld(t *testing.T) *trailWorld {
	t.Helper()
	w := servicetest.New(t)
	tw := &trailWorld{World: w, root: w.As(w.Root(acct))}
	tw.KMS = kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Principals: w.IAM, Now: w.Clock.Now, Rand: w.Rand})
	blobs, err := files.Open(filepath.Join(w.Dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	tw.S3 = s3.New(s3.Config{DB: w.DB, Blobs: blobs, Barrier: w.Barrier, KMS: tw.KMS, Authorizer: w.Authz, Policies: w.Policies, Now: w.Clock.Now})
	tw.Objects = &objects{Buckets: tw.S3}
	tw.Journal, err = events.OpenJournal(filepath.Join(w.Dir, "journal"), 0, w.Barrier)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := tw.Journal.Close(); err != nil {
			t.Error(err)
		}
	})
	tw.CT = ct.New(ct.Config{DB: w.DB, S3: tw.Objects, KMS: tw.KMS, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand,
		Journal: tw.Journal, Barrier: w.Barrier})
	return tw
}

// bucket creates a bucket of the account's root in region with a policy ("" for none).
func (tw *trailWorld) bucket(t *testing.T, name, region, policy string) {
	t.Helper()
	root := tw.root.In(region)
	loc := ""
	if region != "us-east-1" {
		loc = region
	}
	servicetest.Call(root, tw.S3.CreateBucket, &s3.CreateBucketInput{Bucket: name, LocationConstraint: loc}).OK()
	if policy != "" {
		servicetest.Call(root, tw.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: name, Policy: policy}).OK()
	}
}

// key creates a key of the account's root in region with a key policy; it returns its ARN.
func (tw *trailWorld) key(t *testing.T, region, policy string) string {
	t.Helper()
	out := servicetest.Call(tw.root.In(region), tw.KMS.CreateKey, &kms.CreateKeyInput{Policy: &policy}).OK()
	return out.KeyMetadata.Arn
}

// logsTrail makes the bucket "logs" CloudTrail may write to and the trail "management" (with
// in's other members), logging.
func (tw *trailWorld) logsTrail(t *testing.T, in ct.CreateTrailInput) {
	t.Helper()
	tw.bucket(t, "logs", "us-east-1", trailBucketPolicy("logs", trailARN))
	in.Name, in.S3BucketName = "management", "logs"
	servicetest.Call(tw.root, tw.CT.CreateTrail, &in).OK()
	servicetest.Call(tw.root, tw.CT.StartLogging, &ct.NameInput{Name: "management"}).OK()
}

// event records a call of the account's root in the journal, at the World's time, as the
// gateway would: every field fixed, so that log files are the same every run.
func (tw *trailWorld) event(t *testing.T, region, source, name string, readOnly bool, resources ...request.Resource) {
	t.Helper()
	tw.seq++
	id := fmt.Sprintf("00000000-0000-4000-8000-%012d", tw.seq)
	p := identity.AccountRoot(acct)
	e := &events.Event{Time: tw.Clock.Now(), ID: id, RequestID: id, Source: source, Name: name, Region: region,
		SourceIP: "192.0.2.1", UserAgent: "servicetest", ReadOnly: readOnly, Management: !s3DataEvents[source+" "+name],
		Identity:   events.Identity{Type: "Root", PrincipalID: p.Account, ARN: p.ARN, AccountID: p.Account, AccessKeyID: "AKIAIOSFODNN7EXAMPLE"},
		Recipients: []string{acct}, Resources: resources, Params: fmt.Appendf(nil, `{"n":%d}`, tw.seq%10)}
	if err := tw.Journal.Append(e); err != nil {
		t.Fatal(err)
	}
}

// s3DataEvents are the data events the tests record (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
var s3DataEvents = map[string]bool{"s3.amazonaws.com GetObject": true, "s3.amazonaws.com PutObject": true, "s3.amazonaws.com ListObjects": true}

// status is the trail's GetTrailStatus.
func (tw *trailWorld) status(t *testing.T) *ct.GetTrailStatusOutput {
	t.Helper()
	return servicetest.Call(tw.root, tw.CT.GetTrailStatus, &ct.NameInput{Name: "management"}).OK()
}

// objects is the S3 CloudTrail writes to, keeping each object as CloudTrail wrote it; with fail
// set, PutObject fails with it instead.
type objects struct {
	ct.Buckets
	mu   sync.Mutex
	puts []*s3.PutObjectInput // Body: a *bytes.Reader of what was written
	fail error
}

func (o *objects) PutObject(ctx context.Context, in *s3.PutObjectInput) (*s3.ObjectInfo, error) {
	o.mu.Lock()
	fail := o.fail
	o.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	in.Body = bytes.NewReader(body)
	info, err := o.Buckets.PutObject(ctx, in)
	if err == nil {
		kept := *in
		kept.Body = bytes.NewReader(body)
		o.mu.Lock()
		o.puts = append(o.puts, &kept)
		o.mu.Unlock()
	}
	return info, err
}

func (o *objects) setFail(err error) {
	o.mu.Lock()
	o.fail = err
	o.mu.Unlock()
}

// written returns the objects written whose keys contain part, gunzipped, in order.
func (o *objects) written(t *testing.T, part string) []written {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []written
	for _, in := range o.puts {
		if !strings.Contains(in.Key, part) {
			continue
		}
		r := *in.Body.(*bytes.Reader)
		zr, err := gzip.NewReader(&r)
		if err != nil {
			t.Fatalf("%s: %v", in.Key, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", in.Key, err)
		}
		out = append(out, written{in: in, raw: raw})
	}
	return out
}

type written struct {
	in  *s3.PutObjectInput
	raw []byte // the uncompressed JSON
}

// records are a log file's records.
func (w written) records(t *testing.T) []map[string]any {
	t.Helper()
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(w.raw, &doc); err != nil {
		t.Fatalf("%s: %v", w.in.Key, err)
	}
	return doc.Records
}

func (w written) digest(t *testing.T) ct.DigestFile {
	t.Helper()
	var d ct.DigestFile
	if err := json.Unmarshal(w.raw, &d); err != nil {
		t.Fatalf("%s: %v", w.in.Key, err)
	}
	return d
}
