package events

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The journal is a directory of segment files, each named by the sequence number of its first
// event. An entry is [payload length uint32 LE][CRC-32C of the payload][payload]. The active
// segment is preallocated, so that a full disk fails when a segment begins rather than in the
// middle of one. An entry is in the page cache before the call it records is answered, so it
// survives the process being killed; Sync makes it survive the machine failing too. Opening the
// journal cuts off a torn last entry (and the unwritten, preallocated rest) and begins a new
// segment.
//
// How an entry reaches the page cache is the segmentFile's business: on Linux the segment is
// mapped (journal_linux.go), so that an append is a memory copy rather than a system call;
// elsewhere it is written with pwrite (journal_file.go), which works on every system.

const (
	headerSize = 8
	// indexStride is how many entries lie between two offsets of a segment's sparse index.
	indexStride = 512
	// DefaultSegmentSize is a segment's preallocated size: when the next entry does not fit, the
	// segment is closed (cut to its length) and the next begun.
	DefaultSegmentSize = 8 << 20
	maxEntry           = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

type segment struct {
	first    uint64  // the sequence number of its first event
	count    uint64  // its events
	size     int64   // its bytes
	index    []int64 // index[i] is the offset of event first+i*indexStride
	lastTime int64   // the newest event's time (Unix nanoseconds)
	path     string
}

// Journal is the persistent, append-only queue of recorded events.
type Journal struct {
	dir     string
	maxSize int64

	backend segmentBackend

	mu      sync.Mutex
	f       *os.File    // the active (last) segment
	seg     segmentFile // how appends reach it
	segs    []*segment
	closing sync.WaitGroup // closes of replaced segments
	next    uint64         // the next event's sequence number
	buf     []byte
}

// segmentFile is how appends reach the active segment's file: at increasing offsets below its
// preallocated size. The journal itself syncs, cuts and closes the file.
type segmentFile interface {
	// write copies b to offset off; when it returns, b survives the process being killed.
	write(b []byte, off int64) error
	// release ends the writing; the file stays open.
	release() error
}

// segmentBackend begins active segments: open preallocates f to size bytes and returns the
// segmentFile appends go through. Every system has fileBackend; each has a defaultBackend.
type segmentBackend struct {
	name string
	open func(f *os.File, size int64) (segmentFile, error)
}

// OpenJournal opens (or creates) the journal in dir, with segments of segmentSize bytes (0:
// DefaultSegmentSize).
func OpenJournal(dir string, segmentSize int64) (*Journal, error) {
	return openJournal(dir, segmentSize, defaultBackend)
}

func openJournal(dir string, segmentSize int64, backend segmentBackend) (*Journal, error) {
	if segmentSize <= 0 {
		segmentSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.log"))
	if err != nil {
		return nil, err
	}
	j := &Journal{dir: dir, maxSize: segmentSize, backend: backend, next: 1}
	for _, n := range names {
		first, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(n), ".log"), 10, 64)
		if err != nil {
			continue
		}
		j.segs = append(j.segs, &segment{first: first, path: n})
	}
	sort.Slice(j.segs, func(a, b int) bool { return j.segs[a].first < j.segs[b].first })
	for _, s := range j.segs {
		if err := s.load(); err != nil {
			return nil, err
		}
		j.next = s.first + s.count
	}
	if n := len(j.segs); n > 0 && j.segs[n-1].count == 0 {
		if err := os.Remove(j.segs[n-1].path); err != nil {
			return nil, err
		}
		j.segs = j.segs[:n-1]
	}
	if err := j.newSegment(); err != nil {
		return nil, err
	}
	return j, nil
}

// load scans a segment, building its index. A segment the process was killed with open ends in
// its preallocated zeros, perhaps after a torn entry: they are cut off.
func (s *segment) load() error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // whatever load cut off is already in the file
	r := bufio.NewReaderSize(f, 1<<16)
	var off int64
	var hdr [headerSize]byte
	var payload []byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			break
		}
		n := binary.LittleEndian.Uint32(hdr[:4])
		if n == 0 || n > maxEntry {
			break
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil || crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			break
		}
		seq, t, ok := peek(payload)
		if !ok || seq != s.first+s.count {
			break
		}
		if s.count%indexStride == 0 {
			s.index = append(s.index, off)
		}
		s.count++
		s.lastTime = t
		off += headerSize + int64(n)
	}
	s.size = off
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() != off {
		// The unwritten rest of a preallocated segment, or a torn entry: nothing after it
		// can be read. (Cut through the handle already open: Windows shares files narrowly.)
		return f.Truncate(off)
	}
	return nil
}

// peek reads an encoded event's sequence number and time.
func peek(p []byte) (uint64, int64, bool) {
	if len(p) < 10 || p[0] != encodingVersion {
		return 0, 0, false
	}
	t, n := binary.Varint(p[9:])
	return binary.LittleEndian.Uint64(p[1:9]), t, n > 0
}

// newSegment closes the active segment and begins the next, preallocated by the backend.
func (j *Journal) newSegment() error {
	if err := j.closeActive(true); err != nil {
		return err
	}
	s := &segment{first: j.next, path: filepath.Join(j.dir, fmt.Sprintf("%020d.log", j.next))}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	seg, err := j.backend.open(f, j.maxSize)
	if err != nil {
		_ = f.Close() // the segment is removed: the backend's error is the one to report
		_ = os.Remove(s.path)
		return err
	}
	j.f, j.seg = f, seg
	j.segs = append(j.segs, s)
	// The new name is made durable in the background, with the old segment's sync.
	j.closing.Add(1)
	go func() {
		defer j.closing.Done()
		// Best effort: until a later sync, a crash may lose the new name, and opening the journal
		// then starts from the segments it finds.
		_ = syncDir(j.dir)
	}()
	return nil
}

// closeActive ends writing to the active segment, cuts it to its entries, syncs and closes it.
// When a full segment is replaced, the cutting and syncing happen in the background (background
// true): a crash before they finish leaves zeros that opening the journal cuts off.
func (j *Journal) closeActive(background bool) error {
	if j.f == nil {
		return nil
	}
	s := j.segs[len(j.segs)-1]
	err := j.seg.release()
	f, size := j.f, s.size
	j.f, j.seg = nil, nil
	finish := func() error {
		err := f.Truncate(size)
		if serr := f.Sync(); err == nil {
			err = serr
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if background {
		j.closing.Add(1)
		go func() {
			defer j.closing.Done()
			// A failure leaves the zeros (or an unsynced tail) that opening the journal cuts off.
			_ = finish()
		}()
		return err
	}
	j.closing.Wait()
	if ferr := finish(); err == nil {
		err = ferr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Append stamps e with the next sequence number and writes it. When Append returns, the event
// survives the process being killed.
func (j *Journal) Append(e *Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return errors.New("events: the journal is closed")
	}
	e.Seq = j.next
	b := append(j.buf[:0], 0, 0, 0, 0, 0, 0, 0, 0)
	b = e.AppendBinary(b)
	payload := b[headerSize:]
	if len(payload) > maxEntry || int64(len(b)) > j.maxSize {
		return fmt.Errorf("events: an event of %d bytes is too large", len(payload))
	}
	binary.LittleEndian.PutUint32(b[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:8], crc32.Checksum(payload, castagnoli))
	s := j.segs[len(j.segs)-1]
	if s.size+int64(len(b)) > j.maxSize {
		if err := j.newSegment(); err != nil {
			return err
		}
		s = j.segs[len(j.segs)-1]
	}
	if err := j.seg.write(b, s.size); err != nil {
		return fmt.Errorf("events: append to the journal: %w", err)
	}
	if s.count%indexStride == 0 {
		s.index = append(s.index, s.size)
	}
	s.count++
	s.size += int64(len(b))
	s.lastTime = e.Time.UnixNano()
	j.next++
	if cap(b) <= 1<<16 {
		j.buf = b
	}
	return nil
}

// Next is the sequence number the next event will get: every event before it is in the journal.
func (j *Journal) Next() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.next
}

// Sync flushes the active segment to stable storage.
func (j *Journal) Sync() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	return j.f.Sync()
}

// Close cuts the active segment to its entries, syncs and closes the journal.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	err := j.closeActive(false)
	j.closing.Wait()
	return err
}

// view is a segment as it was when a reader looked: its events up to count.
type view struct {
	first, count uint64
	size         int64
	index        []int64
	lastTime     int64
	path         string
}

func (j *Journal) views() []view {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]view, len(j.segs))
	for i, s := range j.segs {
		out[i] = view{s.first, s.count, s.size, s.index[:len(s.index):len(s.index)], s.lastTime, s.path}
	}
	return out
}

// ErrStop ends a scan early without an error.
var ErrStop = errors.New("events: stop")

// Scan calls fn for each event with from ≤ Seq < to, in order. fn must not keep e.
func (j *Journal) Scan(from, to uint64, fn func(e *Event) error) error {
	var e Event
	for _, v := range j.views() {
		if v.first+v.count <= from || v.first >= to || v.count == 0 {
			continue
		}
		start := v.first
		var off int64
		if from > v.first {
			k := (from - v.first) / indexStride
			start, off = v.first+k*indexStride, v.index[k]
		}
		err := v.read(off, start, func(seq uint64, p []byte) error {
			if seq < from {
				return nil
			}
			if seq >= to {
				return ErrStop
			}
			if err := e.UnmarshalBinary(p); err != nil {
				return fmt.Errorf("events: event %d: %w", seq, err)
			}
			return fn(&e)
		})
		if err == ErrStop {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// read walks a segment's entries from offset off (the entry numbered seq) to its end as viewed.
func (v view) read(off int64, seq uint64, fn func(seq uint64, payload []byte) error) error {
	f, err := os.Open(v.path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, v.size-off), 1<<16)
	var hdr [headerSize]byte
	var payload []byte
	for ; seq < v.first+v.count; seq++ {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fmt.Errorf("events: journal segment %s: %w", v.path, err)
		}
		n := binary.LittleEndian.Uint32(hdr[:4])
		if n > maxEntry {
			return fmt.Errorf("events: journal segment %s: entry %d is corrupt", v.path, seq)
		}
		if cap(payload) < int(n) {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(r, payload); err != nil {
			return fmt.Errorf("events: journal segment %s: %w", v.path, err)
		}
		if err := fn(seq, payload); err != nil {
			return err
		}
	}
	return nil
}

// ScanBackward calls fn for each event with Seq < before, newest first, stopping at events
// older than since. fn must not keep e.
func (j *Journal) ScanBackward(before uint64, since time.Time, fn func(e *Event) error) error {
	vs := j.views()
	var e Event
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if v.first >= before || v.count == 0 {
			continue
		}
		if v.lastTime < since.UnixNano() {
			return nil
		}
		// Read one stride of the index at a time, newest stride first.
		for k := len(v.index) - 1; k >= 0; k-- {
			start := v.first + uint64(k)*indexStride
			if start >= before {
				continue
			}
			var chunk [][]byte
			end := min(start+indexStride, v.first+v.count, before)
			cv := v
			cv.count = end - v.first
			err := cv.read(v.index[k], start, func(_ uint64, p []byte) error {
				chunk = append(chunk, append([]byte(nil), p...))
				return nil
			})
			if err != nil {
				return err
			}
			for c := len(chunk) - 1; c >= 0; c-- {
				if err := e.UnmarshalBinary(chunk[c]); err != nil {
					return fmt.Errorf("events: %w", err)
				}
				if e.Time.Before(since) {
					return nil
				}
				if err := fn(&e); err != nil {
					if err == ErrStop {
						return nil
					}
					return err
				}
			}
		}
	}
	return nil
}

// Prune removes the closed segments whose every event is before keep and older than cutoff.
func (j *Journal) Prune(keep uint64, cutoff time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var drop []*segment
	for len(j.segs) > 1 {
		s := j.segs[0]
		if s.first+s.count > keep || s.lastTime >= cutoff.UnixNano() {
			break
		}
		drop = append(drop, s)
		j.segs = j.segs[1:]
	}
	for i, s := range drop {
		if err := os.Remove(s.path); err != nil {
			// (Windows refuses while a scan has the file open.) The journal keeps listing
			// what is still on disk, and a later Prune removes it.
			j.segs = append(append([]*segment(nil), drop[i:]...), j.segs...)
			return err
		}
	}
	return nil
}
