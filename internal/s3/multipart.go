package s3

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/checksum"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/store"
)

const (
	tableUploads = "s3.uploads" // <bucket>/<upload ID> → uploadRecord
	minPartSize  = 5 << 20      // every part but the last
	maxParts     = 10000
)

// uploadRecord is a multipart upload in progress (format version 1). The data key is made when
// the upload starts; each part is its own encrypted blob under it.
type uploadRecord struct {
	V           int                `json:"v"`
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

func getUpload(tx store.Tx, bucket, id string) (*uploadRecord, error) {
	v, err := tx.Get(tableUploads, uploadKey(bucket, id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, noSuchUpload()
	}
	if err != nil {
		return nil, err
	}
	var u uploadRecord
	if err := json.Unmarshal(v, &u); err != nil {
		return nil, fmt.Errorf("s3: decode upload: %w", err)
	}
	return &u, nil
}

func putUpload(tx store.Tx, u *uploadRecord) error {
	u.V = 1
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return tx.Put(tableUploads, uploadKey(u.Bucket, u.ID), v)
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

// CreateMultipartUpload starts an upload: authorized as PutObject, with its data key made now
// (SSE-KMS: GenerateDataKey as the caller). Errors: as PutObject.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *PutObjectInput) (string, *dataKey, error) {
	if in.Key == "" || len(in.Key) > 1024 {
		return "", nil, awserr.New(awserr.InvalidArgument, "Object keys are 1 to 1024 bytes long")
	}
	enc, err := checkEncryption(in.SSE, in.KMSKeyID, in.EncryptionCtx, in.BucketKeyEnabled)
	if err != nil {
		return "", nil, err
	}
	if err := checkChecksum(in.ChecksumAlgorithm, ""); err != nil {
		return "", nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return "", nil, err
	}
	if err := s.authorizeWrite(c, in.Bucket, in.Key, in.ACL, &enc, nil); err != nil {
		return "", nil, err
	}
	if err := s.authorizeTagging(c, in.Bucket, in.Key, in.Tags); err != nil {
		return "", nil, err
	}
	plain, dk, err := s.newDataKey(ctx, c, in.Bucket, in.Key, enc)
	if err != nil {
		return "", nil, err
	}
	clear(plain)
	id, err := randomID()
	if err != nil {
		return "", nil, err
	}
	u := &uploadRecord{ID: id, Bucket: in.Bucket, Key: in.Key, Initiated: s.now().UTC().Truncate(time.Second), Owner: c.p.Account,
		ContentType: in.ContentType, Metadata: in.Metadata, ChecksumAlgorithm: strings.ToLower(in.ChecksumAlgorithm), Tags: in.Tags, dataKey: dk}
	if err := s.db.Update(ctx, func(tx store.Tx) error { return putUpload(tx, u) }); err != nil {
		return "", nil, err
	}
	return id, &u.dataKey, nil
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
	dataKey      *dataKey
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
	return &PartInfo{ETag: etag, LastModified: modified, Checksum: ck, dataKey: &u.dataKey}, nil
}

// CompletedPart names a part in CompleteMultipartUpload, with the checksum the client kept of it.
type CompletedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

// checksum is the part's checksum the client names, if any.
func (p *CompletedPart) checksum() (alg, value string) {
	for _, c := range []struct{ alg, v string }{{"crc32", p.ChecksumCRC32}, {"crc32c", p.ChecksumCRC32C},
		{"crc64nvme", p.ChecksumCRC64NVME}, {"sha1", p.ChecksumSHA1}, {"sha256", p.ChecksumSHA256}} {
		if c.v != "" {
			return c.alg, c.v
		}
	}
	return "", ""
}

// CompleteMultipartUpload assembles the listed parts (ascending, each as uploaded, all but the
// last at least 5 MiB) into the object. Errors: NoSuchUpload, InvalidPart, InvalidPartOrder,
// EntityTooSmall, MalformedXML, AccessDenied.
func (s *Service) CompleteMultipartUpload(ctx context.Context, bucket, key, id string, parts []CompletedPart) (*ObjectInfo, error) {
	if len(parts) == 0 {
		return nil, awserr.New(awserr.MalformedXML, "The XML you provided was not well-formed or did not validate against our published schema")
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
		if err := tx.Delete(tableUploads, uploadKey(bucket, id)); err != nil {
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
	alg, v := p.checksum()
	return alg == "" || kept != nil && kept.Algorithm == alg && kept.Value == v
}

// AbortMultipartUpload discards an upload and its parts. Errors: NoSuchUpload, AccessDenied.
func (s *Service) AbortMultipartUpload(ctx context.Context, bucket, key, id string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	u, err := s.upload(c, "AbortMultipartUpload", bucket, key, id)
	if err != nil {
		return err
	}
	if err := s.db.Update(ctx, func(tx store.Tx) error { return tx.Delete(tableUploads, uploadKey(bucket, id)) }); err != nil {
		return err
	}
	for _, p := range u.Parts {
		s.discardBlob(p.Blob)
	}
	return nil
}

// ListParts lists an upload's parts by number. Errors: NoSuchUpload, AccessDenied.
func (s *Service) ListParts(ctx context.Context, bucket, key, id string) (*uploadRecord, []int, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.upload(c, "ListMultipartUploadParts", bucket, key, id)
	if err != nil {
		return nil, nil, err
	}
	var numbers []int
	for n := range u.Parts {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	return u, numbers, nil
}

// ListMultipartUploads lists a bucket's uploads in progress by key. Errors: NoSuchBucket,
// AccessDenied.
func (s *Service) ListMultipartUploads(ctx context.Context, bucket string) ([]*uploadRecord, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "ListBucketMultipartUploads", bucket, "", nil); err != nil {
		return nil, err
	}
	var out []*uploadRecord
	err = s.db.View(ctx, func(tx store.Tx) error {
		return tx.Scan(tableUploads, bucket+"/", "", func(_ string, v []byte) error {
			var u uploadRecord
			if err := json.Unmarshal(v, &u); err != nil {
				return err
			}
			out = append(out, &u)
			return nil
		})
	})
	slices.SortFunc(out, func(a, b *uploadRecord) int { return strings.Compare(a.Key+"\x00"+a.ID, b.Key+"\x00"+b.ID) })
	return out, err
}

// ---- HTTP ----

func sseHeaders(h http.Header, dk *dataKey) {
	h.Set("X-Amz-Server-Side-Encryption", dk.SSE)
	if dk.KMSKey != "" {
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", dk.KMSKey)
	}
}

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Service) handleCreateMultipartUpload(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, _ io.Reader) error {
	in, err := putInput(r, t, nil)
	if err != nil {
		return err
	}
	if in.ChecksumAlgorithm, err = checksumAlgorithm(r.Header); err != nil {
		return err
	}
	id, dk, err := s.CreateMultipartUpload(ctx, in)
	if err != nil {
		return err
	}
	sseHeaders(w.Header(), dk)
	if in.ChecksumAlgorithm != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", strings.ToUpper(in.ChecksumAlgorithm))
	}
	return writeXML(w, http.StatusOK, initiateResult{Xmlns: namespace, Bucket: t.Bucket, Key: t.Key, UploadID: id})
}

func (s *Service) handleUploadPart(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, body io.Reader) error {
	n, err := strconv.Atoi(t.Query.Get("partNumber"))
	if err != nil {
		return awserr.New(awserr.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
	}
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		return s.handleUploadPartCopy(ctx, w, r, t, n)
	}
	alg, sum, err := requestChecksum(r.Header)
	if err != nil {
		return err
	}
	p, err := s.UploadPart(ctx, &UploadPartInput{Bucket: t.Bucket, Key: t.Key, UploadID: t.Query.Get("uploadId"), PartNumber: n, Body: body,
		ContentMD5: r.Header.Get("Content-Md5"), ChecksumAlgorithm: alg, Checksum: sum})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", p.ETag)
	sseHeaders(w.Header(), p.dataKey)
	p.Checksum.set(w.Header())
	w.WriteHeader(http.StatusOK)
	return nil
}

type completeRequest struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []CompletedPart `xml:"Part"`
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
}

func (s *Service) handleCompleteMultipartUpload(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	var req completeRequest
	if err := readXML(body, 2<<20, &req); err != nil {
		return err
	}
	info, err := s.CompleteMultipartUpload(ctx, t.Bucket, t.Key, t.Query.Get("uploadId"), req.Parts)
	if err != nil {
		return err
	}
	objectHeaders(w.Header(), info)
	w.Header().Del("ETag")
	return writeXML(w, http.StatusOK, completeResult{Xmlns: namespace, Location: "/" + t.Bucket + "/" + t.Key, Bucket: t.Bucket, Key: t.Key, ETag: info.ETag,
		checksumFields: info.Checksum.fields()})
}

func (s *Service) handleAbortMultipartUpload(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	return respond(w, http.StatusNoContent, s.AbortMultipartUpload(ctx, t.Bucket, t.Key, t.Query.Get("uploadId")))
}

type listPartsResult struct {
	XMLName     xml.Name     `xml:"ListPartsResult"`
	Xmlns       string       `xml:"xmlns,attr"`
	Bucket      string       `xml:"Bucket"`
	Key         string       `xml:"Key"`
	UploadID    string       `xml:"UploadId"`
	Parts       []listedPart `xml:"Part"`
	IsTruncated bool         `xml:"IsTruncated"`
}

type listedPart struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

func (s *Service) handleListParts(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	u, numbers, err := s.ListParts(ctx, t.Bucket, t.Key, t.Query.Get("uploadId"))
	if err != nil {
		return err
	}
	out := listPartsResult{Xmlns: namespace, Bucket: t.Bucket, Key: t.Key, UploadID: u.ID}
	for _, n := range numbers {
		p := u.Parts[n]
		out.Parts = append(out.Parts, listedPart{n, s3Time(p.Modified), p.ETag, p.Size, p.Checksum.fields()})
	}
	return writeXML(w, http.StatusOK, out)
}

type listUploadsResult struct {
	XMLName xml.Name `xml:"ListMultipartUploadsResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Bucket  string   `xml:"Bucket"`
	Uploads []struct {
		Key       string `xml:"Key"`
		UploadID  string `xml:"UploadId"`
		Initiated string `xml:"Initiated"`
	} `xml:"Upload"`
	IsTruncated bool `xml:"IsTruncated"`
}

func (s *Service) handleListMultipartUploads(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	uploads, err := s.ListMultipartUploads(ctx, t.Bucket)
	if err != nil {
		return err
	}
	out := listUploadsResult{Xmlns: namespace, Bucket: t.Bucket}
	for _, u := range uploads {
		out.Uploads = append(out.Uploads, struct {
			Key       string `xml:"Key"`
			UploadID  string `xml:"UploadId"`
			Initiated string `xml:"Initiated"`
		}{u.Key, u.ID, s3Time(u.Initiated)})
	}
	return writeXML(w, http.StatusOK, out)
}
