package checksum

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
)

// The check values of each algorithm over "123456789" (CRC catalogue; FIPS 180 for SHA).
func TestCheckValues(t *testing.T) {
	for alg, want := range map[string]string{
		"crc32":     "cbf43926",
		"crc32c":    "e3069283",
		"crc64nvme": "ae8b14860a799888",
		"sha1":      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		"sha256":    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	} {
		h := New("X-Amz-Checksum-" + alg)
		h.Write([]byte("123456789"))
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			t.Errorf("%s = %s, want %s", alg, got, want)
		}
		raw, _ := hex.DecodeString(want)
		if v := Value(h); v != base64.StdEncoding.EncodeToString(raw) || !Valid(alg, v) || Size(alg) != len(raw) {
			t.Errorf("%s: Value %q, Valid %v, Size %d", alg, v, Valid(alg, v), Size(alg))
		}
	}
	if New("md5") != nil || Size("md5") != 0 || Valid("crc32", "AAAA") || Valid("crc32", "not base64!") {
		t.Error("an unknown algorithm or a malformed value passed")
	}
}

func TestComposite(t *testing.T) {
	// crc32 over the raw crc32s of two parts, then -2.
	a, b := New("crc32"), New("crc32")
	a.Write([]byte("part one"))
	b.Write([]byte("part two"))
	all := New("crc32")
	all.Write(append(a.Sum(nil), b.Sum(nil)...))
	if got, want := Composite("CRC32", []string{Value(a), Value(b)}), Value(all)+"-2"; got != want {
		t.Fatalf("Composite = %s, want %s", got, want)
	}
	if Composite("crc32", []string{"AAAA"}) != "" || Composite("md5", nil) != "" {
		t.Fatal("a malformed part or an unknown algorithm made a composite")
	}
}
