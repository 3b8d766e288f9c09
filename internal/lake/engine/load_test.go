//go:build cgo

package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/lake/engine"
)

// TestCheckpoints: once enough rows were appended or deleted the engine checkpoints (which
// compresses the tables), and the stores read the same before and after.
func TestCheckpoints(t *testing.T) {
	ctx := context.Background()
	e, err := engine.Open(engine.Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	engine.SetCheckpointRows(e, 8)
	count := func(id string) string {
		t.Helper()
		res, err := e.Query(ctx, `SELECT count(*), count(DISTINCT eventID), min(eventID), max(eventID) FROM `+id, nil)
		if err != nil {
			t.Fatal(err)
		}
		return table(res)
	}
	steps := []struct {
		do          func() error
		checkpoints int
		store       string
	}{
		{func() error { return e.Load(ctx, storeID, fixture()) }, 0, `"6","6","e1","e6"`}, // 6 rows wait
		{func() error { return e.Load(ctx, other, fixture()) }, 1, `"6","6","e1","e6"`},   // 12: checkpoint
		{func() error { return e.Load(ctx, storeID, fixture()) }, 1, `"12","6","e1","e6"`},
		{func() error {
			_, err := e.Purge(ctx, storeID, time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)) // 6 rows deleted: 12
			return err
		}, 2, `"6","3","e4","e6"`},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := engine.Checkpoints(e); got != s.checkpoints {
			t.Errorf("step %d: %d checkpoints, want %d", i, got, s.checkpoints)
		}
		if got, want := count(storeID), `[["_col0","_col1","_col2","_col3"],[`+s.store+`]]`; got != want {
			t.Errorf("step %d: store %s, want %s", i, got, want)
		}
	}
	if got, want := count(other), `[["_col0","_col1","_col2","_col3"],["6","6","e1","e6"]]`; got != want {
		t.Errorf("other store %s, want %s", got, want)
	}
}

// TestLoadBatches: records are decoded in batches on several goroutines; a bad record fails the
// load with its index among all, and loads nothing.
func TestLoadBatches(t *testing.T) {
	ctx := context.Background()
	e, err := engine.Open(engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var records [][]byte
	for len(records) < 5000 {
		records = append(records, fixture()...)
	}
	bad := append([][]byte{}, records...)
	bad[4321] = []byte(`{"eventVersion":"1.11","eventTime":"yesterday"}`)
	if err := e.Load(ctx, storeID, bad); err == nil || !strings.Contains(err.Error(), "record 4321:") {
		t.Fatalf("Load of a bad record 4321 = %v", err)
	}
	if err := e.Load(ctx, storeID, records); err != nil {
		t.Fatal(err)
	}
	rows, err := e.Direct(ctx, storeID, `SELECT eventid FROM {store}`)
	if err != nil || rows != len(records) {
		t.Errorf("Direct read %d rows, %v; want %d", rows, err, len(records))
	}
}

// TestCheckpointWhileQuerying: a Load that calls for a checkpoint while a query's transaction is
// open neither waits for it nor changes what it reads.
func TestCheckpointWhileQuerying(t *testing.T) {
	e := open(t)
	engine.SetCheckpointRows(e, 1)
	ctx := context.Background()
	conn, err := e.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func() int {
		t.Helper()
		var n int
		if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM lake.eds_`+hexID(storeID)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A query under way: its transaction open, as while DuckDB runs it.
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 6 {
		t.Fatalf("%d events, want 6", n)
	}
	if err := e.Load(ctx, storeID, fixture()); err != nil {
		t.Fatal(err)
	}
	if n := engine.Checkpoints(e); n != 1 {
		t.Errorf("%d checkpoints, want 1", n)
	}
	if n := count(); n != 6 {
		t.Errorf("the open transaction reads %d events after the checkpoint, want 6", n)
	}
	if _, err := conn.ExecContext(ctx, `COMMIT`); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 12 {
		t.Errorf("%d events after the transaction, want 12", n)
	}
}
