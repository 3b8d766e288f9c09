package s3

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
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

// taggingHeader reads x-amz-tagging: URL query parameters, one per tag, sorted by key.
// Errors: InvalidArgument.
func taggingHeader(v string) ([]Tag, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, awserr.New(awserr.InvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []Tag
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, awserr.New(awserr.InvalidArgument, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
		}
		tags = append(tags, Tag{Key: k, Value: vs[0]})
	}
	slices.SortFunc(tags, func(a, b Tag) int { return strings.Compare(a.Key, b.Key) })
	return tags, checkTags(tags, maxObjectTags, "Object")
}

// GetObjectTagging returns an object's tags. Errors: NoSuchBucket, NoSuchKey, AccessDenied.
func (s *Service) GetObjectTagging(ctx context.Context, bucket, key string) ([]Tag, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(c, "GetObjectTagging", bucket, key, nil); err != nil {
		return nil, err
	}
	var o *objectRecord
	err = s.db.View(ctx, func(tx store.Tx) (err error) {
		o, err = getObject(tx, bucket, key)
		return err
	})
	if err == nil && o == nil {
		err = noSuchKey()
	}
	if err != nil {
		return nil, err
	}
	return o.Tags, nil
}

// PutObjectTagging replaces an object's tags (none: DeleteObjectTagging). Errors: NoSuchBucket,
// NoSuchKey, AccessDenied, InvalidTag.
func (s *Service) PutObjectTagging(ctx context.Context, bucket, key string, tags []Tag) error {
	action := "PutObjectTagging"
	if tags == nil {
		action = "DeleteObjectTagging"
	} else if err := checkTags(tags, maxObjectTags, "Object"); err != nil {
		return err
	}
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

// tagCount sets x-amz-tagging-count, as GetObject and HeadObject do for a tagged object.
func tagCount(h http.Header, tags []Tag) {
	if len(tags) > 0 {
		h.Set("X-Amz-Tagging-Count", strconv.Itoa(len(tags)))
	}
}

func (s *Service) handleGetObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	tags, err := s.GetObjectTagging(ctx, t.Bucket, t.Key)
	if err != nil {
		return err
	}
	return writeXML(w, http.StatusOK, tagging{Xmlns: namespace, Tags: tags})
}

func (s *Service) handlePutObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, body io.Reader) error {
	in, err := readTagging(body)
	if err != nil {
		return err
	}
	if in == nil {
		in = []Tag{}
	}
	return respond(w, http.StatusOK, s.PutObjectTagging(ctx, t.Bucket, t.Key, in))
}

func (s *Service) handleDeleteObjectTagging(ctx context.Context, w http.ResponseWriter, _ *http.Request, t restxml.Target, _ io.Reader) error {
	return respond(w, http.StatusNoContent, s.PutObjectTagging(ctx, t.Bucket, t.Key, nil))
}

// readTagging reads a Tagging body. Errors: MalformedXML.
func readTagging(body io.Reader) ([]Tag, error) {
	var in tagging
	if err := readXML(body, maxConfigBody, &in); err != nil {
		return nil, err
	}
	return in.Tags, nil
}
