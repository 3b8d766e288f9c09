package model

import (
	"regexp"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/awserr"
)

// shapes for the validator's own table: every constraint kind, independent of the models.
var (
	tName   = &Shape{Name: "Name", Type: String, Min: bound(1), Max: bound(5), Pattern: `[a-z]+`, re: mustRE(`[a-z]+`)}
	tColour = &Shape{Name: "Colour", Type: String, Enum: []string{"red", "blue"}}
	tCount  = &Shape{Name: "Count", Type: Integer, Min: bound(1), Max: bound(10)}
	tSecret = &Shape{Name: "Secret", Type: String, Max: bound(3), Sensitive: true}
	tBlob   = &Shape{Name: "Data", Type: Blob, Min: bound(1), Max: bound(2)}
	tTag    = &Shape{Name: "Tag", Type: Structure, Members: []Member{
		{Name: "TagKey", Shape: tName, Required: true}, {Name: "TagValue", Shape: tName, Required: true}}}
	tTags   = &Shape{Name: "Tags", Type: List, Elem: tTag, Max: bound(2)}
	tTokens = &Shape{Name: "Tokens", Type: List, Elem: tName, Max: bound(2)}
	tCtx    = &Shape{Name: "Ctx", Type: Map, Key: tName, Value: tSecret}
	tInput  = &Shape{Name: "Input", Type: Structure, Members: []Member{
		{Name: "Name", Shape: tName, Required: true}, {Name: "Colour", Shape: tColour},
		{Name: "Count", Shape: tCount}, {Name: "Secret", Shape: tSecret}, {Name: "Data", Shape: tBlob},
		{Name: "Tags", Shape: tTags}, {Name: "Tokens", Shape: tTokens}, {Name: "Ctx", Shape: tCtx}}}
)

func mustRE(java string) *regexp.Regexp { return regexp.MustCompile("^(?:" + java + ")$") }

func jsonViolations(body string) Violations {
	c := &checker{}
	c.structure(tInput, &jsonValue{raw: []byte(body)})
	return c.out
}

func queryViolations(params map[string]string) Violations {
	c := &checker{}
	c.structure(tInput, &queryValue{params: params})
	return c.out
}

func messages(v Violations) []string {
	var out []string
	for _, x := range v {
		out = append(out, x.Message)
	}
	return out
}

func TestValidatorConstraints(t *testing.T) {
	for _, c := range []struct {
		name, body string
		want       []string
	}{
		{"valid", `{"Name":"abc","Colour":"red","Count":3,"Tags":[{"TagKey":"a","TagValue":"b"}],"Data":"AQ=="}`, nil},
		{"required", `{}`, []string{"Value null at 'name' failed to satisfy constraint: Member must not be null"}},
		{"null is missing", `{"Name":null}`, []string{"Value null at 'name' failed to satisfy constraint: Member must not be null"}},
		{"too long", `{"Name":"abcdef"}`, []string{"Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5"}},
		{"empty breaks length and pattern", `{"Name":""}`, []string{
			"Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1",
			"Value '' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"}},
		{"enum", `{"Name":"a","Colour":"green"}`, []string{"Value 'green' at 'colour' failed to satisfy constraint: Member must satisfy enum value set: [red, blue]"}},
		{"range high", `{"Name":"a","Count":11}`, []string{"Value '11' at 'count' failed to satisfy constraint: Member must have value less than or equal to 10"}},
		{"range low", `{"Name":"a","Count":0}`, []string{"Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		{"sensitive not quoted", `{"Name":"a","Secret":"abcd"}`, []string{"Value at 'secret' failed to satisfy constraint: Member must have length less than or equal to 3"}},
		{"blob decoded length", `{"Name":"a","Data":"AQID"}`, []string{"Value at 'data' failed to satisfy constraint: Member must have length less than or equal to 2"}},
		{"list size", `{"Name":"a","Tokens":["a","b","c"]}`, []string{"Value '[a, b, c]' at 'tokens' failed to satisfy constraint: Member must have length less than or equal to 2"}},
		{"list element", `{"Name":"a","Tokens":["a","B"]}`, []string{"Value 'B' at 'tokens.2.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+"}},
		{"nested member paths", `{"Name":"a","Tags":[{"TagKey":"a","TagValue":"b"},{"TagKey":"abcdef"}]}`, []string{
			"Value 'abcdef' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 5",
			"Value null at 'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null"}},
		{"map keys and values", `{"Name":"a","Ctx":{"A":"x","b":"long"}}`, []string{
			"Value at 'ctx' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-z]+]",
			"Value at 'ctx' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 3]"}},
		{"wrong types are the decoder's", `{"Name":"a","Count":"x","Tags":"x","Ctx":[]}`, nil},
		{"fractions and huge numbers are the decoder's", `{"Name":"a","Count":1e300}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := messages(jsonViolations(c.body))
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

func TestValidatorQuery(t *testing.T) {
	got := messages(queryViolations(map[string]string{
		"Action": "X", "Name": "abcdef", "Count": "0",
		"Tags.member.1.TagKey": "a", "Tags.member.1.TagValue": "b",
		"Tags.member.2.TagKey": "A",
		"Tokens.member.1":      "a", "Tokens.member.2": "b", "Tokens.member.3": "c",
		"Ctx.entry.1.key": "K", "Ctx.entry.1.value": "v",
	}))
	want := []string{
		"Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5",
		"Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
		"Value 'A' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+",
		"Value null at 'tags.2.member.tagValue' failed to satisfy constraint: Member must not be null",
		"Value '[a, b, c]' at 'tokens' failed to satisfy constraint: Member must have length less than or equal to 2",
		"Value at 'ctx' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-z]+]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v := queryViolations(map[string]string{"Name": "ab", "Tokens": ""}); len(v) != 0 {
		t.Errorf("an empty list is valid: %v", v)
	}
}

func TestViolationsErr(t *testing.T) {
	one := Violations{{Path: "name", Message: "M1"}}
	two := Violations{{Path: "name", Message: "M1"}, {Path: "count", Message: "M2"}}
	for _, c := range []struct {
		service string
		v       Violations
		code    awserr.Code
		msg     string
	}{
		{"kms", one, awserr.ValidationException, "1 validation error detected: M1"},
		{"iam", two, awserr.ValidationError, "2 validation errors detected: M1; M2"},
		{"sts", one, awserr.ValidationError, "1 validation error detected: M1"},
		{"cloudtrail", one, "InvalidParameterException", "1 validation error detected: M1"},
	} {
		e, ok := awserr.As(c.v.Err(c.service, "Op"))
		if !ok || e.Code != c.code || e.Message != c.msg {
			t.Errorf("%s: %v, want %s %q", c.service, e, c.code, c.msg)
		}
	}
	if Violations(nil).Err("kms", "Op") != nil {
		t.Error("no violations, no error")
	}
	// CloudTrail answers missing names and LookupEvents' own members itself, tags and
	// selectors with their own codes.
	if err := (Violations{{Path: "name", Null: true, Message: "M"}}).Err("cloudtrail", "GetTrail"); err != nil {
		t.Errorf("missing top-level member: %v", err)
	}
	if err := (Violations{{Path: "maxResults", Message: "M"}}).Err("cloudtrail", "LookupEvents"); err != nil {
		t.Errorf("LookupEvents MaxResults: %v", err)
	}
	if !awserr.HasCode((Violations{{Path: "tagsList.1.member.key", Message: "M"}}).Err("cloudtrail", "AddTags"), "InvalidTagParameterException") {
		t.Error("tags: want InvalidTagParameterException")
	}
	if !awserr.HasCode((Violations{{Path: "advancedEventSelectors.1.member.name", Message: "M"}}).Err("cloudtrail", "PutEventSelectors"), "InvalidEventSelectorsException") {
		t.Error("selectors: want InvalidEventSelectorsException")
	}
}

func TestValidateEntryPoints(t *testing.T) {
	err := ValidateJSON("kms", "TagResource", []byte(`{"KeyId":"k","Tags":[{"TagKey":"","TagValue":"v"}]}`))
	e, ok := awserr.As(err)
	if !ok || e.Code != awserr.ValidationException ||
		e.Message != "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1" {
		t.Fatalf("kms TagResource: %v", err)
	}
	if err := ValidateJSON("kms", "TagResource", []byte(`[`)); err != nil {
		t.Errorf("not an object is the decoder's: %v", err)
	}
	if err := ValidateJSON("kms", "NoSuchOperation", []byte(`{}`)); err != nil {
		t.Errorf("unknown operation: %v", err)
	}
	if err := ValidateJSON("kms", "ListKeys", nil); err != nil {
		t.Errorf("empty body: %v", err)
	}
	err = ValidateQuery("iam", "CreateUser", map[string]string{"Action": "CreateUser", "UserName": strings.Repeat("a", 65)})
	if e, ok := awserr.As(err); !ok || e.Code != awserr.ValidationError || !strings.Contains(e.Message, "at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64") {
		t.Fatalf("iam CreateUser: %v", err)
	}
}

func TestError(t *testing.T) {
	if Error("iam") != nil {
		t.Error("no messages, no error")
	}
	e, ok := awserr.As(Error("sts", "A", "B"))
	if !ok || e.Code != awserr.ValidationError || e.Message != "2 validation errors detected: A; B" {
		t.Errorf("sts: %v", e)
	}
	e, ok = awserr.As(Error("kms", "A"))
	if !ok || e.Code != awserr.ValidationException || e.Message != "1 validation error detected: A" {
		t.Errorf("kms: %v", e)
	}
}
