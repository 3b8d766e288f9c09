// Package validatelogs checks a trail's digest files and log files as `aws cloudtrail
// validate-logs` does (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html): it finds the trail's bucket, lists its digests, walks
// their chain from the newest back, verifies each signature with the region's public keys from
// ListPublicKeys, and compares each log file's SHA-256 with its digest's. Its report reads as
// the CLI's.
package validatelogs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// errTrailingData is a log file with bytes after its gzip stream, as the CLI words it.
var errTrailingData = errors.New("unexpected data after end of compressed stream")

// Config is one validation: the CLI's arguments and the clients to use.
type Config struct {
	TrailARN   string
	Start, End time.Time // End zero: now
	Bucket     string    // --s3-bucket: skips DescribeTrails
	Prefix     string    // --s3-prefix
	AccountID  string    // --account-id
	Verbose    bool
	Region     string // the CLI's region: the digests' source region
	CloudTrail *cloudtrail.Client
	// S3 returns an S3 client for a region.
	S3             func(region string) *s3.Client
	Stdout, Stderr io.Writer
}

// Result counts what was found.
type Result struct {
	ValidDigests, InvalidDigests, ValidLogs, InvalidLogs int
}

// Invalid reports whether anything was invalid (the CLI's exit status 1).
func (r Result) Invalid() bool { return r.InvalidDigests > 0 || r.InvalidLogs > 0 }

var trailARN = regexp.MustCompile(`^arn:.+:cloudtrail:.+:\d{12}:trail/.+$`)

const displayFormat = "2006-01-02T15:04:05Z"

func display(t time.Time) string { return t.UTC().Format(displayFormat) }

type run struct {
	cfg                  Config
	account, home, name  string
	s3c                  *s3.Client
	res                  Result
	lastDouble           bool
	foundStart, foundEnd time.Time
	publicKeys           map[string][]byte
	bucket, prefix       string
}

// Run validates; an error is a failure to validate at all (the CLI's exceptions).
func Run(ctx context.Context, cfg Config) (Result, error) {
	if !trailARN.MatchString(cfg.TrailARN) {
		return Result{}, fmt.Errorf("Invalid trail ARN provided: %s", cfg.TrailARN)
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now()
	}
	cfg.Start, cfg.End = cfg.Start.UTC().Truncate(time.Second), cfg.End.UTC().Truncate(time.Second)
	if cfg.Start.After(cfg.End) {
		return Result{}, errors.New("Invalid time range specified: start-time must occur before end-time")
	}
	parts := strings.Split(cfg.TrailARN, ":")
	r := &run{cfg: cfg, home: parts[3], account: parts[4], name: cfg.TrailARN[strings.LastIndex(cfg.TrailARN, "/")+1:],
		bucket: cfg.Bucket, prefix: cfg.Prefix}
	if cfg.AccountID != "" {
		r.account = cfg.AccountID
	}
	if r.bucket == "" {
		out, err := cfg.CloudTrail.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		if err != nil {
			return Result{}, err
		}
		found := false
		for _, t := range out.TrailList {
			if aws.ToString(t.TrailARN) == cfg.TrailARN {
				r.bucket, r.prefix, found = aws.ToString(t.S3BucketName), aws.ToString(t.S3KeyPrefix), true
			}
		}
		if !found {
			return Result{}, fmt.Errorf("A trail could not be found for %s", cfg.TrailARN)
		}
	}
	loc, err := cfg.S3(cfg.Region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(r.bucket)})
	if err != nil {
		return Result{}, err
	}
	bucketRegion := string(loc.LocationConstraint)
	if bucketRegion == "" {
		bucketRegion = "us-east-1"
	}
	r.s3c = cfg.S3(bucketRegion)
	fmt.Fprintf(cfg.Stdout, "Validating log files for trail %s between %s and %s\n\n", cfg.TrailARN, display(cfg.Start), display(cfg.End))
	digests, err := r.listDigests(ctx)
	if err != nil {
		return Result{}, err
	}
	keys, err := cfg.CloudTrail.ListPublicKeys(ctx, &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(cfg.Start), EndTime: aws.Time(cfg.End.Add(2 * time.Hour))})
	if err != nil {
		return Result{}, err
	}
	r.publicKeys = map[string][]byte{}
	for _, k := range keys.PublicKeyList {
		r.publicKeys[aws.ToString(k.Fingerprint)] = k.Value
	}
	if len(digests) > 0 && len(r.publicKeys) == 0 {
		return Result{}, fmt.Errorf("No public keys found between %s and %s", display(cfg.Start), display(cfg.End.Add(2*time.Hour)))
	}
	if err := r.traverse(ctx, digests); err != nil {
		return Result{}, err
	}
	r.summary()
	return r.res, nil
}

func (r *run) digestPrefix() string {
	p := "AWSLogs/" + r.account + "/CloudTrail-Digest/" + r.cfg.Region
	if r.prefix != "" {
		p = r.prefix + "/" + p
	}
	return p
}

// keyDate is the end time a digest's key carries.
func keyDate(key string) string {
	if len(key) < 24 {
		return ""
	}
	return key[len(key)-24 : len(key)-8]
}

// listDigests lists the trail's digest keys from the start to an hour past the end, oldest first.
func (r *run) listDigests(ctx context.Context) ([]string, error) {
	src := r.cfg.Region
	markerTime := r.cfg.Start.Add(-time.Minute)
	marker := fmt.Sprintf("%s/%s/%s_CloudTrail-Digest_%s_%s_%s_%s.json.gz", r.digestPrefix(), markerTime.Format("2006/01/02"), r.account, src, r.name, r.home, markerTime.Format("20060102T150405Z"))
	pattern := regexp.MustCompile("^" + regexp.QuoteMeta(r.digestPrefix()) + `/\d+/\d+/\d+/` + regexp.QuoteMeta(r.account+"_CloudTrail-Digest_"+src+"_"+r.name+"_"+r.home+"_") + `.+\.json\.gz$`)
	from, to := r.cfg.Start.Format("20060102T150405Z"), r.cfg.End.Add(time.Hour).Format("20060102T150405Z")
	var keys []string
	for {
		page, err := r.s3c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String(r.bucket), Marker: aws.String(marker), Prefix: aws.String(r.digestPrefix())})
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !pattern.MatchString(key) || strings.HasSuffix(key, "_backfill.json.gz") {
				continue
			}
			d := keyDate(key)
			if d > to {
				return keys, nil
			}
			if d >= from {
				keys = append(keys, key)
			}
		}
		if !aws.ToBool(page.IsTruncated) || len(page.Contents) == 0 {
			return keys, nil
		}
		marker = aws.ToString(page.NextMarker)
		if marker == "" {
			marker = aws.ToString(page.Contents[len(page.Contents)-1].Key)
		}
	}
}

type digestData struct {
	raw []byte
	m   map[string]any
	sig string
}

func (d digestData) str(k string) string { s, _ := d.m[k].(string); return s }

var errNotFound = errors.New("not found")

// noSuchKey reports whether S3 answered NoSuchKey (the typed error and the generic one alike).
func noSuchKey(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey"
}

func (r *run) fetch(ctx context.Context, bucket, key string) (digestData, error) {
	out, err := r.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if noSuchKey(err) {
		return digestData{}, errNotFound
	}
	if err != nil {
		return digestData{}, err
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		return digestData{}, err
	}
	invalid := fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: invalid format", bucket, key)
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return digestData{}, invalid
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return digestData{}, invalid
	}
	d := digestData{raw: raw}
	if err := json.Unmarshal(raw, &d.m); err != nil {
		return digestData{}, invalid
	}
	sig, ok1 := out.Metadata["signature"]
	_, ok2 := out.Metadata["signature-algorithm"]
	if !ok1 || !ok2 {
		return digestData{}, fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: signature verification failed", bucket, key)
	}
	d.sig = sig
	return d, nil
}

var required = []string{"digestPublicKeyFingerprint", "digestS3Bucket", "digestS3Object", "previousDigestSignature", "digestEndTime", "digestStartTime"}

// validate checks a fetched digest: its fields, where it is, its key and its signature.
func (r *run) validate(bucket, key string, d digestData) error {
	for _, k := range required {
		if _, ok := d.m[k]; !ok {
			return fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: invalid format", bucket, key)
		}
	}
	if d.str("digestS3Bucket") != bucket || d.str("digestS3Object") != key {
		return fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: has been moved from its original location", bucket, key)
	}
	fp := d.str("digestPublicKeyFingerprint")
	der, ok := r.publicKeys[fp]
	if !ok {
		return fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: public key not found in region %s for fingerprint %s", bucket, key, r.home, fp)
	}
	pub, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: Unable to load PKCS #1 key with fingerprint %s", bucket, key, fp)
	}
	prev := "null"
	if p, ok := d.m["previousDigestSignature"].(string); ok {
		prev = p
	}
	sum := sha256.Sum256(d.raw)
	toSign := d.str("digestEndTime") + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
	h := sha256.Sum256([]byte(toSign))
	sig, err := hex.DecodeString(d.sig)
	if err != nil || rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig) != nil {
		return fmt.Errorf("Digest file\ts3://%s/%s\tINVALID: signature verification failed", bucket, key)
	}
	return nil
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(displayFormat, s)
	return t
}

// traverse walks the chain from the newest digest back to the start, as the CLI does.
func (r *run) traverse(ctx context.Context, digests []string) error {
	sort.Strings(digests)
	pop := func(before string) (string, bool) {
		for len(digests) > 0 {
			k := digests[len(digests)-1]
			digests = digests[:len(digests)-1]
			if before == "" || keyDate(k) < keyDate(before) {
				return k, true
			}
		}
		return "", false
	}
	bucket := r.bucket
	key, ok := pop("")
	if !ok {
		return nil
	}
	lastStart, _ := time.Parse("20060102T150405Z", keyDate(key))
	for ok && !r.cfg.Start.After(lastStart) {
		d, err := r.fetch(ctx, bucket, key)
		if err == nil {
			err = r.validate(bucket, key, d)
		}
		switch {
		case errors.Is(err, errNotFound):
			r.res.InvalidDigests++
			r.status(fmt.Sprintf("Digest file\ts3://%s/%s\tINVALID: not found", bucket, key), true)
			key, ok = pop(key)
			continue
		case err != nil && strings.HasPrefix(err.Error(), "Digest file\t"):
			r.res.InvalidDigests++
			r.status(err.Error(), true)
			key, ok = pop(key)
			continue
		case err != nil:
			return err
		}
		lastStart = parseTime(d.str("digestStartTime"))
		r.found(lastStart, parseTime(d.str("digestEndTime")))
		r.res.ValidDigests++
		r.status(fmt.Sprintf("Digest file\ts3://%s/%s\tvalid", d.str("digestS3Bucket"), d.str("digestS3Object")), false)
		if logs, _ := d.m["logFiles"].([]any); len(logs) > 0 {
			for _, l := range logs {
				if lm, ok := l.(map[string]any); ok {
					if err := r.checkLog(ctx, lm); err != nil {
						return err
					}
				}
			}
		}
		prevBucket, _ := d.m["previousDigestS3Bucket"].(string)
		prevKey, _ := d.m["previousDigestS3Object"].(string)
		if prevBucket == "" || prevKey == "" {
			next, more := pop(key)
			if more {
				nextEnd, _ := time.Parse("20060102T150405Z", keyDate(next))
				r.status(fmt.Sprintf("No log files were delivered by CloudTrail between %s and %s", display(nextEnd), display(lastStart)), true)
			}
			key, ok = next, more
			continue
		}
		bucket, key = prevBucket, prevKey
	}
	return nil
}

func (r *run) found(start, end time.Time) {
	if start.Before(r.cfg.Start) {
		start = r.cfg.Start
	}
	if end.After(r.cfg.End) {
		end = r.cfg.End
	}
	if r.foundStart.IsZero() || start.Before(r.foundStart) {
		r.foundStart = start
	}
	if r.foundEnd.IsZero() || end.After(r.foundEnd) {
		r.foundEnd = end
	}
}

// checkLog downloads a log file, gunzips it and compares its SHA-256.
func (r *run) checkLog(ctx context.Context, l map[string]any) error {
	bucket, _ := l["s3Bucket"].(string)
	key, _ := l["s3Object"].(string)
	want, _ := l["hashValue"].(string)
	where := "Log file\ts3://" + bucket + "/" + key + "\t"
	out, err := r.s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if noSuchKey(err) {
		r.res.InvalidLogs++
		r.status(where+"INVALID: not found", true)
		return nil
	}
	if err != nil {
		return err
	}
	defer out.Body.Close()
	h := sha256.New()
	// The gzip reader reads from br, a flate.Reader, so that what follows the stream stays in br.
	br := bufio.NewReader(out.Body)
	zr, err := gzip.NewReader(br)
	if err == nil {
		zr.Multistream(false)
		_, err = io.Copy(h, zr)
		if err == nil {
			// Data after the gzip stream is not a valid log file.
			if _, perr := br.Peek(1); perr == nil {
				err = errTrailingData
			}
		}
	}
	switch {
	case errors.Is(err, errTrailingData):
		r.res.InvalidLogs++
		r.status(where+"INVALID: "+errTrailingData.Error(), true)
	case err != nil:
		r.res.InvalidLogs++
		r.status(where+"INVALID: invalid format", true)
	case hex.EncodeToString(h.Sum(nil)) != want:
		r.res.InvalidLogs++
		r.status(where+"INVALID: hash value doesn't match", true)
	default:
		r.res.ValidLogs++
		r.status(where+"valid", false)
	}
	return nil
}

// status writes a line as the CLI does: errors always, to standard error, set apart by blank
// lines; the valid files only when verbose.
func (r *run) status(msg string, isError bool) {
	if isError {
		if r.lastDouble {
			fmt.Fprintf(r.cfg.Stderr, "%s\n\n", msg)
		} else {
			fmt.Fprintf(r.cfg.Stderr, "\n%s\n\n", msg)
		}
		r.lastDouble = true
	} else if r.cfg.Verbose {
		r.lastDouble = false
		fmt.Fprintf(r.cfg.Stdout, "%s\n", msg)
	}
}

func (r *run) summary() {
	w := r.cfg.Stdout
	if !r.lastDouble {
		fmt.Fprint(w, "\n")
	}
	fmt.Fprintf(w, "Results requested for %s to %s\n", display(r.cfg.Start), display(r.cfg.End))
	if r.res.ValidDigests+r.res.InvalidDigests == 0 {
		fmt.Fprint(w, "No digests found\n")
		return
	}
	if r.foundStart.IsZero() || r.foundEnd.IsZero() {
		fmt.Fprint(w, "No valid digests found in range\n")
	} else {
		fmt.Fprintf(w, "Results found for %s to %s:\n", display(r.foundStart), display(r.foundEnd))
	}
	ratio := func(valid, invalid int, name string) {
		if total := valid + invalid; total > 0 {
			fmt.Fprintf(w, "\n%d/%d %s files valid", valid, total, name)
			if invalid > 0 {
				fmt.Fprintf(w, ", %d/%d %s files INVALID", invalid, total, name)
			}
		}
	}
	ratio(r.res.ValidDigests, r.res.InvalidDigests, "digest")
	ratio(r.res.ValidLogs, r.res.InvalidLogs, "log")
	fmt.Fprint(w, "\n")
}
