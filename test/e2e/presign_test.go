//go:build e2e

package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// presignURL runs `aws s3 presign` with the CLI c, as k, with AWS_CONFIG_FILE set to config
// ("": no configuration), and returns the URL it prints.
func presignURL(t *testing.T, c cli, url string, k keys, config string, args ...string) string {
	t.Helper()
	argv := []string{c.path}
	endpoint := url
	if !c.envEndpoint {
		argv, endpoint = append(argv, "--endpoint-url", url), ""
	}
	argv = append(argv, "s3", "presign")
	argv = append(argv, args...)
	env := awsEnv(t, k, endpoint)
	if config != "" {
		env = append(env, "AWS_CONFIG_FILE="+config) // the last value of a key wins
	}
	r := runProcess(t, argv, env)
	if r.code != 0 {
		t.Fatalf("%s s3 presign: exit %d\n%s", c.name, r.code, r.err)
	}
	return strings.TrimSpace(r.out)
}

// fetch GETs url, with the Authorization header auth unless it is "", and returns the status and body.
func fetch(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// wantFetch fails unless GET url answers status with every fragment in its body.
func wantFetch(t *testing.T, url, auth string, status int, fragments ...string) {
	t.Helper()
	got, body := fetch(t, url, auth)
	if got != status {
		t.Fatalf("GET %s: status %d, want %d\n%s", url, got, status, body)
	}
	for _, f := range fragments {
		if !strings.Contains(body, f) {
			t.Fatalf("GET %s: body lacks %q\n%s", url, f, body)
		}
	}
}

// `aws s3 presign`: CLI v1 signs with Signature Version 2 unless told s3v4, and S3 refuses SigV2
// as it does for buckets created since 2020; with s3v4 configured, and with CLI v2 (which signs
// SigV4), the URL returns the object.
func TestPresign(t *testing.T) {
	s := startServer(t, t.TempDir())
	v1, v2 := clis[0], clis[1]
	const content = "presigned hello\n"
	file := filepath.Join(t.TempDir(), "hello.txt")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	v1.succeeds(t, s.url, root, "s3", "mb", "s3://presign")
	v1.succeeds(t, s.url, root, "s3", "cp", file, "s3://presign/hello.txt")

	t.Run("v1 default: Signature Version 2 is refused", func(t *testing.T) {
		u := presignURL(t, v1, s.url, root, "", "s3://presign/hello.txt")
		if !strings.Contains(u, "AWSAccessKeyId=") || !strings.Contains(u, "Signature=") || !strings.Contains(u, "Expires=") {
			t.Fatalf("CLI v1 presigned %s; expected a Signature Version 2 URL", u)
		}
		wantFetch(t, u, "", http.StatusBadRequest, "<Code>InvalidRequest</Code>",
			"<Message>The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.</Message>")
	})

	t.Run("v1 with s3 signature_version = s3v4 in the config file", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "config")
		if err := os.WriteFile(config, []byte("[default]\ns3 =\n    signature_version = s3v4\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		u := presignURL(t, v1, s.url, root, config, "s3://presign/hello.txt", "--expires-in", "600")
		if !strings.Contains(u, "X-Amz-Algorithm=AWS4-HMAC-SHA256") || !strings.Contains(u, "X-Amz-Expires=600") {
			t.Fatalf("CLI v1 with s3v4 presigned %s", u)
		}
		wantFetch(t, u, "", http.StatusOK, content)
	})

	t.Run("v1 with aws configure set default.s3.signature_version s3v4", func(t *testing.T) {
		config := filepath.Join(t.TempDir(), "config")
		env := append(awsEnv(t, root, s.url), "AWS_CONFIG_FILE="+config)
		if r := runProcess(t, []string{v1.path, "configure", "set", "default.s3.signature_version", "s3v4"}, env); r.code != 0 {
			t.Fatalf("aws configure set: exit %d\n%s", r.code, r.err)
		}
		u := presignURL(t, v1, s.url, root, config, "s3://presign/hello.txt")
		wantFetch(t, u, "", http.StatusOK, content)
	})

	t.Run("v2 signs SigV4, also with LocalStack's test key", func(t *testing.T) {
		u := presignURL(t, v2, s.url, root, "", "s3://presign/hello.txt")
		if !strings.Contains(u, "X-Amz-Algorithm=AWS4-HMAC-SHA256") {
			t.Fatalf("CLI v2 presigned %s", u)
		}
		wantFetch(t, u, "", http.StatusOK, content)
		// A presigned URL sent with an Authorization header too: one mechanism only.
		wantFetch(t, u, "Bearer not-for-s3", http.StatusBadRequest, "<Code>InvalidArgument</Code>",
			"<ArgumentName>Authorization</ArgumentName><ArgumentValue>Bearer not-for-s3</ArgumentValue>")

		test := keys{"test", "test", ""}
		v2.succeeds(t, s.url, test, "s3", "mb", "s3://localstack-presign")
		v2.succeeds(t, s.url, test, "s3", "cp", file, "s3://localstack-presign/hello.txt")
		wantFetch(t, presignURL(t, v2, s.url, test, "", "s3://localstack-presign/hello.txt"), "", http.StatusOK, content)
	})

	t.Run("longer than a week is refused when used", func(t *testing.T) {
		u := presignURL(t, v2, s.url, root, "", "s3://presign/hello.txt", "--expires-in", "604801")
		wantFetch(t, u, "", http.StatusForbidden, "<Code>AuthorizationQueryParametersError</Code>",
			"X-Amz-Expires must be less than a week (in seconds) that is 604800")
	})
}
