package metrics_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/metrics"
)

func TestRequestsAndAuthFailures(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	m.Observe(gateway.Observed{Service: "kms", Operation: "Decrypt", Duration: time.Millisecond})
	m.Observe(gateway.Observed{Service: "kms", Operation: "Decrypt", Duration: time.Millisecond})
	m.Observe(gateway.Observed{Service: "kms", Operation: "Decrypt", Code: "AccessDeniedException", Duration: 2 * time.Millisecond})
	m.Observe(gateway.Observed{Service: "kms", Operation: "Decrypt", Code: "InvalidSignatureException", AuthFailure: gateway.ReasonSkew})
	m.Observe(gateway.Observed{Service: "kms", Operation: "Decrypt", Code: "X", AuthFailure: "a reason no one knows"})
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"keytrail_requests_total", []string{"service", "kms", "operation", "Decrypt", "code", ""}, 2},
		{"keytrail_requests_total", []string{"service", "kms", "operation", "Decrypt", "code", "AccessDeniedException"}, 1},
		{"keytrail_request_duration_seconds", []string{"service", "kms", "operation", "Decrypt"}, 5},
		{"keytrail_authentication_failures_total", []string{"reason", "clock_skew"}, 1},
		{"keytrail_authentication_failures_total", []string{"reason", "other"}, 1},
		{"keytrail_authentication_failures_total", []string{"reason", "signature_mismatch"}, 0},
	} {
		if got := value(t, m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.Registry(), "keytrail_requests_total"); n != 4 {
		t.Fatalf("%d request series, want 4", n)
	}
	if n := testutil.CollectAndCount(m.Registry(), "keytrail_authentication_failures_total"); n != len(gateway.AuthFailureReasons)+1 {
		t.Fatalf("%d reasons, want every reason and other", n)
	}
}

// value is the value of the series of name whose labels include labels (a histogram's sample
// count); -1 when there is none.
func value(t *testing.T, m *metrics.Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.Metric {
			have := map[string]string{}
			for _, l := range s.Label {
				have[l.GetName()] = l.GetValue()
			}
			ok := true
			for i := 0; i+1 < len(labels); i += 2 {
				ok = ok && have[labels[i]] == labels[i+1]
			}
			if !ok {
				continue
			}
			if s.Histogram != nil {
				return float64(s.Histogram.GetSampleCount())
			}
			return s.GetCounter().GetValue() + s.GetGauge().GetValue()
		}
	}
	return -1
}

// Past MaxRequestSeries, new (service, operation) combinations count as other.
func TestRequestSeriesAreBounded(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	for i := range metrics.MaxRequestSeries + 50 {
		m.Observe(gateway.Observed{Service: "sts", Operation: fmt.Sprint("Op", i)})
	}
	m.Observe(gateway.Observed{Service: "sts", Operation: "Op0"}) // an existing series still counts as itself
	if n := testutil.CollectAndCount(m.Registry(), "keytrail_requests_total"); n != metrics.MaxRequestSeries+1 {
		t.Fatalf("%d series, want %d", n, metrics.MaxRequestSeries+1)
	}
	if got := value(t, m, "keytrail_requests_total", "service", "sts", "operation", "Op0"); got != 2 {
		t.Errorf("Op0 = %v, want 2", got)
	}
	if got := value(t, m, "keytrail_requests_total", "service", "other", "operation", "other"); got != 50 {
		t.Errorf("other = %v, want 50", got)
	}
}

func TestDenialsAndDeliveries(t *testing.T) {
	m := metrics.New(metrics.Sources{})
	ctx := context.Background()
	m.RecordDenial(ctx, authz.Request{Action: "kms:Decrypt"}, authz.Decision{})
	m.RecordDenial(ctx, authz.Request{Action: "kms:Decrypt"}, authz.Decision{Explicit: true})
	m.RecordDenial(ctx, authz.Request{Action: "kms:RetireGrant"}, authz.Decision{Refusal: &authz.Refusal{}})
	m.RecordDenial(ctx, authz.Request{Action: "s3:GetObject"}, authz.Decision{})
	m.Delivered("log_file", 2, 7, "")
	m.Delivered("log_file", 0, 0, "AccessDenied")
	m.Delivered("digest", 1, 0, "")
	m.Delivered("digest", 0, 0, "KMS.DisabledException")
	want := `
# HELP keytrail_denials_total Authorization denials that became an answer, by service (the action's prefix) and kind: explicit_deny, implicit_deny (no statement allows), refused (the service refused, not a policy).
# TYPE keytrail_denials_total counter
keytrail_denials_total{kind="explicit_deny",service="kms"} 1
keytrail_denials_total{kind="implicit_deny",service="kms"} 1
keytrail_denials_total{kind="implicit_deny",service="s3"} 1
keytrail_denials_total{kind="refused",service="kms"} 1
# HELP keytrail_trail_delivery_failures_total CloudTrail deliveries that failed, by kind (log_file, digest) and the AWS error code that stopped them.
# TYPE keytrail_trail_delivery_failures_total counter
keytrail_trail_delivery_failures_total{code="AccessDenied",kind="log_file"} 1
keytrail_trail_delivery_failures_total{code="KMS.DisabledException",kind="digest"} 1
# HELP keytrail_trail_digest_files_delivered_total CloudTrail digest files delivered to S3.
# TYPE keytrail_trail_digest_files_delivered_total counter
keytrail_trail_digest_files_delivered_total 1
# HELP keytrail_trail_log_files_delivered_total CloudTrail log files delivered to S3.
# TYPE keytrail_trail_log_files_delivered_total counter
keytrail_trail_log_files_delivered_total 2
# HELP keytrail_trail_records_delivered_total CloudTrail records in the log files delivered.
# TYPE keytrail_trail_records_delivered_total counter
keytrail_trail_records_delivered_total 7
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "keytrail_denials_total", "keytrail_trail_delivery_failures_total",
		"keytrail_trail_digest_files_delivered_total", "keytrail_trail_log_files_delivered_total", "keytrail_trail_records_delivered_total"); err != nil {
		t.Fatal(err)
	}
}

// Backlogs, lag and the journal are read when scraped; a source that fails is skipped.
func TestScrapedSources(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "000001.seg"), make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "x"), make([]byte, 24), 0o600); err != nil {
		t.Fatal(err)
	}
	m := metrics.New(metrics.Sources{Now: func() time.Time { return now }, JournalDir: dir, JournalNext: func() uint64 { return 42 }})
	m.SetBacklogs(func(context.Context) ([]metrics.Backlog, error) {
		return []metrics.Backlog{{Name: "arn:trail/a", Events: 5, Oldest: now.Add(-90 * time.Second)}, {Name: "arn:trail/b"}}, nil
	}, func(context.Context) ([]metrics.Backlog, error) { return nil, errors.New("disk on fire") })
	want := `
# HELP keytrail_journal_bytes Bytes the CloudTrail event journal's segment files take on disk.
# TYPE keytrail_journal_bytes gauge
keytrail_journal_bytes 1024
# HELP keytrail_journal_events_total Events the CloudTrail event journal has taken since the data directory was made.
# TYPE keytrail_journal_events_total counter
keytrail_journal_events_total 42
# HELP keytrail_trail_delivery_backlog_events Journal events a trail's delivery has not yet passed over (those it will deliver and those it will skip).
# TYPE keytrail_trail_delivery_backlog_events gauge
keytrail_trail_delivery_backlog_events{trail="arn:trail/a"} 5
keytrail_trail_delivery_backlog_events{trail="arn:trail/b"} 0
# HELP keytrail_trail_delivery_lag_seconds Age of the oldest journal event a trail's delivery has not yet passed over; 0 when there is none.
# TYPE keytrail_trail_delivery_lag_seconds gauge
keytrail_trail_delivery_lag_seconds{trail="arn:trail/a"} 90
keytrail_trail_delivery_lag_seconds{trail="arn:trail/b"} 0
`
	if err := testutil.GatherAndCompare(m.Registry(), strings.NewReader(want), "keytrail_journal_bytes", "keytrail_journal_events_total",
		"keytrail_trail_delivery_backlog_events", "keytrail_trail_delivery_lag_seconds", "keytrail_lake_ingestion_backlog_events"); err != nil {
		t.Fatal(err)
	}
}
