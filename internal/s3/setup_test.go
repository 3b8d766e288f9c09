package s3_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store/files"
)

// The account of the seed's scenarios, another account, and the identity policies they use.
const (
	account = servicetest.Account
	other   = servicetest.OtherAccount

	s3All     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	s3Read    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	kmsUse    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}]}`
	kmsEncOly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:GenerateDataKey","Resource":"*"}]}`
)

// world is S3 on a servicetest World, with the real KMS for SSE-KMS.
type world struct {
	*servicetest.World
	S3  *s3.Service
	KMS *kms.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := servicetest.New(t)
	keys := kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Now: w.Clock.Now, Rand: w.Rand})
	blobs, err := files.Open(filepath.Join(w.Dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	svc := s3.New(s3.Config{DB: w.DB, Blobs: blobs, Barrier: w.Barrier, KMS: keys, Authorizer: w.Authz, Policies: w.Policies,
		Now: w.Clock.Now, Rand: w.Rand})
	return &world{World: w, S3: svc, KMS: keys}
}

// bucket creates a bucket as p (in us-east-1 unless a location constraint is given).
func (w *world) bucket(t *testing.T, p identity.Principal, name string, constraint ...string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: name}
	c := w.As(p)
	if len(constraint) > 0 {
		in.LocationConstraint = constraint[0]
		c = c.In(constraint[0])
	}
	servicetest.Call(c, w.S3.CreateBucket, in).OK()
}

// key creates a KMS key in account (region us-east-1 unless given) with a key policy ("" for the
// default, which lets the account's IAM policies decide) and returns its ARN.
func (w *world) key(t *testing.T, account, policy string, region ...string) string {
	t.Helper()
	in := &kms.CreateKeyInput{}
	if policy != "" {
		in.Policy = &policy
	}
	c := w.As(w.Root(account))
	if len(region) > 0 {
		c = c.In(region[0])
	}
	return servicetest.Call(c, w.KMS.CreateKey, in).OK().KeyMetadata.Arn
}

// put stores body at bucket/key as p with the input's other fields.
func put(bucket, key, body string, opts ...func(*s3.PutObjectInput)) *s3.PutObjectInput {
	in := &s3.PutObjectInput{Bucket: bucket, Key: key, Body: strings.NewReader(body)}
	for _, o := range opts {
		o(in)
	}
	return in
}

func sseKMS(key string) func(*s3.PutObjectInput) {
	return func(in *s3.PutObjectInput) { in.SSE, in.KMSKeyID = "aws:kms", key }
}

// read returns the whole body of a GetObject.
func read(t *testing.T, out *s3.GetObjectOutput) string {
	t.Helper()
	if out.Body == nil {
		t.Fatal("GetObject: no body")
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// get reads bucket/key as the caller and returns its body.
func (w *world) get(t *testing.T, c *servicetest.Caller, bucket, key string) string {
	t.Helper()
	return read(t, servicetest.Call(c, w.S3.GetObject, &s3.GetObjectInput{Bucket: bucket, Key: key}).OK())
}

// getOp is a Step's Do that reads an object to its end (a read fails at its first byte or before).
func (w *world) getOp(bucket, key string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		out, err := w.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
		if err != nil {
			return err
		}
		defer func() { _ = out.Body.Close() }()
		_, err = io.Copy(io.Discard, out.Body)
		return err
	}
}

// sized is n bytes of a repeating pattern.
func sized(n int) string { return string(bytes.Repeat([]byte("0123456789abcdef"), n/16+1)[:n]) }
