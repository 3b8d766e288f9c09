package events

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkJournalAppend is the cost of writing one event of about 500 bytes to the journal,
// with each backend: the copy into the page cache and, every 8 MiB, a new preallocated segment.
func BenchmarkJournalAppend(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			j, err := openJournal(b.TempDir(), 0, testKeys(b), be)
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			e := testEvent(0)
			e.Params = []byte(`{"keyId":"` + strings.Repeat("k", 300) + `"}`)
			b.SetBytes(int64(len(e.AppendBinary(nil)) + headerSize))
			b.ReportAllocs()
			for b.Loop() {
				if err := j.Append(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOpenJournal is the start-up cost of a journal of 256 MiB (32 full segments of events
// of about 500 bytes), with each backend: what opening reads to know each segment's events, and
// the new segment it begins.
func BenchmarkOpenJournal(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			dir := b.TempDir()
			j, err := openJournal(dir, 0, testKeys(b), be)
			if err != nil {
				b.Fatal(err)
			}
			e := testEvent(0)
			e.Params = []byte(`{"keyId":"` + strings.Repeat("k", 300) + `"}`)
			for len(j.segs) <= 32 {
				if err := j.Append(e); err != nil {
					b.Fatal(err)
				}
			}
			if err := j.Close(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				j, err := openJournal(dir, 0, testKeys(b), be)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := j.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkJournalScan is the cost of reading one event of about 500 bytes back from the journal
// (what delivery, LookupEvents and the Lake's ingestion do), with each backend: a forward Scan
// of 10 000 events and a ScanBackward over them, reported per event.
func BenchmarkJournalScan(b *testing.B) {
	for _, be := range backends() {
		j, err := openJournal(b.TempDir(), 0, testKeys(b), be)
		if err != nil {
			b.Fatal(err)
		}
		e := testEvent(0)
		e.Params = []byte(`{"keyId":"` + strings.Repeat("k", 300) + `"}`)
		const n = 10_000
		for range n {
			if err := j.Append(e); err != nil {
				b.Fatal(err)
			}
		}
		size := int64(len(e.AppendBinary(nil)) + headerSize)
		b.Run(be.name+"/forward", func(b *testing.B) {
			b.SetBytes(size * n)
			b.ReportAllocs()
			for b.Loop() {
				seen := 0
				if err := j.Scan(1, n+1, func(*Event) error { seen++; return nil }); err != nil || seen != n {
					b.Fatalf("Scan saw %d events (%v)", seen, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
		b.Run(be.name+"/backward", func(b *testing.B) {
			b.SetBytes(size * n)
			b.ReportAllocs()
			for b.Loop() {
				seen := 0
				if err := j.ScanBackward(n+1, time.Time{}, func(*Event) error { seen++; return nil }); err != nil || seen != n {
					b.Fatalf("ScanBackward saw %d events (%v)", seen, err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/event")
		})
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
