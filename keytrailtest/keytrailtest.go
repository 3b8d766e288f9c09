// Package keytrailtest runs keytrail in-process for Go tests, as net/http/httptest runs an HTTP
// server: KMS, IAM, STS, S3 and CloudTrail on a free 127.0.0.1 port, with real SigV4 and real
// policy evaluation, its state in a temporary directory.
//
//	func TestReadLogs(t *testing.T) {
//		t.Parallel()
//		srv := keytrailtest.Start(t) // closed when the test ends
//		kmsc := kms.NewFromConfig(srv.Config("111122223333"))
//		s3c := srv.S3("111122223333") // path-style, as keytrail's S3 wants
//		...
//		srv.Flush(t)                                        // deliver the trails' log files now
//		recs := srv.LogRecords(t, "111122223333", "trail-logs") // read and decrypted as the owner
//	}
//
// Every account exists: its root's access key ID is the account ID and its secret is the
// server's root secret ("test" unless WithRootSecret says otherwise). A Server holds no global
// state, so tests using it may run in parallel; closing it stops every goroutine it started and
// closes its clients' idle connections.
//
// Each helper that takes a testing.TB and fails the test has a twin returning an error, for
// examples, TestMain and benchmarks: New and Close for Start, CreateUser for NewUser, Deliver
// for Flush, ReadLogFiles for LogFiles and LogRecords.
//
// The SDK's S3 client addresses buckets as virtual hosts unless told otherwise, and an aws.Config
// cannot say otherwise; make S3 clients with Server.S3, or pass Server.S3Options to
// s3.NewFromConfig.
//
// AWS pages: https://docs.aws.amazon.com/sdk-for-go/v2/developer-guide/configure-endpoints.html
// (BaseEndpoint), https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
// (path-style requests), https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
// (log files).
package keytrailtest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/app"
)

// DefaultRegion and DefaultRootSecret are a Server's region and root secret unless options say
// otherwise.
const (
	DefaultRegion     = "us-east-1"
	DefaultRootSecret = "test"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	region, rootSecret string
	logger             *slog.Logger
	delivery, digest   time.Duration
	dir                string
}

// WithRegion sets the server's default region and the region of the configs it gives.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithRootSecret sets the secret access key of every account's root.
func WithRootSecret(secret string) Option { return func(o *options) { o.rootSecret = secret } }

// WithLogger sends keytrail's log (one line per request, see the README's "Logs") to l; by
// default it is discarded.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithDeliveryInterval makes trails deliver log files every d on their own; by default they
// deliver only on Flush (or Deliver), which keeps tests deterministic.
func WithDeliveryInterval(d time.Duration) Option { return func(o *options) { o.delivery = d } }

// WithDigestInterval sets how often trails with log file validation deliver digests (1h by
// default; Flush delivers them at once).
func WithDigestInterval(d time.Duration) Option { return func(o *options) { o.digest = d } }

// withDir keeps the state in dir (Start: t.TempDir()).
func withDir(dir string) Option { return func(o *options) { o.dir = dir } }

// Server is a running keytrail.
type Server struct {
	// URL is the endpoint, http://127.0.0.1:<port>: the BaseEndpoint of every service.
	URL string
	// Region is the default region, and the configs' region.
	Region string
	// RootSecret is every account root's secret access key.
	RootSecret string

	app    *app.App
	srv    *http.Server
	served chan error
	client *http.Client // the configs' HTTP client, its idle connections closed on Close
	tmp    string       // the state directory New made, removed on Close ("" for Start's)
}

// Start runs keytrail for the test t on a free 127.0.0.1 port with its state in t.TempDir(),
// and closes it when the test ends; it fails the test when keytrail cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(append([]Option{withDir(t.TempDir())}, opts...)...)
	if err != nil {
		t.Fatalf("keytrailtest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("keytrailtest: %v", err)
		}
	})
	return s
}

// New runs keytrail on a free 127.0.0.1 port with its state in a new temporary directory; Close
// stops it and removes the directory.
func New(opts ...Option) (_ *Server, err error) {
	o := options{region: DefaultRegion, rootSecret: DefaultRootSecret, logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{Region: o.region, RootSecret: o.rootSecret, served: make(chan error, 1)}
	if o.dir == "" {
		if o.dir, err = os.MkdirTemp("", "keytrailtest-"); err != nil {
			return nil, err
		}
		s.tmp = o.dir
		defer func() {
			if err != nil {
				_ = os.RemoveAll(s.tmp) // the error to report is the one that stopped New
			}
		}()
	}
	s.app, err = app.Open(app.Config{Data: o.dir, Region: o.region, RootSecret: o.rootSecret, Version: "keytrailtest", Logger: o.logger,
		DeliveryInterval: o.delivery, DigestInterval: o.digest})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, s.app.Close())
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.app.Handler(), ReadHeaderTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(o.logger.Handler(), slog.LevelWarn)}
	go func() { s.served <- s.srv.Serve(ln) }()
	s.client = &http.Client{Transport: &http.Transport{Proxy: nil, DialContext: (&net.Dialer{}).DialContext,
		MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second}}
	return s, nil
}

// Close stops the server: it lets requests in flight finish, ends keytrail's background work,
// closes its state and the configs' idle connections, and removes the state directory New made.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if serr := <-s.served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.client.CloseIdleConnections()
	err = errors.Join(err, s.app.Close())
	if s.tmp != "" {
		err = errors.Join(err, os.RemoveAll(s.tmp))
	}
	return err
}

// Config is an aws.Config for account's root: its credentials, the server's endpoint and
// region. For S3, pass S3Options to s3.NewFromConfig, or use S3.
func (s *Server) Config(account string) aws.Config {
	return s.config(account, s.RootSecret, "")
}

func (s *Server) config(akid, secret, token string) aws.Config {
	return aws.Config{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.client,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: token, Source: "keytrailtest"}, nil
		}),
	}
}

// S3Options makes an S3 client address buckets path-style (http://127.0.0.1:<port>/<bucket>):
// s3.NewFromConfig(cfg, srv.S3Options).
func (s *Server) S3Options(o *s3.Options) { o.UsePathStyle = true }

// S3 is an S3 client of account's root, path-style.
func (s *Server) S3(account string) *s3.Client {
	return s3.NewFromConfig(s.Config(account), s.S3Options)
}

// NewUser creates the IAM user name in account, with policy (an identity policy document; none
// when "") as its inline policy "keytrailtest", and an access key; it returns a config with
// that key. It fails the test on error.
func (s *Server) NewUser(t testing.TB, account, name, policy string) aws.Config {
	t.Helper()
	cfg, err := s.CreateUser(context.Background(), account, name, policy)
	if err != nil {
		t.Fatalf("keytrailtest: user %s: %v", name, err)
	}
	return cfg
}

// CreateUser is NewUser returning its error.
func (s *Server) CreateUser(ctx context.Context, account, name, policy string) (aws.Config, error) {
	c := iam.NewFromConfig(s.Config(account))
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		return aws.Config{}, err
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("keytrailtest"),
			PolicyDocument: aws.String(policy)}); err != nil {
			return aws.Config{}, err
		}
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		return aws.Config{}, err
	}
	return s.config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), ""), nil
}

// FlushSummary is what a flush did (POST /_keytrail/flush).
type FlushSummary struct {
	Trails      int      `json:"trails"`      // trails that delivered anything
	LogFiles    int      `json:"logFiles"`    // log files written
	Records     int      `json:"records"`     // records in them
	DigestFiles int      `json:"digestFiles"` // digest files written
	Errors      []string `json:"errors"`      // "<trail ARN>: <AWS error code>" for each failed delivery
	Lake        struct {
		Stores  int      `json:"stores"`  // event data stores that took events
		Events  int      `json:"events"`  // events they took
		Dropped int      `json:"dropped"` // events refused because a store's key was unusable
		Errors  []string `json:"errors"`  // "<store ARN>: <KMS error code>"
	} `json:"lake"`
}

// Flush delivers now what is pending: the trails' log files and digests, the event data
// stores' events. A delivery that fails (a bucket policy or key policy that refuses CloudTrail)
// is in the summary's Errors, not a test failure; Flush fails the test only when keytrail
// cannot flush.
func (s *Server) Flush(t testing.TB) *FlushSummary {
	t.Helper()
	sum, err := s.Deliver(context.Background())
	if err != nil {
		t.Fatalf("keytrailtest: flush: %v", err)
	}
	return sum
}

// Deliver is Flush returning its error.
func (s *Server) Deliver(ctx context.Context) (*FlushSummary, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+"/_keytrail/flush", nil)
	if err != nil {
		return nil, err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	var sum FlushSummary
	if err := json.Unmarshal(body, &sum); err != nil {
		return nil, err
	}
	return &sum, nil
}

// Record is one CloudTrail record, as JSON decodes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
type Record map[string]any

// EventName is the record's eventName.
func (r Record) EventName() string { s, _ := r["eventName"].(string); return s }

// LogFile is one delivered log file: its S3 key and its records.
type LogFile struct {
	Key     string
	Records []Record
}

// LogFiles reads every CloudTrail log file in bucket (digest files aside) as account's root,
// the bucket owner: S3 decrypts each with its KMS key, as for any reader, so the root needs
// kms:Decrypt, which a key policy's usual first statement gives it. Files come in key order,
// which is time order within a region. It fails the test on error.
func (s *Server) LogFiles(t testing.TB, account, bucket string) []LogFile {
	t.Helper()
	files, err := s.ReadLogFiles(context.Background(), account, bucket)
	if err != nil {
		t.Fatalf("keytrailtest: log files of %s: %v", bucket, err)
	}
	return files
}

// LogRecords is every record of LogFiles, file by file.
func (s *Server) LogRecords(t testing.TB, account, bucket string) []Record {
	t.Helper()
	var out []Record
	for _, f := range s.LogFiles(t, account, bucket) {
		out = append(out, f.Records...)
	}
	return out
}

// ReadLogFiles is LogFiles returning its error.
func (s *Server) ReadLogFiles(ctx context.Context, account, bucket string) ([]LogFile, error) {
	c := s.S3(account)
	var keys []string
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			if k := aws.ToString(o.Key); strings.Contains(k, "/CloudTrail/") && strings.HasSuffix(k, ".json.gz") {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	files := make([]LogFile, 0, len(keys))
	for _, k := range keys {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		var doc struct{ Records []Record }
		if err := json.NewDecoder(zr).Decode(&doc); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		files = append(files, LogFile{Key: k, Records: doc.Records})
	}
	return files, nil
}
