// Package seal is keytrail's barrier: every secret and all key material is sealed with one root key
// (AES-256-GCM) before it is written, and is never written or logged in the clear.
//
// The root key lives in <data>/root.key (mode 0600), created on first start, or is given by
// KEYTRAIL_ROOT_KEY (64 hex characters or base64 of 32 bytes).
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the root key's file name inside the data directory.
const KeyFile = "root.key"

// version is the first byte of every sealed value.
const version byte = 1

// ErrOpen is returned when a sealed value cannot be opened (wrong root key, tampering, wrong purpose).
var ErrOpen = errors.New("seal: cannot open sealed value")

// Barrier seals and opens values with the root key.
type Barrier struct {
	aead cipher.AEAD
	rand io.Reader
}

// New returns a barrier over a 32-byte root key.
func New(rootKey []byte) (*Barrier, error) {
	if len(rootKey) != 32 {
		return nil, fmt.Errorf("seal: root key must be 32 bytes, got %d", len(rootKey))
	}
	block, err := aes.NewCipher(rootKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Barrier{aead: aead, rand: rand.Reader}, nil
}

// Seal encrypts plaintext; purpose is bound as additional data (e.g. "iam/access-key/AKIA…"),
// so a sealed value cannot be moved to another record.
func (b *Barrier) Seal(plaintext []byte, purpose string) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := io.ReadFull(b.rand, nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+b.aead.Overhead())
	out = append(out, version)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, []byte(purpose)), nil
}

// Open decrypts a value made by Seal with the same purpose.
func (b *Barrier) Open(sealed []byte, purpose string) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(sealed) < 1+ns+b.aead.Overhead() || sealed[0] != version {
		return nil, ErrOpen
	}
	pt, err := b.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], []byte(purpose))
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// LoadRootKey returns the root key: from env (KEYTRAIL_ROOT_KEY's value) when non-empty, else from
// <dir>/root.key, which is created with a fresh random key (mode 0600) when missing.
func LoadRootKey(dir, env string) ([]byte, error) {
	if env != "" {
		return parseKey(strings.TrimSpace(env))
	}
	path := filepath.Join(dir, KeyFile)
	data, err := os.ReadFile(path)
	if err == nil {
		return parseKey(strings.TrimSpace(string(data)))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read root key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, err
	}
	if err := writeFileSync(path, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		return nil, fmt.Errorf("write root key: %w", err)
	}
	return key, nil
}

func parseKey(s string) ([]byte, error) {
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	if k, err := base64.StdEncoding.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, errors.New("root key must be 32 bytes, as 64 hex characters or base64")
}

// writeFileSync creates path exclusively with mode 0600 and syncs it and its directory.
func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close() // the write's error is the one to report
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close() // the sync's error is the one to report
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
