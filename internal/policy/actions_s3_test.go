package policy

import "testing"

func TestCheckS3Actions(t *testing.T) {
	doc := func(element, actions string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"s1","Effect":"Allow","Principal":"*","` + element + `":` + actions + `,"Resource":"arn:aws:s3:::b/*"}]}`
	}
	cases := []struct {
		element, actions string
		ok               bool
	}{
		{"Action", `"s3:GetObject"`, true},
		{"Action", `"S3:getobject"`, true},
		{"Action", `["s3:Get*","s3:*Object"]`, true},
		{"Action", `"*"`, true},
		{"Action", `"s3:*"`, true},
		{"NotAction", `"s3:DeleteObject"`, true},
		{"Action", `"s3:GetObjectz"`, false},
		{"Action", `["s3:GetObject","foo:bar"]`, false},
		{"Action", `"kms:Decrypt"`, false},
		{"Action", `"s3:Frob*"`, false},
		{"NotAction", `"s3:Nothing"`, false},
	}
	for _, c := range cases {
		p, err := Parse(doc(c.element, c.actions), Bucket)
		if err != nil {
			t.Fatalf("%s: %v", c.actions, err)
		}
		err = CheckS3Actions(p)
		if (err == nil) != c.ok {
			t.Errorf("%s %s: %v, want ok=%v", c.element, c.actions, err, c.ok)
		}
		if e, isErr := err.(*Error); err != nil && (!isErr || e.Reason != "Policy has invalid action" || e.Element != c.element || e.Statement == "") {
			t.Errorf("%s: error %#v", c.actions, err)
		}
	}
}
