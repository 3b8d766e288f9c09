package console

import (
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// trailRoutes adds the CloudTrail trail pages: the list with each trail's status, create in the
// console's three steps, details, Edit of General details, start and stop logging, delete.
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-a-trail-using-the-console-first-time.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-update-a-trail-console.html
//   - https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-update-trail.html
func (c *Console) trailRoutes(m *http.ServeMux) {
	m.HandleFunc("GET "+Prefix+"/cloudtrail/trails", c.signedIn(c.trails))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/create", c.signedIn(c.createTrailPage))
	m.HandleFunc("POST "+Prefix+"/cloudtrail/create", c.signedIn(c.createTrail))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/trails/{name}", c.signedIn(c.trail))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/trails/{name}/edit", c.signedIn(c.editTrailPage))
	m.HandleFunc("POST "+Prefix+"/cloudtrail/trails/{name}/edit", c.signedIn(c.updateTrail))
	m.HandleFunc("POST "+Prefix+"/cloudtrail/trails/{name}/{action}", c.signedIn(c.trailAction))
}

// trailRow is a row of the trails list.
type trailRow struct {
	Name, HomeRegion, Bucket, Prefix, KmsKeyID string
	MultiRegion, Logging                       bool
	StatusError                                *apiError // GetTrailStatus refused
}

// trails lists the trails (DescribeTrails) with each one's status (GetTrailStatus).
func (c *Console) trails(w http.ResponseWriter, r *http.Request, ss *session) {
	p := &page{Title: "Trails", Session: ss}
	p.CLI = []cliCommand{c.regional(r, "List the trails", "cloudtrail", "describe-trails")}
	client := c.clientsFor(r, ss).cloudtrail()
	out, err := client.DescribeTrails(r.Context(), &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "trails", p)
		return
	}
	rows := []trailRow{}
	for _, t := range out.TrailList {
		row := trailRow{Name: aws.ToString(t.Name), HomeRegion: aws.ToString(t.HomeRegion), Bucket: aws.ToString(t.S3BucketName),
			Prefix: aws.ToString(t.S3KeyPrefix), KmsKeyID: aws.ToString(t.KmsKeyId), MultiRegion: aws.ToBool(t.IsMultiRegionTrail)}
		st, err := client.GetTrailStatus(r.Context(), &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			row.StatusError = c.explained(ss, err)
		} else {
			row.Logging = aws.ToBool(st.IsLogging)
		}
		rows = append(rows, row)
	}
	p.Data = &struct{ Trails []trailRow }{rows}
	c.render(w, http.StatusOK, "trails", p)
}

// trailForm is the create-trail wizard's fields (carried from step to step as hidden inputs)
// and the Edit form's.
type trailForm struct {
	Step int // 1 Choose trail attributes, 2 Choose log events, 3 Review and create; 0 Edit

	Name       string
	BucketMode string // "new" or "existing"
	Bucket     string
	Prefix     string
	SSEKMS     bool   // Log file SSE-KMS encryption
	KeyMode    string // "new" or "existing"
	Alias      string // New: the new key's alias; Existing: an alias name, alias ARN, key ARN or key ID
	Validation bool   // log file validation

	Management bool
	MgmtRW     string // "all", "read", "write"
	ExcludeKMS bool
	Data       bool   // S3 object data events
	DataRW     string // "all", "read", "write"

	FormError string
}

// formFrom reads a trail form from a POST.
func formFrom(r *http.Request) *trailForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	on := func(k string) bool { return r.PostFormValue(k) == "on" }
	f := &trailForm{Name: v("name"), BucketMode: v("bucketMode"), Bucket: v("bucket"), Prefix: v("prefix"), SSEKMS: on("ssekms"),
		KeyMode: v("keyMode"), Alias: v("alias"), Validation: on("validation"), Management: on("management"), MgmtRW: v("mgmtRW"),
		ExcludeKMS: on("excludeKMS"), Data: on("data"), DataRW: v("dataRW")}
	if f.BucketMode != "existing" {
		f.BucketMode = "new"
	}
	if f.KeyMode != "existing" {
		f.KeyMode = "new"
	}
	for _, rw := range []*string{&f.MgmtRW, &f.DataRW} {
		if *rw != "read" && *rw != "write" {
			*rw = "all"
		}
	}
	return f
}

// Checkbox values of the templates' hidden inputs.
func (f *trailForm) On(b bool) string {
	if b {
		return "on"
	}
	return ""
}

// trailNamePattern is CloudTrail's trail naming rule: 3 to 128 letters, digits, periods,
// underscores and dashes, beginning and ending with a letter or digit
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
var trailNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$`)

// checkAttributes is step 1's form check: what the console refuses before any call.
func (f *trailForm) checkAttributes(edit bool) string {
	switch {
	case !edit && !trailNamePattern.MatchString(f.Name):
		return "Trail name: 3 to 128 letters, digits, periods, underscores or dashes, beginning and ending with a letter or digit."
	case !edit && (strings.Contains(f.Name, "..") || strings.Contains(f.Name, "._") || strings.Contains(f.Name, "_.") || strings.Contains(f.Name, ".-") || strings.Contains(f.Name, "-.")):
		return "Trail name: no adjacent periods, underscores or dashes such as .. or _. or -."
	case f.Bucket == "":
		return "Trail log bucket and folder: enter a bucket name."
	case f.SSEKMS && f.Alias == "" && f.KeyMode == "existing":
		return "AWS KMS alias: enter an alias (alias/MyAliasName), alias ARN, key ARN or key ID."
	case f.SSEKMS && f.Alias == "":
		return "AWS KMS alias: enter an alias (alias/MyAliasName) for the new key."
	case f.SSEKMS && f.KeyMode == "new" && !strings.HasPrefix(f.aliasName(), "alias/"):
		return "AWS KMS alias: enter an alias name."
	case f.SSEKMS && f.KeyMode == "new" && strings.HasPrefix(f.aliasName(), "alias/aws/"):
		return "AWS KMS alias: the alias must not begin with alias/aws/, which is reserved for AWS managed keys."
	}
	return ""
}

// checkEvents is step 2's form check.
func (f *trailForm) checkEvents() string {
	if !f.Management && !f.Data {
		return "Event type: choose management events, data events, or both."
	}
	return ""
}

// aliasName is the New key's alias as typed, with alias/ in front when it was left out.
func (f *trailForm) aliasName() string {
	if f.Alias == "" || strings.HasPrefix(f.Alias, "alias/") {
		return f.Alias
	}
	return "alias/" + f.Alias
}

// createTrailPage is step 1 with the console's defaults: a new bucket named as the console
// names it, SSE-KMS with a New key, log file validation, all management events.
func (c *Console) createTrailPage(w http.ResponseWriter, _ *http.Request, ss *session) {
	suffix := make([]byte, 4)
	_, _ = io.ReadFull(c.rand, suffix) // a name suggestion: the user may change it
	f := &trailForm{Step: 1, BucketMode: "new", Bucket: "aws-cloudtrail-logs-" + ss.who.Account + "-" + hex.EncodeToString(suffix),
		SSEKMS: true, KeyMode: "new", Validation: true, Management: true, MgmtRW: "all", DataRW: "all"}
	c.render(w, http.StatusOK, "trail_form", &page{Title: "Create trail", Session: ss, Data: f})
}

// createTrail moves the wizard between its steps (the "goto" button: 1, 2, 3) and, on
// "create", makes the calls the console makes: CreateKey with the CloudTrail key policy and
// CreateAlias for a New key, CreateBucket, PutBucketEncryption and PutBucketPolicy for a new
// bucket, CreateTrail, PutEventSelectors, StartLogging. The first refused call stops there and
// is shown with AWS's error; what was made before it stays, as in the AWS console.
func (c *Console) createTrail(w http.ResponseWriter, r *http.Request, ss *session) {
	f := formFrom(r)
	p := &page{Title: "Create trail", Session: ss, Data: f}
	target := r.PostFormValue("goto")
	// Forward moves check the steps they leave.
	if target == "2" || target == "3" || target == "create" {
		if msg := f.checkAttributes(false); msg != "" {
			f.Step, f.FormError = 1, msg
			c.render(w, http.StatusBadRequest, "trail_form", p)
			return
		}
	}
	if target == "3" || target == "create" {
		if msg := f.checkEvents(); msg != "" {
			f.Step, f.FormError = 2, msg
			c.render(w, http.StatusBadRequest, "trail_form", p)
			return
		}
	}
	switch target {
	case "1", "2", "3":
		f.Step = int(target[0] - '0')
		if f.Step == 3 {
			p.CLI = c.createTrailCLI(r, ss, f)
		}
		c.render(w, http.StatusOK, "trail_form", p)
		return
	case "create":
	default:
		f.Step, f.FormError = 1, "Choose Next to go on."
		c.render(w, http.StatusBadRequest, "trail_form", p)
		return
	}
	f.Step = 3
	p.CLI = c.createTrailCLI(r, ss, f)
	cl := c.clientsFor(r, ss)
	ctx := r.Context()
	fail := func(err error) {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "trail_form", p)
	}
	trailARN := "arn:aws:cloudtrail:" + c.region + ":" + ss.who.Account + ":trail/" + f.Name
	keyID := ""
	if f.SSEKMS {
		keyID = f.Alias
		if f.KeyMode == "new" {
			arn, err := c.newTrailKey(r, ss, cl.kms(), f.aliasName(), trailARN)
			if err != nil {
				fail(err)
				return
			}
			keyID = arn
		}
	}
	if f.BucketMode == "new" {
		if err := c.newTrailBucket(r, ss, cl.s3(), f, trailARN); err != nil {
			fail(err)
			return
		}
	}
	ct := cl.cloudtrail()
	in := &cloudtrail.CreateTrailInput{Name: aws.String(f.Name), S3BucketName: aws.String(f.Bucket), IsMultiRegionTrail: aws.Bool(true),
		IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(f.Validation)}
	if f.Prefix != "" {
		in.S3KeyPrefix = aws.String(f.Prefix)
	}
	if keyID != "" {
		in.KmsKeyId = aws.String(keyID)
	}
	if _, err := ct.CreateTrail(ctx, in); err != nil {
		fail(err)
		return
	}
	if _, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(f.Name), AdvancedEventSelectors: f.selectors()}); err != nil {
		fail(err)
		return
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(f.Name)}); err != nil {
		fail(err)
		return
	}
	redirectCLI(w, r, ss, trailPath(f.Name), "Trail "+f.Name+" created and logging.", p.CLI)
}

// newTrailKey creates the New key of a trail form: a symmetric key with the key policy the
// CloudTrail console writes, then its alias; it returns the key's ARN.
func (c *Console) newTrailKey(r *http.Request, ss *session, client *kms.Client, alias, trailARN string) (string, error) {
	out, err := client.CreateKey(r.Context(), &kms.CreateKeyInput{Description: aws.String(c.trailKeyDescription()),
		Policy: aws.String(trailKeyPolicy(ss.who.Account, ss.who.ARN, trailARN))})
	if err != nil {
		return "", err
	}
	arn := aws.ToString(out.KeyMetadata.Arn)
	if _, err := client.CreateAlias(r.Context(), &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: out.KeyMetadata.KeyId}); err != nil {
		return "", err
	}
	return arn, nil
}

// trailKeyDescription is the New key's description: the docs give none, so it says what made
// the key and when, as the event data store key's Sid does (docs/decisions.md).
func (c *Console) trailKeyDescription() string {
	return "The key created by CloudTrail to encrypt log files. Created " + c.now().UTC().Format(http.TimeFormat)
}

// newTrailBucket creates the new bucket of a trail form with default encryption and the
// bucket policy CloudTrail needs to deliver the trail's logs.
func (c *Console) newTrailBucket(r *http.Request, ss *session, client *s3.Client, f *trailForm, trailARN string) error {
	ctx := r.Context()
	in := &s3.CreateBucketInput{Bucket: aws.String(f.Bucket)}
	if c.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.region)}
	}
	if _, err := client.CreateBucket(ctx, in); err != nil {
		return err
	}
	if _, err := client.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(f.Bucket),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}); err != nil {
		return err
	}
	_, err := client.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(f.Bucket), Policy: aws.String(trailBucketPolicy(f.Bucket, f.Prefix, ss.who.Account, trailARN))})
	return err
}

// createTrailCLI is the create wizard's CLI equivalent, with the policies it writes.
func (c *Console) createTrailCLI(r *http.Request, ss *session, f *trailForm) []cliCommand {
	trailARN := "arn:aws:cloudtrail:" + c.region + ":" + ss.who.Account + ":trail/" + f.Name
	var cmds []cliCommand
	key := f.Alias
	if f.SSEKMS && f.KeyMode == "new" {
		key = f.aliasName()
		cmds = append(cmds,
			c.regional(r, "Create the key with the CloudTrail key policy (key-policy.json below)", "kms", "create-key", "--description", c.trailKeyDescription(), "--policy", "file://key-policy.json"),
			cliCommand{What: "key-policy.json", Command: trailKeyPolicy(ss.who.Account, ss.who.ARN, trailARN)},
			c.regional(r, "Name it (the key ID create-key returned)", "kms", "create-alias", "--alias-name", f.aliasName(), "--target-key-id", "KEY_ID"))
	}
	if f.BucketMode == "new" {
		create := []string{"s3api", "create-bucket", "--bucket", f.Bucket}
		if c.region != "us-east-1" {
			create = append(create, "--create-bucket-configuration", "LocationConstraint="+c.region)
		}
		cmds = append(cmds,
			c.regional(r, "Create the bucket", create...),
			c.regional(r, "Encrypt it by default", "s3api", "put-bucket-encryption", "--bucket", f.Bucket, "--server-side-encryption-configuration", `{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}`),
			c.regional(r, "Let CloudTrail deliver to it (bucket-policy.json below)", "s3api", "put-bucket-policy", "--bucket", f.Bucket, "--policy", "file://bucket-policy.json"),
			cliCommand{What: "bucket-policy.json", Command: trailBucketPolicy(f.Bucket, f.Prefix, ss.who.Account, trailARN)})
	}
	create := []string{"cloudtrail", "create-trail", "--name", f.Name, "--s3-bucket-name", f.Bucket, "--is-multi-region-trail", "--include-global-service-events"}
	if f.Prefix != "" {
		create = append(create, "--s3-key-prefix", f.Prefix)
	}
	if f.SSEKMS {
		create = append(create, "--kms-key-id", key)
	}
	if f.Validation {
		create = append(create, "--enable-log-file-validation")
	} else {
		create = append(create, "--no-enable-log-file-validation")
	}
	sel, _ := json.Marshal(f.selectors())
	cmds = append(cmds,
		c.regional(r, "Create the trail", create...),
		c.regional(r, "Choose its log events", "cloudtrail", "put-event-selectors", "--trail-name", f.Name, "--advanced-event-selectors", string(sel)),
		c.regional(r, "Start logging", "cloudtrail", "start-logging", "--name", f.Name))
	return cmds
}

// selectors are the form's event choices as advanced event selectors, as the console writes them
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
func (f *trailForm) selectors() []cttypes.AdvancedEventSelector {
	readOnly := func(rw string) []cttypes.AdvancedFieldSelector {
		switch rw {
		case "read":
			return []cttypes.AdvancedFieldSelector{{Field: aws.String("readOnly"), Equals: []string{"true"}}}
		case "write":
			return []cttypes.AdvancedFieldSelector{{Field: aws.String("readOnly"), Equals: []string{"false"}}}
		}
		return nil
	}
	var out []cttypes.AdvancedEventSelector
	if f.Management {
		fs := append([]cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}, readOnly(f.MgmtRW)...)
		if f.ExcludeKMS {
			fs = append(fs, cttypes.AdvancedFieldSelector{Field: aws.String("eventSource"), NotEquals: []string{"kms.amazonaws.com"}})
		}
		out = append(out, cttypes.AdvancedEventSelector{Name: aws.String("Management events selector"), FieldSelectors: fs})
	}
	if f.Data {
		fs := append([]cttypes.AdvancedFieldSelector{
			{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
			{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
		}, readOnly(f.DataRW)...)
		out = append(out, cttypes.AdvancedEventSelector{Name: aws.String("S3 data events selector"), FieldSelectors: fs})
	}
	return out
}

// policyStatement is a statement of the policies the console writes, in the order AWS's pages
// print their elements.
type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal map[string]any               `json:"Principal"`
	Action    any                          `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []policyStatement `json:"Statement"`
}

func (d policyDoc) String() string {
	b, _ := json.MarshalIndent(d, "", "    ") // plain strings and maps: cannot fail
	return string(b)
}

// trailKeyPolicy is the key policy the CloudTrail console writes for a New key
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html):
// the account and the console user administer it, CloudTrail may encrypt the one trail's logs
// and describe it, and the account's principals may decrypt its log files.
func trailKeyPolicy(account, userARN, trailARN string) string {
	root := "arn:aws:iam::" + account + ":root"
	var admins any = []string{root, userARN}
	if userARN == root || userARN == "" {
		admins = root
	}
	logs := "arn:aws:cloudtrail:*:" + account + ":trail/*"
	decrypt := map[string]map[string]string{
		"StringEquals": {"kms:CallerAccount": account},
		"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": logs},
	}
	return policyDoc{Version: "2012-10-17", ID: "Key policy created by CloudTrail", Statement: []policyStatement{
		{Sid: "Enable IAM user permissions", Effect: "Allow", Principal: map[string]any{"AWS": admins}, Action: "kms:*", Resource: "*"},
		{Sid: "Allow CloudTrail to encrypt logs", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: "kms:GenerateDataKey*", Resource: "*", Condition: map[string]map[string]string{
				"StringEquals": {"aws:SourceArn": trailARN},
				"StringLike":   {"kms:EncryptionContext:aws:cloudtrail:arn": logs},
			}},
		{Sid: "Allow CloudTrail to describe key", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"}, Action: "kms:DescribeKey", Resource: "*"},
		{Sid: "Allow principals in the account to decrypt log files", Effect: "Allow", Principal: map[string]any{"AWS": "*"},
			Action: []string{"kms:Decrypt", "kms:ReEncryptFrom"}, Resource: "*", Condition: decrypt},
		{Sid: "Enable cross account log decryption", Effect: "Allow", Principal: map[string]any{"AWS": "*"},
			Action: []string{"kms:Decrypt", "kms:ReEncryptFrom"}, Resource: "*", Condition: decrypt},
	}}.String()
}

// trailBucketPolicy is the bucket policy CloudTrail applies to a new bucket
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
func trailBucketPolicy(bucket, prefix, account, trailARN string) string {
	path := "arn:aws:s3:::" + bucket + "/"
	if prefix != "" {
		path += prefix + "/"
	}
	return policyDoc{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "AWSCloudTrailAclCheck20150319", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: "s3:GetBucketAcl", Resource: "arn:aws:s3:::" + bucket,
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": trailARN}}},
		{Sid: "AWSCloudTrailWrite20150319", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"},
			Action: "s3:PutObject", Resource: path + "AWSLogs/" + account + "/*",
			Condition: map[string]map[string]string{"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailARN}}},
	}}.String()
}

// trailData is the trail details page.
type trailData struct {
	Trail          cttypes.Trail
	MultiRegion    bool // the Trail's *bool flags, for the template (a pointer to false is not empty)
	Validation     bool
	Logging        bool
	DeliveryError  string
	Status         *cloudtrail.GetTrailStatusOutput
	StatusError    *apiError
	Selectors      string // the event selectors as JSON
	SelectorsError *apiError
}

// trail shows a trail's details: DescribeTrails of its name, GetTrailStatus, GetEventSelectors.
func (c *Console) trail(w http.ResponseWriter, r *http.Request, ss *session) {
	c.showTrail(w, r, ss, r.PathValue("name"), nil, nil)
}

func (c *Console) showTrail(w http.ResponseWriter, r *http.Request, ss *session, name string, actionErr *apiError, cmds []cliCommand) {
	p := &page{Title: "Trail " + name, Session: ss, Error: actionErr}
	p.CLI = append(cmds, c.regional(r, "Describe the trail", "cloudtrail", "describe-trails", "--trail-name-list", name),
		c.regional(r, "Show its status", "cloudtrail", "get-trail-status", "--name", name))
	client := c.clientsFor(r, ss).cloudtrail()
	t, err := c.describeTrail(r, client, name)
	if err != nil {
		if p.Error == nil {
			p.Error = c.errorOf(err)
		}
		c.render(w, http.StatusOK, "trail", p)
		return
	}
	d := &trailData{Trail: *t, MultiRegion: aws.ToBool(t.IsMultiRegionTrail), Validation: aws.ToBool(t.LogFileValidationEnabled)}
	if st, err := client.GetTrailStatus(r.Context(), &cloudtrail.GetTrailStatusInput{Name: t.TrailARN}); err != nil {
		d.StatusError = c.explained(ss, err)
	} else {
		d.Status, d.Logging, d.DeliveryError = st, aws.ToBool(st.IsLogging), aws.ToString(st.LatestDeliveryError)
	}
	if sel, err := client.GetEventSelectors(r.Context(), &cloudtrail.GetEventSelectorsInput{TrailName: t.TrailARN}); err != nil {
		d.SelectorsError = c.explained(ss, err)
	} else {
		v := any(sel.AdvancedEventSelectors)
		if len(sel.AdvancedEventSelectors) == 0 {
			v = sel.EventSelectors
		}
		b, _ := json.MarshalIndent(v, "", "  ") // SDK types of strings and bools
		d.Selectors = string(b)
	}
	p.Data = d
	c.render(w, http.StatusOK, "trail", p)
}

// describeTrail is the trail of a name (or ARN); TrailNotFoundException when there is none.
func (c *Console) describeTrail(r *http.Request, client *cloudtrail.Client, name string) (*cttypes.Trail, error) {
	out, err := client.GetTrail(r.Context(), &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil {
		return nil, err
	}
	return out.Trail, nil
}

// editTrailPage is General details → Edit, filled in from the trail.
func (c *Console) editTrailPage(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	p := &page{Title: "Edit trail " + name, Session: ss}
	t, err := c.describeTrail(r, c.clientsFor(r, ss).cloudtrail(), name)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "trail_form", p)
		return
	}
	key := aws.ToString(t.KmsKeyId)
	p.Data = &trailForm{Name: aws.ToString(t.Name), BucketMode: "existing", Bucket: aws.ToString(t.S3BucketName), Prefix: aws.ToString(t.S3KeyPrefix),
		SSEKMS: key != "", KeyMode: "existing", Alias: key, Validation: aws.ToBool(t.LogFileValidationEnabled)}
	c.render(w, http.StatusOK, "trail_form", p)
}

// updateTrail saves the Edit form with UpdateTrail (a New key first, with the CloudTrail key
// policy and its alias; a new bucket with its policy). SSE-KMS turned off is an empty KmsKeyId.
// A refused call shows the form again with AWS's error: the trail is unchanged.
func (c *Console) updateTrail(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	f := formFrom(r)
	f.Name = name
	p := &page{Title: "Edit trail " + name, Session: ss, Data: f}
	if msg := f.checkAttributes(true); msg != "" {
		f.FormError = msg
		c.render(w, http.StatusBadRequest, "trail_form", p)
		return
	}
	cl := c.clientsFor(r, ss)
	ct := cl.cloudtrail()
	t, err := c.describeTrail(r, ct, name)
	if err != nil {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "trail_form", p)
		return
	}
	trailARN := aws.ToString(t.TrailARN)
	in := &cloudtrail.UpdateTrailInput{Name: t.TrailARN, S3BucketName: aws.String(f.Bucket), S3KeyPrefix: aws.String(f.Prefix),
		EnableLogFileValidation: aws.Bool(f.Validation), KmsKeyId: aws.String("")}
	words := []string{"cloudtrail", "update-trail", "--name", aws.ToString(t.Name), "--s3-bucket-name", f.Bucket, "--s3-key-prefix", f.Prefix}
	var cmds []cliCommand
	if f.SSEKMS {
		key := f.Alias
		if f.KeyMode == "new" {
			cmds = append(cmds,
				c.regional(r, "Create the key with the CloudTrail key policy (key-policy.json below)", "kms", "create-key", "--description", c.trailKeyDescription(), "--policy", "file://key-policy.json"),
				cliCommand{What: "key-policy.json", Command: trailKeyPolicy(ss.who.Account, ss.who.ARN, trailARN)},
				c.regional(r, "Name it (the key ID create-key returned)", "kms", "create-alias", "--alias-name", f.aliasName(), "--target-key-id", "KEY_ID"))
			key = f.aliasName()
		}
		in.KmsKeyId = aws.String(key)
		words = append(words, "--kms-key-id", key)
	} else {
		words = append(words, "--kms-key-id", "")
	}
	if f.Validation {
		words = append(words, "--enable-log-file-validation")
	} else {
		words = append(words, "--no-enable-log-file-validation")
	}
	if f.BucketMode == "new" {
		cmds = append(cmds, c.regional(r, "Create the bucket, encrypt it and let CloudTrail deliver to it (bucket-policy.json below)", "s3api", "create-bucket", "--bucket", f.Bucket),
			cliCommand{What: "bucket-policy.json", Command: trailBucketPolicy(f.Bucket, f.Prefix, ss.who.Account, trailARN)})
	}
	cmds = append(cmds, c.regional(r, "Update the trail", words...))
	p.CLI = cmds
	fail := func(err error) {
		p.Error = c.errorOf(err)
		c.render(w, http.StatusOK, "trail_form", p)
	}
	if f.SSEKMS && f.KeyMode == "new" {
		arn, err := c.newTrailKey(r, ss, cl.kms(), f.aliasName(), trailARN)
		if err != nil {
			fail(err)
			return
		}
		in.KmsKeyId = aws.String(arn)
	}
	if f.BucketMode == "new" {
		if err := c.newTrailBucket(r, ss, cl.s3(), f, trailARN); err != nil {
			fail(err)
			return
		}
	}
	if _, err := ct.UpdateTrail(r.Context(), in); err != nil {
		fail(err)
		return
	}
	redirectCLI(w, r, ss, trailPath(name), "Trail "+name+" updated.", cmds)
}

// trailAction is a trail page's button: start-logging, stop-logging, delete.
func (c *Console) trailAction(w http.ResponseWriter, r *http.Request, ss *session) {
	name := r.PathValue("name")
	ct := c.clientsFor(r, ss).cloudtrail()
	var (
		err    error
		cmd    cliCommand
		msg    string
		target = trailPath(name)
	)
	switch r.PathValue("action") {
	case "start-logging":
		cmd = c.regional(r, "Start logging", "cloudtrail", "start-logging", "--name", name)
		_, err = ct.StartLogging(r.Context(), &cloudtrail.StartLoggingInput{Name: aws.String(name)})
		msg = "Logging started for trail " + name + "."
	case "stop-logging":
		cmd = c.regional(r, "Stop logging", "cloudtrail", "stop-logging", "--name", name)
		_, err = ct.StopLogging(r.Context(), &cloudtrail.StopLoggingInput{Name: aws.String(name)})
		msg = "Logging stopped for trail " + name + "."
	case "delete":
		cmd = c.regional(r, "Delete the trail", "cloudtrail", "delete-trail", "--name", name)
		_, err = ct.DeleteTrail(r.Context(), &cloudtrail.DeleteTrailInput{Name: aws.String(name)})
		msg, target = "Trail "+name+" deleted.", Prefix+"/cloudtrail/trails"
	default:
		c.render(w, http.StatusNotFound, "notfound", &page{Title: "Not found", Session: ss})
		return
	}
	if err != nil {
		c.showTrail(w, r, ss, name, c.errorOf(err), []cliCommand{cmd})
		return
	}
	redirectCLI(w, r, ss, target, msg, []cliCommand{cmd})
}

// pathStyle sends the console's S3 calls path-style: their host is the in-process endpoint's,
// which names no bucket.
func pathStyle(o *s3.Options) { o.UsePathStyle = true }

// trailPath is the console path of trail name's page.
func trailPath(name string) string { return Prefix + "/cloudtrail/trails/" + url.PathEscape(name) }
