package kms

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/store"
)

// Key states keytrail's symmetric keys take.
const (
	stateEnabled         = "Enabled"
	stateDisabled        = "Disabled"
	statePendingDeletion = "PendingDeletion"
)

// keyRecord is the stored form of a key (format version 1).
type keyRecord struct {
	store.Version
	ID            string       `json:"id"`
	Account       string       `json:"account"`
	Region        string       `json:"region"`
	Description   string       `json:"description"`
	Created       time.Time    `json:"created"`
	State         string       `json:"state"`
	DeletionDate  time.Time    `json:"deletionDate,omitzero"`
	PendingWindow int32        `json:"pendingWindow,omitempty"`
	Policy        string       `json:"policy"` // exactly as given
	Tags          []Tag        `json:"tags,omitempty"`
	Rotation      bool         `json:"rotation,omitempty"`
	RotationDays  int32        `json:"rotationDays,omitempty"`
	NextRotation  time.Time    `json:"nextRotation,omitzero"`
	OnDemandStart time.Time    `json:"onDemandStart,omitzero"`
	Versions      []keyVersion `json:"versions"`          // oldest first; the last encrypts
	Managed       bool         `json:"managed,omitempty"` // an AWS managed key (aws/s3)
}

// keyVersion is one backing key: 32 bytes of AES-256 material, sealed.
type keyVersion struct {
	N          uint32    `json:"n"`
	MaterialID string    `json:"materialId"`
	Sealed     []byte    `json:"sealed"`
	Created    time.Time `json:"created"`
	Rotation   string    `json:"rotation,omitempty"` // AUTOMATIC or ON_DEMAND; empty for the first
}

func keyARN(region, account, id string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + id
}

func aliasARN(region, account, name string) string {
	return "arn:aws:kms:" + region + ":" + account + ":" + name
}

func keyStoreKey(account, region, id string) string { return account + "/" + region + "/" + id }

// loadedKey is a key as operations use it: its record, compiled policy, unsealed ciphers and
// grants.
type loadedKey struct {
	rec     keyRecord
	arn     string
	policy  *policy.Policy
	ciphers map[uint32]cipher.AEAD
	grants  []grantRecord
}

func (k *loadedKey) current() keyVersion { return k.rec.Versions[len(k.rec.Versions)-1] }

// materialPurpose binds sealed key material to its key and version.
func materialPurpose(arn string, n uint32) string {
	return fmt.Sprintf("kms key material %s v%d", arn, n)
}

// load builds a loadedKey from a stored record.
func (s *Service) load(rec *keyRecord) (*loadedKey, error) {
	k := &loadedKey{rec: *rec, arn: keyARN(rec.Region, rec.Account, rec.ID), ciphers: map[uint32]cipher.AEAD{}}
	p, err := s.policies.Parse(rec.Policy, policy.Key)
	if err != nil {
		return nil, fmt.Errorf("kms: stored key policy of %s: %w", k.arn, err)
	}
	k.policy = p
	for _, ver := range rec.Versions {
		material, err := s.barrier.Open(ver.Sealed, materialPurpose(k.arn, ver.N))
		if err != nil {
			return nil, fmt.Errorf("kms: unseal %s v%d: %w", k.arn, ver.N, err)
		}
		block, err := aes.NewCipher(material)
		if err != nil {
			return nil, err
		}
		if k.ciphers[ver.N], err = cipher.NewGCM(block); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// key returns a key by account, region and ID, from the cache or the store; nil when none.
func (s *Service) key(c *call, account, region, id string) (*loadedKey, error) {
	ck := cacheKey{account, region, id}
	if k, ok := s.cache.Load(ck); ok {
		return k.(*loadedKey), nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var k *loadedKey
	err := s.db.View(c.ctx, func(tx store.Tx) error {
		rec, err := keysTable.Get(tx, keyStoreKey(account, region, id))
		if err != nil || rec == nil {
			return err
		}
		if k, err = s.load(rec); err != nil {
			return err
		}
		k.grants, err = listGrants(tx, account, region, id)
		return err
	})
	if err != nil || k == nil {
		return nil, err
	}
	s.cache.Store(ck, k)
	return k, nil
}

// cacheKey names a key in the cache.
type cacheKey struct{ account, region, id string }

func (k *loadedKey) cacheKey() cacheKey { return cacheKey{k.rec.Account, k.rec.Region, k.rec.ID} }

// update changes a stored key in one transaction and refreshes the cache. change sees the
// current record; returning an error changes nothing.
func (s *Service) update(c *call, k *loadedKey, change func(tx store.Tx, rec *keyRecord) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.cache.Delete(k.cacheKey())
	return s.db.Update(c.ctx, func(tx store.Tx) error {
		rec, err := keysTable.Get(tx, keyStoreKey(k.rec.Account, k.rec.Region, k.rec.ID))
		if err != nil {
			return err
		}
		if rec == nil {
			return notFound(k.arn)
		}
		if err := change(tx, rec); err != nil {
			return err
		}
		return putKey(tx, rec)
	})
}

// change updates a key once check has accepted its stored record (refusePending, rotationState).
func (s *Service) change(c *call, k *loadedKey, check func(*loadedKey, *keyRecord) error, fn func(*keyRecord) error) error {
	return s.update(c, k, func(_ store.Tx, rec *keyRecord) error {
		if err := check(k, rec); err != nil {
			return err
		}
		return fn(rec)
	})
}

// refusePending refuses a change to a key pending deletion (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
func refusePending(k *loadedKey, rec *keyRecord) error {
	if rec.State == statePendingDeletion {
		return pendingDeletion(k)
	}
	return nil
}

func putKey(tx store.Tx, rec *keyRecord) error {
	return keysTable.Put(tx, keyStoreKey(rec.Account, rec.Region, rec.ID), rec)
}

func notFound(arn string) error {
	return awserr.New(awserr.NotFoundException, "Key '%s' does not exist", arn)
}

// isKeyID reports whether s is a key ID: lower-case hex in the 8-4-4-4-12 form.
func isKeyID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// parseKMSARN splits arn:aws:kms:<region>:<account>:<resource>, checking the region's
// characters and the 12-digit account.
func parseKMSARN(s string) (region, account, resource string, ok bool) {
	rest, ok := strings.CutPrefix(s, "arn:aws:kms:")
	if !ok {
		return "", "", "", false
	}
	region, rest, ok1 := strings.Cut(rest, ":")
	account, resource, ok2 := strings.Cut(rest, ":")
	if !ok1 || !ok2 || region == "" || len(account) != 12 || resource == "" {
		return "", "", "", false
	}
	for i := 0; i < len(region); i++ {
		if c := region[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "", "", "", false
		}
	}
	for i := 0; i < 12; i++ {
		if account[i] < '0' || account[i] > '9' {
			return "", "", "", false
		}
	}
	return region, account, resource, true
}

// parseKeyARN splits a key ARN into region, account and key ID (not yet checked).
func parseKeyARN(s string) (region, account, id string, ok bool) {
	region, account, resource, ok := parseKMSARN(s)
	if !ok {
		return "", "", "", false
	}
	id, ok = strings.CutPrefix(resource, "key/")
	return region, account, id, ok && id != ""
}

// parseAliasARN splits an alias ARN into region, account and alias name.
func parseAliasARN(s string) (region, account, name string, ok bool) {
	region, account, resource, ok := parseKMSARN(s)
	if !ok || !strings.HasPrefix(resource, "alias/") || len(resource) == len("alias/") {
		return "", "", "", false
	}
	return region, account, resource, true
}

// idForms says which key identifiers an operation accepts (the KeyId member of each operation in https://docs.aws.amazon.com/kms/latest/APIReference/).
type idForms struct {
	aliases      bool // alias names and alias ARNs
	crossAccount bool // ARNs of other accounts' keys
}

var (
	// DescribeKey, Encrypt, Decrypt, GenerateDataKey*, ReEncrypt.
	anyForm = idForms{aliases: true, crossAccount: true}
	// GetKeyRotationStatus, CreateGrant, ListGrants, RevokeGrant, RetireGrant.
	keyAnyAccount = idForms{crossAccount: true}
	// Every other key operation: key ID or key ARN in the caller's account.
	keyOwnAccount = idForms{}
)

// resolve finds the key an identifier names, as the operation accepts it: a key ID or alias name
// in the caller's account and region, a key ARN or alias ARN in the request's region. It returns
// NotFoundException (and InvalidArnException for a malformed ARN) when there is none.
func (s *Service) resolve(c *call, id string, forms idForms) (*loadedKey, error) {
	account, region, keyID := c.account(), c.region, ""
	switch {
	case strings.HasPrefix(id, "arn:"):
		var ok bool
		if region, account, keyID, ok = parseKeyARN(id); ok {
			break
		}
		aRegion, aAccount, name, ok := parseAliasARN(id)
		if !ok {
			return nil, awserr.New(awserr.InvalidArnException, "ARN %s is not a valid KMS key or alias ARN", id)
		}
		if !forms.aliases {
			return nil, awserr.New(awserr.NotFoundException, "Invalid keyId '%s'", id)
		}
		if region, account = aRegion, aAccount; region != c.region {
			return nil, aliasNotFound(aliasARN(region, account, name))
		}
		var err error
		if keyID, err = s.aliasTarget(c, account, region, name); err != nil {
			return nil, err
		}
	case strings.HasPrefix(id, "alias/"):
		if !forms.aliases {
			return nil, awserr.New(awserr.NotFoundException, "Invalid keyId '%s'", id)
		}
		var err error
		if keyID, err = s.aliasTarget(c, account, region, id); err != nil {
			return nil, err
		}
	default:
		keyID = id
	}
	if !isKeyID(keyID) || region != c.region || account == "" || account != c.account() && !forms.crossAccount {
		return nil, notFound(keyARN(region, account, keyID))
	}
	k, err := s.key(c, account, region, keyID)
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, notFound(keyARN(region, account, keyID))
	}
	return k, nil
}

// checkState refuses an operation the key's state does not allow (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html, with the contract's
// messages). crypto marks the cryptographic operations and CreateGrant.
func checkState(k *loadedKey, crypto bool) error {
	switch k.rec.State {
	case stateDisabled:
		if crypto {
			return awserr.New(awserr.DisabledException, "%s is disabled.", k.arn)
		}
	case statePendingDeletion:
		return pendingDeletion(k)
	}
	return nil
}

func keyManager(managed bool) string {
	if managed {
		return "AWS"
	}
	return "CUSTOMER"
}

func pendingDeletion(k *loadedKey) error {
	return awserr.New(awserr.KMSInvalidStateException, "%s is pending deletion.", k.arn)
}

// metadata is a key's KeyMetadata.
func (k *loadedKey) metadata() *KeyMetadata {
	m := &KeyMetadata{AWSAccountID: k.rec.Account, KeyID: k.rec.ID, Arn: k.arn, CreationDate: awsjsonTime(k.rec.Created),
		Enabled: k.rec.State == stateEnabled, Description: k.rec.Description, KeyUsage: "ENCRYPT_DECRYPT", KeyState: k.rec.State,
		Origin: "AWS_KMS", KeyManager: keyManager(k.rec.Managed), CustomerMasterKeySpec: "SYMMETRIC_DEFAULT", KeySpec: "SYMMETRIC_DEFAULT",
		EncryptionAlgorithms: []string{"SYMMETRIC_DEFAULT"}, CurrentKeyMaterialID: k.current().MaterialID}
	if k.rec.State == statePendingDeletion {
		m.DeletionDate = awsjsonTime(k.rec.DeletionDate)
		w := k.rec.PendingWindow
		m.PendingDeletionWindowInDays = &w
	}
	return m
}
