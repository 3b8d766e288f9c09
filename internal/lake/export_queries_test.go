package lake

import (
	"context"

	"github.com/keytrail/keytrail/internal/store"
)

// WaitQuery waits until a query has ended (FINISHED, FAILED, CANCELLED or TIMED_OUT); it returns
// at once for a query it does not know.
func WaitQuery(s *Service, id string) {
	s.q.mu.Lock()
	q := s.q.byID[id]
	s.q.mu.Unlock()
	if q != nil {
		<-q.done
	}
}

// SetQueryGate makes every query wait, RUNNING, until gate is closed (or it is cancelled or
// times out) before it runs.
func SetQueryGate(s *Service, gate chan struct{}) { s.queryGate = gate }

// LoadedThrough returns the key of the last chunk of a store (by ID) in the query engine, and
// whether the store is loaded at all.
func LoadedThrough(s *Service, id string) (string, bool) {
	s.q.loadMu.Lock()
	defer s.q.loadMu.Unlock()
	key, ok := s.q.loaded[id]
	return key, ok
}

// NewestChunk returns the key of the newest chunk stored for any store.
func NewestChunk(ctx context.Context, s *Service) (newest string, err error) {
	err = s.db.View(ctx, func(tx store.Tx) error {
		return chunkMetas.Scan(tx, "", "", func(key string, _ *chunkMeta) error {
			newest = max(newest, key)
			return nil
		})
	})
	return newest, err
}

// StoredQueries counts the queries in the state store.
func StoredQueries(ctx context.Context, s *Service) (n int) {
	_ = s.db.View(ctx, func(tx store.Tx) error { // a failed read counts nothing
		return queryRecords.Scan(tx, "", "", func(string, *queryRecord) error { n++; return nil })
	})
	return n
}
