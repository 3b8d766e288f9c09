package lake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// call is an API call of alice's in us-east-1: a management event of the seed's account.
func call(id, source, name string) events.Event {
	return events.Event{ID: id, Source: source, Name: name, Region: "us-east-1", Management: true, Recipients: []string{acct},
		Identity: events.Identity{Type: "IAMUser", ARN: alice, AccountID: acct, UserName: "alice"}}
}

// record appends events to the journal, recorded now.
func (lw *lakeWorld) record(t testing.TB, evs ...events.Event) {
	t.Helper()
	for _, e := range evs {
		e.Time = lw.Clock.Now()
		if err := lw.Journal.Append(&e); err != nil {
			t.Fatal(err)
		}
	}
}

func (lw *lakeWorld) ingest(t testing.TB) lake.IngestSummary {
	t.Helper()
	sum, err := lw.Lake.Ingest(context.Background())
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	return sum
}

// read returns the eventIDs of a store's records, in order, as c reads them.
func (lw *lakeWorld) read(c *servicetest.Caller, ref string) ([]string, error) {
	ids := []string{}
	for rec, err := range lw.Lake.Events(c.Context(), ref) {
		if err != nil {
			return ids, err
		}
		var r struct {
			EventID string `json:"eventID"`
		}
		if err := json.Unmarshal(rec, &r); err != nil {
			return ids, err
		}
		ids = append(ids, r.EventID)
	}
	return ids, nil
}

// wantRead fails unless c reads exactly the events want from the store, in that order.
func (lw *lakeWorld) wantRead(t *testing.T, c *servicetest.Caller, ref string, want ...string) {
	t.Helper()
	got, err := lw.read(c, ref)
	if err != nil {
		t.Fatalf("read %s: %v", ref, err)
	}
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("read %s = %v, want %v", ref, got, want)
	}
}

// readStep is a scenario step reading a store to its end.
func (lw *lakeWorld) readStep(ref string) func(context.Context) error {
	return func(ctx context.Context) error {
		for _, err := range lw.Lake.Events(ctx, ref) {
			if err != nil {
				return err
			}
		}
		return nil
	}
}

var (
	kmsSource = "kms.amazonaws.com"
	s3Source  = "s3.amazonaws.com"
)

// Which stores take which events: the account's, from the Regions a store covers, chosen by its
// advanced event selectors; nothing recorded before a store was created.
func TestIngestSelectorsAndRegions(t *testing.T) {
	lw := newLakeWorld(t)
	decrypt := call("decrypt", kmsSource, "Decrypt")
	decrypt.ReadOnly = true
	createKey := call("create-key-eu", kmsSource, "CreateKey")
	createKey.Region = "eu-west-1"
	createUser := call("create-user", "iam.amazonaws.com", "CreateUser")
	createUser.Global = true
	getLog := call("get-log", s3Source, "GetObject")
	getLog.Management, getLog.ReadOnly = false, true
	getLog.Resources = []request.Resource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::logs/a.txt", Account: acct}}
	getOther := getLog
	getOther.ID, getOther.Resources = "get-other", []request.Resource{{Type: "AWS::S3::Object", ARN: "arn:aws:s3:::other/b.txt", Account: acct}}
	foreign := call("foreign", kmsSource, "Decrypt")
	foreign.Recipients, foreign.Identity.AccountID = []string{other}, other
	crossAccount := call("cross-account", kmsSource, "Decrypt")
	crossAccount.Region, crossAccount.ReadOnly, crossAccount.Recipients = "eu-west-1", true, []string{other, acct}
	xID := crossAccount.EventID(acct) // the seed account's copy of an event of other's

	sel := func(fields ...lake.AdvancedFieldSelector) []lake.AdvancedEventSelector {
		return []lake.AdvancedEventSelector{{FieldSelectors: fields}}
	}
	management := lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Management"}}
	stores := []struct {
		name string
		in   lake.CreateEventDataStoreInput
		want []string
	}{
		{"management-events", lake.CreateEventDataStoreInput{}, []string{"decrypt", "create-key-eu", "create-user", xID}},
		{"home-region-only", lake.CreateEventDataStoreInput{MultiRegionEnabled: ptr(false)}, []string{"decrypt", "create-user"}},
		{"kms-decrypts", lake.CreateEventDataStoreInput{AdvancedEventSelectors: sel(management,
			lake.AdvancedFieldSelector{Field: "eventSource", Equals: []string{kmsSource}},
			lake.AdvancedFieldSelector{Field: "eventName", Equals: []string{"Decrypt"}})}, []string{"decrypt", xID}},
		{"log-bucket-reads", lake.CreateEventDataStoreInput{AdvancedEventSelectors: sel(
			lake.AdvancedFieldSelector{Field: "eventCategory", Equals: []string{"Data"}},
			lake.AdvancedFieldSelector{Field: "resources.type", Equals: []string{"AWS::S3::Object"}},
			lake.AdvancedFieldSelector{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::logs/"}})}, []string{"get-log"}},
		{"writes", lake.CreateEventDataStoreInput{AdvancedEventSelectors: sel(management,
			lake.AdvancedFieldSelector{Field: "readOnly", Equals: []string{"false"}})}, []string{"create-key-eu", "create-user"}},
	}
	arns := make([]string, len(stores))
	for i, s := range stores {
		s.in.Name = s.name
		arns[i] = lw.create(t, lw.Root(acct), s.in)
	}
	lw.record(t, decrypt, createKey, createUser, getLog, getOther, foreign, crossAccount)
	late := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{Name: "created-later"})
	sum := lw.ingest(t)
	if sum.Stores != len(stores) || sum.Events != 11 || len(sum.Errors) != 0 {
		t.Fatalf("Ingest = %+v", sum)
	}
	for i, s := range stores {
		t.Run(s.name, func(t *testing.T) { lw.wantRead(t, lw.root, arns[i], s.want...) })
	}
	lw.wantRead(t, lw.root, late)
	// The records are CloudTrail's, of the store's account.
	for rec, err := range lw.Lake.Events(lw.root.Context(), arns[0]) {
		if err != nil {
			t.Fatal(err)
		}
		var r map[string]any
		if err := json.Unmarshal(rec, &r); err != nil {
			t.Fatal(err)
		}
		if r["eventVersion"] == nil || r["recipientAccountId"] != acct || r["eventSource"] == nil {
			t.Fatalf("record %s", rec)
		}
		break
	}
}

// An ingestion cut short between storing a chunk and moving the cursor (a crash) is redone
// after a restart: every event reaches the store exactly once, in order, also across chunks.
func TestIngestExactlyOnceAcrossCrash(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	const n = 10000*2 + 5 // three chunks
	want := make([]string, 0, n+1)
	for i := range n {
		id := fmt.Sprintf("e%05d", i)
		want = append(want, id)
		lw.record(t, call(id, kmsSource, "Encrypt"))
	}
	crash := errors.New("crash")
	writes := 0
	lake.SetAfterWrite(lw.Lake, func() error {
		if writes++; writes == 2 {
			return crash
		}
		return nil
	})
	if _, err := lw.Lake.Ingest(context.Background()); !errors.Is(err, crash) {
		t.Fatalf("Ingest = %v, want the crash", err)
	}
	if got, _ := lw.read(lw.root, arn); len(got) != 10000 {
		t.Fatalf("before the crash the store had %d events, want the first chunk's 10000", len(got))
	}
	lw.restart(t)
	want = append(want, "after")
	lw.record(t, call("after", kmsSource, "Encrypt"))
	if sum := lw.ingest(t); sum.Events != n+1-10000 {
		t.Fatalf("after the restart Ingest = %+v", sum)
	}
	if sum := lw.ingest(t); sum.Events != 0 {
		t.Fatalf("a second Ingest took %d events again", sum.Events)
	}
	lw.wantRead(t, lw.root, arn, want...)
	if chunks, _, err := lake.Chunks(context.Background(), lw.Lake); err != nil || chunks != 3 {
		t.Fatalf("chunks = %d, %v; want 3", chunks, err)
	}
}

// A store takes events only while ENABLED: not while its ingestion is stopped (what it had yet
// to take before still goes), nor while it is pending deletion, when it cannot be read.
func TestIngestFollowsStatus(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{TerminationProtectionEnabled: ptr(false)})
	ref := &lake.StoreInput{EventDataStore: arn}
	lw.record(t, call("before-stop", kmsSource, "Encrypt"))
	servicetest.Call(lw.root, lw.Lake.StopEventDataStoreIngestion, ref).OK()
	lw.record(t, call("while-stopped", kmsSource, "Encrypt"))
	servicetest.Call(lw.root, lw.Lake.StartEventDataStoreIngestion, ref).OK()
	lw.record(t, call("after-start", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.wantRead(t, lw.root, arn, "before-stop", "after-start")

	servicetest.Call(lw.root, lw.Lake.DeleteEventDataStore, ref).OK()
	lw.record(t, call("while-deleted", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.Run(t, []servicetest.Step{{Name: "a store pending deletion cannot be read", As: lw.Root(acct), Do: lw.readStep(arn), Want: "InactiveEventDataStoreException"}})
	servicetest.Call(lw.root, lw.Lake.RestoreEventDataStore, ref).OK()
	lw.record(t, call("after-restore", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.wantRead(t, lw.root, arn, "before-stop", "after-start", "after-restore")

	// A store created with StartIngestion false takes nothing until started.
	quiet := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{Name: "quiet", StartIngestion: ptr(false)})
	lw.record(t, call("before-first-start", kmsSource, "Encrypt"))
	servicetest.Call(lw.root, lw.Lake.StartEventDataStoreIngestion, &lake.StoreInput{EventDataStore: quiet}).OK()
	lw.record(t, call("first", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.wantRead(t, lw.root, quiet, "first")
}

// Events past a store's retention period are not returned, and Sweep purges them (with the data
// keys no chunk needs); a purged store's events go with it.
func TestIngestRetention(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{RetentionPeriod: ptr(7), TerminationProtectionEnabled: ptr(false)})
	counts := func(wantChunks, wantKeys int) {
		t.Helper()
		chunks, keys, err := lake.Chunks(context.Background(), lw.Lake)
		if err != nil || chunks != wantChunks || keys != wantKeys {
			t.Fatalf("chunks, data keys = %d, %d (%v); want %d, %d", chunks, keys, err, wantChunks, wantKeys)
		}
	}
	sweep := func() {
		t.Helper()
		if err := lw.Lake.Sweep(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	lw.record(t, call("day-0", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.Clock.Advance(5 * 24 * time.Hour)
	lw.record(t, call("day-5", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.wantRead(t, lw.root, arn, "day-0", "day-5")
	lw.Clock.Advance(3 * 24 * time.Hour)
	lw.wantRead(t, lw.root, arn, "day-5") // day 0 is past the 7 days, even before the sweep
	counts(2, 2)
	sweep()
	counts(1, 1)
	lw.wantRead(t, lw.root, arn, "day-5")
	lw.Clock.Advance(6 * 24 * time.Hour)
	lw.wantRead(t, lw.root, arn)
	sweep()
	counts(0, 0)

	lw.record(t, call("day-14", kmsSource, "Encrypt"))
	lw.ingest(t)
	counts(1, 1)
	servicetest.Call(lw.root, lw.Lake.DeleteEventDataStore, &lake.StoreInput{EventDataStore: arn}).OK()
	lw.Clock.Advance(7 * 24 * time.Hour)
	sweep()
	counts(0, 0)
}

// While a store's KMS key is unusable its events are not ingested: they are dropped, counted,
// and the refusal is reported (Ingest's summary, IngestionStatus, a log line); once the key is
// usable again the store takes the events recorded from then on.
func TestIngestWhileKeyUnusable(t *testing.T) {
	seed := keyPolicy(rootStatement, encryptStatement, userStatement)
	cases := []struct {
		name         string
		brk, repair  func(lw *lakeWorld, key string)
		readRefused  bool
		refusalCodes []string
	}{
		{"disabled", func(lw *lakeWorld, key string) {
			servicetest.Call(lw.root, lw.KMS.DisableKey, &kms.KeyIDInput{KeyID: key}).OK()
		}, func(lw *lakeWorld, key string) {
			servicetest.Call(lw.root, lw.KMS.EnableKey, &kms.KeyIDInput{KeyID: key}).OK()
		}, true, []string{"DisabledException"}},
		{"pending deletion", func(lw *lakeWorld, key string) {
			servicetest.Call(lw.root, lw.KMS.ScheduleKeyDeletion, &kms.ScheduleKeyDeletionInput{KeyID: key}).OK()
		}, func(lw *lakeWorld, key string) {
			servicetest.Call(lw.root, lw.KMS.CancelKeyDeletion, &kms.KeyIDInput{KeyID: key}).OK()
			servicetest.Call(lw.root, lw.KMS.EnableKey, &kms.KeyIDInput{KeyID: key}).OK()
		}, true, []string{"KMSInvalidStateException"}},
		{"CloudTrail's permissions removed", func(lw *lakeWorld, key string) {
			p := keyPolicy(rootStatement, userStatement)
			servicetest.Call(lw.root, lw.KMS.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key, Policy: &p}).OK()
		}, func(lw *lakeWorld, key string) {
			servicetest.Call(lw.root, lw.KMS.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key, Policy: &seed}).OK()
		}, false, []string{"AccessDeniedException"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lw := newLakeWorld(t)
			a := lw.User(acct, "alice", allowCloudTrail())
			key := lw.key(t, "us-east-1", seed).Arn
			arn := lw.create(t, a, lake.CreateEventDataStoreInput{KmsKeyID: key})
			lw.record(t, call("before", kmsSource, "Encrypt"))
			if sum := lw.ingest(t); sum.Events != 1 {
				t.Fatalf("Ingest = %+v", sum)
			}
			tc.brk(lw, key)
			lw.record(t, call("while-unusable", kmsSource, "Encrypt"))
			sum := lw.ingest(t)
			if sum.Events != 0 || sum.Dropped != 1 || len(sum.Errors) != 1 || !strings.HasPrefix(sum.Errors[0], arn+": ") ||
				!slices.Contains(tc.refusalCodes, strings.TrimPrefix(sum.Errors[0], arn+": ")) {
				t.Fatalf("Ingest with the key unusable = %+v", sum)
			}
			st := servicetest.Call(lw.As(a), lw.Lake.IngestionStatus, arn).OK()
			if st.Dropped != 1 || st.Ingested != 1 || !strings.HasPrefix(st.KeyError, tc.refusalCodes[0]) {
				t.Fatalf("IngestionStatus = %+v", st)
			}
			if tc.readRefused {
				lw.Run(t, []servicetest.Step{{Name: "the store cannot be read", As: a, Do: lw.readStep(arn), Want: "InsufficientEncryptionPolicyException"}})
			} else {
				lw.wantRead(t, lw.As(a), arn, "before")
			}
			tc.repair(lw, key)
			lw.record(t, call("after", kmsSource, "Encrypt"))
			if sum := lw.ingest(t); sum.Events != 1 || len(sum.Errors) != 0 {
				t.Fatalf("Ingest with the key usable again = %+v", sum)
			}
			lw.wantRead(t, lw.As(a), arn, "before", "after")
			if st := servicetest.Call(lw.As(a), lw.Lake.IngestionStatus, arn).OK(); st.KeyError != "" || st.Dropped != 1 || st.Ingested != 2 {
				t.Fatalf("IngestionStatus once repaired = %+v", st)
			}
		})
	}
}

// Reading a KMS-encrypted store decrypts as the caller: the key policy and the caller's identity
// policies must allow kms:Decrypt. A store without a KMS key needs none.
func TestReadNeedsDecrypt(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	bob := lw.User(acct, "bob", allowCloudTrail())
	carol := lw.User(acct, "carol", allowCloudTrail("kms:Decrypt"))
	key := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	encrypted := lw.create(t, a, lake.CreateEventDataStoreInput{Name: "encrypted", KmsKeyID: key})
	plain := lw.create(t, a, lake.CreateEventDataStoreInput{Name: "plain"})
	lw.record(t, call("e1", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.Run(t, []servicetest.Step{
		{Name: "alice, named in the key policy", As: a, Do: lw.readStep(encrypted)},
		{Name: "bob: neither key policy nor identity policy allows Decrypt", As: bob, Do: lw.readStep(encrypted), Want: "InsufficientEncryptionPolicyException"},
		{Name: "carol: her identity policy, through the root statement", As: carol, Do: lw.readStep(encrypted)},
		{Name: "bob reads the store without a KMS key", As: bob, Do: lw.readStep(plain)},
		{Name: "by ID", As: a, Do: lw.readStep(encrypted[strings.LastIndexByte(encrypted, '/')+1:])},
		{Name: "another account's ARN", As: lw.Root(other), Do: lw.readStep(encrypted), Want: "EventDataStoreARNInvalidException"},
		{Name: "not an ARN", As: a, Do: lw.readStep("arn:aws:cloudtrail:us-east-1:" + acct + ":trail/x"), Want: "EventDataStoreARNInvalidException"},
		{Name: "no caller", As: servicetest.Service("cloudtrail.amazonaws.com"), Do: lw.readStep(encrypted), Want: "AccessDeniedException"},
	})
	servicetest.Call(lw.As(bob), lw.Lake.IngestionStatus, encrypted).OK()
	// A reader may stop early.
	for _, err := range lw.Lake.Events(lw.As(a).Context(), encrypted) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
}

// An idle store stays idle: events of keytrail's own deliveries and ingestions alone (the
// store's KMS calls among them) wait for a real event, then go with it, in order.
func TestIdleStoreStaysIdle(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	own := call("own", kmsSource, "GenerateDataKey")
	own.Delivery = true
	lw.record(t, own)
	if sum := lw.ingest(t); sum.Events != 0 {
		t.Fatalf("Ingest took its own events alone: %+v", sum)
	}
	lw.record(t, call("real", kmsSource, "Encrypt"))
	if sum := lw.ingest(t); sum.Events != 2 {
		t.Fatalf("Ingest = %+v", sum)
	}
	lw.wantRead(t, lw.root, arn, "own", "real")
}

// No event text is in clear in the Lake's data: every file of the data directory is scanned for
// a marker from an ingested event's requestParameters. (The journal, in a directory of its own
// here, holds it: that is CloudTrail's event history, which the scan of its directory shows.)
func TestNoClearTextAtRest(t *testing.T) {
	lw := newLakeWorld(t)
	a := lw.User(acct, "alice", allowCloudTrail())
	key := lw.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement, userStatement)).Arn
	encrypted := lw.create(t, a, lake.CreateEventDataStoreInput{Name: "encrypted", KmsKeyID: key})
	plain := lw.create(t, a, lake.CreateEventDataStoreInput{Name: "plain"})
	const marker = "marker-7f3a9c1e-lake"
	e := call("marked", kmsSource, "Encrypt")
	e.Params = []byte(`{"encryptionContext":{"note":"` + marker + `"}}`)
	lw.record(t, e)
	if sum := lw.ingest(t); sum.Events != 2 {
		t.Fatalf("Ingest = %+v", sum)
	}
	for _, arn := range []string{encrypted, plain} {
		found := false
		for rec, err := range lw.Lake.Events(lw.As(a).Context(), arn) {
			if err != nil {
				t.Fatal(err)
			}
			found = found || bytes.Contains(rec, []byte(marker))
		}
		if !found {
			t.Fatalf("%s does not return the marked event", arn)
		}
	}
	if n := filesWith(t, lw.Dir, marker); n != 0 {
		t.Fatalf("%d files of the data directory hold the marker in clear", n)
	}
	if n := filesWith(t, lw.journalDir, marker); n == 0 {
		t.Fatal("the scan does not find the marker in the journal: it would find nothing anywhere")
	}
}

// filesWith counts the files under dir that contain s.
func filesWith(t *testing.T, dir, s string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(s)) {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A store made before keytrail ingested (no cursor) takes the events recorded from its first
// ingestion on.
func TestIngestStoreWithoutCursor(t *testing.T) {
	lw := newLakeWorld(t)
	arn := lw.create(t, lw.Root(acct), lake.CreateEventDataStoreInput{})
	lw.record(t, call("before-upgrade", kmsSource, "Encrypt"))
	if err := lake.ForgetCursors(context.Background(), lw.Lake); err != nil {
		t.Fatal(err)
	}
	if sum := lw.ingest(t); sum.Events != 0 {
		t.Fatalf("Ingest = %+v", sum)
	}
	lw.record(t, call("after-upgrade", kmsSource, "Encrypt"))
	lw.ingest(t)
	lw.wantRead(t, lw.root, arn, "after-upgrade")
	if st := servicetest.Call(lw.root, lw.Lake.IngestionStatus, arn).OK(); st.Ingested != 1 {
		t.Fatalf("IngestionStatus = %+v", st)
	}
}
