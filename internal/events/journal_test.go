package events

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/seal"
)

// backends are the segment backends this system has: the portable one everywhere, and Linux's
// mapped one beside it. Every journal test runs against each.
func backends() []segmentBackend {
	bs := []segmentBackend{fileBackend}
	if defaultBackend.name != fileBackend.name {
		bs = append(bs, defaultBackend)
	}
	return bs
}

func eachBackend(t *testing.T, test func(t *testing.T, b segmentBackend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { test(t, b) })
	}
}

// testKeys is a barrier over a fixed root key: every journal a test opens again opens with it.
func testKeys(t testing.TB) Sealer {
	t.Helper()
	b, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func open(t *testing.T, dir string, size int64, b segmentBackend) *Journal {
	t.Helper()
	j, err := openJournal(dir, size, testKeys(t), b)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func appendN(t *testing.T, j *Journal, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if err := j.Append(testEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func seqs(t *testing.T, j *Journal, from, to uint64) []uint64 {
	t.Helper()
	var out []uint64
	if err := j.Scan(from, to, func(e *Event) error { out = append(out, e.Seq); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// kill leaves j as a killed process would: no Close, the active segment preallocated and not
// cut. (A mapping goes, as it would with the process, so that reopening may cut the file.)
func kill(t *testing.T, j *Journal) {
	t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.seg.release(); err != nil {
		t.Fatal(err)
	}
	j.f.Close()
	j.closing.Wait()
	j.f, j.seg = nil, nil
}

func TestJournalAppendScanReopen(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		j := open(t, dir, 16<<10, b) // small segments: many of them
		appendN(t, j, 0, 3000)
		if got := j.Next(); got != 3001 {
			t.Fatalf("Next = %d, want 3001", got)
		}
		if err := j.Sync(); err != nil {
			t.Fatal(err)
		}
		names, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		if len(names) < 10 {
			t.Fatalf("%d segments, want many", len(names))
		}
		got := seqs(t, j, 1234, 2345)
		if len(got) != 1111 || got[0] != 1234 || got[len(got)-1] != 2344 {
			t.Fatalf("Scan(1234, 2345) gave %d events from %v to %v", len(got), got[0], got[len(got)-1])
		}
		var back []uint64
		err := j.ScanBackward(2000, time.Unix(1700000000+1500, 0), func(e *Event) error {
			back = append(back, e.Seq)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// Events 1501..1999 (times 1700001500..1700001998) are at or after since.
		if len(back) != 499 || back[0] != 1999 || back[len(back)-1] != 1501 {
			t.Fatalf("ScanBackward gave %d events from %d to %d", len(back), back[0], back[len(back)-1])
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		if err := j.Append(testEvent(0)); err == nil {
			t.Fatal("Append after Close succeeded")
		}
		j = open(t, dir, 16<<10, b)
		defer j.Close()
		if got := j.Next(); got != 3001 {
			t.Fatalf("after reopening Next = %d, want 3001", got)
		}
		appendN(t, j, 3000, 10)
		if got := seqs(t, j, 2995, 4000); len(got) != 16 || got[15] != 3010 {
			t.Fatalf("after reopening the tail is %v", got)
		}
		// Pruning keeps what a cursor still needs and the active segment.
		if err := j.Prune(2000, time.Unix(1800000000, 0)); err != nil {
			t.Fatal(err)
		}
		if got := seqs(t, j, 0, 4000); got[0] > 2000 || got[len(got)-1] != 3010 {
			t.Fatalf("after pruning the journal holds %d..%d", got[0], got[len(got)-1])
		}
		if got := seqs(t, j, 0, 4000); got[0] == 1 {
			t.Fatal("pruning removed nothing")
		}
	})
}

// The active segment is preallocated to the segment size while the journal is open; a replaced
// segment and, on Close, the active one are cut to their entries.
func TestJournalPreallocation(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		const size = 64 << 10
		j := open(t, dir, size, b)
		appendN(t, j, 0, 300) // more than one segment of events of about 400 bytes
		names, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		if len(names) < 2 {
			t.Fatalf("%d segments, want several", len(names))
		}
		j.closing.Wait() // the replaced segments' cuts, made in the background
		sizes := func() []int64 {
			var out []int64
			for _, n := range names {
				st, err := os.Stat(n)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, st.Size())
			}
			return out
		}
		now := sizes()
		for i, s := range now[:len(now)-1] {
			if s != j.segs[i].size || s == size {
				t.Errorf("replaced segment %s has %d bytes, want its entries' %d", names[i], s, j.segs[i].size)
			}
		}
		if last := now[len(now)-1]; last != size {
			t.Errorf("the active segment has %d bytes, want the preallocated %d", last, size)
		}
		active := j.segs[len(j.segs)-1].size
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		if last := sizes()[len(names)-1]; last != active {
			t.Errorf("after Close the last segment has %d bytes, want its entries' %d", last, active)
		}
	})
}

// A process killed mid-write leaves a torn entry: reopening cuts it off and goes on.
func TestJournalTornTail(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		j := open(t, dir, 0, b)
		appendN(t, j, 0, 5)
		j.Close()
		names, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		f, err := os.OpenFile(names[len(names)-1], os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte{200, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0}); err != nil { // a header and part of a payload
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		j = open(t, dir, 0, b)
		defer j.Close()
		if got := j.Next(); got != 6 {
			t.Fatalf("Next = %d after a torn tail, want 6", got)
		}
		appendN(t, j, 5, 1)
		if got := seqs(t, j, 1, 10); len(got) != 6 {
			t.Fatalf("events after recovery: %v", got)
		}
	})
}

// A process killed with the journal open leaves the active segment preallocated: whatever
// Append returned for is there when the journal opens again, whichever backend opens it.
func TestJournalKilledOpen(t *testing.T) {
	for _, writer := range backends() {
		for _, reader := range backends() {
			t.Run(writer.name+"-then-"+reader.name, func(t *testing.T) {
				dir := t.TempDir()
				j := open(t, dir, 0, writer)
				appendN(t, j, 0, 7)
				kill(t, j)
				j2 := open(t, dir, 0, reader)
				defer j2.Close()
				if got := seqs(t, j2, 1, 100); len(got) != 7 || j2.Next() != 8 {
					t.Fatalf("after the kill: events %v, next %d", got, j2.Next())
				}
				appendN(t, j2, 7, 3)
				if got := seqs(t, j2, 1, 100); len(got) != 10 {
					t.Fatalf("appending after recovery: %v", got)
				}
			})
		}
	}
}

// Scans read what appends write while they write it.
func TestJournalScanWhileAppending(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		j := open(t, t.TempDir(), 16<<10, b)
		defer j.Close()
		var appendErr error
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			for i := range 2000 {
				if appendErr = j.Append(testEvent(i)); appendErr != nil {
					return
				}
			}
		}()
		for last := false; !last; {
			select {
			case <-finished:
				last = true
			default:
			}
			next := j.Next()
			if got := seqs(t, j, 1, next); uint64(len(got)) != next-1 {
				t.Fatalf("Scan(1, %d) gave %d events", next, len(got))
			}
		}
		if appendErr != nil {
			t.Fatal(appendErr)
		}
		if got := j.Next(); got != 2001 {
			t.Fatalf("Next = %d after 2000 appends", got)
		}
	})
}

// A segment Prune cannot remove (Windows refuses while a scan has it open) stays in the
// journal's list, and a later Prune removes it.
func TestJournalPruneFailure(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		j := open(t, dir, 16<<10, b)
		defer j.Close()
		appendN(t, j, 0, 500)
		j.closing.Wait()
		// The oldest segment's name becomes a non-empty directory, which no system removes.
		first := j.segs[0].path
		if err := os.Remove(first); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(first, "x"), 0o700); err != nil {
			t.Fatal(err)
		}
		before := len(j.segs)
		if err := j.Prune(j.Next(), time.Unix(1800000000, 0)); err == nil {
			t.Fatal("Prune removed a non-empty directory")
		}
		if len(j.segs) != before || j.segs[0].path != first {
			t.Fatalf("after a failed Prune the journal lists %d segments from %s, want %d from %s",
				len(j.segs), j.segs[0].path, before, first)
		}
		if err := os.RemoveAll(first); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(first, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := j.Prune(j.Next(), time.Unix(1800000000, 0)); err != nil {
			t.Fatal(err)
		}
		if len(j.segs) != 1 {
			t.Fatalf("after pruning everything %d segments remain, want the active one", len(j.segs))
		}
		if _, err := os.Stat(first); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("the pruned segment is still there: %v", err)
		}
	})
}
