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

// parseRange reads a single byte range (bytes=a-b, bytes=a-, bytes=-n) against the object's
// size; a header that is not a single byte range is ignored, as S3 does.
func parseRange(header string) func(size int64) (int64, int64, error) {
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
		return func(size int64) (int64, int64, error) { return max(size-end, 0), size - 1, nil }
	case errA == nil && b == "":
		end = -1
	case errA != nil || errB != nil || end < start:
		return nil
	}
	return func(size int64) (int64, int64, error) {
		if start >= size {
			return 0, 0, awserr.New(awserr.InvalidRange, "The requested range is not satisfiable")
		}
		if end < 0 || end >= size {
			end = size - 1
		}
		return start, end, nil
	}
}

// checkPreconditions applies If-Match, If-None-Match, If-Modified-Since and If-Unmodified-Since;
// notModified reports a 304.
func checkPreconditions(r *http.Request, o *ObjectInfo) (notModified bool, err error) {
	h := r.Header
	failed := func() error {
		return awserr.New(awserr.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
	}
	if m := h.Get("If-Match"); m != "" && m != o.ETag && m != "*" && strings.Trim(m, `"`) != strings.Trim(o.ETag, `"`) {
		return false, failed()
	}
	if t, err := http.ParseTime(h.Get("If-Unmodified-Since")); err == nil && h.Get("If-Match") == "" && o.LastModified.After(t) {
		return false, failed()
	}
	if m := h.Get("If-None-Match"); m != "" {
		return m == "*" || strings.Trim(m, `"`) == strings.Trim(o.ETag, `"`), nil
	}
	if t, err := http.ParseTime(h.Get("If-Modified-Since")); err == nil && !o.LastModified.After(t) {
		return true, nil
	}
	return false, nil
}

func (s *Service) handleGetObject(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, _ io.Reader) error {
	rng := parseRange(r.Header.Get("Range"))
	skip := false
	head := func(o *ObjectInfo, start, end int64) error {
		notModified, err := checkPreconditions(r, o)
		if err != nil {
			return err
		}
		h := w.Header()
		objectHeaders(h, o)
		tagCount(h, o.Tags)
		h.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
		h.Set("Accept-Ranges", "bytes")
		if rng == nil && strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			o.Checksum.set(h) // the whole object's checksum, only when asked for
		}
		if notModified {
			skip = true
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if o.ContentType != "" {
			h.Set("Content-Type", o.ContentType)
		} else {
			h.Set("Content-Type", "binary/octet-stream")
		}
		status := http.StatusOK
		if rng != nil {
			status = http.StatusPartialContent
			h.Set("Content-Range", "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(o.Size, 10))
		}
		h.Set("Content-Length", strconv.FormatInt(max(end-start+1, 0), 10))
		if r.Method == http.MethodHead {
			skip = true
		}
		w.WriteHeader(status)
		return nil
	}
	out := io.Writer(w)
	if r.Method == http.MethodHead {
		out = io.Discard
	}
	return s.GetObject(ctx, t.Bucket, t.Key, rng, head, writerUnless{out, &skip})
}

// writerUnless writes to w unless *skip.
type writerUnless struct {
	w    io.Writer
	skip *bool
}

func (u writerUnless) Write(p []byte) (int, error) {
	if *u.skip {
		return len(p), nil
	}
	return u.w.Write(p)
}

func (s *Service) handleDeleteObject(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	return respond(w, http.StatusNoContent, s.DeleteObject(ctx, t.Bucket, t.Key))
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key string `xml:"Key"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name `xml:"DeleteResult"`
	Xmlns   string   `xml:"xmlns,attr"`
	Deleted []struct {
		Key string `xml:"Key"`
	} `xml:"Deleted"`
	Errors []struct {
		Key     string `xml:"Key"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
}

// handleDeleteObjects deletes up to 1000 keys, each as DeleteObject (its own authorization),
// reporting each key's outcome; Quiet reports only the errors.
func (s *Service) handleDeleteObjects(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	var req deleteRequest
	if err := readXML(body, 2<<20, &req); err != nil {
		return err
	}
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return malformedXML()
	}
	out := deleteResult{Xmlns: namespace}
	for _, o := range req.Objects {
		if err := s.DeleteObject(ctx, t.Bucket, o.Key); err != nil {
			e, ok := awserr.As(err)
			if !ok {
				return err
			}
			if e.Code == awserr.NoSuchBucket {
				return err
			}
			out.Errors = append(out.Errors, struct {
				Key     string `xml:"Key"`
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			}{o.Key, string(e.Code), e.Message})
			continue
		}
		if !req.Quiet {
			out.Deleted = append(out.Deleted, struct {
				Key string `xml:"Key"`
			}{o.Key})
		}
	}
	return writeXML(w, http.StatusOK, out)
}
