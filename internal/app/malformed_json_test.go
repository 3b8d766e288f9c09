package app_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/sigv4"
)

// malformed is one correctly signed request whose content is wrong.
type malformed struct {
	name        string
	target      string // X-Amz-Target (JSON); "" for the query protocol
	contentType string // "" for the protocol's own
	body        string
	query       string // the query protocol's URL query, for GET requests
	want        int    // the HTTP status expected (a 4xx)
	code        string // the AWS error code expected
	recorded    bool   // the call reaches an operation, so CloudTrail records it
}

// answer is what the server answered a malformed request.
type answer struct {
	status    int
	code      string
	requestID string
}

// send signs c for service as the account's root and sends it.
func (e *env) send(t *testing.T, service string, c malformed) answer {
	t.Helper()
	method, url := http.MethodPost, e.url+"/"
	if c.query != "" {
		method, url = http.MethodGet, url+"?"+c.query
	}
	req, err := http.NewRequest(method, url, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	ct := c.contentType
	switch {
	case ct != "":
	case c.target != "":
		ct = "application/x-amz-json-1.1"
	default:
		ct = "application/x-www-form-urlencoded; charset=utf-8"
	}
	req.Header.Set("Content-Type", ct)
	if c.target != "" {
		req.Header.Set("X-Amz-Target", c.target)
	}
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sigv4.BodyHash([]byte(c.body)), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: the server did not answer: %v", c.name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", c.name, err)
	}
	return answer{status: resp.StatusCode, code: errorCode(t, c.name, resp.Header.Get("Content-Type"), body),
		requestID: resp.Header.Get("X-Amzn-Requestid")}
}

// errorCode is the AWS error code of a JSON or query-protocol error body; it fails the test when
// the body is not AWS-shaped.
func errorCode(t *testing.T, name, contentType string, body []byte) string {
	t.Helper()
	if strings.Contains(contentType, "json") {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(body, &e); err != nil || e.Type == "" {
			t.Errorf("%s: the answer is not a JSON-protocol error: %.200s", name, body)
		}
		return e.Type
	}
	i, j := bytes.Index(body, []byte("<Code>")), bytes.Index(body, []byte("</Code>"))
	if !bytes.Contains(body, []byte("<ErrorResponse")) || i < 0 || j < i {
		t.Errorf("%s: the answer is not a query-protocol error: %.200s", name, body)
		return ""
	}
	return string(body[i+len("<Code>") : j])
}

// runMalformed sends each case, checking a 4xx AWS-shaped answer, that the server still answers
// and that state is unchanged (snapshot), then that every recorded call's record is in the
// delivered log files, which encoding/json and Python's json module both parse.
func runMalformed(t *testing.T, e *env, service string, cases []malformed, snapshot func() string) {
	before := snapshot()
	var recorded []answer
	for _, c := range cases {
		a := e.send(t, service, c)
		if a.status != c.want || a.code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, a.status, a.code, c.want, c.code)
		}
		if a.status < 400 || a.status >= 500 {
			t.Errorf("%s: status %d is not a 4xx", c.name, a.status)
		}
		if after := snapshot(); after != before {
			t.Fatalf("%s changed the state:\n%s\n%s", c.name, before, after)
		}
		if c.recorded {
			recorded = append(recorded, a)
		}
	}
	recs := deliveredRecords(t, e)
	byRequest := map[string]record{}
	for _, r := range recs {
		if id, _ := r["requestID"].(string); id != "" {
			byRequest[id] = r
		}
	}
	for i, a := range recorded {
		r := byRequest[a.requestID]
		if r == nil {
			t.Errorf("call %d (%s) has no CloudTrail record", i, a.code)
			continue
		}
		if r["errorCode"] != a.code {
			t.Errorf("call %d: the record's errorCode is %v, want %s", i, r["errorCode"], a.code)
		}
	}
}

// deliveredRecords flushes the trail "management" and reads every delivered log file, each
// checked by encoding/json and (in the e2e tier, see crossCheckJSON) by python3's json module.
func deliveredRecords(t *testing.T, e *env) []record {
	t.Helper()
	if s := e.flush(); len(s.Errors) > 0 {
		t.Fatalf("flush: %v", s.Errors)
	}
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	list := must(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("trail-logs"), Prefix: aws.String("AWSLogs/")}))(t)
	dir := t.TempDir()
	var recs []record
	var paths []string
	for i, o := range list.Contents {
		if !strings.Contains(aws.ToString(o.Key), "/CloudTrail/") {
			continue
		}
		out := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("trail-logs"), Key: o.Key}))(t)
		zr, err := gzip.NewReader(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []record }
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: encoding/json: %v", aws.ToString(o.Key), err)
		}
		recs = append(recs, doc.Records...)
		path := filepath.Join(dir, strconv.Itoa(i)+".json")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	if len(paths) == 0 {
		t.Fatal("no log file was delivered")
	}
	crossCheckJSON(t, paths, len(recs))
	return recs
}

// nestedJSON is a valid value of levels alternating arrays and objects.
func nestedJSON(levels int) string {
	var b strings.Builder
	for i := range levels {
		if i%2 == 0 {
			b.WriteString("[")
		} else {
			b.WriteString(`{"a":`)
		}
	}
	b.WriteString("1")
	for i := levels - 1; i >= 0; i-- {
		if i%2 == 0 {
			b.WriteString("]")
		} else {
			b.WriteString("}")
		}
	}
	return b.String()
}

// manyMembers is an object of n unknown members.
func manyMembers(n int) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"M%d":%d`, i, i)
	}
	return b.String() + "}"
}

const (
	kmsTarget = "TrentService."
	ctTarget  = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
)

// Malformed, correctly signed KMS and CloudTrail requests are each answered with a 4xx
// JSON-protocol error, change nothing, leave the server answering, and are recorded in log files
// every strict JSON parser reads. The first is the 3 MB body that used to overflow the
// recorder's stack.
func TestMalformedJSONRequests(t *testing.T) {
	e := start(t, t.TempDir())
	setupTrail(t, e)
	ctx := context.Background()
	kc, ct := e.rootKMS(), e.cloudtrail(account, rootSecret, "us-east-1")
	keyID := aws.ToString(must(kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("untouched")}))(t).KeyMetadata.KeyId)
	must(kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/untouched"), TargetKeyId: aws.String(keyID)}))(t)
	snapshot := func() string {
		keys := must(kc.ListKeys(ctx, &kms.ListKeysInput{}))(t)
		aliases := must(kc.ListAliases(ctx, &kms.ListAliasesInput{}))(t)
		trails := must(ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{}))(t)
		desc := must(kc.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(keyID)}))(t)
		return mustJSON(t, []any{keys.Keys, aliases.Aliases, trails.TrailList, desc.KeyMetadata})
	}
	const ser, val = "SerializationException", "ValidationException"
	deep3MB := `{"X":` + strings.Repeat("[", 3_000_000)
	cases := []malformed{
		{name: "3 MB of nested arrays", target: kmsTarget + "DescribeKey", body: deep3MB, want: 400, code: ser, recorded: true},
		{name: "3 MB of nested arrays to a write", target: kmsTarget + "ScheduleKeyDeletion", body: deep3MB, want: 400, code: ser, recorded: true},
		{name: "3 MB of nested arrays to CloudTrail", target: ctTarget + "DeleteTrail", body: deep3MB, want: 400, code: ser, recorded: true},
		{name: "nested one past the bound in an unknown member", target: kmsTarget + "DescribeKey", body: `{"KeyId":"` + keyID + `","X":` + nestedJSON(64) + `}`, want: 400, code: ser, recorded: true},
		{name: "100,000 closed levels in a known member", target: kmsTarget + "DisableKey", body: `{"KeyId":` + nestedJSON(100_000) + `}`, want: 400, code: ser, recorded: true},
		{name: "deep advanced event selectors", target: ctTarget + "PutEventSelectors", body: `{"TrailName":"management","AdvancedEventSelectors":` + nestedJSON(70) + `}`, want: 400, code: ser, recorded: true},
		{name: "deep LookupEvents attributes", target: ctTarget + "LookupEvents", body: `{"LookupAttributes":` + nestedJSON(5000) + `}`, want: 400, code: ser, recorded: true},
		{name: "a body over 8 MiB", target: kmsTarget + "DisableKey", body: `{"KeyId":"` + strings.Repeat("k", 8<<20) + `"}`, want: 413, code: "RequestEntityTooLarge"},
		{name: "a 7 MB key ID", target: kmsTarget + "DisableKey", body: `{"KeyId":"` + strings.Repeat("k", 7<<20) + `"}`, want: 400, code: val, recorded: true},
		{name: "200,000 unknown members", target: kmsTarget + "DisableKey", body: manyMembers(200_000), want: 400, code: val, recorded: true},
		{name: "invalid UTF-8", target: kmsTarget + "DisableKey", body: "{\"KeyId\":\"\xff\xfe\"}", want: 400, code: ser, recorded: true},
		{name: "invalid UTF-8 to CloudTrail", target: ctTarget + "DeleteTrail", body: "{\"Name\":\"\xc3\x28\"}", want: 400, code: ser, recorded: true},
		{name: "a control character in a string", target: kmsTarget + "DisableKey", body: "{\"KeyId\":\"a\x01b\"}", want: 400, code: ser, recorded: true},
		{name: "a bad escape", target: kmsTarget + "DisableKey", body: `{"KeyId":"\x41"}`, want: 400, code: ser, recorded: true},
		{name: "a number for a string", target: kmsTarget + "DisableKey", body: `{"KeyId":1}`, want: 400, code: ser, recorded: true},
		{name: "a list for a string", target: kmsTarget + "DisableKey", body: `{"KeyId":["` + keyID + `"]}`, want: 400, code: ser, recorded: true},
		{name: "an object for a boolean", target: ctTarget + "UpdateTrail", body: `{"Name":"management","IsMultiRegionTrail":{"a":true}}`, want: 400, code: ser, recorded: true},
		{name: "a string for a number", target: kmsTarget + "ListKeys", body: `{"Limit":"10"}`, want: 400, code: ser, recorded: true},
		{name: "a number beyond float64", target: kmsTarget + "ListKeys", body: `{"Limit":1e400}`, want: 400, code: ser, recorded: true},
		{name: "a number beyond int32", target: kmsTarget + "ListKeys", body: `{"Limit":99999999999999999999}`, want: 400, code: ser, recorded: true},
		{name: "a fraction for an integer", target: kmsTarget + "ListKeys", body: `{"Limit":1.5}`, want: 400, code: ser, recorded: true},
		{name: "a string for a timestamp", target: ctTarget + "LookupEvents", body: `{"StartTime":"yesterday"}`, want: 400, code: ser, recorded: true},
		{name: "a lookup attribute of the wrong type", target: ctTarget + "LookupEvents", body: `{"LookupAttributes":[{"AttributeKey":1}]}`, want: 400, code: ser, recorded: true},
		{name: "duplicate keys", target: kmsTarget + "DisableKey", body: `{"KeyId":"` + keyID + `","KeyId":"nope"}`, want: 400, code: "NotFoundException", recorded: true},
		{name: "an empty body", target: kmsTarget + "DisableKey", body: ``, want: 400, code: val, recorded: true},
		{name: "an empty body to CloudTrail", target: ctTarget + "DeleteTrail", body: ``, want: 400, code: "TrailNotProvidedException", recorded: true},
		{name: "a JSON array", target: kmsTarget + "DisableKey", body: `[]`, want: 400, code: ser, recorded: true},
		{name: "a JSON string", target: kmsTarget + "DisableKey", body: `"` + keyID + `"`, want: 400, code: ser, recorded: true},
		{name: "trailing garbage", target: kmsTarget + "DisableKey", body: `{"KeyId":"` + keyID + `"} x`, want: 400, code: ser, recorded: true},
		{name: "a second document", target: kmsTarget + "DisableKey", body: `{"KeyId":"` + keyID + `"}{}`, want: 400, code: ser, recorded: true},
		{name: "a truncated document", target: kmsTarget + "DisableKey", body: `{"KeyId":`, want: 400, code: ser, recorded: true},
		{name: "a byte order mark", target: kmsTarget + "DisableKey", body: "\xef\xbb\xbf{\"KeyId\":\"" + keyID + "\"}", want: 400, code: ser, recorded: true},
		{name: "a NUL byte", target: kmsTarget + "DisableKey", body: "{\"KeyId\":\"" + keyID + "\"}\x00", want: 400, code: ser, recorded: true},
		{name: "an unknown KMS operation", target: kmsTarget + "DestroyEverything", body: `{}`, want: 400, code: "UnknownOperationException"},
		{name: "an empty operation", target: kmsTarget, body: `{}`, want: 400, code: "UnknownOperationException"},
		{name: "a target of another service", target: ctTarget + "DeleteTrail", body: `{"Name":"management"}`, contentType: "application/x-amz-json-1.1", want: 400, code: "UnknownOperationException"},
		{name: "an unknown CloudTrail operation", target: ctTarget + "Nope", body: `{}`, want: 400, code: "UnknownOperationException"},
		{name: "a wrong Content-Type and a malformed body", target: kmsTarget + "DisableKey", contentType: "text/plain", body: `{"KeyId":`, want: 400, code: ser, recorded: true},
	}
	// "a target of another service" is sent with KMS's scope below; the others with their own.
	var kmsCases, ctCases []malformed
	for _, c := range cases {
		if strings.HasPrefix(c.target, ctTarget) && c.name != "a target of another service" {
			ctCases = append(ctCases, c)
		} else {
			kmsCases = append(kmsCases, c)
		}
	}
	runMalformed(t, e, "kms", kmsCases, snapshot)
	runMalformed(t, e, "cloudtrail", ctCases, snapshot)
}
