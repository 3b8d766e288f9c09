package awsjson

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// sample exercises every Scanner reader.
type sample struct {
	Name    string
	Blob    []byte
	Flag    *bool
	Count   *int32
	Context map[string]string
	Tokens  []string
	Present bool
}

func (v *sample) DecodeJSON(s *Scanner) error {
	return s.Object(func(name string) error {
		switch name {
		case "Name":
			return s.String(name, &v.Name)
		case "Blob":
			return s.Bytes(name, &v.Blob)
		case "Flag":
			return s.Bool(name, &v.Flag)
		case "Count":
			return s.Int32(name, &v.Count)
		case "Context":
			return s.StringMap(name, &v.Context)
		case "Tokens":
			return s.StringList(name, &v.Tokens)
		case "Recipient":
			p, err := s.Present()
			v.Present = p
			return err
		}
		return s.Skip()
	})
}

func TestScanner(t *testing.T) {
	yes, n := true, int32(-12)
	for _, c := range []struct {
		doc  string
		want sample
		err  string
	}{
		{`{"Name":"k\u00e9y \"q\" \\ \/ \b\f\n\r\t \ud83d\ude00","Blob":"AAEC","Flag":true,"Count":-12,"Context":{"a":"b","c":""},"Tokens":["x","y"],"Recipient":{"k":[1,2.5e-3,null,false]},"Extra":[{"d":{}},[]]}`,
			sample{Name: "kéy \"q\" \\ / \b\f\n\r\t 😀", Blob: []byte{0, 1, 2}, Flag: &yes, Count: &n, Context: map[string]string{"a": "b", "c": ""}, Tokens: []string{"x", "y"}, Present: true}, ""},
		{` { } `, sample{}, ""},
		{`null`, sample{}, ""},
		{`{"Name":null,"Flag":null,"Count":null,"Context":null,"Tokens":null,"Recipient":null,"Tokens":[]}`, sample{Context: map[string]string{}, Tokens: []string{}}, ""},
		{`{"Name":"\ud800x"}`, sample{Name: "\ufffdx"}, ""},
		{`{"Name":"\ud800\u0041"}`, sample{Name: "\ufffdA"}, ""},
		{`{"name":"ignored: member names are exact"}`, sample{}, ""},
		{`{"Name":5}`, sample{}, "Unexpected value for Name: expected string"},
		{`{"Count":"5"}`, sample{}, "expected integer"},
		{`{"Count":5.5}`, sample{}, "expected int32"},
		{`{"Count":99999999999}`, sample{}, "expected int32"},
		{`{"Flag":1}`, sample{}, "expected boolean"},
		{`{"Blob":"***"}`, sample{}, "expected base64 string"},
		{`{"Context":{"a":1}}`, sample{}, "expected string"},
		{`{"Context":[]}`, sample{}, "expected map"},
		{`{"Tokens":"x"}`, sample{}, "expected list"},
		{`{"Name":"a"`, sample{}, "invalid JSON"},
		{`{"Name":"a"}x`, sample{}, "invalid JSON"},
		{`{"Name" "a"}`, sample{}, "invalid JSON"},
		{`{"Name":"a",}`, sample{}, "invalid JSON"},
		{`{"Name":"\x01"}`, sample{}, "invalid JSON"},
		{`{"Name":"\q"}`, sample{}, "invalid JSON"},
		{`{"Name":"\u12"}`, sample{}, "invalid JSON"},
		{`{"X":01}`, sample{}, "invalid JSON"},
		{`{"X":-}`, sample{}, "invalid JSON"},
		{`{"X":1.}`, sample{}, "invalid JSON"},
		{`{"X":1e}`, sample{}, "invalid JSON"},
		{`{"X":tru}`, sample{}, "invalid JSON"},
		{`{"X":[1 2]}`, sample{}, "invalid JSON"},
		{`{"X":nul}`, sample{}, "invalid JSON"},
		{`{"X":"` + "\xff" + `"}`, sample{}, "invalid JSON"},
		{`{"Name":5 x}`, sample{}, "invalid JSON"},
		{`[]`, sample{}, "invalid JSON"},
	} {
		var got sample
		err := Decode([]byte(c.doc), &got)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.doc, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.doc, err, c.err)
		case c.err == "" && !equalSample(got, c.want):
			t.Errorf("%s:\n got %+v\nwant %+v", c.doc, got, c.want)
		}
	}
}

// FuzzScanner: the scanner accepts exactly the valid JSON documents (of valid UTF-8) nested at
// most MaxDepth deep, and reads strings as encoding/json does.
func FuzzScanner(f *testing.F) {
	for _, seed := range []string{`{"a":[1,{"b":null}],"c":"\u00e9\ud83d\ude00"}`, `"x\ud800y"`, `-0.5e+3`, `[true,false]`, `{"a":}`, `"\u0041"`,
		nest(MaxDepth), nest(MaxDepth + 1), `{"X":` + strings.Repeat("[", 5000), `{"a":"[[[[","b":` + nest(MaxDepth-1) + `}`, `["\"[",[[]]]`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		if !utf8.ValidString(doc) {
			return
		}
		s := NewScanner([]byte(doc))
		err := s.Skip()
		if err == nil {
			err = s.End()
		}
		if valid := json.Valid([]byte(doc)) && CheckDepth([]byte(doc)) == nil; (err == nil) != valid {
			t.Fatalf("%q: scanner error %v, json.Valid %v", doc, err, valid)
		}
		var want string
		if json.Unmarshal([]byte(doc), &want) == nil {
			var got string
			s := NewScanner([]byte(doc))
			if err := s.String("v", &got); err != nil || s.End() != nil || got != want {
				t.Fatalf("%q: scanner read %q (%v), encoding/json %q", doc, got, err, want)
			}
		}
	})
}

func equalSample(a, b sample) bool {
	deref := func(p *bool) any {
		if p == nil {
			return nil
		}
		return *p
	}
	derefI := func(p *int32) any {
		if p == nil {
			return nil
		}
		return *p
	}
	return a.Name == b.Name && string(a.Blob) == string(b.Blob) && deref(a.Flag) == deref(b.Flag) && derefI(a.Count) == derefI(b.Count) &&
		reflect.DeepEqual(a.Context, b.Context) && reflect.DeepEqual(a.Tokens, b.Tokens) && a.Present == b.Present
}

func TestObjectEncodesAsEncodingJSON(t *testing.T) {
	got := NewObject(nil).String("A", "x\"\\\n\x01é<", false).String("B", "", true).String("C", "", false).Bytes("D", []byte{1, 2, 250}).Bytes("E", nil).End()
	want, _ := json.Marshal(struct {
		A string
		C string
		D []byte
	}{"x\"\\\n\x01é<", "", []byte{1, 2, 250}})
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
		t.Fatalf("got %s, want the same as %s", got, want)
	}
}

// nest is a valid document of depth levels of alternating objects and arrays.
func nest(depth int) string {
	var opens, closes strings.Builder
	for i := range depth {
		if i%2 == 0 {
			opens.WriteString(`{"a":`)
		} else {
			opens.WriteString("[")
		}
	}
	for i := depth - 1; i >= 0; i-- {
		if i%2 == 0 {
			closes.WriteString("}")
		} else {
			closes.WriteString("]")
		}
	}
	return opens.String() + "1" + closes.String()
}
