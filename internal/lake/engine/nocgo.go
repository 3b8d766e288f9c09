//go:build !cgo

package engine

import (
	"context"
	"time"
)

// Engine is the query engine of a build without cgo: it keeps nothing and runs no query.
type Engine struct{}

// Open returns an engine whose queries fail with ErrNoEngine.
func Open(Config) (*Engine, error) { return &Engine{}, nil }

// Close does nothing.
func (*Engine) Close() error { return nil }

// Load discards records: no query can read them.
func (*Engine) Load(context.Context, string, [][]byte) error { return nil }

// Purge does nothing.
func (*Engine) Purge(context.Context, string, time.Time) (int64, error) { return 0, nil }

// Drop does nothing.
func (*Engine) Drop(context.Context, string) error { return nil }

// Prepare fails with ErrNoEngine.
func (*Engine) Prepare(context.Context, string, func(storeID string) error) (*Statement, error) {
	return nil, ErrNoEngine
}

// Query fails with ErrNoEngine.
func (*Engine) Query(context.Context, string, func(storeID string) error) (*Result, error) {
	return nil, ErrNoEngine
}

// Statement is a checked query; a build without cgo never makes one.
type Statement struct{}

// Stores returns nothing.
func (*Statement) Stores() []string { return nil }

// Run fails with ErrNoEngine.
func (*Statement) Run(context.Context) (*Result, error) { return nil, ErrNoEngine }
