package advisor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/advisor"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
)

const keyARN = "arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"

func check(t *testing.T, statements []stmt, u advisor.Use) *advisor.Report {
	t.Helper()
	u.KeyARN = keyARN
	r, err := advisor.Check(context.Background(), scenario{statements: statements}.policy(), u)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// finding returns the report's first finding of a requirement about subject (any when "").
func finding(t *testing.T, r *advisor.Report, id, subject string) *advisor.Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.Requirement == id && (subject == "" || strings.Contains(f.Subject, subject)) {
			return f
		}
	}
	t.Fatalf("no finding %s about %q", id, subject)
	return nil
}

// TestInvalidUse: a use the advisor cannot check is ValidationException, naming what is wrong;
// a document that is not a key policy is MalformedPolicyDocumentException.
func TestInvalidUse(t *testing.T) {
	good := scenario{statements: []stmt{rootStmt}}.policy()
	trail := []advisor.Trail{{ARN: trailARN}}
	for _, c := range []struct {
		name, doc string
		use       advisor.Use
		code      awserr.Code
		says      string
	}{
		{"no key", good, advisor.Use{Trails: trail}, awserr.ValidationException, "KeyARN"},
		{"an alias for the key", good, advisor.Use{KeyARN: "arn:aws:kms:us-east-1:" + acct + ":alias/logs", Trails: trail}, awserr.ValidationException, "KeyARN"},
		{"a bad trail ARN", good, advisor.Use{KeyARN: keyARN, Trails: []advisor.Trail{{ARN: "management"}}}, awserr.ValidationException, "Trail \"management\""},
		{"a bad bucket", good, advisor.Use{KeyARN: keyARN, Trails: []advisor.Trail{{ARN: trailARN, Bucket: "Logs_Bucket"}}}, awserr.ValidationException, "Bucket"},
		{"a bad account", good, advisor.Use{KeyARN: keyARN, Accounts: []string{"1234"}}, awserr.ValidationException, "Account \"1234\""},
		{"a bad store", good, advisor.Use{KeyARN: keyARN, EventDataStores: []string{"arn:aws:cloudtrail:us-east-1:" + acct + ":trail/x"}}, awserr.ValidationException, "EventDataStore"},
		{"a bad reader", good, advisor.Use{KeyARN: keyARN, Trails: trail, Readers: []string{"bob"}}, awserr.ValidationException, "Reader \"bob\""},
		{"not JSON", "{", advisor.Use{KeyARN: keyARN, Trails: trail}, awserr.MalformedPolicyDocumentException, "Syntax errors"},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, advisor.Use{KeyARN: keyARN, Trails: trail},
			awserr.MalformedPolicyDocumentException, "Principal"},
		{"too large", `{"Version":"2012-10-17","Statement":[` + strings.Repeat(" ", 40000) + `]}`, advisor.Use{KeyARN: keyARN, Trails: trail},
			awserr.MalformedPolicyDocumentException, "32768"},
	} {
		_, err := advisor.Check(context.Background(), c.doc, c.use)
		e, ok := awserr.As(err)
		if !ok || e.Code != c.code || !strings.Contains(e.Message, c.says) {
			t.Errorf("%s: %v; want %s saying %q", c.name, err, c.code, c.says)
		}
	}
}

// TestPrincipal: readers' ARNs become the callers keytrail's IAM and STS make.
func TestPrincipal(t *testing.T) {
	for arn, want := range map[string]identity.Principal{
		acct:                             identity.AccountRoot(acct),
		"arn:aws:iam::" + acct + ":root": identity.AccountRoot(acct),
		bob:                              {Type: identity.IAMUser, Account: acct, ARN: bob, UserName: "bob"},
		"arn:aws:iam::" + acct + ":user/ops/carol": {Type: identity.IAMUser, Account: acct, ARN: "arn:aws:iam::" + acct + ":user/ops/carol", UserName: "carol"},
		auditor: {Type: identity.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/CloudTrailReadRole/policy-check",
			RoleName: "CloudTrailReadRole", RoleARN: auditor, SessionName: "policy-check"},
		"arn:aws:sts::" + acct + ":assumed-role/Auditor/jane": {Type: identity.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/Auditor/jane",
			RoleName: "Auditor", RoleARN: "arn:aws:iam::" + acct + ":role/Auditor", SessionName: "jane"},
	} {
		got, err := advisor.Principal(arn)
		if err != nil || got != want {
			t.Errorf("Principal(%s) = %+v, %v; want %+v", arn, got, err, want)
		}
	}
	for _, bad := range []string{"", "bob", "arn:aws:iam::" + acct + ":group/admins", "arn:aws:iam::12:root"} {
		if _, err := advisor.Principal(bad); err == nil {
			t.Errorf("Principal(%q) accepted", bad)
		}
	}
}

// TestFindingNamesTheStatement: a met requirement names the statement that meets it; one not
// met names the statement that came closest with the engine's reason, and the statement to add.
func TestFindingNamesTheStatement(t *testing.T) {
	r := check(t, []stmt{rootStmt, encryptStmt, describeStmt}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}, {ARN: "arn:aws:cloudtrail:us-east-1:" + acct + ":trail/other"}}})
	if f := finding(t, r, advisor.Encrypt, trailARN); !f.Met || f.Statement != `Statement "Allow CloudTrail to encrypt logs"` || f.Add != nil {
		t.Errorf("encrypt for management: %+v", f)
	}
	f := finding(t, r, advisor.Encrypt, "trail/other")
	if f.Met || f.Statement != "" || !strings.Contains(f.Problem, "no statement of the key policy allows cloudtrail.amazonaws.com kms:GenerateDataKey (CreateTrail's key check)") {
		t.Fatalf("encrypt for other: %+v", f)
	}
	if len(f.Details) != 1 || !strings.Contains(f.Details[0], `Statement "Allow CloudTrail to encrypt logs": Condition StringEquals aws:SourceArn: request value ["arn:aws:cloudtrail:us-east-1:`+acct+`:trail/other"]`) {
		t.Errorf("details: %q", f.Details)
	}
	var add stmt
	// The statement to add names every trail of the use: adding it replaces the statement of its Sid.
	if err := json.Unmarshal(f.Add, &add); err != nil || add["Sid"] != "Allow CloudTrail to encrypt logs" ||
		fmt.Sprint(add["Condition"].(stmt)["StringEquals"].(stmt)["aws:SourceArn"]) != "["+trailARN+" arn:aws:cloudtrail:us-east-1:"+acct+":trail/other]" {
		t.Errorf("add: %s (%v)", f.Add, err)
	}
	if f.Replaces != `Statement "Allow CloudTrail to encrypt logs"` {
		t.Errorf("replaces %q", f.Replaces)
	}
	if len(f.Requests) != 2 || f.Requests[0].Allowed || !strings.Contains(f.Requests[0].Denial, "because no resource-based policy allows the kms:GenerateDataKey action") {
		t.Errorf("requests: %+v", f.Requests)
	}
	if d := f.Requests[1]; d.Made != "log file delivery through S3" || d.Context["kms:ViaService"][0] != "s3.us-east-1.amazonaws.com" ||
		!strings.HasPrefix(d.Context["kms:EncryptionContext:aws:s3:arn"][0], "arn:aws:s3:::cloudtrail-logs-"+acct+"/AWSLogs/"+acct+"/CloudTrail/us-east-1/") {
		t.Errorf("delivery request: %+v", d)
	}
	if r.OK() || r.Met+r.NotMet != len(r.Findings) {
		t.Errorf("report: %d met, %d not met of %d", r.Met, r.NotMet, len(r.Findings))
	}
}

// TestExplicitDeny: a Deny statement is named as what refuses, with the advice to narrow it.
func TestExplicitDeny(t *testing.T) {
	deny := stmt{"Sid": "DenyOutsideOrg", "Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*",
		"Condition": stmt{"StringNotEquals": stmt{"kms:CallerAccount": acct}}}
	r := check(t, []stmt{rootStmt, encryptStmt, describeStmt, crossReadStmt, deny}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}, Readers: []string{alice}})
	f := finding(t, r, advisor.CrossAccountDecrypt, alice)
	if f.Met || f.Statement != `Statement "DenyOutsideOrg"` || !strings.Contains(f.Problem, "an explicit deny in the key policy") ||
		!strings.Contains(f.Note, "IAM policies must allow kms:Decrypt") {
		t.Errorf("finding: %+v", f)
	}
}

// TestDelegated: a requirement met by the account's statement says the caller's IAM policies
// must allow it too; one met by a statement without the Null condition says so.
func TestDelegated(t *testing.T) {
	r := check(t, []stmt{rootStmt, encryptStmt, describeStmt}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}, Readers: []string{bob}})
	f := finding(t, r, advisor.Decrypt, bob)
	if !f.Met || !f.Delegated || f.Statement != `Statement "Enable IAM user permissions"` || f.Advisory == nil || !f.Advisory.Allowed ||
		!strings.Contains(f.Note, `Statement "Enable IAM user permissions" also lets the reader decrypt data that is not a CloudTrail log file`) {
		t.Errorf("finding: %+v", f)
	}
	// The seed's statement for bob, with its Null condition, keeps him to log files.
	seed := check(t, []stmt{encryptStmt, describeStmt, decryptStmt}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}, Readers: []string{bob}})
	if f := finding(t, seed, advisor.Decrypt, bob); !f.Met || f.Delegated || f.Advisory == nil || f.Advisory.Allowed || f.Note != "" {
		t.Errorf("with the seed's statement: %+v", f)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text); err != nil || !strings.Contains(text.String(), `by Statement "Enable IAM user permissions", which names the caller's account: its IAM policies must allow it too`) {
		t.Errorf("text (%v):\n%s", err, text.String())
	}
}

// TestEventDataStores: a statement with aws:SourceArn or aws:SourceAccount is named as not
// supported; a key of another account or Region is refused as the Lake refuses it.
func TestEventDataStores(t *testing.T) {
	r := check(t, []stmt{rootStmt, storeSourceStmt}, advisor.Use{EventDataStores: []string{storeARN,
		"arn:aws:cloudtrail:us-east-1:" + other + ":eventdatastore/x", "arn:aws:cloudtrail:eu-west-1:" + acct + ":eventdatastore/y"}})
	f := finding(t, r, advisor.StoreEncrypt, storeARN)
	if f.Met || !strings.Contains(f.Problem, "aws:SourceArn and aws:SourceAccount are not supported in key policies for event data stores") ||
		len(f.Details) != 1 || !strings.Contains(f.Details[0], "aws:SourceAccount: the key is not in the request") {
		t.Errorf("store: %+v", f)
	}
	if f := finding(t, r, advisor.StoreKey, other); f.Met || !strings.Contains(f.Problem, "a key from another account is not supported") || f.Add != nil {
		t.Errorf("other account: %+v", f)
	}
	if f := finding(t, r, advisor.StoreKey, "eu-west-1"); f.Met || !strings.Contains(f.Problem, "must be in its Region") {
		t.Errorf("other region: %+v", f)
	}
}

// TestLockout: the key stays manageable through its root or an administrator the policy names;
// without either the finding says so and adds the root statement.
func TestLockout(t *testing.T) {
	admin := stmt{"Sid": "Key administrators", "Effect": "Allow", "Principal": stmt{"AWS": []any{"arn:aws:iam::" + acct + ":user/admin", alice, "arn:aws:iam::" + acct + ":user/admin"}},
		"Action": "kms:*", "Resource": "*"}
	r := check(t, []stmt{encryptStmt, admin}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}})
	f := finding(t, r, advisor.Lockout, "")
	if !f.Met || f.Statement != `Statement "Key administrators"` || len(f.Requests) != 2 || f.Requests[0].Allowed || !f.Requests[1].Allowed {
		t.Errorf("with an administrator: %+v", f)
	}
	r = check(t, []stmt{encryptStmt}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}})
	f = finding(t, r, advisor.Lockout, "")
	if f.Met || !strings.HasPrefix(f.Problem, "no principal can change the key policy any more") || !strings.Contains(string(f.Add), `"kms:*"`) {
		t.Errorf("without: %+v", f)
	}
}

// TestAccountsAndBucketKey: an account given without a trail stands for a trail of it and for
// its principals reading its logs; a Bucket Key adds CloudTrail's Decrypt and the bucket's
// context.
func TestAccountsAndBucketKey(t *testing.T) {
	r := check(t, []stmt{rootStmt, crossEncryptStmt, crossReadStmt, ctDecryptStmt},
		advisor.Use{Trails: []advisor.Trail{{ARN: trailARN, Bucket: "logs", Prefix: "p", BucketKey: true}}, Accounts: []string{other, acct}})
	f := finding(t, r, advisor.CrossAccountEncrypt, other)
	if !f.Met || !strings.Contains(f.Note, "give --trail") || f.Requests[0].Context["aws:SourceArn"][0] != "arn:aws:cloudtrail:us-east-1:"+other+":trail/any-trail" {
		t.Errorf("account trail: %+v", f)
	}
	if f := finding(t, r, advisor.CrossAccountDecrypt, other); !f.Met || f.Requests[0].Principal != "arn:aws:iam::"+other+":root" {
		t.Errorf("account reader: %+v", f)
	}
	f = finding(t, r, advisor.BucketKey, trailARN)
	if !f.Met || len(f.Requests) != 2 || f.Requests[0].Context["kms:EncryptionContext:aws:s3:arn"][0] != "arn:aws:s3:::logs/p/AWSLogs/"+acct+"/" ||
		f.Requests[1].Context["kms:EncryptionContext:aws:s3:arn"][0] != "arn:aws:s3:::logs" {
		t.Errorf("bucket key: %+v", f)
	}
	if f := finding(t, r, advisor.DescribeKey, other); f.Met || !strings.Contains(string(f.Add), `"StringLike"`) {
		t.Errorf("describe for the account's trails: %+v", f)
	}
}

// TestAddedStatementsMeetTheRequirements: in every scenario, adding the statements the
// findings suggest (replacing those of the same Sid) meets every requirement a policy can meet.
func TestAddedStatementsMeetTheRequirements(t *testing.T) {
	for _, sc := range scenarios() {
		u := sc.use(keyARN)
		r, err := advisor.Check(context.Background(), sc.policy(), u)
		if err != nil {
			t.Fatal(err)
		}
		fixed := slices.Clone(sc.statements)
		for _, f := range r.Findings {
			if f.Met {
				continue
			}
			var add stmt
			if err := json.Unmarshal(f.Add, &add); err != nil {
				t.Fatalf("%s: %s adds %q: %v", sc.name, f.Requirement, f.Add, err)
			}
			fixed = slices.DeleteFunc(fixed, func(s stmt) bool { return s["Sid"] == add["Sid"] })
			fixed = append(fixed, add)
		}
		sc.statements = fixed
		r, err = advisor.Check(context.Background(), sc.policy(), u)
		if err != nil {
			t.Fatal(err)
		}
		if got := notMet(r); len(got) > 0 {
			var text bytes.Buffer
			_ = r.WriteText(&text)
			t.Errorf("%s: with the statements added, still not met: %q\n%s", sc.name, got, text.String())
		}
	}
}

// TestText: the text report says each requirement's status, the statement that failed and the
// one to add; the JSON report has the same findings.
func TestText(t *testing.T) {
	r := check(t, []stmt{rootStmt, describeStmt}, advisor.Use{Trails: []advisor.Trail{{ARN: trailARN}}, Accounts: []string{other}})
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"key policy check for " + keyARN + "\n",
		"NOT MET encrypt: CloudTrail may encrypt the trail's log files",
		"        for " + trailARN + "\n",
		"        no statement of the key policy allows cloudtrail.amazonaws.com kms:GenerateDataKey (CreateTrail's key check)\n",
		"        add this statement to the key policy:\n          {\n            \"Sid\": \"Allow CloudTrail to encrypt logs\",",
		"ok      describe-key: CloudTrail may describe the key (kms:DescribeKey)\n        for " + trailARN + "\n        by Statement \"Allow CloudTrail access\"\n",
		"        note: checked for a trail named any-trail",
		"          - Statement \"Allow CloudTrail access\": Condition StringEquals aws:SourceArn",
		"ok      lockout:",
		"\nnote: no reader given: nobody's decrypt of the logs was checked (give --reader for each principal that reads them)\n6 requirement(s): 2 met, 4 not met\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	j, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back advisor.Report
	if err := json.Unmarshal(j, &back); err != nil || len(back.Findings) != len(r.Findings) || back.NotMet != 4 || back.Findings[0].Requirement != advisor.Encrypt {
		t.Errorf("json: %s (%v)", j, err)
	}
}
