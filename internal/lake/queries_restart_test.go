//go:build cgo

package lake_test

import (
	"slices"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// reopenQueries builds the Lake again on the same state store, journal and barrier, with a new
// engine, as keytrail does when it starts again.
func (lw *lakeWorld) reopenQueries(t *testing.T) {
	t.Helper()
	eng, err := engine.Open(engine.Config{Now: lw.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a test
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Engine: eng})
}

// Queries outlive a restart, as AWS keeps them for seven days: a finished query's status,
// statistics and rows (kept sealed: no event text in clear in the data directory), a cancelled
// one's status, and one that was running when keytrail stopped, which is FAILED afterwards.
// Its rows are still the caller's only while the caller may use the store's key; after seven
// days the queries are gone.
func TestQueriesOutliveRestart(t *testing.T) {
	lw := newQueryWorld(t, 0)
	alice := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	arn := lw.create(t, alice, lake.CreateEventDataStoreInput{KmsKeyID: key})
	const marker = "marker-5d1e0b7a-results"
	lw.record(t, call(marker+"-1", kmsSource, "Encrypt"), call(marker+"-2", kmsSource, "Decrypt"))
	lw.ingest(t)
	a := lw.As(alice)

	statement := "SELECT eventID, eventName FROM " + storeID(arn) + " ORDER BY eventID"
	finished := lw.start(t, a, statement)
	want := []string{"eventID=" + marker + "-1,eventName=Encrypt", "eventID=" + marker + "-2,eventName=Decrypt"}
	if got := lw.rows(t, a, finished); !slices.Equal(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	before := lw.describe(t, a, finished)
	empty := lw.start(t, a, "SELECT eventID FROM "+storeID(arn)+" WHERE eventName = 'None'")
	lake.WaitQuery(lw.Lake, empty)
	gate := make(chan struct{})
	defer close(gate)
	lake.SetQueryGate(lw.Lake, gate)
	cancelled := lw.start(t, a, statement)
	servicetest.Call(a, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: cancelled}).OK()
	running := lw.start(t, a, statement)

	lw.reopenQueries(t)
	after := lw.describe(t, a, finished)
	as, bs := *after.QueryStatistics, *before.QueryStatistics
	if after.QueryStatus != lake.QueryFinished || after.QueryString != statement || !time.Time(*as.CreationTime).Equal(time.Time(*bs.CreationTime)) {
		t.Fatalf("DescribeQuery after the restart = %+v, before %+v", after, before)
	}
	as.CreationTime, bs.CreationTime = nil, nil
	if as != bs {
		t.Fatalf("DescribeQuery after the restart = %+v %+v, before %+v", after, after.QueryStatistics, before.QueryStatistics)
	}
	if got := lw.rows(t, a, finished); !slices.Equal(got, want) {
		t.Fatalf("rows after the restart = %v, want %v", got, want)
	}
	if got := lw.rows(t, a, empty); len(got) != 0 {
		t.Fatalf("rows of the empty query after the restart = %v", got)
	}
	if d := lw.describe(t, a, cancelled); d.QueryStatus != lake.QueryCancelled {
		t.Fatalf("cancelled query after the restart: %+v", d)
	}
	if d := lw.describe(t, a, running); d.QueryStatus != lake.QueryFailed || d.ErrorMessage == "" {
		t.Fatalf("running query after the restart: %+v", d)
	}
	servicetest.Call(a, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: running}).Want("InactiveQueryException")
	listed := servicetest.Call(a, lw.Lake.ListQueries, &lake.ListQueriesInput{EventDataStore: arn}).OK().Queries
	if len(listed) != 4 {
		t.Fatalf("ListQueries after the restart = %+v", listed)
	}
	if n := filesWith(t, lw.Dir, marker); n != 0 {
		t.Fatalf("%d files of the data directory hold the results' marker in clear", n)
	}

	lw.Run(t, []servicetest.Step{
		{Name: "another account's root", As: lw.Root("444455556666"), Do: servicetest.Op(lw.Lake.DescribeQuery, &lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: finished}}), Want: "QueryIdNotFoundException"},
		{Name: "another Region", As: alice, In: "eu-west-1", Do: servicetest.Op(lw.Lake.DescribeQuery, &lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: finished}}), Want: "QueryIdNotFoundException"},
	})
	lw.reopenQueries(t)
	servicetest.Call(lw.root, lw.KMS.DisableKey, &kms.KeyIDInput{KeyID: key}).OK()
	servicetest.Call(a, lw.Lake.GetQueryResults, &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: finished}}).
		Want("InsufficientEncryptionPolicyException")
	servicetest.Call(lw.root, lw.KMS.EnableKey, &kms.KeyIDInput{KeyID: key}).OK()

	lw.Clock.Advance(7*24*time.Hour + time.Minute)
	servicetest.Call(a, lw.Lake.DescribeQuery, &lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: finished}}).Want("QueryIdNotFoundException")
	if err := lw.Lake.Sweep(a.Context()); err != nil {
		t.Fatal(err)
	}
	lw.reopenQueries(t)
	servicetest.Call(a, lw.Lake.DescribeQuery, &lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: finished}}).Want("QueryIdNotFoundException")
	if n := lake.StoredQueries(a.Context(), lw.Lake); n != 0 {
		t.Fatalf("%d queries stored after seven days", n)
	}
}
