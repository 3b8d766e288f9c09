package events

import (
	"strings"
	"testing"
)

// BenchmarkJournalAppend is the cost of writing one event of about 500 bytes to the journal,
// with each backend: the copy into the page cache and, every 8 MiB, a new preallocated segment.
func BenchmarkJournalAppend(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			j, err := openJournal(b.TempDir(), 0, be)
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
			j, err := openJournal(dir, 0, be)
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
				j, err := openJournal(dir, 0, be)
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
