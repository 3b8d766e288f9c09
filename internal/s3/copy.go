package s3

import (
	"context"
	"crypto/cipher"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
)

// CopySource is the object a copy reads (x-amz-copy-source), the conditions it must meet and,
// for UploadPartCopy, the byte range to read.
type CopySource struct {
	Bucket, Key                        string
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince time.Time // zero: no condition
	Range                              string    // x-amz-copy-source-range: bytes=first-last
}

// source is a copy source opened for reading as the caller: its record, its data key as an AEAD
// and the plaintext bytes [start, end] to copy.
type source struct {
	rec        *objectRecord
	aead       cipher.AEAD
	start, end int64
}

// openSource authorizes s3:GetObject on the source as the caller, checks the copy conditions and
// the range, and opens the source's data key (SSE-KMS: Decrypt as the caller, through S3).
// Errors: NoSuchBucket, NoSuchKey, AccessDenied, PreconditionFailed, InvalidArgument, KMS.*.
func (s *Service) openSource(c *call, src *CopySource, ranged bool) (*source, error) {
	o, dk, err := s.object(c.ctx, src.Bucket, src.Key)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(dk)
	clear(dk)
	if err != nil {
		return nil, err
	}
	if err := src.check(o); err != nil {
		return nil, err
	}
	so := &source{rec: o, aead: aead, start: 0, end: o.Size - 1}
	if ranged && src.Range != "" {
		first, last, ok := parseCopyRange(src.Range)
		if !ok || last >= o.Size {
			return nil, awserr.New(awserr.InvalidArgument, "Range specified is not valid for source object of size: %d", o.Size)
		}
		so.start, so.end = first, last
	}
	return so, nil
}

// check applies the x-amz-copy-source-if-* conditions: a failed one is PreconditionFailed (412).
func (src *CopySource) check(o *objectRecord) error {
	etagIs := func(m string) bool { return m == "*" || strings.Trim(m, `"`) == strings.Trim(o.ETag, `"`) }
	failed := preconditionFailed()
	if src.IfMatch != "" {
		if !etagIs(src.IfMatch) {
			return failed
		}
	} else if !src.IfUnmodifiedSince.IsZero() && o.LastModified.After(src.IfUnmodifiedSince) {
		return failed
	}
	if src.IfNoneMatch != "" {
		if etagIs(src.IfNoneMatch) {
			return failed
		}
	} else if !src.IfModifiedSince.IsZero() && !o.LastModified.After(src.IfModifiedSince) {
		return failed
	}
	return nil
}

// parseCopyRange reads bytes=first-last, both required.
func parseCopyRange(v string) (first, last int64, ok bool) {
	spec, ok := strings.CutPrefix(v, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	if !ok || !ok2 {
		return 0, 0, false
	}
	first, errA := strconv.ParseInt(a, 10, 64)
	last, errB := strconv.ParseInt(b, 10, 64)
	return first, last, errA == nil && errB == nil && first >= 0 && last >= first
}

// reader streams the source's plaintext range through a pipe, decrypting as it is read; closing
// the reader stops it.
func (s *Service) reader(so *source) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(s.writeRange(pw, so.aead, so.rec, so.start, so.end)) }()
	return pr
}

// CopyObjectInput is a CopyObject request. The copy is encrypted as the request (or else the
// destination bucket's default) says, never as the source was.
type CopyObjectInput struct {
	Source            CopySource
	Bucket, Key       string
	MetadataDirective string // COPY (the default) or REPLACE
	ContentType       string // with REPLACE
	Metadata          map[string]string
	ACL               string
	SSE               string
	KMSKeyID          string
	EncryptionCtx     string
	BucketKeyEnabled  *bool
	ChecksumAlgorithm string // the checksum to keep; the source's algorithm when none
	TaggingDirective  string // COPY (the default: the source's tags) or REPLACE (Tags)
	Tags              []Tag
}

// CopyObject copies an object, streaming: the source is read (s3:GetObject, Decrypt) and the
// copy written (s3:PutObject with s3:x-amz-copy-source and s3:x-amz-metadata-directive,
// GenerateDataKey) as the caller. Errors: those of GetObject on the source and PutObject on the
// destination, InvalidRequest (a copy onto itself that changes nothing), InvalidArgument.
func (s *Service) CopyObject(ctx context.Context, in *CopyObjectInput) (*ObjectInfo, error) {
	if in.Key == "" || len(in.Key) > 1024 {
		return nil, awserr.New(awserr.InvalidArgument, "Object keys are 1 to 1024 bytes long")
	}
	directive := in.MetadataDirective
	switch directive {
	case "", "COPY", "REPLACE":
	default:
		return nil, awserr.New(awserr.InvalidArgument, "Unknown metadata directive.")
	}
	enc, err := checkEncryption(in.SSE, in.KMSKeyID, in.EncryptionCtx, in.BucketKeyEnabled)
	if err != nil {
		return nil, err
	}
	if err := checkChecksum(in.ChecksumAlgorithm, ""); err != nil {
		return nil, err
	}
	switch in.TaggingDirective {
	case "", "COPY", "REPLACE":
	default:
		return nil, awserr.New(awserr.InvalidArgument, "Unknown tagging directive.")
	}
	if in.Source.Bucket == in.Bucket && in.Source.Key == in.Key && directive != "REPLACE" && in.SSE == "" && in.BucketKeyEnabled == nil {
		return nil, awserr.New(awserr.InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	so, err := s.openSource(c, &in.Source, false)
	if err != nil {
		return nil, err
	}
	keys := authz.Map{"s3:x-amz-copy-source": {in.Source.Bucket + "/" + in.Source.Key}}
	if directive != "" {
		keys["s3:x-amz-metadata-directive"] = []string{directive}
	}
	if err := s.authorizeWrite(c, in.Bucket, in.Key, in.ACL, &enc, keys); err != nil {
		return nil, err
	}
	tags := in.Tags
	if in.TaggingDirective != "REPLACE" {
		// Copying the source's tags reads them (s3:GetObjectTagging) and writes them.
		if tags = so.rec.Tags; len(tags) > 0 {
			if _, err := s.bucket(c, "GetObjectTagging", in.Source.Bucket, in.Source.Key, nil); err != nil {
				return nil, err
			}
		}
	}
	if err := s.authorizeTagging(c, in.Bucket, in.Key, tags); err != nil {
		return nil, err
	}
	plain, dk, err := s.newDataKey(ctx, c, in.Bucket, in.Key, enc)
	if err != nil {
		return nil, err
	}
	alg := strings.ToLower(in.ChecksumAlgorithm)
	if alg == "" && so.rec.Checksum != nil {
		alg = so.rec.Checksum.Algorithm
	}
	r := s.reader(so)
	p, sum, ck, err := s.writePart(r, plain, verify{alg: alg})
	_ = r.Close() // a pipe's reader: Close always returns nil
	clear(plain)
	if err != nil {
		return nil, err
	}
	rec := &objectRecord{Bucket: in.Bucket, Key: in.Key, Size: p.Size, ETag: `"` + hex.EncodeToString(sum) + `"`,
		ContentType: so.rec.ContentType, Metadata: so.rec.Metadata, LastModified: s.now().UTC().Truncate(time.Second),
		Owner: c.p.Account, Parts: []part{p}, Checksum: ck, Tags: tags, dataKey: dk}
	if directive == "REPLACE" {
		rec.ContentType, rec.Metadata = in.ContentType, in.Metadata
	}
	if err := s.commitObject(ctx, rec); err != nil {
		return nil, err
	}
	return rec.info(), nil
}

// UploadPartCopyInput is the UploadPartCopy request: the part, and the object (range) it copies.
type UploadPartCopyInput struct {
	Bucket, Key, UploadID string
	PartNumber            int
	Source                CopySource
}

// UploadPartCopy stores a part of an upload copied from (a range of) an object, read as the
// caller. Errors: those of UploadPart and of reading the source.
func (s *Service) UploadPartCopy(ctx context.Context, in *UploadPartCopyInput) (*PartInfo, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	so, err := s.openSource(c, &in.Source, true)
	if err != nil {
		return nil, err
	}
	r := s.reader(so)
	defer func() { _ = r.Close() }() // a pipe's reader: Close always returns nil
	return s.UploadPart(ctx, &UploadPartInput{Bucket: in.Bucket, Key: in.Key, UploadID: in.UploadID, PartNumber: in.PartNumber, Body: r})
}
