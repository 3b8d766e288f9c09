package s3

import (
	"context"
	"slices"

	"github.com/keytrail/keytrail/internal/awserr"
)

// BucketEncryption is a bucket's default encryption: SSE-S3 unless configured.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html
type BucketEncryption struct {
	SSE       string `json:"sse"`              // AES256 or aws:kms
	KMSKey    string `json:"kmsKey,omitempty"` // as configured: key ID, ARN or alias
	BucketKey bool   `json:"bucketKey,omitempty"`
}

func (b *bucketRecord) encryption() BucketEncryption {
	if b.Encryption == nil {
		return BucketEncryption{SSE: "AES256"}
	}
	return *b.Encryption
}

// GetBucketEncryptionInput is the GetBucketEncryption request.
type GetBucketEncryptionInput BucketInput

// GetBucketEncryptionOutput is the GetBucketEncryption answer.
type GetBucketEncryptionOutput struct {
	BucketEncryption
}

// GetBucketEncryption returns a bucket's default encryption. Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketEncryption(ctx context.Context, in *GetBucketEncryptionInput) (*GetBucketEncryptionOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(c, "GetEncryptionConfiguration", in.Bucket, "", nil)
	if err != nil {
		return nil, err
	}
	return &GetBucketEncryptionOutput{b.encryption()}, nil
}

// PutBucketEncryptionInput is the PutBucketEncryption request.
type PutBucketEncryptionInput struct {
	Bucket string
	BucketEncryption
}

// PutBucketEncryptionOutput is the (empty) PutBucketEncryption answer.
type PutBucketEncryptionOutput struct{}

// PutBucketEncryption sets a bucket's default encryption (AES256, or aws:kms with an optional key
// and Bucket Key). Errors: NoSuchBucket, MalformedXML, InvalidArgument, AccessDenied.
func (s *Service) PutBucketEncryption(ctx context.Context, in *PutBucketEncryptionInput) (*PutBucketEncryptionOutput, error) {
	enc := in.BucketEncryption
	switch {
	case !serverSideEncryptions[enc.SSE]:
		return nil, malformedXML()
	case enc.SSE == "AES256" && enc.KMSKey != "":
		return nil, awserr.New(awserr.InvalidArgument, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms")
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "PutEncryptionConfiguration", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Encryption = &enc }); err != nil {
		return nil, err
	}
	return &PutBucketEncryptionOutput{}, nil
}

// DeleteBucketEncryptionInput is the DeleteBucketEncryption request.
type DeleteBucketEncryptionInput BucketInput

// DeleteBucketEncryptionOutput is the (empty) DeleteBucketEncryption answer.
type DeleteBucketEncryptionOutput struct{}

// DeleteBucketEncryption restores the default, SSE-S3. Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteBucketEncryption(ctx context.Context, in *DeleteBucketEncryptionInput) (*DeleteBucketEncryptionOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "PutEncryptionConfiguration", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Encryption = nil }); err != nil {
		return nil, err
	}
	return &DeleteBucketEncryptionOutput{}, nil
}

// GetBucketVersioningInput is the GetBucketVersioning request.
type GetBucketVersioningInput BucketInput

// GetBucketVersioningOutput is the GetBucketVersioning answer: Status is "" for a bucket that has
// never been versioned, as keytrail's buckets are.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
type GetBucketVersioningOutput struct {
	Status string
}

// GetBucketVersioning answers for a bucket that has never been versioned: no Status.
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) GetBucketVersioning(ctx context.Context, in *GetBucketVersioningInput) (*GetBucketVersioningOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "GetBucketVersioning", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	return &GetBucketVersioningOutput{}, nil
}

// Tag is a bucket or object tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// GetBucketTaggingInput is the GetBucketTagging request.
type GetBucketTaggingInput BucketInput

// GetBucketTaggingOutput is the GetBucketTagging answer.
type GetBucketTaggingOutput struct {
	Tags []Tag
}

// GetBucketTagging returns a bucket's tags. Errors: NoSuchBucket, NoSuchTagSet, AccessDenied.
func (s *Service) GetBucketTagging(ctx context.Context, in *GetBucketTaggingInput) (*GetBucketTaggingOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(c, "GetBucketTagging", in.Bucket, "", nil)
	if err != nil {
		return nil, err
	}
	if len(b.Tags) == 0 {
		return nil, awserr.New(awserr.NoSuchTagSet, "The TagSet does not exist")
	}
	return &GetBucketTaggingOutput{Tags: b.Tags}, nil
}

// DeleteBucketTagging removes a bucket's tags. It is authorized as s3:PutBucketTagging, as its
// API page says (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketTagging.html).
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) DeleteBucketTagging(ctx context.Context, in *GetBucketTaggingInput) (*PutBucketTaggingOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "PutBucketTagging", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Tags = nil }); err != nil {
		return nil, err
	}
	return &PutBucketTaggingOutput{}, nil
}

// PutBucketTaggingInput is the PutBucketTagging request.
type PutBucketTaggingInput struct {
	Bucket string
	Tags   []Tag
}

// PutBucketTaggingOutput is the (empty) PutBucketTagging answer.
type PutBucketTaggingOutput struct{}

// PutBucketTagging replaces a bucket's tags (at most 50). Errors: NoSuchBucket, InvalidTag,
// AccessDenied.
func (s *Service) PutBucketTagging(ctx context.Context, in *PutBucketTaggingInput) (*PutBucketTaggingOutput, error) {
	if err := checkTags(in.Tags, maxBucketTags, "Bucket"); err != nil {
		return nil, err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "PutBucketTagging", in.Bucket, "", nil); err != nil {
		return nil, err
	}
	tags := slices.Clone(in.Tags)
	if err := s.changeBucket(ctx, in.Bucket, func(b *bucketRecord) { b.Tags = tags }); err != nil {
		return nil, err
	}
	return &PutBucketTaggingOutput{}, nil
}
