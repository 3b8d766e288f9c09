package cloudtrail_test

import (
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	ct "github.com/keytrail/keytrail/internal/cloudtrail"
)

// The data-to-sign of https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html: end time, bucket/key, the hex SHA-256 of the uncompressed digest,
// the previous signature or "null"; newline-joined, no trailing newline.
func TestDataToSign(t *testing.T) {
	digest := []byte(`{"awsAccountId":"111122223333"}`)
	sum := sha256.Sum256(digest)
	prev := "3a1b"
	for _, c := range []struct {
		prev *string
		want string
	}{
		{nil, "2024-01-01T01:00:00Z\nb1/AWSLogs/k.json.gz\n" + hex.EncodeToString(sum[:]) + "\nnull"},
		{&prev, "2024-01-01T01:00:00Z\nb1/AWSLogs/k.json.gz\n" + hex.EncodeToString(sum[:]) + "\n3a1b"},
	} {
		if got := string(ct.DataToSign("2024-01-01T01:00:00Z", "b1", "AWSLogs/k.json.gz", digest, c.prev)); got != c.want {
			t.Errorf("DataToSign = %q, want %q", got, c.want)
		}
	}
	if got := ct.DigestKey("p", "111122223333", "us-west-2", "t1", "us-east-1", time.Date(2015, 8, 17, 15, 1, 31, 0, time.UTC)); got !=
		"p/AWSLogs/111122223333/CloudTrail-Digest/us-west-2/2015/08/17/111122223333_CloudTrail-Digest_us-west-2_t1_us-east-1_20150817T150131Z.json.gz" {
		t.Errorf("DigestKey = %s", got)
	}
}

type digest struct {
	ct.DigestFile
	raw       []byte
	signature string
	key       string
}

func digests(t *testing.T, r *running) []digest {
	t.Helper()
	var out []digest
	c := r.s3()
	list, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("logs"), Prefix: aws.String("AWSLogs/" + account + "/CloudTrail-Digest/")})
	check(t, err)
	for _, o := range list.Contents {
		obj, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("logs"), Key: o.Key})
		check(t, err)
		raw := gunzipBody(t, obj.Body)
		var d digest
		check(t, json.Unmarshal(raw, &d.DigestFile))
		d.raw, d.signature, d.key = raw, obj.Metadata["signature"], aws.ToString(o.Key)
		out = append(out, d)
	}
	return out
}

// verify checks a digest's signature with the region's listed public key of its fingerprint.
func verify(t *testing.T, trails *cloudtrail.Client, d digest) {
	t.Helper()
	keys, err := trails.ListPublicKeys(context.Background(), &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now().Add(time.Hour))})
	check(t, err)
	for _, k := range keys.PublicKeyList {
		if aws.ToString(k.Fingerprint) != d.DigestPublicKeyFingerprint {
			continue
		}
		if sum := md5.Sum(k.Value); hex.EncodeToString(sum[:]) != aws.ToString(k.Fingerprint) {
			t.Fatalf("fingerprint %s is not the MD5 of the DER key", aws.ToString(k.Fingerprint))
		}
		pub, err := x509.ParsePKCS1PublicKey(k.Value)
		check(t, err)
		h := sha256.Sum256(ct.DataToSign(d.DigestEndTime, d.DigestS3Bucket, d.DigestS3Object, d.raw, d.PreviousDigestSignature))
		sig, _ := hex.DecodeString(d.signature)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			t.Fatalf("digest %s: %v", d.key, err)
		}
		return
	}
	t.Fatalf("no public key with fingerprint %s", d.DigestPublicKeyFingerprint)
}

// Digests chain across a restart; the first after validation is turned on, and after logging
// restarts, is a starting digest; a digest covers the files delivered since the last one, and an
// empty one lists none.
func TestDigestChain(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	r := open(t, dir)
	r.logsBucket(t)
	trails := func() *cloudtrail.Client { return r.trails() }
	users := func() *iam.Client {
		return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds()})
	}
	_, err := trails().CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String("management"), S3BucketName: aws.String("logs")})
	check(t, err)
	_, err = trails().StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")})
	check(t, err)
	if sum, _ := r.a.CloudTrail.Deliver(ctx); sum.DigestFiles != 0 {
		t.Fatal("a trail without validation wrote a digest")
	}
	_, err = trails().UpdateTrail(ctx, &cloudtrail.UpdateTrailInput{Name: aws.String("management"), EnableLogFileValidation: aws.Bool(true)})
	check(t, err)
	_, err = users().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("u1")})
	check(t, err)
	if sum, err := r.a.CloudTrail.Deliver(ctx); err != nil || sum.DigestFiles != 1 || sum.LogFiles != 1 {
		t.Fatalf("first flush = %+v, %v", sum, err)
	}
	r.close()
	r = open(t, dir)
	defer func() { r.close() }()
	if sum, err := r.a.CloudTrail.Deliver(ctx); err != nil || sum.DigestFiles != 1 || sum.LogFiles != 0 {
		t.Fatalf("second flush = %+v, %v", sum, err)
	}
	st, err := trails().GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String("management")})
	check(t, err)
	if st.LatestDigestDeliveryTime == nil || st.LatestDigestDeliveryError != nil {
		t.Fatalf("status: digest time %v error %v", st.LatestDigestDeliveryTime, st.LatestDigestDeliveryError)
	}
	// Logging stops (a final digest) and starts again (a starting digest).
	_, err = trails().StopLogging(ctx, &cloudtrail.StopLoggingInput{Name: aws.String("management")})
	check(t, err)
	_, err = trails().StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String("management")})
	check(t, err)
	if sum, err := r.a.CloudTrail.Deliver(ctx); err != nil || sum.DigestFiles != 1 {
		t.Fatalf("flush after restarting logging = %+v, %v", sum, err)
	}
	ds := digests(t, r)
	if len(ds) != 4 {
		t.Fatalf("%d digests, want 4", len(ds))
	}
	for _, d := range ds {
		verify(t, trails(), d)
		if d.DigestS3Object != d.key || d.DigestSignatureAlgorithm != "SHA256withRSA" || d.AWSAccountID != account {
			t.Fatalf("digest %s = %+v", d.key, d.DigestFile)
		}
	}
	first, second, final, restart := ds[0], ds[1], ds[2], ds[3]
	if first.PreviousDigestS3Object != nil || first.PreviousDigestSignature != nil || first.PreviousDigestHashValue != nil {
		t.Fatalf("the first digest is not a starting digest: %+v", first.DigestFile)
	}
	if len(first.LogFiles) != 1 || first.NewestEventTime == nil || first.LogFiles[0].HashAlgorithm != "SHA-256" {
		t.Fatalf("the first digest's log files: %+v", first.LogFiles)
	}
	// The log file's hash is of its uncompressed bytes.
	obj, err := r.s3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String(first.LogFiles[0].S3Object)})
	check(t, err)
	if sum := sha256.Sum256(gunzipBody(t, obj.Body)); hex.EncodeToString(sum[:]) != first.LogFiles[0].HashValue {
		t.Fatal("the digest's hash is not the SHA-256 of the uncompressed log file")
	}
	firstHash := sha256.Sum256(first.raw)
	if second.PreviousDigestS3Object == nil || *second.PreviousDigestS3Object != first.key || *second.PreviousDigestSignature != first.signature ||
		*second.PreviousDigestHashValue != hex.EncodeToString(firstHash[:]) || *second.PreviousDigestHashAlgorithm != "SHA-256" || second.DigestStartTime != first.DigestEndTime {
		t.Fatalf("the chain across the restart: %+v", second.DigestFile)
	}
	if len(second.LogFiles) != 0 || second.NewestEventTime != nil || second.OldestEventTime != nil {
		t.Fatalf("an empty digest: %+v", second.DigestFile)
	}
	if final.PreviousDigestS3Object == nil || *final.PreviousDigestS3Object != second.key || len(final.LogFiles) == 0 {
		t.Fatalf("the final digest at StopLogging: %+v", final.DigestFile)
	}
	if restart.PreviousDigestS3Object != nil || restart.PreviousDigestSignature != nil {
		t.Fatalf("the digest after logging restarted is not a starting digest: %+v", restart.DigestFile)
	}
	// Deleting the trail writes its final digest, chained to the last.
	_, err = trails().DeleteTrail(ctx, &cloudtrail.DeleteTrailInput{Name: aws.String("management")})
	check(t, err)
	ds = digests(t, r)
	if len(ds) != 5 || ds[4].PreviousDigestS3Object == nil || *ds[4].PreviousDigestS3Object != restart.key {
		t.Fatalf("after DeleteTrail: %d digests", len(ds))
	}
	verify(t, trails(), ds[4])
}

// The signing key of a region rotates; ListPublicKeys lists the keys valid in the range asked.
func TestSigningKeysRotate(t *testing.T) {
	r := open(t, t.TempDir())
	defer r.close()
	now := time.Now().UTC()
	a, err := ct.SigningKeyFingerprint(r.a.CloudTrail, "us-east-1", now)
	check(t, err)
	again, err := ct.SigningKeyFingerprint(r.a.CloudTrail, "us-east-1", now.Add(time.Hour))
	check(t, err)
	later, err := ct.SigningKeyFingerprint(r.a.CloudTrail, "us-east-1", now.Add(31*24*time.Hour))
	check(t, err)
	west, err := ct.SigningKeyFingerprint(r.a.CloudTrail, "us-west-2", now)
	check(t, err)
	if a != again || a == later || a == west {
		t.Fatalf("fingerprints: now %s, in an hour %s, in 31 days %s, us-west-2 %s", a, again, later, west)
	}
	trails := cloudtrail.New(cloudtrail.Options{Region: "us-east-1", BaseEndpoint: aws.String(r.srv.URL), Credentials: creds()})
	list := func(from, to time.Time) []string {
		out, err := trails.ListPublicKeys(context.Background(), &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(from), EndTime: aws.Time(to)})
		check(t, err)
		var fps []string
		for _, k := range out.PublicKeyList {
			fps = append(fps, aws.ToString(k.Fingerprint))
			if _, err := x509.ParsePKCS1PublicKey(k.Value); err != nil {
				t.Fatalf("ListPublicKeys Value is not DER PKCS#1: %v", err)
			}
		}
		return fps
	}
	if got := list(now, now.Add(time.Hour)); len(got) != 1 || got[0] != a {
		t.Fatalf("keys for the next hour: %v", got)
	}
	if got := list(now, now.Add(40*24*time.Hour)); len(got) != 2 {
		t.Fatalf("keys for 40 days: %v", got)
	}
	_, err = trails.ListPublicKeys(context.Background(), &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	if err == nil {
		t.Fatal("a reversed range was accepted")
	}
}
