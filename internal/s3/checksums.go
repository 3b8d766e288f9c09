package s3

import (
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
