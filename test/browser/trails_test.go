//go:build e2e

package browser

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// admin may do anything: the console user who creates trails and keys.
const admin = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// trail creates, as the root, a bucket with CloudTrail's bucket policy and an unencrypted trail
// delivering to it, and a key whose policy lets CloudTrail encrypt that trail's logs, under
// alias; it returns the key's ARN.
func (s *server) trail(t *testing.T, name, alias string) string {
	t.Helper()
	ctx := context.Background()
	bucket := "logs-" + name
	trailARN := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/" + name
	s3c := s3.NewFromConfig(s.root(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	bp := `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `"},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"` + trailARN + `"}}}]}`
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(bp)}); err != nil {
		t.Fatal(err)
	}
	kp := `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:` + account + `:trail/*"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`
	kc := kms.NewFromConfig(s.root())
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(kp), Description: aws.String("CloudTrail log files")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	ct := cloudtrail.NewFromConfig(s.root())
	if _, err := ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket), IsMultiRegionTrail: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(k.KeyMetadata.Arn)
}

// editToExistingKey follows the seed page's steps from the trails list: the trail → General
// details → Edit → Log file SSE-KMS encryption → Existing → AWS KMS alias → Update trail.
func editToExistingKey(ctx context.Context, t *testing.T, s *server, trail, alias, shot string) {
	t.Helper()
	do(ctx, t,
		chromedp.Navigate(s.url+"/console/"),
		chromedp.Click(chromedp.CSS("#link-trails")),
		chromedp.WaitVisible(chromedp.CSS("#trails")),
		chromedp.Click(chromedp.CSS(`#trails a[href$="/`+trail+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#general-details")),
		chromedp.Click(chromedp.CSS("#edit-general")),
		chromedp.WaitVisible(chromedp.CSS("#trail-form")),
		chromedp.Click(chromedp.CSS("#sse-kms")),
		chromedp.Click(chromedp.CSS("#key-existing")),
		chromedp.SendKeys(chromedp.CSS("#kms-alias"), alias),
	)
	if shot != "" {
		screenshot(ctx, t, shot, true)
	}
	do(ctx, t, chromedp.Click(chromedp.CSS("#update-trail")), chromedp.WaitVisible(chromedp.CSS("#flash, #error")))
}

// TestTrailEditExistingAlias: the seed's Edit-trail flow with an existing key named by its alias.
func TestTrailEditExistingAlias(t *testing.T) {
	s := startServer(t)
	keyARN := s.trail(t, "management", "alias/trail-logs")
	s.user(t, "admin", admin)
	ctx := browser(t)
	signIn(ctx, t, s, "admin", password)
	do(ctx, t, chromedp.Navigate(s.url+"/console/cloudtrail/trails"), chromedp.WaitVisible(chromedp.CSS("#trails")))
	wants(t, "trails list", text(ctx, t, "#trails"), "management", "Logging", "Disabled")
	screenshot(ctx, t, "trails", true)
	editToExistingKey(ctx, t, s, "management", "alias/trail-logs", "trail-edit")
	wants(t, "notice", text(ctx, t, "#flash"), "Trail management updated.")
	wants(t, "trail key", text(ctx, t, "#trail-key"), keyARN)
	wants(t, "SSE-KMS", text(ctx, t, "#trail-sse"), "Enabled")
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "aws cloudtrail update-trail --name management --s3-bucket-name logs-management", "--kms-key-id alias/trail-logs")
	screenshot(ctx, t, "trail", true)
}

// TestTrailDisabledKeyRefused: a disabled key cannot be saved on the trail; the form shows
// CloudTrail's error and the trail keeps no key.
func TestTrailDisabledKeyRefused(t *testing.T) {
	s := startServer(t)
	keyARN := s.trail(t, "management", "alias/trail-logs")
	if _, err := kms.NewFromConfig(s.root()).DisableKey(context.Background(), &kms.DisableKeyInput{KeyId: aws.String(keyARN)}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	editToExistingKey(ctx, t, s, "management", "alias/trail-logs", "")
	wants(t, "refused save", text(ctx, t, "#error"), "KmsException", "disabled")
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#kms-alias"))); err != nil || v != "alias/trail-logs" {
		t.Errorf("the form keeps the alias: %q (%v)", v, err)
	}
	screenshot(ctx, t, "trail-edit-disabled-key", false)
	out, err := cloudtrail.NewFromConfig(s.root()).GetTrail(context.Background(), &cloudtrail.GetTrailInput{Name: aws.String("management")})
	if err != nil || aws.ToString(out.Trail.KmsKeyId) != "" {
		t.Errorf("the refused edit changed the trail: %v %v", out, err)
	}
}

// consoleKeyPolicy is the key policy the CloudTrail console writes for a New key
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html),
// for user admin and trail console-trail.
const consoleKeyPolicy = `{
  "Version": "2012-10-17",
  "Id": "Key policy created by CloudTrail",
  "Statement": [
    {"Sid": "Enable IAM user permissions", "Effect": "Allow",
     "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/admin"]},
     "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow CloudTrail to encrypt logs", "Effect": "Allow",
     "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "kms:GenerateDataKey*", "Resource": "*",
     "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/console-trail"},
                   "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}},
    {"Sid": "Allow CloudTrail to describe key", "Effect": "Allow",
     "Principal": {"Service": "cloudtrail.amazonaws.com"},
     "Action": "kms:DescribeKey", "Resource": "*"},
    {"Sid": "Allow principals in the account to decrypt log files", "Effect": "Allow",
     "Principal": {"AWS": "*"},
     "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"},
                   "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}},
    {"Sid": "Enable cross account log decryption", "Effect": "Allow",
     "Principal": {"AWS": "*"},
     "Action": ["kms:Decrypt", "kms:ReEncryptFrom"], "Resource": "*",
     "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"},
                   "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111122223333:trail/*"}}}
  ]
}`

// TestTrailNewKey: Create trail in its three steps with the defaults (new bucket, SSE-KMS with
// a New key, log file validation); the key's policy is the console's, compared as JSON.
func TestTrailNewKey(t *testing.T) {
	s := startServer(t)
	s.user(t, "admin", admin)
	ctx := browser(t)
	signIn(ctx, t, s, "admin", password)
	do(ctx, t,
		chromedp.Navigate(s.url+"/console/cloudtrail/trails"),
		chromedp.Click(chromedp.CSS("#link-create-trail")),
		chromedp.WaitVisible(chromedp.CSS("#trail-form")),
		chromedp.SendKeys(chromedp.CSS("#trail-name"), "console-trail"),
		chromedp.SendKeys(chromedp.CSS("#kms-alias"), "alias/console-trail"),
	)
	screenshot(ctx, t, "trail-create-1", true)
	do(ctx, t, chromedp.Click(chromedp.CSS("#next")), chromedp.WaitVisible(chromedp.CSS("#management")))
	screenshot(ctx, t, "trail-create-2", false)
	do(ctx, t, chromedp.Click(chromedp.CSS("#next")), chromedp.WaitVisible(chromedp.CSS("#review")))
	wants(t, "review", text(ctx, t, "#review"), "console-trail", "New key alias/console-trail", "Log file validation")
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "aws kms create-key", "Key policy created by CloudTrail", "aws s3api put-bucket-policy", "aws cloudtrail create-trail --name console-trail")
	screenshot(ctx, t, "trail-create-3", true)
	do(ctx, t, chromedp.Click(chromedp.CSS("#create-trail")), chromedp.WaitVisible(chromedp.CSS("#flash, #error")))
	wants(t, "notice", text(ctx, t, "#flash"), "Trail console-trail created and logging.")
	wants(t, "logging", text(ctx, t, "#logging"), "Logging")
	wants(t, "validation", text(ctx, t, "#trail-validation"), "Enabled")

	ctxb := context.Background()
	kc := kms.NewFromConfig(s.root())
	d, err := kc.DescribeKey(ctxb, &kms.DescribeKeyInput{KeyId: aws.String("alias/console-trail")})
	if err != nil {
		t.Fatal(err)
	}
	wants(t, "trail key", text(ctx, t, "#trail-key"), aws.ToString(d.KeyMetadata.Arn))
	pol, err := kc.GetKeyPolicy(ctxb, &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(consoleKeyPolicy), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the New key's policy:\n%s\nwant the console's:\n%s", aws.ToString(pol.Policy), consoleKeyPolicy)
	}
	do(ctx, t, chromedp.Navigate(s.url+"/console/kms/keys/"+aws.ToString(d.KeyMetadata.KeyId)), chromedp.WaitVisible(chromedp.CSS("#key-policy")))
	wants(t, "key page", text(ctx, t, "#key-policy"), `"Sid": "Enable cross account log decryption"`)
	screenshot(ctx, t, "trail-key", false)
}

// TestDenialExplanation: a user whose policy lets her list trails but denies GetTrailStatus sees
// AWS's error and keytrail's explanation: the statement that decided and the failed condition
// with the request's value.
func TestDenialExplanation(t *testing.T) {
	s := startServer(t)
	s.trail(t, "management", "alias/trail-logs")
	s.user(t, "reader", `{"Version":"2012-10-17","Statement":[{"Sid":"ReadTrails","Effect":"Allow","Action":["cloudtrail:DescribeTrails","cloudtrail:GetTrail","cloudtrail:GetEventSelectors"],"Resource":"*"},
 {"Sid":"OnlyInIreland","Effect":"Deny","Action":"cloudtrail:GetTrailStatus","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
 {"Sid":"StatusInIreland","Effect":"Allow","Action":"cloudtrail:GetTrailStatus","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`)
	ctx := browser(t)
	signIn(ctx, t, s, "reader", password)
	do(ctx, t, chromedp.Navigate(s.url+"/console/cloudtrail/trails/management"), chromedp.WaitVisible(chromedp.CSS("#trail-status .explanation")))
	got := text(ctx, t, "#trail-status")
	wants(t, "explanation", got, "AccessDeniedException", "Why keytrail denied it", "cloudtrail:GetTrailStatus", "Implicit deny",
		"StatusInIreland", "aws:RequestedRegion", "us-east-1", "not met", "Fix: add to")
	if strings.Contains(got, "Explicit deny") {
		t.Errorf("the Deny's condition does not match: %s", got)
	}
	do(ctx, t, chromedp.ScrollIntoView(chromedp.CSS("#trail-status .explanation")))
	screenshot(ctx, t, "denial-explained", true)
}

// TestKeyPolicyEditor: the editor refuses an invalid policy with the parser's line and column
// and saves nothing; the key page's actions disable the key.
func TestKeyPolicyEditor(t *testing.T) {
	s := startServer(t)
	id := s.key(t, "CloudTrail log files", "alias/trail-logs")
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	do(ctx, t,
		chromedp.Navigate(s.url+"/console/kms/keys/"+id),
		chromedp.Click(chromedp.CSS("#edit-policy")),
		chromedp.WaitVisible(chromedp.CSS("#policy-form")),
		chromedp.SetValue(chromedp.CSS("#policy"), "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"kms:*\"}\n  ]\n}"),
		chromedp.Click(chromedp.CSS("#save-policy")),
		chromedp.WaitVisible(chromedp.CSS("#form-error")),
	)
	wants(t, "invalid policy", text(ctx, t, "#form-error"), "MalformedPolicyDocumentException", "line 4, column")
	screenshot(ctx, t, "key-policy-invalid", true)
	do(ctx, t,
		chromedp.Navigate(s.url+"/console/kms/keys/"+id),
		chromedp.Click(chromedp.CSS("#disable-key")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)
	wants(t, "disabled", text(ctx, t, "#key-state"), "Disabled")
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "aws kms disable-key --key-id "+id)
	screenshot(ctx, t, "key-actions", true)
}

// TestTrailExistingBucketDataEvents: Create trail's three steps with an existing bucket (its
// policy written for this trail), SSE-KMS and validation turned off, write-only management
// events without KMS's and read-only S3 data events: the trail has those advanced event
// selectors and nothing new was made for it.
func TestTrailExistingBucketDataEvents(t *testing.T) {
	s := startServer(t)
	s3c := s3.NewFromConfig(s.root(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("shared-logs")}); err != nil {
		t.Fatal(err)
	}
	bp := `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::shared-logs"},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared-logs/AWSLogs/` + account + `/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"arn:aws:cloudtrail:us-east-1:` + account + `:trail/second"}}}]}`
	if _, err := s3c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{Bucket: aws.String("shared-logs"), Policy: aws.String(bp)}); err != nil {
		t.Fatal(err)
	}
	s.user(t, "admin", admin)
	ctx := browser(t)
	signIn(ctx, t, s, "admin", password)
	do(ctx, t,
		chromedp.Navigate(s.url+"/console/cloudtrail/create"),
		chromedp.WaitVisible(chromedp.CSS("#trail-form")),
		chromedp.SendKeys(chromedp.CSS("#trail-name"), "second"),
		chromedp.Click(chromedp.CSS("#bucket-existing")),
		chromedp.SetValue(chromedp.CSS("#bucket"), "shared-logs"),
		chromedp.Click(chromedp.CSS("#sse-kms")),
		chromedp.Click(chromedp.CSS("#validation")),
		chromedp.Click(chromedp.CSS("#next")),
		chromedp.WaitVisible(chromedp.CSS("#management")),
		chromedp.Click(chromedp.CSS(`input[name=mgmtRW][value=write]`)),
		chromedp.Click(chromedp.CSS("#exclude-kms")),
		chromedp.Click(chromedp.CSS("#data")),
		chromedp.Click(chromedp.CSS(`input[name=dataRW][value=read]`)),
	)
	screenshot(ctx, t, "trail-create-2-data", false)
	do(ctx, t, chromedp.Click(chromedp.CSS("#next")), chromedp.WaitVisible(chromedp.CSS("#review")))
	wants(t, "review", text(ctx, t, "#review"), "second", "shared-logs")
	cli := text(ctx, t, ".cli")
	wants(t, "CLI equivalent", cli, "aws cloudtrail create-trail --name second --s3-bucket-name shared-logs", "aws cloudtrail put-event-selectors --trail-name second")
	if strings.Contains(cli, "create-bucket") || strings.Contains(cli, "create-key") {
		t.Errorf("an existing bucket and no SSE-KMS: the CLI equivalent makes a bucket or key:\n%s", cli)
	}
	submit(ctx, t, "#create-trail")
	wants(t, "notice", text(ctx, t, "#flash, #error"), "Trail second created and logging.")
	wants(t, "SSE-KMS", text(ctx, t, "#trail-sse"), "Disabled")
	wants(t, "validation", text(ctx, t, "#trail-validation"), "Disabled")
	wants(t, "selectors", text(ctx, t, "#selectors"), "AWS::S3::Object", "kms.amazonaws.com")

	out, err := cloudtrail.NewFromConfig(s.root()).GetEventSelectors(context.Background(), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sel := range out.AdvancedEventSelectors {
		for _, f := range sel.FieldSelectors {
			got = append(got, aws.ToString(f.Field)+"="+strings.Join(f.Equals, ",")+"!="+strings.Join(f.NotEquals, ","))
		}
	}
	want := "eventCategory=Management!= readOnly=false!= eventSource=!=kms.amazonaws.com eventCategory=Data!= resources.type=AWS::S3::Object!= readOnly=true!="
	if strings.Join(got, " ") != want {
		t.Errorf("selectors: %s\nwant %s", strings.Join(got, " "), want)
	}
}
