package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

// copySource reads x-amz-copy-source ([/]bucket/key, URL-encoded; a versionId other than
// "null" names a version keytrail's unversioned buckets do not have) and its conditions.
func copySource(h http.Header) (*CopySource, error) {
	raw := h.Get("X-Amz-Copy-Source")
	path, query, _ := strings.Cut(raw, "?")
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	bucket, key, ok := strings.Cut(path, "/")
	if err != nil || !ok || bucket == "" || key == "" {
		return nil, awserr.New(awserr.InvalidArgument, "Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	if q, err := url.ParseQuery(query); err != nil || q.Has("versionId") && q.Get("versionId") != "null" {
		return nil, awserr.New(awserr.InvalidArgument, "Invalid version id specified")
	}
	src := &CopySource{Bucket: bucket, Key: key, IfMatch: h.Get("X-Amz-Copy-Source-If-Match"), IfNoneMatch: h.Get("X-Amz-Copy-Source-If-None-Match"),
		Range: h.Get("X-Amz-Copy-Source-Range")}
	for name, t := range map[string]*time.Time{"X-Amz-Copy-Source-If-Modified-Since": &src.IfModifiedSince, "X-Amz-Copy-Source-If-Unmodified-Since": &src.IfUnmodifiedSince} {
		if v := h.Get(name); v != "" {
			if *t, err = http.ParseTime(v); err != nil {
				if *t, err = time.Parse(time.RFC3339, v); err != nil {
					return nil, awserr.New(awserr.InvalidArgument, "%s is not a valid date", name)
				}
			}
		}
	}
	return src, nil
}

type copyResult struct {
	XMLName      xml.Name
	Xmlns        string `xml:"xmlns,attr"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	checksumFields
}

func (s *Service) handleCopyObject(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target) error {
	src, err := copySource(r.Header)
	if err != nil {
		return err
	}
	put, err := putInput(r, t, nil)
	if err != nil {
		return err
	}
	alg, err := checksumAlgorithm(r.Header)
	if err != nil {
		return err
	}
	info, err := s.CopyObject(ctx, &CopyObjectInput{Source: *src, Bucket: t.Bucket, Key: t.Key, MetadataDirective: r.Header.Get("X-Amz-Metadata-Directive"),
		ContentType: put.ContentType, Metadata: put.Metadata, ACL: put.ACL, SSE: put.SSE, KMSKeyID: put.KMSKeyID, EncryptionCtx: put.EncryptionCtx,
		BucketKeyEnabled: put.BucketKeyEnabled, ChecksumAlgorithm: alg, TaggingDirective: r.Header.Get("X-Amz-Tagging-Directive"), Tags: put.Tags})
	if err != nil {
		return err
	}
	encryptionHeaders(w.Header(), info)
	return writeXML(w, http.StatusOK, copyResult{XMLName: xml.Name{Local: "CopyObjectResult"}, Xmlns: namespace, LastModified: s3Time(info.LastModified),
		ETag: info.ETag, checksumFields: info.Checksum.fields()})
}

func (s *Service) handleUploadPartCopy(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, n int) error {
	src, err := copySource(r.Header)
	if err != nil {
		return err
	}
	p, err := s.UploadPartCopy(ctx, &UploadPartCopyInput{Bucket: t.Bucket, Key: t.Key, UploadID: t.Query.Get("uploadId"), PartNumber: n, Source: *src})
	if err != nil {
		return err
	}
	sseHeaders(w.Header(), p.Encryption)
	return writeXML(w, http.StatusOK, copyResult{XMLName: xml.Name{Local: "CopyPartResult"}, Xmlns: namespace, LastModified: s3Time(p.LastModified),
		ETag: p.ETag, checksumFields: p.Checksum.fields()})
}
