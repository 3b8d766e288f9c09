package s3

import (
	"context"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// Tag limits: an object has at most 10 tags, a bucket 50.
const (
	maxObjectTags = 10
	maxBucketTags = 50
)

// checkTags validates a tag set: keys of 1–128 and values of at most 256 bytes, no aws: prefix,
// no key twice, at most max tags. Errors: InvalidTag.
func checkTags(tags []Tag, limit int, what string) error {
	seen := map[string]bool{}
	for _, tag := range tags {
		switch {
		case tag.Key == "" || len(tag.Key) > 128 || len(tag.Value) > 256:
			return awserr.New(awserr.InvalidTag, "The tag key or value is not valid")
		case strings.HasPrefix(strings.ToLower(tag.Key), "aws:"):
			return awserr.New(awserr.InvalidTag, "Your TagKey cannot be prefixed with aws:")
		case seen[tag.Key]:
			return awserr.New(awserr.InvalidTag, "Cannot provide multiple Tags with the same key")
		}
		seen[tag.Key] = true
	}
	if len(tags) > limit {
		return awserr.New(awserr.InvalidTag, "%s tags cannot be greater than %d", what, limit)
	}
	return nil
}

// ObjectInput names the object of an operation that takes nothing else.
type ObjectInput struct {
	Bucket, Key string
}

// GetObjectTaggingInput is the GetObjectTagging request.
type GetObjectTaggingInput ObjectInput

// GetObjectTaggingOutput is the GetObjectTagging answer.
type GetObjectTaggingOutput struct {
	Tags []Tag
}

// GetObjectTagging returns an object's tags. Errors: NoSuchBucket, NoSuchKey, AccessDenied.
func (s *Service) GetObjectTagging(ctx context.Context, in *GetObjectTaggingInput) (*GetObjectTaggingOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "GetObjectTagging", in.Bucket, in.Key, nil); err != nil {
		return nil, err
	}
	var o *objectRecord
	err = s.db.View(ctx, func(tx store.Tx) (err error) {
		o, err = getObject(tx, in.Bucket, in.Key)
		return err
	})
	if err == nil && o == nil {
		err = noSuchKey()
	}
	if err != nil {
		return nil, err
	}
	return &GetObjectTaggingOutput{Tags: o.Tags}, nil
}

// PutObjectTaggingInput is the PutObjectTagging request.
type PutObjectTaggingInput struct {
	Bucket, Key string
	Tags        []Tag
}

// PutObjectTaggingOutput is the (empty) PutObjectTagging answer.
type PutObjectTaggingOutput struct{}

// PutObjectTagging replaces an object's tags (at most 10; none leaves it untagged).
// Errors: NoSuchBucket, NoSuchKey, AccessDenied, InvalidTag.
func (s *Service) PutObjectTagging(ctx context.Context, in *PutObjectTaggingInput) (*PutObjectTaggingOutput, error) {
	if err := checkTags(in.Tags, maxObjectTags, "Object"); err != nil {
		return nil, err
	}
	tags := in.Tags
	if tags == nil {
		tags = []Tag{}
	}
	if err := s.setObjectTags(ctx, "PutObjectTagging", in.Bucket, in.Key, tags); err != nil {
		return nil, err
	}
	return &PutObjectTaggingOutput{}, nil
}

// DeleteObjectTaggingInput is the DeleteObjectTagging request.
type DeleteObjectTaggingInput ObjectInput

// DeleteObjectTaggingOutput is the (empty) DeleteObjectTagging answer.
type DeleteObjectTaggingOutput struct{}

// DeleteObjectTagging removes an object's tags. Errors: NoSuchBucket, NoSuchKey, AccessDenied.
func (s *Service) DeleteObjectTagging(ctx context.Context, in *DeleteObjectTaggingInput) (*DeleteObjectTaggingOutput, error) {
	if err := s.setObjectTags(ctx, "DeleteObjectTagging", in.Bucket, in.Key, nil); err != nil {
		return nil, err
	}
	return &DeleteObjectTaggingOutput{}, nil
}

// setObjectTags authorizes action on an object and replaces its tags.
func (s *Service) setObjectTags(ctx context.Context, action, bucket, key string, tags []Tag) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.bucket(c, action, bucket, key, nil); err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx store.Tx) error {
		o, err := getObject(tx, bucket, key)
		if err == nil && o == nil {
			err = noSuchKey()
		}
		if err != nil {
			return err
		}
		o.Tags = slices.Clone(tags)
		return putObject(tx, o)
	})
}
