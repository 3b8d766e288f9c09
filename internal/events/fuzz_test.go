package events

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRewrite: whatever a request body holds, the rewrite never panics, yields valid JSON or
// nothing, and leaves no secret member.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{`{"KeyId":"k","Plaintext":"c2VjcmV0"}`, `{"A":[1,{"Password":"p"}],"B":{"SessionToken":"t"}}`,
		`{"EncryptionContext":{"Plaintext":"kept"}}`, `{"A":"\u00e9\\"x"}`, `{`, `{"A":}`, `[]`, `{"A":1e5,"B":true,"C":null}`,
		nested(MaxDepth), nested(MaxDepth + 1), `{"X":` + strings.Repeat("[", 10000), `{"Plaintext":` + nested(MaxDepth) + `}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := Rewrite(nil, in)
		if d := depth(in); d > MaxDepth && out != nil {
			t.Fatalf("Rewrite of a document %d deep = %q", d, out)
		}
		if out == nil {
			return
		}
		if d := depth(out); d > MaxDepth {
			t.Fatalf("Rewrite(%q) is %d deep", in, d)
		}
		var v any
		if !utf8.Valid(out) {
			t.Fatalf("Rewrite(%q) = %q: not UTF-8", in, out)
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("Rewrite(%q) = %q: not JSON: %v", in, out, err)
		}
		var walk func(v any, inMap bool)
		walk = func(v any, inMap bool) {
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					if !inMap && isSecret([]byte(k)) {
						t.Fatalf("Rewrite(%q) kept the secret member %q", in, k)
					}
					walk(e, strings.EqualFold(k, "encryptionContext") || strings.EqualFold(k, "metadata"))
				}
			case []any:
				for _, e := range x {
					walk(e, false)
				}
			}
		}
		walk(v, false)
	})
}

// FuzzEventDecoding: a corrupt journal entry is an error, never a panic; what decodes encodes
// to an entry that decodes to the same event.
func FuzzEventDecoding(f *testing.F) {
	e := Event{ID: "id", Source: "kms.amazonaws.com", Recipients: []string{"111122223333"}, Params: []byte(`{"a":1}`)}
	f.Add(e.AppendBinary(nil))
	f.Add([]byte{encodingVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		var got, again Event
		if got.UnmarshalBinary(b) != nil {
			return
		}
		enc := got.AppendBinary(nil)
		if err := again.UnmarshalBinary(enc); err != nil || !bytes.Equal(again.AppendBinary(nil), enc) {
			t.Fatalf("%x decodes, but its encoding %x does not decode back (%v)", b, enc, err)
		}
	})
}
