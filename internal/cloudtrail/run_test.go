package cloudtrail_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
)

// Run delivers every interval, and a failed delivery does not stop it; it ends with its context.
// The interval passes on synctest's clock, not the wall clock.
func TestRunDeliversEveryInterval(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{})
	files := func() int { return len(tw.Objects.written(t, "/CloudTrail/")) }
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			tw.CT.Run(ctx, time.Minute)
			close(done)
		}()
		tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false)
		synctest.Wait()
		if n := files(); n != 0 {
			t.Fatalf("%d log files before the interval passed", n)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := files(); n != 1 {
			t.Fatalf("%d log files after one interval", n)
		}
		tw.event(t, "us-east-1", "kms.amazonaws.com", "TagResource", false)
		tw.Objects.setFail(context.DeadlineExceeded) // not S3's answer: the tick logs it and goes on
		time.Sleep(time.Minute)
		synctest.Wait()
		tw.Objects.setFail(nil)
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := files(); n != 2 {
			t.Fatalf("%d log files after a failed and a good interval", n)
		}
		cancel()
		<-done
	})
	// With no interval Run returns at once: deliveries come only on flush.
	tw.CT.Run(context.Background(), 0)
}
