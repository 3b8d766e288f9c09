package lake

import (
	"context"

	"github.com/keytrail/keytrail/internal/store"
)

// SetAfterWrite lets a test stop an ingestion between storing a chunk and moving the store's
// cursor past it, as a crash would.
func SetAfterWrite(s *Service, f func() error) { s.afterWrite = f }

// Chunks counts the chunks and the data keys stored for every store.
func Chunks(ctx context.Context, s *Service) (chunks, keys int, err error) {
	err = s.db.View(ctx, func(tx store.Tx) error {
		if err := chunkMetas.Scan(tx, "", "", func(string, *chunkMeta) error { chunks++; return nil }); err != nil {
			return err
		}
		return dataKeys.Scan(tx, "", "", func(string, *dataKeyRecord) error { keys++; return nil })
	})
	return chunks, keys, err
}

// ForgetCursors deletes every store's cursor, as a store made before ingestion existed has none.
func ForgetCursors(ctx context.Context, s *Service) error {
	return s.db.Update(ctx, func(tx store.Tx) error {
		var keys []string
		if err := cursors.Scan(tx, "", "", func(key string, _ *ingestRecord) error {
			keys = append(keys, key)
			return nil
		}); err != nil {
			return err
		}
		for _, key := range keys {
			if err := cursors.Delete(tx, key); err != nil {
				return err
			}
		}
		return nil
	})
}
