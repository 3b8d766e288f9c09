package s3

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"hash"
	"io"
)

// Object bodies are stored encrypted: AES-256-GCM over segments of 64 KiB of plaintext, each
// with the nonce prefix||index and the additional data index||final, so that segments can be
// read on their own (ranges) and can be neither reordered nor truncated.
const (
	segmentSize = 64 << 10
	tagSize     = 16
)

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func segmentNonce(prefix [8]byte, i uint32) []byte {
	n := make([]byte, 12)
	copy(n, prefix[:])
	binary.BigEndian.PutUint32(n[8:], i)
	return n
}

func segmentAAD(i uint32, final bool) []byte {
	a := make([]byte, 5)
	binary.BigEndian.PutUint32(a, i)
	if final {
		a[4] = 1
	}
	return a
}

// sealed is the result of encrypting a body.
type sealed struct {
	size int64
	md5  []byte
}

// sealStream encrypts r into w segment by segment, with bounded memory (two segments), and
// returns the plaintext size and MD5. sums get every plaintext byte too (checksums to verify).
func sealStream(w io.Writer, r io.Reader, aead cipher.AEAD, prefix [8]byte, sums ...hash.Hash) (sealed, error) {
	h := md5.New()
	cur := make([]byte, segmentSize)
	next := make([]byte, segmentSize)
	out := make([]byte, 0, segmentSize+tagSize)
	n, err := io.ReadFull(r, cur)
	var total int64
	for i := uint32(0); ; i++ {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return sealed{}, err
		}
		final := err != nil // the body ended inside (or exactly at the start of) this segment
		var m int
		var nerr error
		if !final {
			m, nerr = io.ReadFull(r, next)
			if nerr == io.EOF {
				final = true
			}
		}
		seg := cur[:n]
		h.Write(seg)
		for _, s := range sums {
			s.Write(seg)
		}
		total += int64(n)
		out = aead.Seal(out[:0], segmentNonce(prefix, i), seg, segmentAAD(i, final))
		if _, werr := w.Write(out); werr != nil {
			return sealed{}, werr
		}
		if final {
			return sealed{size: total, md5: h.Sum(nil)}, nil
		}
		cur, next, n, err = next, cur, m, nerr
	}
}

var errCorrupt = errors.New("s3: stored object fails authentication")

// openRange decrypts the plaintext bytes [start, end] of an object of size bytes stored in f,
// writing them to w one segment at a time.
func openRange(w io.Writer, f io.ReaderAt, aead cipher.AEAD, prefix [8]byte, size, start, end int64) error {
	if size == 0 {
		return nil
	}
	last := uint32((size - 1) / segmentSize)
	buf := make([]byte, segmentSize+tagSize)
	plain := make([]byte, 0, segmentSize)
	for i := uint32(start / segmentSize); int64(i)*segmentSize <= end; i++ {
		segLen := int64(segmentSize)
		if i == last {
			segLen = size - int64(last)*segmentSize
		}
		ct := buf[:segLen+tagSize]
		if _, err := f.ReadAt(ct, int64(i)*(segmentSize+tagSize)); err != nil {
			return errCorrupt
		}
		p, err := aead.Open(plain[:0], segmentNonce(prefix, i), ct, segmentAAD(i, i == last))
		if err != nil {
			return errCorrupt
		}
		from, to := int64(0), segLen
		if base := int64(i) * segmentSize; start > base {
			from = start - base
		}
		if base := int64(i) * segmentSize; end < base+segLen-1 {
			to = end - base + 1
		}
		if _, err := w.Write(p[from:to]); err != nil {
			return err
		}
	}
	return nil
}
