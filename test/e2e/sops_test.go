//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sopsPath is sops as make test installs it: $(go env GOPATH)/bin/sops, pinned.
func sopsPath(t *testing.T) string {
	t.Helper()
	goenv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	dir := goenv("GOBIN")
	if dir == "" {
		dir = filepath.Join(goenv("GOPATH"), "bin")
	}
	path := filepath.Join(dir, "sops")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("sops is not installed (make test installs it): %v", err)
	}
	return path
}

// TestSops: a file encrypted with sops under a keytrail KMS key decrypts again; a user whose
// key policy grants nothing cannot decrypt it.
func TestSops(t *testing.T) {
	sops := sopsPath(t)
	s := startServer(t, t.TempDir())
	c := clis[0]
	arn := str(c.ok(t, s.url, root, "kms", "create-key", "--description", "sops"), "KeyMetadata", "Arn")
	dir := t.TempDir()
	plain := filepath.Join(dir, "secrets.yaml")
	check(t, os.WriteFile(plain, []byte("db:\n    password: hunter2\n"), 0o600))
	run := func(k keys, args ...string) (string, string, error) {
		cmd := exec.Command(sops, args...)
		cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=" + k.id, "AWS_SECRET_ACCESS_KEY=" + k.secret,
			"AWS_REGION=us-east-1", "AWS_ENDPOINT_URL_KMS=" + s.url, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	enc, stderr, err := run(root, "--encrypt", "--kms", arn, plain)
	if err != nil || !strings.Contains(enc, "ENC[AES256_GCM,") || !strings.Contains(enc, arn) || strings.Contains(enc, "hunter2") {
		t.Fatalf("sops --encrypt: %v\n%s\n%s", err, stderr, enc)
	}
	encrypted := filepath.Join(dir, "secrets.enc.yaml")
	check(t, os.WriteFile(encrypted, []byte(enc), 0o600))
	out, stderr, err := run(root, "--decrypt", encrypted)
	if err != nil || out != "db:\n    password: hunter2\n" {
		t.Fatalf("sops --decrypt: %v\n%s\n%q", err, stderr, out)
	}
	intruder := c.newUser(t, s.url, root, "intruder")
	if out, stderr, err := run(intruder, "--decrypt", encrypted); err == nil || strings.Contains(out, "hunter2") || !strings.Contains(stderr, "AccessDeniedException") {
		t.Fatalf("an unauthorized user decrypted: %v\n%s\n%s", err, stderr, out)
	}
}
