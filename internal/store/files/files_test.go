package files_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/keytrail/keytrail/internal/store/files"
)

func openDir(t *testing.T) (*files.Dir, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "objects")
	d, err := files.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return d, root
}

func read(t *testing.T, d *files.Dir, id string) (string, error) {
	t.Helper()
	f, err := d.Open(id)
	if err != nil {
		return "", err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), nil
}

// tmpFiles is the number of blobs being written.
func tmpFiles(t *testing.T, root string) int {
	t.Helper()
	e, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return len(e)
}

// TestCommit: a blob is absent until Commit, whole after it, and survives reopening the directory.
func TestCommit(t *testing.T) {
	d, root := openDir(t)
	w, err := d.Create("blob-1_A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "hello, "); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "world"); err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, d, "blob-1_A"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a blob being written can be opened: %v", err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	d, err = files.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := read(t, d, "blob-1_A"); err != nil || got != "hello, world" {
		t.Fatalf("committed blob reads %q, %v", got, err)
	}
	if n := tmpFiles(t, root); n != 0 {
		t.Errorf("%d temporary files left after Commit", n)
	}
	// Committing again under the same ID replaces the blob whole.
	w, err = d.Create("blob-1_A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "v2"); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := read(t, d, "blob-1_A"); got != "v2" {
		t.Errorf("replaced blob reads %q", got)
	}
}

// TestAbort: an aborted blob leaves nothing behind.
func TestAbort(t *testing.T) {
	d, root := openDir(t)
	w, err := d.Create("aborted")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "partial"); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := read(t, d, "aborted"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an aborted blob opens: %v", err)
	}
	if n := tmpFiles(t, root); n != 0 {
		t.Errorf("%d temporary files left after Abort", n)
	}
}

// TestRemove: Remove deletes a blob; a missing one is not an error.
func TestRemove(t *testing.T) {
	d, _ := openDir(t)
	w, err := d.Create("gone")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove("gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := read(t, d, "gone"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a removed blob opens: %v", err)
	}
	if err := d.Remove("gone"); err != nil {
		t.Errorf("Remove of a missing blob: %v", err)
	}
}

// TestInvalidID: IDs that could name a path outside the directory (or no shard) are refused by
// every method, not joined into a path.
func TestInvalidID(t *testing.T) {
	d, _ := openDir(t)
	for _, id := range []string{"", "a", "../escape", "a/b", `a\b`, "ab.c", "tmp/../x", "ünï"} {
		if _, err := d.Create(id); err == nil {
			t.Errorf("Create(%q) succeeded", id)
		}
		if _, err := d.Open(id); err == nil || errors.Is(err, os.ErrNotExist) {
			t.Errorf("Open(%q) = %v; want an invalid ID error", id, err)
		}
		if err := d.Remove(id); err == nil {
			t.Errorf("Remove(%q) succeeded", id)
		}
	}
}

// TestFailures: errors of the file system come back as errors, and leave no temporary file.
func TestFailures(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := files.Open(file); err == nil {
		t.Error("Open of a root that is a file succeeded")
	}

	commitFails := map[string]func(t *testing.T, root string, w *files.Writer){
		"sync of a closed file": func(t *testing.T, _ string, w *files.Writer) {
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		},
		"shard is a file": func(t *testing.T, root string, _ *files.Writer) {
			if err := os.WriteFile(filepath.Join(root, "sh"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		},
		"target is a directory": func(t *testing.T, root string, _ *files.Writer) {
			if err := os.MkdirAll(filepath.Join(root, "sh", "shard", "child"), 0o700); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, breakIt := range commitFails {
		t.Run(name, func(t *testing.T) {
			d, root := openDir(t)
			w, err := d.Create("shard")
			if err != nil {
				t.Fatal(err)
			}
			breakIt(t, root, w)
			if err := w.Commit(); err == nil {
				t.Fatal("Commit succeeded")
			}
			if n := tmpFiles(t, root); n != 0 {
				t.Errorf("%d temporary files left after a failed Commit", n)
			}
		})
	}

	d, root := openDir(t)
	if err := os.RemoveAll(filepath.Join(root, "tmp")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Create("no-tmp"); err == nil {
		t.Error("Create without the temporary directory succeeded")
	}
}
