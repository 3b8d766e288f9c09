package cloudtrail_test

import (
	"context"
	"errors"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// fakeStores stands for the Lake: one store with tags, and a table of one operation.
type fakeStores struct {
	arn  string
	tags []ct.Tag
	seen []string // the actions asked for
}

func (f *fakeStores) Operations() map[string]awsjson.Handler {
	return map[string]awsjson.Handler{"GetEventDataStore": awsjson.Handle(func(context.Context, *struct{}) (*struct{}, error) { return &struct{}{}, nil }).ReadOnly()}
}

func (f *fakeStores) Tags(_ context.Context, action, arn string) ([]ct.Tag, error) {
	f.seen = append(f.seen, action)
	if arn != f.arn {
		return nil, errors.New("no such store")
	}
	return f.tags, nil
}

func (f *fakeStores) Retag(_ context.Context, action, arn string, fn func([]ct.Tag) ([]ct.Tag, error)) error {
	f.seen = append(f.seen, action)
	if arn != f.arn {
		return errors.New("no such store")
	}
	tags, err := fn(f.tags)
	if err == nil {
		f.tags = tags
	}
	return err
}

// Event data store ARNs in AddTags, RemoveTags and ListTags go to the Lake, with the action to
// authorize; the Lake's operations join CloudTrail's table; trails' tags stay CloudTrail's.
func TestStoresTagsAndTable(t *testing.T) {
	tw := newTrailWorld(t)
	stores := &fakeStores{arn: "arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE"}
	svc := ct.New(ct.Config{DB: tw.DB, S3: tw.Objects, KMS: tw.KMS, Authorizer: tw.Authz, Now: tw.Clock.Now, Rand: tw.Rand, Stores: stores})
	if h, ok := svc.API().Operations["GetEventDataStore"]; !ok || !h.Meta.ReadOnly {
		t.Fatalf("the Lake's GetEventDataStore is not in CloudTrail's table as a read: %v %+v", ok, h.Meta)
	}
	if _, ok := tw.CT.API().Operations["GetEventDataStore"]; ok {
		t.Fatal("a CloudTrail without the Lake serves GetEventDataStore")
	}
	root := tw.As(tw.Root(acct))
	servicetest.Call(root, svc.AddTags, &ct.TagsInput{ResourceID: stores.arn, TagsList: []ct.Tag{{Key: "team", Value: "a"}, {Key: "env"}}}).OK()
	servicetest.Call(root, svc.RemoveTags, &ct.TagsInput{ResourceID: stores.arn, TagsList: []ct.Tag{{Key: "env"}}}).OK()
	servicetest.Call(root, svc.AddTags, &ct.TagsInput{ResourceID: stores.arn, TagsList: []ct.Tag{{Key: "aws:x"}}}).Want("InvalidTagParameterException")
	out := servicetest.Call(root, svc.ListTags, &ct.ListTagsInput{ResourceIDList: []string{stores.arn}}).OK()
	if len(out.ResourceTagList) != 1 || out.ResourceTagList[0].ResourceID != stores.arn || len(out.ResourceTagList[0].TagsList) != 1 ||
		out.ResourceTagList[0].TagsList[0] != (ct.Tag{Key: "team", Value: "a"}) {
		t.Errorf("ListTags answered %+v", out.ResourceTagList)
	}
	if want := []string{"AddTags", "RemoveTags", "ListTags"}; len(stores.seen) != 3 || stores.seen[0] != want[0] || stores.seen[1] != want[1] || stores.seen[2] != want[2] {
		t.Errorf("the Lake was asked for %v, want %v", stores.seen, want)
	}
	other := stores.arn + "0"
	if _, err := svc.AddTags(root.Context(), &ct.TagsInput{ResourceID: other, TagsList: []ct.Tag{{Key: "k"}}}); err == nil {
		t.Error("AddTags of an unknown store succeeded")
	}
	if _, err := svc.ListTags(root.Context(), &ct.ListTagsInput{ResourceIDList: []string{other}}); err == nil {
		t.Error("ListTags of an unknown store succeeded")
	}
	// A trail's tags are CloudTrail's, with the trail's limit.
	servicetest.Call(root, svc.AddTags, &ct.TagsInput{ResourceID: trailARN, TagsList: []ct.Tag{{Key: "k"}}}).Want("ResourceNotFoundException")
}
