//go:build cgo

package engine

import "database/sql"

// DB is the engine's DuckDB, for the benchmarks that run a query on DuckDB directly.
func (e *Engine) DB() *sql.DB { return e.db }

// SetCheckpointRows sets how many rows appended or deleted wait for a checkpoint.
func SetCheckpointRows(e *Engine, n int64) {
	e.ckMu.Lock()
	defer e.ckMu.Unlock()
	e.ckRows = n
}

// Checkpoints counts the checkpoints the engine did.
func Checkpoints(e *Engine) int {
	e.ckMu.Lock()
	defer e.ckMu.Unlock()
	return e.checkpoints
}
