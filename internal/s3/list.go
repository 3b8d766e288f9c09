package s3

import (
	"context"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/store"
)

// ListObjectsInput is a listing of a bucket (ListObjects and ListObjectsV2): keys after After
// with Prefix, grouped by Delimiter, at most MaxKeys.
type ListObjectsInput struct {
	Bucket, Prefix, Delimiter, After string
	MaxKeys                          int
}

// ListObjectsOutput is a page of a listing.
type ListObjectsOutput struct {
	Objects   []*ObjectInfo
	Prefixes  []string
	Truncated bool
	Last      string // the last key or common prefix returned: where the next page starts
}

// ListObjects lists a bucket's keys in byte order (s3:ListBucket, with s3:prefix, s3:delimiter
// and s3:max-keys). Common prefixes count as one key each. Errors: NoSuchBucket, AccessDenied.
func (s *Service) ListObjects(ctx context.Context, in *ListObjectsInput) (*ListObjectsOutput, error) {
	return s.list(ctx, "ListBucket", in)
}

// ListObjectVersions lists a bucket's object versions (s3:ListBucketVersions, with the same
// condition keys as ListObjects). keytrail's buckets are never versioned: each object is its one
// version, "null", the latest, as S3 lists the objects of a bucket that never had versioning
// enabled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersionSuspendedBuckets.html).
// Errors: NoSuchBucket, AccessDenied.
func (s *Service) ListObjectVersions(ctx context.Context, in *ListObjectsInput) (*ListObjectsOutput, error) {
	return s.list(ctx, "ListBucketVersions", in)
}

// list is the body of ListObjects and ListObjectVersions, authorized as action.
func (s *Service) list(ctx context.Context, action string, in *ListObjectsInput) (*ListObjectsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	keys := authz.Map{"s3:prefix": {in.Prefix}, "s3:max-keys": {strconv.Itoa(in.MaxKeys)}}
	if in.Delimiter != "" {
		keys["s3:delimiter"] = []string{in.Delimiter}
	}
	if _, err := s.bucket(c, action, in.Bucket, "", keys); err != nil {
		return nil, err
	}
	out := &ListObjectsOutput{}
	if in.MaxKeys == 0 {
		return out, nil
	}
	base := in.Bucket + "/"
	from := ""
	if in.After != "" {
		from = base + in.After + "\x00" // the first key after After
	}
	err = s.db.View(ctx, func(tx store.Tx) error {
		return objects.Scan(tx, base+in.Prefix, from, func(k string, o *objectRecord) error {
			key := strings.TrimPrefix(k, base)
			if in.Delimiter != "" {
				if i := strings.Index(key[len(in.Prefix):], in.Delimiter); i >= 0 {
					p := key[:len(in.Prefix)+i+len(in.Delimiter)]
					if p == out.Last || in.After != "" && p <= in.After {
						return nil // a prefix already returned, or on an earlier page
					}
					if len(out.Objects)+len(out.Prefixes) == in.MaxKeys {
						out.Truncated = true
						return store.ErrStop
					}
					out.Prefixes, out.Last = append(out.Prefixes, p), p
					return nil
				}
			}
			if len(out.Objects)+len(out.Prefixes) == in.MaxKeys {
				out.Truncated = true
				return store.ErrStop
			}
			out.Objects, out.Last = append(out.Objects, o.info()), key
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
