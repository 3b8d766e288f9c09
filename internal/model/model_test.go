package model_test

import (
	"regexp"
	"testing"

	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/model/internal/modelgen"
)

// TestPatternExceptions lists the model patterns that are not checked and proves each one really
// has no RE2 form, so the list cannot hide a translatable pattern.
func TestPatternExceptions(t *testing.T) {
	if len(modelgen.Exceptions) == 0 {
		t.Fatal("no exceptions: drop this test's premise only with the list itself")
	}
	for pattern, reason := range modelgen.Notes {
		t.Logf("translated with a note: %s (%s)", pattern, reason)
	}
	for pattern, reason := range modelgen.Exceptions {
		t.Logf("not checked: %s (%s)", pattern, reason)
		if _, err := modelgen.Translate(pattern); err == nil {
			t.Errorf("%s translates to RE2; remove it from the exceptions", pattern)
		}
	}
}

func TestTranslate(t *testing.T) {
	for _, c := range []struct {
		java      string
		match, no []string
	}{
		{`[\w+=,.@-]+`, []string{"alice", "a+b=c,d.e@f-g"}, []string{"", "a b", "a!"}},
		{`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, []string{"/", "/a/b/"}, []string{"a", "/a", "//x"}},
		{`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, []string{"", "Ünïcode 1:2"}, []string{"a!"}},
		{`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`, []string{"{}", "😀"}, []string{"\x01"}},
		{`^[0-9]{2}:[0-9]{2}`, []string{"12:30"}, []string{"12:30x"}},
	} {
		re, err := modelgen.Translate(c.java)
		if err != nil {
			t.Fatalf("%s: %v", c.java, err)
		}
		rx := regexp.MustCompile(re)
		for _, s := range c.match {
			if !rx.MatchString(s) {
				t.Errorf("%s should match %q", c.java, s)
			}
		}
		for _, s := range c.no {
			if rx.MatchString(s) {
				t.Errorf("%s should not match %q", c.java, s)
			}
		}
	}
	for _, bad := range []string{`a(?=b)`, `a++`, `(?>a)`} {
		if _, err := modelgen.Translate(bad); err == nil {
			t.Errorf("%s should not translate", bad)
		}
	}
}

func TestInput(t *testing.T) {
	in := model.Input("kms", "TagResource")
	if in == nil || in.Type != model.Structure {
		t.Fatalf("kms TagResource input = %+v", in)
	}
	tags := in.Member("Tags")
	if tags == nil || !tags.Required || tags.Shape.Type != model.List {
		t.Fatalf("Tags = %+v", tags)
	}
	key := tags.Shape.Elem.Member("TagKey")
	if key == nil || *key.Shape.Max != 128 || *key.Shape.Min != 1 {
		t.Fatalf("TagKey = %+v", key)
	}
	if model.Input("kms", "NoSuchOperation") != nil || model.Input("nosuch", "TagResource") != nil {
		t.Fatal("unknown operations have no input")
	}
	name := model.Input("iam", "CreateUser").Member("UserName").Shape
	if name.Pattern != `[\w+=,.@-]+` || !name.Matches("bob") || name.Matches("bo b") {
		t.Fatalf("UserName pattern %q", name.Pattern)
	}
	for _, svc := range []string{"kms", "cloudtrail", "iam", "sts"} {
		if len(model.Operations(svc)) == 0 {
			t.Errorf("%s has no operations", svc)
		}
	}
}
