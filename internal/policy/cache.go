package policy

import "sync"

// Cache holds compiled policies by document text and kind, so that a document stored once is
// parsed once. It is safe for concurrent use and holds at most its capacity of documents.
type Cache struct {
	mu  sync.Mutex
	m   map[cacheKey]cached
	max int
}

type cacheKey struct {
	doc  string
	kind Kind
}

type cached struct {
	p   *Policy
	err error
}

// NewCache returns a cache of at most capacity compiled documents (at least 1).
func NewCache(capacity int) *Cache {
	return &Cache{m: map[cacheKey]cached{}, max: max(capacity, 1)}
}

// Parse is Parse through the cache: the same document and kind give the same *Policy (or error).
func (c *Cache) Parse(doc string, kind Kind) (*Policy, error) {
	k := cacheKey{doc, kind}
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return v.p, v.err
	}
	p, err := Parse(doc, kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.m) >= c.max {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[k] = cached{p, err}
	return p, err
}
