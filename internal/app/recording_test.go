package app_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
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
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/request"
)

// lookup returns the CloudTrail records LookupEvents gives for an attribute, newest first.
func lookup(t *testing.T, c *cloudtrail.Client, key cttypes.LookupAttributeKey, value string) []record {
	t.Helper()
	out := must(c.LookupEvents(context.Background(), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}}))(t)
	var recs []record
	for _, ev := range out.Events {
		var r record
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

// Role sessions are AssumedRole with their issuer; a cross-account call is in both accounts'
// history with one sharedEventID; a denied cross-account call only in the caller's.
func TestRecordedIdentitiesAndAccounts(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	must(e.rootIAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(trustPolicy)}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")}))(t)
	must(e.rootIAM().PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(assumeAnyRole)}))(t)
	ak := must(e.rootIAM().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))(t).AccessKey
	cr := must(e.sts(aws.ToString(ak.AccessKeyId), aws.ToString(ak.SecretAccessKey), "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/auditor"), RoleSessionName: aws.String("audit-1")}))(t).Credentials
	session := e.sts(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	must(session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)

	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	recs := lookup(t, ct, cttypes.LookupAttributeKeyUsername, "audit-1")
	if len(recs) != 1 {
		t.Fatalf("the session's events: %d", len(recs))
	}
	id := recs[0]["userIdentity"].(record)
	issuer := id["sessionContext"].(record)["sessionIssuer"].(record)
	if id["type"] != "AssumedRole" || id["arn"] != "arn:aws:sts::"+account+":assumed-role/auditor/audit-1" || id["accessKeyId"] != aws.ToString(cr.AccessKeyId) ||
		issuer["type"] != "Role" || issuer["arn"] != "arn:aws:iam::"+account+":role/auditor" || !strings.HasPrefix(issuer["principalId"].(string), "AROA") {
		t.Fatalf("a session's userIdentity = %v", id)
	}
	ar := lookup(t, ct, cttypes.LookupAttributeKeyEventName, "AssumeRole")
	if len(ar) != 1 || ar[0]["responseElements"] == nil || strings.Contains(mustJSON(t, ar[0]), aws.ToString(cr.SessionToken)) ||
		strings.Contains(mustJSON(t, ar[0]), aws.ToString(cr.SecretAccessKey)) {
		t.Fatalf("AssumeRole's record = %v", ar)
	}

	// A key in account shared with other's root.
	policy := `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + other + `:root"},"Action":"kms:DescribeKey","Resource":"*"}]}`
	key := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(policy)}))(t).KeyMetadata
	otherKMS := e.kms(other, rootSecret, "")
	must(otherKMS.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.Arn}))(t)
	_, err := otherKMS.Encrypt(ctx, &kms.EncryptInput{KeyId: key.Arn, Plaintext: []byte("x")})
	wantCode(t, err, "AccessDeniedException")

	mine := lookup(t, ct, cttypes.LookupAttributeKeyResourceName, aws.ToString(key.Arn))
	theirs := lookup(t, e.cloudtrail(other, rootSecret, "us-east-1"), cttypes.LookupAttributeKeyResourceName, aws.ToString(key.Arn))
	describe := func(recs []record) record { return find(recs, "DescribeKey", nil) }
	if describe(mine) == nil || describe(theirs) == nil {
		t.Fatalf("the cross-account DescribeKey: owner %v, caller %v", describe(mine), describe(theirs))
	}
	if describe(mine)["sharedEventID"] == nil || describe(mine)["sharedEventID"] != describe(theirs)["sharedEventID"] ||
		describe(mine)["eventID"] == describe(theirs)["eventID"] || describe(mine)["recipientAccountId"] != account || describe(theirs)["recipientAccountId"] != other {
		t.Fatalf("the two copies: %v / %v", describe(mine), describe(theirs))
	}
	if find(mine, "Encrypt", nil) != nil || find(theirs, "Encrypt", nil) == nil {
		t.Fatal("a denied cross-account Encrypt must be in the caller's history only")
	}
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Calls over TLS carry tlsDetails.
func TestRecordedTLSDetails(t *testing.T) {
	a, err := app.Open(app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: rootSecret})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(a.Handler())
	defer func() { srv.Close(); a.Close() }()
	ct := cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds(account, rootSecret, ""),
		HTTPClient: srv.Client(), RetryMaxAttempts: 1})
	must(ct.ListTrails(context.Background(), &cloudtrail.ListTrailsInput{}))(t)
	recs := lookup(t, ct, cttypes.LookupAttributeKeyEventName, "ListTrails")
	tls, _ := recs[0]["tlsDetails"].(record)
	if len(recs) != 1 || tls == nil || !strings.HasPrefix(tls["tlsVersion"].(string), "TLSv1.") || tls["cipherSuite"] == "" ||
		tls["clientProvidedHostHeader"] != strings.TrimPrefix(srv.URL, "https://") {
		t.Fatalf("tlsDetails = %v", recs)
	}
}

// LookupEvents sees 90 days back, no further.
func TestLookupEventsNinetyDays(t *testing.T) {
	e := start(t, t.TempDir())
	rec := events.NewRecorder(e.app.Journal)
	for _, days := range []int{91, 89} {
		f := &request.Facts{ID: request.NewID(nil), Service: "kms", Region: "us-east-1", SourceIP: "127.0.0.1",
			Time: time.Now().Add(-time.Duration(days) * 24 * time.Hour)}
		out := &request.Outcome{Operation: "CreateAlias", Params: []byte(`{"AliasName":"alias/d` + string(rune('0'+days%10)) + `"}`)}
		if err := rec.Record(f, out, identity.AccountRoot(account)); err != nil {
			t.Fatal(err)
		}
	}
	recs := lookup(t, e.cloudtrail(account, rootSecret, "us-east-1"), cttypes.LookupAttributeKeyEventName, "CreateAlias")
	if len(recs) != 1 || recs[0]["requestParameters"].(record)["aliasName"] != "alias/d9" {
		t.Fatalf("LookupEvents over 90 days = %v", recs)
	}
}

// A multi-region trail delivers every region's events, each region in its own files; trails
// deliver every --delivery-interval without a flush. The interval passes on synctest's clock.
func TestMultiRegionTrailOnInterval(t *testing.T) {
	const interval = 100 * time.Millisecond
	synctest.Test(t, func(t *testing.T) {
		e := startInBubble(t, t.TempDir(), func(c *app.Config) { c.DeliveryInterval = interval })
		ctx := context.Background()
		s3c := e.trailBucket(t)
		ct := e.cloudtrail(account, rootSecret, "us-east-1")
		must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"), IsMultiRegionTrail: aws.Bool(true)}))(t)
		must(ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}))(t)
		for _, region := range []string{"us-west-2", "eu-west-1"} {
			must(e.kms(account, rootSecret, "").CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("in " + region)}, func(o *kms.Options) { o.Region = region }))(t)
		}
		synctest.Wait()
		if _, keys := logFiles(t, s3c, "trail-logs"); len(keys) != 0 {
			t.Fatalf("log files before the interval passed: %v", keys)
		}
		time.Sleep(interval) // the bubble's clock moves on and the delivery ticker fires
		synctest.Wait()      // the delivery it started has finished
		files, keys := logFiles(t, s3c, "trail-logs")
		regions := map[string]bool{}
		for _, k := range keys {
			regions[strings.Split(k, "/")[3]] = true
		}
		if !regions["us-west-2"] || !regions["eu-west-1"] {
			t.Fatalf("log files of a multi-region trail: %v", keys)
		}
		for k, recs := range files {
			for _, r := range recs {
				if r["awsRegion"] != strings.Split(k, "/")[3] {
					t.Fatalf("a %s record in %s", r["awsRegion"], k)
				}
			}
		}
	})
}

// Delivery fails with the bucket deleted or a key policy that no longer lets CloudTrail encrypt;
// the records wait for the repair.
func TestDeliveryFailuresWait(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	keyARN := setupTrail(t, e)
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	status := func() string {
		return aws.ToString(must(ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")}))(t).LatestDeliveryError)
	}
	// The key policy without the CloudTrail statements.
	rootOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
	must(e.rootKMS().PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"), Policy: aws.String(rootOnly)}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("under-bad-key-policy")}))(t)
	e.flush()
	if got := status(); got != "AccessDenied" {
		t.Fatalf("LatestDeliveryError with a key policy that denies = %q", got)
	}
	must(e.rootKMS().PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(keyARN), PolicyName: aws.String("default"),
		Policy: aws.String(trailKeyPolicy(account, "arn:aws:cloudtrail:us-east-1:"+account+":trail/management"))}))(t)
	// The bucket deleted.
	must(s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
	must(s3c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("trail-logs")}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("without-bucket")}))(t)
	e.flush()
	if got := status(); got != "NoSuchBucket" {
		t.Fatalf("LatestDeliveryError without the bucket = %q", got)
	}
	e.trailBucket(t)
	if sum := e.flush(); sum.LogFiles == 0 || len(sum.Errors) != 0 || status() != "" {
		t.Fatalf("after the repair: %+v, status %q", sum, status())
	}
	files, _ := logFiles(t, s3c, "trail-logs")
	recs := allRecords(t, files)
	for _, u := range []string{"under-bad-key-policy", "without-bucket"} {
		if find(recs, "CreateUser", func(r record) bool { return r["requestParameters"].(record)["userName"] == u }) == nil {
			t.Errorf("CreateUser %s waited and was lost", u)
		}
	}
}
