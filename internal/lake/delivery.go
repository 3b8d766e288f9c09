package lake

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/authz"
	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/store"
)

// Saved query results: StartQuery with a DeliveryS3Uri has CloudTrail write the finished query's
// rows to S3 as gzip CSV files and a sign file
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html),
// through S3 as cloudtrail.amazonaws.com with aws:SourceArn (the event data store) and
// aws:SourceAccount set, so the bucket policy of
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/s3-bucket-policy-lake-query-results.html,
// the bucket's default encryption and its key's policy decide as they would in AWS.

// Buckets is what saving query results needs of S3, each call made as cloudtrail.amazonaws.com:
// the bucket's facts, CloudTrail's checks of its policy, and the writes. keytrail's app passes
// the decorator CloudTrail's trails use.
type Buckets interface {
	Facts(ctx context.Context, name string) (s3.BucketFacts, bool, error)
	GetBucketACL(ctx context.Context, bucket string) (string, error)
	AuthorizePutObject(ctx context.Context, bucket, key, acl string) error
	PutObject(ctx context.Context, in *s3.PutObjectInput) (*s3.ObjectInfo, error)
}

// Signer signs a sign file's data with the Region's CloudTrail signing key, the key whose public
// half ListPublicKeys returns
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-custom-validation.html).
// keytrail's app passes CloudTrail.
type Signer interface {
	SignWithRegionKey(ctx context.Context, region string, now time.Time, data []byte) (signature, fingerprint string, err error)
}

// The delivery statuses of a query that saves its results (DeliveryStatus in
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeQuery.html).
const (
	DeliveryPending                 = "PENDING"
	DeliverySuccess                 = "SUCCESS"
	DeliveryFailed                  = "FAILED"
	DeliveryFailedSigningFile       = "FAILED_SIGNING_FILE"
	DeliveryAccessDenied            = "ACCESS_DENIED"
	DeliveryAccessDeniedSigningFile = "ACCESS_DENIED_SIGNING_FILE"
	DeliveryResourceNotFound        = "RESOURCE_NOT_FOUND"
	DeliveryCancelled               = "CANCELLED"
)

// The errors of StartQuery about its DeliveryS3Uri
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html).
const (
	bucketDoesNotExist       awserr.Code = "S3BucketDoesNotExistException"
	insufficientBucketPolicy awserr.Code = "InsufficientS3BucketPolicyException"
	invalidBucketName        awserr.Code = "InvalidS3BucketNameException"
	invalidPrefix            awserr.Code = "InvalidS3PrefixException"
)

const (
	// maxDeliveryPrefix bounds the prefix of a DeliveryS3Uri as CloudTrail bounds a trail's
	// S3KeyPrefix ("The maximum length is 200 characters",
	// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
	maxDeliveryPrefix = 200
	// resultFileSize is the CSV bytes after which a result file ends and the next begins.
	resultFileSize = 256 << 20
	// resultsACL is the canned ACL of every file CloudTrail writes (as for trails).
	resultsACL   = "bucket-owner-full-control"
	signFileName = "result_sign.json"
)

// delivery is where a query saves its results, and how far it got.
type delivery struct {
	uri, bucket, prefix string
	source              string // the store CloudTrail writes for: aws:SourceArn
	requestID           string // the ID of the delivery's in-process request
	status              string // guarded by Service.q.mu
}

// parseDeliveryURI splits an s3://bucket[/prefix] URI (one trailing slash dropped), refusing a
// bucket name S3 would not have and a prefix CloudTrail would not take.
func parseDeliveryURI(uri string) (bucket, prefix string, err error) {
	bucket, prefix, _ = strings.Cut(strings.TrimPrefix(uri, "s3://"), "/")
	prefix = strings.TrimSuffix(prefix, "/")
	if !s3.ValidBucketName(bucket) {
		return "", "", awserr.New(invalidBucketName, "Bucket name %q is not valid.", bucket)
	}
	if len(prefix) > maxDeliveryPrefix || strings.HasPrefix(prefix, "/") || strings.Contains(prefix, "//") {
		return "", "", awserr.New(invalidPrefix, "The S3 key prefix %q is not valid: at most %d characters, without empty path segments.", prefix, maxDeliveryPrefix)
	}
	return bucket, prefix, nil
}

// folder is where a query's files go: [prefix/]AWSLogs/<account>/CloudTrail-Lake/Query/ and,
// once the query is complete, <yyyy>/<mm>/<dd>/<query ID>/.
func (d *delivery) folder(account string) string {
	p := ""
	if d.prefix != "" {
		p = d.prefix + "/"
	}
	return p + "AWSLogs/" + account + "/CloudTrail-Lake/Query/"
}

// asCloudTrail is ctx as CloudTrail writing a query's results for the account.
func (d *delivery) asCloudTrail(ctx context.Context, account string) context.Context {
	ctx = identity.WithPrincipal(ctx, cloudTrail)
	keys := authz.Map{"aws:SourceAccount": {account}}
	if d.source != "" {
		keys["aws:SourceArn"] = []string{d.source}
	}
	return authz.WithKeys(ctx, keys)
}

// checkDelivery makes CloudTrail's checks of a query's DeliveryS3Uri at StartQuery, as
// cloudtrail.amazonaws.com for the first store the query reads: the bucket exists
// (S3BucketDoesNotExistException), its policy lets CloudTrail s3:GetBucketAcl and s3:PutObject
// under AWSLogs/<account>/CloudTrail-Lake/Query/ (InsufficientS3BucketPolicyException), and the
// KMS key of its default encryption, if any, lets CloudTrail make a data key through S3
// (InsufficientEncryptionPolicyException). The same can still fail when the results are
// written: DeliveryStatus says so.
func (s *Service) checkDelivery(c *call, uri string, stores []*storeRecord) (*delivery, error) {
	if uri == "" {
		return nil, nil
	}
	if s.buckets == nil || s.signer == nil {
		return nil, awserr.New(unsupportedOperation, "This keytrail cannot save query results to S3: read them with GetQueryResults.")
	}
	bucket, prefix, err := parseDeliveryURI(uri)
	if err != nil {
		return nil, err
	}
	d := &delivery{uri: uri, bucket: bucket, prefix: prefix, requestID: request.NewID(s.rand), status: DeliveryPending}
	if len(stores) > 0 {
		d.source = stores[0].ARN()
	}
	facts, ok, err := s.buckets.Facts(c.Ctx, bucket)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, awserr.New(bucketDoesNotExist, "S3 bucket %s does not exist.", bucket)
	}
	ctx := d.asCloudTrail(c.Ctx, c.P.Account)
	probe := d.folder(c.P.Account)
	if _, err := s.buckets.GetBucketACL(ctx, bucket); err != nil {
		return nil, bucketError(err, bucket)
	}
	if err := s.buckets.AuthorizePutObject(ctx, bucket, probe, resultsACL); err != nil {
		return nil, bucketError(err, bucket)
	}
	if facts.SSE != "aws:kms" || facts.KMSKey == "" {
		return d, nil
	}
	// S3 makes the data key of each file for CloudTrail, with the bucket's key, in the bucket's
	// Region (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
	ec := map[string]string{"aws:s3:arn": s3.ObjectARN(bucket, probe)}
	if facts.BucketKey {
		ec["aws:s3:arn"] = "arn:aws:s3:::" + bucket
	}
	kctx := kms.InRegion(authz.WithKeys(ctx, authz.Map{"kms:ViaService": {"s3." + facts.Region + ".amazonaws.com"}}), facts.Region)
	in := &kms.GenerateDataKeyInput{}
	in.KeyID, in.KeySpec, in.EncryptionContext = facts.KMSKey, "AES_256", ec
	out, err := s.keys.GenerateDataKey(kctx, in)
	if ae, ok := awserr.As(err); ok {
		return nil, awserr.New(insufficientEncryption, "The default encryption key %s of S3 bucket %s does not let cloudtrail.amazonaws.com encrypt query results: %s",
			facts.KMSKey, bucket, strings.TrimSpace(ae.Message))
	}
	if err != nil {
		return nil, err
	}
	clear(out.Plaintext)
	return d, nil
}

// bucketError maps S3's answer to CloudTrail's check of a bucket to StartQuery's error.
func bucketError(err error, bucket string) error {
	ae, ok := awserr.As(err)
	switch {
	case ok && ae.Code == awserr.AccessDenied:
		return awserr.New(insufficientBucketPolicy, "Insufficient permissions to access S3 bucket %s: its policy does not let cloudtrail.amazonaws.com deliver query results.", bucket)
	case ok && ae.Code == awserr.NoSuchBucket:
		return awserr.New(bucketDoesNotExist, "S3 bucket %s does not exist.", bucket)
	}
	return err
}

// deliverResults saves a query's results once it has ended, if it was asked to: the result files
// and the sign file of a FINISHED query; nothing for a query that failed, timed out (FAILED) or
// was cancelled (CANCELLED). The query's delivery status is PENDING until then.
func (s *Service) deliverResults(q *query) {
	s.q.mu.Lock()
	d, status, res := q.delivery, q.status, q.result
	if d == nil || d.status != DeliveryPending {
		s.q.mu.Unlock()
		return
	}
	switch status {
	case QueryFinished:
	case QueryCancelled:
		d.status = DeliveryCancelled
	default:
		d.status = DeliveryFailed
	}
	s.q.mu.Unlock()
	if status != QueryFinished {
		return
	}
	result := s.writeResults(q, d, res)
	s.q.mu.Lock()
	d.status = result
	s.q.mu.Unlock()
	s.saveDelivery(q)
}

// saveDelivery stores a query's delivery status in its stored record (queries_store.go), which
// run stored as the query ended; its rows are not written again. A failure is logged.
func (s *Service) saveDelivery(q *query) {
	if s.barrier == nil {
		return // queries are not stored (see saveQuery)
	}
	s.q.mu.Lock()
	status := q.delivery.status
	s.q.mu.Unlock()
	key := queryKey(q.account, q.region, q.id)
	err := s.db.Update(context.Background(), func(tx store.Tx) error {
		rec, err := queryRecords.Get(tx, key)
		if err != nil || rec == nil {
			return err
		}
		rec.DeliveryStatus = status
		return queryRecords.Put(tx, key, rec)
	})
	if err != nil {
		s.log.Error("lake query delivery status not stored", "query", q.id, "err", err)
	}
}

// restoredDelivery is the delivery of a stored query in a process that did not run it: a
// delivery keytrail stopped under (PENDING) is FAILED, or CANCELLED for a cancelled query.
func restoredDelivery(rec *queryRecord) *delivery {
	if rec.DeliveryS3Uri == "" {
		return nil
	}
	d := &delivery{uri: rec.DeliveryS3Uri, status: rec.DeliveryStatus}
	if d.status == DeliveryPending {
		d.status = DeliveryFailed
		if rec.Status == QueryCancelled {
			d.status = DeliveryCancelled
		}
	}
	return d
}

// resultFile is a result file written, as the sign file lists it.
type resultFile struct {
	FileHashValue string `json:"fileHashValue"`
	FileName      string `json:"fileName"`
}

// signFile is the sign file of a query's results, its members in the documented order
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html).
type signFile struct {
	Version              string       `json:"version"`
	Region               string       `json:"region"`
	Files                []resultFile `json:"files"`
	HashAlgorithm        string       `json:"hashAlgorithm"`
	SignatureAlgorithm   string       `json:"signatureAlgorithm"`
	QueryCompleteTime    string       `json:"queryCompleteTime"`
	HashSignature        string       `json:"hashSignature"`
	PublicKeyFingerprint string       `json:"publicKeyFingerprint"`
}

// writeResults writes a finished query's result files, then its sign file, and returns the
// delivery status.
func (s *Service) writeResults(q *query, d *delivery, res *engine.Result) string {
	now := s.now().UTC()
	folder := d.folder(q.account) + now.Format("2006/01/02") + "/" + q.id + "/"
	ctx := request.WithFacts(d.asCloudTrail(context.Background(), q.account),
		request.Facts{ID: d.requestID, Service: "cloudtrail", Region: q.region, Time: now, Delivery: true})
	put := func(name, contentType string, body []byte) error {
		_, err := s.buckets.PutObject(ctx, &s3.PutObjectInput{Bucket: d.bucket, Key: folder + name, Body: bytes.NewReader(body),
			ContentType: contentType, ACL: resultsACL})
		return err
	}
	var files []resultFile
	err := renderResults(res, s.resultFileSize, func(body []byte) error {
		sum := sha256.Sum256(body)
		f := resultFile{FileHashValue: hex.EncodeToString(sum[:]), FileName: fmt.Sprintf("result_%d.csv.gz", len(files)+1)}
		if err := put(f.FileName, "application/gzip", body); err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	if err != nil {
		return s.deliveryFailure(q, err, false)
	}
	sign := signFile{Version: "1.0", Region: q.region, Files: files, HashAlgorithm: "SHA-256", SignatureAlgorithm: "SHA256withRSA",
		QueryCompleteTime: now.Format(time.RFC3339)}
	hashes := make([]string, len(files))
	for i, f := range files {
		hashes[i] = f.FileHashValue
	}
	// "The data signing string consists of the hash value for each query result file separated
	// by a space" (cloudtrail-results-file-custom-validation.html).
	sign.HashSignature, sign.PublicKeyFingerprint, err = s.signer.SignWithRegionKey(ctx, q.region, now, []byte(strings.Join(hashes, " ")))
	if err != nil {
		return s.deliveryFailure(q, err, true)
	}
	body, err := json.Marshal(&sign)
	if err == nil {
		err = put(signFileName, "application/json", body)
	}
	if err != nil {
		return s.deliveryFailure(q, err, true)
	}
	s.log.Info("lake query results saved", "query", q.id, "uri", d.uri, "files", len(files))
	return DeliverySuccess
}

// deliveryFailure is the delivery status of a failed write: S3's AccessDenied (the bucket policy,
// or the bucket key's policy through S3) is ACCESS_DENIED, a bucket or key gone is
// RESOURCE_NOT_FOUND, anything else FAILED; the sign file's own failures are
// ACCESS_DENIED_SIGNING_FILE and FAILED_SIGNING_FILE.
func (s *Service) deliveryFailure(q *query, err error, signing bool) string {
	s.log.Warn("lake query results not saved", "query", q.id, "signFile", signing, "err", err)
	ae, _ := awserr.As(err)
	code := awserr.Code("")
	if ae != nil {
		code = ae.Code
	}
	switch {
	case code == awserr.AccessDenied && signing:
		return DeliveryAccessDeniedSigningFile
	case code == awserr.AccessDenied:
		return DeliveryAccessDenied
	case code == awserr.NoSuchBucket || code == "KMS.NotFoundException":
		return DeliveryResourceNotFound
	case signing:
		return DeliveryFailedSigningFile
	}
	return DeliveryFailed
}

// renderResults renders a result as gzip CSV files of about size bytes of CSV each (at least
// one, each beginning with the column names), handing each to put: RFC 4180 fields, quoted only
// when they must be, SQL NULL as an empty field, lines ending in LF.
func renderResults(res *engine.Result, size int, put func([]byte) error) error {
	var buf bytes.Buffer
	var zw *gzip.Writer
	var cw *csv.Writer
	var counted countingWriter
	start := func() error {
		buf.Reset()
		var err error
		if zw, err = gzip.NewWriterLevel(&buf, gzip.DefaultCompression); err != nil {
			return err
		}
		counted = countingWriter{w: zw}
		cw = csv.NewWriter(&counted)
		return cw.Write(res.Columns)
	}
	finish := func() error {
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		return put(bytes.Clone(buf.Bytes()))
	}
	if err := start(); err != nil {
		return err
	}
	record := make([]string, len(res.Columns))
	for i, row := range res.Rows {
		if i > 0 && counted.n >= int64(size) {
			if err := finish(); err != nil {
				return err
			}
			if err := start(); err != nil {
				return err
			}
		}
		for j, v := range row {
			record[j] = ""
			if v != nil {
				record[j] = *v
			}
		}
		if err := cw.Write(record); err != nil {
			return err
		}
		cw.Flush() // counts the row's bytes before the next size check
	}
	return finish()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
