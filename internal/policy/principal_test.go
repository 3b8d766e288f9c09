package policy

import "testing"

var (
	user    = Caller{Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/Bob", UserID: "AIDABOBEXAMPLEEXAMPLE"}
	sess    = Caller{Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/R/s1", RoleARN: "arn:aws:iam::111111111111:role/R", RoleID: "AROAREXAMPLEEXAMPLE1"}
	root    = Caller{Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"}
	service = Caller{Service: "cloudtrail.amazonaws.com"}
	anon    = Caller{Anonymous: true}
)

func principals(t *testing.T, element string) *Principals {
	t.Helper()
	p, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":`+element+`,"Action":"*","Resource":"*"}]}`, Bucket)
	if err != nil {
		t.Fatal(err)
	}
	return p.Statements[0].Principal
}

func TestPrincipalMatch(t *testing.T) {
	for _, c := range []struct {
		element string
		caller  Caller
		want    Match
	}{
		{`"*"`, anon, MatchDirect},
		{`{"AWS":"*"}`, service, MatchDirect},
		{`{"AWS":"*"}`, anon, MatchDirect},
		{`{"AWS":"111111111111"}`, anon, NoMatch},
		{`{"Service":"cloudtrail.amazonaws.com"}`, service, MatchDirect},
		{`{"Service":"s3.amazonaws.com"}`, service, NoMatch},
		{`{"AWS":"111111111111"}`, service, NoMatch},
		{`{"AWS":"111111111111"}`, user, MatchAccount},
		{`{"AWS":"111111111111"}`, root, MatchDirect},
		{`{"AWS":"arn:aws:iam::111111111111:user/Bob"}`, user, MatchDirect},
		{`{"AWS":"AIDABOBEXAMPLEEXAMPLE"}`, user, MatchDirect},
		{`{"AWS":["111111111111","arn:aws:iam::111111111111:role/R"]}`, sess, MatchRole},
		{`{"AWS":"AROAREXAMPLEEXAMPLE1"}`, sess, MatchRole},
		{`{"AWS":"arn:aws:sts::111111111111:assumed-role/R/s1"}`, sess, MatchDirect},
		{`{"AWS":"222222222222"}`, user, NoMatch},
		{`{"Federated":"cognito-identity.amazonaws.com"}`, user, NoMatch},
	} {
		if got := principals(t, c.element).match(&c.caller); got != c.want {
			t.Errorf("%s against %s = %v, want %v", c.element, c.caller.ARN+c.caller.Service, got, c.want)
		}
	}
}

// NotPrincipal leaves a caller out only when every form it is known by is listed.
func TestNotPrincipal(t *testing.T) {
	for _, c := range []struct {
		element string
		caller  Caller
		want    bool // excluded from the statement
	}{
		{`"*"`, anon, true},
		{`{"AWS":"*"}`, anon, false},
		{`{"AWS":"*"}`, user, true},
		{`{"AWS":"*"}`, service, true},
		{`{"Service":"cloudtrail.amazonaws.com"}`, service, true},
		{`{"AWS":"111111111111"}`, service, false},
		{`{"AWS":"arn:aws:iam::111111111111:user/Bob"}`, user, false},
		{`{"AWS":["arn:aws:iam::111111111111:user/Bob","111111111111"]}`, user, true},
		{`{"AWS":["arn:aws:sts::111111111111:assumed-role/R/s1","111111111111"]}`, sess, false},
		{`{"AWS":["arn:aws:sts::111111111111:assumed-role/R/s1","arn:aws:iam::111111111111:role/R"]}`, sess, false},
		{`{"AWS":["arn:aws:sts::111111111111:assumed-role/R/s1","arn:aws:iam::111111111111:role/R","111111111111"]}`, sess, true},
		{`{"AWS":"111111111111"}`, root, true},
	} {
		if got := principals(t, c.element).excludes(&c.caller); got != c.want {
			t.Errorf("NotPrincipal %s, caller %s: excluded = %v, want %v", c.element, c.caller.ARN+c.caller.Service, got, c.want)
		}
	}
	if MatchAccount.String() != "account" || NoMatch.String() != "no match" {
		t.Error("match names")
	}
	if validPrincipal("Other", "x") {
		t.Error("an unknown principal type is not valid")
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, s string
		fold bool
		want bool
	}{
		{"kms:generatedatakey*", "KMS:GenerateDataKeyWithoutPlaintext", true, true},
		{"kms:generatedatakey*", "KMS:GenerateDataKeyWithoutPlaintext", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"a?c", "aあc", false, true},
		{"", "", false, true},
		{"*", "", false, true},
		{"a\x00*", "a*", false, true},
		{"a\x00*", "ab", false, false},
		{"ab", "a", false, false},
	} {
		if got := glob(c.p, c.s, c.fold); got != c.want {
			t.Errorf("glob(%q, %q, %v) = %v", c.p, c.s, c.fold, got)
		}
	}
}
