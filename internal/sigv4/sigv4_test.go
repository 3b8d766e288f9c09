package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/keytrail/keytrail/internal/identity"
)

const (
	testAccount = "111122223333"
	testSecret  = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	tempKey     = "ASIATESTTESTTESTTEST"
	tempToken   = "session-token-value"
)

// staticCreds knows the account root, one temporary key (tempKey), and one expired temporary key.
type staticCreds struct{}

func (staticCreds) Credential(_ context.Context, akid, token string) (Credential, error) {
	switch akid {
	case testAccount:
		return Credential{Secret: testSecret, Principal: identity.AccountRoot(testAccount)}, nil
	case tempKey:
		if token != tempToken {
			return Credential{}, ErrInvalidToken
		}
		return Credential{Secret: testSecret, Principal: identity.Principal{Type: identity.AssumedRole, Account: testAccount}}, nil
	case "ASIAEXPIRED":
		return Credential{}, ErrExpiredToken
	}
	return Credential{}, ErrUnknownKey
}

var fixedNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func newVerifier() *Verifier { return NewVerifier(staticCreds{}, func() time.Time { return fixedNow }) }

// serverRequest turns a client request into what an http.Server hands a handler.
func serverRequest(t testing.TB, c *http.Request) *http.Request {
	t.Helper()
	var raw bytes.Buffer
	if err := c.Write(&raw); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufioReader(&raw))
	if err != nil {
		t.Fatal(err)
	}
	r.RequestURI = c.URL.RequestURI()
	return r
}

func signKMS(t testing.TB, body string, akid, token string, at time.Time, mutate func(*http.Request)) *http.Request {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.DescribeKey")
	if mutate != nil {
		mutate(req)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: testSecret, SessionToken: token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kms", "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return serverRequest(t, req)
}

func verify(t testing.TB, v *Verifier, r *http.Request, payload string) (*Verified, error) {
	t.Helper()
	a, err := ParseRequest(r)
	if err != nil {
		return nil, err
	}
	if a == nil {
		t.Fatal("request carries no authentication")
	}
	return v.Verify(context.Background(), r, a, payload)
}

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func TestVerifyHeaderAuth(t *testing.T) {
	body := `{"KeyId":"alias/test"}`
	cases := []struct {
		name    string
		req     func() (*http.Request, string)
		want    Kind // 0 = success
		account string
	}{
		{"root", func() (*http.Request, string) {
			return signKMS(t, body, testAccount, "", fixedNow, nil), BodyHash([]byte(body))
		}, 0, testAccount},
		{"temporary credentials", func() (*http.Request, string) {
			return signKMS(t, body, tempKey, tempToken, fixedNow, nil), BodyHash([]byte(body))
		}, 0, testAccount},
		{"tampered body", func() (*http.Request, string) {
			return signKMS(t, body, testAccount, "", fixedNow, nil), BodyHash([]byte(`{"KeyId":"alias/other"}`))
		}, KindSignatureMismatch, ""},
		{"tampered header", func() (*http.Request, string) {
			r := signKMS(t, body, testAccount, "", fixedNow, nil)
			r.Header.Set("X-Amz-Target", "TrentService.Decrypt")
			return r, BodyHash([]byte(body))
		}, KindSignatureMismatch, ""},
		{"unknown key", func() (*http.Request, string) {
			return signKMS(t, body, "AKIAUNKNOWNUNKNOWN00", "", fixedNow, nil), BodyHash([]byte(body))
		}, KindUnknownKey, ""},
		{"wrong session token", func() (*http.Request, string) {
			return signKMS(t, body, tempKey, "forged", fixedNow, nil), BodyHash([]byte(body))
		}, KindInvalidToken, ""},
		{"expired token", func() (*http.Request, string) {
			return signKMS(t, body, "ASIAEXPIRED", "x", fixedNow, nil), BodyHash([]byte(body))
		}, KindExpiredToken, ""},
		{"stale date", func() (*http.Request, string) {
			return signKMS(t, body, testAccount, "", fixedNow.Add(-16*time.Minute), nil), BodyHash([]byte(body))
		}, KindSkew, ""},
		{"future date", func() (*http.Request, string) {
			return signKMS(t, body, testAccount, "", fixedNow.Add(16*time.Minute), nil), BodyHash([]byte(body))
		}, KindSkew, ""},
		{"inside the skew window", func() (*http.Request, string) {
			return signKMS(t, body, testAccount, "", fixedNow.Add(-14*time.Minute), nil), BodyHash([]byte(body))
		}, 0, testAccount},
		{"unsigned x-amz header", func() (*http.Request, string) {
			r := signKMS(t, body, testAccount, "", fixedNow, nil)
			r.Header.Set("X-Amz-Extra", "sneaky")
			return r, BodyHash([]byte(body))
		}, KindUnsignedHeaders, ""},
		{"unsigned ordinary header is fine", func() (*http.Request, string) {
			r := signKMS(t, body, testAccount, "", fixedNow, nil)
			r.Header.Set("User-Agent", "changed")
			return r, BodyHash([]byte(body))
		}, 0, testAccount},
	}
	v := newVerifier()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, payload := c.req()
			got, err := verify(t, v, r, payload)
			if c.want == 0 {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.Principal.Account != c.account {
					t.Fatalf("account = %q, want %q", got.Principal.Account, c.account)
				}
				return
			}
			if kindOf(err) != c.want {
				t.Fatalf("error = %v (kind %d), want kind %d", err, kindOf(err), c.want)
			}
		})
	}
}

func TestVerifyWrongSecret(t *testing.T) {
	req, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: "not-the-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, BodyHash([]byte(body)), "sts", "us-east-1", fixedNow); err != nil {
		t.Fatal(err)
	}
	_, err := verify(t, newVerifier(), serverRequest(t, req), BodyHash([]byte(body)))
	if kindOf(err) != KindSignatureMismatch {
		t.Fatalf("err = %v, want a signature mismatch", err)
	}
}

func TestVerifyS3Paths(t *testing.T) {
	for _, key := range []string{"plain.txt", "dir/sub dir/a+b=c&d.json.gz", "ünï/çødé~!*'().txt", "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/22/x.json.gz"} {
		t.Run(key, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "http://127.0.0.1:4566/bucket/x?list-type=2&prefix=a%20b&delimiter=%2F&empty", nil)
			req.URL.Path = "/bucket/" + key
			req.URL.RawPath = ""
			req.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
			req.URL.RawPath = escape(req.URL.Path, false)
			creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: testSecret}
			if err := signer.SignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", "us-east-1", fixedNow); err != nil {
				t.Fatal(err)
			}
			r := serverRequest(t, req)
			a, err := ParseRequest(r)
			if err != nil {
				t.Fatal(err)
			}
			ph, err := PayloadHash(r, a)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := newVerifier().Verify(context.Background(), r, a, ph); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}

func presign(t testing.TB, expires time.Duration, at time.Time) *http.Request {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("http://127.0.0.1:4566/bucket/AWSLogs/log.json.gz?X-Amz-Expires=%d", int(expires.Seconds())), nil)
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: testSecret}
	u, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).PresignHTTP(context.Background(), creds, req, UnsignedPayload, "s3", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := http.NewRequest("GET", u, nil)
	return serverRequest(t, c)
}

func TestVerifyPresigned(t *testing.T) {
	v := newVerifier()
	r := presign(t, time.Hour, fixedNow.Add(-30*time.Minute))
	a, err := ParseRequest(r)
	if err != nil || a == nil || !a.Presigned {
		t.Fatalf("ParseRequest = %+v, %v; want presigned auth", a, err)
	}
	ph, _ := PayloadHash(r, a)
	if _, err := v.Verify(context.Background(), r, a, ph); err != nil {
		t.Fatalf("Verify: %v", err)
	}

	expired := presign(t, 10*time.Minute, fixedNow.Add(-11*time.Minute))
	if _, err := verify(t, v, expired, UnsignedPayload); kindOf(err) != KindPresignExpired {
		t.Fatalf("expired URL: err = %v, want KindPresignExpired", err)
	}

	tampered := presign(t, time.Hour, fixedNow)
	tampered.URL.RawQuery = strings.Replace(tampered.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1)
	if _, err := verify(t, v, tampered, UnsignedPayload); kindOf(err) != KindSignatureMismatch {
		t.Fatalf("tampered URL: err = %v, want a signature mismatch", err)
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	good := "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("a", 64)
	if _, err := ParseAuthorization(good); err != nil {
		t.Fatalf("good header: %v", err)
	}
	for name, h := range map[string]string{
		"no credential":  "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + strings.Repeat("a", 64),
		"short scope":    strings.Replace(good, "/kms/aws4_request", "/aws4_request", 1),
		"bad terminator": strings.Replace(good, "aws4_request", "aws5_request", 1),
		"bad date":       strings.Replace(good, "20261122", "2026112", 1),
		"no host":        strings.Replace(good, "host;x-amz-date", "x-amz-date", 1),
		"short sig":      strings.Replace(good, strings.Repeat("a", 64), "abc", 1),
		"duplicate":      good + ", Signature=" + strings.Repeat("b", 64),
		"unknown part":   good + ", Foo=bar",
	} {
		if _, err := ParseAuthorization(h); kindOf(err) != KindMalformed {
			t.Errorf("%s: err = %v, want KindMalformed", name, err)
		}
	}
}

// chunkedBody encodes payload as aws-chunked with chunk signatures computed by the SDK's stream
// signer (the same string to sign: an empty header block and the chunk's hash).
func chunkedBody(t testing.TB, payload []byte, chunk int, seed string, at time.Time, trailer map[string]string) (body []byte, key []byte) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: testAccount, SecretAccessKey: testSecret}
	seedBytes, _ := hex.DecodeString(seed)
	ss := v4.NewStreamSigner(creds, "s3", "us-east-1", seedBytes)
	var b bytes.Buffer
	prev := seed
	for off := 0; ; off += chunk {
		off = min(off, len(payload))
		data := payload[off:min(off+chunk, len(payload))]
		sig, err := ss.GetSignature(context.Background(), nil, data, at)
		if err != nil {
			t.Fatal(err)
		}
		prev = hex.EncodeToString(sig)
		fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(data), prev)
		b.Write(data)
		if len(data) > 0 {
			b.WriteString("\r\n")
		}
		if len(data) == 0 {
			break
		}
	}
	key = DeriveKey(testSecret, at.Format("20060102"), "us-east-1", "s3")
	if trailer == nil {
		b.WriteString("\r\n")
		return b.Bytes(), key
	}
	var canon string
	for k, v := range trailer {
		canon += k + ":" + v + "\n"
		b.WriteString(k + ":" + v + "\r\n")
	}
	sum := sha256.Sum256([]byte(canon))
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + at.Format(timeFormat) + "\n" + at.Format("20060102") + "/us-east-1/s3/aws4_request\n" + prev + "\n" + hex.EncodeToString(sum[:])
	b.WriteString("x-amz-trailer-signature:" + hex.EncodeToString(hmacSHA256(key, sts)) + "\r\n\r\n")
	return b.Bytes(), key
}

func crc32Trailer(p []byte) string {
	s := crc32.ChecksumIEEE(p)
	return base64.StdEncoding.EncodeToString([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}

func TestChunkedSigned(t *testing.T) {
	payload := bytes.Repeat([]byte("keytrail-chunk-"), 20000) // 300 000 bytes
	seed := strings.Repeat("c", 64)
	at := fixedNow
	scope := at.Format("20060102") + "/us-east-1/s3/aws4_request"

	body, key := chunkedBody(t, payload, 64<<10, seed, at, nil)
	r := NewChunkedReader(bytes.NewReader(body), true, false, int64(len(payload)), nil, key, at.Format(timeFormat), scope, seed)
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("decode: %d bytes, err %v", len(got), err)
	}

	// One flipped byte in the second chunk: the first chunk is released, then the error comes
	// before any byte of the tampered chunk.
	bad := bytes.Clone(body)
	idx := bytes.Index(bad, []byte("\r\n")) + 2 + (64 << 10) + 2
	idx = bytes.Index(bad[idx:], []byte("\r\n")) + idx + 2 + 10
	bad[idx] ^= 1
	r = NewChunkedReader(bytes.NewReader(bad), true, false, int64(len(payload)), nil, key, at.Format(timeFormat), scope, seed)
	got, err = io.ReadAll(r)
	if kindOf(err) != KindSignatureMismatch || len(got) != 64<<10 {
		t.Fatalf("tampered: %d bytes released, err %v; want 65536 bytes and a signature mismatch", len(got), err)
	}

	// Truncation, wrong decoded length, and a wrong seed.
	for name, tc := range map[string]struct {
		body    []byte
		decoded int64
		seed    string
		want    Kind
	}{
		"truncated":      {body[:len(body)-40], int64(len(payload)), seed, KindIncompleteBody},
		"decoded longer": {body, int64(len(payload) + 1), seed, KindIncompleteBody},
		"wrong seed":     {body, int64(len(payload)), strings.Repeat("d", 64), KindSignatureMismatch},
	} {
		r := NewChunkedReader(bytes.NewReader(tc.body), true, false, tc.decoded, nil, key, at.Format(timeFormat), scope, tc.seed)
		if _, err := io.ReadAll(r); kindOf(err) != tc.want {
			t.Errorf("%s: err = %v, want kind %d", name, err, tc.want)
		}
	}
}

func TestChunkedSignedTrailer(t *testing.T) {
	payload := []byte(strings.Repeat("x", 100000))
	seed := strings.Repeat("e", 64)
	at := fixedNow
	scope := at.Format("20060102") + "/us-east-1/s3/aws4_request"
	trailer := map[string]string{"x-amz-checksum-crc32": crc32Trailer(payload)}
	body, key := chunkedBody(t, payload, 32<<10, seed, at, trailer)
	r := NewChunkedReader(bytes.NewReader(body), true, true, int64(len(payload)), []string{"x-amz-checksum-crc32"}, key, at.Format(timeFormat), scope, seed)
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("decode: %d bytes, err %v", len(got), err)
	}
	if r.Trailers()["x-amz-checksum-crc32"] != trailer["x-amz-checksum-crc32"] {
		t.Fatalf("trailers = %v", r.Trailers())
	}
	badTrailer := map[string]string{"x-amz-checksum-crc32": crc32Trailer([]byte("other"))}
	body, key = chunkedBody(t, payload, 32<<10, seed, at, badTrailer)
	r = NewChunkedReader(bytes.NewReader(body), true, true, int64(len(payload)), []string{"x-amz-checksum-crc32"}, key, at.Format(timeFormat), scope, seed)
	if _, err := io.ReadAll(r); kindOf(err) != KindBadDigest {
		t.Fatalf("bad checksum: err = %v, want KindBadDigest", err)
	}
}

func TestChunkedUnsignedTrailer(t *testing.T) {
	payload := []byte("hello, unsigned trailer world")
	enc := fmt.Sprintf("%x\r\n%s\r\n0\r\nx-amz-checksum-crc32:%s\r\n\r\n", len(payload), payload, crc32Trailer(payload))
	r := NewChunkedReader(strings.NewReader(enc), false, true, int64(len(payload)), []string{"x-amz-checksum-crc32"}, nil, "", "", "")
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("decode: %q, %v", got, err)
	}
	missing := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(payload), payload)
	r = NewChunkedReader(strings.NewReader(missing), false, true, int64(len(payload)), []string{"x-amz-checksum-crc32"}, nil, "", "", "")
	if _, err := io.ReadAll(r); kindOf(err) != KindMalformedTrailer {
		t.Fatalf("missing trailer: err = %v, want KindMalformedTrailer", err)
	}
}

func TestSHA256Reader(t *testing.T) {
	sum := sha256.Sum256([]byte("body"))
	if got, err := io.ReadAll(NewSHA256Reader(strings.NewReader("body"), hex.EncodeToString(sum[:]))); err != nil || string(got) != "body" {
		t.Fatalf("matching body: %q, %v", got, err)
	}
	if _, err := io.ReadAll(NewSHA256Reader(strings.NewReader("bodx"), hex.EncodeToString(sum[:]))); kindOf(err) != KindContentSHA256Mismatch {
		t.Fatalf("mismatching body: err = %v", err)
	}
}
