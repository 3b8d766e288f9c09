//go:build !cgo

package lake_test

import (
	"testing"

	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// A keytrail built without cgo has no engine: StartQuery says how to get one.
func TestStartQueryWithoutEngine(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	servicetest.Call(lw.root, lw.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + storeID(arn)}).
		Want("UnsupportedOperationException").WantMessage("CGO_ENABLED=1")
}
