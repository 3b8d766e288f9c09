// Package app wires keytrail together: the state store, the seal barrier, the services, the
// credential resolver, the SigV4 verifier and the gateway. cmd/keytrail calls it to serve; the Go
// tests call it to run the whole gateway in httptest.
package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/console"
	"github.com/keytrail/keytrail/internal/credentials"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/explain"
	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/metrics"
	"github.com/keytrail/keytrail/internal/policy"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/seal"
	"github.com/keytrail/keytrail/internal/sigv4"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
	"github.com/keytrail/keytrail/internal/store/files"
	"github.com/keytrail/keytrail/internal/sts"
)

// Config configures an App.
type Config struct {
	Data       string // the data directory
	Region     string
	RootSecret string // the secret of every account's root credentials
	RootKey    string // KEYTRAIL_ROOT_KEY; empty: <data>/root.key
	Version    string
	Logger     *slog.Logger
	Now        func() time.Time // the clock; time.Now in the product
	Rand       io.Reader        // randomness for IDs, keys and nonces; crypto/rand in the product
	// DeliveryInterval is how often trails deliver log files (0: only on flush).
	DeliveryInterval time.Duration
	// DigestInterval is the digest period, which also bounds an idle trail to one file.
	DigestInterval time.Duration
	// Explanations bounds the denial explanations kept in memory (explain.Config; its Now is
	// the App's clock).
	Explanations explain.Config
	// PasswordIterations is the PBKDF2 work factor of console passwords (0: IAM's default).
	PasswordIterations int
	// Console serves the web console under /console on the same handler.
	Console bool
	// ConsoleConfig adjusts the console (session length, sign-in limits); its services, API,
	// root secret, region, version, logger, clock and randomness come from the App.
	ConsoleConfig console.Config
	// Pprof serves Go's net/http/pprof under /debug/pprof/ (keytrail serve --pprof).
	Pprof bool
}

// App is a wired keytrail.
type App struct {
	DB         store.DB
	IAM        *iam.Service
	STS        *sts.Service
	KMS        *kms.Service
	S3         *s3.Service
	CloudTrail *cloudtrail.Service
	Lake       *lake.Service
	Gateway    *gateway.Gateway
	Journal    *events.Journal
	// Explanations keeps every denial's explanation for GET /_keytrail/explain/<request-id>.
	Explanations *explain.Store
	// Metrics are the App's Prometheus metrics, served at GET /metrics.
	Metrics *metrics.Metrics

	stop   func()         // ends the background work (the KMS sweep)
	done   chan struct{}  // closed when the background work has ended
	engine *engine.Engine // the Lake's query engine
}

// Open opens the state under cfg.Data and wires every service. When a step fails, what the
// steps before it opened is closed again.
func Open(cfg Config) (_ *App, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	var opened closers
	defer func() {
		if err != nil {
			err = errors.Join(err, opened.close())
		}
	}()
	key, err := seal.LoadRootKey(cfg.Data, cfg.RootKey)
	if err != nil {
		return nil, err
	}
	barrier, err := seal.New(key)
	if err != nil {
		return nil, err
	}
	db, err := bolt.Open(cfg.Data)
	if err != nil {
		return nil, err
	}
	opened.add(db.Close)
	journal, err := events.OpenJournal(filepath.Join(cfg.Data, "cloudtrail", "journal"), 0, barrier)
	if err != nil {
		return nil, fmt.Errorf("cloudtrail journal: %w", err)
	}
	opened.add(journal.Close)
	recorder := events.NewRecorder(journal)
	recorder.SetRand(cfg.Rand)
	policies := policy.NewCache(4096)
	az := authz.New(authz.Config{Policies: policies, Logger: cfg.Logger, Now: cfg.Now})
	if cfg.Explanations.Now == nil {
		cfg.Explanations.Now = cfg.Now
	}
	explanations := explain.New(cfg.Explanations)
	journalDir := filepath.Join(cfg.Data, "cloudtrail", "journal")
	mx := metrics.New(metrics.Sources{Now: cfg.Now, JournalDir: journalDir, JournalNext: journal.Next, Logger: cfg.Logger})
	az.SetDenials(denials{explanations, mx})
	iamSvc := iam.New(iam.Config{DB: db, Barrier: barrier, Authorizer: az, Now: cfg.Now, Rand: cfg.Rand, PasswordIterations: cfg.PasswordIterations})
	az.SetIdentities(iamSvc)
	stsSvc := sts.New(sts.Config{DB: db, Barrier: barrier, Authorizer: az, IAM: iamSvc, Policies: policies, Now: cfg.Now, Rand: cfg.Rand})
	kmsSvc := kms.New(kms.Config{DB: db, Barrier: barrier, Authorizer: az, Policies: policies, Principals: iamSvc,
		Region: cfg.Region, Logger: cfg.Logger, Now: cfg.Now, Rand: cfg.Rand})
	// S3 and CloudTrail call KMS (and CloudTrail S3) through the in-process decorators, which
	// scope each call and record the KMS calls.
	ip := &inProcess{recorder: recorder, now: cfg.Now, rand: cfg.Rand, log: cfg.Logger}
	kmsKeys := newKeys(ip, kmsSvc, cfg.Region)
	blobs, err := files.Open(filepath.Join(cfg.Data, "objects"))
	if err != nil {
		return nil, err
	}
	s3Svc := s3.New(s3.Config{DB: db, Blobs: blobs, Barrier: barrier, KMS: kmsKeys, Authorizer: az, Policies: policies, Region: cfg.Region, Now: cfg.Now, Rand: cfg.Rand})
	// Deletions and rotations that fell due while keytrail was down happen before it serves.
	if err := kmsSvc.Sweep(context.Background()); err != nil {
		return nil, fmt.Errorf("kms sweep: %w", err)
	}
	// CloudTrail Lake's event data stores: their operations and tags are served by CloudTrail;
	// those whose deletion fell due while keytrail was down are purged before it serves.
	// Its query engine keeps the stores' events in memory only (no TempDir: nothing in clear on disk).
	eng, err := engine.Open(engine.Config{Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	opened.add(eng.Close)
	// The Lake saves query results through S3 as CloudTrail does, and signs them with CloudTrail's keys.
	signer := &resultSigner{}
	lakeSvc := lake.New(lake.Config{DB: db, Keys: kmsKeys, Authorizer: az, Region: cfg.Region, Now: cfg.Now, Rand: cfg.Rand, Logger: cfg.Logger,
		Journal: journal, Barrier: barrier, Engine: eng, Objects: importObjects{s3Svc}, Roles: stsSvc, Buckets: buckets{s3Svc}, Signer: signer})
	if err := lakeSvc.Sweep(context.Background()); err != nil {
		return nil, fmt.Errorf("lake sweep: %w", err)
	}
	ctSvc := cloudtrail.New(cloudtrail.Config{DB: db, S3: buckets{s3Svc}, KMS: kmsKeys, Authorizer: az, Region: cfg.Region, Now: cfg.Now, Rand: cfg.Rand,
		Journal: journal, Logger: cfg.Logger, DigestInterval: cfg.DigestInterval, Barrier: barrier, Stores: lakeSvc})
	signer.ct = ctSvc
	ctSvc.SetDeliveryObserver(mx)
	mx.SetBacklogs(trailBacklogs(ctSvc), storeBacklogs(lakeSvc))
	resolver := &credentials.Resolver{RootSecret: cfg.RootSecret, IAM: iamSvc, STS: stsSvc}
	var gw *gateway.Gateway
	var con http.Handler
	if cfg.Console {
		// The console's SDK clients call the gateway in process: every page is authorized and
		// recorded as any client's call.
		cc := cfg.ConsoleConfig
		cc.Users, cc.Sessions, cc.RootSecret, cc.Region, cc.Version, cc.Logger, cc.Now, cc.Rand = iamSvc, stsSvc, cfg.RootSecret, cfg.Region, cfg.Version, cfg.Logger, cfg.Now, cfg.Rand
		cc.Explain, cc.SignIns = explanations, recorder
		cc.API = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { gw.ServeHTTP(w, r) })
		con = console.New(cc)
	}
	gw = gateway.New(gateway.Config{
		Region:   cfg.Region,
		Version:  cfg.Version,
		Logger:   cfg.Logger,
		Verifier: sigv4.NewVerifier(resolver, cfg.Now),
		Query:    []*awsquery.Service{iamSvc.API(), stsSvc.API()},
		JSON:     []*awsjson.Service{kmsSvc.API(), ctSvc.API()},
		S3:       s3Svc.API(),
		Now:      cfg.Now,
		Rand:     cfg.Rand,
		Recorder: recorder,
		Flush:    func(ctx context.Context) (any, error) { return flush(ctx, ctSvc, lakeSvc) },
		// A signed caller reads the explanations of its own account's denials only.
		Explain: func(_ context.Context, id string, p identity.Principal) (any, bool) {
			return explanations.Get(id, p.Account)
		},
		Console:  con,
		Observer: mx,
		Metrics:  mx.Handler(),
		Pprof:    cfg.Pprof,
	})
	ctx, stop := context.WithCancel(context.Background())
	a := &App{DB: db, IAM: iamSvc, STS: stsSvc, KMS: kmsSvc, S3: s3Svc, CloudTrail: ctSvc, Lake: lakeSvc, Gateway: gw, Journal: journal,
		Explanations: explanations, Metrics: mx, stop: stop, done: make(chan struct{}), engine: eng}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		kmsSvc.Run(ctx, time.Minute)
	}()
	go func() {
		defer wg.Done()
		lakeSvc.Run(ctx, time.Minute)
	}()
	go func() {
		defer wg.Done()
		ctSvc.Run(ctx, cfg.DeliveryInterval)
	}()
	go func() {
		wg.Wait()
		close(a.done)
	}()
	return a, nil
}

// FlushSummary is what POST /_keytrail/flush did: the trails' deliveries, and the event data
// stores' ingestion under "lake".
type FlushSummary struct {
	cloudtrail.DeliverySummary
	Lake lake.IngestSummary `json:"lake"`
}

// flush ingests the journal's new events into the event data stores, moves the Lake's imports
// on, then delivers the trails' log files and digests.
func flush(ctx context.Context, ct *cloudtrail.Service, lk *lake.Service) (*FlushSummary, error) {
	var sum FlushSummary
	var err error
	if sum.Lake, err = lk.Ingest(ctx); err != nil {
		return &sum, err
	}
	if err = lk.RunImports(ctx); err != nil {
		return &sum, err
	}
	sum.DeliverySummary, err = ct.Deliver(ctx)
	return &sum, err
}

// importObjects is S3 as CloudTrail Lake's imports read a trail's log files (lake.Objects), as
// the import role's session: each call scoped, none recorded (as CloudTrail's own S3 calls).
type importObjects struct{ s3 *s3.Service }

// BucketRegion implements lake.Objects.
func (o importObjects) BucketRegion(ctx context.Context, name string) (string, bool) {
	return o.s3.BucketRegion(scope(ctx), name)
}

// ListObjects implements lake.Objects.
func (o importObjects) ListObjects(ctx context.Context, in *s3.ListObjectsInput) (*s3.ListObjectsOutput, error) {
	return o.s3.ListObjects(scope(ctx), in)
}

// GetObject implements lake.Objects.
func (o importObjects) GetObject(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	return o.s3.GetObject(scope(ctx), in)
}

// closers are what Open has opened so far, closed again, newest first, when a later step fails.
type closers []func() error

func (c *closers) add(fn func() error) { *c = append(*c, fn) }

func (c closers) close() error {
	var errs []error
	for i := len(c) - 1; i >= 0; i-- {
		errs = append(errs, c[i]())
	}
	return errors.Join(errs...)
}

// Handler is the HTTP handler of the one endpoint.
func (a *App) Handler() http.Handler { return a.Gateway }

// Close ends the background work and closes the state store.
func (a *App) Close() error {
	a.stop()
	<-a.done
	jerr := errors.Join(a.Journal.Close(), a.engine.Close())
	if err := a.DB.Close(); err != nil {
		return fmt.Errorf("close state: %w", err)
	}
	if jerr != nil {
		return fmt.Errorf("close cloudtrail journal: %w", jerr)
	}
	return nil
}
