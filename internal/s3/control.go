package s3

import (
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
)

// S3 Control's resource tagging (ListTagsForResource, TagResource, UntagResource at
// /v20180820/tags/{arn}) is served for general purpose buckets, where it reads and writes the
// same tag set as GetBucketTagging and PutBucketTagging: current SDKs and the Terraform AWS
// provider read a bucket's tags this way
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListTagsForResource.html).

// accountIDPattern is x-amz-account-id's pattern in S3 Control.
var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// ResourceTagsInput names the resource of an S3 Control tagging call: the account that owns it
// (x-amz-account-id) and its ARN.
type ResourceTagsInput struct {
	AccountID   string
	ResourceARN string
}

// ListTagsForResourceOutput is ListTagsForResource's answer.
type ListTagsForResourceOutput struct {
	Tags []Tag
}

// TagResourceInput is the TagResource request.
type TagResourceInput struct {
	ResourceTagsInput
	Tags []Tag
}

// UntagResourceInput is the UntagResource request.
type UntagResourceInput struct {
	ResourceTagsInput
	TagKeys []string
}

// taggedBucket checks an S3 Control tagging request and returns the bucket its ARN names,
// authorized for action (s3:ListTagsForResource, s3:TagResource, s3:UntagResource). The account
// must own the bucket. Errors: InvalidRequest, NoSuchBucket, AccessDenied.
func (s *Service) taggedBucket(c *call, action string, in *ResourceTagsInput) (*bucketRecord, error) {
	if !accountIDPattern.MatchString(in.AccountID) {
		return nil, awserr.New(awserr.InvalidRequest, "The x-amz-account-id header must be a 12-digit account ID.")
	}
	name, ok := strings.CutPrefix(in.ResourceARN, "arn:aws:s3:::")
	if !ok || name == "" || strings.Contains(name, "/") {
		return nil, awserr.New(awserr.InvalidRequest, "keytrail serves the tags of general purpose buckets (arn:aws:s3:::<bucket>) only, not %s.", in.ResourceARN)
	}
	b, err := s.bucket(c, action, name, "", nil)
	if err != nil {
		return nil, err
	}
	if b.Owner != in.AccountID {
		return nil, awserr.New(awserr.AccessDenied, "Access Denied")
	}
	return b, nil
}

// ListTagsForResource returns a bucket's tags (an empty list when it has none).
// Errors: InvalidRequest, NoSuchBucket, AccessDenied.
func (s *Service) ListTagsForResource(ctx context.Context, in *ResourceTagsInput) (*ListTagsForResourceOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	b, err := s.taggedBucket(c, "ListTagsForResource", in)
	if err != nil {
		return nil, err
	}
	return &ListTagsForResourceOutput{Tags: slices.Clone(b.Tags)}, nil
}

// TagResource adds tags to a bucket, replacing the values of the keys it has (at most 50 tags
// in all). Errors: InvalidRequest, InvalidTag, NoSuchBucket, AccessDenied.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) error {
	if err := checkTags(in.Tags, maxBucketTags, "Bucket"); err != nil {
		return err
	}
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.taggedBucket(c, "TagResource", &in.ResourceTagsInput); err != nil {
		return err
	}
	var tooMany error
	err = s.changeBucket(ctx, strings.TrimPrefix(in.ResourceARN, "arn:aws:s3:::"), func(b *bucketRecord) {
		tags := slices.Clone(b.Tags)
		for _, t := range in.Tags {
			if i := slices.IndexFunc(tags, func(have Tag) bool { return have.Key == t.Key }); i >= 0 {
				tags[i].Value = t.Value
			} else {
				tags = append(tags, t)
			}
		}
		if tooMany = checkTags(tags, maxBucketTags, "Bucket"); tooMany == nil {
			b.Tags = tags
		}
	})
	if err != nil {
		return err
	}
	return tooMany
}

// UntagResource removes tags from a bucket by key; a key it does not have is no error.
// Errors: InvalidRequest, NoSuchBucket, AccessDenied.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	if _, err := s.taggedBucket(c, "UntagResource", &in.ResourceTagsInput); err != nil {
		return err
	}
	return s.changeBucket(ctx, strings.TrimPrefix(in.ResourceARN, "arn:aws:s3:::"), func(b *bucketRecord) {
		b.Tags = slices.DeleteFunc(slices.Clone(b.Tags), func(t Tag) bool { return slices.Contains(in.TagKeys, t.Key) })
	})
}
