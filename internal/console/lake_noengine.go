//go:build !cgo

package console

import "github.com/keytrail/keytrail/internal/lake/engine"

// noEngine says why this build runs no Lake query and how to get one that does: internal/lake/engine
// needs cgo, and StartQuery answers UnsupportedOperationException with the same words.
var noEngine = engine.ErrNoEngine.Error()
