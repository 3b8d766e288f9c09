package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"hash"
	"sync"
	"unsafe"
)

// keyCacheSize bounds the derived signing keys kept; a full cache is emptied and refilled.
const keyCacheSize = 4096

// keyCache remembers derived signing keys by (access key, scope), so that a typical request costs
// one HMAC for the string to sign rather than five.
type keyCache struct {
	mu   sync.RWMutex
	keys map[keyID]cachedKey
}

// keyID names a signing key: the access key and the credential scope.
type keyID struct{ accessKeyID, date, region, service string }

type cachedKey struct {
	secretSum [32]byte // SHA-256 of the secret, so a changed secret never reuses a key
	key       []byte
	macs      *sync.Pool // HMAC-SHA256 states keyed with key, reused across requests
}

// mac returns an HMAC-SHA256 keyed with the signing key, and a function that gives it back.
func (k cachedKey) mac() (hash.Hash, func()) {
	m := k.macs.Get().(hash.Hash)
	m.Reset()
	return m, func() { k.macs.Put(m) }
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[keyID]cachedKey)} }

// signingKey returns HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func (c *keyCache) signingKey(accessKeyID, secret string, a *Auth) cachedKey {
	id := keyID{accessKeyID, a.Date, a.Region, a.Service}
	sum := sha256.Sum256(unsafe.Slice(unsafe.StringData(secret), len(secret))) // read only: no copy
	c.mu.RLock()
	e, ok := c.keys[id]
	c.mu.RUnlock()
	if ok && subtle.ConstantTimeCompare(e.secretSum[:], sum[:]) == 1 {
		return e
	}
	key := DeriveKey(secret, a.Date, a.Region, a.Service)
	e = cachedKey{secretSum: sum, key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
	c.mu.Lock()
	if len(c.keys) >= keyCacheSize {
		clear(c.keys)
	}
	c.keys[id] = e
	c.mu.Unlock()
	return e
}

// DeriveKey derives the SigV4 signing key for a secret and scope.
func DeriveKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
