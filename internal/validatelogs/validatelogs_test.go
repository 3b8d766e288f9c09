package validatelogs_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/validatelogs"
)

// The checks of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html
// against a trail that delivered three hours of log files and digests.

const (
	digestStart = "Digest file\ts3://" + bucket + "/"
	logStart    = "Log file\ts3://" + bucket + "/"
)

// threeHours is a world whose trail "management" delivered a log file and a digest at 01:00,
// 02:00 and 03:00; it returns the digest and log file keys, oldest first.
func threeHours(t *testing.T) (w *world, arn string, digests, logs []string) {
	t.Helper()
	w = newWorld(t)
	arn = w.trail("management", "")
	for range 3 {
		w.hour()
	}
	digests, logs = w.digests(""), w.logs("")
	if len(digests) != 3 || len(logs) != 3 {
		t.Fatalf("%d digests and %d log files, want 3 of each", len(digests), len(logs))
	}
	return w, arn, digests, logs
}

// Verbose, every file is listed as the CLI lists it: each digest from the newest back, then its
// log files; then the summary.
func TestAllValidVerbose(t *testing.T) {
	w, arn, digests, logs := threeHours(t)
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0, End: at(4 * time.Hour), Verbose: true}).
		want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 3})
	want := "Validating log files for trail " + arn + " between 2024-01-01T00:00:00Z and 2024-01-01T04:00:00Z\n\n" +
		digestStart + digests[2] + "\tvalid\n" + logStart + logs[2] + "\tvalid\n" +
		digestStart + digests[1] + "\tvalid\n" + logStart + logs[1] + "\tvalid\n" +
		digestStart + digests[0] + "\tvalid\n" + logStart + logs[0] + "\tvalid\n" +
		"\nResults requested for 2024-01-01T00:00:00Z to 2024-01-01T04:00:00Z\n" +
		"Results found for 2024-01-01T00:00:00Z to 2024-01-01T03:00:00Z:\n" +
		"\n3/3 digest files valid\n3/3 log files valid\n"
	if r.stdout != want || r.stderr != "" {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want, r.stderr)
	}
}

// Without --verbose only the summary is printed; the start and end are cut to the second.
func TestAllValidQuiet(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0.Add(time.Millisecond), End: at(4*time.Hour + 500*time.Millisecond)}).
		want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 3})
	want := "Validating log files for trail " + arn + " between 2024-01-01T00:00:00Z and 2024-01-01T04:00:00Z\n\n" +
		"\nResults requested for 2024-01-01T00:00:00Z to 2024-01-01T04:00:00Z\n" +
		"Results found for 2024-01-01T00:00:00Z to 2024-01-01T03:00:00Z:\n" +
		"\n3/3 digest files valid\n3/3 log files valid\n"
	if r.stdout != want || r.stderr != "" {
		t.Fatalf("stdout:\n%s\nwant:\n%s\nstderr:\n%s", r.stdout, want, r.stderr)
	}
}

// Without an end time the validation runs up to now.
func TestEndDefaultsToNow(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	before := time.Now().Truncate(time.Second)
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0}).want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 3})
	after := time.Now()
	m := regexp.MustCompile(`between 2024-01-01T00:00:00Z and (\S+)\n`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("stdout:\n%s", r.stdout)
	}
	if end, err := time.Parse(time.RFC3339, m[1]); err != nil || end.Before(before) || end.After(after) {
		t.Fatalf("end time %s, not between %s and %s", m[1], before, after)
	}
}

// A tampering is each what the test does to the delivered files, and what the validation then
// finds: its counts and its lines on standard error.
type tampering struct {
	name   string
	do     func(w *world, digests, logs []string)
	want   validatelogs.Result
	stderr func(digests, logs []string) []string
}

func TestTampering(t *testing.T) {
	w, arn, digests, logs := threeHours(t)
	delivered := map[string]object{}
	for _, k := range append(slices.Clone(digests), logs...) {
		delivered[k] = w.get(k)
	}
	line := func(prefix, key, what string) string { return prefix + key + "\tINVALID: " + what }
	for _, tc := range []tampering{
		{"log file modified",
			func(w *world, _, logs []string) {
				w.put(logs[1], object{gz(w.t, append(gunzip(w.t, w.get(logs[1]).body), ' ')), nil})
			},
			validatelogs.Result{ValidDigests: 3, ValidLogs: 2, InvalidLogs: 1},
			func(_, logs []string) []string { return []string{line(logStart, logs[1], "hash value doesn't match")} }},
		{"log file deleted",
			func(w *world, _, logs []string) { w.delete(logs[0]) },
			validatelogs.Result{ValidDigests: 3, ValidLogs: 2, InvalidLogs: 1},
			func(_, logs []string) []string { return []string{line(logStart, logs[0], "not found")} }},
		{"log file not gzip",
			func(w *world, _, logs []string) { w.put(logs[2], object{gunzip(w.t, w.get(logs[2]).body), nil}) },
			validatelogs.Result{ValidDigests: 3, ValidLogs: 2, InvalidLogs: 1},
			func(_, logs []string) []string { return []string{line(logStart, logs[2], "invalid format")} }},
		{"log file with data after its gzip stream",
			func(w *world, _, logs []string) { w.put(logs[2], object{append(w.get(logs[2]).body, "tail"...), nil}) },
			validatelogs.Result{ValidDigests: 3, ValidLogs: 2, InvalidLogs: 1},
			func(_, logs []string) []string {
				return []string{line(logStart, logs[2], "unexpected data after end of compressed stream")}
			}},
		{"digest modified",
			func(w *world, digests, _ []string) {
				o := w.get(digests[1])
				w.put(digests[1], object{gz(w.t, bytes.Replace(gunzip(w.t, o.body), []byte(`"logFiles":[`), []byte(`"logFiles":[ `), 1)), o.meta})
			},
			// The older digest is still reached: it is the next listed one.
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "signature verification failed")}
			}},
		{"digest deleted",
			func(w *world, digests, _ []string) { w.delete(digests[1]) },
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[1], "not found")} }},
		{"oldest digest deleted",
			func(w *world, digests, _ []string) { w.delete(digests[0]) },
			// The next digest points back to it.
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[0], "not found")} }},
		{"digest not gzip",
			func(w *world, digests, _ []string) {
				o := w.get(digests[1])
				w.put(digests[1], object{gunzip(w.t, o.body), o.meta})
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[1], "invalid format")} }},
		{"digest gzip of a truncated stream",
			func(w *world, digests, _ []string) {
				o := w.get(digests[1])
				w.put(digests[1], object{o.body[:len(o.body)-10], o.meta})
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[1], "invalid format")} }},
		{"digest not JSON",
			func(w *world, digests, _ []string) {
				w.put(digests[1], object{gz(w.t, []byte("not json")), w.get(digests[1]).meta})
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[1], "invalid format")} }},
		{"digest without a required field",
			func(w *world, digests, _ []string) {
				w.editDigest(digests[1], func(d map[string]any) { delete(d, "previousDigestSignature") })
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string { return []string{line(digestStart, digests[1], "invalid format")} }},
		{"digest without its signature metadata",
			func(w *world, digests, _ []string) { w.put(digests[1], object{w.get(digests[1]).body, nil}) },
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "signature verification failed")}
			}},
		{"digest signature not hex",
			func(w *world, digests, _ []string) {
				o := w.get(digests[1])
				o.meta["signature"] = "not hex"
				w.put(digests[1], o)
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "signature verification failed")}
			}},
		{"digest moved",
			func(w *world, digests, _ []string) {
				w.editDigest(digests[1], func(d map[string]any) { d["digestS3Object"] = digests[0] })
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "has been moved from its original location")}
			}},
		{"digest of another bucket",
			func(w *world, digests, _ []string) {
				w.editDigest(digests[1], func(d map[string]any) { d["digestS3Bucket"] = "elsewhere" })
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "has been moved from its original location")}
			}},
		{"digest signed by an unknown key",
			func(w *world, digests, _ []string) {
				w.editDigest(digests[1], func(d map[string]any) { d["digestPublicKeyFingerprint"] = "00112233445566778899aabbccddeeff" })
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 2},
			func(digests, _ []string) []string {
				return []string{line(digestStart, digests[1], "public key not found in region us-east-1 for fingerprint 00112233445566778899aabbccddeeff")}
			}},
		{"a log file and a digest",
			func(w *world, digests, logs []string) {
				w.delete(logs[2])
				w.delete(digests[0])
			},
			validatelogs.Result{ValidDigests: 2, InvalidDigests: 1, ValidLogs: 1, InvalidLogs: 1},
			func(digests, logs []string) []string {
				return []string{line(logStart, logs[2], "not found"), line(digestStart, digests[0], "not found")}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := w.on(t)
			for k, o := range delivered { // each tampering starts from the files as delivered
				w.put(k, o)
			}
			tc.do(w, digests, logs)
			r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0, End: at(4 * time.Hour)}).want(t, tc.want)
			lines := tc.stderr(digests, logs)
			// Each error stands apart, between blank lines, as the CLI prints it.
			if want := "\n" + strings.Join(lines, "\n\n") + "\n\n"; r.stderr != want {
				t.Fatalf("stderr:\n%q\nwant:\n%q", r.stderr, want)
			}
			r.has(t, "stdout", "INVALID").lacks(t, "stdout", "\tvalid")
		})
	}
}

// Verbose, a valid file after an error starts a new block: the error keeps its blank lines
// around it, and the summary follows the last valid line after one blank line.
func TestVerboseWithErrors(t *testing.T) {
	w, arn, digests, logs := threeHours(t)
	w.delete(logs[2])
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0, End: at(4 * time.Hour), Verbose: true}).
		want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 2, InvalidLogs: 1})
	if want := "\n" + logStart + logs[2] + "\tINVALID: not found\n\n"; r.stderr != want {
		t.Fatalf("stderr = %q, want %q", r.stderr, want)
	}
	want := "Validating log files for trail " + arn + " between 2024-01-01T00:00:00Z and 2024-01-01T04:00:00Z\n\n" +
		digestStart + digests[2] + "\tvalid\n" +
		digestStart + digests[1] + "\tvalid\n" + logStart + logs[1] + "\tvalid\n" +
		digestStart + digests[0] + "\tvalid\n" + logStart + logs[0] + "\tvalid\n" +
		"\nResults requested for 2024-01-01T00:00:00Z to 2024-01-01T04:00:00Z\n" +
		"Results found for 2024-01-01T00:00:00Z to 2024-01-01T03:00:00Z:\n" +
		"\n3/3 digest files valid\n2/3 log files valid, 1/3 log files INVALID\n"
	if r.stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

// When the last thing printed was an error, the summary needs no blank line of its own; when no
// digest in the range is valid, the summary says so.
func TestNoValidDigest(t *testing.T) {
	w, arn, digests, _ := threeHours(t)
	w.editDigest(digests[2], func(d map[string]any) { d["logFiles"] = []any{} })
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: at(150 * time.Minute), End: at(4 * time.Hour)}).
		want(t, validatelogs.Result{InvalidDigests: 1})
	want := "Validating log files for trail " + arn + " between 2024-01-01T02:30:00Z and 2024-01-01T04:00:00Z\n\n" +
		"Results requested for 2024-01-01T02:30:00Z to 2024-01-01T04:00:00Z\n" +
		"No valid digests found in range\n" +
		"\n0/1 digest files valid, 1/1 digest files INVALID\n"
	if r.stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
}

// --start-time and --end-time choose the digests: those ending from the start to an hour past
// the end, walked back until one starts before the start.
func TestTimeWindows(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       validatelogs.Result
		found      string
	}{
		{"the whole chain", t0, at(3 * time.Hour), validatelogs.Result{ValidDigests: 3, ValidLogs: 3},
			"Results found for 2024-01-01T00:00:00Z to 2024-01-01T03:00:00Z:"},
		{"the middle", at(90 * time.Minute), at(150 * time.Minute), validatelogs.Result{ValidDigests: 2, ValidLogs: 2},
			"Results found for 2024-01-01T01:30:00Z to 2024-01-01T02:30:00Z:"},
		{"the first hour", t0, at(30 * time.Minute), validatelogs.Result{ValidDigests: 1, ValidLogs: 1},
			"Results found for 2024-01-01T00:00:00Z to 2024-01-01T00:30:00Z:"},
		{"the last digest's end", at(3 * time.Hour), at(3 * time.Hour), validatelogs.Result{ValidDigests: 1, ValidLogs: 1},
			"Results found for 2024-01-01T03:00:00Z to 2024-01-01T03:00:00Z:"},
		{"after the last digest", at(3*time.Hour + time.Second), at(5 * time.Hour), validatelogs.Result{}, "No digests found"},
		{"before the trail", t0.Add(-3 * time.Hour), t0.Add(-2 * time.Hour), validatelogs.Result{}, "No digests found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.on(t).validate(validatelogs.Config{TrailARN: arn, Start: tc.start, End: tc.end}).want(t, tc.want).has(t, "stdout", tc.found)
		})
	}
}

// A chain restarted (logging stopped and started again) has a starting digest in its middle:
// the walk goes on to the next older digest and says that nothing was delivered in between.
func TestChainGap(t *testing.T) {
	w := newWorld(t)
	arn := w.trail("management", "")
	w.hour()
	w.hour()
	w.clock.Advance(30 * time.Minute)
	w.must(w.ct.StopLogging(context.Background(), &cloudtrail.StopLoggingInput{Name: aws.String("management")}))
	w.clock.Advance(2 * time.Hour)
	w.must(w.ct.StartLogging(context.Background(), &cloudtrail.StartLoggingInput{Name: aws.String("management")}))
	w.hour()
	digests := w.digests("")
	if len(digests) != 4 {
		t.Fatalf("digests: %q", digests)
	}
	r := w.validate(validatelogs.Config{TrailARN: arn, Start: t0, End: at(6 * time.Hour)}).
		want(t, validatelogs.Result{ValidDigests: 4, ValidLogs: len(w.logs(""))})
	if want := "\nNo log files were delivered by CloudTrail between 2024-01-01T02:30:00Z and 2024-01-01T04:30:00Z\n\n"; r.stderr != want {
		t.Fatalf("stderr = %q, want %q", r.stderr, want)
	}
}

// --s3-bucket and --s3-prefix name where the digests are without asking CloudTrail for the
// trail, which may be gone; --account-id and the region choose whose digests are read.
func TestLocation(t *testing.T) {
	w := newWorld(t)
	arn := w.trail("prefixed", "audit/trail")
	w.hour()
	w.hour()
	w.must(w.ct.DeleteTrail(context.Background(), &cloudtrail.DeleteTrailInput{Name: aws.String("prefixed")}))
	// Two hourly digests and the final one of the deleted trail.
	if d := w.digests("audit/trail/"); len(d) != 3 {
		t.Fatalf("digests: %q", d)
	}
	all := validatelogs.Result{ValidDigests: 3, ValidLogs: len(w.logs("audit/trail/"))}
	for _, tc := range []struct {
		name string
		cfg  validatelogs.Config
		want validatelogs.Result
		line string
	}{
		{"bucket and prefix", validatelogs.Config{Bucket: bucket, Prefix: "audit/trail"}, all, "3/3 digest files valid"},
		{"bucket and prefix and the account", validatelogs.Config{Bucket: bucket, Prefix: "audit/trail", AccountID: account}, all, "3/3 digest files valid"},
		{"bucket without the prefix", validatelogs.Config{Bucket: bucket}, validatelogs.Result{}, "No digests found"},
		{"another account", validatelogs.Config{Bucket: bucket, Prefix: "audit/trail", AccountID: "444455556666"}, validatelogs.Result{}, "No digests found"},
		{"another region", validatelogs.Config{Bucket: bucket, Prefix: "audit/trail", Region: "eu-west-1"}, validatelogs.Result{}, "No digests found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.TrailARN, tc.cfg.Start, tc.cfg.End = arn, t0, at(3*time.Hour)
			w.on(t).validate(tc.cfg).want(t, tc.want).has(t, "stdout", tc.line)
		})
	}
}

// A validation that cannot run at all is an error, as the CLI's exceptions, and prints nothing
// of a report.
func TestCannotValidate(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	for _, tc := range []struct {
		name string
		cfg  validatelogs.Config
		want string
	}{
		{"trail ARN malformed", validatelogs.Config{TrailARN: "arn:aws:cloudtrail:us-east-1:1234:trail/management", Start: t0},
			"Invalid trail ARN provided: arn:aws:cloudtrail:us-east-1:1234:trail/management"},
		{"not a trail ARN", validatelogs.Config{TrailARN: "arn:aws:s3:::trail-logs", Start: t0}, "Invalid trail ARN provided: arn:aws:s3:::trail-logs"},
		{"start after end", validatelogs.Config{TrailARN: arn, Start: at(2 * time.Hour), End: at(time.Hour)},
			"Invalid time range specified: start-time must occur before end-time"},
		{"unknown trail", validatelogs.Config{TrailARN: trailARN("nope"), Start: t0},
			"A trail could not be found for " + trailARN("nope")},
		{"trail of another region", validatelogs.Config{TrailARN: "arn:aws:cloudtrail:eu-west-1:" + account + ":trail/management", Start: t0},
			"A trail could not be found for arn:aws:cloudtrail:eu-west-1:" + account + ":trail/management"},
		{"bucket missing", validatelogs.Config{TrailARN: arn, Bucket: "no-such-bucket", Start: t0}, "NoSuchBucket"},
		// CloudTrail of another region has none of the digests' region's public keys.
		{"public keys of another region", validatelogs.Config{TrailARN: arn, Bucket: bucket, Start: t0, End: at(4 * time.Hour),
			CloudTrail: w.cloudTrail(root, "eu-west-1")},
			"No public keys found between 2024-01-01T00:00:00Z and 2024-01-01T06:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.on(t).validate(tc.cfg)
			if r.err == nil || !strings.Contains(r.err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q\nstdout:\n%s", r.err, tc.want, r.stdout)
			}
			if r.res != (validatelogs.Result{}) || strings.Contains(r.stdout, "Results") || r.stderr != "" {
				t.Fatalf("a failed validation reported %+v\nstdout:\n%s\nstderr:\n%s", r.res, r.stdout, r.stderr)
			}
		})
	}
}

// The calls validate-logs makes need their permissions
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-cli.html):
// a caller without one of them cannot validate, and gets the call's error.
func TestPermissions(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	allow := func(statements ...string) string {
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
	}
	stmt := func(action, resource string) string {
		return `{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}`
	}
	var (
		describe   = stmt("cloudtrail:DescribeTrails", "*")
		publicKeys = stmt("cloudtrail:ListPublicKeys", "*")
		location   = stmt("s3:GetBucketLocation", "arn:aws:s3:::"+bucket)
		list       = stmt("s3:ListBucket", "arn:aws:s3:::"+bucket)
		getAll     = stmt("s3:GetObject", "arn:aws:s3:::"+bucket+"/*")
		getDigests = stmt("s3:GetObject", "arn:aws:s3:::"+bucket+"/AWSLogs/"+account+"/CloudTrail-Digest/*")
	)
	for _, tc := range []struct {
		name, policy, want string
	}{
		{"all of them", allow(describe, publicKeys, location, list, getAll), ""},
		{"without DescribeTrails", allow(publicKeys, location, list, getAll), "cloudtrail:DescribeTrails on resource: *"},
		{"without GetBucketLocation", allow(describe, publicKeys, list, getAll), "s3:GetBucketLocation on resource: \"arn:aws:s3:::" + bucket + `"`},
		{"without ListBucket", allow(describe, publicKeys, location, getAll), "s3:ListBucket on resource: \"arn:aws:s3:::" + bucket + `"`},
		{"without ListPublicKeys", allow(describe, location, list, getAll), "cloudtrail:ListPublicKeys on resource: *"},
		{"without GetObject", allow(describe, publicKeys, location, list),
			"s3:GetObject on resource: \"arn:aws:s3:::" + bucket + "/AWSLogs/" + account + "/CloudTrail-Digest/"},
		{"with GetObject of the digests only", allow(describe, publicKeys, location, list, getDigests),
			"s3:GetObject on resource: \"arn:aws:s3:::" + bucket + "/AWSLogs/" + account + "/CloudTrail/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := w.on(t)
			user := w.user(strings.ReplaceAll(tc.name, " ", "-"), tc.policy)
			r := w.validate(w.as(user, validatelogs.Config{TrailARN: arn, Start: t0, End: at(4 * time.Hour)}))
			if tc.want == "" {
				r.want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 3})
				return
			}
			if r.err == nil || !strings.Contains(r.err.Error(), tc.want) || !strings.Contains(r.err.Error(), "AccessDenied") {
				t.Fatalf("err = %v, want AccessDenied to %s\nstdout:\n%s\nstderr:\n%s", r.err, tc.want, r.stdout, r.stderr)
			}
		})
	}
}

// The digests are listed with ListObjects page by page, from the marker on: objects under the
// digest prefix that are not digests fill the first page and are passed over.
func TestListedPageByPage(t *testing.T) {
	w, arn, _, _ := threeHours(t)
	prefix := "AWSLogs/" + account + "/CloudTrail-Digest/us-east-1/2024/01/01/"
	errs := make(chan error, 1000)
	var wg sync.WaitGroup
	for n := range 32 {
		wg.Go(func() {
			for i := n; i < 1000; i += 32 {
				_, err := w.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
					Key: aws.String(fmt.Sprintf("%s0-not-a-digest-%04d", prefix, i)), Body: strings.NewReader("x")})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.validate(validatelogs.Config{TrailARN: arn, Start: t0, End: at(4 * time.Hour)}).
		want(t, validatelogs.Result{ValidDigests: 3, ValidLogs: 3})
}
