//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestS3CLI: both CLIs upload a 12 MiB file with SSE-KMS (a multipart upload) and download it
// intact, and copy it between buckets and back. A reader whose own policy allows s3:GetObject but
// not kms:Decrypt gets AccessDenied, and the object once its policy allows kms:Decrypt; another
// gets the object once the key policy grants it kms:Decrypt through S3 (and still cannot decrypt
// directly).
func TestS3CLI(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			dir := t.TempDir()
			src := filepath.Join(dir, "big.bin")
			data := make([]byte, 12<<20+321)
			rand.Read(data)
			check(t, os.WriteFile(src, data, 0o600))
			key := str(c.ok(t, s.url, root, "kms", "create-key"), "KeyMetadata", "Arn")
			c.succeeds(t, s.url, root, "s3", "mb", "s3://e2e-logs")
			c.succeeds(t, s.url, root, "s3", "cp", src, "s3://e2e-logs/dir/big.bin", "--sse", "aws:kms", "--sse-kms-key-id", key, "--only-show-errors")
			head := c.ok(t, s.url, root, "s3api", "head-object", "--bucket", "e2e-logs", "--key", "dir/big.bin")
			if str(head, "ServerSideEncryption") != "aws:kms" || str(head, "SSEKMSKeyId") != key {
				t.Fatalf("head-object = %v", head)
			}
			if out := c.succeeds(t, s.url, root, "s3", "ls", "s3://e2e-logs/dir/"); !bytes.Contains([]byte(out), []byte("big.bin")) {
				t.Fatalf("s3 ls: %s", out)
			}
			dst := filepath.Join(dir, "back.bin")
			c.succeeds(t, s.url, root, "s3", "cp", "s3://e2e-logs/dir/big.bin", dst, "--only-show-errors")
			if back, _ := os.ReadFile(dst); !bytes.Equal(back, data) {
				t.Fatalf("downloaded %d bytes, not the %d uploaded", len(back), len(data))
			}

			// Between buckets: a multipart copy (UploadPartCopy) re-encrypted under the copy's
			// bucket default (SSE-S3), then a single CopyObject back under the KMS key.
			c.succeeds(t, s.url, root, "s3", "mb", "s3://e2e-copies")
			c.succeeds(t, s.url, root, "s3", "cp", "s3://e2e-logs/dir/big.bin", "s3://e2e-copies/big.bin", "--only-show-errors")
			if h := c.ok(t, s.url, root, "s3api", "head-object", "--bucket", "e2e-copies", "--key", "big.bin"); str(h, "ServerSideEncryption") != "AES256" {
				t.Fatalf("the copy's head-object = %v", h)
			}
			c.ok(t, s.url, root, "s3api", "copy-object", "--bucket", "e2e-logs", "--key", "dir/again.bin", "--copy-source", "e2e-copies/big.bin",
				"--server-side-encryption", "aws:kms", "--ssekms-key-id", key)
			again := filepath.Join(dir, "again.bin")
			c.succeeds(t, s.url, root, "s3", "cp", "s3://e2e-logs/dir/again.bin", again, "--only-show-errors")
			if back, _ := os.ReadFile(again); !bytes.Equal(back, data) {
				t.Fatal("the copy of the copy differs")
			}

			reader := c.newUser(t, s.url, root, "reader")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "reader", "--policy-name", "read",
				"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::e2e-logs/*"}]}`)
			out := filepath.Join(dir, "reader.bin")
			c.fails(t, s.url, reader, nil, "AccessDenied", "s3api", "get-object", "--bucket", "e2e-logs", "--key", "dir/big.bin", out)
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "reader", "--policy-name", "decrypt",
				"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"`+key+`"}]}`)
			c.ok(t, s.url, reader, "s3api", "get-object", "--bucket", "e2e-logs", "--key", "dir/big.bin", out)
			if back, _ := os.ReadFile(out); !bytes.Equal(back, data) {
				t.Fatal("the reader's copy differs")
			}

			// A reader whose kms:Decrypt comes from the key policy (through S3 only), not from
			// its own policies.
			keyReader := c.newUser(t, s.url, root, "key-reader")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "key-reader", "--policy-name", "read",
				"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::e2e-logs/*"}]}`)
			c.fails(t, s.url, keyReader, nil, "AccessDenied", "s3api", "get-object", "--bucket", "e2e-logs", "--key", "dir/big.bin", out)
			c.ok(t, s.url, root, "kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy", keyPolicy(
				`{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::`+account+`:root"}, "Action": "kms:*", "Resource": "*"}`,
				`{"Sid": "Decrypt through S3", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::`+account+`:user/key-reader"}, "Action": "kms:Decrypt", "Resource": "*",
				  "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}}}`))
			os.Remove(out)
			c.ok(t, s.url, keyReader, "s3api", "get-object", "--bucket", "e2e-logs", "--key", "dir/big.bin", out)
			if back, _ := os.ReadFile(out); !bytes.Equal(back, data) {
				t.Fatal("the key-policy reader's copy differs")
			}
			// The same grant does not let it decrypt outside S3.
			ct := c.encrypt(t, s.url, root, key, "")
			c.fails(t, s.url, keyReader, nil, "AccessDeniedException", decryptArgs(ct, "")...)
		})
	}
}

// peakRSS is a process's peak resident set size (VmHWM), in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}

// s3Request signs an S3 request for the root with an unsigned payload, as clients stream bodies.
func s3Request(t *testing.T, method, url string, body io.Reader, size int64, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = size
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: root.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// TestS3StreamsAGiB: a 1 GiB object goes up in one PutObject and comes back in one GetObject,
// SSE-KMS both ways, intact (its MD5 is the ETag), while keytrail's peak resident memory stays a
// small fraction of the object: bodies stream through, segment by segment.
func TestS3StreamsAGiB(t *testing.T) {
	const size = 1 << 30
	const bound = 64 << 20 // keytrail's peak RSS, whole process
	s := startServer(t, t.TempDir())
	c := clis[0]
	key := str(c.ok(t, s.url, root, "kms", "create-key"), "KeyMetadata", "Arn")
	c.succeeds(t, s.url, root, "s3", "mb", "s3://gib")

	up := md5.New()
	body := io.TeeReader(io.LimitReader(mrand.NewChaCha8([32]byte{7}), size), up)
	resp := s3Request(t, "PUT", s.url+"/gib/one.bin", body, size, map[string]string{
		"X-Amz-Server-Side-Encryption": "aws:kms", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": key})
	_, err := io.Copy(io.Discard, resp.Body)
	check(t, err)
	resp.Body.Close()
	want := `"` + hex.EncodeToString(up.Sum(nil)) + `"`
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != want {
		t.Fatalf("PutObject: %s, ETag %s, want %s", resp.Status, resp.Header.Get("ETag"), want)
	}

	resp = s3Request(t, "GET", s.url+"/gib/one.bin", nil, 0, nil)
	down := md5.New()
	n, err := io.Copy(down, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || n != size || `"`+hex.EncodeToString(down.Sum(nil))+`"` != want {
		t.Fatalf("GetObject: %s, %d bytes, %v; MD5 differs: %v", resp.Status, n, err, `"`+hex.EncodeToString(down.Sum(nil))+`"` != want)
	}
	peak := peakRSS(t, s.cmd.Process.Pid)
	t.Logf("keytrail's peak RSS over a 1 GiB PutObject and GetObject: %d MiB", peak>>20)
	if peak > bound {
		t.Fatalf("keytrail's peak RSS %d MiB exceeds %d MiB", peak>>20, bound>>20)
	}
}
