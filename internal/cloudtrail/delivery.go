package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/store"
)

// logFiles are the delivered log files waiting for a digest:
// <trail store key>/<delivery time>/<region> → logFile.
var logFiles = store.Table[logFile]{Name: "cloudtrail.logfiles"}

const (
	// maxBatch bounds the records of one delivery of one trail; the rest wait for the next.
	maxBatch = 50000
)

// seqRange is a half-open range of journal sequence numbers.
type seqRange struct {
	From uint64 `json:"from"`
	To   uint64 `json:"to"`
}

// pendingBatch is a delivery under way: the journal range it covers and what names its files.
// Redoing it writes the same objects with the same records, so each record is delivered once.
type pendingBatch struct {
	From   uint64    `json:"from"`
	To     uint64    `json:"to"`
	Time   time.Time `json:"time"`
	Unique string    `json:"unique"` // the 16-character unique string of its file names
}

// logFile is a delivered log file, for the digest files that will cover it.
type logFile struct {
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	SHA256    string    `json:"sha256"` // hex SHA-256 of the uncompressed log file (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html)
	Oldest    time.Time `json:"oldest"`
	Newest    time.Time `json:"newest"`
	Region    string    `json:"region"`
	Delivered time.Time `json:"delivered"`
}

// logFileKey is where a delivered file waits for its digest: by trail, delivery time, region.
func logFileKey(t *trailRecord, delivered time.Time, region string) string {
	return t.storeKey() + "/" + delivered.UTC().Format("20060102T150405.000000000Z") + "/" + region
}

// resume starts logging at journal position next; what a stopped trail had yet to deliver
// still goes, and what happened while it was stopped does not.
func (t *trailRecord) resume(next uint64) {
	if t.Cursor < t.StopSeq && t.StopSeq < next {
		t.Gaps = append(t.Gaps, seqRange{t.StopSeq, next})
	} else if t.Cursor < next {
		t.Cursor = next
	}
	t.StopSeq = 0
}

// end is where the trail's deliverable events end now.
func (t *trailRecord) end(head uint64) uint64 {
	if t.Logging {
		return head
	}
	return t.StopSeq
}

func (t *trailRecord) inGap(seq uint64) bool {
	for _, g := range t.Gaps {
		if g.From <= seq && seq < g.To {
			return true
		}
	}
	return false
}

// covers reports whether an event belongs in the trail's files: the owner's, from a region the
// trail logs, chosen by its selectors.
func (t *trailRecord) covers(e *events.Event) bool {
	if !e.For(t.Account) {
		return false
	}
	if e.Global {
		if !t.IncludeGlobal || !(t.MultiRegion || t.HomeRegion == "us-east-1") {
			return false
		}
	} else if !t.MultiRegion && e.Region != t.HomeRegion {
		return false
	}
	return t.wants(e)
}

// DeliverySummary is what a delivery did.
type DeliverySummary struct {
	Trails      int      `json:"trails"`      // trails that had anything to deliver
	LogFiles    int      `json:"logFiles"`    // log files written
	Records     int      `json:"records"`     // records in them
	DigestFiles int      `json:"digestFiles"` // digest files written
	Errors      []string `json:"errors"`      // "<trail ARN>: <code>" for each failed delivery
}

// Deliver writes, for every trail, the log files of the events waiting for it, and a digest for
// every logging trail with log file validation (POST /_keytrail/flush).
func (s *Service) Deliver(ctx context.Context) (DeliverySummary, error) {
	return s.deliver(ctx, true)
}

// finish delivers what a trail that stops logging or is deleted has waiting, and its final
// digests. Failures are noted on the trail, as any delivery's.
func (s *Service) finish(ctx context.Context, t *trailRecord) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	if _, _, err := s.deliverBacklog(ctx, t, s.journal.Next()); err != nil {
		s.log.Warn("final log files", "trail", t.ARN(), "err", err)
	}
	if cur, err := s.reload(ctx, t); err == nil && cur != nil && cur.Validation && !cur.ChainStart.IsZero() {
		if _, err := s.writeDigests(ctx, cur); err != nil {
			s.log.Warn("final digest", "trail", cur.ARN(), "err", err)
		}
	}
}

// deliverBacklog delivers a trail's batches up to head until none is left or one fails; it
// returns the files and records written.
func (s *Service) deliverBacklog(ctx context.Context, t *trailRecord, head uint64) (files, records int, err error) {
	for {
		f, r, more, err := s.deliverTrail(ctx, t, head)
		files, records = files+f, records+r
		if err != nil || !more {
			return files, records, err
		}
		// The next batch continues from the trail as stored (gone: nothing more to do).
		if t, err = s.reload(ctx, t); err != nil || t == nil {
			return files, records, err
		}
	}
}

// deliver delivers log files, then digests: every validation trail's when all is set, else
// those whose digest interval has passed.
func (s *Service) deliver(ctx context.Context, all bool) (DeliverySummary, error) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	sum := DeliverySummary{Errors: []string{}}
	var list []*trailRecord
	err := s.db.View(ctx, func(tx store.Tx) error {
		return trails.Scan(tx, "", "", func(_ string, t *trailRecord) error {
			list = append(list, t)
			return nil
		})
	})
	if err != nil {
		return sum, err
	}
	head := s.journal.Next()
	for _, t := range list {
		files, records, err := s.deliverBacklog(ctx, t, head)
		if files > 0 {
			sum.Trails++
		}
		sum.LogFiles += files
		sum.Records += records
		if ae, ok := awserr.As(err); ok {
			sum.Errors = append(sum.Errors, t.ARN()+": "+string(ae.Code))
			s.observe("log_file", files, records, string(ae.Code))
		} else if err != nil {
			return sum, err
		} else if files > 0 {
			s.observe("log_file", files, records, "")
		}
	}
	// Digests, with the trails as they are now.
	now := s.now().UTC()
	for _, t := range list {
		cur, err := s.reload(ctx, t)
		if err != nil {
			return sum, err
		}
		if cur == nil || !cur.Logging || !cur.Validation || !(all || cur.digestDue(now, s.digestInterval)) {
			continue
		}
		n, err := s.writeDigests(ctx, cur)
		sum.DigestFiles += n
		if ae, ok := awserr.As(err); ok {
			sum.Errors = append(sum.Errors, cur.ARN()+": digest: "+string(ae.Code))
			s.observe("digest", n, 0, string(ae.Code))
		} else if err != nil {
			return sum, err
		} else if n > 0 {
			s.observe("digest", n, 0, "")
		}
	}
	if err := s.journal.Sync(); err != nil {
		return sum, err
	}
	return sum, s.prune(ctx)
}

func (s *Service) reload(ctx context.Context, t *trailRecord) (cur *trailRecord, err error) {
	err = s.db.View(ctx, func(tx store.Tx) error {
		cur, err = getTrail(tx, t.storeKey())
		return err
	})
	return cur, err
}

// prune drops the journal segments no trail still needs and LookupEvents no longer shows.
func (s *Service) prune(ctx context.Context) error {
	keep := s.journal.Next()
	err := s.db.View(ctx, func(tx store.Tx) error {
		return trails.Scan(tx, "", "", func(_ string, t *trailRecord) error {
			if t.Cursor < keep && (t.Logging || t.Cursor < t.StopSeq) {
				keep = t.Cursor
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	return s.journal.Prune(keep, s.now().Add(-lookupRetention))
}

// deliverTrail delivers one batch for a trail. An AWS-shaped error is a failed delivery, noted
// on the trail; more reports a full batch with events still waiting.
func (s *Service) deliverTrail(ctx context.Context, t *trailRecord, head uint64) (files, records int, more bool, err error) {
	batch := t.Pending
	if batch == nil {
		end := t.end(head)
		if t.Cursor >= end {
			return 0, 0, false, nil
		}
		batch = &pendingBatch{From: t.Cursor, To: end}
	}
	byRegion := map[string][]*events.Event{}
	n, onlyDelivery := 0, true
	stop := batch.To
	err = s.journal.Scan(batch.From, batch.To, func(e *events.Event) error {
		if t.Pending == nil && n >= maxBatch {
			stop = e.Seq
			return events.ErrStop
		}
		if t.inGap(e.Seq) || !t.covers(e) {
			return nil
		}
		ev := *e
		ev.Recipients = append([]string(nil), e.Recipients...)
		region := ev.Region
		byRegion[region] = append(byRegion[region], &ev)
		n++
		onlyDelivery = onlyDelivery && e.Delivery
		return nil
	})
	if err != nil {
		return 0, 0, false, err
	}
	batch.To = stop
	more = stop < t.end(head)
	now := s.now().UTC()
	if n == 0 {
		return 0, 0, more, s.advance(ctx, t, batch, nil)
	}
	// An idle trail stays idle: the events of its own deliveries wait for real events, or go at
	// most once per digest interval.
	if t.Pending == nil && onlyDelivery && !t.LastFile.IsZero() && now.Sub(t.LastFile) < s.digestInterval {
		return 0, 0, false, nil
	}
	if t.Pending == nil {
		if batch.Unique, err = uniqueString(s.rand); err != nil {
			return 0, 0, false, err
		}
		batch.Time = now
		if err := s.setPending(ctx, t, batch); err != nil {
			return 0, 0, false, err
		}
	}
	regions := make([]string, 0, len(byRegion))
	for r := range byRegion {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	var written []logFile
	for _, region := range regions {
		f, err := s.writeLogFile(ctx, t, batch, region, byRegion[region])
		if err != nil {
			if ae, ok := awserr.As(err); ok {
				return 0, 0, false, s.failed(ctx, t, ae)
			}
			return 0, 0, false, err
		}
		written = append(written, f)
	}
	if s.afterWrite != nil {
		if err := s.afterWrite(); err != nil {
			return 0, 0, false, err
		}
	}
	return len(written), n, more, s.advance(ctx, t, batch, written)
}

// uniqueString is the 16 characters that keep log file names apart, drawn from random.
func uniqueString(random io.Reader) (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [16]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("cloudtrail: log file name: %w", err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:]), nil
}

// LogFileKey is the S3 key of a trail's log file (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html#cloudtrail-log-filename-format).
func LogFileKey(prefix, account, region string, at time.Time, unique string) string {
	at = at.UTC()
	p := ""
	if prefix != "" {
		p = prefix + "/"
	}
	return fmt.Sprintf("%sAWSLogs/%s/CloudTrail/%s/%s/%s_CloudTrail_%s_%s_%s.json.gz", p, account, region,
		at.Format("2006/01/02"), account, region, at.Format("20060102T1504Z"), unique)
}

// writeLogFile writes one region's records as a gzip JSON log file, through S3, as CloudTrail.
func (s *Service) writeLogFile(ctx context.Context, t *trailRecord, batch *pendingBatch, region string, evs []*events.Event) (logFile, error) {
	body, sum, err := renderLogFile(t.Account, evs)
	if err != nil {
		return logFile{}, err
	}
	key := LogFileKey(t.Prefix, t.Account, region, batch.Time, batch.Unique)
	dctx := request.WithFacts(asCloudTrail(ctx, t.ARN(), t.Account),
		request.Facts{ID: request.NewID(s.rand), Service: "cloudtrail", Region: t.HomeRegion, Time: s.now().UTC(), Delivery: true})
	in := &s3.PutObjectInput{Bucket: t.Bucket, Key: key, Body: bytes.NewReader(body), ContentType: "application/json",
		ACL: "bucket-owner-full-control"}
	if t.KMSKey != "" {
		ec, _ := json.Marshal(map[string]string{"aws:cloudtrail:arn": t.ARN()})
		in.SSE, in.KMSKeyID, in.EncryptionCtx = "aws:kms", t.KMSKey, base64.StdEncoding.EncodeToString(ec)
	}
	if _, err := s.s3.PutObject(dctx, in); err != nil {
		return logFile{}, err
	}
	oldest, newest := evs[0].Time, evs[0].Time
	for _, e := range evs {
		if e.Time.Before(oldest) {
			oldest = e.Time
		}
		if e.Time.After(newest) {
			newest = e.Time
		}
	}
	return logFile{Bucket: t.Bucket, Key: key, SHA256: sum, Oldest: oldest, Newest: newest, Region: region}, nil
}

// renderLogFile is the gzip of {"Records":[…]} for account, rendered a chunk at a time, and the
// hex SHA-256 of the uncompressed JSON.
func renderLogFile(account string, evs []*events.Event) ([]byte, string, error) {
	var buf bytes.Buffer
	buf.Grow(len(evs) * 160)
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	w := io.MultiWriter(h, zw)
	const chunk = 256 << 10
	raw := make([]byte, 0, chunk+8<<10)
	raw = append(raw, `{"Records":[`...)
	for i, e := range evs {
		if i > 0 {
			raw = append(raw, ',')
		}
		raw = e.AppendRecord(raw, account)
		if len(raw) >= chunk {
			if _, err := w.Write(raw); err != nil {
				return nil, "", err
			}
			raw = raw[:0]
		}
	}
	raw = append(raw, "]}"...)
	if _, err := w.Write(raw); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), hex.EncodeToString(h.Sum(nil)), nil
}

// setPending notes the batch under way before its files are written.
func (s *Service) setPending(ctx context.Context, t *trailRecord, batch *pendingBatch) error {
	return s.updateDelivered(ctx, t, func(_ store.Tx, cur *trailRecord) error {
		cur.Pending = batch
		return nil
	})
}

// updateDelivered is updateTrail for a delivery: t, the delivery's copy, becomes the trail as
// stored; a trail deleted meanwhile is left alone.
func (s *Service) updateDelivered(ctx context.Context, t *trailRecord, fn func(tx store.Tx, cur *trailRecord) error) error {
	cur, err := s.updateTrail(ctx, t.storeKey(), fn)
	if cur != nil {
		*t = *cur
	}
	return err
}

// advance moves the trail past a delivered batch and notes the files written.
func (s *Service) advance(ctx context.Context, t *trailRecord, batch *pendingBatch, written []logFile) error {
	now := s.now().UTC()
	return s.updateDelivered(ctx, t, func(tx store.Tx, cur *trailRecord) error {
		if batch.To > cur.Cursor {
			cur.Cursor = batch.To
		}
		cur.Pending = nil
		gaps := cur.Gaps[:0]
		for _, g := range cur.Gaps {
			if g.To > cur.Cursor {
				gaps = append(gaps, g)
			}
		}
		cur.Gaps = gaps
		if len(written) > 0 {
			cur.LatestDelivery, cur.LatestDeliveryError, cur.LastFile = now, "", now
		}
		// With validation on, the files wait for the digest that will cover them.
		for _, f := range written {
			if !cur.Validation {
				break
			}
			f.Delivered = now
			if err := logFiles.Put(tx, logFileKey(cur, now, f.Region), &f); err != nil {
				return err
			}
			if !slices.Contains(cur.DigestRegions, f.Region) {
				cur.DigestRegions = append(cur.DigestRegions, f.Region)
			}
		}
		return nil
	})
}

// failed notes a failed delivery: the batch stays pending and the S3 error code shows in
// GetTrailStatus (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
func (s *Service) failed(ctx context.Context, t *trailRecord, ae *awserr.Error) error {
	return s.noteFailure(ctx, t, ae, "log file", func(cur *trailRecord) { cur.LatestDeliveryError = string(ae.Code) })
}

// noteFailure logs a failed delivery of what, notes it on the stored trail with set, and
// returns the failure.
func (s *Service) noteFailure(ctx context.Context, t *trailRecord, ae *awserr.Error, what string, set func(*trailRecord)) error {
	s.log.Warn(what+" delivery failed", "trail", t.ARN(), "code", string(ae.Code), "message", ae.Message)
	err := s.updateDelivered(ctx, t, func(_ store.Tx, cur *trailRecord) error {
		set(cur)
		return nil
	})
	if err != nil {
		return err
	}
	return ae
}

// Run delivers every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if sum, err := s.deliver(ctx, false); err != nil {
				s.log.Error("log file delivery", "err", err)
			} else if sum.LogFiles > 0 || sum.DigestFiles > 0 {
				s.log.Info("log files delivered", "files", sum.LogFiles, "records", sum.Records, "digests", sum.DigestFiles)
			}
		}
	}
}
