package storetest_test

import (
	"testing"

	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
	"github.com/keytrail/keytrail/internal/store/storetest"
)

// TestSuite runs the suite against bbolt, the backend keytrail ships (bolt's own tests run it
// too): a suite that fails a correct backend is itself broken.
func TestSuite(t *testing.T) {
	storetest.Run(t, func(dir string) (store.DB, error) { return bolt.Open(dir) })
}
