package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/keytrail/keytrail/internal/validatelogs"
)

// validateLogs runs `keytrail validate-logs`: the AWS CLI's arguments, checked against a running
// keytrail (or any endpoint), reported as the CLI reports; exit status 1 when anything is invalid.
func (m *Main) validateLogs(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("validate-logs", flag.ContinueOnError)
	trailARN := fs.String("trail-arn", "", "the ARN of the trail to validate (required)")
	start := fs.String("start-time", "", "validate from this time (required; RFC 3339, a date, or Unix seconds)")
	end := fs.String("end-time", "", "validate up to this time (default now)")
	bucket := fs.String("s3-bucket", "", "the bucket of the digests (default: the trail's)")
	prefix := fs.String("s3-prefix", "", "the key prefix of the digests (with --s3-bucket)")
	accountID := fs.String("account-id", "", "the account the logs belong to (default: the trail ARN's)")
	verbose := fs.Bool("verbose", false, "print every valid file")
	region := fs.String("region", firstSet(m.Getenv("AWS_REGION"), m.Getenv("AWS_DEFAULT_REGION"), "us-east-1"), "the region the digests come from")
	endpoint := fs.String("endpoint-url", "", "keytrail's endpoint, for CloudTrail and S3 (default AWS_ENDPOINT_URL_CLOUDTRAIL or _S3, AWS_ENDPOINT_URL, else "+defaultEndpoint+")")
	if err := m.parseNoArgs(fs, "validate-logs", args); err != nil {
		return err
	}
	if *trailARN == "" || *start == "" {
		return usagef("validate-logs needs --trail-arn and --start-time (see keytrail help validate-logs)")
	}
	cfg := validatelogs.Config{TrailARN: *trailARN, Bucket: *bucket, Prefix: *prefix, AccountID: *accountID, Verbose: *verbose,
		Region: *region, Stdout: m.Stdout, Stderr: m.Stderr}
	var err error
	if cfg.Start, err = parseWhen(*start); err != nil {
		return usagef("--start-time: %v", err)
	}
	if *end != "" {
		if cfg.End, err = parseWhen(*end); err != nil {
			return usagef("--end-time: %v", err)
		}
	}
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		id, secret := m.Getenv("AWS_ACCESS_KEY_ID"), m.Getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return aws.Credentials{}, errors.New("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
		}
		return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: m.Getenv("AWS_SESSION_TOKEN")}, nil
	})
	ctEndpoint, err := m.endpoint(*endpoint, "AWS_ENDPOINT_URL_CLOUDTRAIL")
	if err != nil {
		return err
	}
	s3Endpoint, err := m.endpoint(*endpoint, "AWS_ENDPOINT_URL_S3")
	if err != nil {
		return err
	}
	cfg.CloudTrail = cloudtrail.New(cloudtrail.Options{Region: cfg.Region, BaseEndpoint: aws.String(ctEndpoint), Credentials: creds})
	cfg.S3 = func(region string) *s3.Client {
		return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(s3Endpoint), Credentials: creds, UsePathStyle: true})
	}
	res, err := validatelogs.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if res.Invalid() {
		return exitStatus(1)
	}
	return nil
}

// parseWhen reads a time as the AWS CLI accepts one: RFC 3339, a date and time, a date, or Unix
// seconds; without a zone it is UTC.
func parseWhen(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}
