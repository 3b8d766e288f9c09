package lake_test

import (
	"strings"
	"testing"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The seed's account, and the caller identities of the scenarios.
const (
	acct  = servicetest.Account
	other = servicetest.OtherAccount
	alice = "arn:aws:iam::" + acct + ":user/alice"
)

// Statements of an event data store's key policy, from the seed page
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
const (
	rootStatement = `{"Sid":"Enable IAM user permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"}`
	// "Allow CloudTrail to encrypt event data store": GenerateDataKey and Decrypt, no condition.
	encryptStatement = `{"Sid":"Allow CloudTrail to encrypt event data store","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"}`
	// "Allow CloudTrail to decrypt an event data store".
	decryptStatement = `{"Sid":"Allow CloudTrail to decrypt an event data store","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:Decrypt","Resource":"*"}`
	// "Enable user key permissions for event data stores", for alice.
	userStatement = `{"Sid":"Enable user key permissions for event data stores","Effect":"Allow","Principal":{"AWS":"` + alice + `"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}`
	// The trail statement CloudTrail's encrypt permission takes for trails, with aws:SourceArn:
	// not supported for event data stores, so it grants them nothing.
	sourceArnStatement = `{"Sid":"Allow CloudTrail to encrypt logs","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:` + acct + `:trail/management"}}}`
	sourceAccountStatement = `{"Sid":"Allow CloudTrail for my account","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:SourceAccount":"` + acct + `"}}}`
	// Encrypt only: GenerateDataKey for CloudTrail, no Decrypt.
	encryptOnlyStatement = `{"Sid":"Encrypt only","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"kms:GenerateDataKey","Resource":"*"}`
)

// consolePolicy is the key policy the CloudTrail console creates for an event data store
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/default-kms-key-policy.html), for
// a store created by creator.
func consolePolicy(creator string) string {
	return `{"Version":"2012-10-17","Id":"Key policy created by CloudTrail","Statement":[
 {"Sid":"The key created by CloudTrail to encrypt event data stores. Created Wed, 02 Dec 2026 12:00:00 GMT","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":"*"},
 {"Sid":"Enable IAM user permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + acct + `:root"},"Action":"kms:*","Resource":"*"},
 {"Sid":"Enable user to have permissions","Effect":"Allow","Principal":{"AWS":"` + creator + `"},"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`
}

func keyPolicy(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// allowCloudTrail is an identity policy allowing every CloudTrail action, and the KMS actions
// given.
func allowCloudTrail(kmsActions ...string) string {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"cloudtrail:*","Resource":"*"}`
	if len(kmsActions) > 0 {
		doc += `,{"Effect":"Allow","Action":["` + strings.Join(kmsActions, `","`) + `"],"Resource":"*"}`
	}
	return doc + `]}`
}

// lakeWorld is the Lake on a servicetest World, with real KMS and CloudTrail (for tags).
type lakeWorld struct {
	*servicetest.World
	KMS  *kms.Service
	Lake *lake.Service
	CT   *ct.Service
	root *servicetest.Caller
	// Journal is the event journal the stores ingest from, in a directory of its own (the
	// World's Dir is the Lake's data: the state store).
	Journal    *events.Journal
	journalDir string
}

func newLakeWorld(t testing.TB) *lakeWorld {
	t.Helper()
	w := servicetest.New(t)
	lw := &lakeWorld{World: w, root: w.As(w.Root(acct))}
	lw.KMS = kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Principals: w.IAM, Now: w.Clock.Now, Rand: w.Rand})
	lw.journalDir = t.TempDir()
	lw.openLake(t)
	lw.CT = ct.New(ct.Config{DB: w.DB, KMS: lw.KMS, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand, Stores: lw.Lake})
	return lw
}

// openLake opens the journal and builds the Lake on it, as keytrail does when it starts.
func (lw *lakeWorld) openLake(t testing.TB) {
	t.Helper()
	j, err := events.OpenJournal(lw.journalDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() }) // closing twice is harmless
	lw.Journal = j
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: j, Barrier: lw.Barrier})
}

// restart closes the journal and opens it and the Lake again, as a restart of keytrail does.
func (lw *lakeWorld) restart(t *testing.T) {
	t.Helper()
	if err := lw.Journal.Close(); err != nil {
		t.Fatal(err)
	}
	lw.openLake(t)
}

// key creates a key of the account's root in region with a key policy; it returns its metadata.
func (lw *lakeWorld) key(t testing.TB, region, policy string) *kms.KeyMetadata {
	t.Helper()
	return servicetest.Call(lw.root.In(region), lw.KMS.CreateKey, &kms.CreateKeyInput{Policy: &policy}).OK().KeyMetadata
}

// create creates a store as p with in (its Name defaulted) and returns its ARN.
func (lw *lakeWorld) create(t testing.TB, p identity.Principal, in lake.CreateEventDataStoreInput) string {
	t.Helper()
	if in.Name == "" {
		in.Name = "audit"
	}
	return servicetest.Call(lw.As(p), lw.Lake.CreateEventDataStore, &in).OK().EventDataStoreArn
}

// get returns a store as the account's root sees it.
func (lw *lakeWorld) get(t *testing.T, ref string) *lake.GetEventDataStoreOutput {
	t.Helper()
	return servicetest.Call(lw.root, lw.Lake.GetEventDataStore, &lake.StoreInput{EventDataStore: ref}).OK()
}

func ptr[T any](v T) *T { return &v }
