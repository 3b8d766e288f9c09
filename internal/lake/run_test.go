package lake_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/keytrail/keytrail/internal/lake"
)

// Run ingests every interval (on synctest's clock, not the wall clock) and purges what is due; it
// ends with its context.
func TestRunIngestsEveryInterval(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			lw.Lake.Run(ctx, time.Minute)
			close(done)
		}()
		lw.record(t, call("first", kmsSource, "Encrypt"))
		synctest.Wait()
		lw.wantRead(t, lw.root, arn)
		time.Sleep(time.Minute)
		synctest.Wait()
		lw.wantRead(t, lw.root, arn, "first")
		cancel()
		<-done
	})
	// With no interval Run returns at once: ingestion comes only on flush.
	lw.Lake.Run(context.Background(), 0)
}
