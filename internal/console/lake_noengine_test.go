//go:build !cgo

package console_test

import (
	"net/url"
	"testing"
)

// TestLakeWithoutEngine: a build without cgo has no Lake engine: the pages say how to get one,
// and Run shows StartQuery's UnsupportedOperationException.
func TestLakeWithoutEngine(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, list := b.get("/console/cloudtrail/lake")
	contains(t, "the stores page", list, `id="no-engine"`, "CGO_ENABLED=1")
	_, _, editor := b.get("/console/cloudtrail/lake/query")
	contains(t, "the editor", editor, `id="no-engine"`, "CGO_ENABLED=1")
	_, _, run := b.post("/console/cloudtrail/lake/query", url.Values{"csrf": {csrf(editor)}, "sql": {"SELECT eventName FROM x"}, "action": {"run"}})
	contains(t, "a run", run, `id="error"`, "UnsupportedOperationException", "CGO_ENABLED=1")
}
