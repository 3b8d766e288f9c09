// Package checksum is S3's flexible checksums: the algorithms behind the x-amz-checksum-<alg>
// headers and trailers, their values (base64 of the big-endian digest) and S3's composite
// checksum of a multipart upload.
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strconv"
	"strings"
)

// Algorithms are the checksum algorithms S3 accepts, by their lower-case names.
var Algorithms = []string{"crc32", "crc32c", "crc64nvme", "sha1", "sha256"}

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	nvme       = crc64.MakeTable(0x9a6c9329ac4bc9b5)
)

// New returns the hash of an algorithm named as in Algorithms, as an S3 header or trailer name
// ("x-amz-checksum-crc32"), or in any case ("CRC32"); nil if unknown.
func New(name string) hash.Hash {
	switch strings.TrimPrefix(strings.ToLower(name), "x-amz-checksum-") {
	case "crc32":
		return crc32.NewIEEE()
	case "crc32c":
		return crc32.New(castagnoli)
	case "crc64nvme":
		return crc64.New(nvme)
	case "sha1":
		return sha1.New()
	case "sha256":
		return sha256.New()
	}
	return nil
}

// Size is the digest length of a known algorithm, 0 otherwise.
func Size(alg string) int {
	if h := New(alg); h != nil {
		return h.Size()
	}
	return 0
}

// Value is a digest as S3 writes it: standard base64.
func Value(h hash.Hash) string { return base64.StdEncoding.EncodeToString(h.Sum(nil)) }

// Valid reports whether value is a well-formed checksum of the algorithm.
func Valid(alg, value string) bool {
	raw, err := base64.StdEncoding.DecodeString(value)
	return err == nil && len(raw) == Size(alg) && base64.StdEncoding.EncodeToString(raw) == value
}

// Composite is S3's checksum of a multipart object: the algorithm over the concatenated raw
// checksums of its parts, then "-<part count>". It returns "" when a part's value is malformed.
func Composite(alg string, parts []string) string {
	h := New(alg)
	if h == nil {
		return ""
	}
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p)
		if err != nil || len(raw) != h.Size() {
			return ""
		}
		h.Write(raw)
	}
	return Value(h) + "-" + strconv.Itoa(len(parts))
}
