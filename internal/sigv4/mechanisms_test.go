package sigv4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// presignedQuery is the query of a valid presigned URL (an hour, signed at fixedNow).
func presignedQuery(t *testing.T) url.Values {
	t.Helper()
	return presign(t, time.Hour, fixedNow).URL.Query()
}

// withQuery returns a GET of /bucket/key with the query q and the headers h.
func withQuery(q url.Values, h map[string]string) *http.Request {
	r, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bucket/key?"+q.Encode(), nil)
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return r
}

// S3 refuses Signature Version 2 in both forms, and more than one authentication mechanism.
func TestParseRequestMechanisms(t *testing.T) {
	v2 := url.Values{"AWSAccessKeyId": {testAccount}, "Expires": {"1893456000"}, "Signature": {"dGVzdA=="}}
	header := "AWS4-HMAC-SHA256 Credential=" + testAccount + "/20261122/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("a", 64)
	amzDate := map[string]string{"X-Amz-Date": "20261122T120000Z"}
	cases := []struct {
		name  string
		req   *http.Request
		want  Kind // 0: parses
		msg   string
		value string
	}{
		{"SigV2 query", withQuery(v2, nil), KindUnsupportedMechanism, msgSigV2Unsupported, ""},
		{"SigV2 query, Signature alone", withQuery(url.Values{"Signature": {"x"}}, nil), KindUnsupportedMechanism, msgSigV2Unsupported, ""},
		{"SigV2 header", withQuery(nil, map[string]string{"Authorization": "AWS " + testAccount + ":dGVzdA==", "Date": "Sun, 22 Nov 2026 12:00:00 GMT"}), KindUnsupportedMechanism, msgSigV2Unsupported, ""},
		{"presigned URL and Authorization header", withQuery(presignedQuery(t), map[string]string{"Authorization": "Bearer token"}), KindMultipleMechanisms, msgMultipleMechanisms, "Bearer token"},
		{"SigV4 header and SigV2 query", withQuery(v2, map[string]string{"Authorization": header, "X-Amz-Date": "20261122T120000Z"}), KindMultipleMechanisms, msgMultipleMechanisms, header},
		{"SigV4 and SigV2 query", withQuery(mergeValues(presignedQuery(t), v2), nil), KindMultipleMechanisms, msgMultipleMechanisms, ""},
		{"SigV4 header", withQuery(url.Values{"prefix": {"Signature"}, "X-Amz-Algorithmic": {"x"}}, map[string]string{"Authorization": header, "X-Amz-Date": amzDate["X-Amz-Date"]}), 0, "", ""},
		{"presigned URL", withQuery(presignedQuery(t), nil), 0, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ParseRequest(c.req)
			if c.want == 0 {
				if err != nil || a == nil {
					t.Fatalf("ParseRequest = %+v, %v; want authentication", a, err)
				}
				return
			}
			e, _ := err.(*Error)
			if a != nil || e == nil || e.Kind != c.want || e.Message != c.msg || e.Value != c.value {
				t.Fatalf("ParseRequest = %+v, %#v; want kind %d %q (value %q)", a, err, c.want, c.msg, c.value)
			}
		})
	}
	if a, err := ParseRequest(withQuery(url.Values{"prefix": {"Signature=x"}}, nil)); a != nil || err != nil {
		t.Fatalf("anonymous request with a Signature-looking value: %+v, %v", a, err)
	}
}

func mergeValues(a, b url.Values) url.Values {
	for k, v := range b {
		a[k] = v
	}
	return a
}

// Every presigned-query failure is S3's AuthorizationQueryParametersError (KindMalformedQuery or,
// for X-Amz-Expires, KindBadExpires) with the message S3 gives.
func TestParsePresignedErrors(t *testing.T) {
	cases := []struct {
		name, param, value string // value "": the parameter is removed
		want               Kind
		msg                string
	}{
		{"no algorithm", "X-Amz-Algorithm", "", KindMalformedQuery, msgQueryParamsMissing},
		{"no credential", "X-Amz-Credential", "", KindMalformedQuery, msgQueryParamsMissing},
		{"no date", "X-Amz-Date", "", KindMalformedQuery, msgQueryParamsMissing},
		{"no signed headers", "X-Amz-SignedHeaders", "", KindMalformedQuery, msgQueryParamsMissing},
		{"no signature", "X-Amz-Signature", "", KindMalformedQuery, msgQueryParamsMissing},
		{"no expires", "X-Amz-Expires", "", KindMalformedQuery, msgQueryParamsMissing},
		{"other algorithm", "X-Amz-Algorithm", "AWS4-HMAC-SHA512", KindMalformedQuery, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`},
		{"short credential", "X-Amz-Credential", testAccount + "/20261122/us-east-1/s3", KindMalformedQuery,
			`Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`},
		{"credential terminal", "X-Amz-Credential", testAccount + "/20261122/us-east-1/s3/aws5_request", KindMalformedQuery,
			`Error parsing the X-Amz-Credential parameter; incorrect terminal "aws5_request". This endpoint uses "aws4_request".`},
		{"credential date", "X-Amz-Credential", testAccount + "/2026-11-22/us-east-1/s3/aws4_request", KindMalformedQuery,
			`Error parsing the X-Amz-Credential parameter; incorrect date format "2026-11-22". This date in the credential must be in the format "yyyyMMdd".`},
		{"date", "X-Amz-Date", "2026-11-22T12:00:00Z", KindMalformedQuery, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`},
		{"signed headers without host", "X-Amz-SignedHeaders", "x-amz-date", KindMalformedQuery, "'Host' must be a 'SignedHeader' in the AWS Authorization."},
		{"expires over a week", "X-Amz-Expires", "604801", KindBadExpires, "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"expires overflowing", "X-Amz-Expires", "99999999999999999999999", KindBadExpires, "X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"negative expires", "X-Amz-Expires", "-1", KindBadExpires, "X-Amz-Expires must be non-negative"},
		{"non-numeric expires", "X-Amz-Expires", "soon", KindBadExpires, "X-Amz-Expires should be a number"},
		{"signed expires", "X-Amz-Expires", "+60", KindBadExpires, "X-Amz-Expires should be a number"},
		{"a week", "X-Amz-Expires", "604800", 0, ""},
		{"zero", "X-Amz-Expires", "0", 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := presignedQuery(t)
			if c.value == "" {
				q.Del(c.param)
			} else {
				q.Set(c.param, c.value)
			}
			a, err := ParsePresigned(q)
			if c.want == 0 {
				if err != nil {
					t.Fatalf("ParsePresigned: %v", err)
				}
				return
			}
			e, _ := err.(*Error)
			if a != nil || e == nil || e.Kind != c.want || e.Message != c.msg {
				t.Fatalf("ParsePresigned = %+v, %v; want kind %d %q", a, err, c.want, c.msg)
			}
		})
	}
}

// A presigned URL valid for 0 seconds has expired when used; one whose scope date is not its
// X-Amz-Date's is an AuthorizationQueryParametersError.
func TestPresignedTimeErrors(t *testing.T) {
	v := newVerifier()
	zero := presign(t, 0, fixedNow.Add(-time.Second))
	if _, err := verify(t, v, zero, UnsignedPayload); kindOf(err) != KindPresignExpired {
		t.Fatalf("X-Amz-Expires=0: err = %v, want KindPresignExpired", err)
	}
	r := presign(t, time.Hour, fixedNow)
	q := r.URL.Query()
	q.Set("X-Amz-Date", "20261121T120000Z")
	r.URL.RawQuery = q.Encode()
	_, err := verify(t, v, r, UnsignedPayload)
	if e, _ := err.(*Error); e == nil || e.Kind != KindMalformedQuery || e.Message != `Invalid credential date "20261122". This date is not the same as X-Amz-Date: "20261121".` {
		t.Fatalf("date mismatch: err = %v", err)
	}
}

// X-Amz-Trailer may name only checksums S3 knows, and the checksum algorithm headers must agree
// with it.
func TestDeclaredTrailers(t *testing.T) {
	cases := []struct {
		name    string
		headers map[string]string
		want    []string
		msg     string // "": no error
	}{
		{"none", nil, nil, ""},
		{"crc32", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, []string{"x-amz-checksum-crc32"}, ""},
		{"sdk algorithm agrees", map[string]string{"X-Amz-Trailer": "X-Amz-Checksum-Sha256", "X-Amz-Sdk-Checksum-Algorithm": "SHA256"}, []string{"x-amz-checksum-sha256"}, ""},
		{"unknown checksum", map[string]string{"X-Amz-Trailer": "x-amz-checksum-foo"}, nil, msgTrailerUnsupported},
		{"not a checksum", map[string]string{"X-Amz-Trailer": "x-amz-meta-foo"}, nil, msgTrailerUnsupported},
		{"one unknown among two", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32, x-amz-checksum-md5"}, nil, msgTrailerUnsupported},
		{"sdk algorithm disagrees", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32", "X-Amz-Sdk-Checksum-Algorithm": "SHA1"}, nil,
			"Value for x-amz-sdk-checksum-algorithm header is invalid."},
		{"checksum algorithm disagrees", map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32c", "X-Amz-Checksum-Algorithm": "CRC32"}, nil,
			"Value for x-amz-checksum-algorithm header is invalid."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range c.headers {
				h.Set(k, v)
			}
			got, err := DeclaredTrailers(h)
			if c.msg == "" {
				if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("DeclaredTrailers = %v, %v; want %v", got, err, c.want)
				}
				return
			}
			if e, _ := err.(*Error); e == nil || e.Kind != KindInvalidRequest || e.Message != c.msg || got != nil {
				t.Fatalf("DeclaredTrailers = %v, %v; want InvalidRequest %q", got, err, c.msg)
			}
		})
	}
}

// A streaming body whose headers S3 refuses fails before a byte of it is read.
func TestBodyRefusesUnknownTrailer(t *testing.T) {
	payload := "hello"
	enc := fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-foo:AAAA\r\n\r\n", len(payload), payload)
	req, _ := http.NewRequest("PUT", "http://127.0.0.1:4566/bucket/key", strings.NewReader(enc))
	req.Header.Set("X-Amz-Content-Sha256", StreamingUnsignedTrailer)
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-foo")
	req.Header.Set("X-Amz-Decoded-Content-Length", "5")
	req.Header.Set("Content-Encoding", "aws-chunked")
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: testSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, StreamingUnsignedTrailer, "s3", "us-east-1", fixedNow); err != nil {
		t.Fatal(err)
	}
	r := serverRequest(t, req)
	vf, err := verify(t, newVerifier(), r, StreamingUnsignedTrailer)
	if err != nil {
		t.Fatal(err)
	}
	body, err := vf.Body(r, StreamingUnsignedTrailer)
	if e, _ := err.(*Error); body != nil || e == nil || e.Kind != KindInvalidRequest {
		t.Fatalf("Body = %v, %v; want KindInvalidRequest", body, err)
	}
}

// A trailer the request did not declare in X-Amz-Trailer is refused (it would go unchecked), as
// is a declared one that does not come.
func TestChunkedUndeclaredTrailer(t *testing.T) {
	payload := []byte("hello, trailers")
	sent := fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(payload), payload, crc32Trailer(payload))
	for name, declared := range map[string][]string{
		"undeclared":         nil,
		"another declared":   {"x-amz-checksum-sha256"},
		"declared and extra": {"x-amz-checksum-crc32", "x-amz-checksum-sha1"},
	} {
		r := NewChunkedReader(strings.NewReader(sent), false, true, int64(len(payload)), declared, nil, "", "", "")
		if _, err := io.ReadAll(r); kindOf(err) != KindMalformedTrailer {
			t.Errorf("%s: err = %v, want KindMalformedTrailer", name, err)
		}
	}
	r := NewChunkedReader(strings.NewReader(sent), false, true, int64(len(payload)), []string{"x-amz-checksum-crc32"}, nil, "", "", "")
	if got, err := io.ReadAll(r); err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("declared trailer: %q, %v", got, err)
	}
}
