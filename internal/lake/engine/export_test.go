//go:build cgo

package engine

import "database/sql"

// DB is the engine's DuckDB, for the benchmarks that run a query on DuckDB directly.
func (e *Engine) DB() *sql.DB { return e.db }
