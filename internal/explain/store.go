package explain

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/request"
)

// The Store's default bounds.
const (
	DefaultMaxRequests = 1000      // explanations kept
	DefaultMaxAge      = time.Hour // how long one is kept
	DefaultMaxBytes    = 64 << 20  // their size, as JSON
	// MaxDenials bounds the denials kept for one request; later ones are counted, not kept.
	MaxDenials = 16
)

// Config bounds a Store.
type Config struct {
	MaxRequests int              // explanations kept, the oldest evicted first; DefaultMaxRequests when 0
	MaxAge      time.Duration    // age after which one is dropped; DefaultMaxAge when 0
	MaxBytes    int              // their total size as JSON, the oldest evicted first; DefaultMaxBytes when 0
	Now         func() time.Time // time.Now when nil
}

// Stats counts what a Store did.
type Stats struct {
	Kept    int    `json:"kept"`    // explanations held now
	Bytes   int    `json:"bytes"`   // their size as JSON
	Stored  uint64 `json:"stored"`  // denials recorded
	Evicted uint64 `json:"evicted"` // explanations dropped for the count or size bound
	Expired uint64 `json:"expired"` // explanations dropped for their age
	Dropped uint64 `json:"dropped"` // denials not kept: past MaxDenials for their request, or without a request ID
}

// Store keeps explanations in memory, bounded in count and age: they are diagnostics, so a
// restart forgets them (see docs/decisions.md). It is safe for concurrent use.
type Store struct {
	cfg   Config
	mu    sync.Mutex
	byID  map[string]*Explanation // by the client's request ID
	alias map[string]string       // an in-process call's ID → the client's request ID
	order []string                // client request IDs, oldest first
	size  map[string]int          // each explanation's size as JSON
	bytes int
	stats Stats
}

// New returns an empty Store.
func New(cfg Config) *Store {
	if cfg.MaxRequests <= 0 {
		cfg.MaxRequests = DefaultMaxRequests
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Store{cfg: cfg, byID: map[string]*Explanation{}, alias: map[string]string{}, size: map[string]int{}}
}

// RecordDenial implements authz.DenialRecorder: it explains the denial and keeps it under the
// client's request ID (an in-process call's under its outer request's, and its own as an alias).
func (s *Store) RecordDenial(ctx context.Context, req authz.Request, d authz.Decision) {
	f, ok := request.FactsOf(ctx)
	if !ok || f.ID == "" {
		s.mu.Lock()
		s.stats.Dropped++
		s.mu.Unlock()
		return
	}
	den := Build(ctx, req, d)
	encoded, _ := json.Marshal(den) // its size: what it costs to keep
	key := f.Outer
	if key == "" {
		key = f.ID
	}
	now := s.cfg.Now()
	if den.Time.IsZero() {
		den.Time = now.UTC()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if len(encoded) > s.cfg.MaxBytes {
		s.stats.Dropped++
		return
	}
	e := s.byID[key]
	if e == nil {
		e = &Explanation{RequestID: key, Time: den.Time}
		s.byID[key] = e
		s.order = append(s.order, key)
	}
	if len(e.Denials) >= MaxDenials {
		s.stats.Dropped++
		return
	}
	e.Denials = append(e.Denials, den)
	s.size[key] += len(encoded)
	s.bytes += len(encoded)
	if f.ID != key {
		s.alias[f.ID] = key
	}
	s.stats.Stored++
	s.evict()
}

// Get returns the explanation of request id (the client's request ID, or an in-process call's)
// with the denials of account only; false when there is none for that account — whether the
// request does not exist, was allowed, expired, or was another account's.
func (s *Store) Get(id, account string) (*Explanation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(s.cfg.Now())
	key := id
	if k, ok := s.alias[id]; ok {
		key = k
	}
	e := s.byID[key]
	if e == nil || account == "" {
		return nil, false
	}
	out := &Explanation{RequestID: e.RequestID, Time: e.Time}
	for _, d := range e.Denials {
		if d.Account == account && (key == id || d.RequestID == id) {
			out.Denials = append(out.Denials, d)
		}
	}
	if len(out.Denials) == 0 {
		return nil, false
	}
	return out, true
}

// Stats returns the Store's counters.
func (s *Store) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Kept, st.Bytes = len(s.byID), s.bytes
	return st
}

// expire drops the explanations older than MaxAge, oldest first.
func (s *Store) expire(now time.Time) {
	n := 0
	for ; n < len(s.order); n++ {
		if e := s.byID[s.order[n]]; e != nil && now.Sub(e.Time) < s.cfg.MaxAge {
			break
		}
		s.drop(s.order[n])
		s.stats.Expired++
	}
	s.order = s.order[n:]
}

// evict drops the oldest explanations beyond MaxRequests or MaxBytes.
func (s *Store) evict() {
	for len(s.order) > s.cfg.MaxRequests || s.bytes > s.cfg.MaxBytes {
		s.drop(s.order[0])
		s.order = s.order[1:]
		s.stats.Evicted++
	}
}

func (s *Store) drop(key string) {
	if e := s.byID[key]; e != nil {
		for _, d := range e.Denials {
			delete(s.alias, d.RequestID)
		}
	}
	delete(s.byID, key)
	s.bytes -= s.size[key]
	delete(s.size, key)
}
