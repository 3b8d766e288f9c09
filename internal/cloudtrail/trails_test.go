package cloudtrail_test

import (
	"fmt"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// A trail is changed from its home region only and seen from every region when it is
// multi-region (a shadow trail); names and ARNs name it; other accounts do not see it
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html).
func TestTrailLifecycle(t *testing.T) {
	tw := newTrailWorld(t)
	tw.bucket(t, "logs", "us-east-1", trailBucketPolicy("logs", trailARN))
	root, other := tw.Root(acct), tw.Root(servicetest.OtherAccount)
	viewer := tw.User(acct, "viewer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:Get*","cloudtrail:Describe*","cloudtrail:List*"],"Resource":"*"}]}`)
	name := func(n string) *ct.NameInput { return &ct.NameInput{Name: n} }
	yes := true
	otherARN := "arn:aws:cloudtrail:us-east-1:" + servicetest.OtherAccount + ":trail/management"
	tw.Run(t, []servicetest.Step{
		{Name: "create", As: root, Do: servicetest.Op(tw.CT.CreateTrail, &ct.CreateTrailInput{Name: "management", S3BucketName: "logs"})},
		{Name: "get by name", As: root, Do: servicetest.Op(tw.CT.GetTrail, name("management"))},
		{Name: "get by ARN", As: root, Do: servicetest.Op(tw.CT.GetTrail, name(trailARN))},
		{Name: "get, empty name", As: root, Do: servicetest.Op(tw.CT.GetTrail, name("")), Want: "TrailNotProvidedException"},
		{Name: "get, bad ARN", As: root, Do: servicetest.Op(tw.CT.GetTrail, name("arn:aws:cloudtrail:us-east-1:1:trail/x")), Want: "CloudTrailARNInvalidException"},
		{Name: "get, bad name", As: root, Do: servicetest.Op(tw.CT.GetTrail, name("-x-")), Want: "InvalidTrailNameException"},
		{Name: "get from another region (not multi-region)", As: root, In: "eu-west-1", Do: servicetest.Op(tw.CT.GetTrail, name("management")), Want: "TrailNotFoundException"},
		{Name: "get as another account, by ARN", As: other, Do: servicetest.Op(tw.CT.GetTrail, name(trailARN)), Want: "TrailNotFoundException"},
		{Name: "get another account's trail", As: root, Do: servicetest.Op(tw.CT.GetTrail, name(otherARN)), Want: "TrailNotFoundException"},
		{Name: "status as a viewer", As: viewer, Do: servicetest.Op(tw.CT.GetTrailStatus, name("management"))},
		{Name: "a viewer may not start logging", As: viewer, Do: servicetest.Op(tw.CT.StartLogging, name("management")), Want: "AccessDeniedException"},
		{Name: "a viewer may not delete", As: viewer, Do: servicetest.Op(tw.CT.DeleteTrail, name("management")), Want: "AccessDeniedException"},
		{Name: "start logging", As: root, Do: servicetest.Op(tw.CT.StartLogging, name("management"))},
		{Name: "start logging again", As: root, Do: servicetest.Op(tw.CT.StartLogging, name("management"))},
		{Name: "multi-region", As: root, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", IsMultiRegionTrail: &yes})},
		{Name: "a shadow trail is seen from eu-west-1", As: root, In: "eu-west-1", Do: servicetest.Op(tw.CT.GetTrail, name("management"))},
		{Name: "but not changed from there", As: root, In: "eu-west-1", Do: servicetest.Op(tw.CT.StopLogging, name("management")), Want: "InvalidHomeRegionException"},
		{Name: "nor updated", As: root, In: "eu-west-1", Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management"}), Want: "InvalidHomeRegionException"},
		{Name: "update with SNS", As: root, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", SnsTopicName: ptr("t")}), Want: "InvalidSnsTopicNameException"},
		{Name: "update as a viewer", As: viewer, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management"}), Want: "AccessDeniedException"},
		{Name: "update, global events off", As: root, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", IncludeGlobalServiceEvents: ptr(false)}), Want: "InvalidParameterCombinationException"},
		{Name: "update to a missing bucket", As: root, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "management", S3BucketName: ptr("gone")}), Want: "S3BucketDoesNotExistException"},
		{Name: "update a missing trail", As: root, Do: servicetest.Op(tw.CT.UpdateTrail, &ct.UpdateTrailInput{Name: "missing"}), Want: "TrailNotFoundException"},
		{Name: "stop logging", As: root, Do: servicetest.Op(tw.CT.StopLogging, name("management"))},
		{Name: "list as another account", As: other, Do: servicetest.Op(tw.CT.ListTrails, &ct.ListTrailsInput{})},
		{Name: "list with a token", As: root, Do: servicetest.Op(tw.CT.ListTrails, &ct.ListTrailsInput{NextToken: "x"}), Want: "InvalidNextTokenException"},
	})

	st := tw.status(t)
	if st.IsLogging || st.StartLoggingTime == nil || st.StopLoggingTime == nil {
		t.Fatalf("status after start and stop: %+v", st)
	}
	got := servicetest.Call(tw.root, tw.CT.GetTrail, name("management")).OK().Trail
	want := ct.Trail{Name: "management", S3BucketName: "logs", IncludeGlobalServiceEvents: true, IsMultiRegionTrail: true, HomeRegion: "us-east-1", TrailARN: trailARN}
	if *got != want {
		t.Fatalf("GetTrail = %+v, want %+v", *got, want)
	}

	// Describe and list: the region's trails, and other regions' multi-region trails as shadows.
	tw.bucket(t, "eu-logs", "eu-west-1", trailBucketPolicy("eu-logs", "arn:aws:cloudtrail:eu-west-1:"+acct+":trail/europe"))
	eu := tw.root.In("eu-west-1")
	servicetest.Call(eu, tw.CT.CreateTrail, &ct.CreateTrailInput{Name: "europe", S3BucketName: "eu-logs"}).OK()
	names := func(list []ct.Trail) string {
		out := ""
		for _, tr := range list {
			out += tr.Name + "@" + tr.HomeRegion + " "
		}
		return out
	}
	for _, c := range []struct {
		caller  *servicetest.Caller
		in      ct.DescribeTrailsInput
		want    string
		comment string
	}{
		{eu, ct.DescribeTrailsInput{}, "europe@eu-west-1 management@us-east-1 ", "with shadows"},
		{eu, ct.DescribeTrailsInput{IncludeShadowTrails: ptr(false)}, "europe@eu-west-1 ", "without shadows"},
		{tw.root, ct.DescribeTrailsInput{}, "management@us-east-1 ", "us-east-1"},
		{tw.root, ct.DescribeTrailsInput{TrailNameList: []string{"europe", "management", "missing"}}, "management@us-east-1 ", "by name, leaving out those not found"},
		{eu, ct.DescribeTrailsInput{TrailNameList: []string{"management"}, IncludeShadowTrails: ptr(false)}, "", "a shadow by name, without shadows"},
	} {
		out := servicetest.Call(c.caller, tw.CT.DescribeTrails, &c.in).OK()
		if got := names(out.TrailList); got != c.want {
			t.Errorf("DescribeTrails %s = %q, want %q", c.comment, got, c.want)
		}
	}
	servicetest.Call(tw.root, tw.CT.DescribeTrails, &ct.DescribeTrailsInput{TrailNameList: []string{"a..b"}}).Want("InvalidTrailNameException")
	servicetest.Call(tw.As(tw.User(acct, "nobody")), tw.CT.DescribeTrails, &ct.DescribeTrailsInput{}).Want("AccessDeniedException")
	list := servicetest.Call(tw.root, tw.CT.ListTrails, &ct.ListTrailsInput{}).OK()
	if fmt.Sprint(list.Trails) != fmt.Sprint([]ct.TrailInfo{{TrailARN: "arn:aws:cloudtrail:eu-west-1:" + acct + ":trail/europe", Name: "europe", HomeRegion: "eu-west-1"},
		{TrailARN: trailARN, Name: "management", HomeRegion: "us-east-1"}}) {
		t.Fatalf("ListTrails = %+v", list.Trails)
	}

	// At most five trails a region.
	tw.bucket(t, "all-logs", "us-east-1", trailBucketPolicy("all-logs", "arn:aws:cloudtrail:*:"+acct+":trail/*"))
	for i := 2; i <= 5; i++ {
		servicetest.Call(tw.root, tw.CT.CreateTrail, &ct.CreateTrailInput{Name: fmt.Sprintf("trail%d", i), S3BucketName: "all-logs"}).Want("")
	}
	servicetest.Call(tw.root, tw.CT.CreateTrail, &ct.CreateTrailInput{Name: "trail6", S3BucketName: "all-logs"}).Want("MaximumNumberOfTrailsExceededException")

	tw.Run(t, []servicetest.Step{
		{Name: "delete from another region", As: root, In: "eu-west-1", Do: servicetest.Op(tw.CT.DeleteTrail, name(trailARN)), Want: "InvalidHomeRegionException"},
		{Name: "delete", As: root, Do: servicetest.Op(tw.CT.DeleteTrail, name(trailARN))},
		{Name: "deleted", As: root, Do: servicetest.Op(tw.CT.GetTrail, name("management")), Want: "TrailNotFoundException"},
		{Name: "delete again", As: root, Do: servicetest.Op(tw.CT.DeleteTrail, name("management")), Want: "TrailNotFoundException"},
		{Name: "start a deleted trail", As: root, Do: servicetest.Op(tw.CT.StartLogging, name("management")), Want: "TrailNotFoundException"},
	})
}

// Tags: AddTags adds or overwrites, RemoveTags removes by key (and value when given), ListTags
// lists by ARN (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AddTags.html).
func TestTags(t *testing.T) {
	tw := newTrailWorld(t)
	tw.logsTrail(t, ct.CreateTrailInput{TagsList: []ct.Tag{{Key: "team", Value: "a"}}})
	root := tw.Root(acct)
	tags := func(in ...ct.Tag) *ct.TagsInput { return &ct.TagsInput{ResourceID: trailARN, TagsList: in} }
	many := make([]ct.Tag, 50)
	for i := range many {
		many[i] = ct.Tag{Key: fmt.Sprintf("k%d", i)}
	}
	tw.Run(t, []servicetest.Step{
		{Name: "add", As: root, Do: servicetest.Op(tw.CT.AddTags, tags(ct.Tag{Key: "env", Value: "prod"}, ct.Tag{Key: "team", Value: "b"}, ct.Tag{Key: "x", Value: "1"}))},
		{Name: "remove by key and wrong value", As: root, Do: servicetest.Op(tw.CT.RemoveTags, tags(ct.Tag{Key: "env", Value: "dev"}))},
		{Name: "remove by key", As: root, Do: servicetest.Op(tw.CT.RemoveTags, tags(ct.Tag{Key: "x"}))},
		{Name: "too many", As: root, Do: servicetest.Op(tw.CT.AddTags, tags(many...)), Want: "TagsLimitExceededException"},
		{Name: "reserved key", As: root, Do: servicetest.Op(tw.CT.AddTags, tags(ct.Tag{Key: "AWS:x"})), Want: "InvalidTagParameterException"},
		{Name: "empty key", As: root, Do: servicetest.Op(tw.CT.AddTags, tags(ct.Tag{})), Want: "InvalidTagParameterException"},
		{Name: "not an ARN", As: root, Do: servicetest.Op(tw.CT.AddTags, &ct.TagsInput{ResourceID: "management"}), Want: "CloudTrailARNInvalidException"},
		{Name: "no such trail", As: root, Do: servicetest.Op(tw.CT.AddTags, &ct.TagsInput{ResourceID: trailARN + "x"}), Want: "ResourceNotFoundException"},
		{Name: "another account's trail", As: tw.Root(servicetest.OtherAccount), Do: servicetest.Op(tw.CT.RemoveTags, tags()), Want: "ResourceNotFoundException"},
		{Name: "list with a token", As: root, Do: servicetest.Op(tw.CT.ListTags, &ct.ListTagsInput{NextToken: "t"}), Want: "InvalidNextTokenException"},
		{Name: "list 21", As: root, Do: servicetest.Op(tw.CT.ListTags, &ct.ListTagsInput{ResourceIDList: make([]string, 21)}), Want: "InvalidParameterException"},
		{Name: "list a missing trail", As: root, Do: servicetest.Op(tw.CT.ListTags, &ct.ListTagsInput{ResourceIDList: []string{trailARN + "x"}}), Want: "ResourceNotFoundException"},
		{Name: "list as a user without cloudtrail:ListTags", As: tw.User(acct, "nobody"), Do: servicetest.Op(tw.CT.ListTags, &ct.ListTagsInput{ResourceIDList: []string{trailARN}}), Want: "AccessDeniedException"},
	})
	out := servicetest.Call(tw.root, tw.CT.ListTags, &ct.ListTagsInput{ResourceIDList: []string{trailARN}}).OK()
	if got := fmt.Sprint(out.ResourceTagList); got != fmt.Sprint([]ct.ResourceTag{{ResourceID: trailARN, TagsList: []ct.Tag{{Key: "team", Value: "b"}, {Key: "env", Value: "prod"}}}}) {
		t.Fatalf("ListTags = %s", got)
	}
}
