package cloudtrail

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/store"
)

// TagsInput is AddTags' and RemoveTags' request: a trail's ARN and tags (RemoveTags matches by
// key, and by value too when one is given).
type TagsInput struct {
	ResourceID string `json:"ResourceId"`
	TagsList   []Tag  `json:"TagsList"`
}

// ListTagsInput is ListTags' request.
type ListTagsInput struct {
	ResourceIDList []string `json:"ResourceIdList"`
	NextToken      string   `json:"NextToken"`
}

// ResourceTag is an entry of ListTags.
type ResourceTag struct {
	ResourceID string `json:"ResourceId"`
	TagsList   []Tag  `json:"TagsList"`
}

// ListTagsOutput is ListTags' response.
type ListTagsOutput struct {
	ResourceTagList []ResourceTag `json:"ResourceTagList"`
}

// CheckTags validates tags (a trail's, and the Lake's for its event data stores): keys of 1–128 characters, values of at most 256 (the model's limits,
// which the protocol layer checks on the wire; in-process callers are checked here), and no key
// in the aws: prefix, which AWS reserves
// (https://docs.aws.amazon.com/tag-editor/latest/userguide/best-practices-and-strats.html).
// Errors: InvalidTagParameterException.
func CheckTags(tags []Tag) error {
	for _, tag := range tags {
		switch {
		case tag.Key == "" || utf8.RuneCountInString(tag.Key) > 128 || utf8.RuneCountInString(tag.Value) > 256:
			return awserr.New(invalidTagParameter, "Tag keys are 1 to 128 characters and values at most 256.")
		case strings.HasPrefix(strings.ToLower(tag.Key), "aws:"):
			return awserr.New(invalidTagParameter, "Tag keys beginning with aws: are reserved for AWS use.")
		}
	}
	return nil
}

// maxListTagsResources is the most ARNs one ListTags names: "The list has a limit of 20 ARNs"
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListTags.html).
const maxListTagsResources = 20

// trailByARN loads the caller's trail an ARN names. Errors: CloudTrailARNInvalidException,
// ResourceNotFoundException.
func (s *Service) trailByARN(c *call, arn string) (*trailRecord, error) {
	m := trailARNPattern.FindStringSubmatch(arn)
	if m == nil || validName(m[3]) != nil {
		return nil, awserr.New(arnInvalid, "%s is not a valid trail ARN.", arn)
	}
	var t *trailRecord
	if m[2] == c.P.Account {
		if err := s.db.View(c.Ctx, func(tx store.Tx) (err error) {
			t, err = getTrail(tx, m[2]+"/"+m[1]+"/"+m[3])
			return err
		}); err != nil {
			return nil, err
		}
	}
	if t == nil {
		return nil, awserr.New(resourceNotFound, "The specified resource %s is not found.", arn)
	}
	return t, nil
}

// retag changes a trail's tags with fn, after authorizing action on it; an event data store's
// go to the Lake.
func (s *Service) retag(ctx context.Context, action string, in *TagsInput, fn func([]Tag) ([]Tag, error)) (*Empty, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckTags(in.TagsList); err != nil {
		return nil, err
	}
	if s.stores != nil && isStoreARN(in.ResourceID) {
		if err := s.stores.Retag(ctx, action, in.ResourceID, fn); err != nil {
			return nil, err
		}
		return &Empty{}, nil
	}
	fn = trailTagLimit(fn)
	t, err := s.trailByARN(c, in.ResourceID)
	if err != nil {
		return nil, err
	}
	if err := s.authorize(c, action, t.ARN()); err != nil {
		return nil, err
	}
	cur, err := s.updateTrail(ctx, t.storeKey(), func(_ store.Tx, cur *trailRecord) (err error) {
		cur.Tags, err = fn(cur.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, awserr.New(resourceNotFound, "The specified resource %s is not found.", in.ResourceID)
	}
	return &Empty{}, nil
}

// AddTags adds or overwrites tags of a trail or an event data store (at most 50). Authorized by identity policies
// (cloudtrail:AddTags). Errors: InvalidTagParameterException, CloudTrailARNInvalidException,
// ResourceNotFoundException, TagsLimitExceededException, AccessDeniedException.
func (s *Service) AddTags(ctx context.Context, in *TagsInput) (*Empty, error) {
	return s.retag(ctx, "AddTags", in, func(tags []Tag) ([]Tag, error) {
		for _, add := range in.TagsList {
			if i := slices.IndexFunc(tags, func(t Tag) bool { return t.Key == add.Key }); i >= 0 {
				tags[i] = add
			} else {
				tags = append(tags, add)
			}
		}
		return tags, nil
	})
}

// trailTagLimit is fn refusing more tags than a trail may have.
func trailTagLimit(fn func([]Tag) ([]Tag, error)) func([]Tag) ([]Tag, error) {
	return func(tags []Tag) ([]Tag, error) {
		tags, err := fn(tags)
		if err == nil && len(tags) > maxTags {
			return nil, awserr.New(tagsLimitExceeded, "The number of tags per trail has exceeded the permitted amount. Currently, the limit is %d.", maxTags)
		}
		return tags, err
	}
}

// isStoreARN reports whether arn names an event data store (the Lake's), not a trail.
func isStoreARN(arn string) bool { return strings.Contains(arn, ":eventdatastore/") }

// RemoveTags removes tags of a trail or an event data store. Authorized by identity policies (cloudtrail:RemoveTags).
// Errors: InvalidTagParameterException, CloudTrailARNInvalidException,
// ResourceNotFoundException, AccessDeniedException.
func (s *Service) RemoveTags(ctx context.Context, in *TagsInput) (*Empty, error) {
	return s.retag(ctx, "RemoveTags", in, func(tags []Tag) ([]Tag, error) {
		return slices.DeleteFunc(tags, func(t Tag) bool {
			return slices.ContainsFunc(in.TagsList, func(r Tag) bool { return r.Key == t.Key && (r.Value == "" || r.Value == t.Value) })
		}), nil
	})
}

// ListTags lists the tags of the trails and event data stores named by ARN, in one page. Authorized by identity
// policies (cloudtrail:ListTags). Errors: InvalidNextTokenException, InvalidParameterException
// (more than 20 ARNs), CloudTrailARNInvalidException, ResourceNotFoundException,
// AccessDeniedException.
func (s *Service) ListTags(ctx context.Context, in *ListTagsInput) (*ListTagsOutput, error) {
	c, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	if in.NextToken != "" {
		return nil, awserr.New(invalidNextToken, "Invalid NextToken.")
	}
	if len(in.ResourceIDList) > maxListTagsResources {
		return nil, awserr.New(invalidParameter, "ResourceIdList can name at most %d ARNs.", maxListTagsResources)
	}
	out := &ListTagsOutput{ResourceTagList: []ResourceTag{}}
	for _, arn := range in.ResourceIDList {
		if s.stores != nil && isStoreARN(arn) {
			tags, err := s.stores.Tags(ctx, "ListTags", arn)
			if err != nil {
				return nil, err
			}
			out.ResourceTagList = append(out.ResourceTagList, ResourceTag{ResourceID: arn, TagsList: tags})
			continue
		}
		t, err := s.trailByARN(c, arn)
		if err != nil {
			return nil, err
		}
		if err := s.authorize(c, "ListTags", t.ARN()); err != nil {
			return nil, err
		}
		out.ResourceTagList = append(out.ResourceTagList, ResourceTag{ResourceID: t.ARN(), TagsList: append([]Tag{}, t.Tags...)})
	}
	return out, nil
}
