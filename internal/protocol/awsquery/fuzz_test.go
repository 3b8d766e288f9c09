package awsquery

import (
	"strings"
	"testing"
)

type fuzzInput struct {
	UserName string
	Max      *int32
	Flag     *bool
	Names    []string
	Tags     []struct{ Key, Value string }
}

// FuzzDecode: any form either decodes completely or fails with nothing returned; typed unmarshalling never panics and leaves dst untouched on error.
func FuzzDecode(f *testing.F) {
	f.Add("Action=CreateUser&UserName=alice&Version=2010-05-08")
	f.Add("Action=TagUser&Tags.member.1.Key=k&Tags.member.1.Value=v&Names.member.1=a&Names.member.2=b&Max=5&Flag=true")
	f.Add("a=1&a=2")
	f.Add("%zz=1&Max=notanumber")
	f.Add("Action=CreateUser&UserName=a" + strings.Repeat(".a", MaxNameDepth-1) + "=1")
	f.Add("Action=CreateUser&UserName=a" + strings.Repeat(".a", MaxNameDepth) + "=1")
	f.Add("Tags.member.1.Key=k&Tags.member.1.Key.x=v&Tags.member.99999999999999999999.Value=w")
	f.Fuzz(func(t *testing.T, form string) {
		v, err := Decode(form)
		if err != nil {
			if v != nil {
				t.Fatalf("partial result %v with error %v", v, err)
			}
			return
		}
		for k := range v {
			if k == "" {
				t.Fatalf("empty parameter name")
			}
			if strings.Count(k, ".") >= MaxNameDepth {
				t.Fatalf("the name %q nests deeper than MaxNameDepth", k)
			}
		}
		in := fuzzInput{UserName: "unchanged"}
		if err := Unmarshal(v, &in); err != nil && in.UserName != "unchanged" {
			t.Fatalf("dst changed on error %v", err)
		}
	})
}
