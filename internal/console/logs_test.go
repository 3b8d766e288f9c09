package console_test

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const trailARN = "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"

// trailBucketPolicy lets CloudTrail write the trail's files into trail-logs.
const trailBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs","Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + trailARN + `"}}}]}`

// trailKeyPolicy lets CloudTrail encrypt the trail's log files; only IAM policies let anyone
// decrypt them (no statement for the account's principals).
const trailKeyPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`

// logReader may browse the bucket and read its objects, and nothing of KMS.
const logReader = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:ListBucket","s3:GetObject","cloudtrail:ListPublicKeys"],"Resource":"*"}]}`

// logDecrypter may also decrypt with the trail's key.
const logDecrypter = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:ListBucket","s3:GetObject","cloudtrail:ListPublicKeys","kms:Decrypt"],"Resource":"*"}]}`

func (e *env) s3() *s3.Client {
	return s3.NewFromConfig(e.awsConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// flush delivers the trails' files and ingests the event data stores' events now.
func (e *env) flush() {
	e.t.Helper()
	resp, err := http.Post(e.url+"/_keytrail/flush", "", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("flush: %s", resp.Status)
	}
}

// trail makes the bucket trail-logs, a key, and the logging trail "management" encrypting its
// log files with the key and writing digests; then delivers its first files. It returns the key's
// ARN and the keys of the log file and the digest file.
func (e *env) trail() (keyARN, logKey, digestKey string) {
	t := e.t
	t.Helper()
	ctx := context.Background()
	s3c := e.s3()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(trailBucketPolicy)}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(e.awsConfig()).CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(trailKeyPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(e.awsConfig())
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"),
		KmsKeyId: key.KeyMetadata.Arn, EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}); err != nil {
		t.Fatal(err)
	}
	// The first delivery writes the log file and the starting digest; the next digest lists
	// the log file. The clock moves on between them, as digests cover what came after.
	e.clock.Advance(time.Second)
	e.flush()
	e.clock.Advance(time.Minute)
	e.flush()
	out, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("AWSLogs/")})
	if err != nil {
		t.Fatal(err)
	}
	var digests []string
	for _, o := range out.Contents {
		switch k := aws.ToString(o.Key); {
		case strings.Contains(k, "/CloudTrail-Digest/"):
			digests = append(digests, k)
		case strings.Contains(k, "/CloudTrail/") && logKey == "":
			logKey = k
		}
	}
	for _, k := range digests {
		obj, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(obj.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		obj.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if logKey != "" && strings.Contains(string(body), logKey) {
			digestKey = k
		}
	}
	if logKey == "" || digestKey == "" {
		t.Fatalf("the trail delivered %d files, not a log file and a digest", len(out.Contents))
	}
	return aws.ToString(key.KeyMetadata.Arn), logKey, digestKey
}

func objectPath(bucket, key string) string {
	return "/console/s3/buckets/" + bucket + "/object?key=" + url.QueryEscape(key)
}

// TestLogBrowser: the buckets, the AWSLogs/ tree a folder at a time, a log file decrypted and
// shown as indented JSON for an identity with kms:Decrypt, AWS's AccessDenied with its request
// ID for one without, a digest shown valid with its log files, and the errors of bad requests.
func TestLogBrowser(t *testing.T) {
	e := start(t, nil)
	keyARN, logKey, digestKey := e.trail()
	e.user("reader", logReader)
	e.user("decrypter", logDecrypter)
	e.user("nobody", "")

	b := e.browser()
	b.signIn("iam", account, "decrypter", password)
	_, _, list := b.get("/console/s3/buckets")
	contains(t, "buckets", list, `href="/console/s3/buckets/trail-logs"`, "aws s3api list-buckets --region us-east-1")
	_, _, root := b.get("/console/s3/buckets/trail-logs")
	contains(t, "the bucket's root", root, `href="/console/s3/buckets/trail-logs?prefix=AWSLogs%2f"`, "AWSLogs/")
	folder := logKey[:strings.LastIndexByte(logKey, '/')+1]
	_, _, day := b.get("/console/s3/buckets/trail-logs?prefix=" + url.QueryEscape(folder))
	contains(t, "a day's folder", day, html.EscapeString(logKey[len(folder):]), `id="crumbs"`, "--delimiter /")
	_, _, file := b.get(objectPath("trail-logs", logKey))
	contains(t, "a log file", file, `id="object-body"`, "&#34;Records&#34;: [", "&#34;eventName&#34;: &#34;StartLogging&#34;",
		"aws:kms", keyARN)

	r := e.browser()
	r.signIn("iam", account, "reader", password)
	_, _, refused := r.get(objectPath("trail-logs", logKey))
	contains(t, "a log file without kms:Decrypt", refused, `id="error"`, "AccessDenied", `<p class="request-id">Request ID: <code>`,
		"Why keytrail denied it", "kms:Decrypt", "arn:aws:iam::111122223333:user/reader")
	if strings.Contains(refused, `id="object-body"`) {
		t.Error("a reader without kms:Decrypt sees the log file")
	}
	// The digest is SSE-S3: she reads it, but its log file she cannot decrypt.
	_, _, digest := r.get(objectPath("trail-logs", digestKey))
	contains(t, "a digest for a reader without kms:Decrypt", digest, `id="validation"`, "could not be validated", "AccessDenied", "&#34;digestS3Object&#34;",
		"Why keytrail denied it")

	_, _, digest = b.get(objectPath("trail-logs", digestKey))
	contains(t, "a digest", digest, `<p id="digest-status" class="valid">Digest file: valid</p>`, `id="digest-logs"`,
		html.EscapeString(logKey)+"</a></td><td class=\"valid\">valid</td>")

	// Bad requests: AWS's errors, nothing else.
	for _, c := range []struct{ path, want string }{
		{"/console/s3/buckets/no-such-bucket", "NoSuchBucket"},
		{objectPath("trail-logs", "AWSLogs/none.json.gz"), "NoSuchKey"},
		{"/console/s3/buckets/trail-logs/object", "the key parameter is empty"},
		{objectPath("trail-logs", `"><script>x</script>`), "NoSuchKey"},
	} {
		status, _, body := b.get(c.path)
		contains(t, c.path, body, c.want)
		if status != http.StatusOK || strings.Contains(body, "<script>x") {
			t.Errorf("%s: %d, escaped: %v", c.path, status, !strings.Contains(body, "<script>x"))
		}
	}
	n := e.browser()
	n.signIn("iam", account, "nobody", password)
	_, _, denied := n.get("/console/s3/buckets")
	contains(t, "nobody's buckets", denied, "AccessDenied", "s3:ListAllMyBuckets", "Why keytrail denied it", "No policy applies to the caller.")
}

// TestEventHistory: LookupEvents with an attribute and a time range, each event's record; bad
// input as a form error or the API's error.
func TestEventHistory(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	kc := kms.NewFromConfig(e.awsConfig())
	for range 3 {
		if _, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("history")}); err != nil {
			t.Fatal(err)
		}
	}
	e.user("nobody", "")
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, all := b.get("/console/cloudtrail/events")
	contains(t, "the history", all, `id="events"`, "<summary>CreateKey</summary>", "kms.amazonaws.com", "aws cloudtrail lookup-events --max-results 50")
	_, _, some := b.get("/console/cloudtrail/events?key=EventName&value=CreateUser")
	contains(t, "CreateUser events", some, "<summary>CreateUser</summary>", "&#34;userName&#34;: &#34;nobody&#34;",
		"--lookup-attributes AttributeKey=EventName,AttributeValue=CreateUser")
	if strings.Contains(some, "<summary>CreateKey</summary>") {
		t.Error("the EventName filter lets other events through")
	}
	if n := strings.Count(some, `<tr class="event">`); n != 1 {
		t.Errorf("%d CreateUser events", n)
	}
	past := e.clock.Now().Add(-48 * 3600e9).UTC()
	_, _, none := b.get("/console/cloudtrail/events?end=" + past.Format("2006-01-02T15:04"))
	contains(t, "events before two days ago", none, "No events match.", "--end-time "+past.Format("2006-01-02T15:04")+":00Z")
	_, _, bad := b.get("/console/cloudtrail/events?start=yesterday")
	contains(t, "a bad start time", bad, `id="form-error"`, "Start time must be a date and time")
	_, _, badKey := b.get("/console/cloudtrail/events?key=Nonsense&value=x")
	contains(t, "a bad attribute key", badKey, `id="error"`, "Nonsense")
	n := e.browser()
	n.signIn("iam", account, "nobody", password)
	_, _, denied := n.get("/console/cloudtrail/events")
	contains(t, "nobody's history", denied, "AccessDeniedException", "cloudtrail:LookupEvents", "Why keytrail denied it", "No policy applies to the caller.")
}

// TestLakeStores: the stores list; the create form's errors change nothing; a store created
// with a New key gets the console's event data store key policy and the alias; nobody is refused.
func TestLakeStores(t *testing.T) {
	e := start(t, nil)
	e.user("nobody", "")
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, form := b.get("/console/cloudtrail/lake/create")
	contains(t, "the create form", form, `name="retention" id="retention" value="366"`, `id="termination" checked`, "Use my own AWS KMS key")
	token := csrf(form)
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {""}, "retention": {"366"}}, "Enter a name"},
		{url.Values{"name": {"s"}, "retention": {"3"}}, "from 7 to 3653"},
		{url.Values{"name": {"s"}, "retention": {"x"}}, "from 7 to 3653"},
		{url.Values{"name": {"s"}, "retention": {"366"}, "usekms": {"on"}, "encryption": {"new"}, "alias": {"lake"}}, "Enter an alias for the new key"},
		{url.Values{"name": {"s"}, "retention": {"366"}, "usekms": {"on"}, "encryption": {"existing"}}, "Enter the existing key"},
		{url.Values{"name": {"audit"}, "retention": {"366"}, "usekms": {"on"}, "encryption": {"existing"}, "alias": {"alias/none"}}, "alias/none"},
		{url.Values{"name": {"s"}, "retention": {"366"}}, "InvalidParameterException"},
	} {
		c.form.Set("csrf", token)
		status, _, body := b.post("/console/cloudtrail/lake/create", c.form)
		if status != http.StatusOK {
			t.Errorf("%v: %d", c.form, status)
		}
		contains(t, "refused create", body, c.want)
	}
	status, _, _ := b.post("/console/cloudtrail/lake/create", url.Values{"name": {"s"}, "retention": {"366"}})
	if status != http.StatusForbidden {
		t.Errorf("a create without the form token: %d", status)
	}
	_, _, list := b.get("/console/cloudtrail/lake")
	contains(t, "the stores after refused creates", list, "No event data stores")

	status, loc, _ := b.post("/console/cloudtrail/lake/create", url.Values{"csrf": {token}, "name": {"audit"}, "retention": {"366"},
		"termination": {"on"}, "usekms": {"on"}, "encryption": {"new"}, "alias": {"alias/lake-key"}})
	if status != http.StatusSeeOther || loc != "/console/cloudtrail/lake" {
		t.Fatalf("create: %d %s", status, loc)
	}
	_, _, list = b.get("/console/cloudtrail/lake")
	contains(t, "the stores", list, "Event data store audit created", "<td>audit</td>", "<td>ENABLED</td>", "<td>366</td>", ":key/")

	ctx := context.Background()
	kc := kms.NewFromConfig(e.awsConfig())
	key, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/lake-key")})
	if err != nil {
		t.Fatal(err)
	}
	pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: key.KeyMetadata.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Principal map[string]string
			Action    any
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 3 ||
		!regexp.MustCompile(`^The key created by CloudTrail to encrypt event data stores\. Created \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$`).MatchString(doc.Statement[0].Sid) ||
		doc.Statement[0].Principal["Service"] != "cloudtrail.amazonaws.com" ||
		doc.Statement[1].Sid != "Enable IAM user permissions" || doc.Statement[1].Principal["AWS"] != "arn:aws:iam::"+account+":root" ||
		doc.Statement[2].Sid != "Enable user to have permissions" || doc.Statement[2].Principal["AWS"] != "arn:aws:iam::"+account+":root" {
		t.Errorf("the new key's policy: %s", aws.ToString(pol.Policy))
	}

	n := e.browser()
	n.signIn("iam", account, "nobody", password)
	_, _, denied := n.get("/console/cloudtrail/lake")
	contains(t, "nobody's stores", denied, "AccessDeniedException", "cloudtrail:ListEventDataStores", "Why keytrail denied it", "No policy applies to the caller.")
	_, _, editor := n.get("/console/cloudtrail/lake/query")
	contains(t, "nobody's editor", editor, "AccessDeniedException", `id="sql"`, "&lt;event data store ID&gt;")
}
