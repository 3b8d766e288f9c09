// Package bolt implements store.DB with bbolt: one file, serialisable transactions, fsync on
// every commit, so an acknowledged write survives a restart and a kill -9.
package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"

	"github.com/keytrail/keytrail/internal/store"
)

// FileName is the name of the state file inside the data directory.
const FileName = "state.db"

// DB is a store.DB backed by a bbolt file.
type DB struct {
	bolt *bbolt.DB
}

// Open opens (creating if needed) the state file in dir.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	b, err := bbolt.Open(filepath.Join(dir, FileName), 0o600, &bbolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("open state %s: %w", filepath.Join(dir, FileName), err)
	}
	return &DB{bolt: b}, nil
}

// View implements store.DB.
func (d *DB) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.bolt.View(func(tx *bbolt.Tx) error { return fn(boltTx{tx}) })
}

// Update implements store.DB.
func (d *DB) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.bolt.Update(func(tx *bbolt.Tx) error { return fn(boltTx{tx}) })
}

// Close implements store.DB.
func (d *DB) Close() error { return d.bolt.Close() }

type boltTx struct{ tx *bbolt.Tx }

func (t boltTx) Get(table, key string) ([]byte, error) {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		return nil, store.ErrNotFound
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, store.ErrNotFound
	}
	return bytes.Clone(v), nil
}

func (t boltTx) Put(table, key string, value []byte) error {
	if key == "" {
		return errors.New("store: empty key")
	}
	b, err := t.tx.CreateBucketIfNotExists([]byte(table))
	if err != nil {
		return err
	}
	return b.Put([]byte(key), value)
}

func (t boltTx) Delete(table, key string) error {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

func (t boltTx) Scan(table, prefix, from string, fn func(string, []byte) error) error {
	b := t.tx.Bucket([]byte(table))
	if b == nil {
		return nil
	}
	start := prefix
	if from > start {
		start = from
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, v := c.Seek([]byte(start)); k != nil && bytes.HasPrefix(k, p); k, v = c.Next() {
		if err := fn(string(k), bytes.Clone(v)); err != nil {
			if errors.Is(err, store.ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}
