package s3

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

// putInput reads a write's headers: content type and MD5, canned ACL, encryption, metadata.
func putInput(r *http.Request, t restxml.Target, body io.Reader) (*PutObjectInput, error) {
	h := r.Header
	in := &PutObjectInput{Bucket: t.Bucket, Key: t.Key, Body: body, ContentType: h.Get("Content-Type"), ContentMD5: h.Get("Content-Md5"),
		ACL: h.Get("X-Amz-Acl"), SSE: h.Get("X-Amz-Server-Side-Encryption"), KMSKeyID: h.Get("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"),
		EncryptionCtx: h.Get("X-Amz-Server-Side-Encryption-Context")}
	if v := h.Get("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"); v != "" {
		b := strings.EqualFold(v, "true")
		in.BucketKeyEnabled = &b
	}
	var err error
	if in.ChecksumAlgorithm, in.Checksum, err = requestChecksum(h); err != nil {
		return nil, err
	}
	if in.Tags, err = taggingHeader(h.Get("X-Amz-Tagging")); err != nil {
		return nil, err
	}
	for name, v := range h {
		if m, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok && len(v) > 0 {
			if in.Metadata == nil {
				in.Metadata = map[string]string{}
			}
			in.Metadata[m] = v[0]
		}
	}
	return in, nil
}

func (s *Service) handlePutObject(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, body io.Reader) error {
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		return s.handleCopyObject(ctx, w, r, t)
	}
	in, err := putInput(r, t, body)
	if err != nil {
		return err
	}
	info, err := s.PutObject(ctx, in)
	if err != nil {
		return err
	}
	objectHeaders(w.Header(), info)
	info.Checksum.set(w.Header())
	w.WriteHeader(http.StatusOK)
	return nil
}

// objectHeaders sets the headers that describe an object: ETag, encryption and metadata.
func objectHeaders(h http.Header, o *ObjectInfo) {
	h.Set("ETag", o.ETag)
	encryptionHeaders(h, o)
	// S3 answers metadata names in lower case, as stored; SDKs keep the case they receive.
	for k, v := range o.Metadata {
		h["x-amz-meta-"+strings.ToLower(k)] = []string{v}
	}
}

// encryptionHeaders sets the headers that say how an object is encrypted (the KMS key as its ARN).
func encryptionHeaders(h http.Header, o *ObjectInfo) {
	h.Set("X-Amz-Server-Side-Encryption", o.SSE)
	if o.KMSKey != "" {
		h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", o.KMSKey)
		h.Set("X-Amz-Server-Side-Encryption-Bucket-Key-Enabled", strconv.FormatBool(o.BucketKey))
	}
}

// taggingHeader reads x-amz-tagging: URL query parameters, one per tag, sorted by key.
// Errors: InvalidArgument.
func taggingHeader(v string) ([]Tag, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, awserr.New(awserr.InvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []Tag
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, awserr.New(awserr.InvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		tags = append(tags, Tag{Key: k, Value: vs[0]})
	}
	slices.SortFunc(tags, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return tags, checkTags(tags, maxObjectTags, "Object")
}

// parseRange reads a single byte range (bytes=a-b, bytes=a-, bytes=-n); a header that is not a
// single byte range is ignored (nil), as S3 does.
func parseRange(header string) *ByteRange {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	a, b, ok := strings.Cut(spec, "-")
	if !ok {
		return nil
	}
	start, errA := strconv.ParseInt(a, 10, 64)
	end, errB := strconv.ParseInt(b, 10, 64)
	switch {
	case a == "" && errB == nil && end > 0: // the last n bytes
		return &ByteRange{Suffix: end}
	case errA == nil && b == "":
		end = -1
	case errA != nil || errB != nil || end < start:
		return nil
	}
	return &ByteRange{First: start, Last: end}
}

// conditions reads If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since; a date
// that does not parse is no condition.
func conditions(h http.Header) Conditions {
	cd := Conditions{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
	if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil {
		cd.IfModifiedSince = t
	}
	if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil {
		cd.IfUnmodifiedSince = t
	}
	return cd
}

// handleGetObject serves GetObject and HeadObject: the object's headers, then (GET) its bytes.
func (s *Service) handleGetObject(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, _ io.Reader) error {
	in := &GetObjectInput{Bucket: t.Bucket, Key: t.Key, Range: parseRange(r.Header.Get("Range")), Conditions: conditions(r.Header)}
	var out *GetObjectOutput
	var err error
	if r.Method == http.MethodHead {
		var head *HeadObjectOutput
		head, err = s.HeadObject(ctx, (*HeadObjectInput)(in))
		out = (*GetObjectOutput)(head)
	} else {
		out, err = s.GetObject(ctx, in)
	}
	if err != nil {
		return err
	}
	if out.Body != nil {
		defer func() { _ = out.Body.Close() }() // a pipe's reader: Close always returns nil
	}
	h := w.Header()
	objectHeaders(h, &out.ObjectInfo)
	tagCount(h, out.Tags)
	h.Set("Last-Modified", out.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	if !out.Ranged && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		out.Checksum.set(h) // the whole object's checksum, only when asked for
	}
	if out.NotModified {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if out.ContentType != "" {
		h.Set("Content-Type", out.ContentType)
	} else {
		h.Set("Content-Type", "binary/octet-stream")
	}
	status := http.StatusOK
	if out.Ranged {
		status = http.StatusPartialContent
		h.Set("Content-Range", "bytes "+strconv.FormatInt(out.First, 10)+"-"+strconv.FormatInt(out.Last, 10)+"/"+strconv.FormatInt(out.Size, 10))
	}
	h.Set("Content-Length", strconv.FormatInt(max(out.Last-out.First+1, 0), 10))
	w.WriteHeader(status)
	if out.Body == nil {
		return nil
	}
	_, err = io.Copy(w, out.Body)
	return err
}

// tagCount sets x-amz-tagging-count, as GetObject and HeadObject do for a tagged object.
func tagCount(h http.Header, tags []Tag) {
	if len(tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(tags)))
	}
}

func (s *Service) handleDeleteObject(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	_, err := s.DeleteObject(ctx, &DeleteObjectInput{Bucket: t.Bucket, Key: t.Key})
	return respond(w, http.StatusNoContent, err)
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deletedKey struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

type deleteErrorXML struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name         `xml:"DeleteResult"`
	Xmlns   string           `xml:"xmlns,attr"`
	Deleted []deletedKey     `xml:"Deleted"`
	Errors  []deleteErrorXML `xml:"Error"`
}

// handleDeleteObjects deletes up to 1000 keys, each as DeleteObject, reporting each key's outcome.
func (s *Service) handleDeleteObjects(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	var req deleteRequest
	if err := readXML(body, 2<<20, &req); err != nil {
		return err
	}
	in := &DeleteObjectsInput{Bucket: t.Bucket, Quiet: req.Quiet}
	for _, o := range req.Objects {
		in.Keys = append(in.Keys, o.Key)
		in.Versions = append(in.Versions, o.VersionID)
	}
	out, err := s.DeleteObjects(ctx, in)
	if err != nil {
		return err
	}
	res := deleteResult{Xmlns: namespace}
	for _, d := range out.Deleted {
		res.Deleted = append(res.Deleted, deletedKey{d.Key, d.VersionID})
	}
	for _, e := range out.Errors {
		res.Errors = append(res.Errors, deleteErrorXML(e))
	}
	return writeXML(w, http.StatusOK, res)
}
