package sigv4

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseAuthorization: any header either parses into a complete Auth or fails with KindMalformed
// (KindUnsupportedMechanism for Signature Version 2).
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("a", 64))
	f.Add("AWS4-HMAC-SHA256 Credential=111122223333/20261122/us-east-1/s3/aws4_request,SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date,Signature=" + strings.Repeat("0", 64))
	f.Add("AWS AKIA:sig")
	f.Add("AWS4-HMAC-SHA256 Credential=,,,=")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			if k := kindOf(err); a != nil || k != KindMalformed && k != KindUnsupportedMechanism {
				t.Fatalf("error %v with result %+v", err, a)
			}
			return
		}
		if a.AccessKeyID == "" || len(a.Date) != 8 || a.Region == "" || a.Service == "" || len(a.Signature) != 64 || len(a.SignedHeaders) == 0 {
			t.Fatalf("partial result %+v", a)
		}
	})
}

// FuzzParsePresigned: any query either parses completely or fails with KindMalformedQuery (or
// KindBadExpires).
func FuzzParsePresigned(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=111122223333%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + strings.Repeat("a", 64))
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=999999999")
	f.Add("X-Amz-Algorithm=x")
	f.Fuzz(func(t *testing.T, q string) {
		values, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		a, err := ParsePresigned(values)
		if err != nil {
			if k := kindOf(err); a != nil || k != KindMalformedQuery && k != KindBadExpires {
				t.Fatalf("error %v with result %+v", err, a)
			}
			return
		}
		if !a.Presigned || a.AccessKeyID == "" || a.AmzDate == "" || a.Expires < 0 || a.Expires > maxPresignExpires || len(a.Signature) != 64 {
			t.Fatalf("partial result %+v", a)
		}
	})
}

// FuzzChunked: the decoder never panics, and on success returns exactly the declared bytes, which
// for the unsigned seeds are the payload that was encoded.
func FuzzChunked(f *testing.F) {
	f.Add([]byte("5\r\nhello\r\n0\r\n\r\n"), false, false)
	f.Add([]byte(fmt.Sprintf("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", crc32Trailer([]byte("hello")))), false, true)
	f.Add([]byte("5;chunk-signature="+strings.Repeat("a", 64)+"\r\nhello\r\n0;chunk-signature="+strings.Repeat("b", 64)+"\r\n\r\n"), true, false)
	f.Add([]byte("fffffff\r\n"), false, false)
	f.Fuzz(func(t *testing.T, body []byte, signed, trailer bool) {
		var declared []string
		if trailer {
			declared = []string{"x-amz-checksum-crc32"}
		}
		key := DeriveKey(testSecret, "20261122", "us-east-1", "s3")
		r := NewChunkedReader(bytes.NewReader(body), signed, trailer, -1, declared, key, "20261122T120000Z", "20261122/us-east-1/s3/aws4_request", strings.Repeat("c", 64))
		out, err := io.ReadAll(r)
		if err != nil {
			if kindOf(err) == 0 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if int64(len(out)) != r.total {
			t.Fatalf("released %d bytes, decoded %d", len(out), r.total)
		}
		if trailer && r.Trailers()["x-amz-checksum-crc32"] != crc32Trailer(out) {
			t.Fatalf("accepted a body whose checksum does not match")
		}
	})
}

// FuzzCanonicalQuery: canonicalisation never panics and is deterministic.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("a=1&b=2&a=0&empty&x=%2F%20+")
	f.Add("%zz=1")
	f.Fuzz(func(t *testing.T, q string) {
		c1, err1 := canonicalQuery(q, false)
		c2, err2 := canonicalQuery(q, false)
		if c1 != c2 || (err1 == nil) != (err2 == nil) {
			t.Fatalf("not deterministic")
		}
		if err1 != nil && c1 != "" {
			t.Fatalf("partial result %q with error %v", c1, err1)
		}
	})
}
