package policy

import (
	"errors"
	"strings"
	"testing"
)

func stmt(body string) string { return `{"Version":"2012-10-17","Statement":[` + body + `]}` }

// Each refused document names the statement and element at fault.
func TestParseRefuses(t *testing.T) {
	allowAll := `"Effect":"Allow","Action":"*","Resource":"*"`
	for _, c := range []struct {
		name string
		kind Kind
		doc  string
		want string
	}{
		{"not JSON", Identity, `{"Statement": [`, "Syntax errors in policy: the document ends early"},
		{"bad JSON", Identity, "{\n\"Statement\": x}", "Syntax errors in policy: invalid character 'x' looking for beginning of value (line 2, column 14)"},
		{"trailing data", Identity, stmt(`{`+allowAll+`}`) + `{}`, "unexpected data after the policy object"},
		{"not an object", Identity, `[]`, "the policy must be a JSON object"},
		{"a control character", Identity, "{\"Statement\":\x01}", "not allowed (U+0001 at byte 13)"},
		{"beyond Latin-1 in an IAM policy", Identity, stmt(`{"Sid":"x",`+allowAll+`}`) + "\u3042", "U+3042"},
		{"unknown top-level element", Identity, `{"Version":"2012-10-17","Statment":[]}`, `Statment: unknown element "Statment"`},
		{"bad version", Identity, `{"Version":"2012-10-18","Statement":[{` + allowAll + `}]}`, "Version: The policy must contain a valid version string"},
		{"Id not a string", Identity, `{"Id":1,"Statement":[{` + allowAll + `}]}`, "Id: must be a string"},
		{"no Statement", Identity, `{"Version":"2012-10-17"}`, "missing required element Statement"},
		{"empty Statement", Identity, `{"Statement":[]}`, "at least one statement"},
		{"statement not an object", Identity, `{"Statement":["x"]}`, "Statement[0]: a statement must be a JSON object"},
		{"Sid not a string", Identity, stmt(`{"Sid":1,` + allowAll + `}`), "Statement[0], Sid: must be a string"},
		{"Sid not alphanumeric in an identity policy", Identity, stmt(`{"Sid":"a b",` + allowAll + `}`), `Statement "a b", Sid: Statement IDs (SID) must be alpha-numeric`},
		{"duplicate Sid", Identity, stmt(`{"Sid":"A",` + allowAll + `},{"Sid":"A",` + allowAll + `}`), `Statement "A", Sid: Statement IDs (SID) in a single policy must be unique`},
		{"unknown statement element", Identity, stmt(`{"Efect":"Allow",` + allowAll + `}`), `Statement[0], Efect: unknown element "Efect"`},
		{"missing Effect", Identity, stmt(`{"Action":"*","Resource":"*"}`), "Statement[0], Effect: missing required element Effect"},
		{"bad Effect", Identity, stmt(`{"Effect":"allow","Action":"*","Resource":"*"}`), "Effect: Effect must be Allow or Deny"},
		{"empty Effect", Identity, stmt(`{"Effect":"","Action":"*","Resource":"*"}`), "Effect: Effect must be Allow or Deny"},
		{"Principal in an identity policy", Identity, stmt(`{"Principal":"*",` + allowAll + `}`), "Principal: Policy document should not specify a principal"},
		{"NotPrincipal in a session policy", Session, stmt(`{"NotPrincipal":"*",` + allowAll + `}`), "NotPrincipal: Policy document should not specify a principal"},
		{"no Principal in a key policy", Key, stmt(`{` + allowAll + `}`), "Principal: missing required element Principal"},
		{"both Principal and NotPrincipal", Key, stmt(`{"Principal":"*","NotPrincipal":"*",` + allowAll + `}`), "a statement cannot have both Principal and NotPrincipal"},
		{"a string principal other than *", Bucket, stmt(`{"Principal":"111111111111",` + allowAll + `}`), `invalid principal "111111111111": a string principal can only be "*"`},
		{"an empty principal object", Bucket, stmt(`{"Principal":{},` + allowAll + `}`), "must be \"*\" or an object"},
		{"a principal list of numbers", Bucket, stmt(`{"Principal":{"AWS":[1]},` + allowAll + `}`), "AWS must be a string or a non-empty list of strings"},
		{"an eleven-digit account", Key, stmt(`{"Principal":{"AWS":"11111111111"},` + allowAll + `}`), `invalid principal "11111111111"`},
		{"a wildcard in a principal ARN", Trust, stmt(`{"Principal":{"AWS":"arn:aws:iam::111111111111:role/*"},"Effect":"Allow","Action":"sts:AssumeRole"}`), `invalid principal "arn:aws:iam::111111111111:role/*"`},
		{"a malformed principal ARN", Key, stmt(`{"Principal":{"AWS":"arn:aws:iam::111111111111:group/x"},` + allowAll + `}`), "invalid principal"},
		{"a bad service principal", Key, stmt(`{"Principal":{"Service":"cloudtrail"},` + allowAll + `}`), `invalid Service principal "cloudtrail"`},
		{"a bad canonical user", Bucket, stmt(`{"Principal":{"CanonicalUser":"abc"},` + allowAll + `}`), `invalid CanonicalUser principal "abc"`},
		{"an empty federated principal", Trust, stmt(`{"Principal":{"Federated":""},"Effect":"Allow","Action":"sts:AssumeRole"}`), "invalid Federated principal"},
		{"an unknown principal type", Key, stmt(`{"Principal":{"Account":"111111111111"},` + allowAll + `}`), `unknown principal type "Account"`},
		{"no Action", Identity, stmt(`{"Effect":"Allow","Resource":"*"}`), "Statement[0], Action: missing required element Action"},
		{"both Action and NotAction", Identity, stmt(`{"Effect":"Allow","Action":"*","NotAction":"*","Resource":"*"}`), "cannot have both Action and NotAction"},
		{"an empty action list", Identity, stmt(`{"Effect":"Allow","Action":[],"Resource":"*"}`), "Action: must be a string or a non-empty list"},
		{"an action without a service", Identity, stmt(`{"Effect":"Allow","NotAction":"Decrypt","Resource":"*"}`), `NotAction: invalid action "Decrypt"`},
		{"no Resource", Bucket, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:*"}`), "Resource: missing required element Resource"},
		{"Resource in a trust policy", Trust, stmt(`{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}`), "a trust policy cannot name a Resource"},
		{"Resource not a list of strings", Identity, stmt(`{"Effect":"Allow","Action":"*","Resource":{"a":1}}`), "Resource: must be a string"},
		{"a resource that is not an ARN", Identity, stmt(`{"Effect":"Allow","Action":"*","NotResource":"bucket/*"}`), `NotResource: Resource "bucket/*" must be in ARN format or "*"`},
		{"a malformed variable in a resource", Identity, stmt(`{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username"}`), "malformed policy variable"},
		{"Condition not an object", Identity, stmt(`{` + allowAll + `,"Condition":[]}`), "Condition: must be an object of condition operators"},
		{"an unknown operator", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEq":{"aws:username":"x"}}}`), `Condition: unknown condition operator "StringEq"`},
		{"NullIfExists", Identity, stmt(`{` + allowAll + `,"Condition":{"NullIfExists":{"aws:username":"true"}}}`), `unknown condition operator "NullIfExists"`},
		{"ForAnyValue:Null", Identity, stmt(`{` + allowAll + `,"Condition":{"ForAnyValue:Null":{"aws:username":"true"}}}`), "unknown condition operator"},
		{"an operator without keys", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{}}}`), "StringEquals must be an object of condition keys"},
		{"a key without a service", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"username":"x"}}}`), `invalid condition key "username"`},
		{"an object value", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"aws:username":{"a":"b"}}}}`), "values must be strings, numbers or booleans"},
		{"an empty value list", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"aws:username":[]}}}`), "values must be strings"},
		{"a null in a value list", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"aws:username":["a",null]}}}`), "values must be strings"},
		{"a number that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}`), `value "ten" is not a number`},
		{"a date that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"DateLessThan":{"aws:CurrentTime":"soon"}}}`), `value "soon" is not a date`},
		{"an epoch too large", Identity, stmt(`{` + allowAll + `,"Condition":{"DateLessThan":{"aws:EpochTime":"99999999999999999999"}}}`), "is not a date"},
		{"a boolean that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}}`), `value "yes" is not true or false`},
		{"a Null value that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"Null":{"aws:username":"1"}}}`), "is not true or false"},
		{"binary that is not base64", Identity, stmt(`{` + allowAll + `,"Condition":{"BinaryEquals":{"k:b":"***"}}}`), "is not base64"},
		{"an address that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300"}}}`), "is not an IP address or CIDR block"},
		{"a CIDR that is not", Identity, stmt(`{` + allowAll + `,"Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}`), "is not an IP address or CIDR block"},
		{"a malformed variable in a condition", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"s3:prefix":"${}"}}}`), `malformed policy variable "${}"`},
		{"a default on an escape", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"s3:prefix":"${*, 'x'}"}}}`), "malformed policy variable"},
		{"a default without quotes", Identity, stmt(`{` + allowAll + `,"Condition":{"StringEquals":{"s3:prefix":"${aws:username, x}"}}}`), "malformed policy variable"},
		{"ForAllValues with kms:EncryptionContext in a key policy", Key, stmt(`{"Sid":"S","Principal":"*",` + allowAll + `,"Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:Department":"IT"}}}`),
			"OverlyPermissiveCondition: Statement \"S\", Condition: ForAllValues:StringEquals with kms:EncryptionContext:Department"},
		{"too large", Bucket, stmt(`{"Sid":"` + strings.Repeat("x", maxDocument) + `"}`), "Cannot exceed quota for PolicySize: 131072"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.doc, c.kind)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, c.want)
			}
			if p != nil {
				t.Fatal("a refused document yields no policy")
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for _, c := range []struct {
		name string
		kind Kind
		doc  string
	}{
		{"one statement, not a list, version 2008 by default", Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}`},
		{"a key policy statement without Action or Resource (no effect)", Key, stmt(`{"Effect":"Allow","Principal":"*"}`)},
		{"a key policy with Sids containing spaces", Key, stmt(`{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"kms:*","Resource":"*"}`)},
		{"every principal form", Bucket, stmt(`{"Effect":"Allow","Principal":{"AWS":["*","111111111111","arn:aws:iam::111111111111:root","arn:aws:iam::111111111111:user/path/Bob","arn:aws:iam::111111111111:role/R","arn:aws:sts::111111111111:assumed-role/R/s1","arn:aws:sts::111111111111:federated-user/fed","AIDAEXAMPLEEXAMPLE123"],"Service":"cloudtrail.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"` + strings.Repeat("ab", 32) + `"},"Action":"s3:*","Resource":"*"}`)},
		{"a trust policy with conditions", Trust, stmt(`{"Sid":"Allow CloudTrail access","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}`)},
		{"ForAllValues with kms:EncryptionContextKeys in a key policy", Key, stmt(`{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContextKeys":["a"]}}}`)},
		{"ForAllValues with kms:EncryptionContext in an identity policy", Identity, stmt(`{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"kms:EncryptionContext:a":["a"]}}}`)},
		{"Latin-1 and a bucket policy's wider Unicode", Bucket, stmt(`{"Sid":"journaux à déchiffrer あ","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.doc, c.kind)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != c.kind || len(p.Statements) == 0 || p.Kind.String() == "" {
				t.Fatalf("policy = %+v", p)
			}
		})
	}
	p, _ := Parse(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`, Identity)
	if p.Version != Version2008 {
		t.Errorf("Version = %q, want the 2008 default", p.Version)
	}
	if Kind(99).String() != "policy" {
		t.Error("an unknown kind is a policy")
	}
}

func TestCheckSize(t *testing.T) {
	doc := `{"Statement": [` + strings.Repeat(" ", 5000) + `]}`
	if err := CheckSize(doc, Identity, MaxUserPolicySize); err != nil {
		t.Fatalf("white space does not count for IAM: %v", err)
	}
	err := CheckSize(doc, Key, 4096)
	var se *SizeError
	if !errors.As(err, &se) || se.Size != len(doc) || se.Limit != 4096 || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("key policies count bytes: %v", err)
	}
	if err := CheckSize(strings.Repeat("x", MaxTrustPolicySize+1), Trust, MaxTrustPolicySize); err == nil {
		t.Fatal("over the quota")
	}
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	doc := stmt(`{"Effect":"Allow","Action":"*","Resource":"*"}`)
	a, err := c.Parse(doc, Identity)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := c.Parse(doc, Identity); a != b {
		t.Fatal("the same document and kind give the same policy")
	}
	if _, err := c.Parse(doc, Key); err == nil {
		t.Fatal("the kind is part of the key: a key policy needs a Principal")
	}
	if _, err := c.Parse("{", Identity); err == nil {
		t.Fatal("errors are cached too")
	}
	if c.n > 2 {
		t.Fatalf("the cache holds %d documents, more than its capacity", c.n)
	}
}

func TestKindNamed(t *testing.T) {
	for _, name := range []string{"identity", "session", "trust", "key", "bucket"} {
		k, ok := KindNamed(name)
		if !ok || k.String() != name+" policy" {
			t.Errorf("KindNamed(%q) = %v, %v", name, k, ok)
		}
	}
	if _, ok := KindNamed("resource"); ok {
		t.Error("resource is not a kind")
	}
}
