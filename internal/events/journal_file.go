package events

import (
	"fmt"
	"os"
)

// fileBackend writes the active segment with plain file I/O (pwrite, through os.File.WriteAt),
// which every system has. It is the default where the mapped backend is not; on Linux its
// tests run beside the mapped backend's.
var fileBackend = segmentBackend{name: "file", open: openPlain}

// zeroBlock is how much of a segment one write of its preallocation covers.
const zeroBlock = 256 << 10

// plainSegment is an active segment written with pwrite. A write is in the page cache when it
// returns, as a copy into a shared mapping is.
type plainSegment struct{ f *os.File }

// openPlain preallocates f by writing zeros to all of it: portable, unlike fallocate, and like it
// the space is taken when the segment begins, so that a full disk fails here.
func openPlain(f *os.File, size int64) (segmentFile, error) {
	zeros := make([]byte, min(size, zeroBlock))
	for off := int64(0); off < size; off += int64(len(zeros)) {
		if _, err := f.WriteAt(zeros[:min(size-off, int64(len(zeros)))], off); err != nil {
			return nil, fmt.Errorf("events: preallocate journal segment: %w", err)
		}
	}
	return plainSegment{f}, nil
}

func (s plainSegment) write(b []byte, off int64) error {
	_, err := s.f.WriteAt(b, off)
	return err
}

func (plainSegment) release() error { return nil }
