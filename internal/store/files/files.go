// Package files keeps object bodies as files under a directory: each written to a temporary file,
// synced, then renamed into place, so that a body is either whole or absent.
package files

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Dir is a directory of blobs named by opaque IDs (at least two letters, digits, '-' and '_').
type Dir struct{ root string }

// Open returns the blob directory root, creating it.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &Dir{root: root}, nil
}

func (d *Dir) path(id string) (string, error) {
	if len(id) < 2 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != "" {
		return "", fmt.Errorf("files: invalid blob id %q", id)
	}
	return filepath.Join(d.root, id[:2], id), nil
}

// Writer is a blob being written; Commit makes it visible, Abort discards it.
type Writer struct {
	*os.File
	final string
}

// Create starts writing the blob id.
func (d *Dir) Create(id string) (*Writer, error) {
	final, err := d.path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "blob-*")
	if err != nil {
		return nil, err
	}
	return &Writer{File: f, final: final}, nil
}

// Commit syncs the blob and renames it into place.
func (w *Writer) Commit() error {
	if err := w.Sync(); err != nil {
		w.Abort()
		return err
	}
	if err := w.Close(); err != nil {
		_ = os.Remove(w.Name()) // the close's error is the one to report
		return err
	}
	if err := os.MkdirAll(filepath.Dir(w.final), 0o700); err != nil {
		_ = os.Remove(w.Name()) // the mkdir's error is the one to report
		return err
	}
	if err := os.Rename(w.Name(), w.final); err != nil {
		_ = os.Remove(w.Name()) // the rename's error is the one to report
		return err
	}
	// Best effort: the blob is in place; until the directory is synced a crash may lose its name.
	if dir, err := os.Open(filepath.Dir(w.final)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

// Abort discards the blob.
func (w *Writer) Abort() {
	_ = w.Close() // the blob is discarded: nothing of it is kept
	_ = os.Remove(w.Name())
}

// Open opens a blob for reading.
func (d *Dir) Open(id string) (*os.File, error) {
	p, err := d.path(id)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// Remove deletes a blob; a missing one is not an error.
func (d *Dir) Remove(id string) error {
	p, err := d.path(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
