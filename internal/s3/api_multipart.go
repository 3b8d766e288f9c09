package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

// sseHeaders sets the headers that say how an upload's parts are encrypted.
func sseHeaders(h http.Header, e Encryption) {
	h.Set("X-Amz-Server-Side-Encryption", e.SSE)
	if e.KMSKey != "" {
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", e.KMSKey)
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
	put, err := putInput(r, t, nil)
	if err != nil {
		return err
	}
	alg, err := checksumAlgorithm(r.Header)
	if err != nil {
		return err
	}
	out, err := s.CreateMultipartUpload(ctx, &CreateMultipartUploadInput{Bucket: put.Bucket, Key: put.Key, ContentType: put.ContentType,
		Metadata: put.Metadata, ACL: put.ACL, SSE: put.SSE, KMSKeyID: put.KMSKeyID, EncryptionCtx: put.EncryptionCtx,
		BucketKeyEnabled: put.BucketKeyEnabled, ChecksumAlgorithm: alg, Tags: put.Tags})
	if err != nil {
		return err
	}
	sseHeaders(w.Header(), out.Encryption)
	if alg != "" {
		w.Header().Set("X-Amz-Checksum-Algorithm", strings.ToUpper(alg))
	}
	return writeXML(w, http.StatusOK, initiateResult{Xmlns: namespace, Bucket: t.Bucket, Key: t.Key, UploadID: out.UploadID})
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
	sseHeaders(w.Header(), p.Encryption)
	p.Checksum.set(w.Header())
	w.WriteHeader(http.StatusOK)
	return nil
}

type completeRequest struct {
	XMLName xml.Name        `xml:"CompleteMultipartUpload"`
	Parts   []completedPart `xml:"Part"`
}

// completedPart is a Part of a CompleteMultipartUpload body.
type completedPart struct {
	PartNumber int    `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

// checksum is the part's checksum the client names, if any: the first of its Checksum elements.
func (p *completedPart) checksum() *Checksum {
	for _, c := range []struct{ alg, v string }{{"crc32", p.ChecksumCRC32}, {"crc32c", p.ChecksumCRC32C},
		{"crc64nvme", p.ChecksumCRC64NVME}, {"sha1", p.ChecksumSHA1}, {"sha256", p.ChecksumSHA256}} {
		if c.v != "" {
			return &Checksum{Algorithm: c.alg, Value: c.v}
		}
	}
	return nil
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
	in := &CompleteMultipartUploadInput{Bucket: t.Bucket, Key: t.Key, UploadID: t.Query.Get("uploadId")}
	for _, p := range req.Parts {
		in.Parts = append(in.Parts, CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag, Checksum: p.checksum()})
	}
	info, err := s.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return err
	}
	objectHeaders(w.Header(), info)
	w.Header().Del("ETag")
	return writeXML(w, http.StatusOK, completeResult{Xmlns: namespace, Location: "/" + t.Bucket + "/" + t.Key, Bucket: t.Bucket, Key: t.Key, ETag: info.ETag,
		checksumFields: info.Checksum.fields()})
}

func (s *Service) handleAbortMultipartUpload(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.AbortMultipartUpload(ctx, &AbortMultipartUploadInput{Bucket: t.Bucket, Key: t.Key, UploadID: t.Query.Get("uploadId")})
	return respond(w, http.StatusNoContent, err)
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
	list, err := s.ListParts(ctx, &ListPartsInput{Bucket: t.Bucket, Key: t.Key, UploadID: t.Query.Get("uploadId")})
	if err != nil {
		return err
	}
	out := listPartsResult{Xmlns: namespace, Bucket: t.Bucket, Key: t.Key, UploadID: list.UploadID}
	for _, p := range list.Parts {
		out.Parts = append(out.Parts, listedPart{p.PartNumber, s3Time(p.LastModified), p.ETag, p.Size, p.Checksum.fields()})
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
	list, err := s.ListMultipartUploads(ctx, &ListMultipartUploadsInput{Bucket: t.Bucket})
	if err != nil {
		return err
	}
	out := listUploadsResult{Xmlns: namespace, Bucket: t.Bucket}
	for _, u := range list.Uploads {
		out.Uploads = append(out.Uploads, struct {
			Key       string `xml:"Key"`
			UploadID  string `xml:"UploadId"`
			Initiated string `xml:"Initiated"`
		}{u.Key, u.UploadID, s3Time(u.Initiated)})
	}
	return writeXML(w, http.StatusOK, out)
}
