package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func crc32b64(b []byte) string {
	return base64.StdEncoding.EncodeToString(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(b)))
}

// The x-amz-checksum-* headers: a declared checksum is verified against the body (BadDigest when
// it differs, InvalidRequest when malformed, nothing stored either way), kept, echoed by PutObject
// and returned by GetObject and HeadObject in checksum mode; the SDK validates what it gets.
func TestS3FlexibleChecksums(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sums")}))(t)
	body := []byte("log file body")

	put := must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String(crc32b64(body))}))(t)
	if aws.ToString(put.ChecksumCRC32) != crc32b64(body) {
		t.Fatalf("PutObject ChecksumCRC32 = %q, want %q", aws.ToString(put.ChecksumCRC32), crc32b64(body))
	}
	for _, alg := range []s3types.ChecksumAlgorithm{s3types.ChecksumAlgorithmCrc32c, s3types.ChecksumAlgorithmSha1, s3types.ChecksumAlgorithmSha256, s3types.ChecksumAlgorithmCrc64nvme} {
		// The SDK computes the checksum (header or signed trailer) and checks it on the way back.
		must(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("by-" + string(alg)), Body: bytes.NewReader(body), ChecksumAlgorithm: alg}))(t)
		got := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("by-" + string(alg)), ChecksumMode: s3types.ChecksumModeEnabled}))(t)
		b, err := io.ReadAll(got.Body)
		if err != nil || !bytes.Equal(b, body) {
			t.Fatalf("%s: GetObject = %q, %v", alg, b, err)
		}
		if aws.ToString(got.ChecksumCRC32C)+aws.ToString(got.ChecksumSHA1)+aws.ToString(got.ChecksumSHA256)+aws.ToString(got.ChecksumCRC64NVME) == "" {
			t.Fatalf("%s: GetObject in checksum mode returned no checksum", alg)
		}
	}

	// A wrong value is BadDigest and a malformed one InvalidRequest; the object is unchanged.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), Body: strings.NewReader("other body"),
		ChecksumCRC32: aws.String(crc32b64(body))})
	wantCode(t, err, "BadDigest")
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), Body: strings.NewReader("other body"),
		ChecksumSHA256: aws.String("bm90IGEgc2hhMjU2")})
	wantCode(t, err, "InvalidRequest")
	got := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), ChecksumMode: s3types.ChecksumModeEnabled}))(t)
	if b, _ := io.ReadAll(got.Body); !bytes.Equal(b, body) || aws.ToString(got.ChecksumCRC32) != crc32b64(body) {
		t.Fatalf("after refused writes: %q, checksum %q", b, aws.ToString(got.ChecksumCRC32))
	}
	head := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), ChecksumMode: s3types.ChecksumModeEnabled}))(t)
	if aws.ToString(head.ChecksumCRC32) != crc32b64(body) {
		t.Fatalf("HeadObject ChecksumCRC32 = %q", aws.ToString(head.ChecksumCRC32))
	}
	// Without checksum mode, or for a range, no checksum comes back.
	if h := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("a")}))(t); h.ChecksumCRC32 != nil {
		t.Fatalf("HeadObject without checksum mode: %q", aws.ToString(h.ChecksumCRC32))
	}
	if r := must(c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sums"), Key: aws.String("a"), Range: aws.String("bytes=0-2"), ChecksumMode: s3types.ChecksumModeEnabled}))(t); r.ChecksumCRC32 != nil {
		t.Fatalf("ranged GetObject: %q", aws.ToString(r.ChecksumCRC32))
	}
}

// A multipart upload created with a checksum algorithm keeps each part's checksum (verified when
// sent), checks the ones CompleteMultipartUpload names, and gives the object S3's composite
// checksum: the algorithm over the parts' raw checksums, then "-<parts>".
func TestS3MultipartChecksums(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	must(c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sums")}))(t)
	up := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sums"), Key: aws.String("m"),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32}))(t)
	if up.ChecksumAlgorithm != s3types.ChecksumAlgorithmCrc32 {
		t.Fatalf("CreateMultipartUpload ChecksumAlgorithm = %q", up.ChecksumAlgorithm)
	}
	parts := [][]byte{bytes.Repeat([]byte("p"), 5<<20), []byte("last part")}
	_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("sums"), Key: aws.String("m"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: bytes.NewReader(parts[0]), ChecksumCRC32: aws.String(crc32b64(parts[1]))})
	wantCode(t, err, "BadDigest")
	var done []s3types.CompletedPart
	raw := []byte{}
	for i, p := range parts {
		out := must(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("sums"), Key: aws.String("m"), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32}))(t)
		if aws.ToString(out.ChecksumCRC32) != crc32b64(p) {
			t.Fatalf("part %d ChecksumCRC32 = %q, want %q", i+1, aws.ToString(out.ChecksumCRC32), crc32b64(p))
		}
		raw = binary.BigEndian.AppendUint32(raw, crc32.ChecksumIEEE(p))
		done = append(done, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	lp := must(c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("sums"), Key: aws.String("m"), UploadId: up.UploadId}))(t)
	if aws.ToString(lp.Parts[1].ChecksumCRC32) != crc32b64(parts[1]) {
		t.Fatalf("ListParts checksum = %q", aws.ToString(lp.Parts[1].ChecksumCRC32))
	}
	wrong := []s3types.CompletedPart{done[0], {PartNumber: done[1].PartNumber, ETag: done[1].ETag, ChecksumCRC32: done[0].ChecksumCRC32}}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sums"), Key: aws.String("m"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: wrong}})
	wantCode(t, err, "InvalidPart")
	fin := must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("sums"), Key: aws.String("m"), UploadId: up.UploadId,
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: done}}))(t)
	want := crc32b64(raw) + "-2"
	if aws.ToString(fin.ChecksumCRC32) != want {
		t.Fatalf("CompleteMultipartUpload ChecksumCRC32 = %q, want %q", aws.ToString(fin.ChecksumCRC32), want)
	}
	head := must(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sums"), Key: aws.String("m"), ChecksumMode: s3types.ChecksumModeEnabled}))(t)
	if aws.ToString(head.ChecksumCRC32) != want {
		t.Fatalf("HeadObject ChecksumCRC32 = %q, want %q", aws.ToString(head.ChecksumCRC32), want)
	}
}
