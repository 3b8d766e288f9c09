package store

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Version is embedded in every persisted record: the format version its "v" member carries, which
// Table.Put stamps so that no record is written without one.
type Version struct {
	V int `json:"v"`
}

func (v *Version) stamp(n int) { v.V = n }

type stamper interface{ stamp(int) }

// Table is a table of JSON records of one type T: the one place records are encoded, decoded,
// stamped with their format version and found missing.
type Table[T any] struct {
	Name    string // e.g. "kms.keys"
	Version int    // the format version Put stamps on records that embed Version (1 when 0)
}

// Get returns the record at key, or nil (and no error) when there is none.
func (t Table[T]) Get(tx Tx, key string) (*T, error) {
	v, err := tx.Get(t.Name, key)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return t.decode(key, v)
}

// Put writes rec at key, stamped with the table's format version.
func (t Table[T]) Put(tx Tx, key string, rec *T) error {
	if s, ok := any(rec).(stamper); ok {
		n := t.Version
		if n == 0 {
			n = 1
		}
		s.stamp(n)
	}
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("%s %q: %w", t.Name, key, err)
	}
	return tx.Put(t.Name, key, v)
}

// Delete removes the record at key; a missing one is not an error.
func (t Table[T]) Delete(tx Tx, key string) error { return tx.Delete(t.Name, key) }

// Scan calls fn with every record whose key starts with prefix, in key order from the first key ≥
// from; fn may stop the scan by returning ErrStop.
func (t Table[T]) Scan(tx Tx, prefix, from string, fn func(key string, rec *T) error) error {
	return tx.Scan(t.Name, prefix, from, func(key string, v []byte) error {
		rec, err := t.decode(key, v)
		if err != nil {
			return err
		}
		return fn(key, rec)
	})
}

func (t Table[T]) decode(key string, v []byte) (*T, error) {
	rec := new(T)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fmt.Errorf("%s %q: %w", t.Name, key, err)
	}
	return rec, nil
}
