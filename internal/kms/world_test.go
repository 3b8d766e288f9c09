package kms_test

import (
	"strings"
	"testing"

	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/servicetest"
)

// The seed's accounts: the key is in 111111111111; 222222222222 reads its logs; 333333333333
// was never granted anything.
const (
	keyAccount      = "111111111111"
	readerAccount   = "222222222222"
	strangerAccount = "333333333333"
	region          = servicetest.Region
	trailARN        = "arn:aws:cloudtrail:us-east-1:111111111111:trail/management"
	otherTrailARN   = "arn:aws:cloudtrail:us-east-1:111111111111:trail/other"
)

// rootStatement is the statement of the default key policy that delegates to IAM
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html), for the key
// account; a key policy without it would fail the lockout safety check for the root.
const rootStatement = `{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "kms:*", "Resource": "*"}`

// newKMS returns a World and a KMS service on it.
func newKMS(t *testing.T) (*servicetest.World, *kms.Service) {
	t.Helper()
	w := servicetest.New(t)
	svc := kms.New(kms.Config{DB: w.DB, Barrier: w.Barrier, Authorizer: w.Authz, Policies: w.Policies, Principals: w.IAM,
		Now: w.Clock.Now, Rand: w.Rand})
	return w, svc
}

// createKey creates a key with the default policy as the root of account.
func createKey(t *testing.T, w *servicetest.World, svc *kms.Service, account string) *kms.KeyMetadata {
	t.Helper()
	return servicetest.Call(w.As(w.Root(account)), svc.CreateKey, &kms.CreateKeyInput{Description: "test key"}).OK().KeyMetadata
}

// fill replaces the seed's placeholders (region, account-id, trail-name, key-id) with the
// scenario's values for key.
func fill(statement string, key *kms.KeyMetadata) string {
	return strings.NewReplacer(":region:", ":"+region+":", "account-id", keyAccount, "trail/trail-name", "trail/management",
		"key/key-id", "key/"+key.KeyID).Replace(statement)
}

// keyPolicy is a key policy document of statements.
func keyPolicy(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ", ") + `]}`
}

// putPolicy sets key's policy as the root of its account.
func putPolicy(t *testing.T, w *servicetest.World, svc *kms.Service, key *kms.KeyMetadata, doc string) {
	t.Helper()
	servicetest.Call(w.As(w.Root(key.AWSAccountID)), svc.PutKeyPolicy, &kms.PutKeyPolicyInput{KeyID: key.KeyID, Policy: &doc}).OK()
}

// identityPolicy is an identity policy of one Allow statement.
func identityPolicy(action, resource string) string {
	return `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "` + action + `", "Resource": "` + resource + `"}]}`
}

// encrypt encrypts plaintext under key as p, with an encryption context.
func encrypt(t *testing.T, w *servicetest.World, svc *kms.Service, p identity.Principal, key string, ec map[string]string) []byte {
	t.Helper()
	in := &kms.EncryptInput{KeyID: key, Plaintext: []byte("log file data key"), EncryptionContext: ec}
	return servicetest.Call(w.As(p), svc.Encrypt, in).OK().CiphertextBlob
}

func ptr[T any](v T) *T { return &v }
