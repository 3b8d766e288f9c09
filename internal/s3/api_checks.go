package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/checksum"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
)

// guard wraps an operation with the checks S3 makes of every request before it acts: integer
// query parameters, the enumerated and bounded headers, and the integrity headers (Content-MD5,
// x-amz-checksum-*), which it also verifies against the body as it is read, so that a body that
// does not match fails the read before the operation changes anything. PutObject and UploadPart
// verify their streamed bodies themselves (writePart), with the same errors.
func guard(name string, h restxml.Handler) restxml.Handler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.Target, body io.Reader) error {
		op := name
		if r.Header.Get("X-Amz-Copy-Source") != "" && name == "PutObject" {
			op = "CopyObject"
		}
		if err := checkQuery(t.Query); err != nil {
			return err
		}
		if err := checkHeaders(op, r.Header); err != nil {
			return err
		}
		v, err := integrityOf(r.Header)
		if err != nil {
			return err
		}
		if name == "DeleteObjects" && !v.present(r.Header) {
			return awserr.New(awserr.InvalidRequest, "Missing required header for this request: Content-MD5")
		}
		if name == "CompleteMultipartUpload" {
			// Its x-amz-checksum-<alg> is the checksum of the object the parts make (of type
			// x-amz-checksum-type, FULL_OBJECT or COMPOSITE), not of the XML body:
			// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
			v.alg, v.sum = "", ""
		}
		if name != "PutObject" && name != "UploadPart" {
			body = v.reader(body)
		}
		return h(ctx, w, r, t, body)
	}
}

// intParam is an integer query parameter: its range and S3's messages for a value that is not
// an integer and one out of range.
type intParam struct {
	min, max            int64
	notInteger, outside string
}

const maxInt32 = 1<<31 - 1

// intParams are the integer query parameters of S3's operations.
var intParams = map[string]intParam{
	"max-keys":           {0, maxInt32, "Provided max-keys not an integer or within integer range", "Argument maxKeys must be an integer between 0 and 2147483647"},
	"max-uploads":        {0, maxInt32, "Provided max-uploads not an integer or within integer range", "Argument max-uploads must be an integer between 0 and 2147483647"},
	"max-parts":          {0, maxInt32, "Provided max-parts not an integer or within integer range", "Argument max-parts must be an integer between 0 and 2147483647"},
	"part-number-marker": {0, maxInt32, "Provided part-number-marker not an integer or within integer range", "Argument partNumberMarker must be an integer between 0 and 2147483647"},
	"max-buckets":        {1, 10000, "Provided max-buckets not an integer or within integer range", "Argument max-buckets must be an integer between 1 and 10000"},
	"partNumber":         {1, 10000, "Part number must be an integer between 1 and 10000, inclusive", "Part number must be an integer between 1 and 10000, inclusive"},
}

// checkQuery validates the integer query parameters present. Errors: InvalidArgument.
func checkQuery(q map[string][]string) error {
	for name, p := range intParams {
		vs, ok := q[name]
		if !ok {
			continue
		}
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil || len(vs) > 1:
			return restxml.InvalidArgument(name, v, p.notInteger)
		case n < p.min || n > p.max:
			return restxml.InvalidArgument(name, v, p.outside)
		}
	}
	return nil
}

// cannedACLs are the operations that take x-amz-acl, with the canned ACLs each accepts.
var cannedACLs = map[string]map[string]bool{
	"CreateBucket": bucketCannedACLs, "PutBucketAcl": bucketCannedACLs,
	"PutObject": objectCannedACLs, "CopyObject": objectCannedACLs, "CreateMultipartUpload": objectCannedACLs, "PutObjectAcl": objectCannedACLs,
}

// objectWrites are the operations that set a new object's storage class and metadata.
var objectWrites = map[string]bool{"PutObject": true, "CopyObject": true, "CreateMultipartUpload": true}

// maxMetadata is the most user metadata an object may have: the bytes of its names and values.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html
const maxMetadata = 2 << 10

// checkHeaders validates the enumerated and bounded headers an operation takes.
// Errors: InvalidArgument (canned ACL), InvalidStorageClass, MetadataTooLarge.
func checkHeaders(name string, h http.Header) error {
	if acls, ok := cannedACLs[name]; ok {
		if v, set := h["X-Amz-Acl"]; set && (len(v) != 1 || !acls[v[0]]) {
			return restxml.InvalidArgument("x-amz-acl", strings.Join(v, ","), "")
		}
	}
	if !objectWrites[name] {
		return nil
	}
	if v, set := h["X-Amz-Storage-Class"]; set && (len(v) != 1 || !storageClasses[v[0]]) {
		return awserr.New(codeInvalidStorageClass, "The storage class you specified is not valid")
	}
	size := 0
	for k, vs := range h {
		if m, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-"); ok {
			for _, v := range vs {
				size += len(m) + len(v)
			}
		}
	}
	if size > maxMetadata {
		return awserr.New(codeMetadataTooLarge, "Your metadata headers exceed the maximum allowed metadata size")
	}
	return nil
}

// integrity is what a request's headers say its body must hash to.
type integrity struct {
	md5      []byte // Content-MD5, decoded
	alg, sum string // x-amz-checksum-<alg> and its value
}

// integrityOf reads and validates the integrity headers. Errors: InvalidDigest (Content-MD5 not
// 16 bytes of base64), InvalidRequest (checksum headers).
func integrityOf(h http.Header) (integrity, error) {
	var v integrity
	if m, ok := h["Content-Md5"]; ok {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(m, ""))
		if err != nil || len(m) != 1 || len(raw) != md5.Size {
			return v, awserr.New(awserr.InvalidDigest, "The Content-MD5 you specified was invalid.")
		}
		v.md5 = raw
	}
	alg, sum, err := requestChecksum(h)
	if err == nil {
		err = checkChecksum(alg, sum)
	}
	v.alg, v.sum = alg, sum
	return v, err
}

// present reports whether the request carries an integrity check of its body: Content-MD5, an
// x-amz-checksum-* header, or a checksum trailer (verified by the aws-chunked decoder). S3
// requires one for DeleteObjects: "The Content-MD5 or x-amz-sdk-checksum-algorithm header is
// required for all Multi-Object Delete requests."
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
func (v integrity) present(h http.Header) bool {
	return v.md5 != nil || v.sum != "" || strings.HasPrefix(strings.ToLower(h.Get("X-Amz-Trailer")), "x-amz-checksum-")
}

// reader returns body checked against the integrity headers: at its end, a mismatch is a
// BadDigest error in place of io.EOF.
func (v integrity) reader(body io.Reader) io.Reader {
	if v.md5 == nil && v.sum == "" {
		return body
	}
	r := &verifyingReader{r: body, v: v}
	if v.md5 != nil {
		r.md5 = md5.New()
	}
	if v.sum != "" {
		r.sum = checksum.New(v.alg)
	}
	return r
}

type verifyingReader struct {
	r        io.Reader
	v        integrity
	md5, sum hash.Hash
}

func (r *verifyingReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	for _, h := range []hash.Hash{r.md5, r.sum} {
		if h != nil {
			h.Write(p[:n])
		}
	}
	if err != io.EOF {
		return n, err
	}
	if r.md5 != nil && !bytes.Equal(r.md5.Sum(nil), r.v.md5) {
		return n, awserr.New(awserr.BadDigest, "The Content-MD5 you specified did not match what we received.")
	}
	if r.sum != nil && checksum.Value(r.sum) != r.v.sum {
		return n, awserr.New(awserr.BadDigest, "The %s you specified did not match the calculated checksum.", strings.ToUpper(r.v.alg))
	}
	return n, io.EOF
}

// maxXMLDepth bounds the nesting of an XML request body; S3's request schemas nest a few levels.
const maxXMLDepth = 32

// readXML reads an XML request body of at most max bytes into v. Errors: MalformedXML (too
// large, too deep, not well-formed, not the expected document), IncompleteBody, BadDigest.
func readXML(body io.Reader, limit int64, v any) error {
	raw, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return err
	}
	if int64(len(raw)) > limit {
		return malformedXML()
	}
	return decodeXML(raw, v)
}

// decodeXML decodes an XML document no deeper than maxXMLDepth. Errors: MalformedXML.
func decodeXML(raw []byte, v any) error {
	d := xml.NewDecoder(bytes.NewReader(raw))
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return malformedXML()
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxXMLDepth {
				return malformedXML()
			}
		case xml.EndElement:
			depth--
		}
	}
	if err := xml.Unmarshal(raw, v); err != nil {
		return malformedXML()
	}
	return nil
}

// continuationToken is ListObjectsV2's token for a page that starts after a key: the key behind
// a CRC-32 of the bucket and key, so that a token S3 did not give out is refused, not obeyed.
func continuationToken(bucket, after string) string {
	b := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(bucket+"/"+after)))
	return base64.RawURLEncoding.EncodeToString(append(b, after...))
}

// readContinuationToken returns the key a continuation token starts after. Errors: InvalidArgument.
func readContinuationToken(bucket, tok string) (string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 4 || binary.BigEndian.Uint32(raw) != crc32.ChecksumIEEE([]byte(bucket+"/"+string(raw[4:]))) {
		return "", restxml.InvalidArgument("continuation-token", tok, "The continuation token provided is incorrect")
	}
	return string(raw[4:]), nil
}

// header is the checksum's header name, e.g. X-Amz-Checksum-Crc32.
func (c *Checksum) header() string { return http.CanonicalHeaderKey("x-amz-checksum-" + c.Algorithm) }

// set writes the checksum's header, if there is a checksum.
func (c *Checksum) set(h http.Header) {
	if c != nil && c.Algorithm != "" {
		h.Set(c.header(), c.Value)
	}
}

// requestChecksum reads the checksum a write declares: an x-amz-checksum-<alg> header (its value
// is verified as the body is stored) or a trailer named in X-Amz-Trailer (the gateway verifies its
// value; S3 computes the same checksum to keep it). Errors: InvalidRequest.
func requestChecksum(h http.Header) (alg, value string, err error) {
	for _, a := range checksum.Algorithms {
		v := h.Values("X-Amz-Checksum-" + a)
		if len(v) == 0 {
			continue
		}
		if alg != "" || len(v) > 1 {
			return "", "", awserr.New(awserr.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		alg, value = a, v[0]
	}
	if alg == "" {
		for _, t := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
			if a, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-"); ok && checksum.New(a) != nil {
				alg = a
			}
		}
	}
	if sdk := h.Get("X-Amz-Sdk-Checksum-Algorithm"); sdk != "" && alg == "" {
		return "", "", awserr.New(awserr.InvalidRequest, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}
	// An algorithm header that names another algorithm than the checksum sent is refused, as S3
	// does (captured in https://github.com/versity/versitygw/issues/1598).
	for _, name := range []string{"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Algorithm"} {
		if a := h.Get(name); a != "" && alg != "" && !strings.EqualFold(a, alg) {
			return "", "", awserr.New(awserr.InvalidRequest, "Value for %s header is invalid.", strings.ToLower(name))
		}
	}
	return alg, value, nil
}

// checksumAlgorithm reads CreateMultipartUpload's x-amz-checksum-algorithm (CRC32, …), lower-cased.
func checksumAlgorithm(h http.Header) (string, error) {
	a := h.Get("X-Amz-Checksum-Algorithm")
	if a == "" {
		return "", nil
	}
	return strings.ToLower(a), checkChecksum(a, "")
}

// checksumFields are the Checksum<ALG> elements of an XML result.
type checksumFields struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// fields is the checksum as XML elements.
func (c *Checksum) fields() checksumFields {
	var f checksumFields
	if c == nil {
		return f
	}
	switch c.Algorithm {
	case "crc32":
		f.ChecksumCRC32 = c.Value
	case "crc32c":
		f.ChecksumCRC32C = c.Value
	case "crc64nvme":
		f.ChecksumCRC64NVME = c.Value
	case "sha1":
		f.ChecksumSHA1 = c.Value
	case "sha256":
		f.ChecksumSHA256 = c.Value
	}
	return f
}

// guardControl applies to an S3 Control operation the checks every S3 operation's request
// passes before it acts: bounded query parameters, and Content-MD5 or x-amz-checksum-* checked
// against the body.
func guardControl(_ string, h restxml.ControlHandler) restxml.ControlHandler {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, t restxml.ControlTarget, body io.Reader) error {
		if err := checkQuery(r.URL.Query()); err != nil {
			return err
		}
		v, err := integrityOf(r.Header)
		if err != nil {
			return err
		}
		return h(ctx, w, r, t, v.reader(body))
	}
}
