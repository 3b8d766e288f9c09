package seal

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	b, err := New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Seal([]byte("secret"), "iam/access-key/AKIA1")
	if err != nil || bytes.Contains(s, []byte("secret")) {
		t.Fatalf("Seal: %v", err)
	}
	if p, err := b.Open(s, "iam/access-key/AKIA1"); err != nil || string(p) != "secret" {
		t.Fatalf("Open = %q, %v", p, err)
	}
	if _, err := b.Open(s, "iam/access-key/AKIA2"); err != ErrOpen {
		t.Fatalf("Open with another purpose: %v", err)
	}
	s[len(s)-1] ^= 1
	if _, err := b.Open(s, "iam/access-key/AKIA1"); err != ErrOpen {
		t.Fatalf("Open of a tampered value: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32))
	s2, _ := b.Seal([]byte("x"), "p")
	if _, err := other.Open(s2, "p"); err != ErrOpen {
		t.Fatalf("Open with another root key: %v", err)
	}
}

func TestLoadRootKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadRootKey(dir, "")
	if err != nil || len(k1) != 32 {
		t.Fatalf("create: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("root.key mode: %v %v", fi.Mode(), err)
	}
	if k2, err := LoadRootKey(dir, ""); err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("reload gave another key: %v", err)
	}
	want := bytes.Repeat([]byte{9}, 32)
	if k, err := LoadRootKey(t.TempDir(), hex.EncodeToString(want)); err != nil || !bytes.Equal(k, want) {
		t.Fatalf("from env: %v", err)
	}
	if _, err := LoadRootKey(t.TempDir(), "short"); err == nil {
		t.Fatal("a bad KEYTRAIL_ROOT_KEY was accepted")
	}
}
