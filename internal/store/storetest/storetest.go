// Package storetest is the conformance suite of store.DB: every backend runs it from its own
// tests, so that the services can rely on one behaviour whatever keeps their state (the shape of
// gofakes3's one suite run against every backend).
package storetest

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/keytrail/keytrail/internal/store"
)

// Open opens (creating if needed) the backend's store kept in dir; opening dir again must find
// what was committed before.
type Open func(dir string) (store.DB, error)

// Run runs the conformance suite against the backend open opens.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(*testing.T, store.DB)
	}{
		{"GetMissing", getMissing},
		{"PutGet", putGet},
		{"ValuesAreCopies", valuesAreCopies},
		{"Delete", deleteKeys},
		{"ScanPrefix", scanPrefix},
		{"ScanFrom", scanFrom},
		{"ScanStop", scanStop},
		{"ScanError", scanError},
		{"ScanMissingTable", scanMissingTable},
		{"RollbackOnError", rollbackOnError},
		{"ReadOnlyPutFails", readOnlyPutFails},
		{"CanceledContext", canceledContext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, openDB(t, open, t.TempDir())) })
	}
	t.Run("ReopenPersists", func(t *testing.T) { reopenPersists(t, open) })
}

var ctx = context.Background()

// openDB opens the store in dir, closed when the test ends.
func openDB(t *testing.T, open Open, dir string) store.DB {
	t.Helper()
	db, err := open(dir)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() }) // a second Close after reopenPersists's is allowed to fail
	return db
}

// put commits key=value in table.
func put(t *testing.T, db store.DB, table string, kv ...string) {
	t.Helper()
	err := db.Update(ctx, func(tx store.Tx) error {
		for i := 0; i+1 < len(kv); i += 2 {
			if err := tx.Put(table, kv[i], []byte(kv[i+1])); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
}

// get returns the committed value of key in table, or "<missing>".
func get(t *testing.T, db store.DB, table, key string) string {
	t.Helper()
	var got string
	err := db.View(ctx, func(tx store.Tx) error {
		v, err := tx.Get(table, key)
		if errors.Is(err, store.ErrNotFound) {
			got = "<missing>"
			return nil
		}
		got = string(v)
		return err
	})
	if err != nil {
		t.Fatalf("get %s %s: %v", table, key, err)
	}
	return got
}

// scan returns the keys Scan visits.
func scan(t *testing.T, db store.DB, table, prefix, from string) []string {
	t.Helper()
	var keys []string
	err := db.View(ctx, func(tx store.Tx) error {
		return tx.Scan(table, prefix, from, func(k string, v []byte) error {
			keys = append(keys, k+"="+string(v))
			return nil
		})
	})
	if err != nil {
		t.Fatalf("scan %s %q %q: %v", table, prefix, from, err)
	}
	return keys
}

func getMissing(t *testing.T, db store.DB) {
	if got := get(t, db, "t", "k"); got != "<missing>" {
		t.Errorf("a table never written: Get = %q; want ErrNotFound", got)
	}
	put(t, db, "t", "a", "1")
	if got := get(t, db, "t", "k"); got != "<missing>" {
		t.Errorf("a missing key: Get = %q; want ErrNotFound", got)
	}
	if got := get(t, db, "other", "a"); got != "<missing>" {
		t.Errorf("a key of another table: Get = %q; want ErrNotFound", got)
	}
}

func putGet(t *testing.T, db store.DB) {
	err := db.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put("t", "k", []byte("v1")); err != nil {
			return err
		}
		v, err := tx.Get("t", "k")
		if err != nil || string(v) != "v1" {
			t.Errorf("Get in the writing transaction = %q, %v; want v1", v, err)
		}
		return tx.Put("t", "k", []byte("v2"))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, db, "t", "k"); got != "v2" {
		t.Errorf("after commit Get = %q; want the last Put, v2", got)
	}
	put(t, db, "t", "empty", "")
	if got := get(t, db, "t", "empty"); got != "" {
		t.Errorf("an empty value reads back as %q", got)
	}
}

func valuesAreCopies(t *testing.T, db store.DB) {
	put(t, db, "t", "k", "value")
	err := db.View(ctx, func(tx store.Tx) error {
		v, err := tx.Get("t", "k")
		if err != nil {
			return err
		}
		copy(v, "XXXXX")
		return tx.Scan("t", "", "", func(_ string, v []byte) error {
			copy(v, "YYYYY")
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, db, "t", "k"); got != "value" {
		t.Errorf("writing into returned values changed the store: %q", got)
	}
	in := []byte("before")
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Put("t", "k2", in) }); err != nil {
		t.Fatal(err)
	}
	copy(in, "after!")
	if got := get(t, db, "t", "k2"); got != "before" {
		t.Errorf("changing a value after Put changed the store: %q", got)
	}
}

func deleteKeys(t *testing.T, db store.DB) {
	put(t, db, "t", "a", "1", "b", "2")
	err := db.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.Delete("t", "a"), tx.Delete("t", "missing"), tx.Delete("never-written", "a"))
	})
	if err != nil {
		t.Fatalf("Delete (of a key, a missing key, a key of a missing table): %v", err)
	}
	if got := get(t, db, "t", "a"); got != "<missing>" {
		t.Errorf("deleted key reads %q", got)
	}
	if got := get(t, db, "t", "b"); got != "2" {
		t.Errorf("Delete of a removed another key: b = %q", got)
	}
}

func scanPrefix(t *testing.T, db store.DB) {
	put(t, db, "t", "b/2", "x", "a/1", "y", "b/1", "z", "b", "w", "c/1", "v")
	put(t, db, "u", "b/3", "other table")
	want := []string{"b=w", "b/1=z", "b/2=x"}
	if got := scan(t, db, "t", "b", ""); !slices.Equal(got, want) {
		t.Errorf("Scan prefix b = %q; want %q (in key order, this table only)", got, want)
	}
	all := []string{"a/1=y", "b=w", "b/1=z", "b/2=x", "c/1=v"} // "b" < "b/1" in byte order
	if got := scan(t, db, "t", "", ""); !slices.Equal(got, all) {
		t.Errorf("Scan of everything = %q; want %q", got, all)
	}
	if got := scan(t, db, "t", "d", ""); len(got) != 0 {
		t.Errorf("Scan of an absent prefix = %q", got)
	}
}

func scanFrom(t *testing.T, db store.DB) {
	put(t, db, "t", "k/1", "1", "k/2", "2", "k/3", "3", "l", "4")
	cases := []struct {
		from string
		want []string
	}{
		{"k/2", []string{"k/2=2", "k/3=3"}},        // from an existing key, inclusive
		{"k/25", []string{"k/3=3"}},                // from between keys
		{"a", []string{"k/1=1", "k/2=2", "k/3=3"}}, // from before the prefix: the prefix rules
		{"k/4", nil}, // from after every key of the prefix
		{"m", nil},   // from after the prefix itself
	}
	for _, c := range cases {
		if got := scan(t, db, "t", "k/", c.from); !slices.Equal(got, c.want) {
			t.Errorf("Scan k/ from %q = %q; want %q", c.from, got, c.want)
		}
	}
}

func scanStop(t *testing.T, db store.DB) {
	put(t, db, "t", "a", "1", "b", "2", "c", "3")
	var seen []string
	err := db.View(ctx, func(tx store.Tx) error {
		return tx.Scan("t", "", "", func(k string, _ []byte) error {
			seen = append(seen, k)
			if k == "b" {
				return store.ErrStop
			}
			return nil
		})
	})
	if err != nil {
		t.Errorf("Scan stopped by ErrStop returned %v; want nil", err)
	}
	if !slices.Equal(seen, []string{"a", "b"}) {
		t.Errorf("Scan went on after ErrStop: %q", seen)
	}
}

func scanError(t *testing.T, db store.DB) {
	put(t, db, "t", "a", "1", "b", "2")
	boom := errors.New("boom")
	calls := 0
	err := db.View(ctx, func(tx store.Tx) error {
		return tx.Scan("t", "", "", func(string, []byte) error {
			calls++
			return boom
		})
	})
	if !errors.Is(err, boom) || calls != 1 {
		t.Errorf("Scan whose fn fails: %v after %d calls; want boom after 1", err, calls)
	}
}

func scanMissingTable(t *testing.T, db store.DB) {
	if got := scan(t, db, "never-written", "", ""); len(got) != 0 {
		t.Errorf("Scan of a missing table = %q", got)
	}
}

func rollbackOnError(t *testing.T, db store.DB) {
	put(t, db, "t", "kept", "1", "gone", "2")
	boom := errors.New("boom")
	err := db.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put("t", "new", []byte("3")); err != nil {
			return err
		}
		if err := tx.Put("t", "kept", []byte("changed")); err != nil {
			return err
		}
		if err := tx.Delete("t", "gone"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v; want fn's error", err)
	}
	for k, want := range map[string]string{"new": "<missing>", "kept": "1", "gone": "2"} {
		if got := get(t, db, "t", k); got != want {
			t.Errorf("after a failed Update %s = %q; want %q (nothing of it committed)", k, got, want)
		}
	}
}

func readOnlyPutFails(t *testing.T, db store.DB) {
	put(t, db, "t", "k", "1")
	var putErr, delErr error
	err := db.View(ctx, func(tx store.Tx) error {
		putErr = tx.Put("t", "k", []byte("2"))
		delErr = tx.Delete("t", "k")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if putErr == nil {
		t.Error("Put in a View succeeded")
	}
	if delErr == nil {
		t.Error("Delete in a View succeeded")
	}
	if got := get(t, db, "t", "k"); got != "1" {
		t.Errorf("after writes in a View k = %q; want 1", got)
	}
}

func canceledContext(t *testing.T, db store.DB) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	run := func(store.Tx) error { ran = true; return nil }
	if err := db.View(c, run); !errors.Is(err, context.Canceled) {
		t.Errorf("View with a canceled context: %v", err)
	}
	if err := db.Update(c, run); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a canceled context: %v", err)
	}
	if ran {
		t.Error("a transaction ran under a canceled context")
	}
}

func reopenPersists(t *testing.T, open Open) {
	dir := t.TempDir()
	db := openDB(t, open, dir)
	put(t, db, "t", "a", "1", "b", "2")
	if err := db.Update(ctx, func(tx store.Tx) error { return tx.Delete("t", "b") }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	db = openDB(t, open, dir)
	if got := scan(t, db, "t", "", ""); !slices.Equal(got, []string{"a=1"}) {
		t.Errorf("after reopening: %q; want the committed a=1 only", got)
	}
	var v []byte
	err := db.View(ctx, func(tx store.Tx) (err error) { v, err = tx.Get("t", "a"); return err })
	if err != nil || !bytes.Equal(v, []byte("1")) {
		t.Errorf("after reopening Get a = %q, %v", v, err)
	}
}
