package model

import (
	"strings"
	"testing"
)

// FuzzValidateJSON: any body, for operations with lists, maps, blobs and nested structures,
// yields nil or a validation error, never a panic.
func FuzzValidateJSON(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `[`, `{"KeyId":"k","Tags":[{"TagKey":"","TagValue":null}]}`,
		`{"KeyId":"k","EncryptionContext":{"a":"b","\u0061":1},"GrantTokens":["",1,null]}`,
		`{"KeyId":"k","Plaintext":"AQI=","EncryptionAlgorithm":""}`,
		`{"AdvancedEventSelectors":[{"Name":"x","FieldSelectors":[{"Field":"","Equals":[]}]}]}`,
		`{"a":{"b":[[[[{"c":"\"}"}]]]]}}`, `{"KeyId":"k" , "Tags" : [ ] }`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, op := range [][2]string{{"kms", "TagResource"}, {"kms", "Encrypt"}, {"kms", "CreateGrant"}, {"cloudtrail", "PutEventSelectors"}} {
			if err := ValidateJSON(op[0], op[1], []byte(body)); err != nil && !strings.Contains(err.Error(), "validation error") {
				t.Fatalf("%s: %v", op, err)
			}
		}
	})
}

// TestJSONEscapes reads member names and strings with escapes as their decoded text.
func TestJSONEscapes(t *testing.T) {
	got := messages(jsonViolations(`{"N\u0061me":"ab\u0063def","Tokens":["a", "b" , "c"] , "Colour" : "re\u0064"}`))
	want := []string{
		"Value 'abcdef' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5",
		"Value '[a, b, c]' at 'tokens' failed to satisfy constraint: Member must have length less than or equal to 2",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A repeated member: the last one counts, as encoding/json decodes it.
	if got := messages(jsonViolations(`{"Name":"toolongname","Name":"ok"}`)); len(got) != 0 {
		t.Errorf("repeated member: %v", got)
	}
}

// BenchmarkValidateJSON measures the check every KMS GenerateDataKey request pays.
func BenchmarkValidateJSON(b *testing.B) {
	body := []byte(`{"KeyId":"alias/app","KeySpec":"AES_256","EncryptionContext":{"purpose":"test","tenant":"t-1"},"GrantTokens":["token"]}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateJSON("kms", "GenerateDataKey", body); err != nil {
			b.Fatal(err)
		}
	}
}
