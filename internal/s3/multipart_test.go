package s3_test

import (
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// TestMultipart: an upload's parts, each its own encrypted blob under the data key made when the
// upload started, assembled in order into one object.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
func TestMultipart(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "data")
	key := w.key(t, account, "")
	writer := w.User(account, "writer", s3All, kmsUse)
	encryptOnly := w.User(account, "encrypter", s3All, kmsEncOly)
	up := servicetest.Call(w.As(writer), w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "big",
		SSE: "aws:kms", KMSKeyID: key, ChecksumAlgorithm: "CRC32", ContentType: "text/plain", Tags: []s3.Tag{{Key: "a", Value: "b"}}}).OK()
	if up.UploadID == "" || up.SSE != "aws:kms" || up.KMSKey != key || up.ChecksumAlgorithm != "crc32" {
		t.Fatalf("CreateMultipartUpload = %+v", up)
	}
	part1, part2 := sized(5<<20), "the end"
	upload := func(n int, body string) *s3.UploadPartInput {
		return &s3.UploadPartInput{Bucket: "data", Key: "big", UploadID: up.UploadID, PartNumber: n, Body: strings.NewReader(body)}
	}
	p1 := servicetest.Call(w.As(writer), w.S3.UploadPart, upload(1, part1)).OK()
	servicetest.Call(w.As(writer), w.S3.UploadPart, upload(2, "to be replaced")).OK()
	p2 := servicetest.Call(w.As(writer), w.S3.UploadPart, upload(2, part2)).OK()
	p3 := servicetest.Call(w.As(writer), w.S3.UploadPart, upload(3, "never listed")).OK()
	if p1.SSE != "aws:kms" || p1.Checksum == nil || p1.Checksum.Algorithm != "crc32" {
		t.Errorf("UploadPart = %+v", p1)
	}
	parts := servicetest.Call(w.As(writer), w.S3.ListParts, &s3.ListPartsInput{Bucket: "data", Key: "big", UploadID: up.UploadID}).OK()
	if len(parts.Parts) != 3 || parts.Parts[0].PartNumber != 1 || parts.Parts[1].ETag != p2.ETag || parts.Parts[0].Size != 5<<20 {
		t.Errorf("ListParts = %+v", parts)
	}
	uploads := servicetest.Call(w.As(writer), w.S3.ListMultipartUploads, &s3.ListMultipartUploadsInput{Bucket: "data"}).OK()
	if len(uploads.Uploads) != 1 || uploads.Uploads[0].Key != "big" || uploads.Uploads[0].UploadID != up.UploadID {
		t.Errorf("ListMultipartUploads = %+v", uploads)
	}
	completed := func(parts ...s3.CompletedPart) *s3.CompleteMultipartUploadInput {
		return &s3.CompleteMultipartUploadInput{Bucket: "data", Key: "big", UploadID: up.UploadID, Parts: parts}
	}
	one, two := s3.CompletedPart{PartNumber: 1, ETag: p1.ETag}, s3.CompletedPart{PartNumber: 2, ETag: p2.ETag}
	three := s3.CompletedPart{PartNumber: 3, ETag: p3.ETag}
	w.Run(t, []servicetest.Step{
		{Name: "part 0", As: writer, Do: servicetest.Op(w.S3.UploadPart, upload(0, "x")), Want: "InvalidArgument"},
		{Name: "part 10001", As: writer, Do: servicetest.Op(w.S3.UploadPart, upload(10001, "x")), Want: "InvalidArgument"},
		{Name: "another checksum than the upload's", As: writer, Do: servicetest.Op(w.S3.UploadPart, &s3.UploadPartInput{Bucket: "data", Key: "big",
			UploadID: up.UploadID, PartNumber: 4, Body: strings.NewReader("x"), ChecksumAlgorithm: "sha1"}), Want: "InvalidRequest"},
		{Name: "a reader without kms:Decrypt may not add parts", As: encryptOnly, Do: servicetest.Op(w.S3.UploadPart, upload(4, "x")), Want: "AccessDenied"},
		{Name: "no such upload", As: writer, Do: servicetest.Op(w.S3.UploadPart, &s3.UploadPartInput{Bucket: "data", Key: "big", UploadID: "nope", PartNumber: 1,
			Body: strings.NewReader("x")}), Want: "NoSuchUpload"},
		{Name: "the upload of another key", As: writer, Do: servicetest.Op(w.S3.UploadPart, &s3.UploadPartInput{Bucket: "data", Key: "other", UploadID: up.UploadID,
			PartNumber: 1, Body: strings.NewReader("x")}), Want: "NoSuchUpload"},
		{Name: "no parts", As: writer, Do: servicetest.Op(w.S3.CompleteMultipartUpload, completed()), Want: "MalformedXML"},
		{Name: "a part twice", As: writer, Do: servicetest.Op(w.S3.CompleteMultipartUpload, completed(one, one)), Want: "InvalidPartOrder"},
		{Name: "a wrong ETag", As: writer, Do: servicetest.Op(w.S3.CompleteMultipartUpload, completed(s3.CompletedPart{PartNumber: 1, ETag: `"x"`})), Want: "InvalidPart"},
		{Name: "a wrong checksum", As: writer, Do: servicetest.Op(w.S3.CompleteMultipartUpload, completed(s3.CompletedPart{PartNumber: 1, ETag: p1.ETag,
			Checksum: &s3.Checksum{Algorithm: "crc32", Value: "AAAAAA=="}})), Want: "InvalidPart"},
		{Name: "a small part before the last", As: writer, Do: servicetest.Op(w.S3.CompleteMultipartUpload, completed(two, three)), Want: "EntityTooSmall"},
		{Name: "another account may not list parts", As: w.Root(other), Do: servicetest.Op(w.S3.ListParts, &s3.ListPartsInput{Bucket: "data", Key: "big", UploadID: up.UploadID}), Want: "AccessDenied"},
		{Name: "nor uploads", As: w.Root(other), Do: servicetest.Op(w.S3.ListMultipartUploads, &s3.ListMultipartUploadsInput{Bucket: "data"}), Want: "AccessDenied"},
	})
	w.Clock.Advance(time.Minute)
	obj := servicetest.Call(w.As(writer), w.S3.CompleteMultipartUpload, completed(one, s3.CompletedPart{PartNumber: 2, ETag: p2.ETag, Checksum: p2.Checksum})).OK()
	if !strings.HasSuffix(obj.ETag, `-2"`) || obj.Size != int64(len(part1)+len(part2)) || obj.Checksum == nil || !strings.HasSuffix(obj.Checksum.Value, "-2") ||
		obj.ContentType != "text/plain" || len(obj.Tags) != 1 {
		t.Errorf("CompleteMultipartUpload = %+v", obj)
	}
	if got := w.get(t, w.As(writer), "data", "big"); got != part1+part2 {
		t.Errorf("the object reads %d bytes", len(got))
	}
	out := servicetest.Call(w.As(writer), w.S3.GetObject, &s3.GetObjectInput{Bucket: "data", Key: "big", Range: &s3.ByteRange{First: 5<<20 - 3, Last: 5<<20 + 2}}).OK()
	if got := read(t, out); got != part1[len(part1)-3:]+part2[:3] {
		t.Errorf("a range across parts reads %q", got)
	}
	servicetest.Call(w.As(writer), w.S3.ListParts, &s3.ListPartsInput{Bucket: "data", Key: "big", UploadID: up.UploadID}).Want("NoSuchUpload")
	servicetest.Call(w.As(encryptOnly), w.S3.GetObject, &s3.GetObjectInput{Bucket: "data", Key: "big"}).Want("AccessDenied")

	// An upload aborted is gone with its parts.
	ab := servicetest.Call(w.As(root), w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "gone"}).OK()
	if ab.SSE != "AES256" {
		t.Errorf("the default upload = %+v", ab)
	}
	servicetest.Call(w.As(root), w.S3.UploadPart, &s3.UploadPartInput{Bucket: "data", Key: "gone", UploadID: ab.UploadID, PartNumber: 1, Body: strings.NewReader("x")}).OK()
	servicetest.Call(w.As(root), w.S3.AbortMultipartUpload, &s3.AbortMultipartUploadInput{Bucket: "data", Key: "gone", UploadID: ab.UploadID}).OK()
	servicetest.Call(w.As(root), w.S3.AbortMultipartUpload, &s3.AbortMultipartUploadInput{Bucket: "data", Key: "gone", UploadID: ab.UploadID}).Want("NoSuchUpload")
	if n := len(servicetest.Call(w.As(root), w.S3.ListMultipartUploads, &s3.ListMultipartUploadsInput{Bucket: "data"}).OK().Uploads); n != 0 {
		t.Errorf("%d uploads left", n)
	}
	w.Run(t, []servicetest.Step{
		{Name: "an empty key", As: root, Do: servicetest.Op(w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data"}), Want: "InvalidArgument"},
		{Name: "an unknown checksum", As: root, Do: servicetest.Op(w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "k", ChecksumAlgorithm: "md4"}), Want: "InvalidRequest"},
		{Name: "a key without aws:kms", As: root, Do: servicetest.Op(w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "k", KMSKeyID: key}), Want: "InvalidArgument"},
		{Name: "tags need s3:PutObjectTagging", As: w.User(account, "putter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`),
			Do: servicetest.Op(w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "k", Tags: []s3.Tag{{Key: "a"}}}), Want: "AccessDenied"},
		{Name: "a writer without KMS permissions", As: w.User(account, "nokms", s3All),
			Do: servicetest.Op(w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "data", Key: "k", SSE: "aws:kms", KMSKeyID: key}), Want: "AccessDenied"},
	})
}

// TestCopy: a copy reads the source as the caller (s3:GetObject, kms:Decrypt) and writes the
// copy as the caller, encrypted as the request or the destination's default says.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
func TestCopy(t *testing.T) {
	w := newWorld(t)
	root := w.Root(account)
	w.bucket(t, root, "src")
	w.bucket(t, root, "dst")
	key := w.key(t, account, "")
	writer := w.User(account, "writer", s3All, kmsUse)
	encryptOnly := w.User(account, "encrypter", s3All, kmsEncOly)
	src := servicetest.Call(w.As(writer), w.S3.PutObject, put("src", "a", "the source", sseKMS(key), func(in *s3.PutObjectInput) {
		in.ContentType, in.Metadata, in.Tags, in.ChecksumAlgorithm = "text/plain", map[string]string{"m": "1"}, []s3.Tag{{Key: "t", Value: "1"}}, "crc32c"
	})).OK()
	copyIn := func(opts ...func(*s3.CopyObjectInput)) *s3.CopyObjectInput {
		in := &s3.CopyObjectInput{Source: s3.CopySource{Bucket: "src", Key: "a"}, Bucket: "dst", Key: "b"}
		for _, o := range opts {
			o(in)
		}
		return in
	}
	cp := servicetest.Call(w.As(writer), w.S3.CopyObject, copyIn()).OK()
	if cp.SSE != "AES256" || cp.ETag != src.ETag || cp.ContentType != "text/plain" || cp.Metadata["m"] != "1" || len(cp.Tags) != 1 ||
		cp.Checksum == nil || cp.Checksum.Algorithm != "crc32c" {
		t.Errorf("CopyObject = %+v", cp)
	}
	if got := w.get(t, w.As(root), "dst", "b"); got != "the source" {
		t.Errorf("the copy reads %q", got)
	}
	replaced := servicetest.Call(w.As(writer), w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) {
		in.MetadataDirective, in.ContentType, in.Metadata = "REPLACE", "application/json", map[string]string{"n": "2"}
		in.TaggingDirective, in.Tags = "REPLACE", nil
		in.SSE, in.KMSKeyID = "aws:kms", key
	})).OK()
	if replaced.ContentType != "application/json" || replaced.Metadata["n"] != "2" || len(replaced.Tags) != 0 || replaced.SSE != "aws:kms" {
		t.Errorf("CopyObject REPLACE = %+v", replaced)
	}
	// Onto itself, the copy must change something: here its encryption.
	servicetest.Call(w.As(writer), w.S3.CopyObject, &s3.CopyObjectInput{Source: s3.CopySource{Bucket: "dst", Key: "b"}, Bucket: "dst", Key: "b", SSE: "AES256"}).OK()
	later := src.LastModified.Add(time.Hour)
	w.Run(t, []servicetest.Step{
		{Name: "onto itself, changing nothing", As: writer, Do: servicetest.Op(w.S3.CopyObject, &s3.CopyObjectInput{Source: s3.CopySource{Bucket: "dst", Key: "b"}, Bucket: "dst", Key: "b"}), Want: "InvalidRequest"},
		{Name: "an unknown metadata directive", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.MetadataDirective = "MERGE" })), Want: "InvalidArgument"},
		{Name: "an unknown tagging directive", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.TaggingDirective = "MERGE" })), Want: "InvalidArgument"},
		{Name: "an unknown checksum", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.ChecksumAlgorithm = "md4" })), Want: "InvalidRequest"},
		{Name: "an empty key", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Key = "" })), Want: "InvalidArgument"},
		{Name: "an SSE-S3 copy with a key", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.KMSKeyID = key })), Want: "InvalidArgument"},
		{Name: "if-match fails", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Source.IfMatch = `"x"` })), Want: "PreconditionFailed"},
		{Name: "if-match holds", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Source.IfMatch = "*" }))},
		{Name: "if-none-match fails", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Source.IfNoneMatch = "*" })), Want: "PreconditionFailed"},
		{Name: "if-unmodified-since fails", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) {
			in.Source.IfUnmodifiedSince = src.LastModified.Add(-time.Hour)
		})), Want: "PreconditionFailed"},
		{Name: "if-modified-since fails", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Source.IfModifiedSince = later })), Want: "PreconditionFailed"},
		{Name: "no such source", As: writer, Do: servicetest.Op(w.S3.CopyObject, copyIn(func(in *s3.CopyObjectInput) { in.Source.Key = "none" })), Want: "NoSuchKey"},
		{Name: "tags copied need s3:GetObjectTagging", As: w.User(account, "copier", kmsUse, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:PutObjectTagging"],"Resource":"*"}]}`),
			Do: servicetest.Op(w.S3.CopyObject, copyIn()), Want: "AccessDenied"},
	})
	// encryptOnly may read the SSE-S3 copy, not the SSE-KMS source.
	servicetest.Call(w.As(encryptOnly), w.S3.CopyObject, copyIn()).Want("AccessDenied")
	servicetest.Call(w.As(encryptOnly), w.S3.CopyObject, &s3.CopyObjectInput{Source: s3.CopySource{Bucket: "dst", Key: "b"}, Bucket: "dst", Key: "c"}).OK()

	// UploadPartCopy: a part copied from a range of an object.
	up := servicetest.Call(w.As(writer), w.S3.CreateMultipartUpload, &s3.CreateMultipartUploadInput{Bucket: "dst", Key: "parts"}).OK()
	partCopy := func(rng string) *s3.UploadPartCopyInput {
		return &s3.UploadPartCopyInput{Bucket: "dst", Key: "parts", UploadID: up.UploadID, PartNumber: 1, Source: s3.CopySource{Bucket: "src", Key: "a", Range: rng}}
	}
	p := servicetest.Call(w.As(writer), w.S3.UploadPartCopy, partCopy("bytes=4-9")).OK()
	w.Run(t, []servicetest.Step{
		{Name: "a range past the end", As: writer, Do: servicetest.Op(w.S3.UploadPartCopy, partCopy("bytes=4-100")), Want: "InvalidArgument"},
		{Name: "a range that is not one", As: writer, Do: servicetest.Op(w.S3.UploadPartCopy, partCopy("bytes=4-")), Want: "InvalidArgument"},
		{Name: "a reader without kms:Decrypt", As: encryptOnly, Do: servicetest.Op(w.S3.UploadPartCopy, partCopy("")), Want: "AccessDenied"},
	})
	servicetest.Call(w.As(writer), w.S3.CompleteMultipartUpload, &s3.CompleteMultipartUploadInput{Bucket: "dst", Key: "parts", UploadID: up.UploadID,
		Parts: []s3.CompletedPart{{PartNumber: 1, ETag: p.ETag}}}).OK()
	if got := w.get(t, w.As(writer), "dst", "parts"); got != "source" {
		t.Errorf("the copied part reads %q", got)
	}
}
