package s3

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/checksum"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/store"
)

// objectRecord is the stored metadata of an object (format version 1); the body is a blob,
// encrypted under a data key that is sealed by keytrail (SSE-S3) or by KMS (SSE-KMS).
type objectRecord struct {
	store.Version
	Bucket       string            `json:"bucket"`
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	ETag         string            `json:"etag"` // quoted hex MD5, as S3 shows it
	LastModified time.Time         `json:"lastModified"`
	ContentType  string            `json:"contentType,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"` // x-amz-meta-* without the prefix, lower case
	Parts        []part            `json:"parts"`              // one for PutObject, the parts of a multipart upload
	Owner        string            `json:"owner"`              // the writer's account
	Checksum     *Checksum         `json:"checksum,omitempty"` // the flexible checksum the writer declared
	Tags         []Tag             `json:"tags,omitempty"`
	dataKey
}

// part is one encrypted blob of an object's body.
type part struct {
	Blob  string  `json:"blob"`
	Nonce [8]byte `json:"nonce"`
	Size  int64   `json:"size"`
}

// dataKey is how an object's (or upload's) data key is kept.
type dataKey struct {
	ID        string            `json:"keyId"`               // binds a barrier-sealed key to its object
	SSE       string            `json:"sse"`                 // AES256 or aws:kms
	KMSKey    string            `json:"kmsKey,omitempty"`    // the key ARN
	SealedKey []byte            `json:"sealedKey"`           // barrier-sealed (AES256) or a KMS ciphertext blob
	Context   map[string]string `json:"context,omitempty"`   // the encryption context KMS bound, aws:s3:arn included
	BucketKey bool              `json:"bucketKey,omitempty"` // SealedKey is a bucket-level key; the object's is derived
}

func (o *objectRecord) blobs() []string {
	var out []string
	for _, p := range o.Parts {
		out = append(out, p.Blob)
	}
	return out
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
	// ChecksumAlgorithm (crc32, crc32c, crc64nvme, sha1, sha256) names the flexible checksum to
	// keep; Checksum, its base64 value, is checked against the body when given.
	ChecksumAlgorithm, Checksum string
	Tags                        []Tag // x-amz-tagging; the writer needs s3:PutObjectTagging too
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
	BucketKey    bool
	Owner        string    // the writer's account
	Checksum     *Checksum // the flexible checksum, if the writer declared one
	Tags         []Tag
}

func (o *objectRecord) info() *ObjectInfo {
	return &ObjectInfo{Key: o.Key, Size: o.Size, ETag: o.ETag, LastModified: o.LastModified, ContentType: o.ContentType,
		Metadata: o.Metadata, SSE: o.SSE, KMSKey: o.KMSKey, BucketKey: o.BucketKey, Owner: o.Owner, Checksum: o.Checksum, Tags: o.Tags}
}

// kmsError turns an error of the KMS call S3 made into the S3 error (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html): a denial is
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

// viaS3 is the context of the KMS calls S3 makes for a caller about a bucket in region: they go
// to KMS in the bucket's region, whatever region the caller's request was signed for, and
// kms:ViaService names S3 in that region.
func viaS3(ctx context.Context, region string) context.Context {
	return kms.InRegion(authz.WithKeys(ctx, authz.Map{"kms:ViaService": {"s3." + region + ".amazonaws.com"}}), region)
}

// checkKeyRegion refuses a KMS key or alias ARN of another region than the bucket's, as S3 does
// ("KMS.NotFoundException: Invalid arn <region>"): S3 uses keys of the bucket's region only.
func checkKeyRegion(keyID, bucketRegion string) error {
	parts := strings.SplitN(keyID, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[2] != "kms" || parts[3] == bucketRegion {
		return nil
	}
	return &awserr.Error{Code: "KMS.NotFoundException", Message: "Invalid arn " + parts[3], Status: 400}
}

// regionOfKey is the region a key ARN names: the region of the bucket an object was written to.
func regionOfKey(keyARN string) string {
	if parts := strings.SplitN(keyARN, ":", 6); len(parts) == 6 {
		return parts[3]
	}
	return ""
}

// encryption is the SSE a write asks for.
type encryption struct {
	sse, kmsKeyID string
	extra         map[string]string
	bucketKey     *bool  // the request's x-amz-server-side-encryption-bucket-key-enabled
	region        string // the bucket's, set by authorizeWrite: S3 calls KMS there
}

// checkEncryption validates the SSE headers of a write; none means the bucket's default.
func checkEncryption(sse, kmsKeyID, contextHeader string, bucketKey *bool) (encryption, error) {
	switch {
	case sse != "" && !serverSideEncryptions[sse]:
		return encryption{}, awserr.New(awserr.InvalidArgument, "The encryption method specified is not supported")
	case sse == "" || sse == "AES256":
		if kmsKeyID != "" || contextHeader != "" {
			return encryption{}, awserr.New(awserr.InvalidArgument, "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms")
		}
	}
	extra, err := parseContext(contextHeader)
	return encryption{sse: sse, kmsKeyID: kmsKeyID, extra: extra, bucketKey: bucketKey}, err
}

// authorizeWrite authorizes s3:PutObject with the request's condition keys (and those of keys),
// then fills the encryption the request did not name from the bucket's default.
func (s *Service) authorizeWrite(c *call, bucket, key, acl string, enc *encryption, keys authz.Map) error {
	if keys == nil {
		keys = authz.Map{}
	}
	if enc.sse != "" {
		keys["s3:x-amz-server-side-encryption"] = []string{enc.sse}
	}
	if acl != "" {
		keys["s3:x-amz-acl"] = []string{acl}
	}
	if enc.kmsKeyID != "" {
		keys["s3:x-amz-server-side-encryption-aws-kms-key-id"] = []string{enc.kmsKeyID}
	}
	b, err := s.bucket(c, "PutObject", bucket, key, keys)
	if err != nil {
		return err
	}
	def := b.encryption()
	enc.region = b.Region
	if enc.sse == "" {
		enc.sse, enc.kmsKeyID = def.SSE, def.KMSKey
	}
	if enc.bucketKey == nil && enc.sse == def.SSE {
		enc.bucketKey = &def.BucketKey
	}
	if enc.sse == "aws:kms" && enc.kmsKeyID == "" {
		arn, err := s.kms.AWSManagedKey(c.Ctx, b.Owner, b.Region, "s3")
		if err != nil {
			return err
		}
		enc.kmsKeyID = arn
	}
	return nil
}

// authorizeTagging authorizes s3:PutObjectTagging for a write that tags its object.
func (s *Service) authorizeTagging(c *call, bucket, key string, tags []Tag) error {
	if len(tags) == 0 {
		return nil
	}
	_, err := s.bucket(c, "PutObjectTagging", bucket, key, nil)
	return err
}

// newDataKey makes the data key of an object: random and sealed by keytrail for SSE-S3;
// generated by KMS as the caller, through S3, for SSE-KMS: for the object, with the object's ARN
// as context, or with a Bucket Key, derived from a bucket-level key bound to the bucket's ARN.
func (s *Service) newDataKey(ctx context.Context, c *call, bucket, key string, enc encryption) ([]byte, dataKey, error) {
	id, err := s.randomID()
	if err != nil {
		return nil, dataKey{}, err
	}
	dk := dataKey{ID: id, SSE: enc.sse}
	if enc.sse == "aws:kms" {
		if err := checkKeyRegion(enc.kmsKeyID, enc.region); err != nil {
			return nil, dataKey{}, err
		}
		dk.Context = map[string]string{}
		maps.Copy(dk.Context, enc.extra)
		if dk.BucketKey = enc.bucketKey != nil && *enc.bucketKey; dk.BucketKey {
			dk.Context["aws:s3:arn"] = "arn:aws:s3:::" + bucket
			bk, err := s.bucketKey(ctx, c, enc.region, enc.kmsKeyID, dk.Context)
			if err != nil {
				return nil, dataKey{}, err
			}
			dk.SealedKey, dk.KMSKey = bk.blob, bk.keyARN
			k, err := deriveObjectKey(bk.plain, id)
			return k, dk, err
		}
		dk.Context["aws:s3:arn"] = ObjectARN(bucket, key)
		gin := &kms.GenerateDataKeyInput{}
		gin.KeyID, gin.KeySpec, gin.EncryptionContext = enc.kmsKeyID, "AES_256", dk.Context
		out, err := s.kms.GenerateDataKey(viaS3(ctx, enc.region), gin)
		if err != nil {
			return nil, dataKey{}, kmsError(err)
		}
		dk.SealedKey, dk.KMSKey = out.CiphertextBlob, out.KeyID
		return out.Plaintext, dk, nil
	}
	plain := make([]byte, 32)
	if _, err := io.ReadFull(s.rand, plain); err != nil {
		return nil, dataKey{}, err
	}
	if dk.SealedKey, err = s.barrier.Seal(plain, dataKeyPurpose(bucket, key, id)); err != nil {
		return nil, dataKey{}, err
	}
	return plain, dk, nil
}

// openDataKey opens an object's data key as the caller: SSE-KMS by Decrypt through S3, in the
// region of the object's key, which is its bucket's (S3 writes with keys of the bucket's region).
func (s *Service) openDataKey(ctx context.Context, c *call, bucket, key string, dk *dataKey) ([]byte, error) {
	if dk.SSE != "aws:kms" {
		return s.barrier.Open(dk.SealedKey, dataKeyPurpose(bucket, key, dk.ID))
	}
	region := regionOfKey(dk.KMSKey)
	if region == "" {
		region = c.Region
	}
	out, err := s.kms.Decrypt(viaS3(ctx, region), &kms.DecryptInput{CiphertextBlob: dk.SealedKey, EncryptionContext: dk.Context, KeyID: dk.KMSKey})
	if err != nil {
		return nil, kmsError(err)
	}
	if dk.BucketKey {
		return deriveObjectKey(out.Plaintext, dk.ID)
	}
	return out.Plaintext, nil
}

// verify is what a write's body must match: its Content-MD5 (base64) and its flexible checksum
// (algorithm and base64 value; an algorithm without a value is computed, not checked).
type verify struct {
	contentMD5 string
	alg, sum   string
}

// writePart encrypts a body into a new blob under the data key, checking what v declares; it
// returns the part, the body's MD5 and its checksum (nil without an algorithm).
func (s *Service) writePart(body io.Reader, key []byte, v verify) (part, []byte, *Checksum, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return part{}, nil, nil, err
	}
	var want []byte
	if v.contentMD5 != "" {
		if want, err = base64.StdEncoding.DecodeString(v.contentMD5); err != nil || len(want) != md5.Size {
			return part{}, nil, nil, awserr.New(awserr.InvalidDigest, "The Content-MD5 you specified was invalid.")
		}
	}
	if err := checkChecksum(v.alg, v.sum); err != nil {
		return part{}, nil, nil, err
	}
	var sums []hash.Hash
	if v.alg != "" {
		sums = append(sums, checksum.New(v.alg))
	}
	blob, err := s.randomID()
	if err != nil {
		return part{}, nil, nil, err
	}
	p := part{Blob: blob}
	if _, err := io.ReadFull(s.rand, p.Nonce[:]); err != nil {
		return part{}, nil, nil, err
	}
	w, err := s.blobs.Create(blob)
	if err != nil {
		return part{}, nil, nil, err
	}
	sum, err := sealStream(w, body, aead, p.Nonce, sums...)
	var ck *Checksum
	if err == nil && v.alg != "" {
		ck = &Checksum{Algorithm: strings.ToLower(v.alg), Value: checksum.Value(sums[0])}
	}
	switch {
	case err != nil:
		w.Abort()
		return part{}, nil, nil, err
	case want != nil && !bytes.Equal(want, sum.md5):
		w.Abort()
		return part{}, nil, nil, awserr.New(awserr.BadDigest, "The Content-MD5 you specified did not match what we received.")
	case v.sum != "" && ck.Value != v.sum:
		w.Abort()
		return part{}, nil, nil, awserr.New(awserr.BadDigest, "The %s you specified did not match the calculated checksum.", strings.ToUpper(v.alg))
	}
	if err := w.Commit(); err != nil {
		return part{}, nil, nil, err
	}
	p.Size = sum.size
	return p, sum.md5, ck, nil
}

// PutObject stores an object, encrypted: SSE-KMS under the KMS key named (GenerateDataKey as the
// writer, with the object's ARN and the header's pairs as encryption context), SSE-S3 otherwise.
// Errors: NoSuchBucket, AccessDenied, InvalidArgument, BadDigest, KMS.* (as S3 prefixes KMS's codes).
func (s *Service) PutObject(ctx context.Context, in *PutObjectInput) (*ObjectInfo, error) {
	if in.Key == "" || len(in.Key) > 1024 {
		return nil, awserr.New(awserr.InvalidArgument, "Object keys are 1 to 1024 bytes long")
	}
	enc, err := checkEncryption(in.SSE, in.KMSKeyID, in.EncryptionCtx, in.BucketKeyEnabled)
	if err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.authorizeWrite(c, in.Bucket, in.Key, in.ACL, &enc, nil); err != nil {
		return nil, err
	}
	if err := s.authorizeTagging(c, in.Bucket, in.Key, in.Tags); err != nil {
		return nil, err
	}
	plain, dk, err := s.newDataKey(ctx, c, in.Bucket, in.Key, enc)
	if err != nil {
		return nil, err
	}
	p, sum, ck, err := s.writePart(in.Body, plain, verify{in.ContentMD5, in.ChecksumAlgorithm, in.Checksum})
	clear(plain)
	if err != nil {
		return nil, err
	}
	rec := &objectRecord{Bucket: in.Bucket, Key: in.Key, Size: p.Size, ETag: `"` + hex.EncodeToString(sum) + `"`, ContentType: in.ContentType,
		Metadata: in.Metadata, LastModified: s.now().UTC().Truncate(time.Second), Owner: c.P.Account, Parts: []part{p}, Checksum: ck, Tags: in.Tags, dataKey: dk}
	if err := s.commitObject(ctx, rec); err != nil {
		return nil, err
	}
	return rec.info(), nil
}

// discardBlob removes a blob no record refers to any more. Best effort: a blob a failed removal
// leaves behind takes space but is never read, and the request it belongs to has succeeded (or
// is failing for another reason).
func (s *Service) discardBlob(id string) {
	_ = s.blobs.Remove(id)
}

// commitObject stores an object's record, replacing (and removing the blobs of) any previous one.
func (s *Service) commitObject(ctx context.Context, rec *objectRecord) error {
	var replaced []string
	err := s.db.Update(ctx, func(tx store.Tx) error {
		if b, err := getBucket(tx, rec.Bucket); err != nil || b == nil {
			if err == nil {
				err = noSuchBucket(rec.Bucket)
			}
			return err
		}
		if old, err := getObject(tx, rec.Bucket, rec.Key); err != nil {
			return err
		} else if old != nil {
			replaced = old.blobs()
		}
		return putObject(tx, rec)
	})
	if err != nil {
		for _, b := range rec.blobs() {
			s.discardBlob(b)
		}
		return err
	}
	for _, b := range replaced {
		s.discardBlob(b)
	}
	return nil
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

// randomID is 16 random bytes in hex: the names of blobs, data keys and uploads.
func (s *Service) randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// getObject reads an object's record; nil when there is none.
func getObject(tx store.Tx, bucket, key string) (*objectRecord, error) {
	return objects.Get(tx, objectKey(bucket, key))
}

func putObject(tx store.Tx, o *objectRecord) error {
	return objects.Put(tx, objectKey(o.Bucket, o.Key), o)
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
	k, err := s.openDataKey(ctx, c, bucket, key, &o.dataKey)
	if err != nil {
		return nil, nil, err
	}
	return o, k, nil
}

// ByteRange is the one byte range a GetObject may ask for (a Range header of bytes=First-Last,
// bytes=First- or bytes=-Suffix): https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html#API_GetObject_RequestSyntax
type ByteRange struct {
	First, Last int64 // Last < 0: to the end
	Suffix      int64 // > 0: the last Suffix bytes (First and Last unused)
}

// bounds returns the range's first and last byte in an object of size bytes, clamped to it.
// Errors: InvalidRange (a range that starts after the object).
func (r *ByteRange) bounds(size int64) (start, end int64, err error) {
	if r.Suffix > 0 {
		return max(size-r.Suffix, 0), size - 1, nil
	}
	if r.First >= size {
		return 0, 0, awserr.New(awserr.InvalidRange, "The requested range is not satisfiable")
	}
	end = r.Last
	if end < 0 || end >= size {
		end = size - 1
	}
	return r.First, end, nil
}

// Conditions are a read's preconditions (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since); a zero time is no condition.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html
type Conditions struct {
	IfMatch, IfNoneMatch               string
	IfModifiedSince, IfUnmodifiedSince time.Time
}

// check applies the conditions to an object: a failed If-Match or If-Unmodified-Since is
// PreconditionFailed; a failed If-None-Match or If-Modified-Since reports notModified (a 304).
func (cd *Conditions) check(o *ObjectInfo) (notModified bool, err error) {
	if m := cd.IfMatch; m != "" && m != o.ETag && m != "*" && strings.Trim(m, `"`) != strings.Trim(o.ETag, `"`) {
		return false, preconditionFailed()
	}
	if !cd.IfUnmodifiedSince.IsZero() && cd.IfMatch == "" && o.LastModified.After(cd.IfUnmodifiedSince) {
		return false, preconditionFailed()
	}
	if m := cd.IfNoneMatch; m != "" {
		return m == "*" || strings.Trim(m, `"`) == strings.Trim(o.ETag, `"`), nil
	}
	return !cd.IfModifiedSince.IsZero() && !o.LastModified.After(cd.IfModifiedSince), nil
}

func preconditionFailed() error {
	return awserr.New(awserr.PreconditionFailed, "At least one of the pre-conditions you specified did not hold")
}

// GetObjectInput is the GetObject request.
type GetObjectInput struct {
	Bucket, Key string
	Range       *ByteRange // nil: the whole object
	Conditions
}

// GetObjectOutput is the GetObject answer: the object's description and its plaintext bytes
// First–Last as Body, which the caller must close.
type GetObjectOutput struct {
	ObjectInfo
	Body        io.ReadCloser // nil for HeadObject and when NotModified
	NotModified bool          // If-None-Match or If-Modified-Since did not hold: nothing to send
	Ranged      bool          // the request named a range: First–Last is part of the object
	First, Last int64         // the bytes Body holds (Last < First for an empty object)
}

// GetObject reads an object the caller may read (s3:GetObject; SSE-KMS: Decrypt as the caller,
// through S3), or the range of it the request names, streaming and decrypting as Body is read.
// Errors: NoSuchBucket, NoSuchKey, AccessDenied, KMS.*, InvalidRange, PreconditionFailed.
func (s *Service) GetObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error) {
	return s.getObject(ctx, in, true)
}

// HeadObjectInput is the HeadObject request.
type HeadObjectInput GetObjectInput

// HeadObjectOutput is the HeadObject answer: GetObject's without a Body.
type HeadObjectOutput GetObjectOutput

// HeadObject describes an object as GetObject would, without reading it (its data key is
// decrypted, as S3 does). Errors: those of GetObject.
func (s *Service) HeadObject(ctx context.Context, in *HeadObjectInput) (*HeadObjectOutput, error) {
	out, err := s.getObject(ctx, (*GetObjectInput)(in), false)
	return (*HeadObjectOutput)(out), err
}

func (s *Service) getObject(ctx context.Context, in *GetObjectInput, body bool) (*GetObjectOutput, error) {
	o, dk, err := s.object(ctx, in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(dk)
	clear(dk)
	if err != nil {
		return nil, err
	}
	out := &GetObjectOutput{ObjectInfo: *o.info(), Ranged: in.Range != nil, First: 0, Last: o.Size - 1}
	if in.Range != nil {
		if out.First, out.Last, err = in.Range.bounds(o.Size); err != nil {
			return nil, err
		}
	}
	if out.NotModified, err = in.check(&out.ObjectInfo); err != nil {
		return nil, err
	}
	if out.NotModified {
		return out, nil
	}
	if body {
		out.Body = s.reader(&source{rec: o, aead: aead, start: out.First, end: out.Last})
	}
	return out, nil
}

// writeRange writes the plaintext bytes [start, end] of an object to w: each part is its own
// segmented blob, and only the parts (and segments) the range touches are read.
func (s *Service) writeRange(w io.Writer, aead cipher.AEAD, o *objectRecord, start, end int64) error {
	if o.Size == 0 || end < start {
		return nil
	}
	var base int64
	for _, p := range o.Parts {
		if base > end {
			break
		}
		if pEnd := base + p.Size - 1; p.Size > 0 && pEnd >= start {
			if err := s.readPart(w, aead, p, max(start-base, 0), min(end, pEnd)-base); err != nil {
				return err
			}
		}
		base += p.Size
	}
	return nil
}

func (s *Service) readPart(w io.Writer, aead cipher.AEAD, p part, start, end int64) error {
	f, err := s.blobs.Open(p.Blob)
	if err != nil {
		return fmt.Errorf("s3: open part: %w", err)
	}
	defer func() { _ = f.Close() }() // read only
	return openRange(w, f, aead, p.Nonce, p.Size, start, end)
}

// DeleteObjectInput is the DeleteObject request.
type DeleteObjectInput ObjectInput

// DeleteObjectOutput is the (empty) DeleteObject answer.
type DeleteObjectOutput struct{}

// DeleteObject deletes an object; deleting a missing one succeeds.
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteObject(ctx context.Context, in *DeleteObjectInput) (*DeleteObjectOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "DeleteObject", in.Bucket, in.Key, nil); err != nil {
		return nil, err
	}
	var blobs []string
	err = s.db.Update(ctx, func(tx store.Tx) error {
		o, err := getObject(tx, in.Bucket, in.Key)
		if err != nil || o == nil {
			return err
		}
		blobs = o.blobs()
		return objects.Delete(tx, objectKey(in.Bucket, in.Key))
	})
	if err != nil {
		return nil, err
	}
	for _, b := range blobs {
		s.discardBlob(b)
	}
	return &DeleteObjectOutput{}, nil
}

// DeleteObjectsInput is the DeleteObjects request: up to 1000 keys; Quiet reports only errors.
type DeleteObjectsInput struct {
	Bucket string
	Keys   []string
	// Versions are the keys' VersionId, "" where none was given (Versions may be shorter than Keys).
	Versions []string
	Quiet    bool
}

// DeleteObjectsOutput is the DeleteObjects answer: the keys deleted (none when Quiet) and the
// keys that could not be, each with its error.
type DeleteObjectsOutput struct {
	Deleted []DeletedObject
	Errors  []DeleteError
}

// DeletedObject is a key DeleteObjects deleted, with the VersionId the request gave it.
type DeletedObject struct {
	Key, VersionID string
}

// DeleteError is a key DeleteObjects could not delete.
type DeleteError struct {
	Key, Code, Message string
}

// DeleteObjects deletes up to 1000 keys, each as DeleteObject (its own authorization), reporting
// each key's outcome: https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
// Errors: MalformedXML (no keys or more than 1000), NoSuchBucket.
func (s *Service) DeleteObjects(ctx context.Context, in *DeleteObjectsInput) (*DeleteObjectsOutput, error) {
	if len(in.Keys) == 0 || len(in.Keys) > 1000 {
		return nil, malformedXML()
	}
	out := &DeleteObjectsOutput{}
	for i, key := range in.Keys {
		version := ""
		if i < len(in.Versions) {
			version = in.Versions[i]
		}
		if version != "" && version != "null" {
			// keytrail's buckets are never versioned: "null" is every object's one version.
			out.Errors = append(out.Errors, DeleteError{Key: key, Code: "NoSuchVersion", Message: "The specified version does not exist."})
			continue
		}
		if _, err := s.DeleteObject(ctx, &DeleteObjectInput{Bucket: in.Bucket, Key: key}); err != nil {
			e, ok := awserr.As(err)
			if !ok || e.Code == awserr.NoSuchBucket {
				return nil, err
			}
			out.Errors = append(out.Errors, DeleteError{Key: key, Code: string(e.Code), Message: e.Message})
			continue
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, DeletedObject{Key: key, VersionID: version})
		}
	}
	return out, nil
}

// BucketARN is a bucket's ARN.
func BucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }
