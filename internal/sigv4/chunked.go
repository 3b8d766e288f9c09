package sigv4

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/checksum"
)

// Limits of the aws-chunked decoder.
const (
	maxChunkSize  = 16 << 20 // a chunk is buffered whole until its signature checks out
	maxLineLength = 4096
	maxTrailers   = 16
)

// Body returns the request body decoded and checked according to the payload hash it was signed
// with: a hex SHA-256 is compared at EOF, UNSIGNED-PAYLOAD passes through, and the STREAMING-*
// forms are decoded from aws-chunked with every chunk (and trailer) signature verified. An
// aws-chunked request whose headers S3 refuses (DeclaredTrailers) fails before any byte is read.
func (vf *Verified) Body(r *http.Request, payloadHash string) (io.Reader, error) {
	switch payloadHash {
	case UnsignedPayload:
		return r.Body, nil
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedTrailer:
		decoded := int64(-1)
		if s := r.Header.Get("X-Amz-Decoded-Content-Length"); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return nil, errorf(KindIncompleteBody, "X-Amz-Decoded-Content-Length is not a valid length")
			}
			decoded = n
		}
		trailers, err := DeclaredTrailers(r.Header)
		if err != nil {
			return nil, err
		}
		return NewChunkedReader(r.Body, payloadHash != StreamingUnsignedTrailer, payloadHash != StreamingPayload,
			decoded, trailers, vf.key, vf.Auth.AmzDate, vf.Auth.Scope(), vf.Auth.Signature), nil
	default:
		return NewSHA256Reader(r.Body, payloadHash), nil
	}
}

// Messages S3 answers an aws-chunked request's headers with (InvalidRequest, MalformedTrailerError).
const (
	msgTrailerUnsupported = "The value specified in the x-amz-trailer header is not supported"
	msgMalformedTrailer   = "The request contained trailing data that was not well-formed or did not conform to our published schema."
)

// DeclaredTrailers returns the trailers an aws-chunked request's X-Amz-Trailer names, lower-cased.
// S3 carries only checksums in trailers: any other name, or a checksum algorithm S3 does not know
// (x-amz-checksum-foo), is KindInvalidRequest; so is an x-amz-sdk-checksum-algorithm or
// x-amz-checksum-algorithm header naming another algorithm than the trailer's
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
func DeclaredTrailers(h http.Header) ([]string, error) {
	var trailers []string
	for _, t := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" {
			continue
		}
		if !strings.HasPrefix(t, "x-amz-checksum-") || checksum.New(t) == nil {
			return nil, errorf(KindInvalidRequest, msgTrailerUnsupported)
		}
		trailers = append(trailers, t)
	}
	for _, name := range []string{"X-Amz-Sdk-Checksum-Algorithm", "X-Amz-Checksum-Algorithm"} {
		alg := strings.ToLower(h.Get(name))
		if alg == "" {
			continue
		}
		for _, t := range trailers {
			if t != "x-amz-checksum-"+alg {
				return nil, errorf(KindInvalidRequest, "Value for "+strings.ToLower(name)+" header is invalid.")
			}
		}
	}
	return trailers, nil
}

// ChunkedReader decodes an aws-chunked body. A chunk's bytes are released only after its signature
// (signed modes) has been verified; the final chunk, the trailer signature, the declared checksums
// and X-Amz-Decoded-Content-Length are checked before EOF is returned.
type ChunkedReader struct {
	br         *bufio.Reader
	signed     bool
	trailer    bool
	decodedLen int64
	declared   []string

	key                     []byte
	amzDate, scope, prevSig string

	buf      []byte
	pos      int
	total    int64
	sums     map[string]hash.Hash
	trailers map[string]string
	done     bool
	err      error
}

// NewChunkedReader decodes an aws-chunked body in the given mode. For signed modes, key is the
// derived signing key, and amzDate, scope and seed the request's timestamp, scope and signature.
func NewChunkedReader(body io.Reader, signed, trailer bool, decodedLen int64, declaredTrailers []string, key []byte, amzDate, scope, seed string) *ChunkedReader {
	return &ChunkedReader{br: bufio.NewReaderSize(body, 64<<10), signed: signed, trailer: trailer, decodedLen: decodedLen,
		declared: declaredTrailers, key: key, amzDate: amzDate, scope: scope, prevSig: seed}
}

// Trailers returns the trailing headers, once Read has returned io.EOF.
func (c *ChunkedReader) Trailers() map[string]string { return c.trailers }

// Read implements io.Reader.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for c.pos >= len(c.buf) {
		if c.err != nil {
			return 0, c.err
		}
		if c.done {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			c.err, c.buf, c.pos = err, nil, 0
			return 0, err
		}
	}
	n := copy(p, c.buf[c.pos:])
	c.pos += n
	return n, nil
}

func incomplete(msg string) error { return errorf(KindIncompleteBody, msg) }

// next reads, verifies and buffers the next chunk.
func (c *ChunkedReader) next() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeStr, ext, hasExt := strings.Cut(line, ";")
	size, err := strconv.ParseInt(sizeStr, 16, 64)
	if err != nil || size < 0 || sizeStr == "" || len(sizeStr) > 8 {
		return incomplete("aws-chunked: invalid chunk size " + quoteShort(sizeStr))
	}
	if size > maxChunkSize {
		return incomplete("aws-chunked: chunk larger than 16 MiB")
	}
	var sig string
	if c.signed {
		v, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !hasExt || !ok || len(v) != 64 || !isLowerHex(v) {
			return incomplete("aws-chunked: a chunk must carry chunk-signature=<64 hex>")
		}
		sig = v
	}
	if cap(c.buf) < int(size) {
		c.buf = make([]byte, size)
	}
	c.buf, c.pos = c.buf[:size], 0
	if _, err := io.ReadFull(c.br, c.buf); err != nil {
		return incomplete("aws-chunked: the body ended inside a chunk")
	}
	if size > 0 {
		if crlf, err := c.readN(2); err != nil || crlf != "\r\n" {
			return incomplete("aws-chunked: a chunk's data must end with CRLF")
		}
	}
	if c.signed {
		sum := sha256.Sum256(c.buf)
		sts := c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])
		if !c.checkSig("AWS4-HMAC-SHA256-PAYLOAD\n"+sts, sig) {
			return errorf(KindSignatureMismatch, "The chunk signature we calculated does not match the signature you provided.")
		}
		c.prevSig = sig
	}
	c.total += size
	if c.decodedLen >= 0 && c.total > c.decodedLen {
		return incomplete("aws-chunked: the body is longer than X-Amz-Decoded-Content-Length")
	}
	if size > 0 {
		c.updateSums(c.buf)
		return nil
	}
	return c.finish()
}

func (c *ChunkedReader) updateSums(data []byte) {
	if c.sums == nil {
		c.sums = map[string]hash.Hash{}
		for _, t := range c.declared {
			if h := checksum.New(t); h != nil {
				c.sums[t] = h
			}
		}
	}
	for _, h := range c.sums {
		h.Write(data)
	}
}

// finish reads the trailers (if any), checks them and the decoded length, and the end of the body.
func (c *ChunkedReader) finish() error {
	c.updateSums(nil)
	c.trailers = map[string]string{}
	var canon strings.Builder
	var trailerSig string
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if !c.trailer {
			return incomplete("aws-chunked: unexpected data after the final chunk")
		}
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if !ok || name == "" {
			return incomplete("aws-chunked: malformed trailer " + quoteShort(line))
		}
		if name == "x-amz-trailer-signature" {
			trailerSig = value
			continue
		}
		if _, dup := c.trailers[name]; dup || len(c.trailers) >= maxTrailers {
			return incomplete("aws-chunked: repeated or too many trailers")
		}
		if !slices.Contains(c.declared, name) {
			return errorf(KindMalformedTrailer, msgMalformedTrailer)
		}
		c.trailers[name] = value
		canon.WriteString(name + ":" + value + "\n")
	}
	if c.signed && c.trailer {
		if len(trailerSig) != 64 || !isLowerHex(trailerSig) {
			return incomplete("aws-chunked: missing x-amz-trailer-signature")
		}
		sum := sha256.Sum256([]byte(canon.String()))
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n" + c.prevSig + "\n" + hex.EncodeToString(sum[:])
		if !c.checkSig(sts, trailerSig) {
			return errorf(KindSignatureMismatch, "The trailer signature we calculated does not match the signature you provided.")
		}
	}
	if c.decodedLen >= 0 && c.total != c.decodedLen {
		return incomplete("aws-chunked: the body is shorter than X-Amz-Decoded-Content-Length")
	}
	for _, name := range c.declared {
		value, ok := c.trailers[name]
		if !ok {
			return errorf(KindMalformedTrailer, msgMalformedTrailer)
		}
		if h := c.sums[name]; h != nil {
			// Compare canonical encodings: the decoder would skip stray CR/LF in value.
			if value != checksum.Value(h) {
				alg := strings.ToUpper(strings.TrimPrefix(name, "x-amz-checksum-"))
				return errorf(KindBadDigest, "The "+alg+" you specified did not match the calculated checksum.")
			}
		}
	}
	if _, err := c.br.ReadByte(); err != io.EOF {
		return incomplete("aws-chunked: unexpected data after the end of the body")
	}
	c.done = true
	return nil
}

func (c *ChunkedReader) checkSig(stringToSign, sig string) bool {
	want, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, c.key)
	m.Write([]byte(stringToSign))
	return hmac.Equal(m.Sum(nil), want)
}

// readLine reads a CRLF-terminated line (without the CRLF) of at most maxLineLength bytes.
func (c *ChunkedReader) readLine() (string, error) {
	var b []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		b = append(b, frag...)
		if len(b) > maxLineLength {
			return "", incomplete("aws-chunked: line too long")
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return "", incomplete("aws-chunked: the body ended before the final chunk")
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", incomplete("aws-chunked: lines must end with CRLF")
	}
	return string(b[:len(b)-2]), nil
}

func (c *ChunkedReader) readN(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(c.br, b); err != nil {
		return "", err
	}
	return string(b), nil
}

// SHA256Reader passes a body through and, at EOF, fails with KindContentSHA256Mismatch unless the
// body hashed to the expected hex SHA-256.
type SHA256Reader struct {
	r    io.Reader
	h    hash.Hash
	want string
	err  error
}

// NewSHA256Reader checks body against wantHex (case-insensitive) as it is read.
func NewSHA256Reader(body io.Reader, wantHex string) *SHA256Reader {
	return &SHA256Reader{r: body, h: sha256.New(), want: strings.ToLower(wantHex)}
}

// Read implements io.Reader.
func (s *SHA256Reader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.h.Write(p[:n])
	if err == io.EOF {
		if hex.EncodeToString(s.h.Sum(nil)) != s.want {
			s.err = ErrContentSHA256Mismatch
			return n, s.err
		}
		s.err = io.EOF
	}
	return n, err
}
