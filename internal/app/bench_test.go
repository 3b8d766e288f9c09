package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"

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
	serveLoop(b, h, req, body)
}

// serveLoop serves a signed request through the handler once per iteration, with a fresh body.
func serveLoop(b *testing.B, h http.Handler, req *http.Request, body string) {
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

// BenchmarkGatewayGenerateDataKey is the whole handler path of a GenerateDataKey by an IAM user
// whose identity policy the default key policy delegates to: SigV4, JSON, identity policies, key
// policy, AES-GCM, response and log line.
func BenchmarkGatewayGenerateDataKey(b *testing.B) {
	e := &env{url: "unused"}
	a, err := app.Open(app.Config{Data: b.TempDir(), Region: "us-east-1", RootSecret: rootSecret, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	e.url = srv.URL
	ctx := context.Background()
	admin := e.iam(account, rootSecret, "")
	admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("load")})
	admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("load"), PolicyName: aws.String("kms"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}`)})
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("load")})
	if err != nil {
		b.Fatal(err)
	}
	created, err := e.kms(account, rootSecret, "").CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	h := a.Handler()
	body := `{"KeyId":"` + aws.ToString(created.KeyMetadata.KeyId) + `","KeySpec":"AES_256","EncryptionContext":{"aws:cloudtrail:arn":"arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}}`
	req, _ := http.NewRequest("POST", "http://127.0.0.1:4566/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.GenerateDataKey")
	creds := aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId), SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, sigv4.BodyHash([]byte(body)), "kms", "us-east-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	serveLoop(b, h, req, body)
}
