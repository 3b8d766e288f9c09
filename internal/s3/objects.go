package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/store"
)

// objectRecord is the stored metadata of an object (format version 1); the body is a blob,
// encrypted under a data key that is sealed by keytrail (SSE-S3) or by KMS (SSE-KMS).
type objectRecord struct {
	V            int               `json:"v"`
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted hex MD5, as S3 shows it
	LastModified time.Time         `json:"lastModified"`
	ContentType  string            `json:"contentType,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"` // x-amz-meta-* without the prefix, lower case
	Blob         string            `json:"blob"`
	Nonce        [8]byte           `json:"nonce"`
	SSE          string            `json:"sse"`               // AES256 or aws:kms
	KMSKey       string            `json:"kmsKey,omitempty"`  // the key ARN
	SealedKey    []byte            `json:"sealedKey"`         // barrier-sealed (AES256) or a KMS ciphertext blob
	Context      map[string]string `json:"context,omitempty"` // the encryption context KMS bound, aws:s3:arn included
	Owner        string            `json:"owner"`             // the writer's account
}

func objectKey(bucket, key string) string { return bucket + "/" + key }

// ObjectARN is an object's ARN.
func ObjectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

func dataKeyPurpose(bucket, key, blob string) string {
	return "s3 object data key " + bucket + "/" + key + " " + blob
}

// PutObjectInput is a PutObject request; Body streams.
type PutObjectInput struct {
	Bucket, Key      string
	Body             io.Reader
	ContentType      string
	ContentMD5       string // base64, checked when given
	Metadata         map[string]string
	ACL              string // canned ACL (s3:x-amz-acl)
	SSE              string // "", AES256 or aws:kms
	KMSKeyID         string // key ID, ARN or alias
	EncryptionCtx    string // x-amz-server-side-encryption-context: base64 JSON
	BucketKeyEnabled *bool
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	ContentType  string
	Metadata     map[string]string
	SSE          string
	KMSKey       string
	Owner        string // the writer's account
}

func (o *objectRecord) info() *ObjectInfo {
	return &ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: o.LastModified, ContentType: o.ContentType,
		Metadata: o.Metadata, SSE: o.SSE, KMSKey: o.KMSKey, Owner: o.Owner}
}

// kmsError turns an error of the KMS call S3 made into the S3 error (F.4): a denial is
// AccessDenied; KMS's own refusals keep their code behind "KMS.".
func kmsError(err error) error {
	e, ok := awserr.As(err)
	if !ok {
		return err
	}
	if e.Code == awserr.AccessDeniedException {
		return awserr.New(awserr.AccessDenied, "%s", e.Message)
	}
	return &awserr.Error{Code: awserr.Code("KMS." + string(e.Code)), Message: e.Message, Status: 400}
}

// viaS3 is the context of the KMS calls S3 makes for a caller: kms:ViaService names S3.
func viaS3(ctx context.Context, region string) context.Context {
	return authz.WithKeys(ctx, authz.Map{"kms:ViaService": {"s3." + region + ".amazonaws.com"}})
}

// PutObject stores an object, encrypted: SSE-KMS under the KMS key named (GenerateDataKey as the
// writer, with the object's ARN and the header's pairs as encryption context), SSE-S3 otherwise.
// Errors: NoSuchBucket, AccessDenied, InvalidArgument, BadDigest, KMS.* (F.4).
func (s *Service) PutObject(ctx context.Context, in *PutObjectInput) (*ObjectInfo, error) {
	if in.Key == "" || len(in.Key) > 1024 {
		return nil, awserr.New(awserr.InvalidArgument, "Object keys are 1 to 1024 bytes long")
	}
	sse := in.SSE
	switch sse {
	case "", "AES256":
		if in.KMSKeyID != "" || in.EncryptionCtx != "" {
			return nil, awserr.New(awserr.InvalidArgument, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
		}
		sse = "AES256"
	case "aws:kms":
	default:
		return nil, awserr.New(awserr.InvalidArgument, "The encryption method specified is not supported")
	}
	extra, err := parseContext(in.EncryptionCtx)
	if err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	keys := authz.Map{"s3:x-amz-server-side-encryption": {sse}}
	if in.ACL != "" {
		keys["s3:x-amz-acl"] = []string{in.ACL}
	}
	if in.KMSKeyID != "" {
		keys["s3:x-amz-server-side-encryption-aws-kms-key-id"] = []string{in.KMSKeyID}
	}
	if _, err := s.bucket(c, "PutObject", in.Bucket, in.Key, keys); err != nil {
		return nil, err
	}
	blob, err := randomID()
	if err != nil {
		return nil, err
	}
	rec := &objectRecord{Bucket: in.Bucket, Key: in.Key, Blob: blob, SSE: sse, ContentType: in.ContentType,
		Metadata: in.Metadata, LastModified: s.now().UTC().Truncate(time.Second), Owner: c.p.Account}
	if _, err := io.ReadFull(rand.Reader, rec.Nonce[:]); err != nil {
		return nil, err
	}
	var dataKey []byte
	if sse == "aws:kms" {
		if in.KMSKeyID == "" {
			return nil, awserr.New(awserr.InvalidArgument, "x-amz-server-side-encryption-aws-kms-key-id must name a KMS key: keytrail has no AWS managed aws/s3 key yet")
		}
		rec.Context = map[string]string{}
		maps.Copy(rec.Context, extra)
		rec.Context["aws:s3:arn"] = ObjectARN(in.Bucket, in.Key)
		gin := &kms.GenerateDataKeyInput{}
		gin.KeyID, gin.KeySpec, gin.EncryptionContext = in.KMSKeyID, "AES_256", rec.Context
		out, err := s.kms.GenerateDataKey(viaS3(ctx, c.region), gin)
		if err != nil {
			return nil, kmsError(err)
		}
		dataKey, rec.SealedKey, rec.KMSKey = out.Plaintext, out.CiphertextBlob, out.KeyID
	} else {
		dataKey = make([]byte, 32)
		if _, err := io.ReadFull(rand.Reader, dataKey); err != nil {
			return nil, err
		}
		if rec.SealedKey, err = s.barrier.Seal(dataKey, dataKeyPurpose(in.Bucket, in.Key, blob)); err != nil {
			return nil, err
		}
	}
	aead, err := newAEAD(dataKey)
	clear(dataKey)
	if err != nil {
		return nil, err
	}
	w, err := s.blobs.Create(blob)
	if err != nil {
		return nil, err
	}
	sum, err := sealStream(w, in.Body, aead, rec.Nonce)
	if err != nil {
		w.Abort()
		return nil, err
	}
	if in.ContentMD5 != "" {
		want, derr := base64.StdEncoding.DecodeString(in.ContentMD5)
		if derr != nil || len(want) != md5.Size {
			w.Abort()
			return nil, awserr.New(awserr.InvalidDigest, "The Content-MD5 you specified was invalid.")
		}
		if !bytes.Equal(want, sum.md5) {
			w.Abort()
			return nil, awserr.New(awserr.BadDigest, "The Content-MD5 you specified did not match what we received.")
		}
	}
	if err := w.Commit(); err != nil {
		return nil, err
	}
	rec.Size, rec.ETag = sum.size, `"`+hex.EncodeToString(sum.md5)+`"`
	var replaced string
	err = s.db.Update(ctx, func(tx store.Tx) error {
		if b, err := getBucket(tx, in.Bucket); err != nil || b == nil {
			if err == nil {
				err = noSuchBucket(in.Bucket)
			}
			return err
		}
		if old, err := getObject(tx, in.Bucket, in.Key); err != nil {
			return err
		} else if old != nil {
			replaced = old.Blob
		}
		return putObject(tx, rec)
	})
	if err != nil {
		s.blobs.Remove(blob)
		return nil, err
	}
	if replaced != "" {
		s.blobs.Remove(replaced)
	}
	return rec.info(), nil
}

// parseContext reads x-amz-server-side-encryption-context: base64 of a JSON object of strings.
func parseContext(header string) (map[string]string, error) {
	if header == "" {
		return nil, nil
	}
	raw, err := base64.StdEncoding.DecodeString(header)
	var m map[string]string
	if err == nil {
		err = json.Unmarshal(raw, &m)
	}
	if err != nil {
		return nil, awserr.New(awserr.InvalidArgument, "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map")
	}
	if _, ok := m["aws:s3:arn"]; ok {
		return nil, awserr.New(awserr.InvalidArgument, "The encryption context may not contain aws:s3:arn: S3 sets it")
	}
	return m, nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func getObject(tx store.Tx, bucket, key string) (*objectRecord, error) {
	v, err := tx.Get(tableObjects, objectKey(bucket, key))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var o objectRecord
	if err := json.Unmarshal(v, &o); err != nil {
		return nil, fmt.Errorf("s3: decode object %s/%s: %w", bucket, key, err)
	}
	return &o, nil
}

func putObject(tx store.Tx, o *objectRecord) error {
	o.V = 1
	v, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return tx.Put(tableObjects, objectKey(o.Bucket, o.Key), v)
}

func noSuchKey() error { return awserr.New(awserr.NoSuchKey, "The specified key does not exist.") }

// object loads an object the caller may read (s3:GetObject) and opens its data key: SSE-KMS by
// Decrypt as the caller, through S3. Errors: NoSuchBucket, NoSuchKey, AccessDenied, KMS.*.
func (s *Service) object(ctx context.Context, bucket, key string) (*objectRecord, []byte, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.bucket(c, "GetObject", bucket, key, nil); err != nil {
		return nil, nil, err
	}
	var o *objectRecord
	err = s.db.View(ctx, func(tx store.Tx) (err error) {
		o, err = getObject(tx, bucket, key)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if o == nil {
		return nil, nil, noSuchKey()
	}
	if o.SSE != "aws:kms" {
		k, err := s.barrier.Open(o.SealedKey, dataKeyPurpose(o.Bucket, o.Key, o.Blob))
		return o, k, err
	}
	din := &kms.DecryptInput{CiphertextBlob: o.SealedKey, EncryptionContext: o.Context, KeyID: o.KMSKey}
	out, err := s.kms.Decrypt(viaS3(ctx, c.region), din)
	if err != nil {
		return nil, nil, kmsError(err)
	}
	return o, out.Plaintext, nil
}

// HeadObject describes an object the caller may read (decrypting its data key, as S3 does).
func (s *Service) HeadObject(ctx context.Context, bucket, key string) (*ObjectInfo, error) {
	o, dk, err := s.object(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	clear(dk)
	return o.info(), nil
}

// GetObject writes the plaintext bytes [start, end] of an object (end < 0: to the end) to w,
// after calling head with its description; the range is clamped to the object.
// Errors: NoSuchBucket, NoSuchKey, AccessDenied, KMS.*, InvalidRange.
func (s *Service) GetObject(ctx context.Context, bucket, key string, rng func(size int64) (int64, int64, error), head func(*ObjectInfo, int64, int64) error, w io.Writer) error {
	o, dk, err := s.object(ctx, bucket, key)
	if err != nil {
		return err
	}
	aead, err := newAEAD(dk)
	clear(dk)
	if err != nil {
		return err
	}
	start, end := int64(0), o.Size-1
	if rng != nil {
		if start, end, err = rng(o.Size); err != nil {
			return err
		}
	}
	f, err := s.blobs.Open(o.Blob)
	if err != nil {
		return fmt.Errorf("s3: open body of %s/%s: %w", bucket, key, err)
	}
	defer f.Close()
	if err := head(o.info(), start, end); err != nil {
		return err
	}
	if o.Size == 0 || end < start {
		return nil
	}
	return openRange(w, f, aead, o.Nonce, o.Size, start, end)
}

// DeleteObject deletes an object; deleting a missing one succeeds.
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, "DeleteObject", bucket, key, nil); err != nil {
		return err
	}
	var blob string
	err = s.db.Update(ctx, func(tx store.Tx) error {
		o, err := getObject(tx, bucket, key)
		if err != nil || o == nil {
			return err
		}
		blob = o.Blob
		return tx.Delete(tableObjects, objectKey(bucket, key))
	})
	if err == nil && blob != "" {
		s.blobs.Remove(blob)
	}
	return err
}
