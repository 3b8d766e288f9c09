//go:build cgo

package lake_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/servicetest"
)

const countByName = "SELECT eventName, count(*) AS n FROM %s GROUP BY eventName ORDER BY eventName"

func countQuery(arn string) string { return strings.Replace(countByName, "%s", storeID(arn), 1) }

// startStep is a scenario step starting a query (and, when it starts, waiting for its end).
func (lw *lakeWorld) startStep(statement string) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := lw.Lake.StartQuery(ctx, &lake.StartQueryInput{QueryStatement: statement})
		if err == nil {
			lake.WaitQuery(lw.Lake, out.QueryID)
		}
		return err
	}
}

// The seed's story (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html,
// "Required KMS key policy elements for event data stores"): a store encrypted with a key whose
// policy lets CloudTrail encrypt and alice use it; the account's events arrive; alice, allowed
// cloudtrail:StartQuery and named in the key policy, queries it; bob, without kms:Decrypt, is
// refused; a disabled key refuses everyone, and once enabled the query runs again, over the
// events ingested meanwhile too.
func TestQuerySeedStory(t *testing.T) {
	lw := newQueryWorld(t, 0)
	alice := lw.User(acct, "alice", allowCloudTrail())
	bob := lw.User(acct, "bob", allowCloudTrail())
	key := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	arn := lw.create(t, alice, lake.CreateEventDataStoreInput{KmsKeyID: key})
	lw.record(t, call("e1", kmsSource, "Encrypt"), call("e2", kmsSource, "Encrypt"), call("e3", kmsSource, "Decrypt"))
	lw.ingest(t)

	id := lw.start(t, lw.As(alice), countQuery(arn))
	d := lw.describe(t, lw.As(alice), id)
	if d.QueryStatus != lake.QueryFinished || d.QueryString != countQuery(arn) || d.QueryStatistics.EventsScanned != 3 ||
		d.QueryStatistics.BytesScanned == 0 || d.QueryStatistics.EventsMatched != 2 || d.QueryStatistics.CreationTime == nil {
		t.Fatalf("DescribeQuery = %+v %+v", d, d.QueryStatistics)
	}
	want := []string{"eventName=Decrypt,n=1", "eventName=Encrypt,n=2"}
	if got := lw.rows(t, lw.As(alice), id); !slices.Equal(got, want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}

	lw.Run(t, []servicetest.Step{
		{Name: "bob: no kms:Decrypt on the key", As: bob, Do: lw.startStep(countQuery(arn)), Want: "InsufficientEncryptionPolicyException"},
		{Name: "alice's results stay hers to read", As: alice, Do: servicetest.Op(lw.Lake.GetQueryResults, &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: id}})},
		{Name: "bob cannot read them either", As: bob, Do: servicetest.Op(lw.Lake.GetQueryResults, &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: id}}), Want: "InsufficientEncryptionPolicyException"},
	})

	servicetest.Call(lw.root, lw.KMS.DisableKey, &kms.KeyIDInput{KeyID: key}).OK()
	lw.Run(t, []servicetest.Step{
		{Name: "disabled key: StartQuery refused", As: alice, Do: lw.startStep(countQuery(arn)), Want: "InsufficientEncryptionPolicyException"},
		{Name: "disabled key: GetQueryResults refused", As: alice, Do: servicetest.Op(lw.Lake.GetQueryResults, &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: id}}), Want: "InsufficientEncryptionPolicyException"},
	})
	servicetest.Call(lw.root, lw.KMS.EnableKey, &kms.KeyIDInput{KeyID: key}).OK()
	lw.record(t, call("e4", kmsSource, "Decrypt"))
	lw.ingest(t) // joins the loaded store through ingestion's hook
	want = []string{"eventName=Decrypt,n=2", "eventName=Encrypt,n=2"}
	if got := lw.rows(t, lw.As(alice), lw.start(t, lw.As(alice), countQuery(arn))); !slices.Equal(got, want) {
		t.Fatalf("rows once the key is enabled = %v, want %v", got, want)
	}
}

// CloudTrail loads a store into the engine with its own permission on the key: a key policy
// without CloudTrail's Decrypt refuses the first query even for a caller who may decrypt.
func TestQueryNeedsCloudTrailDecrypt(t *testing.T) {
	lw := newQueryWorld(t, 0)
	alice := lw.User(acct, "alice", allowCloudTrail())
	seed := keyPolicy(rootStatement, encryptStatement, userStatement)
	key := lw.key(t, "us-east-1", seed).Arn
	arn := lw.create(t, alice, lake.CreateEventDataStoreInput{KmsKeyID: key})
	lw.record(t, call("e1", kmsSource, "Encrypt"))
	lw.ingest(t)
	p := keyPolicy(rootStatement, encryptOnlyStatement, userStatement)
	servicetest.Call(lw.root, lw.KMS.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key, Policy: &p}).OK()
	servicetest.Call(lw.As(alice), lw.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: countQuery(arn)}).
		Want("InsufficientEncryptionPolicyException").WantMessage("cloudtrail.amazonaws.com")
	servicetest.Call(lw.root, lw.KMS.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key, Policy: &seed}).OK()
	if got := lw.rows(t, lw.As(alice), lw.start(t, lw.As(alice), countQuery(arn))); !slices.Equal(got, []string{"eventName=Encrypt,n=1"}) {
		t.Fatalf("rows = %v", got)
	}
}

// What StartQuery refuses at once, and with which code.
func TestStartQueryRefusals(t *testing.T) {
	lw := newQueryWorld(t, 0)
	alice := lw.User(acct, "alice", allowCloudTrail())
	reader := lw.User(acct, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:Describe*","Resource":"*"}]}`)
	arn := lw.create(t, alice, lake.CreateEventDataStoreInput{})
	gone := lw.create(t, alice, lake.CreateEventDataStoreInput{Name: "gone", TerminationProtectionEnabled: ptr(false)})
	servicetest.Call(lw.As(alice), lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: gone}).OK()
	id := storeID(arn)
	start := func(in lake.StartQueryInput) func(context.Context) error {
		return servicetest.Op(lw.Lake.StartQuery, &in)
	}
	q := func(s string) func(context.Context) error { return start(lake.StartQueryInput{QueryStatement: s}) }
	lw.Run(t, []servicetest.Step{
		{Name: "a valid query", As: alice, Do: lw.startStep("SELECT eventID FROM " + id)},
		{Name: "by ARN, quoted", As: alice, Do: lw.startStep(`SELECT eventID FROM "` + arn + `"`)},
		{Name: "syntax error", As: alice, Do: q("SELEC eventID FROM " + id), Want: "InvalidQueryStatementException"},
		{Name: "not a SELECT", As: alice, Do: q("DELETE FROM " + id), Want: "InvalidQueryStatementException"},
		{Name: "no store", As: alice, Do: q("SELECT 1"), Want: "InvalidQueryStatementException"},
		{Name: "two statements", As: alice, Do: q("SELECT eventID FROM " + id + "; SELECT 1"), Want: "InvalidQueryStatementException"},
		{Name: "unknown store", As: alice, Do: q("SELECT eventID FROM 00000000-0000-0000-0000-000000000000"), Want: "EventDataStoreNotFoundException"},
		{Name: "pending deletion", As: alice, Do: q("SELECT eventID FROM " + storeID(gone)), Want: "InactiveEventDataStoreException"},
		{Name: "no cloudtrail:StartQuery", As: reader, Do: q("SELECT eventID FROM " + id), Want: "AccessDeniedException"},
		{Name: "another account's store", As: lw.Root(other), Do: q("SELECT eventID FROM " + id), Want: "EventDataStoreNotFoundException"},
		{Name: "no statement", As: alice, Do: q(""), Want: "InvalidParameterException"},
		{Name: "too long", As: alice, Do: q("SELECT eventID FROM " + id + strings.Repeat(" ", 10000)), Want: "InvalidParameterException"},
		{Name: "a dashboard's alias", As: alice, Do: start(lake.StartQueryInput{QueryAlias: "Top-Services"}), Want: "InvalidParameterException"},
		{Name: "parameters", As: alice, Do: start(lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + id, QueryParameters: []string{"x"}}), Want: "InvalidParameterException"},
		{Name: "delivery to S3 with no S3 in this Lake", As: alice, Do: start(lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + id, DeliveryS3Uri: "s3://results-bucket/lake"}), Want: "UnsupportedOperationException"},
		{Name: "a bad delivery URI", As: alice, Do: start(lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + id, DeliveryS3Uri: "https://x"}), Want: "InvalidParameterException"},
		{Name: "another owner account", As: alice, Do: start(lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + id, EventDataStoreOwnerAccountID: other}), Want: "InvalidParameterException"},
		{Name: "no caller", As: servicetest.Service("cloudtrail.amazonaws.com"), Do: q("SELECT eventID FROM " + id), Want: "AccessDeniedException"},
	})
}

// A valid statement that fails while it binds or runs ends FAILED with the engine's message.
func TestQueryFailed(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	for _, tc := range []struct{ name, statement, msg string }{
		{"unknown column", "SELECT nosuchcolumn FROM " + storeID(arn), "nosuchcolumn"},
		{"not a timestamp", "SELECT eventID FROM " + storeID(arn) + " WHERE eventTime > 'yesterday'", "yesterday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := lw.start(t, lw.root, tc.statement)
			d := lw.describe(t, lw.root, id)
			if d.QueryStatus != lake.QueryFailed || !strings.Contains(d.ErrorMessage, tc.msg) {
				t.Fatalf("DescribeQuery = %+v", d)
			}
			in := &lake.GetQueryResultsInput{}
			in.QueryID = id
			out := servicetest.Call(lw.root, lw.Lake.GetQueryResults, in).OK()
			if out.QueryStatus != lake.QueryFailed || out.ErrorMessage != d.ErrorMessage || out.QueryResultRows.Len() != 0 {
				t.Fatalf("GetQueryResults = %+v", out)
			}
		})
	}
}

// CancelQuery ends a running query CANCELLED; an ended query cannot be cancelled.
func TestCancelQuery(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	gate := make(chan struct{})
	lake.SetQueryGate(lw.Lake, gate)
	id := lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
	out := servicetest.Call(lw.root, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: id}).OK()
	if out.QueryID != id || out.QueryStatus != lake.QueryCancelled {
		t.Fatalf("CancelQuery = %+v", out)
	}
	if d := lw.describe(t, lw.root, id); d.QueryStatus != lake.QueryCancelled {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	servicetest.Call(lw.root, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: id}).Want("InactiveQueryException")
	close(gate)
	done := lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
	lake.WaitQuery(lw.Lake, done)
	servicetest.Call(lw.root, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: done}).Want("InactiveQueryException")
	servicetest.Call(lw.root, lw.Lake.CancelQuery, &lake.QueryInput{QueryID: "00000000-0000-0000-0000-000000000000"}).Want("QueryIdNotFoundException")
}

// At most ten queries of an account run at once (MaxConcurrentQueriesException).
func TestConcurrentQueryLimit(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	gate := make(chan struct{})
	lake.SetQueryGate(lw.Lake, gate)
	var ids []string
	for range 10 {
		ids = append(ids, lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn)))
	}
	servicetest.Call(lw.root, lw.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + storeID(arn)}).
		Want("MaxConcurrentQueriesException")
	in := &lake.DescribeQueryInput{}
	in.QueryID = ids[0]
	if d := servicetest.Call(lw.root, lw.Lake.DescribeQuery, in).OK(); d.QueryStatus != lake.QueryRunning && d.QueryStatus != lake.QueryQueued {
		t.Fatalf("a query held at the gate is %s", d.QueryStatus)
	}
	close(gate)
	for _, id := range ids {
		if d := lw.describe(t, lw.root, id); d.QueryStatus != lake.QueryFinished {
			t.Fatalf("query %s = %+v", id, d)
		}
	}
	lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
}

// Queries started at the same moment still respect the limit: of twelve, ten run.
func TestConcurrentQueryLimitRace(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	gate := make(chan struct{})
	lake.SetQueryGate(lw.Lake, gate)
	errs := make(chan error, 12)
	for range 12 {
		go func() {
			_, err := lw.Lake.StartQuery(lw.root.Context(), &lake.StartQueryInput{QueryStatement: "SELECT eventID FROM " + storeID(arn)})
			errs <- err
		}()
	}
	started, refused := 0, 0
	for range 12 {
		switch err := <-errs; {
		case err == nil:
			started++
		case strings.Contains(err.Error(), "MaxConcurrentQueriesException"):
			refused++
		default:
			t.Fatal(err)
		}
	}
	close(gate)
	if started != 10 || refused != 2 {
		t.Fatalf("%d started, %d refused; want 10 and 2", started, refused)
	}
}

// A query that runs past its timeout ends TIMED_OUT.
func TestQueryTimeout(t *testing.T) {
	lw := newQueryWorld(t, time.Nanosecond)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	lake.SetQueryGate(lw.Lake, make(chan struct{}))
	d := lw.describe(t, lw.root, lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn)))
	if d.QueryStatus != lake.QueryTimedOut || d.ErrorMessage == "" {
		t.Fatalf("DescribeQuery = %+v", d)
	}
}

// GetQueryResults pages with MaxQueryResults and NextToken, every value a string.
func TestQueryResultPages(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		lw.record(t, call(id, kmsSource, "Encrypt"))
		lw.Clock.Advance(time.Second)
	}
	lw.ingest(t)
	id := lw.start(t, lw.root, "SELECT eventID, eventTime, 1 FROM "+storeID(arn)+" ORDER BY eventTime")
	lake.WaitQuery(lw.Lake, id)
	var got []string
	token := ""
	for pages := 1; ; pages++ {
		in := &lake.GetQueryResultsInput{NextToken: token, MaxQueryResults: ptr(2)}
		in.QueryID = id
		out := servicetest.Call(lw.root, lw.Lake.GetQueryResults, in).OK()
		if out.QueryStatistics.TotalResultsCount != 5 || out.QueryStatistics.ResultsCount != int64(out.QueryResultRows.Len()) {
			t.Fatalf("page %d statistics = %+v", pages, out.QueryStatistics)
		}
		got = append(got, flatten(out.QueryResultRows.Maps())...)
		if token = out.NextToken; token == "" {
			if pages != 3 {
				t.Fatalf("%d pages, want 3", pages)
			}
			break
		}
	}
	if len(got) != 5 || !strings.HasPrefix(got[0], "eventID=a,eventTime=") || !strings.HasSuffix(got[0], ",_col2=1") || !strings.HasPrefix(got[4], "eventID=e,") {
		t.Fatalf("rows = %v", got)
	}
	if ts := strings.Split(strings.Split(got[0], ",")[1], "=")[1]; len(ts) != len("2006-01-02 15:04:05.000") {
		t.Fatalf("eventTime = %q, want YYYY-MM-DD HH:MM:SS.mmm", ts)
	}
	page := func(token string, limit *int) func(context.Context) error {
		in := &lake.GetQueryResultsInput{NextToken: token, MaxQueryResults: limit}
		in.QueryID = id
		return servicetest.Op(lw.Lake.GetQueryResults, in)
	}
	lw.Run(t, []servicetest.Step{
		{Name: "MaxQueryResults 0", As: lw.Root(acct), Do: page("", ptr(0)), Want: "InvalidMaxResultsException"},
		{Name: "MaxQueryResults 1001", As: lw.Root(acct), Do: page("", ptr(1001)), Want: "InvalidMaxResultsException"},
		{Name: "a made-up token", As: lw.Root(acct), Do: page("bm9wZQ", nil), Want: "InvalidNextTokenException"},
		{Name: "unknown query", As: lw.Root(acct), Do: servicetest.Op(lw.Lake.GetQueryResults, &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: "00000000-0000-0000-0000-000000000000"}}), Want: "QueryIdNotFoundException"},
		{Name: "another account's query", As: lw.Root(other), Do: page("", nil), Want: "QueryIdNotFoundException"},
	})
}

// ListQueries lists a store's queries of the past seven days, newest first, filtered by time and
// status, in pages.
func TestListQueries(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	otherStore := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{Name: "other"})
	t0 := lw.Clock.Now()
	ok1 := lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
	lw.Clock.Advance(time.Minute)
	failed := lw.start(t, lw.root, "SELECT nosuchcolumn FROM "+storeID(arn))
	lw.Clock.Advance(time.Minute)
	ok2 := lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
	lw.start(t, lw.root, "SELECT eventID FROM "+storeID(otherStore))
	for _, id := range []string{ok1, failed, ok2} {
		lake.WaitQuery(lw.Lake, id)
	}
	list := func(in lake.ListQueriesInput) []string {
		in.EventDataStore = arn
		var ids []string
		for {
			out := servicetest.Call(lw.root, lw.Lake.ListQueries, &in).OK()
			for _, q := range out.Queries {
				ids = append(ids, q.QueryID+":"+q.QueryStatus)
			}
			if in.NextToken = out.NextToken; in.NextToken == "" {
				return ids
			}
		}
	}
	at := func(t time.Time) *awsjson.Time { return awsjson.NewTime(t) }
	for _, tc := range []struct {
		name string
		in   lake.ListQueriesInput
		want []string
	}{
		{"all, newest first", lake.ListQueriesInput{}, []string{ok2 + ":FINISHED", failed + ":FAILED", ok1 + ":FINISHED"}},
		{"pages of one", lake.ListQueriesInput{MaxResults: ptr(1)}, []string{ok2 + ":FINISHED", failed + ":FAILED", ok1 + ":FINISHED"}},
		{"FINISHED only", lake.ListQueriesInput{QueryStatus: "FINISHED"}, []string{ok2 + ":FINISHED", ok1 + ":FINISHED"}},
		{"from the second minute", lake.ListQueriesInput{StartTime: at(t0.Add(time.Minute))}, []string{ok2 + ":FINISHED", failed + ":FAILED"}},
		{"up to the second minute", lake.ListQueriesInput{EndTime: at(t0.Add(time.Minute))}, []string{failed + ":FAILED", ok1 + ":FINISHED"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := list(tc.in); !slices.Equal(got, tc.want) {
				t.Fatalf("ListQueries = %v, want %v", got, tc.want)
			}
		})
	}
	lw.Clock.Advance(8 * 24 * time.Hour)
	if got := list(lake.ListQueriesInput{}); got != nil {
		t.Fatalf("ListQueries after eight days = %v", got)
	}
	listOp := func(in lake.ListQueriesInput) func(context.Context) error {
		return servicetest.Op(lw.Lake.ListQueries, &in)
	}
	lw.Run(t, []servicetest.Step{
		{Name: "bad status", As: lw.Root(acct), Do: listOp(lake.ListQueriesInput{EventDataStore: arn, QueryStatus: "DONE"}), Want: "InvalidQueryStatusException"},
		{Name: "start after end", As: lw.Root(acct), Do: listOp(lake.ListQueriesInput{EventDataStore: arn, StartTime: at(t0.Add(time.Hour)), EndTime: at(t0)}), Want: "InvalidDateRangeException"},
		{Name: "MaxResults 0", As: lw.Root(acct), Do: listOp(lake.ListQueriesInput{EventDataStore: arn, MaxResults: ptr(0)}), Want: "InvalidMaxResultsException"},
		{Name: "a made-up token", As: lw.Root(acct), Do: listOp(lake.ListQueriesInput{EventDataStore: arn, NextToken: "bm9wZQ"}), Want: "InvalidNextTokenException"},
		{Name: "unknown store", As: lw.Root(acct), Do: listOp(lake.ListQueriesInput{EventDataStore: "00000000-0000-0000-0000-000000000000"}), Want: "EventDataStoreNotFoundException"},
	})
}

// DescribeQuery and CancelQuery with the deprecated EventDataStore member: the query must read
// that store; dashboards' aliases are refused.
func TestQueryNamedStore(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	otherStore := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{Name: "other"})
	id := lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn))
	lake.WaitQuery(lw.Lake, id)
	describe := func(in lake.DescribeQueryInput) func(context.Context) error {
		return servicetest.Op(lw.Lake.DescribeQuery, &in)
	}
	lw.Run(t, []servicetest.Step{
		{Name: "its store", As: lw.Root(acct), Do: describe(lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: id, EventDataStore: arn}})},
		{Name: "another store", As: lw.Root(acct), Do: describe(lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: id, EventDataStore: otherStore}}), Want: "QueryIdNotFoundException"},
		{Name: "a dashboard alias", As: lw.Root(acct), Do: describe(lake.DescribeQueryInput{QueryAlias: "Top-Services"}), Want: "InvalidParameterException"},
		{Name: "no cloudtrail:DescribeQuery", As: lw.User(acct, "nobody"), Do: describe(lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: id}}), Want: "AccessDeniedException"},
	})
}

// Events past the store's retention period are not returned; a purged store's events leave the
// engine.
func TestQueryRetention(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{RetentionPeriod: ptr(7)})
	lw.record(t, call("old", kmsSource, "Encrypt"))
	lw.Clock.Advance(6 * 24 * time.Hour)
	lw.record(t, call("new", kmsSource, "Encrypt"))
	lw.ingest(t)
	q := "SELECT eventID FROM " + storeID(arn) + " ORDER BY eventTime"
	if got := lw.rows(t, lw.root, lw.start(t, lw.root, q)); !slices.Equal(got, []string{"eventID=old", "eventID=new"}) {
		t.Fatalf("rows = %v", got)
	}
	lw.Clock.Advance(2 * 24 * time.Hour)
	if got := lw.rows(t, lw.root, lw.start(t, lw.root, q)); !slices.Equal(got, []string{"eventID=new"}) {
		t.Fatalf("rows past old's retention = %v", got)
	}
}

// The engine loads a store at its first query; from then on ingestion adds each new chunk
// itself, so a query finds the store's events already loaded.
func TestIngestionFeedsTheEngine(t *testing.T) {
	lw := newQueryWorld(t, 0)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	lw.record(t, call("e1", kmsSource, "Encrypt"))
	lw.ingest(t)
	if _, ok := lake.LoadedThrough(lw.Lake, storeID(arn)); ok {
		t.Fatal("a store is loaded before its first query")
	}
	lw.rows(t, lw.root, lw.start(t, lw.root, "SELECT eventID FROM "+storeID(arn)))
	lw.record(t, call("e2", kmsSource, "Encrypt"))
	lw.ingest(t)
	newest, err := lake.NewestChunk(context.Background(), lw.Lake)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := lake.LoadedThrough(lw.Lake, storeID(arn)); !ok || got != newest {
		t.Fatalf("loaded through %q, want the newest chunk %q", got, newest)
	}
	q := "SELECT eventID FROM " + storeID(arn) + " ORDER BY eventID"
	if got := lw.rows(t, lw.root, lw.start(t, lw.root, q)); !slices.Equal(got, []string{"eventID=e1", "eventID=e2"}) {
		t.Fatalf("rows = %v", got)
	}
	// A purged store leaves the engine.
	servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn, TerminationProtectionEnabled: ptr(false)}).OK()
	servicetest.Call(lw.root, lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK()
	lw.Clock.Advance(8 * 24 * time.Hour)
	if err := lw.Lake.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := lake.LoadedThrough(lw.Lake, storeID(arn)); ok {
		t.Fatal("a purged store is still loaded")
	}
}

// start starts a query as c and returns its ID.
func (lw *lakeWorld) start(t testing.TB, c *servicetest.Caller, statement string) string {
	t.Helper()
	return servicetest.Call(c, lw.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: statement}).OK().QueryID
}

// describe waits for a query to end and describes it as c.
func (lw *lakeWorld) describe(t testing.TB, c *servicetest.Caller, id string) *lake.DescribeQueryOutput {
	t.Helper()
	lake.WaitQuery(lw.Lake, id)
	in := &lake.DescribeQueryInput{}
	in.QueryID = id
	return servicetest.Call(c, lw.Lake.DescribeQuery, in).OK()
}

// rows waits for a query to end and returns all its rows as c reads them, each as
// "column=value,…".
func (lw *lakeWorld) rows(t testing.TB, c *servicetest.Caller, id string) []string {
	t.Helper()
	lake.WaitQuery(lw.Lake, id)
	in := &lake.GetQueryResultsInput{}
	in.QueryID = id
	out := servicetest.Call(c, lw.Lake.GetQueryResults, in).OK()
	if out.QueryStatus != lake.QueryFinished {
		t.Fatalf("query %s is %s: %s", id, out.QueryStatus, out.ErrorMessage)
	}
	return flatten(out.QueryResultRows.Maps())
}

func flatten(rows [][]map[string]*string) []string {
	got := []string{}
	for _, row := range rows {
		var cells []string
		for _, col := range row {
			for k, v := range col {
				s := "NULL"
				if v != nil {
					s = *v
				}
				cells = append(cells, k+"="+s)
			}
		}
		got = append(got, strings.Join(cells, ","))
	}
	return got
}
