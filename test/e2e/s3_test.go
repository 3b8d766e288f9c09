package e2e

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestS3CLI: both CLIs upload a 12 MiB file with SSE-KMS (a multipart upload) and download it
// intact; a reader whose own policy allows s3:GetObject but not kms:Decrypt gets AccessDenied,
// and the object once it may decrypt through S3.
func TestS3CLI(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, t.TempDir())
			dir := t.TempDir()
			src := filepath.Join(dir, "big.bin")
			data := make([]byte, 12<<20+321)
			rand.Read(data)
			os.WriteFile(src, data, 0o600)
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
		})
	}
}
