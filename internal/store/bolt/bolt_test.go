package bolt_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
	"github.com/keytrail/keytrail/internal/store/storetest"
)

func open(dir string) (store.DB, error) { return bolt.Open(dir) }

// TestConformance runs store.DB's conformance suite against bbolt.
func TestConformance(t *testing.T) { storetest.Run(t, open) }

// TestOpen: Open creates the data directory and its state file, private to the user; a data
// directory that is a file, or a state file that is not bbolt's, is an error, not a panic.
func TestOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, bolt.FileName))
	if err != nil {
		t.Fatalf("no state file: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v; want 0600", fi.Mode().Perm())
	}

	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := bolt.Open(file); err == nil {
		t.Error("Open of a data directory that is a file succeeded")
	}

	junk := t.TempDir()
	if err := os.WriteFile(filepath.Join(junk, bolt.FileName), []byte("not a bbolt file, but long enough to be read as a page header............"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := bolt.Open(junk); err == nil {
		t.Error("Open of a state file that is not bbolt's succeeded")
	}
}

// TestEmptyKey: bbolt cannot store an empty key; Put says so instead of failing the commit.
func TestEmptyKey(t *testing.T) {
	db, err := bolt.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(context.Background(), func(tx store.Tx) error { return tx.Put("t", "", []byte("v")) })
	if err == nil {
		t.Fatal("Put of an empty key succeeded")
	}
}
