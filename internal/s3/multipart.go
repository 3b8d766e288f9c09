package s3

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/checksum"
	"github.com/keytrail/keytrail/internal/store"
)

const (
	minPartSize = 5 << 20 // every part but the last
	maxParts    = 10000
)

// uploadRecord is a multipart upload in progress (format version 1). The data key is made when
// the upload starts; each part is its own encrypted blob under it.
type uploadRecord struct {
	store.Version
	ID          string             `json:"id"`
	Bucket      string             `json:"bucket"`
	Key         string             `json:"key"`
	Initiated   time.Time          `json:"initiated"`
	Owner       string             `json:"owner"`
	ContentType string             `json:"contentType,omitempty"`
	Metadata    map[string]string  `json:"metadata,omitempty"`
	Parts       map[int]uploadPart `json:"parts,omitempty"`
	// ChecksumAlgorithm is the x-amz-checksum-algorithm the upload was created with (lower
	// case): every part keeps that checksum, and the object the composite of them.
	ChecksumAlgorithm string `json:"checksumAlgorithm,omitempty"`
	Tags              []Tag  `json:"tags,omitempty"`
	dataKey
}

type uploadPart struct {
	part
	ETag     string    `json:"etag"`
	Modified time.Time `json:"modified"`
	Checksum *Checksum `json:"checksum,omitempty"`
}

func uploadKey(bucket, id string) string { return bucket + "/" + id }

func noSuchUpload() error {
	return awserr.New(awserr.NoSuchUpload, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.")
}

// getUpload reads an upload's record. Errors: NoSuchUpload.
func getUpload(tx store.Tx, bucket, id string) (*uploadRecord, error) {
	u, err := uploads.Get(tx, uploadKey(bucket, id))
	if err == nil && u == nil {
		err = noSuchUpload()
	}
	return u, err
}

func putUpload(tx store.Tx, u *uploadRecord) error {
	return uploads.Put(tx, uploadKey(u.Bucket, u.ID), u)
}

// upload loads an upload of the key, authorizing action on the object.
func (s *Service) upload(c *call, action, bucket, key, id string) (*uploadRecord, error) {
	if _, err := s.bucket(c, action, bucket, key, nil); err != nil {
		return nil, err
	}
	var u *uploadRecord
	err := s.db.View(c.ctx, func(tx store.Tx) (err error) {
		u, err = getUpload(tx, bucket, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if u.Key != key {
		return nil, noSuchUpload()
	}
	return u, nil
}

// CreateMultipartUploadInput is the CreateMultipartUpload request: the object's description,
// as in PutObjectInput, and the checksum every part keeps.
type CreateMultipartUploadInput struct {
	Bucket, Key       string
	ContentType       string
	Metadata          map[string]string
	ACL               string
	SSE               string
	KMSKeyID          string
	EncryptionCtx     string
	BucketKeyEnabled  *bool
	ChecksumAlgorithm string // crc32, …: each part's checksum, the object's their composite
	Tags              []Tag
}

// CreateMultipartUploadOutput is the CreateMultipartUpload answer: the upload's ID and how its
// parts are encrypted.
type CreateMultipartUploadOutput struct {
	Bucket, Key, UploadID string
	Encryption
	ChecksumAlgorithm string // lower case; "" when none
}

// Encryption says how an object or part is encrypted: SSE, and for aws:kms the key's ARN and
// whether an S3 Bucket Key made the object's data key.
type Encryption struct {
	SSE       string // AES256 or aws:kms
	KMSKey    string
	BucketKey bool
}

func (dk *dataKey) encryption() Encryption {
	return Encryption{SSE: dk.SSE, KMSKey: dk.KMSKey, BucketKey: dk.BucketKey}
}

// CreateMultipartUpload starts an upload: authorized as PutObject, with its data key made now
// (SSE-KMS: GenerateDataKey as the caller). Errors: as PutObject.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *CreateMultipartUploadInput) (*CreateMultipartUploadOutput, error) {
	if in.Key == "" || len(in.Key) > 1024 {
		return nil, awserr.New(awserr.InvalidArgument, "Object keys are 1 to 1024 bytes long")
	}
	enc, err := checkEncryption(in.SSE, in.KMSKeyID, in.EncryptionCtx, in.BucketKeyEnabled)
	if err != nil {
		return nil, err
	}
	if err := checkChecksum(in.ChecksumAlgorithm, ""); err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeWrite(c, in.Bucket, in.Key, in.ACL, &enc, nil); err != nil {
		return nil, err
	}
	if err := s.authorizeTagging(c, in.Bucket, in.Key, in.Tags); err != nil {
		return nil, err
	}
	plain, dk, err := s.newDataKey(ctx, c, in.Bucket, in.Key, enc)
	if err != nil {
		return nil, err
	}
	clear(plain)
	id, err := s.randomID()
	if err != nil {
		return nil, err
	}
	u := &uploadRecord{ID: id, Bucket: in.Bucket, Key: in.Key, Initiated: s.now().UTC().Truncate(time.Second), Owner: c.p.Account,
		ContentType: in.ContentType, Metadata: in.Metadata, ChecksumAlgorithm: strings.ToLower(in.ChecksumAlgorithm), Tags: in.Tags, dataKey: dk}
	if err := s.db.Update(ctx, func(tx store.Tx) error { return putUpload(tx, u) }); err != nil {
		return nil, err
	}
	return &CreateMultipartUploadOutput{Bucket: in.Bucket, Key: in.Key, UploadID: id, Encryption: dk.encryption(), ChecksumAlgorithm: u.ChecksumAlgorithm}, nil
}

// UploadPartInput is an UploadPart request; Body streams.
type UploadPartInput struct {
	Bucket, Key, UploadID string
	PartNumber            int // 1–10000
	Body                  io.Reader
	ContentMD5            string // base64, checked when given
	// ChecksumAlgorithm and Checksum: as in PutObjectInput; the upload's algorithm when none.
	ChecksumAlgorithm, Checksum string
}

// PartInfo describes a stored part.
type PartInfo struct {
	ETag         string
	LastModified time.Time
	Checksum     *Checksum
	Encryption   // the upload's
}

// UploadPart stores a part of an upload, replacing an earlier one with its number.
// Errors: NoSuchUpload, InvalidArgument, InvalidRequest, BadDigest, AccessDenied, KMS.*.
func (s *Service) UploadPart(ctx context.Context, in *UploadPartInput) (*PartInfo, error) {
	n := in.PartNumber
	if n < 1 || n > maxParts {
		return nil, awserr.New(awserr.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(c, "PutObject", in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	v := verify{in.ContentMD5, strings.ToLower(in.ChecksumAlgorithm), in.Checksum}
	switch {
	case v.alg == "":
		v.alg = u.ChecksumAlgorithm
	case u.ChecksumAlgorithm != "" && v.alg != u.ChecksumAlgorithm:
		return nil, awserr.New(awserr.InvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", u.ChecksumAlgorithm, v.alg)
	}
	plain, err := s.openDataKey(ctx, c, in.Bucket, in.Key, &u.dataKey)
	if err != nil {
		return nil, err
	}
	p, sum, ck, err := s.writePart(in.Body, plain, v)
	clear(plain)
	if err != nil {
		return nil, err
	}
	etag := `"` + hex.EncodeToString(sum) + `"`
	var replaced string
	modified := s.now().UTC().Truncate(time.Second)
	err = s.db.Update(ctx, func(tx store.Tx) error {
		u, err := getUpload(tx, in.Bucket, in.UploadID)
		if err != nil {
			return err
		}
		if u.Parts == nil {
			u.Parts = map[int]uploadPart{}
		}
		replaced = u.Parts[n].Blob
		u.Parts[n] = uploadPart{part: p, ETag: etag, Modified: modified, Checksum: ck}
		return putUpload(tx, u)
	})
	if err != nil {
		s.discardBlob(p.Blob)
		return nil, err
	}
	if replaced != "" {
		s.discardBlob(replaced)
	}
	return &PartInfo{ETag: etag, LastModified: modified, Checksum: ck, Encryption: u.encryption()}, nil
}

// CompletedPart names a part in CompleteMultipartUpload, with the checksum the client kept of
// it (nil: none).
type CompletedPart struct {
	PartNumber int
	ETag       string
	Checksum   *Checksum
}

// CompleteMultipartUploadInput is the CompleteMultipartUpload request.
type CompleteMultipartUploadInput struct {
	Bucket, Key, UploadID string
	Parts                 []CompletedPart
}

// CompleteMultipartUpload assembles the listed parts (ascending, each as uploaded, all but the
// last at least 5 MiB) into the object. Errors: NoSuchUpload, InvalidPart, InvalidPartOrder,
// EntityTooSmall, MalformedXML, AccessDenied.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in *CompleteMultipartUploadInput) (*ObjectInfo, error) {
	bucket, key, id, parts := in.Bucket, in.Key, in.UploadID, in.Parts
	if len(parts) == 0 {
		return nil, malformedXML()
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(c, "PutObject", bucket, key, id)
	if err != nil {
		return nil, err
	}
	rec := &objectRecord{Bucket: bucket, Key: key, ContentType: u.ContentType, Metadata: u.Metadata, LastModified: s.now().UTC().Truncate(time.Second),
		Owner: u.Owner, Tags: u.Tags, dataKey: u.dataKey}
	h := md5.New()
	var sums []string
	for i, cp := range parts {
		up, ok := u.Parts[cp.PartNumber]
		switch {
		case i > 0 && cp.PartNumber <= parts[i-1].PartNumber:
			return nil, awserr.New(awserr.InvalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
		case !ok || strings.Trim(cp.ETag, `"`) != strings.Trim(up.ETag, `"`) || !cp.matches(up.Checksum):
			return nil, awserr.New(awserr.InvalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not have matched the part's entity tag.")
		case i < len(parts)-1 && up.Size < minPartSize:
			return nil, awserr.New(awserr.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed object size.")
		}
		raw, _ := hex.DecodeString(strings.Trim(up.ETag, `"`))
		h.Write(raw)
		rec.Parts = append(rec.Parts, up.part)
		rec.Size += up.Size
		if up.Checksum != nil {
			sums = append(sums, up.Checksum.Value)
		}
	}
	rec.ETag = `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
	if alg := u.ChecksumAlgorithm; alg != "" && len(sums) == len(parts) {
		rec.Checksum = &Checksum{Algorithm: alg, Value: checksum.Composite(alg, sums)}
	}
	used := map[string]bool{}
	for _, p := range rec.Parts {
		used[p.Blob] = true
	}
	var replaced []string
	err = s.db.Update(ctx, func(tx store.Tx) error {
		if _, err := getUpload(tx, bucket, id); err != nil {
			return err
		}
		if old, err := getObject(tx, bucket, key); err != nil {
			return err
		} else if old != nil {
			replaced = old.blobs()
		}
		if err := uploads.Delete(tx, uploadKey(bucket, id)); err != nil {
			return err
		}
		return putObject(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	for _, b := range replaced {
		s.discardBlob(b)
	}
	for _, p := range u.Parts { // parts uploaded but not listed
		if !used[p.Blob] {
			s.discardBlob(p.Blob)
		}
	}
	return rec.info(), nil
}

// matches reports whether the checksum the client names of a part (if any) is the one kept.
func (p *CompletedPart) matches(kept *Checksum) bool {
	return p.Checksum == nil || p.Checksum.Algorithm == "" ||
		kept != nil && kept.Algorithm == p.Checksum.Algorithm && kept.Value == p.Checksum.Value
}

// UploadInput names an upload of an object.
type UploadInput struct {
	Bucket, Key, UploadID string
}

// AbortMultipartUploadInput is the AbortMultipartUpload request.
type AbortMultipartUploadInput UploadInput

// AbortMultipartUploadOutput is the (empty) AbortMultipartUpload answer.
type AbortMultipartUploadOutput struct{}

// AbortMultipartUpload discards an upload and its parts. Errors: NoSuchUpload, AccessDenied.
func (s *Service) AbortMultipartUpload(ctx context.Context, in *AbortMultipartUploadInput) (*AbortMultipartUploadOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(c, "AbortMultipartUpload", in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	if err := s.db.Update(ctx, func(tx store.Tx) error { return uploads.Delete(tx, uploadKey(in.Bucket, in.UploadID)) }); err != nil {
		return nil, err
	}
	for _, p := range u.Parts {
		s.discardBlob(p.Blob)
	}
	return &AbortMultipartUploadOutput{}, nil
}

// ListPartsInput is the ListParts request.
type ListPartsInput UploadInput

// ListPartsOutput is the ListParts answer: the upload's parts by number.
type ListPartsOutput struct {
	UploadID string
	Parts    []PartEntry
}

// PartEntry is one part of ListParts.
type PartEntry struct {
	PartNumber   int
	LastModified time.Time
	ETag         string
	Size         int64
	Checksum     *Checksum
}

// ListParts lists an upload's parts by number. Errors: NoSuchUpload, AccessDenied.
func (s *Service) ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	u, err := s.upload(c, "ListMultipartUploadParts", in.Bucket, in.Key, in.UploadID)
	if err != nil {
		return nil, err
	}
	out := &ListPartsOutput{UploadID: u.ID}
	for _, n := range slices.Sorted(maps.Keys(u.Parts)) {
		p := u.Parts[n]
		out.Parts = append(out.Parts, PartEntry{PartNumber: n, LastModified: p.Modified, ETag: p.ETag, Size: p.Size, Checksum: p.Checksum})
	}
	return out, nil
}

// ListMultipartUploadsInput is the ListMultipartUploads request.
type ListMultipartUploadsInput BucketInput

// ListMultipartUploadsOutput is the ListMultipartUploads answer: the uploads in progress by key.
type ListMultipartUploadsOutput struct {
	Uploads []UploadEntry
}

// UploadEntry is one upload of ListMultipartUploads.
type UploadEntry struct {
	Key, UploadID string
	Initiated     time.Time
}

// ListMultipartUploads lists a bucket's uploads in progress by key. Errors: NoSuchBucket,
// AccessDenied.
func (s *Service) ListMultipartUploads(ctx context.Context, in *ListMultipartUploadsInput) (*ListMultipartUploadsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "ListBucketMultipartUploads", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	out := &ListMultipartUploadsOutput{}
	err = s.db.View(ctx, func(tx store.Tx) error {
		return uploads.Scan(tx, in.Bucket+"/", "", func(_ string, u *uploadRecord) error {
			out.Uploads = append(out.Uploads, UploadEntry{Key: u.Key, UploadID: u.ID, Initiated: u.Initiated})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out.Uploads, func(a, b UploadEntry) int { return strings.Compare(a.Key+"\x00"+a.UploadID, b.Key+"\x00"+b.UploadID) })
	return out, nil
}
