package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// BenchmarkGatewayGetCallerIdentity measures one minimal authenticated request through the whole
// handler: request ID, SigV4 verification, query decoding, dispatch, XML response and log line.
func BenchmarkGatewayGetCallerIdentity(b *testing.B) {
	a, err := app.Open(app.Config{Data: b.TempDir(), Region: "us-east-1", RootSecret: rootSecret})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	h := a.Handler()
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sigv4.BodyHash([]byte(body)), "sts", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = readCloser{strings.NewReader(body)}
		r.RequestURI = "/"
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body.String())
		}
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
