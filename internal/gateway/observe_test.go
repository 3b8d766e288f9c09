package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"slices"
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

// The secrets of TestRequestLogLines: neither may appear in any log line.
const (
	logSecret   = "the-real-secret-must-never-be-logged"
	wrongSecret = "a-wrong-secret-must-never-be-logged-either"
)

// logCredentials knows the account root (logSecret) and a temporary key "ASIAEXPIRED" whose
// credentials have expired.
type logCredentials struct{}

func (logCredentials) Credential(_ context.Context, akid, _ string) (sigv4.Credential, error) {
	switch akid {
	case account:
		return sigv4.Credential{Secret: logSecret, Principal: identity.AccountRoot(account)}, nil
	case "ASIAEXPIRED":
		return sigv4.Credential{}, sigv4.ErrExpiredToken
	}
	e := *sigv4.ErrUnknownKey
	e.Reason, e.Value = "access key '"+akid+"' is not one this test knows", akid
	return sigv4.Credential{}, &e
}

// observations keeps what the gateway observed.
type observations struct {
	mu   sync.Mutex
	list []gateway.Observed
}

func (o *observations) Observe(x gateway.Observed) {
	o.mu.Lock()
	o.list = append(o.list, x)
	o.mu.Unlock()
}

// logRequest is a request to service signed with akid and secretKey at t; change, if set, alters it
// after signing.
func logRequest(t *testing.T, service, akid, secretKey string, at time.Time, change func(*http.Request)) *http.Request {
	t.Helper()
	var r *http.Request
	var body string
	switch service {
	case "kms":
		body = `{}`
		r, _ = http.NewRequest("POST", base+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	case "sts":
		body = "Action=GetCallerIdentity&Version=2011-06-15"
		r, _ = http.NewRequest("POST", base+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "s3":
		r, _ = http.NewRequest("GET", base+"/bucket/key", nil)
		r.Header.Set("X-Amz-Content-Sha256", sigv4.BodyHash(nil))
	}
	if akid != "" {
		creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secretKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, sigv4.BodyHash([]byte(body)), service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	if change != nil {
		change(r)
	}
	return r
}

// The request log line names the AWS error code and, for an authentication failure, its reason
// and the rule broken, never a secret; with a JSON handler each line is a JSON object with the
// README's field names; the Observer is told the same.
func TestRequestLogLines(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name                     string
		req                      *http.Request
		service, operation, code string
		reason                   string
		detail                   string // a fragment of auth_detail
	}{
		{"kms, wrong secret", logRequest(t, "kms", account, wrongSecret, now, nil),
			"kms", "ListKeys", "InvalidSignatureException", gateway.ReasonSignature, "signature we calculated"},
		{"kms, unknown access key", logRequest(t, "kms", "AKIAUNKNOWN", wrongSecret, now, nil),
			"kms", "ListKeys", "UnrecognizedClientException", gateway.ReasonUnknownKey, "'AKIAUNKNOWN' is not one this test knows"},
		{"kms, signed 20 minutes ago", logRequest(t, "kms", account, logSecret, now.Add(-20*time.Minute), nil),
			"kms", "ListKeys", "InvalidSignatureException", gateway.ReasonSkew, "Signature expired"},
		{"kms, expired credentials", logRequest(t, "kms", "ASIAEXPIRED", logSecret, now, nil),
			"kms", "ListKeys", "ExpiredTokenException", gateway.ReasonExpiredToken, "expired"},
		{"kms, unsigned", logRequest(t, "kms", "", "", now, nil),
			"kms", "ListKeys", "MissingAuthenticationTokenException", gateway.ReasonMissing, "not signed"},
		{"sts, unsigned x-amz header", logRequest(t, "sts", account, logSecret, now, func(r *http.Request) { r.Header.Set("X-Amz-Meta-Extra", "1") }),
			"sts", "GetCallerIdentity", "SignatureDoesNotMatch", gateway.ReasonUnsignedHeader, "x-amz-meta-extra"},
		{"s3, wrong secret", logRequest(t, "s3", account, wrongSecret, now, nil),
			"s3", "", "SignatureDoesNotMatch", gateway.ReasonSignature, "signature we calculated"},
		{"kms, signed, an operation the gateway does not serve", logRequest(t, "kms", account, logSecret, now, nil),
			"kms", "", "UnknownOperationException", "", ""},
	}
	logs := &logBuffer{}
	obs := &observations{}
	g := gateway.New(gateway.Config{
		Region:   "us-east-1",
		Logger:   slog.New(slog.NewJSONHandler(logs, nil)),
		Verifier: sigv4.NewVerifier(logCredentials{}, nil),
		JSON:     []*awsjson.Service{{Name: "kms", Prefixes: []string{"TrentService"}}},
		Query:    []*awsquery.Service{{Name: "sts", Version: "2011-06-15", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/"}},
		S3:       &restxml.Service{},
		Observer: obs,
	})
	for _, c := range cases {
		serve(t, g, c.req)
	}
	text := logs.String()
	for _, s := range []string{logSecret, wrongSecret} {
		if strings.Contains(text, s) {
			t.Fatalf("a secret was logged:\n%s", text)
		}
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %v\n%s", err, sc.Text())
		}
		if m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	if len(lines) != len(cases) || len(obs.list) != len(cases) {
		t.Fatalf("%d request lines and %d observations for %d requests:\n%s", len(lines), len(obs.list), len(cases), text)
	}
	fields := []string{"time", "level", "msg", "request_id", "service", "operation", "caller", "status", "code", "duration"}
	for i, c := range cases {
		l, o := lines[i], obs.list[i]
		want := fields
		if c.reason != "" {
			want = append(slices.Clone(fields), "auth_failure", "auth_detail")
		}
		var have []string
		for k := range l {
			have = append(have, k)
		}
		slices.Sort(have)
		slices.Sort(want)
		if !slices.Equal(have, want) {
			t.Errorf("%s: fields %v, want %v", c.name, have, want)
		}
		if l["service"] != c.service || l["operation"] != c.operation || l["code"] != c.code || (c.reason != "" && l["auth_failure"] != c.reason) {
			t.Errorf("%s: line %v, want service %q operation %q code %q auth_failure %q", c.name, l, c.service, c.operation, c.code, c.reason)
		}
		if d, _ := l["auth_detail"].(string); c.detail != "" && !strings.Contains(d, c.detail) {
			t.Errorf("%s: auth_detail %q lacks %q", c.name, d, c.detail)
		}
		if _, ok := l["status"].(float64); !ok {
			t.Errorf("%s: status %v is not a number", c.name, l["status"])
		}
		if o.Service != c.service || o.Operation != c.operation || o.Code != c.code || o.AuthFailure != c.reason || o.Status == 0 {
			t.Errorf("%s: observed %+v", c.name, o)
		}
	}
}

// Every verification failure kind the gateway maps to an AWS error has a reason the metrics list.
func TestAuthFailureReasonsCoverEveryKind(t *testing.T) {
	for kind := sigv4.KindMalformed; kind <= sigv4.KindMalformedTrailer; kind++ {
		reason := gateway.ReasonOf(kind)
		if reason == "" || !slices.Contains(gateway.AuthFailureReasons, reason) {
			t.Errorf("kind %d: reason %q is not one of AuthFailureReasons", kind, reason)
		}
	}
}

// /metrics and /debug/pprof/ answer unsigned requests only; signed ones stay S3's. Without a
// Metrics handler, /_keytrail/metrics is 404 and /metrics is S3's.
func TestOperationalEndpoints(t *testing.T) {
	metricsHandler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "the metrics") })
	cfg := func(m http.Handler, pprof bool) gateway.Config {
		return gateway.Config{Region: "us-east-1", Verifier: sigv4.NewVerifier(logCredentials{}, nil), S3: &restxml.Service{}, Metrics: m, Pprof: pprof}
	}
	on := gateway.New(cfg(metricsHandler, true))
	off := gateway.New(cfg(nil, false))
	get := func(path string) *http.Request { r, _ := http.NewRequest("GET", base+path, nil); return r }
	signedGet := func(path string) *http.Request {
		r := get(path)
		r.Header.Set("X-Amz-Content-Sha256", sigv4.BodyHash(nil))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: account, SecretAccessKey: logSecret}, r,
			sigv4.BodyHash(nil), "s3", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		name   string
		g      *gateway.Gateway
		req    *http.Request
		status int
		body   string
	}{
		{"unsigned GET /metrics", on, get("/metrics"), 200, "the metrics"},
		{"GET /_keytrail/metrics", on, get("/_keytrail/metrics"), 200, "the metrics"},
		{"unsigned POST /metrics", on, func() *http.Request { r, _ := http.NewRequest("POST", base+"/metrics", nil); return r }(), 405, "GET"},
		{"signed GET /metrics is S3's", on, signedGet("/metrics"), 405, "<ResourceType>"},
		{"presigned GET /metrics is S3's", on, get("/metrics?X-Amz-Credential=x"), 400, "<Error>"},
		{"pprof index", on, get("/debug/pprof/"), 200, "goroutine"},
		{"pprof heap", on, get("/debug/pprof/heap?debug=1"), 200, "heap profile"},
		{"pprof symbol", on, get("/debug/pprof/symbol"), 200, "num_symbols"},
		{"pprof cmdline", on, get("/debug/pprof/cmdline"), 404, "command line"},
		{"no metrics: /_keytrail/metrics", off, get("/_keytrail/metrics"), 404, "no metrics"},
		{"no metrics: /metrics is S3's", off, get("/metrics"), 405, "<ResourceType>"},
		{"no pprof: S3's", off, get("/debug/pprof/"), 405, "<ResourceType>"},
	} {
		status, body := serve(t, c.g, c.req)
		if status != c.status || !strings.Contains(body, c.body) {
			t.Errorf("%s: %d %q, want %d with %q", c.name, status, body, c.status, c.body)
		}
	}
}
