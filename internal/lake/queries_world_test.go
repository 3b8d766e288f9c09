package lake_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
)

// newQueryWorld is a lakeWorld whose Lake has a query engine, and queries that time out after
// timeout (0: AWS's hour).
func newQueryWorld(t testing.TB, timeout time.Duration) *lakeWorld {
	t.Helper()
	lw := newLakeWorld(t)
	eng, err := engine.Open(engine.Config{Now: lw.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a test
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Engine: eng, QueryTimeout: timeout})
	return lw
}

// storeID is the ID at the end of a store's ARN, as queries name it after FROM.
func storeID(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }
