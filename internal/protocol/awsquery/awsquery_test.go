package awsquery

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeAndUnmarshal(t *testing.T) {
	v, err := Decode("Action=TagUser&UserName=al%20ice&Max=7&Flag=TRUE&Names.member.1=a&Names.member.2=b%2Bc&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=")
	if err != nil {
		t.Fatal(err)
	}
	var in fuzzInput
	if err := Unmarshal(v, &in); err != nil {
		t.Fatal(err)
	}
	maxItems, flag := int32(7), true
	want := fuzzInput{UserName: "al ice", Max: &maxItems, Flag: &flag, Names: []string{"a", "b+c"},
		Tags: []struct{ Key, Value string }{{"k1", "v1"}, {"k2", ""}}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Fatalf("Unmarshal (-want +got):\n%s", diff)
	}
	for form, code := range map[string]string{"a=1&a=2": "MalformedQueryString", "%zz=1": "MalformedQueryString"} {
		if v, err := Decode(form); err == nil || v != nil {
			t.Errorf("Decode(%q) = %v, %v; want %s", form, v, err, code)
		}
	}
	bad, _ := Decode("Max=seven")
	if err := Unmarshal(bad, &in); err == nil {
		t.Errorf("Unmarshal of a non-integer succeeded")
	}
}
