package app_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

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
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("load")}); err != nil {
		b.Fatal(err)
	}
	if _, err := admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("load"), PolicyName: aws.String("kms"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}`)}); err != nil {
		b.Fatal(err)
	}
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

// BenchmarkS3 puts and gets objects of 1 KiB and 64 MiB with SSE-KMS through the SDK and a real
// HTTP server (SigV4, streaming bodies, KMS data keys, AES-GCM segments, files).
func BenchmarkS3(b *testing.B) {
	a, err := app.Open(app.Config{Data: b.TempDir(), Region: "us-east-1", RootSecret: rootSecret, Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	e := &env{url: srv.URL}
	ctx := context.Background()
	c := e.s3client(account, rootSecret, "us-east-1", true)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	key, err := e.kms(account, rootSecret, "").CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		b.Fatal(err)
	}
	for _, size := range []int{1 << 10, 64 << 20} {
		data := bytes.Repeat([]byte("k"), size)
		name := strconv.Itoa(size>>10) + "KiB"
		put := func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(name), Body: bytes.NewReader(data),
				ServerSideEncryption: s3types.ServerSideEncryptionAwsKms, SSEKMSKeyId: key.KeyMetadata.Arn})
			return err
		}
		b.Run("PutObject/"+name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for b.Loop() {
				if err := put(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("GetObject/"+name, func(b *testing.B) {
			if err := put(); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			for b.Loop() {
				out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(name)})
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, out.Body)
				out.Body.Close()
				if n != int64(size) {
					b.Fatalf("read %d bytes", n)
				}
			}
		})
	}
}
