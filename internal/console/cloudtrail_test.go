package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// trailForm is the create wizard's fields with the console's defaults.
func trailForm(token, name string, change func(url.Values)) url.Values {
	v := url.Values{"csrf": {token}, "name": {name}, "bucketMode": {"new"}, "bucket": {"trail-logs-" + name}, "prefix": {""},
		"ssekms": {"on"}, "keyMode": {"new"}, "alias": {"alias/" + name}, "validation": {"on"},
		"management": {"on"}, "mgmtRW": {"all"}, "dataRW": {"all"}, "goto": {"create"}}
	if change != nil {
		change(v)
	}
	return v
}

// keyPolicy is a key policy decoded for comparison.
type keyPolicy struct {
	ID        string `json:"Id"`
	Statement []struct {
		Sid       string
		Principal map[string]any
		Action    any
		Resource  string
		Condition map[string]map[string]any
	}
}

// TestCreateTrailNewKey: the wizard's three steps refuse bad input with nothing created; its
// New key gets the CloudTrail console's five-statement key policy bound to the trail and the
// alias, the new bucket CloudTrail's bucket policy, and the trail logs with validation on.
func TestCreateTrailNewKey(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	status, _, page := b.get("/console/cloudtrail/create")
	token := csrf(page)
	contains(t, "step 1", page, "Step 1 · Choose trail attributes", `id="sse-kms" checked`, `id="key-new" checked`, `id="validation" checked`,
		`value="aws-cloudtrail-logs-111122223333-`)
	if status != http.StatusOK {
		t.Fatalf("create page: %d", status)
	}
	for _, tc := range []struct {
		name   string
		change func(url.Values)
		says   string
	}{
		{"a bad name", func(v url.Values) { v.Set("name", "a") }, "Trail name: 3 to 128"},
		{"adjacent separators", func(v url.Values) { v.Set("name", "my..trail") }, "no adjacent"},
		{"no bucket", func(v url.Values) { v.Set("bucket", "") }, "enter a bucket name"},
		{"no alias", func(v url.Values) { v.Set("alias", "") }, "AWS KMS alias: enter an alias"},
		{"a reserved alias", func(v url.Values) { v.Set("alias", "alias/aws/x") }, "reserved for AWS managed keys"},
		{"no events", func(v url.Values) { v.Del("management") }, "Event type: choose"},
		{"no step", func(v url.Values) { v.Del("goto") }, "Choose Next"},
	} {
		status, _, body := b.post("/console/cloudtrail/create", trailForm(token, "logs", tc.change))
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d; want 400", tc.name, status)
		}
		contains(t, tc.name, body, `id="form-error"`, tc.says)
	}
	ctx := context.Background()
	keys, _ := kms.NewFromConfig(e.awsConfig()).ListKeys(ctx, &kms.ListKeysInput{})
	if len(keys.Keys) != 0 {
		t.Fatalf("refused forms created %d keys", len(keys.Keys))
	}

	// Step 2, then 3: the review and the CLI equivalent with both policies.
	_, _, step2 := b.post("/console/cloudtrail/create", trailForm(token, "logs", func(v url.Values) { v.Set("goto", "2") }))
	contains(t, "step 2", step2, `id="management" checked`, `name="alias" value="alias/logs"`, `type="hidden" name="ssekms" value="on"`)
	_, _, step3 := b.post("/console/cloudtrail/create", trailForm(token, "logs", func(v url.Values) { v.Set("goto", "3") }))
	contains(t, "step 3", step3, `id="review"`, "aws cloudtrail create-trail --name logs --s3-bucket-name trail-logs-logs --is-multi-region-trail",
		"key-policy.json", "Allow CloudTrail to encrypt logs", "bucket-policy.json", "AWSCloudTrailWrite20150319", "--enable-log-file-validation")

	status, loc, _ := b.post("/console/cloudtrail/create", trailForm(token, "logs", nil))
	if status != http.StatusSeeOther || loc != "/console/cloudtrail/trails/logs" {
		t.Fatalf("create: %d → %q", status, loc)
	}
	_, _, details := b.get(loc)
	contains(t, "trail details", details, "Trail logs created and logging.", `id="logging" class="state-Enabled">Logging`,
		"aws kms create-alias --alias-name alias/logs", `<dd id="trail-validation">Enabled</dd>`)

	ct := cloudtrail.NewFromConfig(e.awsConfig())
	tr, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(tr.Trail.IsMultiRegionTrail) || !aws.ToBool(tr.Trail.LogFileValidationEnabled) || !strings.Contains(aws.ToString(tr.Trail.KmsKeyId), ":key/") {
		t.Errorf("the trail: %+v", tr.Trail)
	}
	kc := kms.NewFromConfig(e.awsConfig())
	d, err := kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/logs")})
	if err != nil || aws.ToString(d.KeyMetadata.Arn) != aws.ToString(tr.Trail.KmsKeyId) {
		t.Fatalf("alias/logs: %v %v", d, err)
	}
	pol, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: d.KeyMetadata.KeyId})
	if err != nil {
		t.Fatal(err)
	}
	var kp keyPolicy
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &kp); err != nil {
		t.Fatal(err)
	}
	sids := []string{"Enable IAM user permissions", "Allow CloudTrail to encrypt logs", "Allow CloudTrail to describe key",
		"Allow principals in the account to decrypt log files", "Enable cross account log decryption"}
	if kp.ID != "Key policy created by CloudTrail" || len(kp.Statement) != len(sids) {
		t.Fatalf("key policy: %s", aws.ToString(pol.Policy))
	}
	for i, s := range kp.Statement {
		if s.Sid != sids[i] || s.Resource != "*" {
			t.Errorf("statement %d: %+v", i, s)
		}
	}
	if got := kp.Statement[1].Condition["StringEquals"]["aws:SourceArn"]; got != "arn:aws:cloudtrail:us-east-1:111122223333:trail/logs" {
		t.Errorf("the encrypt statement's SourceArn: %v", got)
	}
	pp, err := s3.NewFromConfig(e.awsConfig(), func(o *s3.Options) { o.UsePathStyle = true }).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs-logs")})
	if err != nil || !strings.Contains(aws.ToString(pp.Policy), "arn:aws:s3:::trail-logs-logs/AWSLogs/111122223333/*") {
		t.Errorf("the bucket policy: %v %v", pp, err)
	}

	// The same key reused for another trail: its policy names the first trail only.
	status, _, body := b.post("/console/cloudtrail/create", trailForm(token, "other", func(v url.Values) {
		v.Set("keyMode", "existing")
		v.Set("alias", "alias/logs")
	}))
	if status != http.StatusOK {
		t.Errorf("a refused create: %d", status)
	}
	contains(t, "another trail with the key", body, "InsufficientEncryptionPolicyException", "Why keytrail denied it", "cloudtrail.amazonaws.com", "aws:SourceArn")

	// Stop, start, delete.
	for _, step := range []struct{ action, says, cli string }{
		{"stop-logging", "Logging stopped for trail logs.", "stop-logging"},
		{"start-logging", "Logging started for trail logs.", "start-logging"},
		{"delete", "Trail logs deleted.", "delete-trail"},
	} {
		status, loc, _ := b.post("/console/cloudtrail/trails/logs/"+step.action, url.Values{"csrf": {token}})
		if status != http.StatusSeeOther {
			t.Fatalf("%s: %d", step.action, status)
		}
		_, _, page := b.get(loc)
		contains(t, step.action, page, step.says, "aws cloudtrail "+step.cli+" --name logs")
		if step.action == "stop-logging" {
			contains(t, "a stopped trail", page, `<dd id="logging" class="state-Disabled">Off</dd>`, `id="start-logging"`)
		}
	}
	_, _, list := b.get("/console/cloudtrail/trails")
	contains(t, "trails list", list, "No trails in this account.")
	_, _, page = b.post("/console/cloudtrail/trails/logs/delete", url.Values{"csrf": {token}})
	contains(t, "deleting a deleted trail", page, "TrailNotFoundException")
	if status, _, _ := b.post("/console/cloudtrail/trails/logs/explode", url.Values{"csrf": {token}}); status != http.StatusNotFound {
		t.Errorf("an unknown trail action: %d", status)
	}
}

// existingTrail creates, as the root, a bucket with CloudTrail's policy and an unencrypted trail,
// and a key with the CloudTrail key policy for that trail under alias.
func existingTrail(t *testing.T, e *env, name, alias string) string {
	t.Helper()
	ctx := context.Background()
	cfg := e.awsConfig()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := "logs-" + name
	trailARN := "arn:aws:cloudtrail:us-east-1:111122223333:trail/" + name
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	bp := `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailAclCheck20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `"},
 {"Sid":"AWSCloudTrailWrite20150319","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::` + bucket + `/AWSLogs/111122223333/*",
  "Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(bp)}); err != nil {
		t.Fatal(err)
	}
	kp := `{"Version":"2012-10-17","Statement":[
 {"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey*","Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"` + trailARN + `"},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}},
 {"Sid":"Allow CloudTrail to describe key","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:DescribeKey","Resource":"*"}]}`
	kc := kms.NewFromConfig(cfg)
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(kp)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	if _, err := cloudtrail.NewFromConfig(cfg).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	return aws.ToString(k.KeyMetadata.Arn)
}

// TestEditTrail: General details → Edit → Log file SSE-KMS encryption → Existing → AWS KMS
// alias, in each of the four forms; a disabled key is refused with the trail unchanged; SSE-KMS
// turned off removes the key.
func TestEditTrail(t *testing.T) {
	e := start(t, nil)
	keyARN := existingTrail(t, e, "management", "alias/trail-key")
	keyID := keyARN[strings.LastIndex(keyARN, "/")+1:]
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, details := b.get("/console/cloudtrail/trails/management")
	contains(t, "details", details, `id="edit-general"`, `<dd id="trail-sse">Disabled</dd>`)
	_, _, form := b.get("/console/cloudtrail/trails/management/edit")
	token := csrf(form)
	contains(t, "edit form", form, `id="update-trail"`, `name="bucket" id="bucket" value="logs-management"`)
	edit := func(sse, mode, alias string) (int, string, string) {
		return b.post("/console/cloudtrail/trails/management/edit", url.Values{"csrf": {token}, "bucketMode": {"existing"}, "bucket": {"logs-management"},
			"ssekms": {sse}, "keyMode": {mode}, "alias": {alias}, "validation": {"on"}})
	}
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(e.awsConfig())
	trailKey := func() string {
		out, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String("management")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Trail.KmsKeyId)
	}
	for _, form := range []string{"alias/trail-key", "arn:aws:kms:us-east-1:111122223333:alias/trail-key", keyARN, keyID} {
		status, loc, _ := edit("on", "existing", form)
		if status != http.StatusSeeOther {
			t.Fatalf("edit with %s: %d", form, status)
		}
		_, _, page := b.get(loc)
		contains(t, "after the edit with "+form, page, "Trail management updated.", `<dd id="trail-key">`+keyARN+`</dd>`,
			"aws cloudtrail update-trail --name management --s3-bucket-name logs-management --s3-key-prefix &#39;&#39; --kms-key-id "+form)
		if got := trailKey(); got != keyARN {
			t.Errorf("with %s the trail's key is %q", form, got)
		}
		if _, err := ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), KmsKeyId: aws.String("")}); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := kms.NewFromConfig(e.awsConfig()).DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(keyID)}); err != nil {
		t.Fatal(err)
	}
	status, _, page := edit("on", "existing", "alias/trail-key")
	if status != http.StatusOK {
		t.Errorf("a disabled key: %d", status)
	}
	contains(t, "a disabled key", page, "KmsException", "is disabled", `id="update-trail"`)
	if got := trailKey(); got != "" {
		t.Errorf("a refused edit changed the trail's key to %q", got)
	}
	if status, _, page := edit("on", "existing", ""); status != http.StatusBadRequest {
		t.Errorf("no alias: %d", status)
	} else {
		contains(t, "no alias", page, "alias ARN, key ARN or key ID")
	}
	_, _, page = b.get("/console/cloudtrail/trails/nope/edit")
	contains(t, "edit of no trail", page, "TrailNotFoundException")
	_, _, page = b.post("/console/cloudtrail/trails/nope/edit", url.Values{"csrf": {token}, "bucket": {"x"}})
	contains(t, "update of no trail", page, "TrailNotFoundException")

	// New key from the Edit form: the policy names this trail.
	if status, _, _ := edit("on", "new", "edited"); status != http.StatusSeeOther {
		t.Fatalf("edit with a new key: %d", status)
	}
	d, err := kms.NewFromConfig(e.awsConfig()).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/edited")})
	if err != nil || aws.ToString(d.KeyMetadata.Arn) != trailKey() {
		t.Errorf("alias/edited: %v; trail key %s", err, trailKey())
	}
	if status, _, _ := edit("", "existing", ""); status != http.StatusSeeOther || trailKey() != "" {
		t.Errorf("SSE-KMS off: %d, key %q", status, trailKey())
	}
}

// TestDenialExplained: a user refused by her policies sees AWS's error and keytrail's
// explanation: the policies consulted and the rule that decided.
func TestDenialExplained(t *testing.T) {
	e := start(t, nil)
	existingTrail(t, e, "management", "alias/trail-key")
	e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:DescribeTrails","cloudtrail:GetTrail"],"Resource":"*"},
 {"Effect":"Deny","Action":"cloudtrail:GetTrailStatus","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`)
	b := e.browser()
	b.signIn("iam", account, "reader", password)
	_, _, list := b.get("/console/cloudtrail/trails")
	contains(t, "trails list", list, "management", "AccessDeniedException")
	_, _, page := b.get("/console/cloudtrail/trails/management")
	contains(t, "trail details", page, "Why keytrail denied it", "cloudtrail:GetTrailStatus", "Explicit deny",
		"aws:RequestedRegion", "<code>us-east-1</code>", "user/reader", "cloudtrail:GetEventSelectors")
	_, _, form := b.get("/console/cloudtrail/trails/management/edit")
	_, _, page = b.post("/console/cloudtrail/trails/management/edit", url.Values{"csrf": {csrf(form)}, "bucketMode": {"existing"}, "bucket": {"logs-management"}})
	contains(t, "a refused update", page, "AccessDeniedException", "Why keytrail denied it", "cloudtrail:UpdateTrail", "Implicit deny")

	nb := e.browser()
	e.user("nobody", "")
	nb.signIn("iam", account, "nobody", password)
	_, _, list = nb.get("/console/cloudtrail/trails")
	contains(t, "nobody's trails", list, "AccessDeniedException", "Why keytrail denied it", "No policy applies to the caller")
}

// TestCreateTrailEvents: an existing bucket, no SSE-KMS, write-only management events without
// KMS's, and read-only S3 data events become the trail's advanced event selectors.
func TestCreateTrailEvents(t *testing.T) {
	e := start(t, nil)
	existingTrail(t, e, "first", "alias/first")
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, page := b.get("/console/cloudtrail/create")
	status, loc, body := b.post("/console/cloudtrail/create", trailForm(csrf(page), "second", func(v url.Values) {
		v.Set("bucketMode", "existing")
		v.Set("bucket", "logs-first")
		v.Del("ssekms")
		v.Del("validation")
		v.Set("mgmtRW", "write")
		v.Set("excludeKMS", "on")
		v.Set("data", "on")
		v.Set("dataRW", "read")
	}))
	if status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", status, body)
	}
	_, _, page = b.get(loc)
	contains(t, "details", page, `<dd id="trail-sse">Disabled</dd>`, `<dd id="trail-validation">Disabled</dd>`, "--no-enable-log-file-validation")
	if strings.Contains(page, "aws s3api create-bucket") || strings.Contains(page, "aws kms create-key") {
		t.Error("an existing bucket and no SSE-KMS: the CLI equivalent creates a bucket or key")
	}
	out, err := cloudtrail.NewFromConfig(e.awsConfig()).GetEventSelectors(context.Background(), &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("second")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sel := range out.AdvancedEventSelectors {
		for _, f := range sel.FieldSelectors {
			got = append(got, aws.ToString(sel.Name)+": "+aws.ToString(f.Field)+" = "+strings.Join(f.Equals, ",")+" != "+strings.Join(f.NotEquals, ","))
		}
	}
	want := []string{
		"Management events selector: eventCategory = Management != ",
		"Management events selector: readOnly = false != ",
		"Management events selector: eventSource =  != kms.amazonaws.com",
		"S3 data events selector: eventCategory = Data != ",
		"S3 data events selector: resources.type = AWS::S3::Object != ",
		"S3 data events selector: readOnly = true != ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("selectors:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCreateTrailRefusedKey: a user who may not create keys is stopped at the New key's
// CreateKey, with its explanation, before any bucket or trail is made; with a prefix, the new
// bucket's policy names the prefixed AWSLogs path.
func TestCreateTrailRefusedKey(t *testing.T) {
	e := start(t, nil)
	e.user("trails", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:*","s3:*"],"Resource":"*"}]}`)
	b := e.browser()
	b.signIn("iam", account, "trails", password)
	_, _, page := b.get("/console/cloudtrail/create")
	token := csrf(page)
	_, _, body := b.post("/console/cloudtrail/create", trailForm(token, "audit", nil))
	contains(t, "a refused CreateKey", body, "AccessDeniedException", "kms:CreateKey", "Why keytrail denied it", `id="review"`)
	ctx := context.Background()
	s3c := s3.NewFromConfig(e.awsConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("trail-logs-audit")}); err == nil {
		t.Error("the bucket was made before the refused key")
	}
	status, _, body := b.post("/console/cloudtrail/create", trailForm(token, "audit", func(v url.Values) {
		v.Del("ssekms")
		v.Set("prefix", "org/audit")
	}))
	if status != http.StatusSeeOther {
		t.Fatalf("create without SSE-KMS: %d\n%s", status, body)
	}
	pp, err := s3c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("trail-logs-audit")})
	if err != nil || !strings.Contains(aws.ToString(pp.Policy), "arn:aws:s3:::trail-logs-audit/org/audit/AWSLogs/111122223333/*") {
		t.Errorf("the prefixed bucket policy: %v %v", pp, err)
	}
}
