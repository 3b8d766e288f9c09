package s3

import (
	"encoding/xml"
	"testing"
)

// FuzzRequestDecoders: the XML request bodies, the Range header and the encryption-context header
// never panic, and a range that parses stays inside the object.
func FuzzRequestDecoders(f *testing.F) {
	for _, seed := range []string{
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
		`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"x"</ETag></Part></CompleteMultipartUpload>`,
		`<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object></Delete>`,
		`bytes=0-9`, `bytes=-5`, `bytes=7-`, `eyJhIjoiYiJ9`,
	} {
		f.Add(seed, int64(100))
	}
	f.Fuzz(func(t *testing.T, in string, size int64) {
		for _, v := range []any{&createBucketConfiguration{}, &sseConfiguration{}, &tagging{}, &completeRequest{}, &deleteRequest{}} {
			xml.Unmarshal([]byte(in), v)
		}
		parseContext(in)
		if size < 0 {
			size = -size
		}
		if rng := parseRange(in); rng != nil && size > 0 {
			start, end, err := rng(size)
			if err == nil && (start < 0 || end >= size || start > end) {
				t.Fatalf("range %q of %d bytes = [%d, %d]", in, size, start, end)
			}
		}
	})
}
