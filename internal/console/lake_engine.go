//go:build cgo

package console

// noEngine is empty: a cgo build has the Lake's query engine (internal/lake/engine needs cgo).
const noEngine = ""
