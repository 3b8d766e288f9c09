package console

import (
	"bytes"
	"compress/gzip"
	"strings"
	"testing"
	"time"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// readable shows a file's text: unzipped, JSON indented; anything else as a note.
func TestReadable(t *testing.T) {
	big := bytes.Repeat([]byte("a"), maxObject+1)
	for _, c := range []struct {
		name       string
		raw        []byte
		body, note string
	}{
		{"JSON", []byte(`{"a":[1]}`), "{\n  \"a\": [\n    1\n  ]\n}", ""},
		{"gzipped JSON", gzipped(t, []byte(`{"Records":[]}`)), "{\n  \"Records\": []\n}", ""},
		{"text", []byte("plain text"), "plain text", ""},
		{"binary", []byte{0, 1, 2, 0xff}, "", "The file is not text."},
		{"invalid UTF-8", []byte{'a', 0xff}, "", "The file is not text."},
		{"a bad gzip stream", append([]byte{0x1f, 0x8b}, "not gzip"...), "", "The file is not a valid gzip stream."},
		{"a cut gzip stream", gzipped(t, []byte(`{"Records":[]}`))[:15], "", "The file is not a valid gzip stream."},
		{"too large", big, "", "The file is larger than 8 MiB: download it to read it."},
		{"too large unzipped", gzipped(t, big), "", "The file is larger than 8 MiB unzipped: download it to read it."},
	} {
		body, note := readable(c.raw)
		if body != c.body || note != c.note {
			t.Errorf("%s: %q, %q", c.name, body, note)
		}
	}
}

func TestCrumbsAndFrom(t *testing.T) {
	got := crumbs("AWSLogs/111122223333/CloudTrail/x")
	if len(got) != 3 || got[2] != (crumb{Name: "CloudTrail", Prefix: "AWSLogs/111122223333/CloudTrail/"}) || got[0].Prefix != "AWSLogs/" {
		t.Errorf("crumbs: %+v", got)
	}
	if got := crumbs(""); got != nil {
		t.Errorf("crumbs of the root: %+v", got)
	}
	for in, want := range map[string]string{
		"SELECT * FROM old WHERE x":         "SELECT * FROM eds WHERE x",
		"select a\nfrom\n  old;":            "select a\nfrom\n  eds;",
		"SELECT 1":                          "SELECT 1",
		"SELECT * FROM (SELECT 1) JOIN old": "SELECT * FROM (SELECT 1) JOIN old",
		"SELECT * FROM a, b":                "SELECT * FROM eds, b",
	} {
		if got := fillFrom(in, "eds"); got != want {
			t.Errorf("fillFrom(%q) = %q", in, got)
		}
	}
	if p := storeKeyPolicy("111122223333", "arn:aws:iam::111122223333:user/alice", time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)); !strings.Contains(p, `"Sid":"The key created by CloudTrail to encrypt event data stores. Created Wed, 02 Dec 2026 12:00:00 GMT"`) ||
		!strings.Contains(p, `"Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":["kms:Decrypt","kms:GenerateDataKey"]`) {
		t.Errorf("the event data store key policy: %s", p)
	}
}
