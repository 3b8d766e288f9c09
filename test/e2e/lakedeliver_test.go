//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// lakeResultsBucketPolicy is the bucket policy of "Amazon S3 bucket policy for CloudTrail Lake
// query results" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/s3-bucket-policy-lake-query-results.html)
// for bucket, in us-east-1.
func lakeResultsBucketPolicy(bucket string) string {
	cond := `"Condition":{"StringLike":{"aws:sourceAccount":"` + account + `","aws:sourceArn":"arn:aws:cloudtrail:us-east-1:` + account + `:eventdatastore/*"}}`
	return `{"Version":"2012-10-17","Statement":[
 {"Sid":"AWSCloudTrailLake1","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":["s3:PutObject*","s3:Abort*"],"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],` + cond + `},
 {"Sid":"AWSCloudTrailLake2","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::` + bucket + `",` + cond + `}]}`
}

// verifyQueryResultsPy validates a folder of saved results as the AWS CLI v2's
// verify-query-results does (awscli/customizations/cloudtrail/verifyqueryresults.py): each
// file's SHA-256 against the sign file, then the signature of the hash values joined by spaces
// with the DER public key ListPublicKeys returns for the fingerprint (argv: folder, the JSON of
// list-public-keys).
const verifyQueryResultsPy = `
import base64, binascii, hashlib, json, os, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import load_der_public_key
folder, keys = sys.argv[1], json.load(open(sys.argv[2]))["PublicKeyList"]
sign = json.load(open(os.path.join(folder, "result_sign.json")))
for f in sign["files"]:
    with open(os.path.join(folder, f["fileName"]), "rb") as fh:
        if hashlib.sha256(fh.read()).hexdigest() != f["fileHashValue"]:
            sys.exit("hash mismatch: " + f["fileName"])
key = [k for k in keys if k["Fingerprint"] == sign["publicKeyFingerprint"]][0]
load_der_public_key(base64.b64decode(key["Value"])).verify(binascii.unhexlify(sign["hashSignature"]),
    " ".join(f["fileHashValue"] for f in sign["files"]).encode(), PKCS1v15(), hashes.SHA256())
print("Successfully validated sign and query result files")
`

// TestLakeSavedQueryResultsCLI saves a query's results to S3 with both CLIs: start-query
// --delivery-s3-uri into a bucket with the page's policy; describe-query until DeliveryStatus is
// SUCCESS; aws s3 cp of the files; the gunzipped CSV holds get-query-results' rows; the sign file
// validates with the key from list-public-keys (in Go, and with python3's cryptography as the
// CLI v2 does when it is importable) and no longer does once a file is changed. A bucket without
// the policy is InsufficientS3BucketPolicyException at start-query.
func TestLakeSavedQueryResultsCLI(t *testing.T) {
	python := exec.Command("python3", "-c", "import cryptography").Run() == nil
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			arn := str(c.ok(t, s.url, root, "cloudtrail", "create-event-data-store", "--name", "audit"), "EventDataStoreArn")
			storeID := arn[strings.LastIndex(arn, "/")+1:]
			c.ok(t, s.url, root, "iam", "create-user", "--user-name", "saved-a")
			c.ok(t, s.url, root, "iam", "create-user", "--user-name", "saved,b")
			s.flush(t)
			c.ok(t, s.url, root, "s3api", "create-bucket", "--bucket", "lake-results")
			statement := "SELECT requestParameters['userName'] AS who, eventName FROM " + storeID + " WHERE eventName = 'CreateUser' ORDER BY who"
			c.fails(t, s.url, root, nil, "InsufficientS3BucketPolicyException", "cloudtrail", "start-query", "--query-statement", statement,
				"--delivery-s3-uri", "s3://lake-results/saved")
			c.ok(t, s.url, root, "s3api", "put-bucket-policy", "--bucket", "lake-results", "--policy", lakeResultsBucketPolicy("lake-results"))

			id := str(c.ok(t, s.url, root, "cloudtrail", "start-query", "--query-statement", statement, "--delivery-s3-uri", "s3://lake-results/saved"), "QueryId")
			for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
				d := c.ok(t, s.url, root, "cloudtrail", "describe-query", "--query-id", id)
				if str(d, "DeliveryStatus") == "SUCCESS" {
					if str(d, "QueryStatus") != "FINISHED" || str(d, "DeliveryS3Uri") != "s3://lake-results/saved" {
						t.Fatalf("describe-query = %v", d)
					}
					break
				}
				if str(d, "DeliveryStatus") != "PENDING" || time.Now().After(deadline) {
					t.Fatalf("describe-query %s = %v", id, d)
				}
			}
			res := c.ok(t, s.url, root, "cloudtrail", "get-query-results", "--query-id", id)
			want := [][]string{{"who", "eventName"}}
			rows, _ := res["QueryResultRows"].([]any)
			for _, row := range rows {
				cols, _ := row.([]any)
				who, _ := cols[0].(map[string]any)
				name, _ := cols[1].(map[string]any)
				want = append(want, []string{fmt.Sprint(who["who"]), fmt.Sprint(name["eventName"])})
			}
			if len(want) != 3 {
				t.Fatalf("get-query-results = %v", res)
			}

			dir := t.TempDir()
			c.succeeds(t, s.url, root, "s3", "cp", "--recursive", "s3://lake-results/saved/", dir)
			folder := filepath.Join(dir, "AWSLogs", account, "CloudTrail-Lake", "Query", time.Now().UTC().Format("2006/01/02"), id)
			gz, err := os.ReadFile(filepath.Join(folder, "result_1.csv.gz"))
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			got, err := csv.NewReader(zr).ReadAll()
			if err != nil || !slices.EqualFunc(got, want, slices.Equal) {
				t.Fatalf("CSV = %q, %v; want %q", got, err, want)
			}

			keysJSON := filepath.Join(t.TempDir(), "keys.json")
			keys := c.succeeds(t, s.url, root, "cloudtrail", "list-public-keys")
			if err := os.WriteFile(keysJSON, []byte(keys), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := verifySavedResults(folder, keys); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if python {
				if out, err := exec.Command("python3", "-c", verifyQueryResultsPy, folder, keysJSON).CombinedOutput(); err != nil {
					t.Fatalf("python3 verifier: %v\n%s", err, out)
				}
			}
			// A changed result file fails validation.
			saved, err := os.OpenRoot(folder)
			if err != nil {
				t.Fatal(err)
			}
			defer saved.Close()
			if err := saved.WriteFile("result_1.csv.gz", append(gz, 0), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := verifySavedResults(folder, keys); err == nil {
				t.Fatal("a changed result file validated")
			}
			if python {
				if out, err := exec.Command("python3", "-c", verifyQueryResultsPy, folder, keysJSON).CombinedOutput(); err == nil || !strings.Contains(string(out), "hash mismatch") {
					t.Fatalf("python3 verifier on a changed file: %v\n%s", err, out)
				}
			}
		})
	}
}

// verifySavedResults is the verifier of "Custom implementations of CloudTrail query result file
// integrity validation" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-results-file-custom-validation.html)
// over a local folder, with list-public-keys' JSON.
func verifySavedResults(folder, keysJSON string) error {
	raw, err := os.ReadFile(filepath.Join(folder, "result_sign.json"))
	if err != nil {
		return err
	}
	var sign struct {
		Files []struct {
			FileHashValue string `json:"fileHashValue"`
			FileName      string `json:"fileName"`
		} `json:"files"`
		HashSignature        string `json:"hashSignature"`
		PublicKeyFingerprint string `json:"publicKeyFingerprint"`
	}
	if err := json.Unmarshal(raw, &sign); err != nil {
		return err
	}
	var hashes []string
	for _, f := range sign.Files {
		b, err := os.ReadFile(filepath.Join(folder, f.FileName))
		if err != nil {
			return err
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != f.FileHashValue {
			return errors.New("hash mismatch: " + f.FileName)
		}
		hashes = append(hashes, f.FileHashValue)
	}
	var keys struct {
		PublicKeyList []struct{ Value, Fingerprint string }
	}
	if err := json.Unmarshal([]byte(keysJSON), &keys); err != nil {
		return err
	}
	for _, k := range keys.PublicKeyList {
		if k.Fingerprint != sign.PublicKeyFingerprint {
			continue
		}
		der, err := base64.StdEncoding.DecodeString(k.Value)
		if err != nil {
			return err
		}
		pub, err := x509.ParsePKCS1PublicKey(der)
		if err != nil {
			return err
		}
		sig, err := hex.DecodeString(sign.HashSignature)
		if err != nil {
			return err
		}
		sum := sha256.Sum256([]byte(strings.Join(hashes, " ")))
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig)
	}
	return errors.New("no public key with fingerprint " + sign.PublicKeyFingerprint)
}
