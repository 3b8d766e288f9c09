//go:build cgo

package lake_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
	"github.com/keytrail/keytrail/internal/kms"
	"github.com/keytrail/keytrail/internal/lake"
	"github.com/keytrail/keytrail/internal/lake/engine"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/s3"
	"github.com/keytrail/keytrail/internal/servicetest"
	"github.com/keytrail/keytrail/internal/store/files"
)

// resultsPolicy is the bucket policy of "Amazon S3 bucket policy for CloudTrail Lake query
// results" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/s3-bucket-policy-lake-query-results.html)
// for bucket, written as the page writes it (aws:sourceAccount and aws:sourceArn in its case),
// with sourceArn in place of the page's eventdatastore/* when given.
func resultsPolicy(bucket, sourceArn string) string {
	if sourceArn == "" {
		sourceArn = "arn:aws:cloudtrail:us-east-1:" + acct + ":eventdatastore/*"
	}
	cond := `"Condition":{"StringLike":{"aws:sourceAccount":"` + acct + `","aws:sourceArn":"` + sourceArn + `"}}`
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailLake1","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:PutObject*","s3:Abort*"],
  "Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],` + cond + `},
 {"Sid":"AWSCloudTrailLake2","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl",
  "Resource":"arn:aws:s3:::` + bucket + `",` + cond + `}]}`
}

// deliveryWorld is a query world with S3 and CloudTrail's signing keys: the Lake saves results.
type deliveryWorld struct {
	*lakeWorld
	S3     *s3.Service
	Trails *ct.Service
	store  string // the store the scenarios query, holding three events
}

// newDeliveryWorld builds the world; signer, when not nil, signs in CloudTrail's place.
func newDeliveryWorld(t *testing.T, timeout time.Duration, signer lake.Signer) *deliveryWorld {
	t.Helper()
	lw := newLakeWorld(t)
	eng, err := engine.Open(engine.Config{Now: lw.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a test
	blobs, err := files.Open(filepath.Join(lw.Dir, "objects"))
	if err != nil {
		t.Fatal(err)
	}
	w := &deliveryWorld{lakeWorld: lw}
	w.S3 = s3.New(s3.Config{DB: lw.DB, Blobs: blobs, Barrier: lw.Barrier, KMS: lw.KMS, Authorizer: lw.Authz, Policies: lw.Policies, Now: lw.Clock.Now, Rand: lw.Rand})
	w.Trails = ct.New(ct.Config{DB: lw.DB, S3: w.S3, KMS: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand, Barrier: lw.Barrier})
	if signer == nil {
		signer = w.Trails
	}
	lw.Lake = lake.New(lake.Config{DB: lw.DB, Keys: lw.KMS, Authorizer: lw.Authz, Now: lw.Clock.Now, Rand: lw.Rand,
		Journal: lw.Journal, Barrier: lw.Barrier, Engine: eng, QueryTimeout: timeout, Buckets: w.S3, Signer: signer})
	w.bucket(t, "results", resultsPolicy("results", ""))
	w.store = w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{})
	w.record(t, call("e1", kmsSource, "Encrypt"), call("e2", kmsSource, "Encrypt"), call("e3", kmsSource, "Decrypt"))
	w.ingest(t)
	return w
}

// bucket creates a bucket of the account's root with a policy (none when empty).
func (w *deliveryWorld) bucket(t *testing.T, name, policy string) {
	t.Helper()
	servicetest.Call(w.root, w.S3.CreateBucket, &s3.CreateBucketInput{Bucket: name}).OK()
	if policy != "" {
		servicetest.Call(w.root, w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: name, Policy: policy}).OK()
	}
}

// query is the scenarios' query: every event, with a field CSV must quote and a NULL.
func (w *deliveryWorld) query() string {
	return `SELECT eventID, eventName, 'a,"b"' AS odd, NULL AS nothing FROM ` + storeID(w.store) + ` ORDER BY eventID`
}

// save starts the query as the root with a DeliveryS3Uri and returns its ID.
func (w *deliveryWorld) save(t *testing.T, uri string) string {
	t.Helper()
	return servicetest.Call(w.root, w.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: w.query(), DeliveryS3Uri: uri}).OK().QueryID
}

// object reads an object as the account's root.
func (w *deliveryWorld) object(t *testing.T, bucket, key string) []byte {
	t.Helper()
	out := servicetest.Call(w.root, w.S3.GetObject, &s3.GetObjectInput{Bucket: bucket, Key: key}).OK()
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keys lists a bucket's keys as the account's root.
func (w *deliveryWorld) keys(t *testing.T, bucket string) []string {
	t.Helper()
	out := servicetest.Call(w.root, w.S3.ListObjects, &s3.ListObjectsInput{Bucket: bucket, MaxKeys: 1000}).OK()
	var keys []string
	for _, o := range out.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// signFile is a sign file as "CloudTrail sign file structure" documents it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-validation-sign-file-structure.html).
type signFile struct {
	Version string `json:"version"`
	Region  string `json:"region"`
	Files   []struct {
		FileHashValue string `json:"fileHashValue"`
		FileName      string `json:"fileName"`
	} `json:"files"`
	HashAlgorithm        string `json:"hashAlgorithm"`
	SignatureAlgorithm   string `json:"signatureAlgorithm"`
	QueryCompleteTime    string `json:"queryCompleteTime"`
	HashSignature        string `json:"hashSignature"`
	PublicKeyFingerprint string `json:"publicKeyFingerprint"`
}

// verify validates saved results as "Custom implementations of CloudTrail query result file
// integrity validation" describes it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-custom-validation.html):
// each file's SHA-256 against its fileHashValue, then the signature of the hash values joined by
// spaces with the public key ListPublicKeys returns for the fingerprint, valid at
// queryCompleteTime. It returns the sign file.
func (w *deliveryWorld) verify(bucket, folder string) (*signFile, error) {
	var sf signFile
	if err := json.Unmarshal(w.objectOrNil(bucket, folder+"result_sign.json"), &sf); err != nil {
		return nil, err
	}
	if sf.HashAlgorithm != "SHA-256" || sf.SignatureAlgorithm != "SHA256withRSA" || len(sf.Files) == 0 {
		return &sf, errors.New("unexpected algorithms or no files")
	}
	hashes := make([]string, len(sf.Files))
	for i, f := range sf.Files {
		sum := sha256.Sum256(w.objectOrNil(bucket, folder+f.FileName))
		if hex.EncodeToString(sum[:]) != f.FileHashValue {
			return &sf, errors.New(f.FileName + ": hash does not match")
		}
		hashes[i] = f.FileHashValue
	}
	done, err := time.Parse(time.RFC3339, sf.QueryCompleteTime)
	if err != nil {
		return &sf, err
	}
	keys, err := w.Trails.ListPublicKeys(w.root.Context(), &ct.ListPublicKeysInput{StartTime: awsjson.NewTime(done), EndTime: awsjson.NewTime(done.Add(20 * 24 * time.Hour))})
	if err != nil {
		return &sf, err
	}
	i := slices.IndexFunc(keys.PublicKeyList, func(k ct.PublicKey) bool { return k.Fingerprint == sf.PublicKeyFingerprint })
	if i < 0 {
		return &sf, errors.New("no public key with fingerprint " + sf.PublicKeyFingerprint)
	}
	pub, err := x509.ParsePKCS1PublicKey(keys.PublicKeyList[i].Value)
	if err != nil {
		return &sf, err
	}
	sig, err := hex.DecodeString(sf.HashSignature)
	if err != nil {
		return &sf, err
	}
	sum := sha256.Sum256([]byte(strings.Join(hashes, " ")))
	return &sf, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
}

func (w *deliveryWorld) objectOrNil(bucket, key string) []byte {
	out, err := w.S3.GetObject(w.root.Context(), &s3.GetObjectInput{Bucket: bucket, Key: key})
	if err != nil {
		return nil
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return b
}

// csvRows reads a gzip CSV result file.
func csvRows(t *testing.T, gz []byte) [][]string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// folder is where a query's files are, under prefix, on the World's clock's day.
func (w *deliveryWorld) folder(prefix, id string) string {
	return prefix + "AWSLogs/" + acct + "/CloudTrail-Lake/Query/" + w.Clock.Now().UTC().Format("2006/01/02") + "/" + id + "/"
}

// The story of saved results: StartQuery with a DeliveryS3Uri; the query finishes and its
// results land in the bucket as a gzip CSV file and a sign file; DescribeQuery says SUCCESS; the
// CSV holds GetQueryResults' rows under their column names; the files validate as the custom
// validation page says, and a changed file or hash no longer does.
func TestSaveQueryResults(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	id := w.save(t, "s3://results/saved/")
	d := w.describe(t, w.root, id)
	if d.QueryStatus != lake.QueryFinished || d.DeliveryStatus != lake.DeliverySuccess || d.DeliveryS3Uri != "s3://results/saved/" {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	folder := w.folder("saved/", id)
	if got, want := w.keys(t, "results"), []string{folder + "result_1.csv.gz", folder + "result_sign.json"}; !slices.Equal(got, want) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	rows := csvRows(t, w.object(t, "results", folder+"result_1.csv.gz"))
	want := [][]string{{"eventID", "eventName", "odd", "nothing"}, {"e1", "Encrypt", `a,"b"`, ""}, {"e2", "Encrypt", `a,"b"`, ""}, {"e3", "Decrypt", `a,"b"`, ""}}
	if !slices.EqualFunc(rows, want, slices.Equal) {
		t.Fatalf("CSV rows = %q, want %q", rows, want)
	}
	if got := w.rows(t, w.root, id); !slices.Equal(got, []string{`eventID=e1,eventName=Encrypt,odd=a,"b",nothing=NULL`,
		`eventID=e2,eventName=Encrypt,odd=a,"b",nothing=NULL`, `eventID=e3,eventName=Decrypt,odd=a,"b",nothing=NULL`}) {
		t.Fatalf("GetQueryResults = %v", got)
	}
	if raw := string(w.object(t, "results", folder+"result_sign.json")); !strings.HasPrefix(raw, `{"version":"1.0","region":"us-east-1","files":[{"fileHashValue":"`) {
		t.Fatalf("sign file = %s", raw)
	}
	sf, err := w.verify("results", folder)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if sf.QueryCompleteTime != w.Clock.Now().UTC().Format(time.RFC3339) || len(sf.PublicKeyFingerprint) != 32 || len(sf.HashSignature) != 512 {
		t.Fatalf("sign file = %+v", sf)
	}

	// Tampering: another sign file hash, then another result file.
	signed := w.object(t, "results", folder+"result_sign.json")
	forged := bytes.Replace(signed, []byte(sf.Files[0].FileHashValue), []byte(strings.Repeat("0", 64)), 1)
	servicetest.Call(w.root, w.S3.PutObject, &s3.PutObjectInput{Bucket: "results", Key: folder + "result_1.csv.gz", Body: bytes.NewReader(mustGzip(t, "eventID\ne9\n"))}).OK()
	if _, err := w.verify("results", folder); err == nil || !strings.Contains(err.Error(), "hash does not match") {
		t.Fatalf("verify after the CSV changed = %v", err)
	}
	servicetest.Call(w.root, w.S3.PutObject, &s3.PutObjectInput{Bucket: "results", Key: folder + "result_1.csv.gz", Body: bytes.NewReader(mustGzip(t, "eventID\ne9\n"))}).OK()
	sum := sha256.Sum256(mustGzip(t, "eventID\ne9\n"))
	forged = bytes.Replace(forged, []byte(strings.Repeat("0", 64)), []byte(hex.EncodeToString(sum[:])), 1)
	servicetest.Call(w.root, w.S3.PutObject, &s3.PutObjectInput{Bucket: "results", Key: folder + "result_sign.json", Body: bytes.NewReader(forged)}).OK()
	if _, err := w.verify("results", folder); !errors.Is(err, rsa.ErrVerification) {
		t.Fatalf("verify with a forged hash = %v, want a signature failure", err)
	}
}

func mustGzip(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// Large results are split into result_1.csv.gz, result_2.csv.gz…, each with the column names;
// the sign file lists them in order and its signature covers them all. A query with no rows
// saves one file of column names. The URI's bucket alone puts the files at the bucket's root.
func TestSaveQueryResultsSplit(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	lake.SetResultFileSize(w.Lake, 10) // a file per row
	id := w.save(t, "s3://results")
	if d := w.describe(t, w.root, id); d.DeliveryStatus != lake.DeliverySuccess {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	folder := w.folder("", id)
	sf, err := w.verify("results", folder)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var all [][]string
	for _, f := range sf.Files {
		names = append(names, f.FileName)
		rows := csvRows(t, w.object(t, "results", folder+f.FileName))
		if len(rows) != 2 || rows[0][0] != "eventID" {
			t.Fatalf("%s = %q", f.FileName, rows)
		}
		all = append(all, rows[1])
	}
	if !slices.Equal(names, []string{"result_1.csv.gz", "result_2.csv.gz", "result_3.csv.gz"}) || all[0][0] != "e1" || all[2][0] != "e3" {
		t.Fatalf("files %v, rows %q", names, all)
	}

	none := servicetest.Call(w.root, w.Lake.StartQuery, &lake.StartQueryInput{DeliveryS3Uri: "s3://results/empty",
		QueryStatement: "SELECT eventID FROM " + storeID(w.store) + " WHERE eventName = 'CreateKey'"}).OK().QueryID
	if d := w.describe(t, w.root, none); d.DeliveryStatus != lake.DeliverySuccess {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	folder = w.folder("empty/", none)
	if sf, err := w.verify("results", folder); err != nil || len(sf.Files) != 1 {
		t.Fatalf("verify = %+v, %v", sf, err)
	}
	if rows := csvRows(t, w.object(t, "results", folder+"result_1.csv.gz")); !slices.EqualFunc(rows, [][]string{{"eventID"}}, slices.Equal) {
		t.Fatalf("rows of an empty result = %q", rows)
	}
}

// What StartQuery checks of its DeliveryS3Uri at once, as cloudtrail.amazonaws.com for the
// store the query reads, and with which code.
func TestSaveQueryResultsRefusals(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	other := w.create(t, w.Root(acct), lake.CreateEventDataStoreInput{Name: "other"})
	w.bucket(t, "bare", "")
	w.bucket(t, "acl-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::acl-only"}]}`)
	w.bucket(t, "for-other", resultsPolicy("for-other", other))
	w.bucket(t, "other-account", strings.ReplaceAll(resultsPolicy("other-account", ""), acct, servicetest.OtherAccount))
	denied := w.key(t, "us-east-1", keyPolicy(rootStatement)).Arn
	w.bucket(t, "kms-denied", resultsPolicy("kms-denied", ""))
	servicetest.Call(w.root, w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "kms-denied", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: denied}}).OK()
	disabled := w.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement)).Arn
	w.bucket(t, "kms-disabled", resultsPolicy("kms-disabled", ""))
	servicetest.Call(w.root, w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "kms-disabled", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: disabled}}).OK()
	servicetest.Call(w.root, w.KMS.DisableKey, &kms.KeyIDInput{KeyID: disabled}).OK()

	save := func(uri string) func(context.Context) error {
		return func(ctx context.Context) error {
			out, err := w.Lake.StartQuery(ctx, &lake.StartQueryInput{QueryStatement: w.query(), DeliveryS3Uri: uri})
			if err == nil {
				lake.WaitQuery(w.Lake, out.QueryID)
			}
			return err
		}
	}
	root := w.Root(acct)
	w.Run(t, []servicetest.Step{
		{Name: "the page's policy", As: root, Do: save("s3://results/ok")},
		{Name: "not an s3:// URI", As: root, Do: save("results/ok"), Want: "InvalidParameterException"},
		{Name: "not a bucket name", As: root, Do: save("s3://res..ults"), Want: "InvalidS3BucketNameException"},
		{Name: "an empty path segment", As: root, Do: save("s3://results//x"), Want: "InvalidS3PrefixException"},
		{Name: "a prefix over 200 characters", As: root, Do: save("s3://results/" + strings.Repeat("p", 201)), Want: "InvalidS3PrefixException"},
		{Name: "no such bucket", As: root, Do: save("s3://no-such-bucket"), Want: "S3BucketDoesNotExistException"},
		{Name: "no bucket policy", As: root, Do: save("s3://bare"), Want: "InsufficientS3BucketPolicyException"},
		{Name: "GetBucketAcl only", As: root, Do: save("s3://acl-only"), Want: "InsufficientS3BucketPolicyException"},
		{Name: "aws:SourceArn of another store", As: root, Do: save("s3://for-other"), Want: "InsufficientS3BucketPolicyException"},
		{Name: "aws:SourceAccount of another account", As: root, Do: save("s3://other-account"), Want: "InsufficientS3BucketPolicyException"},
		{Name: "default key without CloudTrail", As: root, Do: save("s3://kms-denied"), Want: "InsufficientEncryptionPolicyException"},
		{Name: "default key disabled", As: root, Do: save("s3://kms-disabled"), Want: "InsufficientEncryptionPolicyException"},
	})
}

// A bucket whose default encryption is SSE-KMS with a key that lets CloudTrail encrypt gets the
// files encrypted with that key, by S3, for CloudTrail; with an S3 Bucket Key too.
func TestSaveQueryResultsSSEKMS(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	key := w.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement)).Arn
	for _, bucketKey := range []bool{false, true} {
		bucket := "sealed"
		if bucketKey {
			bucket = "sealed-bucket-key"
		}
		w.bucket(t, bucket, resultsPolicy(bucket, ""))
		servicetest.Call(w.root, w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: bucket, BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: key, BucketKey: bucketKey}}).OK()
		id := w.save(t, "s3://"+bucket+"/kms")
		if d := w.describe(t, w.root, id); d.DeliveryStatus != lake.DeliverySuccess {
			t.Fatalf("%s: DescribeQuery = %+v", bucket, d)
		}
		folder := w.folder("kms/", id)
		for _, name := range []string{"result_1.csv.gz", "result_sign.json"} {
			out := servicetest.Call(w.root, w.S3.GetObject, &s3.GetObjectInput{Bucket: bucket, Key: folder + name}).OK()
			_ = out.Body.Close()
			if out.SSE != "aws:kms" || out.KMSKey != key || out.BucketKey != bucketKey {
				t.Fatalf("%s%s: SSE %q key %q bucket key %v", bucket, name, out.SSE, out.KMSKey, out.BucketKey)
			}
		}
		if _, err := w.verify(bucket, folder); err != nil {
			t.Fatal(err)
		}
	}
}

// failingSigner fails every signature, as a region whose signing key cannot be opened would.
type failingSigner struct{}

func (failingSigner) SignWithRegionKey(context.Context, string, time.Time, []byte) (string, string, error) {
	return "", "", errors.New("the signing key cannot be opened")
}

// DeliveryStatus is PENDING while the query runs, then says what became of the delivery: each
// failure, made after StartQuery's checks passed, has its status.
func TestSaveQueryResultsDeliveryStatus(t *testing.T) {
	type setup func(t *testing.T, w *deliveryWorld, id string)
	changePolicy := func(policy string) setup {
		return func(_ *testing.T, w *deliveryWorld, _ string) {
			servicetest.Call(w.root, w.S3.PutBucketPolicy, &s3.PutBucketPolicyInput{Bucket: "results", Policy: policy}).OK()
		}
	}
	csvOnly := strings.Replace(resultsPolicy("results", ""), `"arn:aws:s3:::results/*"`, `"arn:aws:s3:::results/*.csv.gz"`, 1)
	for _, tc := range []struct {
		name         string
		signer       lake.Signer
		timeout      time.Duration
		meanwhile    setup
		query, want  string
		wantFiles    int
		statusWanted string
	}{
		{name: "bucket policy removed", meanwhile: func(_ *testing.T, w *deliveryWorld, _ string) {
			servicetest.Call(w.root, w.S3.DeleteBucketPolicy, &s3.DeleteBucketPolicyInput{Bucket: "results"}).OK()
		}, want: lake.DeliveryAccessDenied, statusWanted: lake.QueryFinished},
		{name: "result files only", meanwhile: changePolicy(csvOnly), want: lake.DeliveryAccessDeniedSigningFile, wantFiles: 1, statusWanted: lake.QueryFinished},
		{name: "bucket deleted", meanwhile: func(_ *testing.T, w *deliveryWorld, _ string) {
			servicetest.Call(w.root, w.S3.DeleteBucket, &s3.DeleteBucketInput{Bucket: "results"}).OK()
		}, want: lake.DeliveryResourceNotFound, wantFiles: -1, statusWanted: lake.QueryFinished},
		{name: "default key disabled", meanwhile: func(t *testing.T, w *deliveryWorld, _ string) {
			key := w.key(t, "us-east-1", keyPolicy(rootStatement, encryptStatement)).Arn
			servicetest.Call(w.root, w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "results", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: key}}).OK()
			servicetest.Call(w.root, w.KMS.DisableKey, &kms.KeyIDInput{KeyID: key}).OK()
		}, want: lake.DeliveryFailed, statusWanted: lake.QueryFinished},
		{name: "default key not found", meanwhile: func(_ *testing.T, w *deliveryWorld, _ string) {
			gone := "arn:aws:kms:us-east-1:" + acct + ":key/00000000-0000-0000-0000-000000000000"
			servicetest.Call(w.root, w.S3.PutBucketEncryption, &s3.PutBucketEncryptionInput{Bucket: "results", BucketEncryption: s3.BucketEncryption{SSE: "aws:kms", KMSKey: gone}}).OK()
		}, want: lake.DeliveryResourceNotFound, statusWanted: lake.QueryFinished},
		{name: "signing fails", signer: failingSigner{}, want: lake.DeliveryFailedSigningFile, wantFiles: 1, statusWanted: lake.QueryFinished},
		{name: "cancelled", meanwhile: func(_ *testing.T, w *deliveryWorld, id string) {
			servicetest.Call(w.root, w.Lake.CancelQuery, &lake.QueryInput{QueryID: id}).OK()
		}, want: lake.DeliveryCancelled, statusWanted: lake.QueryCancelled},
		{name: "timed out", timeout: time.Millisecond, want: lake.DeliveryFailed, statusWanted: lake.QueryTimedOut},
		{name: "query fails", query: "SELECT nosuchcolumn FROM %s", want: lake.DeliveryFailed, statusWanted: lake.QueryFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newDeliveryWorld(t, tc.timeout, tc.signer)
			gate := make(chan struct{})
			if tc.timeout == 0 {
				lake.SetQueryGate(w.Lake, gate)
			} else {
				lake.SetQueryGate(w.Lake, make(chan struct{})) // never opens: the query times out
			}
			statement := w.query()
			if tc.query != "" {
				statement = strings.Replace(tc.query, "%s", storeID(w.store), 1)
			}
			id := servicetest.Call(w.root, w.Lake.StartQuery, &lake.StartQueryInput{QueryStatement: statement, DeliveryS3Uri: "s3://results/s"}).OK().QueryID
			in := &lake.DescribeQueryInput{}
			in.QueryID = id
			if d := servicetest.Call(w.root, w.Lake.DescribeQuery, in).OK(); tc.query == "" && tc.timeout == 0 && (!slices.Contains([]string{lake.QueryQueued, lake.QueryRunning}, d.QueryStatus) || d.DeliveryStatus != lake.DeliveryPending) {
				t.Fatalf("while running: %+v", d)
			}
			if tc.meanwhile != nil {
				tc.meanwhile(t, w, id)
			}
			close(gate)
			d := w.describe(t, w.root, id)
			if d.QueryStatus != tc.statusWanted || d.DeliveryStatus != tc.want || d.DeliveryS3Uri != "s3://results/s" {
				t.Fatalf("DescribeQuery = %s/%s, want %s/%s (%s)", d.QueryStatus, d.DeliveryStatus, tc.statusWanted, tc.want, d.ErrorMessage)
			}
			if tc.wantFiles >= 0 {
				if got := w.keys(t, "results"); len(got) != tc.wantFiles {
					t.Fatalf("objects written = %v, want %d", got, tc.wantFiles)
				}
			}
		})
	}
}

// A query without a DeliveryS3Uri has no delivery members.
func TestQueryWithoutDelivery(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	d := w.describe(t, w.root, w.start(t, w.root, w.query()))
	if d.DeliveryS3Uri != "" || d.DeliveryStatus != "" {
		t.Fatalf("DescribeQuery = %+v", d)
	}
	raw, err := json.Marshal(d)
	if err != nil || strings.Contains(string(raw), "Delivery") {
		t.Fatalf("DescribeQuery JSON = %s, %v", raw, err)
	}
}

// A query's delivery outlives a restart with the query (queries are stored): a saved query's
// SUCCESS, a cancelled one's CANCELLED, and one keytrail stopped under, which is FAILED.
func TestSavedResultsOutliveRestart(t *testing.T) {
	w := newDeliveryWorld(t, 0, nil)
	saved := w.save(t, "s3://results/kept")
	lake.WaitQuery(w.Lake, saved)
	gate := make(chan struct{})
	lake.SetQueryGate(w.Lake, gate)
	cancelled := w.save(t, "s3://results/cancelled")
	servicetest.Call(w.root, w.Lake.CancelQuery, &lake.QueryInput{QueryID: cancelled}).OK()
	running := w.save(t, "s3://results/running")
	old := w.Lake
	t.Cleanup(func() { // before the state store and the data directory go
		close(gate)
		lake.WaitQuery(old, running)
	})

	eng, err := engine.Open(engine.Config{Now: w.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() }) // nothing to report at the end of a test
	w.Lake = lake.New(lake.Config{DB: w.DB, Keys: w.KMS, Authorizer: w.Authz, Now: w.Clock.Now, Rand: w.Rand,
		Journal: w.Journal, Barrier: w.Barrier, Engine: eng, Buckets: w.S3, Signer: w.Trails})
	for _, tc := range []struct{ id, uri, status, delivery string }{
		{saved, "s3://results/kept", lake.QueryFinished, lake.DeliverySuccess},
		{cancelled, "s3://results/cancelled", lake.QueryCancelled, lake.DeliveryCancelled},
		{running, "s3://results/running", lake.QueryFailed, lake.DeliveryFailed},
	} {
		d := w.describe(t, w.root, tc.id)
		if d.QueryStatus != tc.status || d.DeliveryS3Uri != tc.uri || d.DeliveryStatus != tc.delivery {
			t.Errorf("after the restart: %s/%s %s, want %s/%s %s", d.QueryStatus, d.DeliveryStatus, d.DeliveryS3Uri, tc.status, tc.delivery, tc.uri)
		}
	}
}
