// Package s3 is Amazon S3 for CloudTrail's log buckets: buckets with bucket policies evaluated by
// the policy engine (and, in later steps, objects encrypted with SSE-S3 and SSE-KMS).
//
// Every operation authorizes exactly once through authz: the bucket policy and the caller's
// identity policies with S3's rules (same account: either; across accounts: both; explicit deny
// wins); CreateBucket and ListBuckets by identity policies only. Unsigned requests act as the
// anonymous principal.
//
// AWS pages implemented:
//   - https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
//   - https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
package s3

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/files"
)

// Tables this package owns.
var (
	buckets = store.Table[bucketRecord]{Name: "s3.buckets"} // <bucket>
	objects = store.Table[objectRecord]{Name: "s3.objects"} // <bucket>/<key>
	uploads = store.Table[uploadRecord]{Name: "s3.uploads"} // <bucket>/<upload ID>
)

// Config configures a Service.
type Config struct {
	DB         store.DB
	Blobs      *files.Dir    // object bodies, encrypted
	Barrier    *seal.Barrier // seals SSE-S3 data keys
	KMS        Keys          // SSE-KMS: GenerateDataKey and Decrypt as the caller, through S3
	Authorizer authz.Authorizer
	Policies   *policy.Cache // compiles bucket policies once; a new cache when nil
	Region     string        // the region of requests that name none
	Now        func() time.Time
	Rand       io.Reader // data keys, nonces and IDs; crypto/rand when nil
}

// Keys is what S3 needs of KMS for SSE-KMS: data keys made and opened as the caller, through
// S3 (kms:ViaService), and the AWS managed key aws/s3.
type Keys interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput) (*kms.DecryptOutput, error)
	AWSManagedKey(ctx context.Context, account, region, service string) (string, error)
}

// Service is S3.
type Service struct {
	db       store.DB
	blobs    *files.Dir
	barrier  *seal.Barrier
	kms      Keys
	az       authz.Authorizer
	policies *policy.Cache
	region   string
	now      func() time.Time
	rand     io.Reader
	bks      bucketKeys
}

// New returns an S3 service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, blobs: cfg.Blobs, barrier: cfg.Barrier, kms: cfg.KMS, az: cfg.Authorizer, policies: cfg.Policies, region: cfg.Region, now: cfg.Now, rand: cfg.Rand}
	if s.policies == nil {
		s.policies = policy.NewCache(256)
	}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s
}

// call is what every operation knows about its request: the caller and the region.
type call struct {
	ctx    context.Context
	p      identity.Principal
	region string
}

// begin returns the caller (anonymous when the request was not signed) and the region.
func (s *Service) begin(ctx context.Context) (*call, error) {
	p, ok := identity.FromContext(ctx)
	if !ok {
		return nil, awserr.New(awserr.AccessDenied, "Access Denied")
	}
	region := s.region
	if info := request.FromContext(ctx); info != nil && info.Region != "" {
		region = info.Region
	}
	return &call{ctx: ctx, p: p, region: region}, nil
}

// CanonicalUserID is the canonical user ID S3 shows for an account: a stable 64-hex-digit ID.
func CanonicalUserID(account string) string {
	sum := sha256.Sum256([]byte("keytrail canonical user " + account))
	return hex.EncodeToString(sum[:])
}
