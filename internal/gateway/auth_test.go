package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/sigv4"
)

const (
	account = "111122223333"
	secret  = "test"
	base    = "http://127.0.0.1:4566"
)

// oneAccount knows the root of one account; any other key is unknown, with a reason for the log.
type oneAccount struct{}

func (oneAccount) Credential(_ context.Context, akid, _ string) (sigv4.Credential, error) {
	if akid == account {
		return sigv4.Credential{Secret: secret, Principal: identity.AccountRoot(account)}, nil
	}
	e := *sigv4.ErrUnknownKey
	e.Reason, e.Value = "access key '"+akid+"' is not one this test knows", akid
	return sigv4.Credential{}, &e
}

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// newGateway serves kms (JSON), sts (query) and S3, none with any operation: a request that gets
// past authentication is answered UnknownOperationException, InvalidAction or NotImplemented.
func newGateway(logs io.Writer) *gateway.Gateway {
	return gateway.New(gateway.Config{
		Region:   "us-east-1",
		Version:  "1.2.3",
		Logger:   slog.New(slog.NewTextHandler(logs, nil)),
		Verifier: sigv4.NewVerifier(oneAccount{}, nil),
		JSON:     []*awsjson.Service{{Name: "kms", Prefixes: []string{"TrentService"}}},
		Query:    []*awsquery.Service{{Name: "sts", Version: "2011-06-15", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/"}},
		S3:       &restxml.Service{},
	})
}

// serve answers r and returns the status and body.
func serve(t *testing.T, g http.Handler, r *http.Request) (int, string) {
	t.Helper()
	if r.Body == nil {
		r.Body = http.NoBody // as a server's requests have
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

// wantError fails unless the answer is status with every fragment in its body.
func wantError(t *testing.T, status int, body string, wantStatus int, fragments ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Fatalf("body lacks %q: %s", f, body)
		}
	}
}

// presignS3 presigns a GET of /bucket/key for expires (X-Amz-Expires as given), as the account root.
func presignS3(t *testing.T, expires string) *http.Request {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/bucket/key?X-Amz-Expires="+expires, nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: secret},
		req, sigv4.UnsignedPayload, "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest("GET", u, nil)
	return r
}

// signS3 signs an S3 request in place with the payload hash given.
func signS3(t *testing.T, akid string, r *http.Request, payload string) *http.Request {
	t.Helper()
	r.Header.Set("X-Amz-Content-Sha256", payload)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}, r, payload, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// S3 answers Signature Version 2, in the query (AWS CLI v1's presign) or the header, with
// InvalidRequest, as it does for every bucket created since 2020.
func TestS3RefusesSignatureVersion2(t *testing.T) {
	g := newGateway(io.Discard)
	const msg = "<Code>InvalidRequest</Code><Message>The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.</Message>"
	q := url.Values{"AWSAccessKeyId": {account}, "Expires": {fmt.Sprint(time.Now().Add(time.Hour).Unix())}, "Signature": {"dGVzdHNpZ25hdHVyZQ=="}}
	r, _ := http.NewRequest("GET", base+"/bucket/key?"+q.Encode(), nil)
	status, body := serve(t, g, r)
	wantError(t, status, body, http.StatusBadRequest, msg)

	r, _ = http.NewRequest("PUT", base+"/bucket/key", strings.NewReader("x"))
	r.Header.Set("Authorization", "AWS "+account+":dGVzdHNpZ25hdHVyZQ==")
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	status, body = serve(t, g, r)
	wantError(t, status, body, http.StatusBadRequest, msg)
}

// A presigned URL sent with an Authorization header too is refused: S3's InvalidArgument naming
// the header; KMS's and STS's malformed-signature errors.
func TestOneAuthMechanismOnly(t *testing.T) {
	g := newGateway(io.Discard)
	r := presignS3(t, "3600")
	r.Header.Set("Authorization", "Bearer abc")
	status, body := serve(t, g, r)
	wantError(t, status, body, http.StatusBadRequest, "<Code>InvalidArgument</Code>",
		"<Message>Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified</Message>",
		"<ArgumentName>Authorization</ArgumentName><ArgumentValue>Bearer abc</ArgumentValue>")

	// The presigned URL alone gets past authentication (to an S3 with no routes).
	status, body = serve(t, g, presignS3(t, "3600"))
	wantError(t, status, body, http.StatusMethodNotAllowed, "<Code>MethodNotAllowed</Code>")

	kms, _ := http.NewRequest("POST", base+"/?X-Amz-Algorithm=AWS4-HMAC-SHA256", strings.NewReader("{}"))
	kms.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	kms.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: secret}, kms, sigv4.BodyHash([]byte("{}")), "kms", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	status, body = serve(t, g, kms)
	wantError(t, status, body, http.StatusBadRequest, `"__type":"IncompleteSignatureException"`, "Only one auth mechanism allowed")
}

// Each presigned-query failure is AuthorizationQueryParametersError in S3 (403 for X-Amz-Expires,
// 400 otherwise), and a malformed signature in STS.
func TestPresignedQueryErrors(t *testing.T) {
	g := newGateway(io.Discard)
	cases := []struct {
		name   string
		edit   func(url.Values)
		status int
		msg    string
	}{
		{"expires over a week", func(q url.Values) { q.Set("X-Amz-Expires", "604801") }, http.StatusForbidden,
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"negative expires", func(q url.Values) { q.Set("X-Amz-Expires", "-5") }, http.StatusForbidden, "X-Amz-Expires must be non-negative"},
		{"non-numeric expires", func(q url.Values) { q.Set("X-Amz-Expires", "1h") }, http.StatusForbidden, "X-Amz-Expires should be a number"},
		{"no credential", func(q url.Values) { q.Del("X-Amz-Credential") }, http.StatusBadRequest,
			"Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."},
		{"malformed credential", func(q url.Values) { q.Set("X-Amz-Credential", account+"/us-east-1/s3/aws4_request") }, http.StatusBadRequest,
			"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed"},
		{"malformed date", func(q url.Values) { q.Set("X-Amz-Date", "yesterday") }, http.StatusBadRequest,
			"X-Amz-Date must be in the ISO8601 Long Format"},
		{"no signed headers", func(q url.Values) { q.Del("X-Amz-SignedHeaders") }, http.StatusBadRequest,
			"Query-string authentication version 4 requires"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := presignS3(t, "3600")
			q := r.URL.Query()
			c.edit(q)
			r.URL.RawQuery = q.Encode()
			status, body := serve(t, g, r)
			wantError(t, status, body, c.status, "<Code>AuthorizationQueryParametersError</Code>", c.msg)
		})
	}

	sts, _ := http.NewRequest("GET", base+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=604801", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: secret}, sts, sigv4.BodyHash(nil), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	sts, _ = http.NewRequest("GET", u, nil)
	status, body := serve(t, g, sts)
	wantError(t, status, body, http.StatusBadRequest, "<Code>IncompleteSignature</Code>", "X-Amz-Expires must be less than a week")
}

// An unknown access key: S3's InvalidAccessKeyId names it, and the log says which rule it broke.
func TestUnknownAccessKeyLogged(t *testing.T) {
	logs := &logBuffer{}
	g := newGateway(logs)
	r, _ := http.NewRequest("GET", base+"/bucket/key", nil)
	status, body := serve(t, g, signS3(t, "foo", r, sigv4.UnsignedPayload))
	wantError(t, status, body, http.StatusForbidden, "<Code>InvalidAccessKeyId</Code>",
		"<Message>The AWS Access Key Id you provided does not exist in our records.</Message>", "<AWSAccessKeyId>foo</AWSAccessKeyId>")
	if !strings.Contains(logs.String(), "access key 'foo' is not one this test knows") {
		t.Fatalf("the log does not say why:\n%s", logs.String())
	}
}

// An aws-chunked upload whose X-Amz-Trailer names a checksum S3 does not know, or whose
// x-amz-sdk-checksum-algorithm disagrees with its trailer, is refused before S3 sees it.
func TestChunkedTrailerHeadersRefused(t *testing.T) {
	g := newGateway(io.Discard)
	put := func(trailer, sdkAlgorithm string) (int, string) {
		body := "5\r\nhello\r\n0\r\n" + trailer + ":AAAAAA==\r\n\r\n"
		r, _ := http.NewRequest("PUT", base+"/bucket/key", strings.NewReader(body))
		r.Header.Set("Content-Encoding", "aws-chunked")
		r.Header.Set("X-Amz-Decoded-Content-Length", "5")
		r.Header.Set("X-Amz-Trailer", trailer)
		if sdkAlgorithm != "" {
			r.Header.Set("X-Amz-Sdk-Checksum-Algorithm", sdkAlgorithm)
		}
		return serve(t, g, signS3(t, account, r, sigv4.StreamingUnsignedTrailer))
	}
	status, body := put("x-amz-checksum-foo", "")
	wantError(t, status, body, http.StatusBadRequest, "<Code>InvalidRequest</Code>",
		"<Message>The value specified in the x-amz-trailer header is not supported</Message>")
	status, body = put("x-amz-checksum-crc32", "SHA256")
	wantError(t, status, body, http.StatusBadRequest, "<Code>InvalidRequest</Code>",
		"<Message>Value for x-amz-sdk-checksum-algorithm header is invalid.</Message>")
	// A known trailer with an agreeing algorithm reaches S3 (which has no routes here).
	status, body = put("x-amz-checksum-crc32", "CRC32")
	wantError(t, status, body, http.StatusMethodNotAllowed, "<Code>MethodNotAllowed</Code>")
}

// GET /_localstack/health answers in LocalStack's shape, which its tools and wait scripts parse.
func TestLocalStackHealth(t *testing.T) {
	g := newGateway(io.Discard)
	r, _ := http.NewRequest("GET", base+"/_localstack/health", nil)
	status, body := serve(t, g, r)
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, body)
	}
	var got struct {
		Services      map[string]string
		Edition       string
		Version       string
		Status        string
		Region        string
		UptimeSeconds *int64
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	want := map[string]string{"kms": "running", "s3": "running", "sts": "running"}
	if fmt.Sprint(got.Services) != fmt.Sprint(want) || got.Edition != "community" || got.Version != "1.2.3" ||
		got.Status != "ok" || got.Region != "us-east-1" || got.UptimeSeconds == nil {
		t.Fatalf("health = %+v", got)
	}
	// Wait scripts grep the body as LocalStack writes it, with Python's separators.
	if !strings.Contains(body, `"s3": "running"`) {
		t.Fatalf("body %s lacks `\"s3\": \"running\"`", body)
	}
	r, _ = http.NewRequest("HEAD", base+"/_localstack/health?reload", nil)
	if status, _ := serve(t, g, r); status != http.StatusOK {
		t.Fatalf("HEAD: status %d", status)
	}
	r, _ = http.NewRequest("POST", base+"/_localstack/health", nil)
	if status, _ := serve(t, g, r); status != http.StatusMethodNotAllowed {
		t.Fatalf("POST: status %d", status)
	}
	// keytrail's own health endpoint keeps its shape.
	r, _ = http.NewRequest("GET", base+"/_keytrail/health", nil)
	if _, body := serve(t, g, r); !strings.Contains(body, `"services":["kms","s3","sts"]`) {
		t.Fatalf("/_keytrail/health = %s", body)
	}
}
