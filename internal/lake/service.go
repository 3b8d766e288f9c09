package lake

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/store"
)

// Config configures a Service.
type Config struct {
	DB         store.DB
	Keys       Keys
	Authorizer authz.Authorizer
	Region     string // the region of calls that carry none
	Now        func() time.Time
	Rand       io.Reader // store IDs; crypto/rand when nil
	Logger     *slog.Logger
	// Journal is CloudTrail's event journal, which stores ingest from (nil: no ingestion).
	Journal *events.Journal
	// Barrier seals the data keys of stores without a KMS key.
	Barrier *seal.Barrier
	// Engine runs the queries (nil: StartQuery fails with UnsupportedOperationException).
	Engine *engine.Engine
	// QueryTimeout ends a query that runs longer (0: AWS's one hour).
	QueryTimeout time.Duration
	// Objects and Roles are S3 and STS as imports use them (nil: imports stay INITIALIZING).
	Objects Objects
	Roles   Roles
	// Buckets and Signer save query results to S3 (a DeliveryS3Uri) and sign them (nil:
	// StartQuery with a DeliveryS3Uri fails with UnsupportedOperationException).
	Buckets Buckets
	Signer  Signer
}

// Keys is what the Lake needs of KMS: a store's key exercised as the caller and as
// cloudtrail.amazonaws.com. keytrail's app passes the decorator that records each call as a
// CloudTrail event.
type Keys interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput) (*kms.DecryptOutput, error)
}

// Service is CloudTrail Lake's control plane.
type Service struct {
	db     store.DB
	keys   Keys
	az     authz.Authorizer
	region string
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger

	journal    *events.Journal
	barrier    *seal.Barrier
	ingestMu   sync.Mutex   // one ingestion at a time
	afterWrite func() error // tests: a crash between storing a chunk and moving the cursor

	engine       *engine.Engine
	queryTimeout time.Duration
	q            queries
	queryGate    chan struct{} // tests: a query waits for it before it runs
	objects      Objects
	roles        Roles

	buckets        Buckets
	signer         Signer
	resultFileSize int // tests: the CSV bytes of a result file
}

// New returns a Lake service.
func New(cfg Config) *Service {
	s := &Service{db: cfg.DB, keys: cfg.Keys, az: cfg.Authorizer, region: cfg.Region, now: cfg.Now, rand: cfg.Rand, log: cfg.Logger,
		journal: cfg.Journal, barrier: cfg.Barrier, engine: cfg.Engine, queryTimeout: cfg.QueryTimeout, objects: cfg.Objects, roles: cfg.Roles,
		buckets: cfg.Buckets, signer: cfg.Signer, resultFileSize: resultFileSize}
	s.q.byID, s.q.loaded = map[string]*query{}, map[string]string{}
	if s.queryTimeout <= 0 {
		s.queryTimeout = queryTimeout
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
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Operations returns the Lake's operations, which join CloudTrail's JSON table.
func (s *Service) Operations() map[string]awsjson.Handler {
	return map[string]awsjson.Handler{
		"CreateEventDataStore":         awsjson.Handle(s.CreateEventDataStore),
		"GetEventDataStore":            awsjson.Handle(s.GetEventDataStore).ReadOnly(),
		"ListEventDataStores":          awsjson.Handle(s.ListEventDataStores).ReadOnly(),
		"UpdateEventDataStore":         awsjson.Handle(s.UpdateEventDataStore),
		"DeleteEventDataStore":         awsjson.Handle(s.DeleteEventDataStore),
		"RestoreEventDataStore":        awsjson.Handle(s.RestoreEventDataStore),
		"StartEventDataStoreIngestion": awsjson.Handle(s.StartEventDataStoreIngestion),
		"StopEventDataStoreIngestion":  awsjson.Handle(s.StopEventDataStoreIngestion),
		"StartQuery":                   awsjson.Handle(s.StartQuery),
		"DescribeQuery":                awsjson.Handle(s.DescribeQuery).ReadOnly(),
		"GetQueryResults":              awsjson.Handle(s.GetQueryResults).ReadOnly(),
		"ListQueries":                  awsjson.Handle(s.ListQueries).ReadOnly(),
		"CancelQuery":                  awsjson.Handle(s.CancelQuery),
		"StartImport":                  awsjson.Handle(s.StartImport),
		"GetImport":                    awsjson.Handle(s.GetImport).ReadOnly(),
		"ListImports":                  awsjson.Handle(s.ListImports).ReadOnly(),
		"ListImportFailures":           awsjson.Handle(s.ListImportFailures).ReadOnly(),
		"StopImport":                   awsjson.Handle(s.StopImport),
	}
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

// authorize is the one authorization call of a Lake operation: the caller's identity policies
// (CloudTrail has no resource policies for event data stores that keytrail serves).
func (s *Service) authorize(c *call, action, resource string) error {
	req := authz.Request{Principal: c.P, Action: "cloudtrail:" + action, Resource: resource, ResourceAccount: c.P.Account}
	if resource != "*" {
		req.Recorded = []request.Resource{{Type: "AWS::CloudTrail::EventDataStore", ARN: resource, Account: c.P.Account}}
	}
	return authz.Require(c.Ctx, s.az, req, awserr.AccessDeniedException)
}

// Run ingests the journal's new events into the stores, moves the imports under way on
// (RunImports), purges the events past their
// retention and the stores whose seven days of PENDING_DELETION are over, every interval, until
// ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if sum, err := s.Ingest(ctx); err != nil {
				s.log.Error("lake ingestion failed", "err", err)
			} else if sum.Events > 0 {
				s.log.Info("events ingested", "stores", sum.Stores, "events", sum.Events)
			}
			if err := s.RunImports(ctx); err != nil {
				s.log.Error("lake imports failed", "err", err)
			}
			if err := s.Sweep(ctx); err != nil {
				s.log.Error("lake sweep failed", "err", err)
			}
		}
	}
}
