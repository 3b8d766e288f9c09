package policy

import "sync"

// Cache holds compiled policies by document text and kind, so that a document stored once is
// parsed once. It is safe for concurrent use: reads take no lock. It holds about its capacity of
// documents; when full, it starts again empty.
type Cache struct {
	m   sync.Map // cacheKey → cached
	mu  sync.Mutex
	n   int
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

// NewCache returns a cache of about capacity compiled documents (at least 1).
func NewCache(capacity int) *Cache {
	return &Cache{max: max(capacity, 1)}
}

// Parse is Parse through the cache: the same document and kind give the same *Policy (or error).
func (c *Cache) Parse(doc string, kind Kind) (*Policy, error) {
	k := cacheKey{doc, kind}
	if v, ok := c.m.Load(k); ok {
		return v.(cached).p, v.(cached).err
	}
	p, err := Parse(doc, kind)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n >= c.max {
		c.m.Clear()
		c.n = 0
	}
	if _, loaded := c.m.LoadOrStore(k, cached{p, err}); !loaded {
		c.n++
	}
	return p, err
}
