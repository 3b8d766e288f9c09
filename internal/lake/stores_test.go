package lake_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

var storeARN = regexp.MustCompile(`^arn:aws:cloudtrail:us-east-1:` + acct + `:eventdatastore/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// A store created with nothing but a name: the documented defaults.
func TestCreateDefaults(t *testing.T) {
	lw := newLakeWorld(t)
	out := servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit"}).OK()
	if !storeARN.MatchString(out.EventDataStoreArn) {
		t.Errorf("ARN %s is not an event data store ARN of the caller's Region", out.EventDataStoreArn)
	}
	want := lake.StoreOutput{EventDataStoreArn: out.EventDataStoreArn, Name: "audit", Status: "CREATED",
		AdvancedEventSelectors: []lake.AdvancedEventSelector{{Name: "Default management events",
			FieldSelectors: []lake.AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}}}},
		MultiRegionEnabled: true, RetentionPeriod: 366, TerminationProtectionEnabled: true, BillingMode: "EXTENDABLE_RETENTION_PRICING"}
	got := out.StoreOutput
	got.CreatedTimestamp, got.UpdatedTimestamp = nil, nil // compared below
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateEventDataStore (-want +got):\n%s", diff)
	}
	if out.TagsList == nil || out.CreatedTimestamp == nil || time.Time(*out.CreatedTimestamp) != lw.Clock.Now() {
		t.Errorf("TagsList %v, CreatedTimestamp %v; want [] and %v", out.TagsList, out.CreatedTimestamp, lw.Clock.Now())
	}
	// Once created, the store is ENABLED; by ARN and by ID alike.
	id := out.EventDataStoreArn[strings.LastIndexByte(out.EventDataStoreArn, '/')+1:]
	for _, ref := range []string{out.EventDataStoreArn, id} {
		got := lw.get(t, ref)
		if got.Status != "ENABLED" || got.EventDataStoreArn != out.EventDataStoreArn || got.FederationStatus != "DISABLED" {
			t.Errorf("GetEventDataStore %s: %s %s federation %s; want ENABLED", ref, got.EventDataStoreArn, got.Status, got.FederationStatus)
		}
	}
}

// Both billing modes, with their retention ranges and defaults.
func TestBillingAndRetention(t *testing.T) {
	lw := newLakeWorld(t)
	n := 0
	create := func(billing string, days *int) func(context.Context) error {
		n++
		return servicetest.Op(lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: fmt.Sprintf("store-%d", n), BillingMode: billing, RetentionPeriod: days})
	}
	root := lw.Root(acct)
	lw.Run(t, []servicetest.Step{
		{Name: "extendable: 7 days", As: root, Do: create("EXTENDABLE_RETENTION_PRICING", ptr(7))},
		{Name: "extendable: 3653 days", As: root, Do: create("EXTENDABLE_RETENTION_PRICING", ptr(3653))},
		{Name: "extendable: 6 days", As: root, Do: create("EXTENDABLE_RETENTION_PRICING", ptr(6)), Want: "InvalidParameterException"},
		{Name: "extendable: 3654 days", As: root, Do: create("", ptr(3654)), Want: "InvalidParameterException"},
		{Name: "fixed: 2557 days", As: root, Do: create("FIXED_RETENTION_PRICING", ptr(2557))},
		{Name: "fixed: 2558 days", As: root, Do: create("FIXED_RETENTION_PRICING", ptr(2558)), Want: "InvalidParameterException"},
		{Name: "an unknown billing mode", As: root, Do: create("MONTHLY", nil), Want: "InvalidParameterException"},
	})
	fixed := servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "fixed", BillingMode: "FIXED_RETENTION_PRICING"}).OK()
	if fixed.RetentionPeriod != 2557 || fixed.BillingMode != "FIXED_RETENTION_PRICING" {
		t.Errorf("a fixed-retention store keeps %d days (%s), want 2557", fixed.RetentionPeriod, fixed.BillingMode)
	}
	// FIXED may become EXTENDABLE (and then keep up to 3653 days); EXTENDABLE never FIXED.
	update := func(in lake.UpdateEventDataStoreInput) func(context.Context) error {
		in.EventDataStore = fixed.EventDataStoreArn
		return servicetest.Op(lw.Lake.UpdateEventDataStore, &in)
	}
	lw.Run(t, []servicetest.Step{
		{Name: "fixed: 3000 days", As: root, Do: update(lake.UpdateEventDataStoreInput{RetentionPeriod: ptr(3000)}), Want: "InvalidParameterException"},
		{Name: "fixed to extendable, 3000 days", As: root, Do: update(lake.UpdateEventDataStoreInput{BillingMode: ptr("EXTENDABLE_RETENTION_PRICING"), RetentionPeriod: ptr(3000)})},
		{Name: "extendable to fixed", As: root, Do: update(lake.UpdateEventDataStoreInput{BillingMode: ptr("FIXED_RETENTION_PRICING")}), Want: "InvalidParameterException"},
		{Name: "an unknown billing mode", As: root, Do: update(lake.UpdateEventDataStoreInput{BillingMode: ptr("MONTHLY")}), Want: "InvalidParameterException"},
		{Name: "nothing to change", As: root, Do: update(lake.UpdateEventDataStoreInput{}), Want: "InvalidParameterException"},
	})
	if got := lw.get(t, fixed.EventDataStoreArn); got.RetentionPeriod != 3000 || got.BillingMode != "EXTENDABLE_RETENTION_PRICING" {
		t.Errorf("after the update: %d days, %s; want 3000, extendable", got.RetentionPeriod, got.BillingMode)
	}
}

// Advanced event selectors: up to five, each with an eventCategory of CloudTrail events, fields
// and operators as the API reference lists them.
func TestSelectors(t *testing.T) {
	lw := newLakeWorld(t)
	mgmt := lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Management"}}
	sel := func(fields ...lake.AdvancedFieldSelector) lake.AdvancedEventSelector {
		return lake.AdvancedEventSelector{FieldSelectors: fields}
	}
	n := 0
	create := func(sels ...lake.AdvancedEventSelector) func(context.Context) error {
		n++
		return servicetest.Op(lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: fmt.Sprintf("store-%d", n), AdvancedEventSelectors: sels})
	}
	many := make([]string, 501)
	for i := range many {
		many[i] = fmt.Sprintf("Event%d", i)
	}
	root := lw.Root(acct)
	lw.Run(t, []servicetest.Step{
		{Name: "writes without KMS", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "readOnly", Equals: []string{"false"}},
			lake.AdvancedFieldSelector{Field: "eventSource", NotEquals: []string{"kms.amazonaws.com"}}))},
		{Name: "S3 data events", As: root, Do: create(sel(lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Data"}},
			lake.AdvancedFieldSelector{Field: "resources.type", Equals: []string{"AWS::S3::Object"}}))},
		{Name: "five selectors", As: root, Do: create(sel(mgmt), sel(mgmt), sel(mgmt), sel(mgmt), sel(mgmt))},
		{Name: "six selectors", As: root, Do: create(sel(mgmt), sel(mgmt), sel(mgmt), sel(mgmt), sel(mgmt), sel(mgmt)), Want: "InvalidEventSelectorsException"},
		{Name: "no field selector", As: root, Do: create(sel()), Want: "InvalidEventSelectorsException"},
		{Name: "no eventCategory", As: root, Do: create(sel(lake.AdvancedFieldSelector{Field: "eventName", Equals: []string{"Decrypt"}})), Want: "InvalidEventSelectorsException"},
		{Name: "an unknown field", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "awsRegion", Equals: []string{"us-east-1"}})), Want: "InvalidEventSelectorsException"},
		{Name: "a condition without values", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "eventName"})), Want: "InvalidEventSelectorsException"},
		{Name: "an empty value", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "eventName", Equals: []string{""}})), Want: "InvalidEventSelectorsException"},
		{Name: "readOnly with StartsWith", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "readOnly", StartsWith: []string{"t"}})), Want: "InvalidEventSelectorsException"},
		{Name: "two categories", As: root, Do: create(sel(lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Management", "Data"}})), Want: "InvalidEventSelectorsException"},
		{Name: "data events without resources.type", As: root, Do: create(sel(lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Data"}})), Want: "InvalidEventSelectorsException"},
		{Name: "Config items", As: root, Do: create(sel(lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"ConfigurationItem"}})), Want: "InvalidEventSelectorsException"},
		{Name: "501 values", As: root, Do: create(sel(mgmt, lake.AdvancedFieldSelector{Field: "eventName", Equals: many})), Want: "InvalidEventSelectorsException"},
	})
	// The selectors given are the store's, as given.
	list := servicetest.Call(lw.root, lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{}).OK()
	i := slices.IndexFunc(list.EventDataStores, func(s lake.StoreSummary) bool { return s.Name == "store-2" })
	if i < 0 || len(list.EventDataStores[i].AdvancedEventSelectors) != 1 || list.EventDataStores[i].AdvancedEventSelectors[0].FieldSelectors[1].Equals[0] != "AWS::S3::Object" {
		t.Errorf("store-2's selectors are not the data-event selector it was created with: %+v", list.EventDataStores)
	}
	// An update replaces them, with the same rules.
	arn := list.EventDataStores[i].EventDataStoreArn
	servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn,
		AdvancedEventSelectors: []lake.AdvancedEventSelector{sel()}}).Want("InvalidEventSelectorsException")
	out := servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn,
		AdvancedEventSelectors: []lake.AdvancedEventSelector{sel(mgmt)}}).OK()
	if len(out.AdvancedEventSelectors) != 1 || out.AdvancedEventSelectors[0].FieldSelectors[0].Field != "eventCategory" {
		t.Errorf("after the update the selectors are %+v", out.AdvancedEventSelectors)
	}
}

// The lifecycle: ingestion stopped and started, termination protection, deletion into
// PENDING_DELETION, restore, and the purge seven days after deletion.
func TestLifecycle(t *testing.T) {
	lw := newLakeWorld(t)
	root := lw.Root(acct)
	out := servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit", StartIngestion: ptr(false)}).OK()
	arn := out.EventDataStoreArn
	if out.Status != "STOPPED_INGESTION" {
		t.Errorf("created without ingestion: %s, want STOPPED_INGESTION", out.Status)
	}
	op := func(fn func(context.Context, *lake.StoreInput) (*lake.Empty, error)) func(context.Context) error {
		return servicetest.Op(fn, &lake.StoreInput{EventDataStore: arn})
	}
	restore := servicetest.Op(lw.Lake.RestoreEventDataStore, &lake.StoreInput{EventDataStore: arn})
	update := func(in lake.UpdateEventDataStoreInput) func(context.Context) error {
		in.EventDataStore = arn
		return servicetest.Op(lw.Lake.UpdateEventDataStore, &in)
	}
	status := func(want string) func(context.Context) error {
		return func(context.Context) error {
			if got := lw.get(t, arn).Status; got != want {
				return fmt.Errorf("status %s, want %s", got, want)
			}
			return nil
		}
	}
	lw.Run(t, []servicetest.Step{
		{Name: "stop a stopped store", As: root, Do: op(lw.Lake.StopEventDataStoreIngestion), Want: "InvalidEventDataStoreStatusException"},
		{Name: "start it", As: root, Do: op(lw.Lake.StartEventDataStoreIngestion)},
		{Name: "enabled", As: root, Do: status("ENABLED")},
		{Name: "start it again", As: root, Do: op(lw.Lake.StartEventDataStoreIngestion), Want: "InvalidEventDataStoreStatusException"},
		{Name: "stop it", As: root, Do: op(lw.Lake.StopEventDataStoreIngestion)},
		{Name: "stopped", As: root, Do: status("STOPPED_INGESTION")},
		{Name: "start it once more", As: root, Do: op(lw.Lake.StartEventDataStoreIngestion)},
		{Name: "delete while protected", As: root, Do: op(lw.Lake.DeleteEventDataStore), Want: "EventDataStoreTerminationProtectedException"},
		{Name: "restore a store not deleted", As: root, Do: restore, Want: "InvalidEventDataStoreStatusException"},
		{Name: "protection off", As: root, Do: update(lake.UpdateEventDataStoreInput{TerminationProtectionEnabled: ptr(false)})},
		{Name: "delete", As: root, Do: op(lw.Lake.DeleteEventDataStore)},
		{Name: "pending deletion", As: root, Do: status("PENDING_DELETION")},
		{Name: "delete again", As: root, Do: op(lw.Lake.DeleteEventDataStore), Want: "InactiveEventDataStoreException"},
		{Name: "update while pending deletion", As: root, Do: update(lake.UpdateEventDataStoreInput{RetentionPeriod: ptr(30)}), Want: "InactiveEventDataStoreException"},
		{Name: "start while pending deletion", As: root, Do: op(lw.Lake.StartEventDataStoreIngestion), Want: "InvalidEventDataStoreStatusException"},
		{Name: "restore", As: root, Do: restore},
		{Name: "enabled again", As: root, Do: status("ENABLED")},
		{Name: "delete for good", As: root, Do: op(lw.Lake.DeleteEventDataStore)},
		{Name: "six days later: still there", As: root, Do: func(ctx context.Context) error {
			lw.Clock.Advance(6 * 24 * time.Hour)
			if err := lw.Lake.Sweep(ctx); err != nil {
				return err
			}
			return status("PENDING_DELETION")(ctx)
		}},
		{Name: "seven days later: purged", As: root, Do: func(ctx context.Context) error {
			lw.Clock.Advance(24 * time.Hour)
			if err := lw.Lake.Sweep(ctx); err != nil {
				return err
			}
			_, err := lw.Lake.GetEventDataStore(ctx, &lake.StoreInput{EventDataStore: arn})
			return err
		}, Want: "EventDataStoreNotFoundException"},
		{Name: "restore after the wait", As: root, Do: restore, Want: "EventDataStoreNotFoundException"},
	})
}

// A stopped store deleted and restored is stopped again.
func TestRestoreKeepsStatus(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{StartIngestion: ptr(false), TerminationProtectionEnabled: ptr(false)})
	servicetest.Call(lw.root, lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK()
	if got := servicetest.Call(lw.root, lw.Lake.RestoreEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK().Status; got != "STOPPED_INGESTION" {
		t.Errorf("restored: %s, want STOPPED_INGESTION", got)
	}
}

// Names are unique in a Region; ten stores per Region, counting multi-Region stores of other
// Regions and stores pending deletion.
func TestNamesAndQuota(t *testing.T) {
	lw := newLakeWorld(t)
	root := lw.Root(acct)
	lw.create(t, root, lake.CreateEventDataStoreInput{Name: "audit"})
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit"}).Want("EventDataStoreAlreadyExistsException")
	// The same name in another Region is another store; single-Region, it does not count here.
	servicetest.Call(lw.root.In("eu-west-1"), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "audit", MultiRegionEnabled: ptr(false)}).OK()
	// A multi-Region store of eu-west-1 counts in us-east-1.
	servicetest.Call(lw.root.In("eu-west-1"), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "global"}).OK()
	var arns []string
	for i := range 8 {
		arns = append(arns, lw.create(t, root, lake.CreateEventDataStoreInput{Name: fmt.Sprintf("store-%d", i), TerminationProtectionEnabled: ptr(false)}))
	}
	servicetest.Call(lw.root, lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arns[7]}).OK()
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "eleventh"}).
		Want("EventDataStoreMaxLimitExceededException").WantMessage("10")
	// In eu-west-1 the us-east-1 stores are multi-Region and count too.
	servicetest.Call(lw.root.In("eu-west-1"), lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "more"}).
		Want("EventDataStoreMaxLimitExceededException")
	// Renaming to a name taken is refused; to a free one, accepted, even at the quota.
	rename := func(name string) *servicetest.Result[*lake.UpdateEventDataStoreOutput] {
		return servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arns[0], Name: &name})
	}
	rename("audit").Want("EventDataStoreAlreadyExistsException")
	rename("a").Want("InvalidParameterException")
	if got := rename("renamed").OK().Name; got != "renamed" {
		t.Errorf("renamed to %q", got)
	}
	// A purged store frees its place.
	lw.Clock.Advance(7 * 24 * time.Hour)
	if err := lw.Lake.Sweep(lw.Ctx(root)); err != nil {
		t.Fatal(err)
	}
	lw.create(t, root, lake.CreateEventDataStoreInput{Name: "eleventh"})
}

// Stores are addressed by ARN or ID, in the caller's account; a single-Region store is seen only
// in its Region, a multi-Region store everywhere but changed only from its home Region.
func TestAddressing(t *testing.T) {
	lw := newLakeWorld(t)
	root := lw.Root(acct)
	single := lw.create(t, root, lake.CreateEventDataStoreInput{Name: "single", MultiRegionEnabled: ptr(false)})
	multi := lw.create(t, root, lake.CreateEventDataStoreInput{Name: "multi"})
	get := func(ref string) func(context.Context) error {
		return servicetest.Op(lw.Lake.GetEventDataStore, &lake.StoreInput{EventDataStore: ref})
	}
	id := single[strings.LastIndexByte(single, '/')+1:]
	elsewhere := strings.Replace(single, acct, other, 1)
	lw.Run(t, []servicetest.Step{
		{Name: "by ID", As: root, Do: get(id)},
		{Name: "an unknown ID", As: root, Do: get("EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE"), Want: "EventDataStoreNotFoundException"},
		{Name: "an unknown ARN", As: root, Do: get(strings.Replace(single, id, "EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", 1)), Want: "EventDataStoreNotFoundException"},
		{Name: "another account's ARN", As: root, Do: get(elsewhere), Want: "EventDataStoreARNInvalidException"},
		{Name: "a trail ARN", As: root, Do: get("arn:aws:cloudtrail:us-east-1:" + acct + ":trail/management"), Want: "EventDataStoreARNInvalidException"},
		{Name: "nothing", As: root, Do: get(""), Want: "EventDataStoreARNInvalidException"},
		{Name: "the single-Region store from eu-west-1", As: root, In: "eu-west-1", Do: get(single), Want: "EventDataStoreNotFoundException"},
		{Name: "the multi-Region store from eu-west-1", As: root, In: "eu-west-1", Do: get(multi)},
		{Name: "changed from eu-west-1", As: root, In: "eu-west-1", Do: servicetest.Op(lw.Lake.StopEventDataStoreIngestion, &lake.StoreInput{EventDataStore: multi}),
			Want: "OperationNotPermittedException"},
		{Name: "another account's caller", As: lw.Root(other), Do: get(id), Want: "EventDataStoreNotFoundException"},
		{Name: "no caller", As: identity.Principal{}, Do: get(id), Want: "AccessDeniedException"},
	})
	list := servicetest.Call(lw.root.In("eu-west-1"), lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{}).OK()
	if len(list.EventDataStores) != 1 || list.EventDataStores[0].EventDataStoreArn != multi {
		t.Errorf("eu-west-1 lists %+v, want the multi-Region store alone", list.EventDataStores)
	}
}

// ListEventDataStores pages by MaxResults and NextToken.
func TestListPages(t *testing.T) {
	lw := newLakeWorld(t)
	var want []string
	for i := range 5 {
		want = append(want, lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{Name: fmt.Sprintf("store-%d", i)}))
	}
	slices.Sort(want)
	var got []string
	in := &lake.ListEventDataStoresInput{MaxResults: ptr(2)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		out := servicetest.Call(lw.root, lw.Lake.ListEventDataStores, in).OK()
		for _, s := range out.EventDataStores {
			got = append(got, s.EventDataStoreArn)
		}
		if out.NextToken == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged list (-want +got):\n%s", diff)
	}
	servicetest.Call(lw.root, lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{MaxResults: ptr(0)}).Want("InvalidMaxResultsException")
	servicetest.Call(lw.root, lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{MaxResults: ptr(1001)}).Want("InvalidMaxResultsException")
	servicetest.Call(lw.root, lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{NextToken: "not-a-token"}).Want("InvalidNextTokenException")
}

// Organization stores need an organization, which keytrail's accounts are not in.
func TestOrganization(t *testing.T) {
	lw := newLakeWorld(t)
	servicetest.Call(lw.root, lw.Lake.CreateEventDataStore, &lake.CreateEventDataStoreInput{Name: "org", OrganizationEnabled: ptr(true)}).
		Want("OrganizationsNotInUseException")
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{OrganizationEnabled: ptr(false)})
	servicetest.Call(lw.root, lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn, OrganizationEnabled: ptr(true)}).
		Want("OrganizationsNotInUseException")
}

// Each operation is authorized by the caller's identity policies, on the store's ARN.
func TestAuthorization(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	reader := lw.User(acct, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:Get*","cloudtrail:List*"],"Resource":"*"}]}`)
	other := lw.User(acct, "other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:GetEventDataStore","Resource":"arn:aws:cloudtrail:*:*:eventdatastore/not-this-one"}]}`)
	in := &lake.StoreInput{EventDataStore: arn}
	lw.Run(t, []servicetest.Step{
		{Name: "the reader reads", As: reader, Do: servicetest.Op(lw.Lake.GetEventDataStore, in)},
		{Name: "the reader lists", As: reader, Do: servicetest.Op(lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{})},
		{Name: "the reader may not stop ingestion", As: reader, Do: servicetest.Op(lw.Lake.StopEventDataStoreIngestion, in), Want: "AccessDeniedException"},
		{Name: "the reader may not delete", As: reader, Do: servicetest.Op(lw.Lake.DeleteEventDataStore, in), Want: "AccessDeniedException"},
		{Name: "the reader may not restore", As: reader, Do: servicetest.Op(lw.Lake.RestoreEventDataStore, in), Want: "AccessDeniedException"},
		{Name: "the reader may not update", As: reader, Do: servicetest.Op(lw.Lake.UpdateEventDataStore, &lake.UpdateEventDataStoreInput{EventDataStore: arn, Name: ptr("x-y-z")}), Want: "AccessDeniedException"},
		{Name: "another store's reader", As: other, Do: servicetest.Op(lw.Lake.GetEventDataStore, in), Want: "AccessDeniedException"},
		{Name: "another store's reader may not list", As: other, Do: servicetest.Op(lw.Lake.ListEventDataStores, &lake.ListEventDataStoresInput{}), Want: "AccessDeniedException"},
	})
}
