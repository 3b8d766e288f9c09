package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
)

// lakeFlush is POST /_keytrail/flush's answer: the trails' deliveries and the stores' ingestion.
type lakeFlush struct {
	LogFiles int
	Lake     struct {
		Stores, Events, Dropped int
		Errors                  []string
	}
}

func (e *env) lakeFlush() lakeFlush {
	e.t.Helper()
	resp, err := e.web().Post(e.url+"/_keytrail/flush", "", nil)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var s lakeFlush
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&s) != nil {
		e.t.Fatalf("flush: %s", resp.Status)
	}
	return s
}

// storeRecords reads a store's records as the account's root.
func (e *env) storeRecords(arn string) []record {
	e.t.Helper()
	var out []record
	for raw, err := range e.app.Lake.Events(identity.WithPrincipal(context.Background(), identity.AccountRoot(account)), arn) {
		if err != nil {
			e.t.Fatal(err)
		}
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// The account's API calls reach a KMS-encrypted event data store on flush, exactly once across
// a restart; the data keys are CloudTrail's GenerateDataKey calls under the store's key, with
// the store's ARN as encryption context, recorded as CloudTrail events; and no event text is in
// clear in the data directory outside CloudTrail's own journal.
func TestLakeIngestsAPICalls(t *testing.T) {
	dir := t.TempDir()
	e := start(t, dir)
	ctx := context.Background()
	k := e.rootKMS()
	key := must(k.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(storeKeyPolicy(account, true))}))(t).KeyMetadata
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	store := aws.ToString(must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit"), KmsKeyId: key.KeyId}))(t).EventDataStoreArn)

	const marker = "marker-2b9e41d0-ingest"
	must(k.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyId, Plaintext: []byte("x"), EncryptionContext: map[string]string{"note": marker}}))(t)
	must(e.rootIAM().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("lake-user")}))(t)
	if sum := e.lakeFlush(); sum.Lake.Stores != 1 || sum.Lake.Events < 3 || len(sum.Lake.Errors) != 0 {
		t.Fatalf("flush = %+v", sum)
	}
	count := func(recs []record, name string) int {
		n := 0
		for _, r := range recs {
			if r["eventName"] == name {
				n++
			}
		}
		return n
	}
	recs := e.storeRecords(store)
	if count(recs, "Encrypt") != 1 || count(recs, "CreateUser") != 1 || count(recs, "GetEventDataStore") != 0 {
		t.Fatalf("the store holds %d records: %v", len(recs), recs)
	}

	// CloudTrail's data key: GenerateDataKey as cloudtrail.amazonaws.com, under the store's key,
	// with the store's ARN as encryption context.
	found := false
	err := e.app.Journal.Scan(0, e.app.Journal.Next(), func(ev *events.Event) error {
		if ev.Name == "GenerateDataKey" && ev.Identity.InvokedBy == "cloudtrail.amazonaws.com" && ev.Delivery &&
			bytes.Contains(ev.Params, []byte(`"aws:cloudtrail:arn":"`+store+`"`)) {
			found = true
		}
		return nil
	})
	if err != nil || !found {
		t.Fatalf("no GenerateDataKey of CloudTrail's for the store in the journal (%v)", err)
	}

	journal := filepath.Join(dir, "cloudtrail", "journal")
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, journal) {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds an ingested event's text in clear", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A restart ingests nothing twice; the next calls, and CloudTrail's own KMS calls that
	// waited for them, arrive.
	e.stop()
	e = start(t, dir)
	ct = e.cloudtrail(account, rootSecret, "us-east-1")
	must(ct.ListEventDataStores(ctx, &cloudtrail.ListEventDataStoresInput{}))(t)
	e.lakeFlush()
	recs = e.storeRecords(store)
	if count(recs, "Encrypt") != 1 || count(recs, "CreateUser") != 1 || count(recs, "ListEventDataStores") != 1 || count(recs, "GenerateDataKey") == 0 {
		t.Fatalf("after the restart the store holds %d records: %v", len(recs), recs)
	}
}
