package events

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/model"
	"github.com/keytrail/keytrail/internal/request"
)

// nested is a valid object of depth levels of alternating objects and arrays.
func nested(levels int) string {
	var opens, closes strings.Builder
	for i := range levels {
		if i%2 == 0 {
			opens.WriteString(`{"A":`)
		} else {
			opens.WriteString("[")
		}
	}
	for i := levels - 1; i >= 0; i-- {
		if i%2 == 0 {
			closes.WriteString("}")
		} else {
			closes.WriteString("]")
		}
	}
	return opens.String() + "1" + closes.String()
}

// depth is the deepest nesting of objects and arrays in a JSON document (strings skipped).
func depth(doc []byte) int {
	d, deepest := 0, 0
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '{', '[':
			d++
			deepest = max(deepest, d)
		case '}', ']':
			d--
		case '"':
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
		}
	}
	return deepest
}

// The 3 MB body of a single '{"X":' and 3,000,000 '[' does not exhaust the stack: the rewrite
// stops at MaxDepth. A document at MaxDepth is rewritten whole.
func TestRewriteDepthBound(t *testing.T) {
	huge := []byte(`{"X":` + strings.Repeat("[", 3_000_000))
	if out, err := project(nil, huge, nil, 0); out != nil || err != errDepth {
		t.Fatalf("the 3 MB nested body: %.40q, %v", out, err)
	}
	if out, err := project(nil, []byte(nested(MaxDepth+1)), nil, 0); out != nil || err != errDepth {
		t.Fatalf("MaxDepth+1: %.40q, %v", out, err)
	}
	out := Rewrite(nil, []byte(nested(MaxDepth)))
	if !json.Valid(out) || depth(out) != MaxDepth {
		t.Fatalf("MaxDepth: %s", out)
	}
	// A dropped member is read under the same bound.
	if out, err := project(nil, []byte(`{"Plaintext":`+nested(MaxDepth)+`}`), nil, 0); out != nil || err != errDepth {
		t.Fatalf("a deep secret: %.40q, %v", out, err)
	}
}

// The projection keeps only the members the input shape defines, at the depth it defines them,
// drops values of the wrong JSON type and sensitive members, and keeps maps' keys as sent.
func TestProjectThroughShape(t *testing.T) {
	for _, c := range []struct{ service, op, in, want string }{
		{"kms", "DescribeKey", `{"KeyId":"k","X":` + nested(50) + `,"GrantTokens":["t"],"Extra":{"KeyId":"no"}}`,
			`{"keyId":"k","grantTokens":["t"]}`},
		{"kms", "Encrypt", `{"KeyId":"k","Plaintext":"c2VjcmV0","EncryptionContext":{"Plaintext":"kept","b":"c"}}`,
			`{"keyId":"k","encryptionContext":{"Plaintext":"kept","b":"c"}}`},
		{"kms", "CreateKey", `{"Tags":[{"TagKey":"a","TagValue":"b","Deep":[[[1]]]},"not a tag",[1]],"Description":{"not":"a string"}}`,
			`{"tags":[{"tagKey":"a","tagValue":"b"}]}`},
		{"cloudtrail", "PutEventSelectors", `{"TrailName":"t","AdvancedEventSelectors":[{"Name":"n","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"],"Junk":1}]}]}`,
			`{"trailName":"t","advancedEventSelectors":[{"name":"n","fieldSelectors":[{"field":"eventCategory","equals":["Management"]}]}]}`},
		{"sts", "GetCallerIdentity", `{"Anything":"x"}`, ``},
	} {
		out, err := project(nil, []byte(c.in), inputShape(c.service, c.op), maxElement)
		if string(out) != c.want || err != nil {
			t.Errorf("%s.%s: %s (%v), want %s", c.service, c.op, out, err, c.want)
		}
	}
	got, err := formParams([]byte("Action=CreateUser&UserName=bob&Unknown.a.b.c=1&Tags.member.1.Key=k&Tags.member.1.Nested.x.y=z&Path.x=y"+
		"&A"+strings.Repeat(".b", 100_000)+"=deep"), inputShape("iam", "CreateUser"))
	if string(got) != `{"tags":[{"key":"k"}],"userName":"bob"}` || err != nil {
		t.Errorf("formParams: %s (%v)", got, err)
	}
}

// Every call is kept: an element past maxElement becomes {"omitted":true}, and an event that
// would still pass maxEvent loses its long strings and resources until it fits; each record is
// valid JSON.
func TestRecordKeepsOversizedCalls(t *testing.T) {
	j, err := OpenJournal(t.TempDir(), 0, testKeys(t))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rec := NewRecorder(j)
	root := identity.Principal{Type: identity.Root, Account: "111122223333", ARN: "arn:aws:iam::111122223333:root", PrincipalID: "111122223333"}
	big := strings.Repeat("k", 200<<10)
	resources := make([]request.Resource, 1000)
	for i := range resources {
		resources[i] = request.Resource{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::b/" + strings.Repeat("o", 1000) + strconv.Itoa(i), Account: "111122223333"}
	}
	read, global, data := request.Meta{ReadOnly: true}, request.Meta{Global: true}, request.Meta{Data: true}
	calls := []struct {
		f request.Facts
		o request.Outcome
	}{
		{request.Facts{Service: "kms"}, request.Outcome{Operation: "DescribeKey", Meta: read, Params: []byte(`{"KeyId":"` + big + `"}`)}},
		{request.Facts{Service: "kms"}, request.Outcome{Operation: "CreateAlias", Params: []byte(`{"AliasName":"alias/a","TargetKeyId":"k"}`), Response: []byte(`{"Big":"` + big + `"}`)}},
		{request.Facts{Service: "iam"}, request.Outcome{Operation: "CreateUser", Meta: global, Form: []byte("Action=CreateUser&UserName=" + big)}},
		{request.Facts{Service: "kms", UserAgent: strings.Repeat("\x01", 600<<10)}, request.Outcome{Operation: "DescribeKey", Meta: read, Params: []byte(`{"KeyId":"k"}`), ErrorCode: "X", ErrorMessage: big}},
		{request.Facts{Service: "s3"}, request.Outcome{Operation: "DeleteObjects", Meta: data, S3: &request.S3Call{Bucket: "b"}, Resources: resources}},
		{request.Facts{Service: "kms"}, request.Outcome{Operation: "DescribeKey", Meta: read, Params: []byte(`{"X":` + strings.Repeat("[", 3_000_000))}},
	}
	for _, c := range calls {
		c.f.Time = time.Now()
		if err := rec.Record(&c.f, &c.o, root); err != nil {
			t.Fatalf("%s: %v", c.o.Operation, err)
		}
	}
	var n int
	err = j.Scan(1, j.Next(), func(e *Event) error {
		b := e.AppendRecord(nil, "111122223333")
		var r map[string]any
		if err := json.Unmarshal(b, &r); err != nil || len(b) > maxEvent {
			t.Errorf("record %d (%s): %d bytes, %v", n, e.Name, len(b), err)
		}
		switch n {
		case 0, 2:
			if string(e.Params) != `{"omitted":true}` {
				t.Errorf("record %d: requestParameters %.60s", n, e.Params)
			}
		case 1:
			if string(e.Response) != `{"omitted":true}` || !strings.Contains(string(e.Params), "alias/a") {
				t.Errorf("record 1: %.60s / %.60s", e.Params, e.Response)
			}
		case 5:
			if e.Params != nil {
				t.Errorf("a body refused for its depth has requestParameters %.60s", e.Params)
			}
		}
		n++
		return nil
	})
	if err != nil || n != len(calls) {
		t.Fatalf("%d records of %d calls (%v)", n, len(calls), err)
	}
}

// Property: whatever the body and whichever shape, the projection is nothing or valid JSON no
// deeper than MaxDepth and no larger than its limit.
func FuzzProject(f *testing.F) {
	f.Add([]byte(`{"KeyId":"k","Tags":[{"TagKey":"a"}],"EncryptionContext":{"a":"b"}}`), "CreateKey", 100)
	f.Add([]byte(nested(MaxDepth+1)), "DescribeKey", 0)
	f.Add([]byte(`{"AdvancedEventSelectors":[{"FieldSelectors":[{"Equals":["x"]}]}]}`), "PutEventSelectors", 20)
	f.Fuzz(func(t *testing.T, in []byte, op string, limit int) {
		limit = max(limit, 0) % (1 << 16)
		for _, sh := range []*model.Shape{nil, inputShape("kms", op), inputShape("cloudtrail", op)} {
			out, err := project(nil, in, sh, limit)
			if out == nil {
				continue
			}
			if err != nil || !json.Valid(out) || depth(out) > MaxDepth || (limit > 0 && len(out) > limit) {
				t.Fatalf("project(%q, %s, %d) = %q, %v", in, op, limit, out, err)
			}
		}
	})
}

// FuzzFormParams: whatever the form, the recorded parameters are nothing or valid JSON no deeper
// than MaxDepth.
func FuzzFormParams(f *testing.F) {
	f.Add("Action=CreateUser&UserName=bob&Tags.member.1.Key=a", "CreateUser")
	f.Add("A"+strings.Repeat(".b", MaxDepth+5)+"=1&Tags.member.x.Key=1&Tags.member.2=s", "TagUser")
	f.Add("a=%zz&b=%C3%28&c.member.1=1&c.member.1.d=2", "GetCallerIdentity")
	f.Fuzz(func(t *testing.T, form, op string) {
		for _, sh := range []*model.Shape{nil, inputShape("iam", op), inputShape("sts", op)} {
			out, _ := formParams([]byte(form), sh)
			if out != nil && (!json.Valid(out) || depth(out) > MaxDepth) {
				t.Fatalf("formParams(%q) = %q", form, out)
			}
		}
	})
}

// A number beyond float64 is valid JSON that encoding/json cannot read: the member is left out.
func TestRewriteNumberBeyondFloat64(t *testing.T) {
	got := string(Rewrite(nil, []byte(`{"Limit":1e400,"A":[-1e999,2],"B":99999999999999999999,"C":1e-400}`)))
	if want := `{"a":[null,2],"b":99999999999999999999,"c":1e-400}`; got != want {
		t.Fatalf("Rewrite = %s, want %s", got, want)
	}
	var v any
	if err := json.Unmarshal([]byte(got), &v); err != nil {
		t.Fatal(err)
	}
}
