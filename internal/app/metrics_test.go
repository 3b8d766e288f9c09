package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/keytrail/keytrail/internal/app"
)

// scrape GETs /metrics unsigned, as Prometheus does, and parses the text exposition.
func (e *env) scrape(t *testing.T) metricFamilies {
	t.Helper()
	resp, err := http.Get(e.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	p := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("GET /metrics is not the text exposition format: %v", err)
	}
	return fams
}

type metricFamilies map[string]*dto.MetricFamily

// value is the value of the series of name whose labels include labels; -1 when there is none.
func (m metricFamilies) value(name string, labels ...string) float64 {
	f := m[name]
	if f == nil {
		return -1
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
		switch {
		case s.Counter != nil:
			return s.Counter.GetValue()
		case s.Gauge != nil:
			return s.Gauge.GetValue()
		case s.Histogram != nil:
			return float64(s.Histogram.GetSampleCount())
		}
	}
	return -1
}

// GET /metrics counts requests by service, operation and code, their latency, authentication
// failures by reason and denials by kind, exactly, after known traffic.
func TestMetricsCountKnownTraffic(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	before := e.scrape(t)
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "keytrail_journal_bytes", "keytrail_journal_events_total"} {
		if before.value(name) < 0 {
			t.Errorf("no %s before any traffic", name)
		}
	}
	if v := before.value("keytrail_authentication_failures_total", "reason", "signature_mismatch"); v != 0 {
		t.Errorf("signature_mismatch before any traffic = %v, want 0 (every reason is listed)", v)
	}

	for range 2 {
		must(e.sts(account, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	}
	_, err := e.rootIAM().GetUser(ctx, &iam.GetUserInput{UserName: aws.String("ghost")})
	wantCode(t, err, "NoSuchEntity")
	_, err = e.sts(account, "not-the-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = e.kms("AKIAIOSFODNN7EXAMPLE", "x", "").ListKeys(ctx, &kms.ListKeysInput{})
	wantCode(t, err, "UnrecognizedClientException")
	key := must(e.rootKMS().CreateKey(ctx, &kms.CreateKeyInput{}))(t).KeyMetadata.Arn
	akid, secret := e.user(t, account, "nobody", "")
	_, err = e.kms(akid, secret, "").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key})
	wantCode(t, err, "AccessDeniedException")
	akid, secret = e.user(t, account, "denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}`)
	_, err = e.kms(akid, secret, "").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key})
	wantCode(t, err, "AccessDeniedException")

	m := e.scrape(t)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"keytrail_requests_total", []string{"service", "sts", "operation", "GetCallerIdentity", "code", ""}, 2},
		{"keytrail_requests_total", []string{"service", "sts", "operation", "GetCallerIdentity", "code", "SignatureDoesNotMatch"}, 1},
		{"keytrail_requests_total", []string{"service", "iam", "operation", "GetUser", "code", "NoSuchEntity"}, 1},
		{"keytrail_requests_total", []string{"service", "kms", "operation", "ListKeys", "code", "UnrecognizedClientException"}, 1},
		{"keytrail_requests_total", []string{"service", "kms", "operation", "DescribeKey", "code", "AccessDeniedException"}, 2},
		{"keytrail_requests_total", []string{"service", "kms", "operation", "CreateKey", "code", ""}, 1},
		{"keytrail_requests_total", []string{"service", "iam", "operation", "CreateUser", "code", ""}, 2},
		// The first scrape, counted once answered.
		{"keytrail_requests_total", []string{"service", "keytrail", "operation", "metrics", "code", ""}, 1},
		{"keytrail_request_duration_seconds", []string{"service", "sts", "operation", "GetCallerIdentity"}, 3},
		{"keytrail_request_duration_seconds", []string{"service", "kms", "operation", "DescribeKey"}, 2},
		{"keytrail_authentication_failures_total", []string{"reason", "signature_mismatch"}, 1},
		{"keytrail_authentication_failures_total", []string{"reason", "unknown_access_key"}, 1},
		{"keytrail_authentication_failures_total", []string{"reason", "clock_skew"}, 0},
		{"keytrail_denials_total", []string{"service", "kms", "kind", "implicit_deny"}, 1},
		{"keytrail_denials_total", []string{"service", "kms", "kind", "explicit_deny"}, 1},
	} {
		if got := m.value(c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// The metrics name no account, caller or resource: they are served unsigned.
	if got := m.value("keytrail_requests_total", "service", "iam", "operation", "CreateAccessKey", "code", ""); got != 2 {
		t.Errorf("CreateAccessKey = %v, want 2", got)
	}
}

// Delivery, digests, failures and the backlog and lag of a trail are counted as the flushes
// report them.
func TestMetricsDelivery(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	setupTrail(t, e)
	trail := "arn:aws:cloudtrail:us-east-1:" + account + ":trail/management"
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	must(ct.UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), EnableLogFileValidation: aws.Bool(true)}))(t)
	must(e.sts(account, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)

	m := e.scrape(t)
	if got := m.value("keytrail_trail_delivery_backlog_events", "trail", trail); got < 1 {
		t.Errorf("backlog before delivery = %v, want at least 1", got)
	}
	if got := m.value("keytrail_trail_delivery_lag_seconds", "trail", trail); got < 0 {
		t.Errorf("lag before delivery = %v", got)
	}
	sum := e.flush()
	if sum.LogFiles == 0 || sum.DigestFiles == 0 {
		t.Fatalf("flush delivered %+v", sum)
	}
	m = e.scrape(t)
	for _, c := range []struct {
		name string
		want float64
	}{
		{"keytrail_trail_log_files_delivered_total", float64(sum.LogFiles)},
		{"keytrail_trail_records_delivered_total", float64(sum.Records)},
		{"keytrail_trail_digest_files_delivered_total", float64(sum.DigestFiles)},
	} {
		if got := m.value(c.name); got != c.want {
			t.Errorf("%s = %v, want %v", c.name, got, c.want)
		}
	}
	// The scrape itself was recorded after the flush: the backlog holds the journal's events
	// since, which are the scrape-free calls the flush made in-process, at most.
	if got := m.value("keytrail_trail_delivery_backlog_events", "trail", trail); got > float64(sum.Records) {
		t.Errorf("backlog after delivery = %v", got)
	}

	// Without its bucket policy, the trail's next delivery fails with S3's code.
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	must(s3c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("trail-logs")}))(t)
	must(e.sts(account, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	sum = e.flush()
	if len(sum.Errors) == 0 {
		t.Fatalf("flush without the bucket policy: %+v", sum)
	}
	m = e.scrape(t)
	for _, msg := range sum.Errors {
		kind, code := "log_file", msg[strings.LastIndex(msg, " ")+1:]
		if strings.Contains(msg, ": digest: ") {
			kind = "digest"
		}
		if got := m.value("keytrail_trail_delivery_failures_total", "kind", kind, "code", code); got < 1 {
			t.Errorf("failure %q: keytrail_trail_delivery_failures_total{kind=%q,code=%q} = %v", msg, kind, code, got)
		}
	}
	if got := m.value("keytrail_trail_delivery_backlog_events", "trail", trail); got < 1 {
		t.Errorf("backlog after a failed delivery = %v, want at least 1", got)
	}
}

// /metrics is served to unsigned requests only: a signed GET /metrics is S3's ListObjects of a
// bucket named metrics; /_keytrail/metrics serves the same metrics. /debug/pprof/ is served only
// with Config.Pprof.
func TestMetricsAndPprofRouting(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	s3c := e.s3client(account, rootSecret, "us-east-1", true)
	must(s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("metrics")}))(t)
	must(s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("metrics"), Key: aws.String("k"), Body: strings.NewReader("v")}))(t)
	list := must(s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("metrics")}))(t)
	if len(list.Contents) != 1 {
		t.Fatalf("the bucket metrics lists %d objects", len(list.Contents))
	}
	get := func(base, path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	if code, body := get(e.url, "/_keytrail/metrics"); code != 200 || !strings.Contains(body, "keytrail_requests_total") {
		t.Errorf("/_keytrail/metrics: %d", code)
	}
	if code, _ := get(e.url, "/debug/pprof/"); code == 200 {
		t.Errorf("/debug/pprof/ served without Config.Pprof")
	}
	p := startWith(t, t.TempDir(), func(c *app.Config) { c.Pprof = true })
	if code, body := get(p.url, "/debug/pprof/"); code != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("/debug/pprof/ with Config.Pprof: %d", code)
	}
	if code, body := get(p.url, "/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile") {
		t.Errorf("/debug/pprof/goroutine: %d", code)
	}
}

// An event data store's ingestion backlog grows with the calls it will take and is 0 once the
// flush has ingested them; its lag is the age of the oldest waiting event.
func TestMetricsLakeIngestion(t *testing.T) {
	e := start(t, t.TempDir())
	ctx := context.Background()
	ct := e.cloudtrail(account, rootSecret, "us-east-1")
	store := aws.ToString(must(ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")}))(t).EventDataStoreArn)
	e.lakeFlush() // the store's cursor, then nothing waits
	m := e.scrape(t)
	if got := m.value("keytrail_lake_ingestion_backlog_events", "event_data_store", store); got != 0 {
		t.Fatalf("backlog after the first flush = %v, want 0", got)
	}
	for range 3 {
		must(e.sts(account, rootSecret, "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))(t)
	}
	m = e.scrape(t)
	if got := m.value("keytrail_lake_ingestion_backlog_events", "event_data_store", store); got != 3 {
		t.Errorf("backlog after 3 calls = %v, want 3", got)
	}
	if got := m.value("keytrail_lake_ingestion_lag_seconds", "event_data_store", store); got < 0 {
		t.Errorf("lag = %v", got)
	}
	if sum := e.lakeFlush(); sum.Lake.Events != 3 {
		t.Fatalf("the flush ingested %d events, want 3", sum.Lake.Events)
	}
	m = e.scrape(t)
	if got := m.value("keytrail_lake_ingestion_backlog_events", "event_data_store", store); got != 0 {
		t.Errorf("backlog after the flush = %v, want 0", got)
	}
	if got := m.value("keytrail_lake_ingestion_lag_seconds", "event_data_store", store); got != 0 {
		t.Errorf("lag after the flush = %v, want 0", got)
	}
}
