package kms

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"testing"
)

func testKey(t testing.TB) *loadedKey {
	block, err := aes.NewCipher(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return &loadedKey{arn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		rec: keyRecord{Versions: []keyVersion{{N: 3}}}, ciphers: map[uint32]cipher.AEAD{3: aead}}
}

// FuzzParseBlob: any input either parses into parts that are exactly the input, or is refused;
// nothing that is not a blob this key made decrypts.
func FuzzParseBlob(f *testing.F) {
	// A fixed nonce: the fuzzing workers recompute the seed and must get the same blob.
	s := &Service{rand: zeros{}}
	k := testKey(f)
	ec := map[string]string{"aws:cloudtrail:arn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}
	good, err := s.seal(k, []byte("data key"), ec)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := parseBlob(in)
		if err != nil {
			if b != nil {
				t.Fatal("a refused blob yielded parts")
			}
			return
		}
		joined := append(append(append([]byte{}, b.header...), b.nonce...), b.sealed...)
		if !bytes.Equal(joined, in) || len(b.nonce) != 12 || len(b.sealed) < 16 {
			t.Fatalf("parts do not make up the input")
		}
		plain, err := open(k, b, ec)
		if err == nil && (!bytes.Equal(in, good) || string(plain) != "data key") {
			t.Fatalf("a blob that is not the one made decrypted: %x", in)
		}
	})
}

func TestCanonicalContextIsUnambiguous(t *testing.T) {
	a := canonicalContext(map[string]string{"ab": "c"})
	b := canonicalContext(map[string]string{"a": "bc"})
	if bytes.Equal(a, b) {
		t.Fatal("different contexts share additional data")
	}
	if !bytes.Equal(canonicalContext(map[string]string{"x": "1", "y": "2"}), canonicalContext(map[string]string{"y": "2", "x": "1"})) {
		t.Fatal("pair order changes the additional data")
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }
