package events

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/seal"
)

// filesWith counts the files under dir that contain s.
func filesWith(t *testing.T, dir, s string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(s)) {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// segments lists the journal's segment files in order.
func segments(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// entryOffsets parses an encrypted segment as the format describes it, independently of the
// journal's reader: the offsets of its entries (and, last, the end of the last one).
func entryOffsets(t *testing.T, path string) []int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < segmentHeaderFixed || !bytes.Equal(b[:4], []byte("KTJS")) || b[4] != 1 {
		t.Fatalf("%s does not begin with an encrypted segment's header", path)
	}
	off := int64(segmentHeaderFixed) + int64(binary.LittleEndian.Uint16(b[6:8]))
	out := []int64{off}
	for off+4 <= int64(len(b)) {
		n := binary.LittleEndian.Uint32(b[off:])
		if n == 0 {
			break
		}
		off += 4 + int64(n)
		out = append(out, off)
	}
	return out
}

// markedEvent is testEvent(i) with marker in its requestParameters and user agent.
func markedEvent(i int, marker string) *Event {
	e := testEvent(i)
	e.Params = []byte(`{"encryptionContext":{"note":"` + marker + `"}}`)
	e.UserAgent = "agent/" + marker
	return e
}

// No event text is in the journal's files, while the active segment is being written and after
// the journal is closed; the journal gives it back.
func TestJournalNoClearText(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		const marker = "marker-0c47e2a9-journal"
		j := open(t, dir, 16<<10, b) // several segments
		for i := range 200 {
			if err := j.Append(markedEvent(i, marker)); err != nil {
				t.Fatal(err)
			}
		}
		if len(segments(t, dir)) < 3 {
			t.Fatal("want several segments")
		}
		// Not only the marker: no field of the event is in clear.
		texts := []string{marker, "kms.amazonaws.com", "arn:aws:iam::111111111111:root", "arn:aws:kms:us-east-1:111111111111:key/k", "Decrypt"}
		for _, s := range texts {
			if n := filesWith(t, dir, s); n != 0 {
				t.Errorf("while open, %d segments hold %q in clear", n, s)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		for _, s := range texts {
			if n := filesWith(t, dir, s); n != 0 {
				t.Errorf("after Close, %d segments hold %q in clear", n, s)
			}
		}
		j = open(t, dir, 16<<10, b)
		defer j.Close()
		n := 0
		err := j.Scan(1, j.Next(), func(e *Event) error {
			if !bytes.Contains(e.Params, []byte(marker)) || e.UserAgent != "agent/"+marker || e.Source != "kms.amazonaws.com" {
				return fmt.Errorf("event %d reads back as %+v", e.Seq, e)
			}
			n++
			return nil
		})
		if err != nil || n != 200 {
			t.Fatalf("Scan gave %d marked events (%v), want 200", n, err)
		}
	})
}

// An entry whose bytes changed does not open: opening the journal treats it as the torn tail,
// as a failing checksum was, cutting it and what follows; appending goes on from it.
func TestJournalCorruptEntryIsTheTail(t *testing.T) {
	for _, c := range []struct {
		name string
		at   func(start, end int64) int64 // the byte of entry 6 to change
	}{
		{"length", func(start, _ int64) int64 { return start }},
		{"ciphertext", func(start, _ int64) int64 { return start + 4 + 20 }},
		{"tag", func(_, end int64) int64 { return end - 1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b segmentBackend) {
				dir := t.TempDir()
				j := open(t, dir, 0, b)
				appendN(t, j, 0, 10)
				if err := j.Close(); err != nil {
					t.Fatal(err)
				}
				path := segments(t, dir)[0]
				offs := entryOffsets(t, path)
				if len(offs) != 11 {
					t.Fatalf("the segment has %d entries, want 10", len(offs)-1)
				}
				flip(t, path, c.at(offs[5], offs[6]))
				j = open(t, dir, 0, b)
				defer j.Close()
				if got := j.Next(); got != 6 {
					t.Fatalf("Next = %d after entry 6 was changed, want 6", got)
				}
				if st, err := os.Stat(path); err != nil || st.Size() != offs[5] {
					t.Fatalf("the segment was not cut before entry 6 (%v)", err)
				}
				appendN(t, j, 5, 2)
				if got := seqs(t, j, 1, 100); len(got) != 7 || got[6] != 7 {
					t.Fatalf("after the cut the journal holds %v", got)
				}
			})
		})
	}
}

// flip changes the byte at off of the file at path.
func flip(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c [1]byte
	if _, err := f.ReadAt(c[:], off); err != nil {
		t.Fatal(err)
	}
	c[0] ^= 0x5a
	if _, err := f.WriteAt(c[:], off); err != nil {
		t.Fatal(err)
	}
}

// writeFile writes data to the file at path (in a test's directory).
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// Entries cannot be swapped or moved: each opens only at its own place (its sequence number is
// its nonce, its offset the additional data).
func TestJournalSwappedEntries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		j := open(t, dir, 0, b)
		appendN(t, j, 0, 6)
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, fmt.Sprintf("%020d.log", 1))
		offs := entryOffsets(t, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		e3, e4 := data[offs[2]:offs[3]], data[offs[3]:offs[4]]
		if len(e3) != len(e4) {
			t.Fatalf("entries 3 and 4 differ in size (%d, %d)", len(e3), len(e4))
		}
		swapped := bytes.Clone(data)
		copy(swapped[offs[2]:], e4)
		copy(swapped[offs[3]:], e3)
		writeFile(t, path, swapped)
		j = open(t, dir, 0, b)
		defer j.Close()
		if got := seqs(t, j, 1, 100); len(got) != 2 {
			t.Fatalf("with entries 3 and 4 swapped the journal reads %v, want 1 and 2", got)
		}
	})
}

// An entry changed after the journal opened is reported by the scans that reach it, as a corrupt
// entry was.
func TestJournalCorruptWhileOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		j := open(t, dir, 0, b)
		defer j.Close()
		appendN(t, j, 0, 10)
		path := segments(t, dir)[0]
		offs := entryOffsets(t, path)
		flip(t, path, offs[3]+30) // entry 4, in the active segment
		want := "entry 4: corrupt"
		if err := j.Scan(1, 100, func(*Event) error { return nil }); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Scan over the changed entry: %v, want %q", err, want)
		}
		if err := j.ScanBackward(100, time.Time{}, func(*Event) error { return nil }); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ScanBackward over the changed entry: %v, want %q", err, want)
		}
		if got := seqs(t, j, 1, 4); len(got) != 3 {
			t.Errorf("a scan before the changed entry gave %v", got)
		}
	})
}

// A journal opened with another root key, or a segment under another name, fails to open and
// nothing is cut: the events are there when the right key opens the journal.
func TestJournalWrongKey(t *testing.T) {
	dir := t.TempDir()
	j := open(t, dir, 0, fileBackend)
	appendN(t, j, 0, 5)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	path := segments(t, dir)[0]
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := seal.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openJournal(dir, 0, other, fileBackend); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("opening with another root key: %v", err)
	}
	renamed := filepath.Join(dir, fmt.Sprintf("%020d.log", 2))
	if err := os.Rename(path, renamed); err != nil {
		t.Fatal(err)
	}
	if _, err := openJournal(dir, 0, testKeys(t), fileBackend); err == nil || !strings.Contains(err.Error(), "does not open") {
		t.Fatalf("opening a renamed segment: %v", err)
	}
	if err := os.Rename(renamed, path); err != nil {
		t.Fatal(err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the failed openings changed the segment (%v)", err)
	}
	j = open(t, dir, 0, fileBackend)
	defer j.Close()
	if got := seqs(t, j, 1, 100); len(got) != 5 {
		t.Fatalf("with the right key the journal holds %v", got)
	}
}

// A segment begun when the machine failed may have a torn header, or none (its preallocated
// zeros): it holds nothing that can be read, and opening the journal drops it.
func TestJournalTornSegmentHeader(t *testing.T) {
	for _, c := range []struct {
		name   string
		header func(good []byte) []byte
	}{
		{"torn", func(good []byte) []byte { return append(bytes.Clone(good[:20]), make([]byte, 4096)...) }},
		{"changed", func(good []byte) []byte { g := bytes.Clone(good); g[30] ^= 1; return g }},
		{"zeros", func([]byte) []byte { return make([]byte, 4096) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			j := open(t, dir, 0, fileBackend)
			appendN(t, j, 0, 5)
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			good, err := os.ReadFile(segments(t, dir)[0])
			if err != nil {
				t.Fatal(err)
			}
			next := filepath.Join(dir, fmt.Sprintf("%020d.log", 6))
			if err := os.WriteFile(next, c.header(good), 0o600); err != nil {
				t.Fatal(err)
			}
			j = open(t, dir, 0, fileBackend)
			defer j.Close()
			if got := j.Next(); got != 6 {
				t.Fatalf("Next = %d, want 6", got)
			}
			appendN(t, j, 5, 1)
			if got := seqs(t, j, 1, 100); len(got) != 6 {
				t.Fatalf("the journal holds %v", got)
			}
		})
	}
}

// A journal written before entries were encrypted (testdata/journal-clear: 20 events in two
// segments, written by the clear format's code) is read as it was, a torn tail included; new
// events go to encrypted segments after it, and pruning removes the clear ones.
func TestJournalReadsClearSegments(t *testing.T) {
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		dir := t.TempDir()
		const marker = "legacy-marker-5d1c"
		for i, name := range []string{"00000000000000000001.log", "00000000000000000014.log"} {
			data, err := os.ReadFile(filepath.Join("testdata", "journal-clear", name))
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				data = append(data, 200, 0, 0, 0, 1, 2, 3, 4, 1, 0, 0) // a torn entry
			}
			writeFile(t, filepath.Join(dir, name), data)
		}
		j := open(t, dir, 0, b)
		if got := j.Next(); got != 21 {
			t.Fatalf("Next = %d over the clear journal, want 21", got)
		}
		check := func(j *Journal, n int) {
			t.Helper()
			var ids []string
			err := j.Scan(1, 100, func(e *Event) error {
				if e.Seq <= 20 && (!bytes.Contains(e.Params, []byte(marker)) || e.Time != time.Unix(1700000000+int64(e.Seq)-1, 0).UTC()) {
					return fmt.Errorf("clear event %d reads as %+v", e.Seq, e)
				}
				ids = append(ids, e.ID)
				return nil
			})
			if err != nil || len(ids) != n || ids[0] != "legacy-event-a" || ids[19] != "legacy-event-t" {
				t.Fatalf("Scan: %v (%v)", ids, err)
			}
			var back []uint64
			err = j.ScanBackward(100, time.Unix(1700000000+15, 0), func(e *Event) error { back = append(back, e.Seq); return nil })
			if err != nil || len(back) != n-15 || back[len(back)-1] != 16 {
				t.Fatalf("ScanBackward: %v (%v)", back, err)
			}
		}
		check(j, 20)
		for i := 20; i < 25; i++ {
			if err := j.Append(markedEvent(i, "new-marker-91ab")); err != nil {
				t.Fatal(err)
			}
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		if n := filesWith(t, dir, "new-marker-91ab"); n != 0 {
			t.Fatalf("%d files hold a new event in clear", n)
		}
		j = open(t, dir, 0, b)
		defer j.Close()
		check(j, 25)
		if err := j.Prune(j.Next(), time.Unix(1800000000, 0)); err != nil {
			t.Fatal(err)
		}
		if n := filesWith(t, dir, marker); n != 0 {
			t.Fatalf("after pruning %d clear segments remain", n)
		}
	})
}

// failingSealer is a barrier whose Seal fails while fail is set.
type failingSealer struct {
	Sealer
	fail bool
}

func (s *failingSealer) Seal(plaintext []byte, purpose string) ([]byte, error) {
	if s.fail {
		return nil, errors.New("sealing failed")
	}
	return s.Sealer.Seal(plaintext, purpose)
}

// A journal needs its sealer and segments that hold their header; a segment's key that cannot be
// sealed fails the Append that needed the segment, and the journal goes on where it was.
func TestJournalKeyFailures(t *testing.T) {
	if _, err := OpenJournal(t.TempDir(), 0, nil); err == nil {
		t.Error("a journal opened without a sealer")
	}
	if _, err := openJournal(t.TempDir(), 64, testKeys(t), fileBackend); err == nil || !strings.Contains(err.Error(), "cannot hold their header") {
		t.Errorf("segments of 64 bytes: %v", err)
	}
	keys := &failingSealer{Sealer: testKeys(t), fail: true}
	if _, err := openJournal(t.TempDir(), 0, keys, fileBackend); err == nil || !strings.Contains(err.Error(), "sealing failed") {
		t.Errorf("opening with a failing sealer: %v", err)
	}
	eachBackend(t, func(t *testing.T, b segmentBackend) {
		keys := &failingSealer{Sealer: testKeys(t)}
		j, err := openJournal(t.TempDir(), 4<<10, keys, b)
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		keys.fail = true
		n := 0
		for ; n < 100; n++ {
			if err := j.Append(testEvent(n)); err != nil {
				if !strings.Contains(err.Error(), "sealing failed") {
					t.Fatal(err)
				}
				break
			}
		}
		if n == 0 || n == 100 {
			t.Fatalf("%d appends before the segment change", n)
		}
		keys.fail = false
		appendN(t, j, n, 20)
		if got := seqs(t, j, 1, 1000); len(got) != n+20 || got[len(got)-1] != uint64(n+20) {
			t.Fatalf("after the failed segment change the journal holds %v", got)
		}
	})
}

// An event too large for a segment (with its header) is refused, and the journal goes on.
func TestJournalEventTooLarge(t *testing.T) {
	j := open(t, t.TempDir(), 4<<10, fileBackend)
	defer j.Close()
	e := testEvent(0)
	e.Params = bytes.Repeat([]byte("x"), 4<<10)
	if err := j.Append(e); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("Append of an event larger than a segment: %v", err)
	}
	appendN(t, j, 0, 2)
	if got := seqs(t, j, 1, 100); len(got) != 2 || got[0] != 1 {
		t.Fatalf("after the refused event the journal holds %v", got)
	}
}

// FuzzJournalSegment opens a journal whose one segment holds arbitrary bytes: opening never
// panics, and every event it keeps reads back.
func FuzzJournalSegment(f *testing.F) {
	dir := f.TempDir()
	j, err := openJournal(dir, 0, testKeys(f), fileBackend)
	if err != nil {
		f.Fatal(err)
	}
	for i := range 3 {
		if err := j.Append(testEvent(i)); err != nil {
			f.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		f.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, fmt.Sprintf("%020d.log", 1)), filepath.Join("testdata", "journal-clear", "00000000000000000001.log")} {
		seed, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	keys := testKeys(f)
	f.Fuzz(func(t *testing.T, segment []byte) {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, fmt.Sprintf("%020d.log", 1)), segment)
		j, err := openJournal(dir, 1<<20, keys, fileBackend)
		if err != nil {
			return // a header whose key does not open
		}
		defer j.Close()
		n := uint64(0)
		if err := j.Scan(1, j.Next(), func(*Event) error { n++; return nil }); err != nil || n != j.Next()-1 {
			t.Fatalf("Scan gave %d of %d events: %v", n, j.Next()-1, err)
		}
	})
}
