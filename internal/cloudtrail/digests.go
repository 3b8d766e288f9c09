package cloudtrail

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/store"
)

// digestChain is the last digest of a trail's region: what the next one points back to.
type digestChain struct {
	End time.Time `json:"end"` // the digest's end time, to the nanosecond; its key names its second
	// Covered is the delivery time up to which its log files are covered: files delivered after
	// it go in the next digest. Chains stored before it was kept have their End for it.
	Covered   time.Time `json:"covered,omitzero"`
	Bucket    string    `json:"bucket"`
	Key       string    `json:"key"`
	Hash      string    `json:"hash"`      // hex SHA-256 of its uncompressed bytes
	Signature string    `json:"signature"` // hex
}

// DigestFile is a digest file's JSON (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html), in AWS's member order.
type DigestFile struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []DigestLogFile `json:"logFiles"`
}

// DigestLogFile is a log file a digest covers.
type DigestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

const digestTimeFormat = "2006-01-02T15:04:05Z"

func isoTime(t time.Time) string { return t.UTC().Format(digestTimeFormat) }

// DigestKey is the S3 key of a digest file (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html): by the region it covers, the trail's name and
// home region, and its end time to the second.
func DigestKey(prefix, account, region, trail, homeRegion string, end time.Time) string {
	end = end.UTC()
	p := ""
	if prefix != "" {
		p = prefix + "/"
	}
	return fmt.Sprintf("%sAWSLogs/%s/CloudTrail-Digest/%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", p, account, region,
		end.Format("2006/01/02"), account, region, trail, homeRegion, end.Format("20060102T150405Z"))
}

// restartChains begins new chains: the next digests are starting digests (null previous fields)
// covering from now. The old chains' ends stay known, so that no new digest ends in their second.
func (t *trailRecord) restartChains(now time.Time) {
	t.ChainStart = now
	if !slices.Contains(t.DigestRegions, t.HomeRegion) {
		t.DigestRegions = append(t.DigestRegions, t.HomeRegion)
	}
}

// digestDue reports whether a logging trail with validation is owed its periodic digest.
func (t *trailRecord) digestDue(now time.Time, interval time.Duration) bool {
	if !t.Logging || !t.Validation {
		return false
	}
	last := t.ChainStart
	for _, c := range t.Chains {
		if c.End.After(last) {
			last = c.End
		}
	}
	return !last.IsZero() && now.Sub(last) >= interval
}

// writeDigests writes a digest for each region of the trail: the log files delivered since the
// region's last digest, chained to it. It returns the digests written.
func (s *Service) writeDigests(ctx context.Context, t *trailRecord) (int, error) {
	if t.ChainStart.IsZero() {
		t.restartChains(s.now().UTC())
	}
	regions := slices.Clone(t.DigestRegions)
	if !slices.Contains(regions, t.HomeRegion) {
		regions = append(regions, t.HomeRegion)
	}
	slices.Sort(regions)
	n := 0
	for _, region := range regions {
		if err := s.writeDigest(ctx, t, region); err != nil {
			if ae, ok := awserr.As(err); ok {
				return n, s.digestFailed(ctx, t, ae)
			}
			return n, err
		}
		n++
	}
	return n, nil
}

// period is what a region's next digest covers.
type period struct {
	start, end time.Time    // its digestStartTime and digestEndTime (end names its key)
	from, to   time.Time    // the log files it lists: those delivered after from, up to to
	prev       *digestChain // the digest it follows; nil for a starting digest
}

// nextPeriod is the period of a region's digest written at now, after last (nil for none), in a
// chain begun at chainStart. Digest keys carry the end time to the second and must sort in time
// order (validate-logs lists them by key:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html),
// so a digest never ends in the second its predecessor, or the old chain's last digest, ended
// in: when now is still in that second the digest ends at the next one, and the files delivered
// until then go in the digest after it.
func nextPeriod(chainStart time.Time, last *digestChain, now time.Time) period {
	p := period{start: chainStart, end: now, from: chainStart, to: now}
	if last == nil {
		return p
	}
	if lastSecond := last.End.Truncate(time.Second); !now.Truncate(time.Second).After(lastSecond) {
		p.end = lastSecond.Add(time.Second)
	}
	covered := last.Covered
	if covered.IsZero() {
		covered = last.End
	}
	switch {
	case covered.After(chainStart): // the chain goes on
		p.prev, p.start, p.from = last, last.End, covered
	case last.End.After(p.start): // a starting digest begins no earlier than the old chain ended
		p.start = last.End
	}
	return p
}

// writeDigest writes one region's digest and moves its chain on.
func (s *Service) writeDigest(ctx context.Context, t *trailRecord, region string) error {
	now := s.now().UTC()
	p := nextPeriod(t.ChainStart, t.Chains[region], now)
	var files []logFile
	var fileKeys []string
	err := s.db.View(ctx, func(tx store.Tx) error {
		return logFiles.Scan(tx, t.storeKey()+"/", "", func(k string, f *logFile) error {
			if f.Region == region && f.Delivered.After(p.from) && !f.Delivered.After(p.to) {
				files = append(files, *f)
				fileKeys = append(fileKeys, k)
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	key, err := s.currentKey(ctx, region, now)
	if err != nil {
		return err
	}
	objectKey := DigestKey(t.Prefix, t.Account, region, t.Name, t.HomeRegion, p.end)
	d := DigestFile{AWSAccountID: t.Account, DigestStartTime: isoTime(p.start), DigestEndTime: isoTime(p.end), DigestS3Bucket: t.Bucket,
		DigestS3Object: objectKey, DigestPublicKeyFingerprint: key.rec.Fingerprint, DigestSignatureAlgorithm: signatureAlgorithm,
		LogFiles: []DigestLogFile{}}
	var oldest, newest time.Time
	for _, f := range files {
		d.LogFiles = append(d.LogFiles, DigestLogFile{S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.SHA256, HashAlgorithm: "SHA-256",
			NewestEventTime: isoTime(f.Newest), OldestEventTime: isoTime(f.Oldest)})
		if oldest.IsZero() || f.Oldest.Before(oldest) {
			oldest = f.Oldest
		}
		if f.Newest.After(newest) {
			newest = f.Newest
		}
	}
	if len(files) > 0 {
		o, nw := isoTime(oldest), isoTime(newest)
		d.OldestEventTime, d.NewestEventTime = &o, &nw
	}
	if prev := p.prev; prev != nil {
		alg := "SHA-256"
		d.PreviousDigestS3Bucket, d.PreviousDigestS3Object = &prev.Bucket, &prev.Key
		d.PreviousDigestHashValue, d.PreviousDigestHashAlgorithm, d.PreviousDigestSignature = &prev.Hash, &alg, &prev.Signature
	}
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sig, err := key.sign(DataToSign(d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, raw, d.PreviousDigestSignature))
	if err != nil {
		return err
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(raw); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	dctx := request.WithInfo(asCloudTrail(ctx, t.ARN(), t.Account),
		&request.Info{ID: request.NewID(), Service: "cloudtrail", Operation: "DeliverDigest", Region: t.HomeRegion, Time: now, Delivery: true})
	_, err = s.s3.PutObject(dctx, &s3.PutObjectInput{Bucket: t.Bucket, Key: objectKey, Body: bytes.NewReader(gz.Bytes()),
		ContentType: "application/json", ACL: "bucket-owner-full-control", SSE: "AES256",
		Metadata: map[string]string{"signature": sig, "signature-algorithm": signatureAlgorithm}})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(raw)
	next := &digestChain{End: p.end, Covered: p.to, Bucket: t.Bucket, Key: objectKey, Hash: hex.EncodeToString(sum[:]), Signature: sig}
	return s.updateDelivered(ctx, t, func(tx store.Tx, cur *trailRecord) error {
		if cur.Chains == nil {
			cur.Chains = map[string]*digestChain{}
		}
		cur.Chains[region] = next
		if cur.ChainStart.IsZero() {
			cur.ChainStart = t.ChainStart
		}
		cur.LatestDigest, cur.LatestDigestError = now, ""
		for _, k := range fileKeys {
			if err := logFiles.Delete(tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// digestFailed notes a failed digest delivery: the chain stays, the next digest covers more.
func (s *Service) digestFailed(ctx context.Context, t *trailRecord, ae *awserr.Error) error {
	return s.noteFailure(ctx, t, ae, "digest", func(cur *trailRecord) { cur.LatestDigestError = string(ae.Code) })
}

// dropLogFiles forgets the files waiting for a trail's digests (validation off, trail deleted).
func dropLogFiles(tx store.Tx, t *trailRecord) error {
	var keys []string
	err := logFiles.Scan(tx, t.storeKey()+"/", "", func(k string, _ *logFile) error {
		keys = append(keys, k)
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := logFiles.Delete(tx, k); err != nil {
			return err
		}
	}
	return nil
}
