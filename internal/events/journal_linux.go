package events

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// defaultBackend on Linux maps the active segment: an append is a memory copy.
var defaultBackend = mapBackend

// mapBackend preallocates a segment with fallocate and maps it MAP_SHARED: what is copied into
// the mapping is in the page cache, so it survives the process being killed.
var mapBackend = segmentBackend{name: "mmap", open: openMapped}

// mappedSegment is an active segment written through its mapping.
type mappedSegment struct {
	m        []byte
	stop     chan struct{}  // ends the prefaulting
	faulting sync.WaitGroup // the prefaulting goroutine
}

// openMapped preallocates f (so that a full disk fails here, not as a fault on a mapped page)
// and maps it.
func openMapped(f *os.File, size int64) (segmentFile, error) {
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, size); err != nil {
		return nil, fmt.Errorf("events: preallocate journal segment: %w", err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("events: map journal segment: %w", err)
	}
	s := &mappedSegment{m: m, stop: make(chan struct{})}
	s.faulting.Add(1)
	go s.prefault()
	return s, nil
}

func (s *mappedSegment) write(b []byte, off int64) error {
	copy(s.m[off:], b)
	return nil
}

// release ends the prefaulting and unmaps the segment.
func (s *mappedSegment) release() error {
	close(s.stop)
	s.faulting.Wait()
	return syscall.Munmap(s.m)
}

// prefault takes the write fault of every page of a new segment ahead of the appends, so that
// an append is a plain memory copy. Each page is touched by a compare-and-swap of its first word
// with itself: a write access that never changes what an append may already have written there.
func (s *mappedSegment) prefault() {
	defer s.faulting.Done()
	page := os.Getpagesize()
	for off := 0; off+4 <= len(s.m); off += page {
		select {
		case <-s.stop:
			return
		default:
		}
		p := (*uint32)(unsafe.Pointer(&s.m[off]))
		v := atomic.LoadUint32(p)
		atomic.CompareAndSwapUint32(p, v, v)
	}
}
