package cloudtrail_test

import (
	"slices"
	"testing"
	"time"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// LookupEvents returns the caller's management events of its region of the last 90 days, newest
// first, filtered by one attribute, a page at a time
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
func TestLookupEvents(t *testing.T) {
	tw := newTrailWorld(t)
	start := tw.Clock.Now()
	key := request.Resource{Type: "AWS::KMS::Key", ARN: "arn:aws:kms:us-east-1:" + acct + ":key/k1", Account: acct}
	tw.event(t, "us-east-1", "kms.amazonaws.com", "CreateKey", false, key)
	tw.Clock.Advance(time.Second)
	tw.event(t, "us-east-1", "kms.amazonaws.com", "DescribeKey", true, key)
	tw.event(t, "eu-west-1", "kms.amazonaws.com", "CreateKey", false)  // another region
	tw.event(t, "us-east-1", "s3.amazonaws.com", "GetObject", true)    // a data event
	tw.event(t, "us-east-1", "iam.amazonaws.com", "CreateUser", false) // global: in us-east-1
	for _, id := range []events.Identity{
		{Type: "IAMUser", UserName: "alice", ARN: "arn:aws:iam::" + acct + ":user/alice", AccessKeyID: "AKIAALICE"},
		{Type: "AssumedRole", ARN: "arn:aws:sts::" + acct + ":assumed-role/Admin/sess", AccessKeyID: "ASIASESS"},
		{Type: "AWSService", InvokedBy: "cloudtrail.amazonaws.com"},
	} {
		tw.Clock.Advance(time.Second)
		e := &events.Event{Time: tw.Clock.Now(), ID: "id-" + id.Type, RequestID: "r", Source: "kms.amazonaws.com", Name: "ListKeys", Region: "us-east-1",
			ReadOnly: true, Management: true, Identity: id, Recipients: []string{acct}}
		if err := tw.Journal.Append(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Journal.Append(&events.Event{Time: tw.Clock.Now(), ID: "other", Source: "kms.amazonaws.com", Name: "CreateKey", Region: "us-east-1",
		Management: true, Recipients: []string{servicetest.OtherAccount}}); err != nil {
		t.Fatal(err)
	}
	lookup := func(in *ct.LookupEventsInput) []string {
		t.Helper()
		var names []string
		for _, e := range servicetest.Call(tw.root, tw.CT.LookupEvents, in).OK().Events {
			names = append(names, e.EventName+"/"+e.Username)
		}
		return names
	}
	attr := func(k, v string) *ct.LookupEventsInput {
		return &ct.LookupEventsInput{LookupAttributes: []ct.LookupAttribute{{AttributeKey: k, AttributeValue: v}}}
	}
	for _, c := range []struct {
		name string
		in   *ct.LookupEventsInput
		want []string
	}{
		{"all", &ct.LookupEventsInput{}, []string{"ListKeys/cloudtrail.amazonaws.com", "ListKeys/sess", "ListKeys/alice", "CreateUser/root", "DescribeKey/root", "CreateKey/root"}},
		{"EventName", attr("EventName", "CreateKey"), []string{"CreateKey/root"}},
		{"ReadOnly", attr("ReadOnly", "false"), []string{"CreateUser/root", "CreateKey/root"}},
		{"Username", attr("Username", "alice"), []string{"ListKeys/alice"}},
		{"EventSource", attr("EventSource", "iam.amazonaws.com"), []string{"CreateUser/root"}},
		{"AccessKeyId", attr("AccessKeyId", "ASIASESS"), []string{"ListKeys/sess"}},
		{"ResourceType", attr("ResourceType", "AWS::KMS::Key"), []string{"DescribeKey/root", "CreateKey/root"}},
		{"ResourceName", attr("ResourceName", key.ARN), []string{"DescribeKey/root", "CreateKey/root"}},
		{"EventId", attr("EventId", "id-IAMUser"), []string{"ListKeys/alice"}},
		{"time range", &ct.LookupEventsInput{StartTime: awsTime(start), EndTime: awsTime(start)}, []string{"CreateKey/root"}},
		{"insight events", &ct.LookupEventsInput{EventCategory: "insight"}, nil},
	} {
		if got := lookup(c.in); !slices.Equal(got, c.want) {
			t.Errorf("LookupEvents %s = %v, want %v", c.name, got, c.want)
		}
	}

	// Pages: a token goes on where the page ended, for the same query only.
	in := &ct.LookupEventsInput{MaxResults: ptr(4)}
	page := servicetest.Call(tw.root, tw.CT.LookupEvents, in).OK()
	if len(page.Events) != 4 || page.NextToken == "" {
		t.Fatalf("first page: %d events, token %q", len(page.Events), page.NextToken)
	}
	in.NextToken = page.NextToken
	if got := lookup(in); !slices.Equal(got, []string{"DescribeKey/root", "CreateKey/root"}) {
		t.Fatalf("second page = %v", got)
	}
	root := tw.Root(acct)
	bad := func(in *ct.LookupEventsInput, want string) servicetest.Step {
		return servicetest.Step{Name: want, As: root, Do: servicetest.Op(tw.CT.LookupEvents, in), Want: want}
	}
	tw.Run(t, []servicetest.Step{
		bad(&ct.LookupEventsInput{MaxResults: ptr(4), EventCategory: "insight", NextToken: page.NextToken}, "InvalidNextTokenException"),
		bad(&ct.LookupEventsInput{NextToken: "!"}, "InvalidNextTokenException"),
		bad(&ct.LookupEventsInput{MaxResults: ptr(0)}, "InvalidMaxResultsException"),
		bad(&ct.LookupEventsInput{MaxResults: ptr(51)}, "InvalidMaxResultsException"),
		bad(&ct.LookupEventsInput{LookupAttributes: []ct.LookupAttribute{{"EventName", "a"}, {"EventName", "b"}}}, "InvalidLookupAttributesException"),
		bad(attr("Region", "us-east-1"), "InvalidLookupAttributesException"),
		bad(attr("EventName", ""), "InvalidLookupAttributesException"),
		bad(&ct.LookupEventsInput{EventCategory: "data"}, "InvalidEventCategoryException"),
		bad(&ct.LookupEventsInput{StartTime: awsTime(start.Add(time.Hour)), EndTime: awsTime(start)}, "InvalidTimeRangeException"),
		{Name: "a user without cloudtrail:LookupEvents", As: tw.User(acct, "nobody"), Do: servicetest.Op(tw.CT.LookupEvents, &ct.LookupEventsInput{}), Want: "AccessDeniedException"},
		{Name: "no caller", As: servicetest.Service("cloudtrail.amazonaws.com"), Do: servicetest.Op(tw.CT.LookupEvents, &ct.LookupEventsInput{}), Want: "AccessDeniedException"},
	})
}
