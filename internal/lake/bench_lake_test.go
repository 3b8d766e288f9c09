//go:build cgo

package lake_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/request"
)

// lakeBenchEvents is how many events BenchmarkLake puts in its store (LAKE_BENCH_EVENTS, default 1M).
func lakeBenchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("LAKE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// benchEvent is the k-th of n events recorded one a second up to now: 39 event names of 4
// services, 500 callers (users, and sessions of a role), 3 Regions, as the recorder writes them.
func benchEvent(k, n int, now time.Time) events.Event {
	ops := []string{"Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey", "ListKeys", "CreateKey", "PutObject",
		"GetObject", "ListBuckets", "CreateUser", "AttachRolePolicy", "AssumeRole", "GetCallerIdentity"}
	sources := []string{"kms.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com"}
	regions := []string{"us-east-1", "eu-west-1", "ap-northeast-1"}
	caller := k % 500
	id := events.Identity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDA%012d", caller),
		ARN: fmt.Sprintf("arn:aws:iam::%s:user/u%d", acct, caller), AccountID: acct,
		AccessKeyID: fmt.Sprintf("AKIA%012d", caller), UserName: fmt.Sprintf("u%d", caller)}
	if caller%3 == 0 {
		id = events.Identity{Type: "AssumedRole", PrincipalID: "AROAEXAMPLE:s" + strconv.Itoa(caller),
			ARN: fmt.Sprintf("arn:aws:sts::%s:assumed-role/Auditor/s%d", acct, caller), AccountID: acct,
			AccessKeyID: "ASIAEXAMPLE", RoleARN: "arn:aws:iam::" + acct + ":role/Auditor", RoleID: "AROAEXAMPLE",
			RoleName: "Auditor", SessionIssued: now.Add(-30 * 24 * time.Hour).Unix()}
	}
	keyARN := "arn:aws:kms:us-east-1:" + acct + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
	return events.Event{Time: now.Add(-time.Duration(n-k) * time.Second), ID: fmt.Sprintf("ev-%d", k),
		RequestID: fmt.Sprintf("req-%d", k), Source: sources[k%len(sources)],
		Name: ops[(k/7)%len(ops)] + strconv.Itoa(k%3), Region: regions[k%len(regions)],
		SourceIP: "192.0.2.1", UserAgent: "aws-sdk-go-v2/1.47", ReadOnly: k%2 == 0, Management: true,
		Identity: id, Recipients: []string{acct},
		Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: acct}},
		Params:    []byte(`{"keyId":"alias/lake","encryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:` + acct + `:eventdatastore/x"}}`)}
}

// BenchmarkLake runs the figures through the Lake, over a store encrypted with a KMS key
// holding lakeBenchEvents() events (ingested from the journal by Ingest, each chunk sealed under a
// data key from KMS; each query decrypts them as CloudTrail). Its steps, each a sub-benchmark run
// in order (the slow ones once at a -benchtime of seconds; see docs/performance.md):
//   - ingest: Ingest of every event into the store, as events/s;
//   - first-query: the GROUP BY eventName, userIdentity.arn of a store not yet in the engine
//     (StartQuery loads it: chunks read, their data keys decrypted through KMS, records loaded),
//     then every page of GetQueryResults; peak-RSS-MB is the process's peak while it runs (with
//     the state store's mapped pages), peak-anon-MB its heaps' (Go's and DuckDB's);
//   - duckdb: the same GROUP BY on DuckDB alone, over the same table (the reference);
//   - group-by: the GROUP BY of a loaded store, StartQuery to the last page of GetQueryResults,
//     with x-duckdb its time over the reference's (run after each, outside the timer);
//   - group-by-first-page: the same to the first page of GetQueryResults only (1,000 rows);
//   - selective: an hour of eventTime and one eventName, StartQuery to the first page of
//     GetQueryResults (first-result latency).
func BenchmarkLake(b *testing.B) {
	n := lakeBenchEvents()
	lw := newLakeWorld(b)
	eng, err := engine.Open(engine.Config{Now: lw.Clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a benchmark
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Engine: eng})
	a := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(b, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	arn := lw.create(b, a, lake.CreateEventDataStoreInput{KmsKeyID: key})
	id := storeID(arn)
	from := lw.Journal.Next()
	now := lw.Clock.Now()
	seen := map[[2]string]bool{} // the groups of the GROUP BY
	for k := range n {
		e := benchEvent(k, n, now)
		seen[[2]string{e.Name, e.Identity.ARN}] = true
		if err := lw.Journal.Append(&e); err != nil {
			b.Fatal(err)
		}
	}
	groups := len(seen)
	ctx := context.Background()
	alice := lw.As(a).Context()
	groupBy := `SELECT eventName, userIdentity.arn, count(*) AS n FROM ` + id + ` GROUP BY eventName, userIdentity.arn`
	window := now.Add(-time.Duration(n/2) * time.Second)
	selective := `SELECT eventTime, eventName, userIdentity.arn FROM ` + id + ` WHERE eventTime BETWEEN '` +
		window.Format(time.DateTime) + `' AND '` + window.Add(time.Hour).Format(time.DateTime) + `' AND eventName = 'Decrypt0'`

	b.Run("ingest", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			if err := lake.RewindIngestion(ctx, lw.Lake, arn, from); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if sum, err := lw.Lake.Ingest(ctx); err != nil || sum.Events != n {
				b.Fatalf("Ingest = %+v, %v; want %d events", sum, err, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("first-query", func(b *testing.B) {
		debug.FreeOSMemory() // what ingestion left
		resetPeakRSS(b)
		anon := sampleAnon()
		for b.Loop() {
			b.StopTimer()
			if err := lake.Unload(ctx, lw.Lake, arn); err != nil {
				b.Fatal(err)
			}
			runtime.GC()
			b.StartTimer()
			if got := lakeQuery(alice, b, lw.Lake, groupBy, true); got != groups {
				b.Fatalf("%d rows, want %d", got, groups)
			}
		}
		b.ReportMetric(peakRSS(b), "peak-RSS-MB")
		b.ReportMetric(anon(), "peak-anon-MB")
	})
	direct := `SELECT eventname, useridentity.arn, count(*) AS n FROM {store} GROUP BY eventname, useridentity.arn`
	b.Run("duckdb", func(b *testing.B) {
		for b.Loop() {
			if got, err := eng.Direct(ctx, id, direct); err != nil || got != groups {
				b.Fatalf("%d rows, %v; want %d", got, err, groups)
			}
		}
	})
	// x-duckdb is the Lake's time over DuckDB's for the same query run right after it, outside
	// the timer, so that both meet the same load of a shared machine.
	byLake := func(all bool) func(b *testing.B) {
		return func(b *testing.B) {
			var inLake, duck time.Duration
			want := groups
			if !all {
				want = min(groups, 1000)
			}
			for b.Loop() {
				start := time.Now()
				got, qid := lakeQueryID(alice, b, lw.Lake, groupBy, all)
				if got != want {
					b.Fatalf("%d rows, want %d", got, want)
				}
				inLake += time.Since(start)
				b.StopTimer()
				if err := lw.Lake.WaitQuery(alice, qid); err != nil {
					b.Fatal(err)
				}
				start = time.Now()
				if got, err := eng.Direct(ctx, id, direct); err != nil || got != groups {
					b.Fatalf("%d rows, %v; want %d", got, err, groups)
				}
				duck += time.Since(start)
				b.StartTimer()
			}
			b.ReportMetric(float64(inLake)/float64(duck), "x-duckdb")
		}
	}
	b.Run("group-by", byLake(true))
	b.Run("group-by-first-page", byLake(false))
	b.Run("selective", func(b *testing.B) {
		for b.Loop() {
			if got := lakeQuery(alice, b, lw.Lake, selective, false); got == 0 {
				b.Fatal("no rows")
			}
		}
	})
}

// lakeQuery runs a query as the caller of ctx, StartQuery to GetQueryResults (its first page, or
// every page), and returns how many rows it read.
func lakeQuery(ctx context.Context, b *testing.B, s *lake.Service, query string, all bool) int {
	b.Helper()
	rows, id := lakeQueryID(ctx, b, s, query, all)
	// What follows a query's end (storing it for restarts, delivering it to S3) runs outside the
	// timer, so that it overlaps neither the next query nor DuckDB's reference run.
	b.StopTimer()
	if err := s.WaitQuery(ctx, id); err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	return rows
}

// lakeQueryID is lakeQuery, timed: the rows read and the query's ID.
func lakeQueryID(ctx context.Context, b *testing.B, s *lake.Service, query string, all bool) (int, string) {
	b.Helper()
	out, err := s.StartQuery(ctx, &lake.StartQueryInput{QueryStatement: query})
	if err != nil {
		b.Fatal(err)
	}
	// Poll as a client does (DescribeQuery until the query has ended, here every 100 µs): the
	// query is FINISHED, its rows readable, as soon as it ends; storing it for restarts and
	// delivering it to S3 come after (WaitQuery would wait for those too).
	for {
		d, err := s.DescribeQuery(ctx, &lake.DescribeQueryInput{QueryInput: lake.QueryInput{QueryID: out.QueryID}})
		if err != nil {
			b.Fatal(err)
		}
		if d.QueryStatus != lake.QueryQueued && d.QueryStatus != lake.QueryRunning {
			break
		}
		time.Sleep(100 * time.Microsecond)
	}
	in := &lake.GetQueryResultsInput{QueryInput: lake.QueryInput{QueryID: out.QueryID}}
	rows := 0
	for {
		res, err := s.GetQueryResults(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if res.QueryStatus != lake.QueryFinished {
			b.Fatalf("query %s: %s", res.QueryStatus, res.ErrorMessage)
		}
		rows += res.QueryResultRows.Len()
		if !all || res.NextToken == "" {
			return rows, out.QueryID
		}
		in.NextToken = res.NextToken
	}
}

// resetPeakRSS resets the process's peak resident set size (VmHWM), as writing 5 to
// /proc/self/clear_refs does (https://docs.kernel.org/filesystems/proc.html).
func resetPeakRSS(b *testing.B) {
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		b.Logf("peak RSS not reset: %v", err)
	}
}

// sampleAnon samples the process's anonymous resident memory (RssAnon: its heaps, Go's and
// DuckDB's, without the state store's memory-mapped file) every 10 ms until the function it
// returns is called, which returns the peak in MiB.
func sampleAnon() func() float64 {
	done := make(chan struct{})
	peak := make(chan float64)
	go func() {
		most := 0.0
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			most = max(most, procStatus("RssAnon:"))
			select {
			case <-tick.C:
			case <-done:
				peak <- most
				return
			}
		}
	}()
	return func() float64 {
		close(done)
		return <-peak
	}
}

// procStatus is a size of /proc/self/status in MiB (0 where there is none).
func procStatus(field string) float64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(status) {
		if rest, ok := bytes.CutPrefix(line, []byte(field)); ok {
			kb, err := strconv.ParseFloat(string(bytes.TrimSuffix(bytes.TrimSpace(rest), []byte(" kB"))), 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// peakRSS is the process's peak resident set size in MiB (VmHWM: with the pages of the state
// store's memory-mapped file it read), 0 where /proc has none.
func peakRSS(*testing.B) float64 { return procStatus("VmHWM:") }
