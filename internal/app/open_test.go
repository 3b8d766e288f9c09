package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
)

// When a step of Open fails, what the steps before it opened is closed: the state store's lock
// is released (another Open gets it, within bbolt's 5 s timeout) and the journal is closed (its
// active segment, preallocated while open, is cut to its entries: none).
func TestOpenFailureReleasesResources(t *testing.T) {
	for _, c := range []struct {
		name      string
		breakStep func(t *testing.T, dir string) // makes one step of Open fail
		fix       func(t *testing.T, dir string)
		want      string // in Open's error
	}{
		{
			name: "journal",
			breakStep: func(t *testing.T, dir string) {
				write(t, filepath.Join(dir, "cloudtrail", "journal"), "not a directory")
			},
			fix:  func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "cloudtrail", "journal")) },
			want: "cloudtrail journal",
		},
		{
			name:      "objects",
			breakStep: func(t *testing.T, dir string) { write(t, filepath.Join(dir, "objects"), "not a directory") },
			fix:       func(t *testing.T, dir string) { remove(t, filepath.Join(dir, "objects")) },
			want:      "objects",
		},
		{
			name:      "kms sweep",
			breakStep: func(t *testing.T, dir string) { putState(t, dir, "kms.keys", "111122223333/us-east-1/k", "not JSON") },
			fix:       func(t *testing.T, dir string) { deleteState(t, dir, "kms.keys", "111122223333/us-east-1/k") },
			want:      "kms sweep",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := app.Config{Data: dir, Region: "us-east-1", RootSecret: rootSecret, Version: "test"}
			c.breakStep(t, dir)
			a, err := app.Open(cfg)
			if err == nil {
				a.Close()
				t.Fatal("Open succeeded with a broken step")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Open failed with %q, want the %s step's error", err, c.want)
			}
			segments, _ := filepath.Glob(filepath.Join(dir, "cloudtrail", "journal", "*.log"))
			for _, s := range segments {
				st, err := os.Stat(s)
				if err != nil {
					t.Fatal(err)
				}
				if st.Size() != 0 {
					t.Fatalf("journal segment %s is left open: %d bytes preallocated", s, st.Size())
				}
			}
			c.fix(t, dir)
			a, err = app.Open(cfg)
			if err != nil {
				t.Fatalf("Open after a failed Open: %v", err)
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func write(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// putState writes a raw value into the state store under dir.
func putState(t *testing.T, dir, table, key, value string) {
	t.Helper()
	updateState(t, dir, func(tx store.Tx) error { return tx.Put(table, key, []byte(value)) })
}

func deleteState(t *testing.T, dir, table, key string) {
	t.Helper()
	updateState(t, dir, func(tx store.Tx) error { return tx.Delete(table, key) })
}

func updateState(t *testing.T, dir string, fn func(store.Tx) error) {
	t.Helper()
	db, err := bolt.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}
