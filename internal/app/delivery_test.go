package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/keytrail/keytrail/internal/events"
)

type flushSummary struct {
	Trails, LogFiles, Records, DigestFiles int
	Errors                                 []string
}

// flush POSTs /_keytrail/flush, as `keytrail flush` does.
func (e *env) flush() flushSummary {
	e.t.Helper()
	resp, err := e.web().Post(e.url+"/_keytrail/flush", "", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s flushSummary
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&s) != nil {
		e.t.Fatalf("flush: %s", resp.Status)
	}
	return s
}

type record = map[string]any

// logFiles reads every log file under AWSLogs/ in bucket as c, oldest first: keys and records.
func logFiles(t *testing.T, c *s3.Client, bucket string) (map[string][]record, []string) {
	t.Helper()
	ctx := context.Background()
	list := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("AWSLogs/")}))(t)
	files := map[string][]record{}
	var keys []string
	for _, o := range list.Contents {
		key := aws.ToString(o.Key)
		if !strings.Contains(key, "/CloudTrail/") {
			continue
		}
		out := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))(t)
		body, _ := io.ReadAll(out.Body)
		out.Body.Close()
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s is not gzip: %v", key, err)
		}
		var doc struct{ Records []record }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		files[key] = doc.Records
		keys = append(keys, key)
	}
	return files, keys
}

// allRecords is every record of every file, and fails on a record delivered twice.
func allRecords(t *testing.T, files map[string][]record) []record {
	t.Helper()
	seen := map[string]bool{}
	var out []record
	for _, recs := range files {
		for _, r := range recs {
			id := r["eventID"].(string)
			if seen[id] {
				t.Fatalf("event %s (%s) was delivered twice", id, r["eventName"])
			}
			seen[id] = true
			out = append(out, r)
		}
	}
	return out
}

func find(recs []record, name string, pred func(record) bool) record {
	for _, r := range recs {
		if r["eventName"] == name && (pred == nil || pred(r)) {
			return r
		}
	}
	return nil
}

// trailBucket makes the bucket "trail-logs" with CloudTrail's bucket policy for the trail "management" and
// returns an S3 client of its owner.
func (e *env) trailBucket(t *testing.T) *s3.Client {
	t.Helper()
	ctx := context.Background()
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}))(t)
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	return s3c
}

// setupTrail makes the bucket (with CloudTrail's bucket policy), the key (the seed's statements) and a
// logging trail "management" in account.
func setupTrail(t *testing.T, e *env) (keyARN string) {
	t.Helper()
	ctx := context.Background()
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	e.trailBucket(t)
	key := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy(account, trailARN))}))(t).KeyMetadata
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), KmsKeyId: key.KeyId}))(t)
	must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}))(t)
	return aws.ToString(key.Arn)
}

// Calls are recorded with the fields of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html and delivered, encrypted under the trail's key, once;
// a failed delivery keeps them and shows in GetTrailStatus until the next success.
func TestCloudTrailDelivery(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	keyARN := setupTrail(t, e)
	k := e.rootKMS()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	s3c := e.s3client(account, rootSecret, "us-east-1", true)

	secret := "do not log this plaintext"
	must(k.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(keyARN), Plaintext: []byte(secret)}))(t)
	user := must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory")}))(t).User
	ak := must(e.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("mallory")}))(t).AccessKey
	_, err := e.kms(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), "").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyARN)})
	wantCode(t, err, "AccessDeniedException")

	sum := e.flush()
	if sum.LogFiles != 1 || len(sum.Errors) != 0 {
		t.Fatalf("flush = %+v", sum)
	}
	files, keys := logFiles(t, s3c, "trail-logs")
	if !strings.HasPrefix(keys[0], "AWSLogs/"+account+"/CloudTrail/us-east-1/"+time.Now().UTC().Format("2006/01/02")+"/"+account+"_CloudTrail_us-east-1_") {
		t.Fatalf("log file key %s", keys[0])
	}
	head := must(s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(keys[0])}))(t)
	if head.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(head.SSEKMSKeyId) != keyARN {
		t.Fatalf("log file encryption %s %s", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}
	recs := allRecords(t, files)
	enc := find(recs, "Encrypt", nil)
	if enc == nil {
		t.Fatalf("no Encrypt record in %d records", len(recs))
	}
	if enc["eventSource"] != "kms.amazonaws.com" || enc["readOnly"] != true || enc["eventCategory"] != "Management" ||
		enc["recipientAccountId"] != account || enc["userIdentity"].(record)["type"] != "Root" {
		t.Errorf("Encrypt record = %v", enc)
	}
	denied := find(recs, "DescribeKey", func(r record) bool { return r["errorCode"] != nil })
	if denied == nil || denied["errorCode"] != "AccessDeniedException" || !strings.Contains(denied["errorMessage"].(string), "mallory") ||
		denied["userIdentity"].(record)["type"] != "IAMUser" || denied["userIdentity"].(record)["userName"] != "mallory" {
		t.Errorf("denied DescribeKey record = %v", denied)
	}
	cak := find(recs, "CreateAccessKey", nil)
	if cak == nil || cak["responseElements"] == nil {
		t.Fatalf("CreateAccessKey record = %v", cak)
	}
	raw, _ := json.Marshal(recs)
	for _, s := range []string{secret, aws.ToString(ak.SecretAccessKey)} {
		if strings.Contains(string(raw), s) {
			t.Fatalf("a secret is in a log file")
		}
	}
	if !strings.Contains(string(raw), aws.ToString(user.UserId)) {
		t.Errorf("CreateUser's responseElements lack the user ID")
	}
	// Reading the file made S3 call KMS Decrypt for the reader: those records go next. Then
	// nothing happens: the delivery's own GenerateDataKey waits (an idle trail stays idle).
	if sum := e.flush(); sum.LogFiles != 1 {
		t.Fatalf("the flush after reading = %+v", sum)
	}
	if sum := e.flush(); sum.LogFiles != 0 {
		t.Fatalf("an idle flush wrote %+v", sum)
	}

	// A disabled key: delivery fails, the records wait, the status says why.
	must(k.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyARN)}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("while-disabled")}))(t)
	if sum := e.flush(); sum.LogFiles != 0 || len(sum.Errors) != 1 || !strings.HasSuffix(sum.Errors[0], "KMS.DisabledException") {
		t.Fatalf("flush with a disabled key = %+v", sum)
	}
	st := must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
	if aws.ToString(st.LatestDeliveryError) != "KMS.DisabledException" {
		t.Fatalf("LatestDeliveryError = %q", aws.ToString(st.LatestDeliveryError))
	}
	must(k.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(keyARN)}))(t)
	if sum := e.flush(); sum.LogFiles == 0 || len(sum.Errors) != 0 {
		t.Fatalf("flush after enabling = %+v", sum)
	}
	st = must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t)
	if st.LatestDeliveryError != nil || st.LatestDeliveryTime == nil {
		t.Fatalf("status after a good delivery: error %q time %v", aws.ToString(st.LatestDeliveryError), st.LatestDeliveryTime)
	}
	// A bucket policy that no longer lets CloudTrail write.
	must(s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("while-denied")}))(t)
	if sum := e.flush(); len(sum.Errors) != 1 || !strings.HasSuffix(sum.Errors[0], "AccessDenied") {
		t.Fatalf("flush without a bucket policy = %+v", sum)
	}
	must(s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(cloudTrailBucketPolicy)}))(t)
	e.flush()
	files, _ = logFiles(t, s3c, "trail-logs")
	recs = allRecords(t, files)
	for _, u := range []string{"while-disabled", "while-denied"} {
		if find(recs, "CreateUser", func(r record) bool { return r["requestParameters"].(record)["userName"] == u }) == nil {
			t.Errorf("CreateUser %s, made while delivery failed, was never delivered", u)
		}
	}
	gdk := find(recs, "GenerateDataKey", func(r record) bool { return r["userIdentity"].(record)["type"] == "AWSService" })
	if gdk == nil || gdk["userIdentity"].(record)["invokedBy"] != "cloudtrail.amazonaws.com" || gdk["sourceIPAddress"] != "cloudtrail.amazonaws.com" {
		t.Fatalf("the GenerateDataKey S3 made for CloudTrail = %v", gdk)
	}
	ec := gdk["requestParameters"].(record)["encryptionContext"].(record)
	if ec["aws:cloudtrail:arn"] != "arn:aws:cloudtrail:us-east-1:"+account+":trail/management" || !strings.HasPrefix(ec["aws:s3:arn"].(string), "arn:aws:s3:::trail-logs/AWSLogs/") {
		t.Fatalf("its encryption context = %v", ec)
	}
	// Reading a log file is S3 Decrypting as the reader: recorded, invoked by S3.
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after-read")}))(t)
	e.flush()
	files, _ = logFiles(t, s3c, "trail-logs")
	recs = allRecords(t, files)
	dec := find(recs, "Decrypt", func(r record) bool { return r["userIdentity"].(record)["invokedBy"] == "s3.amazonaws.com" })
	if dec == nil || dec["userIdentity"].(record)["type"] != "Root" {
		t.Fatalf("the Decrypt S3 made for a reader = %v", dec)
	}
}

// The queue survives a restart: calls recorded before it are delivered after it, once.
func TestCloudTrailQueueSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	setupTrail(t, e)
	for i := 0; i < 20; i++ {
		must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before-" + string(rune('a'+i)))}))(t)
	}
	e.stop()
	e = start(t, dir)
	if sum := e.flush(); sum.LogFiles != 1 {
		t.Fatalf("flush after restart = %+v", sum)
	}
	files, _ := logFiles(t, e.s3client(account, rootSecret, "us-east-1", true), "trail-logs")
	recs := allRecords(t, files)
	n := 0
	for _, r := range recs {
		if r["eventName"] == "CreateUser" {
			n++
		}
	}
	if n != 20 {
		t.Fatalf("%d of 20 CreateUser calls delivered after a restart", n)
	}
}

// LookupEvents: the account's management events of its region, newest first, filtered by any
// lookup attribute, paged. It runs in a synctest bubble, where the clock moves only when told.
func TestCloudTrailLookupEvents(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := startInBubble(t, t.TempDir(), nil)
		ctx := context.Background()
		ct := e.cloudtrail(account, rootSecret, "us-east-1")
		k := e.rootKMS()
		key := must(k.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
		for i := 0; i < 3; i++ {
			must(k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x")}))(t)
		}
		must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")}))(t)
		must(e.cloudtrail("999999999999", rootSecret, "us-east-1").ListTrails(ctx, &cloudtrail.ListTrailsInput{}))(t)
		must(e.cloudtrail(account, rootSecret, "eu-west-1").ListTrails(ctx, &cloudtrail.ListTrailsInput{}))(t)
		// LookupEvents calls are events too: look at what came before them. The bubble's clock
		// stands still between sleeps, so the events above are at cut and the lookups after it.
		cut := time.Now()
		time.Sleep(time.Millisecond)

		all := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: &cut}))(t).Events
		if len(all) != 5 || aws.ToString(all[0].EventName) != "CreateUser" || aws.ToString(all[len(all)-1].EventName) != "CreateKey" {
			names := []string{}
			for _, ev := range all {
				names = append(names, aws.ToString(ev.EventName))
			}
			t.Fatalf("LookupEvents = %v", names)
		}
		var rec record
		if err := json.Unmarshal([]byte(aws.ToString(all[0].CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["eventID"] != aws.ToString(all[0].EventId) || aws.ToString(all[0].Username) != "root" {
			t.Fatalf("event %s: CloudTrailEvent %v", aws.ToString(all[0].EventId), rec)
		}
		for attr, want := range map[cttypes.LookupAttributeKey]struct {
			value string
			n     int
		}{
			cttypes.LookupAttributeKeyEventName:    {"Encrypt", 3},
			cttypes.LookupAttributeKeyEventSource:  {"iam.amazonaws.com", 1},
			cttypes.LookupAttributeKeyReadOnly:     {"true", 3},
			cttypes.LookupAttributeKeyResourceName: {aws.ToString(key.Arn), 3},
			cttypes.LookupAttributeKeyResourceType: {"AWS::KMS::Key", 3},
			cttypes.LookupAttributeKeyUsername:     {"root", 5},
			cttypes.LookupAttributeKeyAccessKeyId:  {account, 5},
			cttypes.LookupAttributeKeyEventId:      {aws.ToString(all[2].EventId), 1},
		} {
			got := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{EndTime: &cut, LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: attr, AttributeValue: aws.String(want.value)}}}))(t).Events
			if len(got) != want.n {
				t.Errorf("LookupEvents %s=%s: %d events, want %d", attr, want.value, len(got), want.n)
			}
		}
		// Paging, one at a time, gives the same events in the same order.
		var paged []string
		p := cloudtrail.NewLookupEventsPaginator(ct, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1), EndTime: &cut})
		for p.HasMorePages() {
			for _, ev := range must(p.NextPage(ctx))(t).Events {
				paged = append(paged, aws.ToString(ev.EventId))
			}
		}
		if len(paged) != 5 || paged[0] != aws.ToString(all[0].EventId) || paged[4] != aws.ToString(all[4].EventId) {
			t.Fatalf("paged lookup = %v", paged)
		}
		// The time range.
		future := time.Now().Add(time.Hour)
		if got := must(ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: &future}))(t).Events; len(got) != 0 {
			t.Fatalf("events after a future start: %d", len(got))
		}
		past := time.Now().Add(-time.Hour)
		_, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: &future, EndTime: &past})
		wantCode(t, err, "InvalidTimeRangeException")
		_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
		wantCode(t, err, "InvalidMaxResultsException")
		_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{NextToken: aws.String("bogus")})
		wantCode(t, err, "InvalidNextTokenException")
		_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: "Nope", AttributeValue: aws.String("x")}}})
		wantCode(t, err, "InvalidLookupAttributesException")
		_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("a")}, {AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("b")}}})
		wantCode(t, err, "InvalidLookupAttributesException")
	})
}

// Event selectors choose what a trail delivers: read or write management events, S3 data events.
func TestCloudTrailEventSelectors(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	setupTrail(t, e)
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	def := must(ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("management")}))(t)
	if len(def.EventSelectors) != 1 || def.EventSelectors[0].ReadWriteType != cttypes.ReadWriteTypeAll || !aws.ToBool(def.EventSelectors[0].IncludeManagementEvents) {
		t.Fatalf("default selectors = %+v", def.EventSelectors)
	}
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}))(t)
	out := must(ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{
		ReadWriteType: cttypes.ReadWriteTypeWriteOnly, IncludeManagementEvents: aws.Bool(true),
		DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::data/in/"}}}}}}))(t)
	if aws.ToString(out.TrailARN) != "arn:aws:cloudtrail:us-east-1:"+account+":trail/management" {
		t.Fatalf("PutEventSelectors = %+v", out)
	}
	tr := must(ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("management")}))(t).Trail
	if !aws.ToBool(tr.HasCustomEventSelectors) {
		t.Fatal("HasCustomEventSelectors is false")
	}
	must(e.rootIAM().ListUsers(ctx, &iam.ListUsersInput{}))(t) // read: not logged
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dave")}))(t)
	for _, key := range []string{"in/a", "out/b"} {
		must(s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader("x")}))(t)
	}
	must(s3c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("in/copy"), CopySource: aws.String("data/in/a")}))(t)
	e.flush()
	files, _ := logFiles(t, s3c, "trail-logs")
	recs := allRecords(t, files)
	if find(recs, "ListUsers", nil) != nil || find(recs, "CreateUser", nil) == nil {
		t.Errorf("WriteOnly: ListUsers logged or CreateUser not")
	}
	put := find(recs, "PutObject", nil)
	if put == nil || put["eventCategory"] != "Data" || put["managementEvent"] != false || put["requestParameters"].(record)["key"] != "in/a" {
		t.Fatalf("data event = %v", put)
	}
	if find(recs, "PutObject", func(r record) bool { return r["requestParameters"].(record)["key"] == "out/b" }) != nil {
		t.Errorf("a data event outside the selector's prefix was logged")
	}
	if cp := find(recs, "CopyObject", nil); cp == nil || cp["requestParameters"].(record)["x-amz-copy-source"] != "data/in/a" {
		t.Errorf("CopyObject record = %v", cp)
	}

	// Advanced selectors: only KMS write events.
	must(ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("management"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
		Name: aws.String("kms writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
			{Field: aws.String("eventSource"), Equals: []string{"kms.amazonaws.com"}},
			{Field: aws.String("readOnly"), Equals: []string{"false"}}}}}}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")}))(t)
	must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("advanced")}))(t)
	e.flush()
	files, _ = logFiles(t, s3c, "trail-logs")
	recs = allRecords(t, files)
	if find(recs, "CreateUser", func(r record) bool { return r["requestParameters"].(record)["userName"] == "erin" }) != nil {
		t.Errorf("advanced selectors logged an IAM event")
	}
	if find(recs, "CreateKey", func(r record) bool { return r["requestParameters"].(record)["description"] == "advanced" }) == nil {
		t.Errorf("advanced selectors did not log CreateKey")
	}
	adv := must(ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("management")}))(t)
	if len(adv.AdvancedEventSelectors) != 1 || len(adv.EventSelectors) != 0 {
		t.Fatalf("GetEventSelectors = %+v", adv)
	}

	for name, in := range map[string]*cloudtrail.PutEventSelectorsInput{
		"both": {TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{}}, AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{
			FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}},
		"bad type":       {TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::Nope"), Values: []string{"x"}}}}}},
		"wildcard":       {TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::*"}}}}}},
		"no events":      {TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false)}}},
		"bad value":      {TrailName: aws.String("management"), EventSelectors: []cttypes.EventSelector{{DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"bucket"}}}}}},
		"no category":    {TrailName: aws.String("management"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventName"), Equals: []string{"x"}}}}}},
		"bad field":      {TrailName: aws.String("management"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}, {Field: aws.String("nope"), Equals: []string{"x"}}}}}},
		"too many":       {TrailName: aws.String("management"), EventSelectors: make([]cttypes.EventSelector, 6)},
		"data sans type": {TrailName: aws.String("management"), AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Data"}}}}}},
	} {
		_, err := ct.PutEventSelectors(ctx, in)
		want := "InvalidEventSelectorsException"
		if name == "both" {
			want = "InvalidParameterCombinationException"
		}
		t.Run(name, func(t *testing.T) { wantCode(t, err, want) })
	}
	must(ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), IsMultiRegionTrail: aws.Bool(true)}))(t)
	_, err := e.cloudtrail(account, rootSecret, "us-west-2").PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{
		TrailName: aws.String("arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"), EventSelectors: []cttypes.EventSelector{{}}})
	wantCode(t, err, "InvalidHomeRegionException")
}

// The journal holds no secret: plaintexts, secret access keys and session tokens stay out of its
// events (and, encrypted, out of its files).
func TestJournalHoldsNoSecrets(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	k := e.rootKMS()
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata
	plaintext := "journal-secret-plaintext"
	ct := must(k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte(plaintext)}))(t).CiphertextBlob
	dk := must(k.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: key.KeyId, KeySpec: "AES_256"}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	ak := must(e.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	var journal []byte
	err := e.app.Journal.Scan(0, e.app.Journal.Next(), func(ev *events.Event) error {
		journal = ev.AppendBinary(journal)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.stop()
	err = filepath.WalkDir(filepath.Join(dir, "cloudtrail"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			journal = append(journal, b...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(journal, []byte("CreateAccessKey")) {
		t.Fatal("the journal does not hold the calls")
	}
	for _, s := range [][]byte{[]byte(plaintext), []byte(aws.ToString(ak.SecretAccessKey)), dk.Plaintext, ct} {
		if bytes.Contains(journal, s) {
			t.Fatalf("a secret is in the journal")
		}
	}
}
