//go:build cgo

package engine_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/request"
)

// benchEvents is how many synthetic events the query benchmarks load (LAKE_BENCH_EVENTS, default 1M).
func benchEvents() int {
	if n, err := strconv.Atoi(os.Getenv("LAKE_BENCH_EVENTS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// synthetic renders n events as the recorder does: 40 operations of 4 services, 500 callers
// (users and role sessions), 3 regions, one event a second.
func synthetic(from, n int) [][]byte {
	ops := []string{"Decrypt", "GenerateDataKey", "Encrypt", "DescribeKey", "ListKeys", "CreateKey", "PutObject",
		"GetObject", "ListBuckets", "CreateUser", "AttachRolePolicy", "AssumeRole", "GetCallerIdentity"}
	sources := []string{"kms.amazonaws.com", "s3.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com"}
	regions := []string{"us-east-1", "eu-west-1", "ap-northeast-1"}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([][]byte, n)
	for i := range n {
		k := from + i
		caller := k % 500
		id := events.Identity{Type: "IAMUser", PrincipalID: fmt.Sprintf("AIDA%012d", caller),
			ARN: fmt.Sprintf("arn:aws:iam::111122223333:user/u%d", caller), AccountID: account,
			AccessKeyID: fmt.Sprintf("AKIA%012d", caller), UserName: fmt.Sprintf("u%d", caller)}
		if caller%3 == 0 {
			id = auditor
			id.ARN = fmt.Sprintf("arn:aws:sts::111122223333:assumed-role/Auditor/s%d", caller)
		}
		ev := events.Event{Time: start.Add(time.Duration(k) * time.Second), ID: fmt.Sprintf("ev-%d", k),
			RequestID: fmt.Sprintf("req-%d", k), Source: sources[k%len(sources)],
			Name: ops[(k/7)%len(ops)] + strconv.Itoa(k%3), Region: regions[k%len(regions)],
			SourceIP: "192.0.2.1", UserAgent: "aws-sdk-go-v2/1.47", ReadOnly: k%2 == 0, Management: true,
			Identity: id, Recipients: []string{account},
			Resources: []request.Resource{{Type: "AWS::KMS::Key", ARN: keyARN, Account: account}},
			Params:    []byte(`{"keyId":"alias/lake","encryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:eventdatastore/x"}}`)}
		out[i] = ev.AppendRecord(nil, account)
	}
	return out
}

var (
	benchOnce   sync.Once
	benchEngine *engine.Engine
	benchErr    error
)

// loaded is an engine holding benchEvents() synthetic events in store storeID, shared by the
// query benchmarks (loading a million events takes a while).
func loaded(b *testing.B) *engine.Engine {
	benchOnce.Do(func() {
		benchEngine, benchErr = engine.Open(engine.Config{})
		const batch = 100_000
		for from := 0; from < benchEvents() && benchErr == nil; from += batch {
			benchErr = benchEngine.Load(context.Background(), storeID, synthetic(from, min(batch, benchEvents()-from)))
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchEngine
}

// BenchmarkGroupBy: the Lake path (reference check, parse, rewrite, run, format every value)
// against the same query on the same DuckDB table with database/sql and no formatting.
func BenchmarkGroupBy(b *testing.B) {
	e := loaded(b)
	b.Run("engine", func(b *testing.B) {
		q := `SELECT eventname, useridentity.arn, count(*) AS n FROM ` + storeID + ` GROUP BY eventname, useridentity.arn`
		for b.Loop() {
			res, err := e.Query(context.Background(), q, nil)
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Rows) == 0 {
				b.Fatal("no rows")
			}
		}
	})
	b.Run("duckdb", func(b *testing.B) {
		q := `SELECT eventname, useridentity.arn, count(*) AS n FROM lake.eds_` + hexID(storeID) + ` GROUP BY eventname, useridentity.arn`
		for b.Loop() {
			rows, err := e.DB().Query(q)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			var name, arn string
			var count int64
			for rows.Next() {
				if err := rows.Scan(&name, &arn, &count); err != nil {
					b.Fatal(err)
				}
				n++
			}
			if err := rows.Close(); err != nil || n == 0 {
				b.Fatal(err, n)
			}
		}
	})
}

// BenchmarkSelective: a selective query (an eventTime window and an eventName) over the same events.
func BenchmarkSelective(b *testing.B) {
	e := loaded(b)
	q := `SELECT eventTime, eventName, userIdentity.arn FROM ` + storeID + `
		WHERE eventTime BETWEEN '2026-01-02 00:00:00' AND '2026-01-02 01:00:00' AND eventName = 'Decrypt0'`
	for b.Loop() {
		if _, err := e.Query(context.Background(), q, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad: records into a store, decoded and appended (events/s is reported).
func BenchmarkLoad(b *testing.B) {
	const n = 10_000
	records := synthetic(0, n)
	e, err := engine.Open(engine.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	for b.Loop() {
		if err := e.Load(context.Background(), storeID, records); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPrepare: the front end alone (references, parse, checks, rewrite, regenerate).
func BenchmarkPrepare(b *testing.B) {
	e := open(b)
	q := `SELECT eventTime, eventName, userIdentity.arn FROM ` + storeID + `
		WHERE eventTime BETWEEN '2026-01-02 00:00:00' AND '2026-01-02 01:00:00' AND eventName = 'Decrypt0'`
	for b.Loop() {
		if _, err := e.Prepare(context.Background(), q, nil); err != nil {
			b.Fatal(err)
		}
	}
}
