package events

import (
	"bufio"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The journal is a directory of segment files, each named by the sequence number of its first
// event. The active segment is preallocated, so that a full disk fails when a segment begins
// rather than in the middle of one. An entry is in the page cache before the call it records is
// answered, so it survives the process being killed; Sync makes it survive the machine failing
// too. Opening the journal cuts off a torn last entry (and the unwritten, preallocated rest) and
// begins a new segment.
//
// No event is in clear on disk. A segment begins with a header naming its format and holding its
// own data key (AES-256), sealed by keytrail's barrier (the root key) for the segment's first
// sequence number; every entry is [sealed length uint32 LE][AES-256-GCM of the event's encoding],
// with the event's sequence number as nonce (unique under the segment's key: a sequence number
// reused after a torn tail is reused in a new segment, under a new key) and the entry's offset
// in the segment as additional data, so an entry moved or swapped does not open. An entry that
// does not open is a torn (or corrupt) tail, as a bad checksum is in the clear format. Segments
// written before the journal was encrypted have no header; their entries are [payload length
// uint32 LE][CRC-32C of the payload][payload], and they are read as they are: the journal writes
// only encrypted segments, and pruning removes the clear ones in time.
//
// How an entry reaches the page cache is the segmentFile's business: on Linux the segment is
// mapped (journal_linux.go), so that an append is a memory copy rather than a system call;
// elsewhere it is written with pwrite (journal_file.go), which works on every system.

const (
	// headerSize is a clear entry's header: its length and checksum.
	headerSize = 8
	// sealedHeaderSize is an encrypted entry's header: its length.
	sealedHeaderSize = 4
	// tagSize is what AES-GCM adds to an entry.
	tagSize = 16
	// indexStride is how many entries lie between two offsets of a segment's sparse index.
	indexStride = 512
	// DefaultSegmentSize is a segment's preallocated size: when the next entry does not fit, the
	// segment is closed (cut to its length) and the next begun.
	DefaultSegmentSize = 8 << 20
	maxEntry           = 1 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// segmentMagic begins an encrypted segment. (As a clear entry's length it would be far beyond
// maxEntry, so a segment of the clear format never begins with it.)
var segmentMagic = [4]byte{'K', 'T', 'J', 'S'}

const (
	// formatSealed is the encrypted segment format: a header, then AES-256-GCM entries.
	formatSealed = 1
	// segmentHeaderFixed is an encrypted segment's header without its sealed key: magic, format,
	// a zero byte, the sealed key's length (uint16 LE) and the CRC-32C of the rest of the header.
	segmentHeaderFixed = 12
)

// journalKeyPurpose is the barrier purpose of a segment's data key, bound to the segment's first
// sequence number: a key does not open for another segment.
func journalKeyPurpose(first uint64) string {
	return "cloudtrail/journal/" + strconv.FormatUint(first, 10)
}

// Sealer seals the journal's segment keys at rest: keytrail's barrier (seal.Barrier).
type Sealer interface {
	// Seal encrypts plaintext, bound to purpose.
	Seal(plaintext []byte, purpose string) ([]byte, error)
	// Open decrypts what Seal made for the same purpose.
	Open(sealed []byte, purpose string) ([]byte, error)
}

type segment struct {
	first    uint64      // the sequence number of its first event
	count    uint64      // its events
	size     int64       // its bytes
	index    []int64     // index[i] is the offset of event first+i*indexStride
	lastTime int64       // the newest event's time (Unix nanoseconds)
	aead     cipher.AEAD // its entries' cipher (nil: a segment of the clear format)
	path     string
}

// Journal is the persistent, append-only queue of recorded events.
type Journal struct {
	dir     string
	maxSize int64
	keys    Sealer

	backend segmentBackend

	mu      sync.Mutex
	f       *os.File    // the active (last) segment
	seg     segmentFile // how appends reach it
	segs    []*segment
	closing sync.WaitGroup // closes of replaced segments
	next    uint64         // the next event's sequence number
	buf     []byte
	nonce   [12]byte // Append's nonce and additional data, here so that sealing allocates nothing
	ad      [8]byte
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
// DefaultSegmentSize), whose data keys keys seals. A segment whose key keys cannot open (another
// root key) fails the opening: nothing is cut.
func OpenJournal(dir string, segmentSize int64, keys Sealer) (*Journal, error) {
	return openJournal(dir, segmentSize, keys, defaultBackend)
}

func openJournal(dir string, segmentSize int64, keys Sealer, backend segmentBackend) (*Journal, error) {
	if keys == nil {
		return nil, errors.New("events: the journal needs a sealer for its keys")
	}
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
	j := &Journal{dir: dir, maxSize: segmentSize, keys: keys, backend: backend, next: 1}
	for _, n := range names {
		first, err := strconv.ParseUint(strings.TrimSuffix(filepath.Base(n), ".log"), 10, 64)
		if err != nil {
			continue
		}
		j.segs = append(j.segs, &segment{first: first, path: n})
	}
	sort.Slice(j.segs, func(a, b int) bool { return j.segs[a].first < j.segs[b].first })
	if err := loadAll(j.segs, keys); err != nil {
		return nil, err
	}
	for _, s := range j.segs {
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

// loadAll loads the segments, as many at a time as there are processors: opening the journal
// decrypts every entry.
func loadAll(segs []*segment, keys Sealer) error {
	errs := make([]error, len(segs))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(segs)) {
		wg.Go(func() {
			for i := range work {
				errs[i] = segs[i].load(keys)
			}
		})
	}
	for i := range segs {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the oldest segment's: with a wrong root key, every segment fails alike
		}
	}
	return nil
}

// load scans a segment, building its index. A segment the process was killed with open ends in
// its preallocated zeros, perhaps after a torn entry: they are cut off. So is an entry that does
// not open (or whose checksum fails), and all after it.
func (s *segment) load(keys Sealer) error {
	f, err := os.OpenFile(s.path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // whatever load cut off is already in the file
	r := bufio.NewReaderSize(f, 1<<16)
	off, whole, err := s.readHeader(r, keys)
	if err != nil {
		return err
	}
	er := &entryReader{r: r, aead: s.aead}
	for whole {
		seq := s.first + s.count
		payload, n, err := er.next(seq, off, true)
		if err != nil {
			break
		}
		pseq, t, ok := peek(payload)
		if !ok || pseq != seq {
			break
		}
		if s.count%indexStride == 0 {
			s.index = append(s.index, off)
		}
		s.count++
		s.lastTime = t
		off += n
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

// readHeader reads an encrypted segment's header from r, opens its key and returns the offset of
// its first entry; a segment without the header is of the clear format (offset 0). A torn header
// (its checksum fails) is not whole: nothing in the segment can be read. A key that does not
// open is an error: cutting the segment would lose its events to a wrong root key.
func (s *segment) readHeader(r *bufio.Reader, keys Sealer) (off int64, whole bool, _ error) {
	fixed, err := r.Peek(segmentHeaderFixed)
	if err != nil || [4]byte(fixed[:4]) != segmentMagic {
		return 0, true, nil
	}
	hdr := make([]byte, segmentHeaderFixed+int(binary.LittleEndian.Uint16(fixed[6:8])))
	if _, err := io.ReadFull(r, hdr); err != nil || !validHeader(hdr) {
		return 0, false, nil
	}
	key, err := keys.Open(hdr[segmentHeaderFixed:], journalKeyPurpose(s.first))
	if err != nil {
		return 0, false, fmt.Errorf("events: journal segment %s: its key does not open (is this the root key it was written with?): %w", s.path, err)
	}
	if s.aead, err = newEntryCipher(key); err != nil {
		return 0, false, err
	}
	return int64(len(hdr)), true, nil
}

// validHeader reports whether an encrypted segment's header is whole: its format is known and
// its checksum holds.
func validHeader(hdr []byte) bool {
	return hdr[4] == formatSealed && hdr[5] == 0 && headerSum(hdr) == binary.LittleEndian.Uint32(hdr[8:12])
}

// headerSum is the checksum of an encrypted segment's header: its first 8 bytes and sealed key.
func headerSum(hdr []byte) uint32 {
	return crc32.Update(crc32.Checksum(hdr[:8], castagnoli), castagnoli, hdr[segmentHeaderFixed:])
}

// segmentHeader returns an encrypted segment's header for a sealed key.
func segmentHeader(sealedKey []byte) ([]byte, error) {
	if len(sealedKey) > math.MaxUint16 {
		return nil, fmt.Errorf("events: a sealed journal key of %d bytes", len(sealedKey))
	}
	hdr := make([]byte, segmentHeaderFixed, segmentHeaderFixed+len(sealedKey))
	copy(hdr, segmentMagic[:])
	hdr[4] = formatSealed
	binary.LittleEndian.PutUint16(hdr[6:8], uint16(len(sealedKey)))
	hdr = append(hdr, sealedKey...)
	binary.LittleEndian.PutUint32(hdr[8:12], headerSum(hdr))
	return hdr, nil
}

func newEntryCipher(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// entryNonce and entryAD are an encrypted entry's nonce (its sequence number) and additional
// data (its offset in the segment).
func entryNonce(nonce *[12]byte, seq uint64) []byte {
	binary.LittleEndian.PutUint64(nonce[:8], seq)
	return nonce[:]
}

func entryAD(ad *[8]byte, off int64) []byte {
	binary.LittleEndian.PutUint64(ad[:], uint64(off))
	return ad[:]
}

// errCorruptEntry is an entry whose length is impossible, whose checksum fails or which does not
// open: the tail, when the journal opens.
var errCorruptEntry = errors.New("corrupt")

// entryReader reads a segment's entries in order, decrypting those of an encrypted segment (aead
// not nil). Its buffers are reused: a payload is good until the next call.
type entryReader struct {
	r     *bufio.Reader
	aead  cipher.AEAD
	buf   []byte
	hdr   [headerSize]byte
	nonce [12]byte
	ad    [8]byte
}

// next reads the entry at offset off, the event numbered seq: its encoding (unless open is false:
// the entry is only passed over) and the entry's size.
func (er *entryReader) next(seq uint64, off int64, open bool) ([]byte, int64, error) {
	hs, limit := headerSize, uint32(maxEntry)
	if er.aead != nil {
		hs, limit = sealedHeaderSize, maxEntry+tagSize
	}
	if _, err := io.ReadFull(er.r, er.hdr[:hs]); err != nil {
		return nil, 0, err
	}
	n := binary.LittleEndian.Uint32(er.hdr[:4])
	if n == 0 || n > limit {
		return nil, 0, errCorruptEntry
	}
	if cap(er.buf) < int(n) {
		er.buf = make([]byte, n)
	}
	b := er.buf[:n]
	if _, err := io.ReadFull(er.r, b); err != nil {
		return nil, 0, err
	}
	size := int64(hs) + int64(n)
	if !open {
		return nil, size, nil
	}
	if er.aead == nil {
		if crc32.Checksum(b, castagnoli) != binary.LittleEndian.Uint32(er.hdr[4:8]) {
			return nil, 0, errCorruptEntry
		}
		return b, size, nil
	}
	p, err := er.aead.Open(b[:0], entryNonce(&er.nonce, seq), b, entryAD(&er.ad, off))
	if err != nil {
		return nil, 0, errCorruptEntry
	}
	return p, size, nil
}

// peek reads an encoded event's sequence number and time.
func peek(p []byte) (uint64, int64, bool) {
	if len(p) < 10 || p[0] < 1 || p[0] > encodingVersion {
		return 0, 0, false
	}
	t, n := binary.Varint(p[9:])
	return binary.LittleEndian.Uint64(p[1:9]), t, n > 0
}

// newSegment closes the active segment and begins the next, preallocated by the backend, with a
// new data key in its header.
func (j *Journal) newSegment() error {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	sealed, err := j.keys.Seal(key, journalKeyPurpose(j.next))
	if err != nil {
		return fmt.Errorf("events: seal a journal segment's key: %w", err)
	}
	hdr, err := segmentHeader(sealed)
	if err != nil {
		return err
	}
	if int64(len(hdr)) >= j.maxSize {
		return fmt.Errorf("events: journal segments of %d bytes cannot hold their header of %d", j.maxSize, len(hdr))
	}
	aead, err := newEntryCipher(key)
	if err != nil {
		return err
	}
	if err := j.closeActive(true); err != nil {
		return err
	}
	s := &segment{first: j.next, size: int64(len(hdr)), aead: aead, path: filepath.Join(j.dir, fmt.Sprintf("%020d.log", j.next))}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	seg, err := j.backend.open(f, j.maxSize)
	if err == nil {
		if err = seg.write(hdr, 0); err != nil {
			err = errors.Join(fmt.Errorf("events: write a journal segment's header: %w", err), seg.release())
		}
	}
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
	if s.count == 0 {
		size = 0 // an empty segment, in either format: its header goes too
	}
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
	b := append(j.buf[:0], 0, 0, 0, 0)
	b = e.AppendBinary(b)
	plain := len(b) - sealedHeaderSize
	size := int64(len(b) + tagSize)
	s := j.segs[len(j.segs)-1]
	if plain > maxEntry || s.start()+size > j.maxSize {
		return fmt.Errorf("events: an event of %d bytes is too large", plain)
	}
	if s.size+size > j.maxSize {
		if err := j.newSegment(); err != nil {
			return err
		}
		s = j.segs[len(j.segs)-1]
	}
	// Sealed in place: the encoding's bytes become the ciphertext.
	b = slices.Grow(b, tagSize)
	sealed := s.aead.Seal(b[sealedHeaderSize:sealedHeaderSize], entryNonce(&j.nonce, e.Seq), b[sealedHeaderSize:], entryAD(&j.ad, s.size))
	b = b[:sealedHeaderSize+len(sealed)]
	binary.LittleEndian.PutUint32(b[0:4], uint32(len(sealed)))
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

// start is the offset of the segment's first entry: after the header of an encrypted segment.
// (The header's size is the same for every segment a journal begins.)
func (s *segment) start() int64 {
	if len(s.index) > 0 {
		return s.index[0]
	}
	return s.size
}

// view is a segment as it was when a reader looked: its events up to count.
type view struct {
	first, count uint64
	size         int64
	index        []int64
	lastTime     int64
	aead         cipher.AEAD
	path         string
}

func (j *Journal) views() []view {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]view, len(j.segs))
	for i, s := range j.segs {
		out[i] = view{s.first, s.count, s.size, s.index[:len(s.index):len(s.index)], s.lastTime, s.aead, s.path}
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
		if to-v.first < v.count {
			v.count = to - v.first // (what is past to is not read)
		}
		start, off := v.first, v.index[0]
		if from > v.first {
			k := (from - v.first) / indexStride
			start, off = v.first+k*indexStride, v.index[k]
		}
		err := v.read(off, start, from, func(seq uint64, p []byte) error {
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

// read walks a segment's entries from offset off (the entry numbered seq) to its end as viewed,
// calling fn with those numbered from on, decrypted.
func (v view) read(off int64, seq, from uint64, fn func(seq uint64, payload []byte) error) error {
	f, err := os.Open(v.path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }() // read only
	er := &entryReader{r: bufio.NewReaderSize(io.NewSectionReader(f, off, v.size-off), 1<<16), aead: v.aead}
	for ; seq < v.first+v.count; seq++ {
		payload, n, err := er.next(seq, off, seq >= from)
		if err != nil {
			return fmt.Errorf("events: journal segment %s: entry %d: %w", v.path, seq, err)
		}
		off += n
		if seq < from {
			continue
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
			err := cv.read(v.index[k], start, start, func(_ uint64, p []byte) error {
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
