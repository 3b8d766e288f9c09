package lake

import (
	"context"
	"time"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/store"
)

// loadStore brings the engine's copy of a store's events up to date before a query: the first
// time, every chunk within the retention period; later, the chunks stored since (ingestion
// normally adds them itself, see chunkStored). The chunks' data keys are unwrapped as CloudTrail
// (kms:Decrypt by cloudtrail.amazonaws.com, the key policy's "Allow CloudTrail to decrypt an
// event data store",
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html),
// so a key CloudTrail may no longer use refuses the query with
// InsufficientEncryptionPolicyException. Events past the retention period are purged from the
// engine.
func (s *Service) loadStore(c *call, r *storeRecord) error {
	s.q.loadMu.Lock()
	defer s.q.loadMu.Unlock()
	after, ok := s.q.loaded[r.ID]
	if !ok {
		after = ""
	}
	cutoff := r.cutoff(s.now())
	prefix := r.storeKey() + "/"
	var keys []string
	wrapped := map[string]*dataKeyRecord{}
	if err := s.db.View(c.Ctx, func(tx store.Tx) error {
		err := chunkMetas.Scan(tx, prefix, "", func(key string, m *chunkMeta) error {
			if key > after && !m.Newest.Before(cutoff) {
				keys = append(keys, key)
			}
			return nil
		})
		if err != nil {
			return err
		}
		return dataKeys.Scan(tx, prefix, "", func(key string, k *dataKeyRecord) error {
			wrapped[key[len(prefix):]] = k
			return nil
		})
	}); err != nil {
		return err
	}
	asCloudTrail := &call{Ctx: identity.WithPrincipal(c.Ctx, cloudTrail), P: cloudTrail, Region: r.Region}
	plain := map[string][]byte{}
	// One goroutine reads and decrypts the chunks while this one loads them into the engine:
	// at most one chunk waits in between.
	chunks := make(chan chunkRead, 1)
	stop := make(chan struct{})
	go func() {
		defer close(chunks)
		for _, key := range keys {
			rc := chunkRead{key: key}
			rc.err = s.readChunk(asCloudTrail, r, key, wrapped, plain, cutoff, func(rec []byte) bool {
				rc.recs = append(rc.recs, rec)
				return true
			})
			select {
			case chunks <- rc:
			case <-stop:
				return
			}
			if rc.err != nil {
				return
			}
		}
	}()
	var err error
	for rc := range chunks {
		if err = rc.err; err == nil {
			err = s.engine.Load(c.Ctx, r.ID, rc.recs)
		}
		if err != nil {
			break
		}
		s.q.loaded[r.ID] = rc.key // a later failure must not load this chunk twice
	}
	close(stop)
	for range chunks { // the reader has ended once chunks is closed
	}
	for _, dk := range plain {
		clear(dk)
	}
	if err != nil {
		return err
	}
	s.q.loaded[r.ID] = max(s.q.loaded[r.ID], after)
	_, err = s.engine.Purge(c.Ctx, r.ID, cutoff)
	return err
}

// chunkRead is a chunk's records read for loadStore, or why they could not be.
type chunkRead struct {
	key  string
	recs [][]byte
	err  error
}

// chunkStored is ingestion's hook: a chunk just stored (its entries in clear) joins the engine's
// copy of its store, if the store is loaded.
func (s *Service) chunkStored(ctx context.Context, r *storeRecord, key string, entries []byte) {
	if s.engine == nil {
		return
	}
	s.q.loadMu.Lock()
	defer s.q.loadMu.Unlock()
	after, ok := s.q.loaded[r.ID]
	if !ok || key <= after {
		return
	}
	var recs [][]byte
	err := eachEntry(entries, func(_ time.Time, rec []byte) bool {
		recs = append(recs, rec)
		return true
	})
	if err == nil {
		err = s.engine.Load(ctx, r.ID, recs)
	}
	if err != nil {
		// The next query loads the whole store again.
		s.log.Error("lake: loading a chunk into the query engine failed", "store", r.ARN(), "err", err)
		delete(s.q.loaded, r.ID)
		if err := s.engine.Drop(ctx, r.ID); err != nil {
			s.log.Error("lake: dropping a store from the query engine failed", "store", r.ARN(), "err", err)
		}
		return
	}
	s.q.loaded[r.ID] = key
}

// forget drops a purged store's events from the engine.
func (s *Service) forget(ctx context.Context, id string) {
	if s.engine == nil {
		return
	}
	s.q.loadMu.Lock()
	defer s.q.loadMu.Unlock()
	delete(s.q.loaded, id)
	if err := s.engine.Drop(ctx, id); err != nil {
		s.log.Error("lake: dropping a store from the query engine failed", "store", id, "err", err)
	}
}
