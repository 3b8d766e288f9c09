package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"

	shapes "github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// noClientValidation drops the SDK's own check of required members, so that requests AWS would
// refuse reach the server as a hand-made client could send them.
func noClientValidation(s *middleware.Stack) error {
	_, err := s.Initialize.Remove("OperationInputValidation")
	return err
}

// rawJSON sends a signed JSON-protocol request with the body as given and returns the status and
// the error's code and message.
func (e *env) rawJSON(t *testing.T, service, target, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest("POST", e.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	c := aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), c, req, sigv4.BodyHash([]byte(body)), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var e2 struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(data, &e2) // a body that is not JSON leaves Type and Message empty for the caller to see
	return resp.StatusCode, e2.Type, e2.Message
}

// KMS refuses tags its model forbids with ValidationException in AWS's words, and the aws:
// prefix and a 51st tag with TagException; nothing is stored.
func TestValidationKMSTags(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId
	tag := func(k string, v *string) kmstypes.Tag { return kmstypes.Tag{TagKey: aws.String(k), TagValue: v} }
	many := make([]kmstypes.Tag, 51)
	for i := range many {
		many[i] = tag("k"+strings.Repeat("x", i), aws.String("v"))
	}
	long := strings.Repeat("k", 129)
	for _, c2 := range []struct {
		name       string
		tags       []kmstypes.Tag
		code, want string
	}{
		{"missing value", []kmstypes.Tag{tag("a", nil)}, "ValidationException",
			"1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null"},
		{"empty key", []kmstypes.Tag{tag("", aws.String("v"))}, "ValidationException",
			"1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"129-character key", []kmstypes.Tag{tag("ok", aws.String("v")), tag(long, aws.String("v"))}, "ValidationException",
			"1 validation error detected: Value '" + long + "' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"two violations", []kmstypes.Tag{tag("", nil)}, "ValidationException",
			"2 validation errors detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1; Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null"},
		{"reserved prefix", []kmstypes.Tag{tag("aws:owner", aws.String("v"))}, "TagException", "aws:"},
		{"51 tags", many, "TagException", "50"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: id, Tags: c2.tags}, func(o *kms.Options) {
				o.APIOptions = append(o.APIOptions, noClientValidation)
			})
			wantMessage(t, err, c2.code, c2.want)
			if tags := must(c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: id}))(t).Tags; len(tags) != 0 {
				t.Fatalf("tags stored: %+v", tags)
			}
			before := len(must(c.ListKeys(ctx, &kms.ListKeysInput{}))(t).Keys)
			_, err = c.CreateKey(ctx, &kms.CreateKeyInput{Tags: c2.tags}, func(o *kms.Options) { o.APIOptions = append(o.APIOptions, noClientValidation) })
			wantCode(t, err, c2.code)
			if after := len(must(c.ListKeys(ctx, &kms.ListKeysInput{}))(t).Keys); after != before {
				t.Fatalf("CreateKey with bad tags made a key: %d keys, had %d", after, before)
			}
		})
	}
}

// KMS checks grant tokens, grant names, grant IDs and encryption algorithms against its model;
// a refused CreateGrant stores no grant.
func TestValidationKMSGrantsAndAlgorithms(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootKMS()
	id := must(c.CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.KeyId
	grantee := "arn:aws:iam::" + account + ":user/alice"
	tokens := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	huge := strings.Repeat("t", 8193)
	for _, c2 := range []struct {
		name   string
		tokens []string
		want   string
	}{
		{"11 tokens", tokens(11, "t"), "Value '[t, t, t, t, t, t, t, t, t, t, t]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"},
		{"an empty token", []string{""}, "Value '' at 'grantTokens.1.member' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"an 8193-character token", []string{huge}, "at 'grantTokens.1.member' failed to satisfy constraint: Member must have length less than or equal to 8192"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			_, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("x"), GrantTokens: c2.tokens})
			wantMessage(t, err, "ValidationException", c2.want)
			_, err = c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(grantee),
				Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}, GrantTokens: c2.tokens})
			wantMessage(t, err, "ValidationException", c2.want)
		})
	}
	_, err := c.CreateGrant(ctx, &kms.CreateGrantInput{KeyId: id, GranteePrincipal: aws.String(grantee), Name: aws.String("bad name!"),
		Operations: []kmstypes.GrantOperation{kmstypes.GrantOperationDecrypt}})
	wantMessage(t, err, "ValidationException", "1 validation error detected: Value 'bad name!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$")
	if g := must(c.ListGrants(ctx, &kms.ListGrantsInput{KeyId: id}))(t).Grants; len(g) != 0 {
		t.Fatalf("grants stored: %+v", g)
	}
	longID := strings.Repeat("a", 129)
	_, err = c.RevokeGrant(ctx, &kms.RevokeGrantInput{KeyId: id, GrantId: aws.String(longID)})
	wantMessage(t, err, "ValidationException", "Value '"+longID+"' at 'grantId' failed to satisfy constraint: Member must have length less than or equal to 128")
	_, err = c.RetireGrant(ctx, &kms.RetireGrantInput{KeyId: id, GrantId: aws.String(longID)})
	wantMessage(t, err, "ValidationException", "at 'grantId' failed to satisfy constraint: Member must have length less than or equal to 128")

	// The SDK leaves an empty enum out, so the empty EncryptionAlgorithm goes by hand.
	status, code, msg := e.rawJSON(t, "kms", "TrentService.Encrypt", `{"KeyId":"`+aws.ToString(id)+`","Plaintext":"eA==","EncryptionAlgorithm":""}`)
	want := "1 validation error detected: Value '' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"
	if status != 400 || code != "ValidationException" || msg != want {
		t.Fatalf("empty EncryptionAlgorithm: %d %s %q", status, code, msg)
	}
}

// CloudTrail refuses what its model forbids with its own exceptions: selectors, lookups, tags.
func TestValidationCloudTrail(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	e.trailBucket(t)
	arn := aws.ToString(must(ct.CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("trail-logs")}))(t).TrailARN)
	before := must(ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("management")}))(t)

	_, err := ct.PutEventSelectors(ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("management"),
		AdvancedEventSelectors: []cttypes.AdvancedEventSelector{{Name: aws.String(strings.Repeat("n", 1001)),
			FieldSelectors: []cttypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}}}}})
	wantMessage(t, err, "InvalidEventSelectorsException", "at 'advancedEventSelectors.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 1000")
	after := must(ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String("management")}))(t)
	if len(after.AdvancedEventSelectors) != len(before.AdvancedEventSelectors) || len(after.EventSelectors) != len(before.EventSelectors) {
		t.Fatalf("selectors changed: %+v", after)
	}

	for _, ts := range []string{"1e300", "-1e300"} {
		status, code, _ := e.rawJSON(t, "cloudtrail", "CloudTrail_20131101.LookupEvents", `{"StartTime":`+ts+`}`)
		if status != 400 || code != "SerializationException" {
			t.Errorf("StartTime %s: %d %s", ts, status, code)
		}
	}

	ids := make([]string, 21)
	for i := range ids {
		ids[i] = arn
	}
	_, err = ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: ids})
	wantMessage(t, err, "InvalidParameterException", "20")

	for _, c2 := range []struct {
		tags []cttypes.Tag
		want string
	}{
		{[]cttypes.Tag{{Key: aws.String(strings.Repeat("k", 129))}}, "at 'tagsList.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{[]cttypes.Tag{{Key: aws.String("k"), Value: aws.String(strings.Repeat("v", 257))}}, "at 'tagsList.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{[]cttypes.Tag{{Key: aws.String("aws:owner")}}, "aws:"},
	} {
		_, err = ct.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(arn), TagsList: c2.tags})
		wantMessage(t, err, "InvalidTagParameterException", c2.want)
	}
	l := must(ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}}))(t).ResourceTagList
	if len(l) != 1 || len(l[0].TagsList) != 0 {
		t.Fatalf("tags stored: %+v", l)
	}
}

// badBoundary is a PermissionsBoundary IAM refuses, with its error code and message.
type badBoundary struct{ boundary, code, want string }

// badBoundaries are the PermissionsBoundary values IAM refuses wherever one is set: too short for
// the model, not an ARN, a policy that does not exist, an AWS managed policy keytrail does not know.
func badBoundaries() []badBoundary {
	missing := "arn:aws:iam::" + account + ":policy/nope"
	return []badBoundary{
		{"short", "ValidationError", "1 validation error detected: Value 'short' at 'permissionsBoundary' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"this-is-not-an-arn-at-all", "InvalidInput", "ARN this-is-not-an-arn-at-all is not valid."},
		{missing, "NoSuchEntity", "Scope ARN: " + missing + " does not exist or is not attachable."},
		{"arn:aws:iam::aws:policy/NotKnownToKeytrail", "NoSuchEntity", "Scope ARN: arn:aws:iam::aws:policy/NotKnownToKeytrail does not exist or is not attachable."},
	}
}

// IAM checks permissions boundaries, trust policy actions, tags and names, and stores nothing
// it refuses.
func TestValidationIAM(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.rootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	for _, c2 := range badBoundaries() {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(c2.boundary)})
		wantMessage(t, err, c2.code, c2.want)
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
		wantCode(t, err, "NoSuchEntity")
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust), PermissionsBoundary: aws.String(c2.boundary)})
		wantMessage(t, err, c2.code, c2.want)
		_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
		wantCode(t, err, "NoSuchEntity")
	}

	s3Trust := strings.Replace(trust, "sts:AssumeRole", "s3:GetObject", 1)
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(s3Trust)})
	wantMessage(t, err, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")})
	wantCode(t, err, "NoSuchEntity")
	must(c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(trust)}))(t)
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r"), PolicyDocument: aws.String(strings.Replace(trust, "sts:AssumeRole", "*", 1))})
	wantMessage(t, err, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")
	if got := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("r")}))(t).Role.AssumeRolePolicyDocument; !strings.Contains(aws.ToString(got), "sts%3AAssumeRole") {
		t.Fatalf("trust policy changed: %s", aws.ToString(got))
	}

	for _, c2 := range []struct {
		tags       []iamtypes.Tag
		code, want string
	}{
		{[]iamtypes.Tag{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("v")}}, "ValidationError",
			"at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{[]iamtypes.Tag{{Key: aws.String("a!b"), Value: aws.String("v")}}, "ValidationError",
			`Value 'a!b' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{[]iamtypes.Tag{{Key: aws.String("aws:owner"), Value: aws.String("v")}}, "InvalidInput", "aws:"},
		{[]iamtypes.Tag{{Key: aws.String("Team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}, "InvalidInput", "Duplicate tag keys"},
	} {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob"), Tags: c2.tags})
		wantMessage(t, err, c2.code, c2.want)
		_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")})
		wantCode(t, err, "NoSuchEntity")
	}

	name := strings.Repeat("n", 65)
	_, err = c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("no-slashes")})
	// The violations come in the model's member order (CreateUserRequest: Path, UserName, …).
	wantMessage(t, err, "ValidationError", `2 validation errors detected: Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F); `+
		"Value '"+name+"' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64")
}

// STS reports every broken constraint of AssumeRole at once, in the model's member order.
func TestValidationSTS(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	_, err := e.sts(account, rootSecret, "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111122223333:role/reader"),
		RoleSessionName: aws.String("a b"), DurationSeconds: aws.Int32(100)})
	wantMessage(t, err, "ValidationError", `2 validation errors detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*; `+
		"Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900")
}

// Every operation keytrail serves over the JSON and query protocols has its input shape in the
// generated model, so the protocol layer validates it.
func TestServedOperationsAreValidated(t *testing.T) {
	e := start(t, t.TempDir())
	for service, ops := range map[string][]string{
		"kms":        keys(e.app.KMS.API().Operations),
		"cloudtrail": keys(e.app.CloudTrail.API().Operations),
		"iam":        keys(e.app.IAM.API().Operations),
		"sts":        keys(e.app.STS.API().Operations),
	} {
		if len(ops) == 0 {
			t.Fatalf("%s serves no operations", service)
		}
		for _, op := range ops {
			if shapes.Input(service, op) == nil {
				t.Errorf("%s.%s has no input shape in internal/model", service, op)
			}
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
