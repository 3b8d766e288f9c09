package lake_test

import (
	"context"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// CloudTrail's AddTags, ListTags and RemoveTags take store ARNs: at most 50 tags, authorized on
// the store, refused on a store pending deletion.
func TestTags(t *testing.T) {
	lw := newLakeWorld(t)
	root := lw.Root(acct)
	out := servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit",
		TagsList: []lake.Tag{{Key: "team", Value: "security"}}, TerminationProtectionEnabled: ptr(false)}).OK()
	arn := out.EventDataStoreArn
	if diff := cmp.Diff([]lake.Tag{{Key: "team", Value: "security"}}, out.TagsList); diff != "" {
		t.Errorf("CreateEventDataStore's TagsList (-want +got):\n%s", diff)
	}
	list := func(want ...lake.Tag) func(context.Context) error {
		return func(ctx context.Context) error {
			out, err := lw.CT.ListTags(ctx, &ct.ListTagsInput{ResourceIDList: []string{arn}})
			if err != nil {
				return err
			}
			if len(out.ResourceTagList) != 1 || out.ResourceTagList[0].ResourceID != arn {
				return fmt.Errorf("ListTags answered %+v", out.ResourceTagList)
			}
			if diff := cmp.Diff(append([]lake.Tag{}, want...), out.ResourceTagList[0].TagsList); diff != "" {
				return fmt.Errorf("tags (-want +got):\n%s", diff)
			}
			return nil
		}
	}
	tags := func(fn func(context.Context, *ct.TagsInput) (*ct.Empty, error), resource string, tags ...lake.Tag) func(context.Context) error {
		return servicetest.Op(fn, &ct.TagsInput{ResourceID: resource, TagsList: tags})
	}
	fifty := make([]lake.Tag, 50)
	for i := range fifty {
		fifty[i] = lake.Tag{Key: fmt.Sprintf("k%02d", i)}
	}
	reader := lw.User(acct, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:ListTags","Resource":"*"}]}`)
	lw.Run(t, []servicetest.Step{
		{Name: "the creation's tag", As: root, Do: list(lake.Tag{Key: "team", Value: "security"})},
		{Name: "add one, overwrite one", As: root, Do: tags(lw.CT.AddTags, arn, lake.Tag{Key: "env", Value: "prod"}, lake.Tag{Key: "team", Value: "audit"})},
		{Name: "both", As: root, Do: list(lake.Tag{Key: "team", Value: "audit"}, lake.Tag{Key: "env", Value: "prod"})},
		{Name: "remove one", As: root, Do: tags(lw.CT.RemoveTags, arn, lake.Tag{Key: "team"})},
		{Name: "one left", As: root, Do: list(lake.Tag{Key: "env", Value: "prod"})},
		{Name: "fifty-one", As: root, Do: tags(lw.CT.AddTags, arn, fifty...), Want: "TagsLimitExceededException"},
		{Name: "a reserved key", As: root, Do: tags(lw.CT.AddTags, arn, lake.Tag{Key: "aws:x"}), Want: "InvalidTagParameterException"},
		{Name: "the reader lists", As: reader, Do: list(lake.Tag{Key: "env", Value: "prod"})},
		{Name: "the reader may not tag", As: reader, Do: tags(lw.CT.AddTags, arn, lake.Tag{Key: "x"}), Want: "AccessDeniedException"},
		{Name: "an unknown store", As: root, Do: tags(lw.CT.AddTags, arn+"0", lake.Tag{Key: "x"}), Want: "EventDataStoreNotFoundException"},
		{Name: "delete the store", As: root, Do: servicetest.Op(lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arn})},
		{Name: "tag a store pending deletion", As: root, Do: tags(lw.CT.AddTags, arn, lake.Tag{Key: "x"}), Want: "InactiveEventDataStoreException"},
	})
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "many", TagsList: append(fifty, lake.Tag{Key: "one-more"})}).
		Want("InvalidTagParameterException")
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "bad", TagsList: []lake.Tag{{Key: ""}}}).
		Want("InvalidTagParameterException")
}

// Run purges, on its own, the stores whose seven days of PENDING_DELETION are over.
func TestRunPurges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := servicetest.New(t)
		svc := lake.New(lake.Config{DB: w.DB, Authorizer: w.Authz, Now: time.Now, Rand: w.Rand})
		root := w.As(w.Root(acct))
		arn := servicetest.Call(root, svc.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit", TerminationProtectionEnabled: ptr(false)}).OK().EventDataStoreArn
		servicetest.Call(root, svc.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			svc.Run(ctx, 24*time.Hour)
			close(done)
		}()
		time.Sleep(6*24*time.Hour + time.Hour)
		synctest.Wait()
		servicetest.Call(root, svc.GetEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK()
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		servicetest.Call(root, svc.GetEventDataStore, &lake.StoreInput{EventDataStore: arn}).Want("EventDataStoreNotFoundException")
		cancel()
		<-done
		svc.Run(ctx, 0) // no interval: returns at once
	})
}
