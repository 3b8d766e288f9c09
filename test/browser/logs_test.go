//go:build e2e

package browser

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

const logsTrailARN = "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"

// logsBucketPolicy lets CloudTrail write the trail's files into trail-logs.
const logsBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::trail-logs","Condition":{"StringEquals":{"aws:SourceArn":"` + logsTrailARN + `"}}},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},
  "Action":"s3:PutObject","Resource":"arn:aws:s3:::trail-logs/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + logsTrailARN + `"}}}]}`

// logsKeyPolicy lets CloudTrail encrypt the log files; only IAM policies let the account's
// users decrypt them.
const logsKeyPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + logsTrailARN + `"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`

// readLogs may browse buckets and read objects, and nothing of KMS; decryptLogs may also decrypt.
const (
	readLogs    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:ListBucket","s3:GetObject","cloudtrail:ListPublicKeys"],"Resource":"*"}]}`
	decryptLogs = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:ListBucket","s3:GetObject","cloudtrail:ListPublicKeys","kms:Decrypt"],"Resource":"*"}]}`
)

func (s *server) s3() *s3.Client {
	return s3.NewFromConfig(s.root(), func(o *s3.Options) { o.UsePathStyle = true })
}

// deliverNow asks keytrail to deliver the trails' files and ingest the Lake's events now.
func (s *server) deliverNow(t *testing.T) {
	t.Helper()
	resp, err := http.Post(s.url+"/_keytrail/flush", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("flush: %s", resp.Status)
	}
}

// encryptedTrail makes the logging trail "management" writing SSE-KMS log files and digests into
// trail-logs, delivers its files, and returns a log file's key and the key of the digest that
// lists it.
func (s *server) encryptedTrail(t *testing.T) (logKey, digestKey string) {
	t.Helper()
	ctx := context.Background()
	s3c := s.s3()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("trail-logs"), Policy: aws.String(logsBucketPolicy)}); err != nil {
		t.Fatal(err)
	}
	key, err := kms.NewFromConfig(s.root()).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("trail log files"), Policy: aws.String(logsKeyPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(s.root())
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs"),
		KmsKeyId: key.KeyMetadata.Arn, EnableLogFileValidation: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")}); err != nil {
		t.Fatal(err)
	}
	for range 3 { // a digest lists the log files delivered after its start
		s.deliverNow(t)
		if logKey, digestKey = s.digestOfLog(t); digestKey != "" {
			return logKey, digestKey
		}
	}
	t.Fatal("no digest lists a log file")
	return "", ""
}

// digestOfLog returns the trail's first log file and the digest listing it ("" when none does).
func (s *server) digestOfLog(t *testing.T) (logKey, digestKey string) {
	t.Helper()
	ctx := context.Background()
	s3c := s.s3()
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
			return logKey, k
		}
	}
	return logKey, ""
}

func (s *server) objectURL(key string) string {
	return s.url + "/console/s3/buckets/trail-logs/object?key=" + url.QueryEscape(key)
}

// exists reports whether sel selects an element of the page.
func exists(ctx context.Context, t *testing.T, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+jsString(sel)+`) !== null`))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestLogsFileShown: a user allowed to decrypt opens S3 from the top bar, walks the bucket's
// AWSLogs/ tree a folder at a time and opens a log file, decrypted and shown as JSON.
func TestLogsFileShown(t *testing.T) {
	s := startServer(t)
	logKey, _ := s.encryptedTrail(t)
	s.user(t, "dana", decryptLogs)
	ctx := browser(t)
	signIn(ctx, t, s, "dana", password)
	do(ctx, t, chromedp.Click(chromedp.CSS("#nav-s3")), chromedp.WaitVisible(chromedp.CSS("#buckets")))
	wants(t, "buckets", text(ctx, t, "#buckets"), "trail-logs")
	do(ctx, t, chromedp.Click(chromedp.CSS(`#buckets a[href="/console/s3/buckets/trail-logs"]`)), chromedp.WaitVisible(chromedp.CSS("#objects")))
	// Each folder's page has its own crumb: wait for it after following the folder's link. The
	// log files are under CloudTrail/, beside the digests' CloudTrail-Digest/.
	const folder = `#objects tr.folder:not(:has(a[href*="Digest"])) a`
	for depth := 0; !exists(ctx, t, "#objects tr.file"); depth++ {
		if depth > 8 {
			t.Fatal("no log file under AWSLogs/")
		}
		href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(folder), "href"))
		if err != nil {
			t.Fatal(err)
		}
		do(ctx, t, chromedp.Click(chromedp.CSS(folder)),
			chromedp.WaitVisible(chromedp.CSS(`#crumbs a[href="`+href.Value+`"]`)))
		if depth == 0 {
			screenshot(ctx, t, "logs-tree", false)
		}
	}
	wants(t, "a day's log files", text(ctx, t, "#objects"), logKey[strings.LastIndexByte(logKey, '/')+1:])
	screenshot(ctx, t, "logs-folder", false)
	do(ctx, t, chromedp.Click(chromedp.CSS("#objects tr.file a")), chromedp.WaitVisible(chromedp.CSS("#object-body")))
	wants(t, "the log file", text(ctx, t, "#object-body"), `"Records": [`, `"eventName": "StartLogging"`, `"eventSource": "cloudtrail.amazonaws.com"`)
	wants(t, "its encryption", text(ctx, t, "#object-sse"), "aws:kms", ":key/")
	screenshot(ctx, t, "logs-file", true)
}

// TestLogsDecryptRefused: a reader without kms:Decrypt opening an SSE-KMS log file sees AWS's
// AccessDenied and the refused call's request ID, and no file.
func TestLogsDecryptRefused(t *testing.T) {
	s := startServer(t)
	logKey, _ := s.encryptedTrail(t)
	s.user(t, "erin", readLogs)
	ctx := browser(t)
	signIn(ctx, t, s, "erin", password)
	do(ctx, t, chromedp.Navigate(s.objectURL(logKey)), chromedp.WaitVisible(chromedp.CSS("#error")))
	wants(t, "the refused log file", text(ctx, t, "#error"), "AccessDenied", "Request ID:")
	if exists(ctx, t, "#object-body") {
		t.Error("a reader without kms:Decrypt sees the log file")
	}
	screenshot(ctx, t, "logs-decrypt-denied", true)
}

// TestLogsDigestValid: a digest file is shown with its validation status: its signature valid
// and the log file it lists valid.
func TestLogsDigestValid(t *testing.T) {
	s := startServer(t)
	logKey, digestKey := s.encryptedTrail(t)
	s.user(t, "dana", decryptLogs)
	ctx := browser(t)
	signIn(ctx, t, s, "dana", password)
	do(ctx, t, chromedp.Navigate(s.objectURL(digestKey)), chromedp.WaitVisible(chromedp.CSS("#digest-status")))
	wants(t, "the digest's status", text(ctx, t, "#digest-status"), "Digest file: valid")
	wants(t, "its log files", text(ctx, t, "#digest-logs"), logKey, "valid")
	wants(t, "the digest", text(ctx, t, "#object-body"), `"digestS3Object": "`+digestKey+`"`)
	screenshot(ctx, t, "logs-digest", true)
}
