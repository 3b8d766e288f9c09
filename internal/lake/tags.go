package lake

import (
	"context"
	"slices"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/store"
)

// Tags returns the tags of the caller's store arn names, after authorizing action (ListTags) on
// it: CloudTrail's ListTags on an event data store ARN. Errors:
// EventDataStoreARNInvalidException, EventDataStoreNotFoundException, AccessDeniedException.
func (s *Service) Tags(ctx context.Context, action, arn string) ([]Tag, error) {
	_, r, err := s.target(ctx, action, arn, false)
	if err != nil {
		return nil, err
	}
	return append([]Tag{}, r.Tags...), nil
}

// Retag changes the tags of the store arn names with fn, after authorizing action (AddTags,
// RemoveTags) on it: CloudTrail's AddTags and RemoveTags on an event data store ARN; a store
// keeps at most 50 tags. Errors: EventDataStoreARNInvalidException,
// EventDataStoreNotFoundException, InactiveEventDataStoreException, InvalidTagParameterException,
// TagsLimitExceededException, OperationNotPermittedException, AccessDeniedException.
func (s *Service) Retag(ctx context.Context, action, arn string, fn func([]Tag) ([]Tag, error)) error {
	_, r, err := s.target(ctx, action, arn, true)
	if err != nil {
		return err
	}
	_, err = s.update(ctx, r, func(_ store.Tx, cur *storeRecord) error {
		if cur.Status == StatusPendingDeletion {
			return awserr.New(inactive, "The event data store %s is inactive.", cur.ARN())
		}
		tags, err := fn(slices.Clone(cur.Tags))
		if err != nil {
			return err
		}
		if err := cloudtrail.CheckTags(tags); err != nil {
			return err
		}
		if len(tags) > maxTags {
			return awserr.New("TagsLimitExceededException", "The number of tags per event data store has exceeded the permitted amount. Currently, the limit is %d.", maxTags)
		}
		cur.Tags = tags
		return nil
	})
	return err
}
