//go:build !cgo

package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/lake/engine"
)

// TestNoEngine: without cgo every query fails with a message that says how to get the engine.
func TestNoEngine(t *testing.T) {
	e, err := engine.Open(engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.Load(context.Background(), "a1b2c3d4-5678-4e8f-8bd1-bcf6c0e2a9f1", [][]byte{[]byte(`{}`)}); err != nil {
		t.Errorf("Load: %v", err)
	}
	_, err = e.Query(context.Background(), `SELECT eventName FROM a1b2c3d4-5678-4e8f-8bd1-bcf6c0e2a9f1`, nil)
	if !errors.Is(err, engine.ErrNoEngine) || !strings.Contains(err.Error(), "CGO_ENABLED=1") {
		t.Errorf("Query: %v, want ErrNoEngine saying CGO_ENABLED=1", err)
	}
	if _, err := e.Prepare(context.Background(), `SELECT 1`, nil); !errors.Is(err, engine.ErrNoEngine) {
		t.Errorf("Prepare: %v", err)
	}
}
