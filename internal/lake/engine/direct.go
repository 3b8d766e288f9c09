//go:build cgo

package engine

import (
	"context"
	"strings"
)

// Direct runs query on DuckDB as it is — no reference check, rewrite or formatting; {store} in it
// stands for storeID's table — and returns how many rows it read. It is the reference the
// benchmarks hold Lake queries against (the same query over the same data, on DuckDB alone), and
// never runs a caller's query: nothing checks what it reads.
func (e *Engine) Direct(ctx context.Context, storeID, query string) (int, error) {
	if err := e.start(); err != nil {
		return 0, err
	}
	rows, err := e.db.QueryContext(ctx, strings.ReplaceAll(query, "{store}", tableName(storeID)))
	if err != nil {
		return 0, err
	}
	defer func() { _ = rows.Close() }() // rows.Err reports what matters
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
