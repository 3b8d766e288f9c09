//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestValidTrafficBoto3 runs testdata/valid_boto3.py: valid, edge-of-valid requests to every
// service (names with every allowed character, maximum lengths and counts, Limit/MaxItems and
// paging, every option of CreateKey, CreateGrant, CreateTrail, PutEventSelectors, LookupEvents
// and AssumeRole, S3 buckets with dots and LocationConstraint, unicode object keys, multipart,
// copies and tags), each of which must succeed as on AWS. Then the trail the script created
// delivers, and the records hold the members of those requests as AWS's records show them.
func TestValidTrafficBoto3(t *testing.T) {
	s := startServer(t, t.TempDir())
	cmd := exec.Command(python(t), "testdata/valid_boto3.py", s.url, account, root.secret)
	home := t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CA_BUNDLE=" + os.Getenv("AWS_CA_BUNDLE")}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("valid_boto3.py: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	passed := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "ok ") {
			passed++
		}
	}
	if passed != 25 {
		t.Fatalf("valid_boto3.py passed %d checks, want 25:\n%s", passed, out)
	}
	var state map[string]string
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &state); err != nil {
		t.Fatalf("valid_boto3.py's last line is not its state: %v\n%s", err, out)
	}
	if sum := s.flush(t); sum["logFiles"].(float64) < 1 {
		t.Fatalf("flush = %v", sum)
	}
	recs := trailRecords(t, clis[0], s.url, state["bucket"], "logs/prefix/AWSLogs/")
	for _, want := range recorded(state) {
		if !anyRecordHas(recs, want.event, want.members) {
			t.Errorf("no %s record holds every one of %v", want.event, want.members)
		}
	}
	for _, r := range recs {
		b, _ := json.Marshal(r["requestParameters"])
		if lower := strings.ToLower(string(b)); strings.Contains(lower, `"plaintext"`) || strings.Contains(lower, "secretaccesskey") {
			t.Errorf("%s record holds a secret: %s", r["eventName"], b)
		}
	}
	checkRecordNames(t, recs)
}

// wantRecord is an event whose record must hold the given requestParameters members (paths of
// member names and list indexes, with their values when a value follows "=").
type wantRecord struct {
	event   string
	members []string
}

// recorded are the members AWS's records of the script's calls show, in lowerCamelCase, map
// keys kept as sent (https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html and
// the other ct-*.html pages; https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html).
func recorded(state map[string]string) []wantRecord {
	return []wantRecord{
		{"CreateKey", []string{"description", "keyUsage=ENCRYPT_DECRYPT", "keySpec=SYMMETRIC_DEFAULT", "origin=AWS_KMS",
			"multiRegion=false", "tags.0.tagKey", "tags.0.tagValue", "tags.1.tagKey=team:owner/a.b=c+d-e@f_g", "policy",
			"bypassPolicyLockoutSafetyCheck=false"}},
		{"PutKeyPolicy", []string{"keyId=" + state["key"], "policyName=default", "policy"}},
		{"CreateAlias", []string{"aliasName=alias/a/b/c-d_e", "targetKeyId=" + state["key"]}},
		{"ListAliases", []string{"keyId", "limit=1", "marker"}},
		{"Encrypt", []string{"keyId=alias/a/b/c-d_e", "encryptionContext.ünïcödé=värde ✓", "encryptionContext.aws:cloudtrail:arn",
			"grantTokens.1=token-b", "encryptionAlgorithm=SYMMETRIC_DEFAULT"}},
		{"Decrypt", []string{"keyId=" + state["keyArn"], "encryptionContext.ünïcödé=värde ✓", "encryptionAlgorithm=SYMMETRIC_DEFAULT"}},
		{"ReEncrypt", []string{"sourceEncryptionContext.ünïcödé", "destinationKeyId", "destinationEncryptionContext.b=2",
			"sourceKeyId", "sourceEncryptionAlgorithm", "destinationEncryptionAlgorithm"}},
		{"GenerateDataKey", []string{"keyId", "encryptionContext.a=b", "numberOfBytes=1024"}},
		{"GenerateDataKey", []string{"keyId", "keySpec=AES_128"}},
		{"CreateGrant", []string{"keyId", "granteePrincipal", "retiringPrincipal=arn:aws:iam::111122223333:user/x+y=z,w.v@u-t",
			"operations.7=RetireGrant", "constraints.encryptionContextSubset.ü=✓", "name=grant-name_with:1/2", "grantTokens.0=t"}},
		{"CreateGrant", []string{"constraints.encryptionContextEquals.a=b"}},
		{"ListGrants", []string{"keyId", "limit=100", "marker"}},
		{"ListRetirableGrants", []string{"retiringPrincipal", "limit=10"}},
		{"TagResource", []string{"keyId", "tags.49.tagKey", "tags.49.tagValue"}},
		{"ScheduleKeyDeletion", []string{"keyId", "pendingWindowInDays=7"}},
		{"ScheduleKeyDeletion", []string{"keyId", "pendingWindowInDays=30"}},
		{"PutBucketEncryption", []string{"bucketName=" + state["bucket"]}},
		{"CreateUser", []string{"userName=u+=,.@-_1", "path=/a/b/", "tags.0.key", "tags.0.value", "tags.1.key=a+b=c d.e@f-g_h:i/j"}},
		{"CreateRole", []string{"roleName=r+=,.@-_1", "path=/a/b/", "assumeRolePolicyDocument", "description=röle ©\t\n",
			"maxSessionDuration=43200", "tags.0.key"}},
		{"CreateGroup", []string{"groupName=g+=,.@-_1", "path=/a/b/"}},
		{"CreatePolicy", []string{"policyName=mp+=,.@-_1", "path=/a/b/", "policyDocument", "description=ü ✓", "tags.0.key=a"}},
		{"ListPolicies", []string{"scope=Local", "pathPrefix=/a/b/", "policyUsageFilter=PermissionsPolicy", "maxItems=10", "onlyAttached=true"}},
		{"ListUsers", []string{"marker", "maxItems=1000", "pathPrefix=/"}},
		{"AssumeRole", []string{"roleArn=arn:aws:iam::111122223333:role/a/b/r+=,.@-_1", "roleSessionName", "durationSeconds=43200",
			"policy", "policyArns.0.arn", "tags.0.key=team", "tags.0.value=a+b=c d.e@f-g_h:i/j", "transitiveTagKeys.0=team",
			"externalId=ext-id_+=,.@:/-", "sourceIdentity=src+=,.@-"}},
		{"DescribeTrails", []string{"trailNameList.0=" + state["trailArn"], "trailNameList.1=" + state["trail"], "includeShadowTrails=true"}},
		{"AddTags", []string{"resourceId=" + state["trailArn"], "tagsList.0.key=b", "tagsList.0.value=ü ✓"}},
		{"UpdateTrail", []string{"name", "s3KeyPrefix=logs/prefix", "includeGlobalServiceEvents=true", "isMultiRegionTrail=true"}},
		{"PutEventSelectors", []string{"trailName", "eventSelectors.0.readWriteType=All", "eventSelectors.0.includeManagementEvents=true",
			"eventSelectors.0.dataResources.0.type=AWS::S3::Object", "eventSelectors.0.dataResources.0.values.0",
			"eventSelectors.1.readWriteType=WriteOnly", "eventSelectors.1.includeManagementEvents=false"}},
		{"PutEventSelectors", []string{"trailName=" + state["trailArn"], "advancedEventSelectors.1.name=S3 data ü",
			"advancedEventSelectors.0.fieldSelectors.0.field=eventCategory", "advancedEventSelectors.0.fieldSelectors.0.equals.0=Management",
			"advancedEventSelectors.1.fieldSelectors.2.startsWith.0", "advancedEventSelectors.1.fieldSelectors.2.notStartsWith.0",
			"advancedEventSelectors.1.fieldSelectors.2.endsWith.0=.txt", "advancedEventSelectors.1.fieldSelectors.2.notEndsWith.0=.log",
			"advancedEventSelectors.1.fieldSelectors.3.notEquals.0=GetObjectAcl"}},
		{"LookupEvents", []string{"lookupAttributes.0.attributeKey=EventSource", "lookupAttributes.0.attributeValue=kms.amazonaws.com",
			"startTime", "endTime", "maxResults=50"}},
		{"LookupEvents", []string{"maxResults=50", "nextToken"}},
	}
}

// trailRecords reads every log file under prefix in bucket, as the account's root.
func trailRecords(t *testing.T, c cli, url, bucket, prefix string) []map[string]any {
	t.Helper()
	list := c.ok(t, url, root, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix)
	objects, _ := list["Contents"].([]any)
	var recs []map[string]any
	for _, o := range objects {
		key := o.(map[string]any)["Key"].(string)
		if !strings.HasSuffix(key, ".json.gz") {
			continue
		}
		records, r := c.readLog(t, url, root, bucket, key)
		if r.code != 0 {
			t.Fatalf("get-object %s: exit %d\n%s", key, r.code, r.err)
		}
		recs = append(recs, records...)
	}
	if len(recs) == 0 {
		t.Fatalf("no records under s3://%s/%s", bucket, prefix)
	}
	return recs
}

// anyRecordHas reports whether a record of event holds every member (path[=value]).
func anyRecordHas(recs []map[string]any, event string, members []string) bool {
	for _, r := range recs {
		if r["eventName"] != event {
			continue
		}
		ok := true
		for _, m := range members {
			if !hasMember(r["requestParameters"], m) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// hasMember reports whether params holds the member at path ("a.0.b"), equal to the value after
// the first "=" when there is one (compared as JSON text for numbers and booleans). Map keys
// may hold dots: a segment that is not found whole is joined with the next.
func hasMember(params any, member string) bool {
	path, want, check := strings.Cut(member, "=")
	v, ok := walk(params, strings.Split(path, "."))
	if !ok || v == nil {
		return false
	}
	if !check {
		return true
	}
	switch x := v.(type) {
	case string:
		return x == want
	case bool:
		return strconv.FormatBool(x) == want
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64) == want
	}
	return false
}

func walk(v any, segs []string) (any, bool) {
	if len(segs) == 0 {
		return v, true
	}
	switch x := v.(type) {
	case map[string]any:
		for n := 1; n <= len(segs); n++ {
			if next, ok := x[strings.Join(segs[:n], ".")]; ok {
				if got, ok := walk(next, segs[n:]); ok {
					return got, true
				}
			}
		}
	case []any:
		i, err := strconv.Atoi(segs[0])
		if err == nil && i >= 0 && i < len(x) {
			return walk(x[i], segs[1:])
		}
	}
	return nil, false
}
