package lake_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/keytrail/keytrail/internal/lake"
)

// BenchmarkIngestEncrypted measures ingestion into a KMS-encrypted store: each iteration ingests
// 50 000 journal events (five chunks), reported as events/s.
func BenchmarkIngestEncrypted(b *testing.B) {
	lw := newLakeWorld(b)
	a := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(b, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	lw.create(b, a, lake.CreateEventDataStoreInput{KmsKeyID: key})
	const batch = 50000
	n := 0
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		for range batch {
			n++
			e := call(fmt.Sprintf("e%08d", n), kmsSource, "Encrypt")
			e.Params = []byte(`{"keyId":"` + key + `","encryptionAlgorithm":"SYMMETRIC_DEFAULT"}`)
			lw.record(b, e)
		}
		b.StartTimer()
		sum, err := lw.Lake.Ingest(ctx)
		if err != nil || sum.Events != batch {
			b.Fatalf("Ingest = %+v, %v", sum, err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkReadEncrypted measures reading 50 000 events back from a KMS-encrypted store as the
// caller, reported as events/s.
func BenchmarkReadEncrypted(b *testing.B) {
	lw := newLakeWorld(b)
	a := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(b, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	arn := lw.create(b, a, lake.CreateEventDataStoreInput{KmsKeyID: key})
	const total = 50000
	for i := range total {
		lw.record(b, call(fmt.Sprintf("e%08d", i), kmsSource, "Encrypt"))
	}
	if _, err := lw.Lake.Ingest(context.Background()); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		got := 0
		for _, err := range lw.Lake.Events(lw.As(a).Context(), arn) {
			if err != nil {
				b.Fatal(err)
			}
			got++
		}
		if got != total {
			b.Fatalf("read %d events, want %d", got, total)
		}
		n += got
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
