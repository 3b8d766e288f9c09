// Package metrics is keytrail's Prometheus metrics, served at GET /metrics in the text exposition
// format (https://prometheus.io/docs/instrumenting/exposition_formats/). Each App has its own
// registry, never the global default one, so that apps in parallel tests count apart.
//
// The gateway tells it of every answered request (gateway.Observer), the authorization engine of
// every denial (authz.DenialRecorder), and CloudTrail of every delivery
// (cloudtrail.DeliveryObserver); the trails' and event data stores' backlogs and the journal's
// size are read when the metrics are scraped. The README's "Metrics and profiling" lists them.
package metrics

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/gateway"
)

// MaxRequestSeries bounds the request series (service, operation, code): the service and the
// operation come from the request, so a client could otherwise make series without end. Past
// the bound, new combinations count under service and operation "other".
const MaxRequestSeries = 2000

// Other is the label value that stands for a value past a bound.
const Other = "other"

// Backlog is how far a consumer of the journal (a trail's delivery, an event data store's
// ingestion) is behind it.
type Backlog struct {
	Name   string    // the trail's or event data store's ARN
	Events uint64    // journal events not yet passed over
	Oldest time.Time // the time of the first of them; zero when there is none
}

// Sources are what the metrics read when scraped; a nil function is not read.
type Sources struct {
	Now         func() time.Time // the clock; time.Now when nil
	JournalDir  string           // the CloudTrail journal's directory ("": not measured)
	JournalNext func() uint64    // the journal's next sequence number: the events it ever took
	Trails      func(context.Context) ([]Backlog, error)
	Stores      func(context.Context) ([]Backlog, error)
	Logger      *slog.Logger // where a source's failure is logged
}

// Metrics is one App's metrics and their registry.
type Metrics struct {
	reg *prometheus.Registry

	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	series    sync.Map // seriesKey → *series
	nseries   atomic.Int64

	authFailures *prometheus.CounterVec
	authReasons  map[string]prometheus.Counter // the known reasons' counters, resolved once
	denials      *prometheus.CounterVec

	logFiles, records, digests prometheus.Counter
	deliveryFailures           *prometheus.CounterVec

	scraped *scraped
}

// seriesKey names one request series.
type seriesKey struct{ service, operation, code string }

// series is a request series' counter and its (service, operation) latency histogram,
// resolved once so that a request costs a map lookup and two atomic adds.
type series struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// latencyBuckets are the request latency histogram's upper bounds, in seconds: keytrail answers
// most requests in well under a millisecond, a large S3 object in seconds.
var latencyBuckets = []float64{.0002, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New returns the metrics of one App, registered with a registry of their own together with the
// Go runtime and process collectors.
func New(src Sources) *Metrics {
	if src.Now == nil {
		src.Now = time.Now
	}
	if src.Logger == nil {
		src.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keytrail_requests_total",
			Help: "Requests answered, by service, operation and AWS error code (empty on success).",
		}, []string{"service", "operation", "code"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "keytrail_request_duration_seconds",
			Help:    "Time from a request's arrival to the end of its answer, by service and operation.",
			Buckets: latencyBuckets,
		}, []string{"service", "operation"}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keytrail_authentication_failures_total",
			Help: "Requests refused because their authentication failed, by reason.",
		}, []string{"reason"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keytrail_denials_total",
			Help: "Authorization denials that became an answer, by service (the action's prefix) and kind: explicit_deny, implicit_deny (no statement allows), refused (the service refused, not a policy).",
		}, []string{"service", "kind"}),
		logFiles: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "keytrail_trail_log_files_delivered_total",
			Help: "CloudTrail log files delivered to S3.",
		}),
		records: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "keytrail_trail_records_delivered_total",
			Help: "CloudTrail records in the log files delivered.",
		}),
		digests: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "keytrail_trail_digest_files_delivered_total",
			Help: "CloudTrail digest files delivered to S3.",
		}),
		deliveryFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "keytrail_trail_delivery_failures_total",
			Help: "CloudTrail deliveries that failed, by kind (log_file, digest) and the AWS error code that stopped them.",
		}, []string{"kind", "code"}),
		authReasons: map[string]prometheus.Counter{},
		scraped:     &scraped{src: src},
	}
	for _, r := range gateway.AuthFailureReasons {
		m.authReasons[r] = m.authFailures.WithLabelValues(r)
	}
	m.authReasons[Other] = m.authFailures.WithLabelValues(Other)
	m.reg.MustRegister(m.requests, m.durations, m.authFailures, m.denials, m.logFiles, m.records, m.digests, m.deliveryFailures,
		m.scraped,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// SetBacklogs sets where the trails' and event data stores' backlogs are read, for services made
// after the metrics; call it before the metrics are served.
func (m *Metrics) SetBacklogs(trails, stores func(context.Context) ([]Backlog, error)) {
	m.scraped.src.Trails, m.scraped.src.Stores = trails, stores
}

// Registry is the metrics' registry, for tests and for more collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in Prometheus's exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

var _ gateway.Observer = (*Metrics)(nil)

// Observe implements gateway.Observer: it counts the request and its latency and, when its
// authentication failed, the failure.
func (m *Metrics) Observe(o gateway.Observed) {
	s := m.seriesOf(seriesKey{o.Service, o.Operation, o.Code})
	s.count.Inc()
	s.duration.Observe(o.Duration.Seconds())
	if o.AuthFailure != "" {
		c, ok := m.authReasons[o.AuthFailure]
		if !ok {
			c = m.authReasons[Other]
		}
		c.Inc()
	}
}

// seriesOf returns the request series of k, made on first use; past MaxRequestSeries new
// combinations share the service and operation "other".
func (m *Metrics) seriesOf(k seriesKey) *series {
	if s, ok := m.series.Load(k); ok {
		return s.(*series)
	}
	if m.nseries.Load() >= MaxRequestSeries {
		k.service, k.operation = Other, Other
		if s, ok := m.series.Load(k); ok {
			return s.(*series)
		}
	}
	s := &series{count: m.requests.WithLabelValues(k.service, k.operation, k.code),
		duration: m.durations.WithLabelValues(k.service, k.operation)}
	if prev, loaded := m.series.LoadOrStore(k, s); loaded {
		return prev.(*series)
	}
	m.nseries.Add(1)
	return s
}

var _ authz.DenialRecorder = (*Metrics)(nil)

// RecordDenial implements authz.DenialRecorder: it counts a denial by the action's service and
// its kind.
func (m *Metrics) RecordDenial(_ context.Context, req authz.Request, d authz.Decision) {
	kind := "implicit_deny"
	switch {
	case d.Refusal != nil:
		kind = "refused"
	case d.Explicit:
		kind = "explicit_deny"
	}
	service, _, _ := strings.Cut(req.Action, ":")
	m.denials.WithLabelValues(service, kind).Inc()
}

// Delivered implements cloudtrail.DeliveryObserver.
func (m *Metrics) Delivered(kind string, files, records int, code string) {
	switch kind {
	case "digest":
		m.digests.Add(float64(files))
	default:
		m.logFiles.Add(float64(files))
		m.records.Add(float64(records))
	}
	if code != "" {
		m.deliveryFailures.WithLabelValues(kind, code).Inc()
	}
}

// scraped collects, when scraped, what is read rather than counted: backlogs and the journal.
type scraped struct{ src Sources }

var (
	trailBacklogDesc = prometheus.NewDesc("keytrail_trail_delivery_backlog_events",
		"Journal events a trail's delivery has not yet passed over (those it will deliver and those it will skip).", []string{"trail"}, nil)
	trailLagDesc = prometheus.NewDesc("keytrail_trail_delivery_lag_seconds",
		"Age of the oldest journal event a trail's delivery has not yet passed over; 0 when there is none.", []string{"trail"}, nil)
	storeBacklogDesc = prometheus.NewDesc("keytrail_lake_ingestion_backlog_events",
		"Journal events an event data store's ingestion has not yet passed over.", []string{"event_data_store"}, nil)
	storeLagDesc = prometheus.NewDesc("keytrail_lake_ingestion_lag_seconds",
		"Age of the oldest journal event an event data store's ingestion has not yet passed over; 0 when there is none.", []string{"event_data_store"}, nil)
	journalBytesDesc = prometheus.NewDesc("keytrail_journal_bytes",
		"Bytes the CloudTrail event journal's segment files take on disk.", nil, nil)
	journalEventsDesc = prometheus.NewDesc("keytrail_journal_events_total",
		"Events the CloudTrail event journal has taken since the data directory was made.", nil, nil)
)

func (c *scraped) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{trailBacklogDesc, trailLagDesc, storeBacklogDesc, storeLagDesc, journalBytesDesc, journalEventsDesc} {
		ch <- d
	}
}

func (c *scraped) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	now := c.src.Now()
	backlogs := func(what string, read func(context.Context) ([]Backlog, error), events, lag *prometheus.Desc) {
		if read == nil {
			return
		}
		list, err := read(ctx)
		if err != nil {
			c.src.Logger.Error("metrics: reading the backlogs", "of", what, "err", err)
			return
		}
		for _, b := range list {
			ch <- prometheus.MustNewConstMetric(events, prometheus.GaugeValue, float64(b.Events), b.Name)
			age := 0.0
			if !b.Oldest.IsZero() && now.After(b.Oldest) {
				age = now.Sub(b.Oldest).Seconds()
			}
			ch <- prometheus.MustNewConstMetric(lag, prometheus.GaugeValue, age, b.Name)
		}
	}
	backlogs("trails", c.src.Trails, trailBacklogDesc, trailLagDesc)
	backlogs("event data stores", c.src.Stores, storeBacklogDesc, storeLagDesc)
	if c.src.JournalNext != nil {
		ch <- prometheus.MustNewConstMetric(journalEventsDesc, prometheus.CounterValue, float64(c.src.JournalNext()))
	}
	if c.src.JournalDir != "" {
		var size int64
		err := filepath.WalkDir(c.src.JournalDir, func(_ string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return nil // a segment pruned meanwhile
			}
			size += info.Size()
			return nil
		})
		if err != nil {
			c.src.Logger.Error("metrics: measuring the journal", "err", err)
			return
		}
		ch <- prometheus.MustNewConstMetric(journalBytesDesc, prometheus.GaugeValue, float64(size))
	}
}
