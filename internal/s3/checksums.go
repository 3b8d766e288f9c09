package s3

import (
	"net/http"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/checksum"
)

// Checksum is an object's or a part's flexible checksum: the algorithm (lower case, as in
// checksum.Algorithms) and its value (base64; with "-<parts>" for a multipart object).
type Checksum struct {
	Algorithm string `json:"alg"`
	Value     string `json:"value"`
}

// header is the checksum's header name, e.g. X-Amz-Checksum-Crc32.
func (c *Checksum) header() string { return http.CanonicalHeaderKey("x-amz-checksum-" + c.Algorithm) }

// set writes the checksum's header, if there is a checksum.
func (c *Checksum) set(h http.Header) {
	if c != nil && c.Algorithm != "" {
		h.Set(c.header(), c.Value)
	}
}

// requestChecksum reads the checksum a write declares: an x-amz-checksum-<alg> header (its value
// is verified as the body is stored) or a trailer named in X-Amz-Trailer (the gateway verifies its
// value; S3 computes the same checksum to keep it). Errors: InvalidRequest.
func requestChecksum(h http.Header) (alg, value string, err error) {
	for _, a := range checksum.Algorithms {
		v := h.Values("X-Amz-Checksum-" + a)
		if len(v) == 0 {
			continue
		}
		if alg != "" || len(v) > 1 {
			return "", "", awserr.New(awserr.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		alg, value = a, v[0]
	}
	if alg == "" {
		for _, t := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
			if a, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-"); ok && checksum.New(a) != nil {
				alg = a
			}
		}
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" && alg == "" {
		return "", "", awserr.New(awserr.InvalidRequest, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}
	// An algorithm header that names another algorithm than the checksum sent is refused, as S3
	// does (captured in https://github.com/versity/versitygw/issues/1598).
	for _, name := range []string{"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Algorithm"} {
		if a := h.Get(name); a != "" && alg != "" && !strings.EqualFold(a, alg) {
			return "", "", awserr.New(awserr.InvalidRequest, "Value for %s header is invalid.", strings.ToLower(name))
		}
	}
	return alg, value, nil
}

// checkChecksum validates a declared checksum: a known algorithm and, when given, a well-formed
// value. Errors: InvalidRequest.
func checkChecksum(alg, value string) error {
	if alg == "" {
		if value != "" {
			return awserr.New(awserr.InvalidRequest, "A checksum value needs its algorithm.")
		}
		return nil
	}
	if checksum.New(alg) == nil {
		return awserr.New(awserr.InvalidRequest, "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
	}
	if value != "" && !checksum.Valid(alg, value) {
		return awserr.New(awserr.InvalidRequest, "Value for x-amz-checksum-%s header is invalid.", strings.ToLower(alg))
	}
	return nil
}

// checksumAlgorithm reads CreateMultipartUpload's x-amz-checksum-algorithm (CRC32, …), lower-cased.
func checksumAlgorithm(h http.Header) (string, error) {
	a := h.Get("X-Amz-Checksum-Algorithm")
	if a == "" {
		return "", nil
	}
	return strings.ToLower(a), checkChecksum(a, "")
}

// checksumFields are the Checksum<ALG> elements of an XML result.
type checksumFields struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// fields is the checksum as XML elements.
func (c *Checksum) fields() checksumFields {
	var f checksumFields
	if c == nil {
		return f
	}
	switch c.Algorithm {
	case "crc32":
		f.ChecksumCRC32 = c.Value
	case "crc32c":
		f.ChecksumCRC32C = c.Value
	case "crc64nvme":
		f.ChecksumCRC64NVME = c.Value
	case "sha1":
		f.ChecksumSHA1 = c.Value
	case "sha256":
		f.ChecksumSHA256 = c.Value
	}
	return f
}
