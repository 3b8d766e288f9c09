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
// event. An entry is [payload length uint32 LE][CRC-32C of the payload][payload]. An entry is
// written with one write(2) before the call it records is answered, so it survives the process
// being killed; Sync makes it survive the machine failing too. Opening the journal cuts off a
// torn last entry.

const (
	headerSize = 8
	// indexStride is how many entries lie between two offsets of a segment's sparse index.
	indexStride = 512
	// DefaultSegmentSize is the size at which a segment is closed and the next begun.
	DefaultSegmentSize = 64 << 20
	maxEntry           = 16 << 20
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

	mu   sync.Mutex
	f    *os.File // the active (last) segment
	segs []*segment
	next uint64 // the next event's sequence number
	buf  []byte
}

// OpenJournal opens (or creates) the journal in dir.
func OpenJournal(dir string, segmentSize int64) (*Journal, error) {
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
	j := &Journal{dir: dir, maxSize: segmentSize, next: 1}
	for _, n := range names {
		first, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(n), ".log"), 10, 64)
		if err != nil {
			continue
		}
		j.segs = append(j.segs, &segment{first: first, path: n})
	}
	sort.Slice(j.segs, func(a, b int) bool { return j.segs[a].first < j.segs[b].first })
	for i, s := range j.segs {
		last := i == len(j.segs)-1
		if err := s.load(last); err != nil {
			return nil, err
		}
		j.next = s.first + s.count
	}
	if len(j.segs) == 0 {
		if err := j.newSegment(); err != nil {
			return nil, err
		}
		return j, nil
	}
	active := j.segs[len(j.segs)-1]
	if j.f, err = os.OpenFile(active.path, os.O_WRONLY, 0o600); err != nil {
		return nil, err
	}
	if _, err := j.f.Seek(active.size, io.SeekStart); err != nil {
		return nil, err
	}
	return j, nil
}

// load scans a segment, building its index. The last segment may end in a torn entry (the
// process died while writing it): it is cut off.
func (s *segment) load(last bool) error {
	f, err := os.Open(s.path)
	if err != nil {
		return err
	}
	defer f.Close()
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
		if !last {
			return fmt.Errorf("events: journal segment %s is corrupt at offset %d", s.path, off)
		}
		if err := os.Truncate(s.path, off); err != nil {
			return err
		}
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

func (j *Journal) newSegment() error {
	s := &segment{first: j.next, path: filepath.Join(j.dir, fmt.Sprintf("%020d.log", j.next))}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if j.f != nil {
		j.f.Sync()
		j.f.Close()
	}
	j.f = f
	j.segs = append(j.segs, s)
	return syncDir(j.dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Append stamps e with the next sequence number and writes it. When Append returns, the event
// survives the process being killed.
func (j *Journal) Append(e *Event) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Seq = j.next
	b := append(j.buf[:0], 0, 0, 0, 0, 0, 0, 0, 0)
	b = e.AppendBinary(b)
	payload := b[headerSize:]
	if len(payload) > maxEntry {
		return fmt.Errorf("events: an event of %d bytes is too large", len(payload))
	}
	binary.LittleEndian.PutUint32(b[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:8], crc32.Checksum(payload, castagnoli))
	s := j.segs[len(j.segs)-1]
	if _, err := j.f.Write(b); err != nil {
		// A short write leaves a torn entry: cut it off so the next append starts clean.
		j.f.Truncate(s.size)
		j.f.Seek(s.size, io.SeekStart)
		return fmt.Errorf("events: journal write: %w", err)
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
	if s.size >= j.maxSize {
		return j.newSegment()
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
	return j.f.Sync()
}

// Close syncs and closes the journal.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Sync()
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	j.f = nil
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
	defer f.Close()
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
			err := cv.read(v.index[k], start, func(seq uint64, p []byte) error {
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
	for _, s := range drop {
		if err := os.Remove(s.path); err != nil {
			return err
		}
	}
	return nil
}
