package validatelogs

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// FileStatus is one file's line of a validation: where it is and "valid" or "INVALID: why", as
// `aws cloudtrail validate-logs --verbose` words it.
type FileStatus struct {
	Kind   string // "Digest file" or "Log file"
	Bucket string
	Key    string
	Status string
}

// Valid reports whether the file was found valid.
func (f FileStatus) Valid() bool { return f.Status == "valid" }

// DigestValidation is what ValidateDigest found: the digest's own status, then its log files'.
type DigestValidation struct {
	Digest FileStatus
	Logs   []FileStatus
}

// ValidateDigest checks one digest file as validate-logs checks each digest of its chain
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html):
// its format and location, its signature with the public key ListPublicKeys returns for its
// fingerprint, then the SHA-256 of each log file it lists. s3c reads the bucket as its caller;
// an error is a failure to validate at all (the digest unreadable, ListPublicKeys refused).
func ValidateDigest(ctx context.Context, ct *cloudtrail.Client, s3c *s3.Client, bucket, key string) (DigestValidation, error) {
	var out bytes.Buffer
	r := &run{cfg: Config{Verbose: true, Stdout: &out, Stderr: &out}, s3c: s3c, home: digestRegion(key)}
	d, err := r.fetch(ctx, bucket, key)
	if errors.Is(err, errNotFound) {
		return DigestValidation{Digest: FileStatus{Kind: "Digest file", Bucket: bucket, Key: key, Status: "INVALID: not found"}}, nil
	}
	if err == nil {
		// The public keys valid over the digest's period; the CLI asks for the run's range
		// plus two hours.
		start, end := parseTime(d.str("digestStartTime")), parseTime(d.str("digestEndTime"))
		in := &cloudtrail.ListPublicKeysInput{EndTime: aws.Time(end.Add(2 * time.Hour))}
		if !start.IsZero() {
			in.StartTime = aws.Time(start)
		}
		keys, lerr := ct.ListPublicKeys(ctx, in)
		if lerr != nil {
			return DigestValidation{}, lerr
		}
		r.publicKeys = map[string][]byte{}
		for _, k := range keys.PublicKeyList {
			r.publicKeys[aws.ToString(k.Fingerprint)] = k.Value
		}
		err = r.validate(bucket, key, d)
	}
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "Digest file\t"):
		return DigestValidation{Digest: statusLine(err.Error())}, nil
	case err != nil:
		return DigestValidation{}, err
	}
	v := DigestValidation{Digest: FileStatus{Kind: "Digest file", Bucket: bucket, Key: key, Status: "valid"}}
	logs, _ := d.m["logFiles"].([]any)
	for _, l := range logs {
		if lm, ok := l.(map[string]any); ok {
			if err := r.checkLog(ctx, lm); err != nil {
				return DigestValidation{}, err
			}
		}
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "Log file\t") {
			v.Logs = append(v.Logs, statusLine(line))
		}
	}
	return v, nil
}

// statusLine parses a status line, "<kind>\ts3://<bucket>/<key>\t<status>".
func statusLine(line string) FileStatus {
	kind, rest, _ := strings.Cut(line, "\t")
	where, status, _ := strings.Cut(rest, "\t")
	bucket, key, _ := strings.Cut(strings.TrimPrefix(where, "s3://"), "/")
	return FileStatus{Kind: kind, Bucket: bucket, Key: key, Status: status}
}

// digestRegion is the region in a digest's key, AWSLogs/<account>/CloudTrail-Digest/<region>/….
func digestRegion(key string) string {
	_, rest, ok := strings.Cut(key, "/CloudTrail-Digest/")
	if !ok {
		return ""
	}
	region, _, _ := strings.Cut(rest, "/")
	return region
}
