package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"sync"
)

// keyCacheSize bounds the derived signing keys kept; a full cache is emptied and refilled.
const keyCacheSize = 4096

// keyCache remembers derived signing keys by (access key, scope), so that a typical request costs
// one HMAC for the string to sign rather than five.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string]cachedKey
}

type cachedKey struct {
	secretSum [32]byte // SHA-256 of the secret, so a changed secret never reuses a key
	key       []byte
}

func newKeyCache() *keyCache { return &keyCache{keys: make(map[string]cachedKey)} }

// signingKey returns HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func (c *keyCache) signingKey(accessKeyID, secret string, a *Auth) []byte {
	id := accessKeyID + "/" + a.Scope()
	sum := sha256.Sum256([]byte(secret))
	c.mu.RLock()
	e, ok := c.keys[id]
	c.mu.RUnlock()
	if ok && subtle.ConstantTimeCompare(e.secretSum[:], sum[:]) == 1 {
		return e.key
	}
	key := DeriveKey(secret, a.Date, a.Region, a.Service)
	c.mu.Lock()
	if len(c.keys) >= keyCacheSize {
		clear(c.keys)
	}
	c.keys[id] = cachedKey{secretSum: sum, key: key}
	c.mu.Unlock()
	return key
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
