package lake

import (
	"context"
	"fmt"

	"github.com/keytrail/keytrail/internal/store"
)

// RewindIngestion forgets what a store (by ARN) ingested — its chunks, its data keys and its
// events in the query engine — and moves its cursor back to from, so that the next Ingest takes
// the journal's events from there again: the ingestion benchmark ingests the same events at each
// iteration.
func RewindIngestion(ctx context.Context, s *Service, arn string, from uint64) error {
	r, err := storeByARN(ctx, s, arn)
	if err != nil {
		return err
	}
	if err := s.db.Update(ctx, func(tx store.Tx) error {
		if err := purgeData(tx, r.storeKey()); err != nil {
			return err
		}
		return cursors.Put(tx, r.storeKey(), &ingestRecord{Cursor: from})
	}); err != nil {
		return err
	}
	s.forget(ctx, r.ID)
	return nil
}

// Unload drops a store's (by ARN) events from the query engine, so that the next query reading
// it loads them again, as the first query after keytrail starts does.
func Unload(ctx context.Context, s *Service, arn string) error {
	r, err := storeByARN(ctx, s, arn)
	if err != nil {
		return err
	}
	s.forget(ctx, r.ID)
	return nil
}

func storeByARN(ctx context.Context, s *Service, arn string) (*storeRecord, error) {
	var found *storeRecord
	err := s.db.View(ctx, func(tx store.Tx) error {
		return stores.Scan(tx, "", "", func(_ string, r *storeRecord) error {
			if r.ARN() == arn {
				found = r
			}
			return nil
		})
	})
	if err == nil && found == nil {
		err = fmt.Errorf("no store %s", arn)
	}
	return found, err
}
