package cloudtrail_test

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/servicetest"
)

func deliver(t *testing.T, tw *trailWorld) ct.DeliverySummary {
	t.Helper()
	sum, err := tw.CT.Deliver(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func eventNames(t *testing.T, w written) []string {
	t.Helper()
	var names []string
	for _, r := range w.records(t) {
		names = append(names, r["eventName"].(string))
	}
	return names
}

// A trail with a KMS key delivers its region's management events (and global ones, in
// us-east-1) as a log file encrypted under its key with the trail as encryption context, and a
// digest covering it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html).
func TestDeliveryWithKeyAndDigest(t *testing.T) {
	tw := newTrailWorld(t)
	key := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	yes := true
	tw.logsTrail(t, ct.CreateTrailInput{KmsKeyID: key, EnableLogFileValidation: &yes})
	tw.Clock.Advance(time.Minute)
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
	tw.event(t, "eu-west-1", "kms.amazonaws.com", "CreateKey", false) // another region: not this trail's
	tw.event(t, "us-east-1", "iam.amazonaws.com", "CreateUser", false)
	tw.event(t, "us-east-1", "s3.amazonaws.com", "GetObject", true) // a data event: not selected
	tw.Clock.Advance(time.Minute)
	sum := deliver(t, tw)
	if sum.Trails != 1 || sum.LogFiles != 1 || sum.Records != 2 || sum.DigestFiles != 1 || len(sum.Errors) != 0 {
		t.Fatalf("Deliver = %+v", sum)
	}
	logs := tw.Objects.written(t, "/CloudTrail/")
	if len(logs) != 1 || !slices.Equal(eventNames(t, logs[0]), []string{"CreateKey", "CreateUser"}) {
		t.Fatalf("log files: %d", len(logs))
	}
	in := logs[0].in
	ec, _ := base64.StdEncoding.DecodeString(in.EncryptionCtx)
	if in.SSE != "aws:kms" || in.KMSKeyID != key || string(ec) != `{"aws:cloudtrail:arn":"`+trailARN+`"}` || in.ACL != "bucket-owner-full-control" ||
		!strings.HasPrefix(in.Key, "AWSLogs/"+acct+"/CloudTrail/us-east-1/2026/12/02/"+acct+"_CloudTrail_us-east-1_20261202T1202Z_") {
		t.Fatalf("log file written as %s, SSE %s %s, context %s", in.Key, in.SSE, in.KMSKeyID, ec)
	}
	digests := tw.Objects.written(t, "/CloudTrail-Digest/")
	if len(digests) != 1 {
		t.Fatalf("%d digests", len(digests))
	}
	d := digests[0].digest(t)
	if d.PreviousDigestSignature != nil || len(d.LogFiles) != 1 || d.LogFiles[0].S3Object != in.Key || d.DigestEndTime != "2026-12-02T12:02:00Z" ||
		d.DigestStartTime != "2026-12-02T12:00:00Z" || digests[0].in.Metadata["signature"] == "" {
		t.Fatalf("starting digest %+v", d)
	}
	st := tw.status(t)
	if st.LatestDeliveryTime == nil || st.LatestDigestDeliveryTime == nil || st.LatestDeliveryError != "" {
		t.Fatalf("status %+v", st)
	}

	// The clock stands still: the next digests end a second after each other, chained, empty.
	deliver(t, tw)
	deliver(t, tw)
	digests = tw.Objects.written(t, "/CloudTrail-Digest/")
	if len(digests) != 3 {
		t.Fatalf("%d digests", len(digests))
	}
	for i, want := range []string{"2026-12-02T12:02:01Z", "2026-12-02T12:02:02Z"} {
		d, prev := digests[i+1].digest(t), digests[i].digest(t)
		if d.DigestEndTime != want || d.DigestStartTime != prev.DigestEndTime || len(d.LogFiles) != 0 ||
			d.PreviousDigestS3Object == nil || *d.PreviousDigestS3Object != prev.DigestS3Object || *d.PreviousDigestSignature != digests[i].in.Metadata["signature"] {
			t.Fatalf("digest %d = %+v", i+1, d)
		}
	}

	// Logging stops: a final digest; it starts again: a starting digest that begins after it.
	tw.Clock.Advance(10 * time.Second)
	tw.event(t, "us-east-1", "kms.amazonaws.com", "DisableKey", false)
	servicetest.Call(tw.root, tw.CT.StopLogging, &ct.NameInput{Name: "management"}).OK()
	tw.event(t, "us-east-1", "kms.amazonaws.com", "EnableKey", false) // while stopped: never delivered
	servicetest.Call(tw.root, tw.CT.StartLogging, &ct.NameInput{Name: "management"}).OK()
	tw.Clock.Advance(time.Second)
	tw.event(t, "us-east-1", "kms.amazonaws.com", "TagResource", false)
	deliver(t, tw)
	logs = tw.Objects.written(t, "/CloudTrail/")
	if len(logs) != 3 || !slices.Equal(eventNames(t, logs[1]), []string{"DisableKey"}) || !slices.Equal(eventNames(t, logs[2]), []string{"TagResource"}) {
		t.Fatalf("%d log files after the stop and start", len(logs))
	}
	digests = tw.Objects.written(t, "/CloudTrail-Digest/")
	final, restart := digests[3].digest(t), digests[4].digest(t)
	if len(digests) != 5 || final.PreviousDigestS3Object == nil || len(final.LogFiles) != 1 || restart.PreviousDigestS3Object != nil ||
		restart.DigestStartTime < final.DigestEndTime || restart.DigestEndTime <= final.DigestEndTime {
		t.Fatalf("final %+v, restart %+v", final, restart)
	}
	// Validation off: no more digests.
	servicetest.Call(tw.root, tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", EnableLogFileValidation: ptr(false)}).OK()
	if sum := deliver(t, tw); sum.DigestFiles != 0 {
		t.Fatalf("a digest without validation: %+v", sum)
	}
}

// A failed delivery keeps its batch, shows the S3 error in GetTrailStatus, and is redone into
// the same object once S3 takes it; so is a failed digest
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
func TestDeliveryFailures(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{EnableLogFileValidation: ptr(true)})
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
	tw.Objects.setFail(awserr.New(awserr.AccessDenied, "Access Denied"))
	sum := deliver(t, tw)
	if !slices.Equal(sum.Errors, []string{trailARN + ": AccessDenied", trailARN + ": digest: AccessDenied"}) || sum.LogFiles != 0 {
		t.Fatalf("Deliver = %+v", sum)
	}
	st := tw.status(t)
	if st.LatestDeliveryError != "AccessDenied" || st.LatestDigestDeliveryError != "AccessDenied" || st.LatestDeliveryTime != nil {
		t.Fatalf("status %+v", st)
	}
	tw.event(t, "us-east-1", "kms.amazonaws.com", "TagResource", false) // after the failed batch: the next one
	tw.Objects.setFail(nil)
	tw.Clock.Advance(time.Hour)
	sum = deliver(t, tw)
	if sum.LogFiles != 2 || sum.Records != 2 || sum.DigestFiles != 1 || len(sum.Errors) != 0 {
		t.Fatalf("Deliver after the repair = %+v", sum)
	}
	logs := tw.Objects.written(t, "/CloudTrail/")
	if !strings.Contains(logs[0].in.Key, "_20261202T1200Z_") || !slices.Equal(eventNames(t, logs[0]), []string{"CreateKey"}) {
		t.Fatalf("the redone batch went to %s", logs[0].in.Key)
	}
	st = tw.status(t)
	if st.LatestDeliveryError != "" || st.LatestDigestDeliveryError != "" {
		t.Fatalf("status after the repair %+v", st)
	}
	// A failure that is not S3's answer is the delivery's error.
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateAlias", false)
	tw.Objects.setFail(context.DeadlineExceeded)
	if _, err := tw.CT.Deliver(context.Background()); err == nil {
		t.Fatal("Deliver hid a failure that is not S3's")
	}
}

// A trail whose key is disabled, or whose key policy no longer lets CloudTrail encrypt, cannot
// deliver: S3's error shows in GetTrailStatus, and the records wait
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
func TestDeliveryWithDisabledKey(t *testing.T) {
	tw := newTrailWorld(t)
	key := tw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, describeStatement))
	tw.logsTrail(t, ct.CreateTrailInput{KmsKeyID: key})
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
	servicetest.Call(tw.root, tw.KMS.DisableKey, &kms.KeyIDInput{KeyID: key}).OK()
	sum := deliver(t, tw)
	if len(sum.Errors) != 1 || sum.LogFiles != 0 {
		t.Fatalf("Deliver with the key disabled = %+v", sum)
	}
	if st := tw.status(t); st.LatestDeliveryError == "" {
		t.Fatalf("status %+v", st)
	}
	servicetest.Call(tw.root, tw.KMS.EnableKey, &kms.KeyIDInput{KeyID: key}).OK()
	if sum := deliver(t, tw); sum.LogFiles != 1 || sum.Records != 1 {
		t.Fatalf("Deliver with the key enabled again = %+v", sum)
	}
}

// Event selectors choose what a trail logs: management events read or written, S3 data events
// of the buckets and prefixes named, or advanced selectors' fields
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html).
func TestEventSelectors(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{})
	root := tw.Root(acct)
	put := func(in *ct.PutEventSelectorsInput) func(context.Context) error {
		in.TrailName = "management"
		return servicetest.Op(tw.CT.PutEventSelectors, in)
	}
	basic := func(s ...ct.EventSelector) *ct.PutEventSelectorsInput {
		return &ct.PutEventSelectorsInput{TrailName: "management", EventSelectors: s}
	}
	advanced := func(f ...ct.AdvancedFieldSelector) *ct.PutEventSelectorsInput {
		return &ct.PutEventSelectorsInput{TrailName: "management", AdvancedEventSelectors: []ct.AdvancedEventSelector{{FieldSelectors: f}}}
	}
	data := func(values ...string) ct.EventSelector {
		return ct.EventSelector{IncludeManagementEvents: ptr(false), DataResources: []ct.DataResource{{Type: "AWS::S3::Object", Values: values}}}
	}
	category := func(c string) ct.AdvancedFieldSelector {
		return ct.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{c}}
	}
	six := make([]ct.EventSelector, 6)
	tw.Run(t, []servicetest.Step{
		{Name: "no trail name", As: root, Do: servicetest.Op(tw.CT.PutEventSelectors, &ct.PutEventSelectorsInput{EventSelectors: []ct.EventSelector{{}}}), Want: "TrailNotProvidedException"},
		{Name: "both kinds", As: root, Do: put(&ct.PutEventSelectorsInput{EventSelectors: []ct.EventSelector{}, AdvancedEventSelectors: []ct.AdvancedEventSelector{}}), Want: "InvalidParameterCombinationException"},
		{Name: "neither", As: root, Do: put(&ct.PutEventSelectorsInput{}), Want: "InvalidParameterCombinationException"},
		{Name: "six selectors", As: root, Do: put(basic(six...)), Want: "InvalidEventSelectorsException"},
		{Name: "bad ReadWriteType", As: root, Do: put(basic(ct.EventSelector{ReadWriteType: "Some"})), Want: "InvalidEventSelectorsException"},
		{Name: "bad excluded source", As: root, Do: put(basic(ct.EventSelector{ExcludeManagementEventSources: []string{"s3.amazonaws.com"}})), Want: "InvalidEventSelectorsException"},
		{Name: "no management events and no data", As: root, Do: put(basic(ct.EventSelector{IncludeManagementEvents: ptr(false)})), Want: "InvalidEventSelectorsException"},
		{Name: "bad data type", As: root, Do: put(basic(ct.EventSelector{DataResources: []ct.DataResource{{Type: "AWS::EC2::Instance"}}})), Want: "InvalidEventSelectorsException"},
		{Name: "wildcard value", As: root, Do: put(basic(data("arn:aws:s3:::logs/*"))), Want: "InvalidEventSelectorsException"},
		{Name: "too many values", As: root, Do: put(basic(data(make([]string, 251)...))), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: no field selectors", As: root, Do: put(advanced()), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: unknown field", As: root, Do: put(advanced(ct.AdvancedFieldSelector{Field: "x", Equals: []string{"y"}})), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: no condition", As: root, Do: put(advanced(ct.AdvancedFieldSelector{Field: "eventName"})), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: two categories", As: root, Do: put(advanced(ct.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Data", "Management"}})), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: data without resources.type", As: root, Do: put(advanced(category("Data"))), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: no category", As: root, Do: put(advanced(ct.AdvancedFieldSelector{Field: "eventName", Equals: []string{"x"}})), Want: "InvalidEventSelectorsException"},
		{Name: "advanced: bad category", As: root, Do: put(advanced(category("Insight"))), Want: "InvalidEventSelectorsException"},
		{Name: "get, no trail name", As: root, Do: servicetest.Op(tw.CT.GetEventSelectors, &ct.GetEventSelectorsInput{}), Want: "TrailNotProvidedException"},
		{Name: "get a missing trail", As: root, Do: servicetest.Op(tw.CT.GetEventSelectors, &ct.GetEventSelectorsInput{TrailName: "missing"}), Want: "TrailNotFoundException"},
	})
	get := func() *ct.EventSelectorsOutput {
		return servicetest.Call(tw.root, tw.CT.GetEventSelectors, &ct.GetEventSelectorsInput{TrailName: "management"}).OK()
	}
	if out := get(); len(out.EventSelectors) != 1 || out.EventSelectors[0].ReadWriteType != "All" || !*out.EventSelectors[0].IncludeManagementEvents {
		t.Fatalf("default selectors %+v", out)
	}

	object := func(key string) request.Resource {
		return request.Resource{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::data/" + key, Account: acct}
	}
	events := func() {
		tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
		tw.event(t, "us-east-1", "kms.amazonaws.com", "DescribeKey", true)
		tw.event(t, "us-east-1", "s3.amazonaws.com", "CreateBucket", false)
		tw.event(t, "us-east-1", "s3.amazonaws.com", "PutObject", false, object("in/a"))
		tw.event(t, "us-east-1", "s3.amazonaws.com", "GetObject", true, object("out/b"))
		tw.event(t, "us-east-1", "s3.amazonaws.com", "ListObjects", true, request.Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::data", Account: acct})
	}
	for _, c := range []struct {
		name string
		in   *ct.PutEventSelectorsInput
		want []string
	}{
		{"write-only management events", basic(ct.EventSelector{ReadWriteType: "WriteOnly"}), []string{"CreateKey", "CreateBucket"}},
		{"read-only, KMS left out", basic(ct.EventSelector{ReadWriteType: "ReadOnly", ExcludeManagementEventSources: []string{"kms.amazonaws.com"}}), nil},
		{"data events of a prefix", basic(data("arn:aws:s3:::data/in/")), []string{"PutObject"}},
		{"data events of a bucket", basic(data("arn:aws:s3:::data")), []string{"PutObject", "GetObject", "ListObjects"}},
		{"data events of every bucket", basic(data("arn:aws:s3")), []string{"PutObject", "GetObject", "ListObjects"}},
		{"advanced: management events but KMS", advanced(category("Management"), ct.AdvancedFieldSelector{Field: "eventSource", NotEquals: []string{"kms.amazonaws.com"}}), []string{"CreateBucket"}},
		{"advanced: S3 reads", advanced(category("Data"), ct.AdvancedFieldSelector{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
			ct.AdvancedFieldSelector{Field: "readOnly", Equals: []string{"true"}}), []string{"GetObject", "ListObjects"}},
		{"advanced: objects under out/", advanced(category("Data"), ct.AdvancedFieldSelector{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
			ct.AdvancedFieldSelector{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::data/out/"}}), []string{"GetObject"}},
		{"advanced: names and users", advanced(category("Management"), ct.AdvancedFieldSelector{Field: "eventName", EndsWith: []string{"Key"}, NotStartsWith: []string{"Describe"}},
			ct.AdvancedFieldSelector{Field: "userIdentity.arn", NotEndsWith: []string{":user/x"}}, ct.AdvancedFieldSelector{Field: "eventType", Equals: []string{"AwsApiCall"}},
			ct.AdvancedFieldSelector{Field: "errorCode", NotEquals: []string{"AccessDenied"}}, ct.AdvancedFieldSelector{Field: "sessionCredentialFromConsole", Equals: []string{"false"}}), []string{"CreateKey"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := servicetest.Call(tw.root, tw.CT.PutEventSelectors, c.in).OK()
			if out.TrailARN != trailARN {
				t.Fatalf("PutEventSelectors = %+v", out)
			}
			if got := get(); len(got.EventSelectors) != len(c.in.EventSelectors) || len(got.AdvancedEventSelectors) != len(c.in.AdvancedEventSelectors) {
				t.Fatalf("GetEventSelectors = %+v", got)
			}
			before := len(tw.Objects.written(t, "/CloudTrail/"))
			events()
			deliver(t, tw)
			var got []string
			for _, w := range tw.Objects.written(t, "/CloudTrail/")[before:] {
				got = append(got, eventNames(t, w)...)
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("delivered %v, want %v", got, c.want)
			}
		})
	}
	if trail := servicetest.Call(tw.root, tw.CT.GetTrail, &ct.NameInput{Name: "management"}).OK().Trail; !trail.HasCustomEventSelectors {
		t.Fatal("HasCustomEventSelectors is false")
	}
}

// A trail with nothing but its own deliveries' events to deliver stays idle until the digest
// interval has passed, and a multi-region trail writes a file for each region.
func TestIdleAndMultiRegion(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{IsMultiRegionTrail: ptr(true)})
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
	tw.event(t, "eu-west-1", "kms.amazonaws.com", "CreateKey", false)
	if sum := deliver(t, tw); sum.LogFiles != 2 {
		t.Fatalf("Deliver of two regions = %+v", sum)
	}
	delivery := func() {
		tw.seq++
		if err := tw.Journal.Append(deliveryEvent(tw)); err != nil {
			t.Fatal(err)
		}
	}
	delivery()
	if sum := deliver(t, tw); sum.LogFiles != 0 {
		t.Fatalf("an idle trail delivered its own delivery's events: %+v", sum)
	}
	tw.Clock.Advance(time.Hour)
	if sum := deliver(t, tw); sum.LogFiles != 1 {
		t.Fatalf("after the digest interval: %+v", sum)
	}
	var keys []string
	for _, w := range tw.Objects.written(t, "/CloudTrail/") {
		keys = append(keys, strings.Split(w.in.Key, "/")[3])
	}
	if !slices.Equal(keys, []string{"eu-west-1", "us-east-1", "us-east-1"}) {
		t.Fatalf("log files by region: %v", keys)
	}
}

// ListPublicKeys lists the region's signing keys valid in the range asked, by default now
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListPublicKeys.html).
func TestListPublicKeys(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{EnableLogFileValidation: ptr(true)})
	list := func(in *ct.ListPublicKeysInput) []ct.PublicKey {
		return servicetest.Call(tw.root, tw.CT.ListPublicKeys, in).OK().PublicKeyList
	}
	if keys := list(&ct.ListPublicKeysInput{}); len(keys) != 0 {
		t.Fatalf("keys before any digest: %d", len(keys))
	}
	deliver(t, tw)
	keys := list(&ct.ListPublicKeysInput{})
	d := tw.Objects.written(t, "/CloudTrail-Digest/")[0].digest(t)
	if len(keys) != 1 || keys[0].Fingerprint != d.DigestPublicKeyFingerprint || ct.Fingerprint(keys[0].Value) != keys[0].Fingerprint {
		t.Fatalf("ListPublicKeys = %+v", keys)
	}
	if keys := list(&ct.ListPublicKeysInput{StartTime: awsTime(tw.Clock.Now().Add(-time.Hour)), EndTime: awsTime(tw.Clock.Now().Add(-time.Minute))}); len(keys) != 0 {
		t.Fatalf("keys of the hour before: %d", len(keys))
	}
	tw.Run(t, []servicetest.Step{
		{Name: "reversed range", As: tw.Root(acct), Do: servicetest.Op(tw.CT.ListPublicKeys, &ct.ListPublicKeysInput{StartTime: awsTime(tw.Clock.Now()), EndTime: awsTime(tw.Clock.Now().Add(-time.Hour))}), Want: "InvalidTimeRangeException"},
		{Name: "a token", As: tw.Root(acct), Do: servicetest.Op(tw.CT.ListPublicKeys, &ct.ListPublicKeysInput{NextToken: "x"}), Want: "InvalidTokenException"},
		{Name: "another region's keys", As: tw.Root(acct), In: "eu-west-1", Do: servicetest.Op(tw.CT.ListPublicKeys, &ct.ListPublicKeysInput{})},
		{Name: "a user without cloudtrail:ListPublicKeys", As: tw.User(acct, "nobody"), Do: servicetest.Op(tw.CT.ListPublicKeys, &ct.ListPublicKeysInput{}), Want: "AccessDeniedException"},
	})
}

func awsTime(t time.Time) *awsjson.Time { return awsjson.NewTime(t) }

// deliveryEvent is the event of CloudTrail's own call to KMS for a delivery.
func deliveryEvent(tw *trailWorld) *events.Event {
	return &events.Event{Time: tw.Clock.Now(), ID: "delivery", RequestID: "delivery", Source: "kms.amazonaws.com", Name: "GenerateDataKey",
		Region: "us-east-1", SourceIP: "cloudtrail.amazonaws.com", UserAgent: "cloudtrail.amazonaws.com", ReadOnly: true, Management: true, Delivery: true,
		Identity:   events.Identity{Type: "AWSService", InvokedBy: "cloudtrail.amazonaws.com"},
		Recipients: []string{acct}}
}
