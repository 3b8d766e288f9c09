package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
)

// key is a record as services keep them: it embeds store.Version, whose "v" Put stamps.
type key struct {
	store.Version
	ID    string `json:"id"`
	State string `json:"state"`
}

// note is a record without a format version.
type note struct {
	Text string `json:"text"`
}

var keys = store.Table[key]{Name: "test.keys"}

func openDB(t *testing.T) store.DB {
	t.Helper()
	db, err := bolt.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func update(t *testing.T, db store.DB, fn func(store.Tx) error) {
	t.Helper()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func raw(t *testing.T, db store.DB, table, k string) string {
	t.Helper()
	var v []byte
	err := db.View(context.Background(), func(tx store.Tx) (err error) { v, err = tx.Get(table, k); return err })
	if err != nil {
		t.Fatal(err)
	}
	return string(v)
}

// TestTableGetPut: a missing record is nil without an error; Put stamps the format version and
// Get reads back what Put wrote.
func TestTableGetPut(t *testing.T) {
	db := openDB(t)
	update(t, db, func(tx store.Tx) error {
		got, err := keys.Get(tx, "k1")
		if got != nil || err != nil {
			t.Errorf("missing record: Get = %v, %v; want nil, nil", got, err)
		}
		return keys.Put(tx, "k1", &key{ID: "k1", State: "Enabled"})
	})
	if got, want := raw(t, db, "test.keys", "k1"), `{"v":1,"id":"k1","state":"Enabled"}`; got != want {
		t.Errorf("stored %s; want %s (version 1 stamped)", got, want)
	}
	update(t, db, func(tx store.Tx) error {
		got, err := keys.Get(tx, "k1")
		if err != nil || got == nil || got.ID != "k1" || got.State != "Enabled" || got.V != 1 {
			t.Errorf("Get = %+v, %v", got, err)
		}
		return nil
	})

	v3 := store.Table[key]{Name: "test.keys", Version: 3}
	update(t, db, func(tx store.Tx) error { return v3.Put(tx, "k2", &key{Version: store.Version{V: 9}, ID: "k2"}) })
	if got := raw(t, db, "test.keys", "k2"); !strings.HasPrefix(got, `{"v":3,`) {
		t.Errorf("stored %s; want the table's version 3 over the record's 9", got)
	}

	notes := store.Table[note]{Name: "test.notes"}
	update(t, db, func(tx store.Tx) error { return notes.Put(tx, "n", &note{Text: "hi"}) })
	if got, want := raw(t, db, "test.notes", "n"), `{"text":"hi"}`; got != want {
		t.Errorf("a record without Version stored as %s; want %s", got, want)
	}
}

// TestTableDelete: Delete removes a record; a missing one is not an error.
func TestTableDelete(t *testing.T) {
	db := openDB(t)
	update(t, db, func(tx store.Tx) error { return keys.Put(tx, "k", &key{ID: "k"}) })
	update(t, db, func(tx store.Tx) error { return errors.Join(keys.Delete(tx, "k"), keys.Delete(tx, "missing")) })
	update(t, db, func(tx store.Tx) error {
		if got, err := keys.Get(tx, "k"); got != nil || err != nil {
			t.Errorf("deleted record: Get = %v, %v", got, err)
		}
		return nil
	})
}

// TestTableScan: Scan decodes records in key order under a prefix from a key, stops on ErrStop
// and returns a record that does not decode as an error naming the table and key.
func TestTableScan(t *testing.T) {
	db := openDB(t)
	update(t, db, func(tx store.Tx) error {
		for _, k := range []string{"a/1", "a/2", "a/3", "b/1"} {
			if err := keys.Put(tx, k, &key{ID: k}); err != nil {
				return err
			}
		}
		return nil
	})
	var ids []string
	collect := func(k string, rec *key) error {
		if rec.ID != k {
			t.Errorf("record at %s has ID %s", k, rec.ID)
		}
		ids = append(ids, k)
		if k == "a/3" {
			return store.ErrStop
		}
		return nil
	}
	err := db.View(context.Background(), func(tx store.Tx) error { return keys.Scan(tx, "a/", "a/2", collect) })
	if err != nil || strings.Join(ids, " ") != "a/2 a/3" {
		t.Errorf("Scan a/ from a/2 = %q, %v", ids, err)
	}

	update(t, db, func(tx store.Tx) error { return tx.Put("test.keys", "a/4", []byte("{not json")) })
	ids = nil
	err = db.View(context.Background(), func(tx store.Tx) error {
		return keys.Scan(tx, "a/", "a/4", func(k string, _ *key) error { ids = append(ids, k); return nil })
	})
	if err == nil || !strings.Contains(err.Error(), `test.keys "a/4"`) || len(ids) != 0 {
		t.Errorf("Scan over a corrupt record = %v after %q; want an error naming test.keys \"a/4\"", err, ids)
	}
	err = db.View(context.Background(), func(tx store.Tx) error {
		_, err := keys.Get(tx, "a/4")
		return err
	})
	if err == nil || !strings.Contains(err.Error(), `test.keys "a/4"`) {
		t.Errorf("Get of a corrupt record = %v", err)
	}
}

// failingTx is a Tx whose reads and writes fail.
type failingTx struct{ store.Tx }

var errDisk = errors.New("disk on fire")

func (failingTx) Get(string, string) ([]byte, error)                            { return nil, errDisk }
func (failingTx) Put(string, string, []byte) error                              { return errDisk }
func (failingTx) Delete(string, string) error                                   { return errDisk }
func (failingTx) Scan(string, string, string, func(string, []byte) error) error { return errDisk }

// TestTableErrors: the store's own errors pass through, and a record JSON cannot encode is an
// error naming the table and key, not a panic.
func TestTableErrors(t *testing.T) {
	tx := failingTx{}
	if _, err := keys.Get(tx, "k"); !errors.Is(err, errDisk) {
		t.Errorf("Get: %v", err)
	}
	if err := keys.Put(tx, "k", &key{}); !errors.Is(err, errDisk) {
		t.Errorf("Put: %v", err)
	}
	if err := keys.Delete(tx, "k"); !errors.Is(err, errDisk) {
		t.Errorf("Delete: %v", err)
	}
	if err := keys.Scan(tx, "", "", func(string, *key) error { return nil }); !errors.Is(err, errDisk) {
		t.Errorf("Scan: %v", err)
	}
	type unencodable struct{ F func() }
	err := store.Table[unencodable]{Name: "test.funcs"}.Put(tx, "k", &unencodable{})
	if err == nil || !strings.Contains(err.Error(), `test.funcs "k"`) || errors.Is(err, errDisk) {
		t.Errorf("Put of an unencodable record: %v", err)
	}
}
