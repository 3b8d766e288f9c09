package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
)

// inProcess is the one place the calls keytrail's services make to each other in-process are
// scoped and recorded. Each call is an operation of its own: the resources its authorization
// notes are its own, not the calling request's. The calls to KMS (S3's SSE-KMS data keys,
// CloudTrail's checks of a trail's key and the data keys of its log files) are recorded as AWS
// records calls services make for their callers: a KMS event invoked by the calling service, from
// the calling service, in the region of the key
// (https://docs.aws.amazon.com/kms/latest/developerguide/ct-generatedatakey.html). CloudTrail's
// calls to S3 are not recorded.
type inProcess struct {
	recorder request.Recorder
	now      func() time.Time
	rand     io.Reader // in-process request IDs
	log      *slog.Logger
}

// scope returns the context of an in-process call that is not recorded: the caller's facts, a
// resource collector of its own.
func scope(ctx context.Context) context.Context {
	ctx, _ = request.Collect(ctx)
	return ctx
}

// begin returns the context of an in-process call to service's op with input in, and the
// function that records it once it returns. region is the service's region for calls that name
// none; meta is what the operation's table declares of it.
func (ip *inProcess) begin(ctx context.Context, service, region, op string, meta request.Meta, in any) (context.Context, func(error)) {
	p, _ := identity.FromContext(ctx)
	ctx, f, res := request.InProcess(ctx, service, ip.now(), ip.rand)
	params, _ := json.Marshal(in)
	return ctx, func(err error) {
		out := request.Outcome{Operation: op, Meta: meta, Params: params, Resources: res.List()}
		if e, ok := awserr.As(err); ok {
			out.Fail(string(e.Code), e.Message)
		}
		// The record's region is the key's: the call acted in the region of the resource it used.
		if f.Region == "" {
			f.Region = region
		}
		for _, r := range out.Resources {
			if m := strings.SplitN(r.ARN, ":", 5); len(m) == 5 && m[3] != "" {
				f.Region = m[3]
			}
		}
		if err := ip.recorder.Record(&f, &out, p); err != nil {
			ip.log.Error("recording an in-process call failed", "service", service, "operation", op, "err", err)
		}
	}
}

// keys is KMS as S3, CloudTrail and CloudTrail Lake call it (s3.Keys, cloudtrail.Keys,
// lake.Keys), each call recorded.
type keys struct {
	ip     *inProcess
	kms    *kms.Service
	region string                  // KMS's region for calls that name none
	meta   map[string]request.Meta // what KMS's operation table declares of each operation
}

var (
	_ s3.Keys         = (*keys)(nil)
	_ cloudtrail.Keys = (*keys)(nil)
	_ lake.Keys       = (*keys)(nil)
)

func newKeys(ip *inProcess, svc *kms.Service, region string) *keys {
	if region == "" {
		region = "us-east-1" // KMS's own default
	}
	k := &keys{ip: ip, kms: svc, region: region, meta: map[string]request.Meta{}}
	for name, h := range svc.API().Operations {
		k.meta[name] = h.Meta
	}
	return k
}

// recorded runs fn, KMS's op, as a recorded in-process call.
func recorded[I, O any](ctx context.Context, k *keys, op string, in *I, fn func(context.Context, *I) (*O, error)) (*O, error) {
	ctx, done := k.ip.begin(ctx, "kms", k.region, op, k.meta[op], in)
	out, err := fn(ctx, in)
	done(err)
	return out, err
}

// GenerateDataKey implements s3.Keys and cloudtrail.Keys.
func (k *keys) GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput) (*kms.GenerateDataKeyOutput, error) {
	return recorded(ctx, k, "GenerateDataKey", in, k.kms.GenerateDataKey)
}

// Decrypt implements s3.Keys and cloudtrail.Keys.
func (k *keys) Decrypt(ctx context.Context, in *kms.DecryptInput) (*kms.DecryptOutput, error) {
	return recorded(ctx, k, "Decrypt", in, k.kms.Decrypt)
}

// DescribeKey implements cloudtrail.Keys.
func (k *keys) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput) (*kms.KeyMetadataOutput, error) {
	return recorded(ctx, k, "DescribeKey", in, k.kms.DescribeKey)
}

// AWSManagedKey implements s3.Keys: keytrail's own lookup (or creation) of aws/s3, no API call
// and so no record.
func (k *keys) AWSManagedKey(ctx context.Context, account, region, service string) (string, error) {
	return k.kms.AWSManagedKey(scope(ctx), account, region, service)
}

// buckets is S3 as CloudTrail calls it (cloudtrail.Buckets), for its trails and for the Lake's
// saved query results (lake.Buckets): each call scoped, none recorded.
type buckets struct{ s3 *s3.Service }

var (
	_ cloudtrail.Buckets = buckets{}
	_ lake.Buckets       = buckets{}
)

// Facts implements cloudtrail.Buckets.
func (b buckets) Facts(ctx context.Context, name string) (s3.BucketFacts, bool, error) {
	return b.s3.Facts(scope(ctx), name)
}

// GetBucketACL implements cloudtrail.Buckets.
func (b buckets) GetBucketACL(ctx context.Context, bucket string) (string, error) {
	return b.s3.GetBucketACL(scope(ctx), bucket)
}

// AuthorizePutObject implements cloudtrail.Buckets.
func (b buckets) AuthorizePutObject(ctx context.Context, bucket, key, acl string) error {
	return b.s3.AuthorizePutObject(scope(ctx), bucket, key, acl)
}

// PutObject implements cloudtrail.Buckets.
func (b buckets) PutObject(ctx context.Context, in *s3.PutObjectInput) (*s3.ObjectInfo, error) {
	return b.s3.PutObject(scope(ctx), in)
}

// resultSigner is CloudTrail's signing keys as the Lake signs saved query results with them
// (lake.Signer). CloudTrail is made after the Lake (it serves the Lake's stores), so Open sets
// ct once it is.
type resultSigner struct{ ct *cloudtrail.Service }

var _ lake.Signer = (*resultSigner)(nil)

// SignWithRegionKey implements lake.Signer.
func (r *resultSigner) SignWithRegionKey(ctx context.Context, region string, now time.Time, data []byte) (string, string, error) {
	return r.ct.SignWithRegionKey(scope(ctx), region, now, data)
}
