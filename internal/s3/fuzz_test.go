package s3

import (
	"encoding/xml"
	"net/http"
	"testing"
)

// FuzzRequestDecoders: the XML request bodies, the Range, copy-source, copy-source-range,
// checksum and encryption-context headers never panic; a range that parses stays inside the
// object, and a copy source that parses names a bucket and a key.
func FuzzRequestDecoders(f *testing.F) {
	for _, seed := range []string{
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`,
		`<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object></Delete>`,
		`bytes=0-9`, `bytes=-5`, `bytes=7-`, `eyJhIjoiYiJ9`, `/src/dir%2Fa%20b?versionId=null`, `AAAAAA==`,
	} {
		f.Add(seed, int64(100))
	}
	f.Fuzz(func(t *testing.T, in string, size int64) {
		for _, v := range []any{&createBucketConfiguration{}, &sseConfiguration{}, &tagging{}, &completeRequest{}, &deleteRequest{}} {
			_ = xml.Unmarshal([]byte(in), v) // any outcome but a panic will do
		}
		_, _ = parseContext(in) // any outcome but a panic will do
		h := http.Header{"X-Amz-Copy-Source": {in}, "X-Amz-Copy-Source-If-Modified-Since": {in}, "X-Amz-Checksum-Crc32": {in}, "X-Amz-Trailer": {in}}
		if src, err := copySource(h); err == nil && (src.Bucket == "" || src.Key == "") {
			t.Fatalf("copy source %q = %+v", in, src)
		}
		if alg, v, err := requestChecksum(h); err == nil {
			_ = checkChecksum(alg, v) // any outcome but a panic will do
		}
		if first, last, ok := parseCopyRange(in); ok && (first < 0 || last < first) {
			t.Fatalf("copy range %q = [%d, %d]", in, first, last)
		}
		if size < 0 {
			size = -size
		}
		if rng := parseRange(in); rng != nil && size > 0 {
			start, end, err := rng.bounds(size)
			if err == nil && (start < 0 || end >= size || start > end) {
				t.Fatalf("range %q of %d bytes = [%d, %d]", in, size, start, end)
			}
		}
	})
}
