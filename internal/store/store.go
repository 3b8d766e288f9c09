// Package store defines keytrail's persistence interfaces: a small transactional key-value model
// that every service keeps its state in, so that a second backend (PostgreSQL, say) can be added
// without touching the services. Package store/bolt implements it with bbolt, fsync on commit.
//
// Tables are named by the owning service ("iam.users", "sts.sessions"). Keys are strings that
// sort in byte order; values are the service's own self-describing, versioned encodings.
package store

import (
	"context"
	"errors"
)

// ErrNotFound is returned by Tx.Get for a missing key.
var ErrNotFound = errors.New("store: not found")

// DB is a transactional store. An Update that returns nil is durable when Update returns.
type DB interface {
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, committed (and synced) if fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the store.
	Close() error
}

// Tx is a transaction. Values returned by Get and Scan are copies the caller may keep.
type Tx interface {
	// Get returns the value of key in table, or ErrNotFound.
	Get(table, key string) ([]byte, error)
	// Put sets key in table to value. It fails in a read-only transaction.
	Put(table, key string, value []byte) error
	// Delete removes key from table; deleting a missing key is not an error.
	Delete(table, key string) error
	// Scan calls fn for every key in table that starts with prefix, in byte order, starting at
	// the first key ≥ from (from "" means from the first key with the prefix). fn may stop the
	// scan by returning ErrStop.
	Scan(table, prefix, from string, fn func(key string, value []byte) error) error
}

// ErrStop stops a Scan without error.
var ErrStop = errors.New("store: stop scan")
