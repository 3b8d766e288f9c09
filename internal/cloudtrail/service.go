// Package cloudtrail is CloudTrail: trails, the checks AWS makes of their bucket and KMS key
// (made through keytrail's own S3 and KMS as cloudtrail.amazonaws.com, so the real bucket and key
// policies decide), and their status.
package cloudtrail

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
)

// Config configures a Service.
type Config struct {
	DB         store.DB
	S3         Buckets
	KMS        Keys
	Authorizer authz.Authorizer
	Region     string // the region of calls that carry none
	Now        func() time.Time
	Rand       io.Reader       // log file names and signing keys; crypto/rand when nil
	Journal    *events.Journal // the recorded calls trails deliver and LookupEvents reads
	Barrier    *seal.Barrier   // seals the digest signing keys
	Logger     *slog.Logger
	// DigestInterval bounds how often a trail with nothing but its own delivery's events to
	// deliver writes a file (an idle server stays idle).
	DigestInterval time.Duration
	// Stores is CloudTrail Lake's event data stores (package lake), nil when not served.
	Stores Stores
}

// Stores is CloudTrail Lake as CloudTrail serves it: its operations join CloudTrail's table
// (both target prefixes), and AddTags, RemoveTags and ListTags on an event data store ARN go to
// it, each after authorizing the action on the store.
type Stores interface {
	Operations() map[string]awsjson.Handler
	Tags(ctx context.Context, action, arn string) ([]Tag, error)
	Retag(ctx context.Context, action, arn string, fn func([]Tag) ([]Tag, error)) error
}

// Buckets is what CloudTrail needs of S3: a trail's bucket checked as cloudtrail.amazonaws.com
// (its facts, its ACL and whether its policy lets CloudTrail write) and log and digest files written.
type Buckets interface {
	Facts(ctx context.Context, name string) (s3.BucketFacts, bool, error)
	GetBucketACL(ctx context.Context, bucket string) (string, error)
	AuthorizePutObject(ctx context.Context, bucket, key, acl string) error
	PutObject(ctx context.Context, in *s3.PutObjectInput) (*s3.ObjectInfo, error)
}

// Keys is what CloudTrail needs of KMS: a trail's key checked as cloudtrail.amazonaws.com and the
// data keys of its log files.
type Keys interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput) (*kms.KeyMetadataOutput, error)
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput) (*kms.DecryptOutput, error)
}

// Service is CloudTrail.
type Service struct {
	db     store.DB
	s3     Buckets
	kms    Keys
	stores Stores
	az     authz.Authorizer
	region string
	now    func() time.Time
	rand   io.Reader

	journal        *events.Journal
	log            *slog.Logger
	digestInterval time.Duration
	deliverMu      sync.Mutex // one delivery at a time

	afterWrite func() error     // tests: runs between writing a batch's files and recording it
	observer   DeliveryObserver // told of each delivery (metrics); nil: none

	barrier *seal.Barrier
	keysMu  sync.Mutex
	keys    map[string]*signingKey // each region's current digest signing key, unsealed
}

// New returns a CloudTrail service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, s3: cfg.S3, kms: cfg.KMS, stores: cfg.Stores, az: cfg.Authorizer, region: cfg.Region, now: cfg.Now, rand: cfg.Rand,
		journal: cfg.Journal, log: cfg.Logger, digestInterval: cfg.DigestInterval, barrier: cfg.Barrier, keys: map[string]*signingKey{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.digestInterval <= 0 {
		s.digestInterval = time.Hour
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

// Prefixes are CloudTrail's X-Amz-Target prefixes: botocore's and the Go and JS SDKs'.
var Prefixes = []string{"com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "CloudTrail_20131101"}

// API returns CloudTrail's operation table for the JSON protocol, with the Lake's operations
// when it serves them.
func (s *Service) API() *awsjson.Service {
	api := &awsjson.Service{
		Name:     "cloudtrail",
		Prefixes: Prefixes,
		Operations: map[string]awsjson.Handler{
			"CreateTrail":       awsjson.Handle(s.CreateTrail),
			"UpdateTrail":       awsjson.Handle(s.UpdateTrail),
			"DeleteTrail":       awsjson.Handle(s.DeleteTrail),
			"GetTrail":          awsjson.Handle(s.GetTrail).ReadOnly(),
			"DescribeTrails":    awsjson.Handle(s.DescribeTrails).ReadOnly(),
			"ListTrails":        awsjson.Handle(s.ListTrails).ReadOnly(),
			"StartLogging":      awsjson.Handle(s.StartLogging),
			"StopLogging":       awsjson.Handle(s.StopLogging),
			"GetTrailStatus":    awsjson.Handle(s.GetTrailStatus).ReadOnly(),
			"AddTags":           awsjson.Handle(s.AddTags),
			"RemoveTags":        awsjson.Handle(s.RemoveTags),
			"ListTags":          awsjson.Handle(s.ListTags).ReadOnly(),
			"LookupEvents":      awsjson.Handle(s.LookupEvents).ReadOnly(),
			"PutEventSelectors": awsjson.Handle(s.PutEventSelectors),
			"GetEventSelectors": awsjson.Handle(s.GetEventSelectors).ReadOnly(),
			"ListPublicKeys":    awsjson.Handle(s.ListPublicKeys).ReadOnly(),
		},
	}
	if s.stores != nil {
		maps.Copy(api.Operations, s.stores.Operations())
	}
	return api
}

// call is what every operation knows about its request: the caller and the region.
type call = request.Call

func (s *Service) begin(ctx context.Context) (*call, error) {
	c, ok := request.Begin(ctx, s.region)
	if !ok || c.P.Account == "" {
		return nil, awserr.New(awserr.AccessDeniedException, "The request carries no authenticated caller.")
	}
	return c, nil
}

// authorize is the one authorization call of a CloudTrail operation: the caller's identity
// policies (CloudTrail has no resource policies for trails).
func (s *Service) authorize(c *call, action, resource string) error {
	req := authz.Request{Principal: c.P, Action: "cloudtrail:" + action, Resource: resource, ResourceAccount: c.P.Account}
	if strings.Contains(resource, ":trail/") {
		req.Recorded = []request.Resource{{Type: "AWS::CloudTrail::Trail", ARN: resource, Account: c.P.Account}}
	}
	return authz.Require(c.Ctx, s.az, req, awserr.AccessDeniedException)
}

// asCloudTrail is the context of the calls CloudTrail makes to S3 and KMS for a trail: as
// cloudtrail.amazonaws.com, with aws:SourceArn (the trail) and aws:SourceAccount (its owner).
func asCloudTrail(ctx context.Context, trailARN, account string) context.Context {
	ctx = identity.WithPrincipal(ctx, identity.Principal{Type: identity.AWSService, Service: "cloudtrail.amazonaws.com"})
	return authz.WithKeys(ctx, authz.Map{"aws:SourceArn": {trailARN}, "aws:SourceAccount": {account}})
}
