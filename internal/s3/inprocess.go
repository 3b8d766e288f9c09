package s3

import (
	"context"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/store"
)

// BucketFacts is what another keytrail service may know of a bucket without an S3 call, as AWS's
// services know it internally: where it is, who owns it and how it encrypts by default.
type BucketFacts struct {
	Name, Owner, Region string
	SSE, KMSKey         string // the default encryption
	BucketKey           bool   // the default encryption uses an S3 Bucket Key
}

// Facts describes a bucket for an in-process service (CloudTrail); it is not an S3 operation and
// authorizes nothing. ok is false when there is no such bucket (or the name is not a bucket name).
func (s *Service) Facts(ctx context.Context, name string) (BucketFacts, bool, error) {
	if checkBucketName(name) != nil {
		return BucketFacts{}, false, nil
	}
	var b *bucketRecord
	err := s.db.View(ctx, func(tx store.Tx) (err error) {
		b, err = getBucket(tx, name)
		return err
	})
	if err != nil || b == nil {
		return BucketFacts{}, false, err
	}
	enc := b.encryption()
	return BucketFacts{Name: b.Name, Owner: b.Owner, Region: b.Region, SSE: enc.SSE, KMSKey: enc.KMSKey, BucketKey: enc.BucketKey}, true, nil
}

// AuthorizePutObject decides s3:PutObject of key with the canned ACL for the caller of ctx, as
// PutObject would, and writes nothing: CloudTrail checks a trail's bucket policy with it.
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) AuthorizePutObject(ctx context.Context, bucket, key, acl string) error {
	c, err := s.begin(ctx)
	if err != nil {
		return err
	}
	keys := authz.Map{}
	if acl != "" {
		keys["s3:x-amz-acl"] = []string{acl}
	}
	_, err = s.bucket(c, "PutObject", bucket, key, keys)
	return err
}

// ValidBucketName reports whether name follows S3's bucket naming rules.
func ValidBucketName(name string) bool { return checkBucketName(name) == nil }

// BucketRegion returns a bucket's region for the protocol layer, which answers a request signed
// for another region as S3 does; ok is false when there is no such bucket.
func (s *Service) BucketRegion(ctx context.Context, name string) (string, bool) {
	f, ok, err := s.Facts(ctx, name)
	return f.Region, ok && err == nil
}
