package kms

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
)

// Tables this package owns.
var (
	keysTable    = store.Table[keyRecord]{Name: "kms.keys"}      // <account>/<region>/<key ID>
	aliasesTable = store.Table[aliasRecord]{Name: "kms.aliases"} // <account>/<region>/<alias name>
	grantsTable  = store.Table[grantRecord]{Name: "kms.grants"}  // <account>/<region>/<key ID>/<grant ID>
)

// Principals tells whether IAM principals named in a key policy exist ("Principals must exist
// and be visible to KMS").
type Principals interface {
	PrincipalExists(ctx context.Context, arn string) (bool, error)
}

// Config configures a Service.
type Config struct {
	DB         store.DB
	Barrier    *seal.Barrier
	Authorizer authz.Authorizer
	Policies   *policy.Cache // compiles key policies once; a new cache when nil
	Principals Principals    // nil: principals named in key policies are not checked
	Region     string        // the region of in-process calls that carry no request region
	Logger     *slog.Logger
	Now        func() time.Time
	Rand       io.Reader
}

// Service is KMS.
type Service struct {
	db         store.DB
	barrier    *seal.Barrier
	az         authz.Authorizer
	policies   *policy.Cache
	principals Principals
	region     string
	log        *slog.Logger
	now        func() time.Time
	rand       io.Reader

	// cache holds loaded keys (record, compiled policy, unsealed ciphers) by key ARN. Writers
	// hold mu while they commit and invalidate; readers that fill the cache hold it for reading,
	// so a stale record never lands after an invalidation.
	mu    sync.RWMutex
	cache sync.Map // cacheKey → *loadedKey
}

// New returns a KMS service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, barrier: cfg.Barrier, az: cfg.Authorizer, policies: cfg.Policies, principals: cfg.Principals,
		region: cfg.Region, log: cfg.Logger, now: cfg.Now, rand: cfg.Rand}
	if s.policies == nil {
		s.policies = policy.NewCache(1024)
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// API returns KMS's operation table for the JSON protocol.
func (s *Service) API() *awsjson.Service {
	return &awsjson.Service{
		Name:     "kms",
		Prefixes: []string{"TrentService"},
		Operations: map[string]awsjson.Handler{
			"CreateKey":                       awsjson.Handle(s.CreateKey),
			"DescribeKey":                     awsjson.Handle(s.DescribeKey).ReadOnly(),
			"ListKeys":                        awsjson.Handle(s.ListKeys).ReadOnly(),
			"UpdateKeyDescription":            awsjson.Handle(s.UpdateKeyDescription),
			"CreateAlias":                     awsjson.Handle(s.CreateAlias),
			"UpdateAlias":                     awsjson.Handle(s.UpdateAlias),
			"DeleteAlias":                     awsjson.Handle(s.DeleteAlias),
			"ListAliases":                     awsjson.Handle(s.ListAliases).ReadOnly(),
			"GetKeyPolicy":                    awsjson.Handle(s.GetKeyPolicy).ReadOnly(),
			"PutKeyPolicy":                    awsjson.Handle(s.PutKeyPolicy),
			"ListKeyPolicies":                 awsjson.Handle(s.ListKeyPolicies).ReadOnly(),
			"EnableKey":                       awsjson.Handle(s.EnableKey),
			"DisableKey":                      awsjson.Handle(s.DisableKey),
			"ScheduleKeyDeletion":             awsjson.Handle(s.ScheduleKeyDeletion),
			"CancelKeyDeletion":               awsjson.Handle(s.CancelKeyDeletion),
			"GenerateDataKey":                 awsjson.Handle(s.GenerateDataKey).ReadOnly(),
			"GenerateDataKeyWithoutPlaintext": awsjson.Handle(s.GenerateDataKeyWithoutPlaintext).ReadOnly(),
			"Encrypt":                         awsjson.Handle(s.Encrypt).ReadOnly(),
			"Decrypt":                         awsjson.Handle(s.Decrypt).ReadOnly(),
			"ReEncrypt":                       awsjson.Handle(s.ReEncrypt).ReadOnly(),
			"GenerateRandom":                  awsjson.Handle(s.GenerateRandom).ReadOnly(),
			"TagResource":                     awsjson.Handle(s.TagResource),
			"UntagResource":                   awsjson.Handle(s.UntagResource),
			"ListResourceTags":                awsjson.Handle(s.ListResourceTags).ReadOnly(),
			"EnableKeyRotation":               awsjson.Handle(s.EnableKeyRotation),
			"DisableKeyRotation":              awsjson.Handle(s.DisableKeyRotation),
			"GetKeyRotationStatus":            awsjson.Handle(s.GetKeyRotationStatus).ReadOnly(),
			"RotateKeyOnDemand":               awsjson.Handle(s.RotateKeyOnDemand),
			"ListKeyRotations":                awsjson.Handle(s.ListKeyRotations).ReadOnly(),
			"CreateGrant":                     awsjson.Handle(s.CreateGrant),
			"ListGrants":                      awsjson.Handle(s.ListGrants).ReadOnly(),
			"RetireGrant":                     awsjson.Handle(s.RetireGrant),
			"RevokeGrant":                     awsjson.Handle(s.RevokeGrant),
			"ListRetirableGrants":             awsjson.Handle(s.ListRetirableGrants).ReadOnly(),
		},
	}
}

// call is what every operation knows about its request: the caller and the region.
type call = request.Call

// begin returns the caller and region of a request.
func (s *Service) begin(ctx context.Context) (*call, error) {
	c, ok := request.Begin(ctx, s.region)
	if !ok || (c.P.Account == "" && c.P.Type != identity.AWSService) {
		return nil, awserr.New(awserr.AccessDeniedException, "The request carries no authenticated caller.")
	}
	return c, nil
}

// InRegion returns the context of an in-process call that another service makes to KMS in
// region, whatever region its own request was signed for: S3 uses keys of its bucket's region
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html), and CloudTrail
// checks a trail's key in its bucket's region (KmsKeyNotFoundException,
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
func InRegion(ctx context.Context, region string) context.Context {
	return request.InRegion(ctx, region)
}

// authorize is the one authorization call of a key operation: the key policy (and grants, with
// identity policies as the engine combines them). keys holds the operation's own condition keys;
// nil means none but kms:CallerAccount.
func (s *Service) authorize(c *call, action string, k *loadedKey, keys *conditionKeys, grants []authz.Grant) error {
	if keys == nil {
		keys = &conditionKeys{}
	}
	if c.P.Type != identity.AWSService && c.P.Account != "" {
		keys.caller[0] = c.P.Account
	}
	req := authz.Request{Principal: c.P, Action: "kms:" + action, Resource: k.arn, ResourceAccount: k.rec.Account,
		ResourcePolicy: k.policy, Context: keys, Grants: grants,
		Recorded: []request.Resource{{Type: "AWS::KMS::Key", ARN: k.arn, Account: k.rec.Account}}}
	return s.decide(c, req)
}

// authorizeIdentity is the one authorization call of an operation without a key resource
// (CreateKey, ListKeys, ListAliases, GenerateRandom, ListRetirableGrants): identity policies only.
func (s *Service) authorizeIdentity(c *call, action string, extra authz.Map) error {
	req := authz.Request{Principal: c.P, Action: "kms:" + action, Resource: "*", ResourceAccount: c.P.Account, Context: extra}
	return s.decide(c, req)
}

// conditionKeys are the condition keys of a KMS request, looked up without building a map:
// kms:CallerAccount, kms:EncryptionContext:<key>, kms:EncryptionContextKeys, kms:RequestAlias,
// and the operation's others.
type conditionKeys struct {
	caller [1]string
	ec     map[string]string
	names  []string // kms:EncryptionContextKeys, sorted, built on first use
	alias  [1]string
	extra  authz.Map
}

const encryptionContextPrefix = "kms:EncryptionContext:"

// Lookup implements authz.Keys.
func (k *conditionKeys) Lookup(key string) ([]string, bool) {
	switch {
	case len(key) > len(encryptionContextPrefix) && strings.EqualFold(key[:len(encryptionContextPrefix)], encryptionContextPrefix):
		name := key[len(encryptionContextPrefix):]
		if v, ok := k.ec[name]; ok {
			return []string{v}, true
		}
		for n, v := range k.ec {
			if strings.EqualFold(n, name) {
				return []string{v}, true
			}
		}
		return nil, false
	case strings.EqualFold(key, "kms:CallerAccount"):
		return k.caller[:], k.caller[0] != ""
	case strings.EqualFold(key, "kms:EncryptionContextKeys"):
		if len(k.ec) == 0 {
			return nil, false
		}
		if k.names == nil {
			k.names = slices.Sorted(maps.Keys(k.ec))
		}
		return k.names, true
	case strings.EqualFold(key, "kms:RequestAlias"):
		return k.alias[:], k.alias[0] != ""
	}
	return k.extra.Lookup(key)
}

func (s *Service) decide(c *call, req authz.Request) error {
	return authz.Require(c.Ctx, s.az, req, awserr.AccessDeniedException)
}

// dryRun answers DryRunOperationException once the request would have succeeded.
func dryRun(flag *bool) error {
	if flag != nil && *flag {
		return awserr.New(awserr.DryRunOperationException, "The request would have succeeded, but the DryRun option is set.")
	}
	return nil
}

// newUUID returns a random key ID in the 8-4-4-4-12 form.
func (s *Service) newUUID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// randomHex returns n random bytes in hex (grant IDs, key material IDs).
func (s *Service) randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (s *Service) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }
