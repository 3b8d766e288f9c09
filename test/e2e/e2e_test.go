//go:build e2e

// Package e2e starts a real `keytrail serve` and drives it with real clients: the AWS CLI on PATH
// (v1, botocore 1.43) and Debian's /usr/bin/aws (2.9.19). `make test` installs what is missing.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/keytrail/keytrail/internal/sigv4"
	"github.com/keytrail/keytrail/internal/store"
	"github.com/keytrail/keytrail/internal/store/bolt"
)

const (
	account = "111122223333"
	other   = "444455556666" // another account
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "keytrail-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "keytrail")
	// Progress on standard error: the build takes minutes from a cold cache (DuckDB's cgo).
	start := time.Now()
	fmt.Fprintln(os.Stderr, "building keytrail")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/keytrail")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build keytrail:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "built keytrail in %s\n", time.Since(start).Round(100*time.Millisecond))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `keytrail serve`.
type server struct {
	cmd  *exec.Cmd
	url  string
	data string
	logs *bytes.Buffer
	done chan error
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startServer(t *testing.T, data string) *server {
	t.Helper()
	addr := freePort(t)
	s := &server{url: "http://" + addr, data: data, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	// Trails deliver only when a test flushes, so what a flush delivers is known.
	s.cmd = exec.Command(binary, "serve", "--addr", addr, "--data", data, "--delivery-interval", "24h")
	s.cmd.Env = append(os.Environ(), "KEYTRAIL_LOG_FORMAT=json")
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { s.kill() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.url + "/_keytrail/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
	}
	t.Fatalf("keytrail did not become healthy:\n%s", s.logs.String())
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("keytrail exited with %v after SIGTERM:\n%s", err, s.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("keytrail did not stop after SIGTERM")
	}
	s.cmd = nil
}

// kill sends SIGKILL (kill -9) and waits.
func (s *server) kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// cli is one AWS CLI installation.
type cli struct {
	name string
	path string
	// envEndpoint: the CLI honours AWS_ENDPOINT_URL (v1 with botocore ≥ 1.31); otherwise --endpoint-url.
	envEndpoint bool
}

var clis = []cli{
	{name: "aws-cli-v1", path: "aws", envEndpoint: true},
	{name: "aws-cli-2.9.19", path: "/usr/bin/aws", envEndpoint: false},
}

type keys struct{ id, secret, token string }

var root = keys{account, "test", ""}

type result struct {
	out, err string
	code     int
}

// run runs the CLI against url with the credentials; prefix (e.g. faketime) wraps the command.
func (c cli) run(t *testing.T, url string, k keys, prefix []string, args ...string) result {
	t.Helper()
	argv := append([]string{}, prefix...)
	argv = append(argv, c.path)
	if !c.envEndpoint {
		argv = append(argv, "--endpoint-url", url)
	}
	argv = append(argv, "--output", "json")
	argv = append(argv, args...)
	endpoint := ""
	if c.envEndpoint {
		endpoint = url
	}
	return runProcess(t, argv, awsEnv(t, k, endpoint))
}

// runProcess runs argv with the environment env: its output and exit status.
func runProcess(t *testing.T, argv, env []string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", argv, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// awsEnv is the whole environment of an AWS client process: k's credentials, us-east-1, no
// configuration files, one attempt, and the endpoint (for both CloudTrail and S3) unless empty.
func awsEnv(t *testing.T, k keys, endpoint string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CA_BUNDLE=" + os.Getenv("AWS_CA_BUNDLE"),
		"AWS_ACCESS_KEY_ID=" + k.id, "AWS_SECRET_ACCESS_KEY=" + k.secret, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=", "AWS_MAX_ATTEMPTS=1",
	}
	if k.token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+k.token)
	}
	if endpoint != "" {
		env = append(env, "AWS_ENDPOINT_URL="+endpoint, "AWS_ENDPOINT_URL_S3="+endpoint)
	}
	return env
}

// newUser creates an IAM user with an access key, as the account k signs for, and returns the
// user's credentials.
func (c cli) newUser(t *testing.T, url string, k keys, name string) keys {
	t.Helper()
	c.ok(t, url, k, "iam", "create-user", "--user-name", name)
	out := c.ok(t, url, k, "iam", "create-access-key", "--user-name", name)
	return keys{str(out, "AccessKey", "AccessKeyId"), str(out, "AccessKey", "SecretAccessKey"), ""}
}

// succeeds runs a CLI command whose output is not JSON (aws s3 …) and requires success.
func (c cli) succeeds(t *testing.T, url string, k keys, args ...string) string {
	t.Helper()
	r := c.run(t, url, k, nil, args...)
	if r.code != 0 {
		t.Fatalf("%s %v: exit %d\n%s", c.name, args, r.code, r.err)
	}
	return r.out
}

// ok runs the CLI, requires success and decodes its JSON output.
func (c cli) ok(t *testing.T, url string, k keys, args ...string) map[string]any {
	t.Helper()
	r := c.run(t, url, k, nil, args...)
	if r.code != 0 {
		t.Fatalf("%s %v: exit %d\n%s", c.name, args, r.code, r.err)
	}
	out := map[string]any{}
	if strings.TrimSpace(r.out) != "" {
		if err := json.Unmarshal([]byte(r.out), &out); err != nil {
			t.Fatalf("%s %v: output is not JSON: %s", c.name, args, r.out)
		}
	}
	return out
}

// fails runs the CLI and requires it to fail with the AWS error code.
func (c cli) fails(t *testing.T, url string, k keys, prefix []string, code string, args ...string) {
	t.Helper()
	r := c.run(t, url, k, prefix, args...)
	if r.code == 0 || !strings.Contains(r.err, "("+code+")") {
		t.Fatalf("%s %v: exit %d, stderr %q; want the error %s", c.name, args, r.code, r.err, code)
	}
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

const userPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadLogs","Effect":"Allow","Action":["kms:Decrypt","kms:ReEncryptFrom"],"Resource":"*","Condition":{"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":"arn:aws:cloudtrail:*:111122223333:trail/*"}}}]}`

// trustPolicy names alice herself: in the role's own account that is enough to assume it, without
// an identity policy of hers.
const trustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`

func TestCLI(t *testing.T) {
	for _, c := range clis {
		t.Run(c.name, func(t *testing.T) {
			if _, err := exec.LookPath(c.path); err != nil {
				t.Fatalf("%s is not installed (make test installs it): %v", c.path, err)
			}
			data := t.TempDir()
			s := startServer(t, data)

			who := c.ok(t, s.url, root, "sts", "get-caller-identity")
			if str(who, "Arn") != "arn:aws:iam::111122223333:root" || str(who, "Account") != account {
				t.Fatalf("root caller = %v", who)
			}

			c.ok(t, s.url, root, "iam", "create-user", "--user-name", "alice")
			key := c.ok(t, s.url, root, "iam", "create-access-key", "--user-name", "alice")
			alice := keys{str(key, "AccessKey", "AccessKeyId"), str(key, "AccessKey", "SecretAccessKey"), ""}
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "alice", "--policy-name", "read-logs", "--policy-document", userPolicy)
			got := c.ok(t, s.url, root, "iam", "get-user-policy", "--user-name", "alice", "--policy-name", "read-logs")
			var want any
			check(t, json.Unmarshal([]byte(userPolicy), &want))
			if gotDoc, _ := json.Marshal(got["PolicyDocument"]); string(gotDoc) != mustJSON(want) {
				t.Fatalf("policy document round trip: %s", gotDoc)
			}
			if str(c.ok(t, s.url, alice, "sts", "get-caller-identity"), "Arn") != "arn:aws:iam::111122223333:user/alice" {
				t.Fatal("alice's identity is wrong")
			}

			c.ok(t, s.url, root, "iam", "create-role", "--role-name", "log-reader", "--assume-role-policy-document", trustPolicy)
			assumed := c.ok(t, s.url, alice, "sts", "assume-role", "--role-arn", "arn:aws:iam::111122223333:role/log-reader",
				"--role-session-name", "e2e", "--duration-seconds", "900")
			session := keys{str(assumed, "Credentials", "AccessKeyId"), str(assumed, "Credentials", "SecretAccessKey"), str(assumed, "Credentials", "SessionToken")}
			if got := str(c.ok(t, s.url, session, "sts", "get-caller-identity"), "Arn"); got != "arn:aws:sts::111122223333:assumed-role/log-reader/e2e" {
				t.Fatalf("session caller = %s", got)
			}

			// A role in an instance profile is deleted only once it is removed from it.
			c.ok(t, s.url, root, "iam", "create-role", "--role-name", "web", "--assume-role-policy-document", trustPolicy)
			c.ok(t, s.url, root, "iam", "create-instance-profile", "--instance-profile-name", "web", "--path", "/ec2/")
			c.ok(t, s.url, root, "iam", "add-role-to-instance-profile", "--instance-profile-name", "web", "--role-name", "web")
			profiles := c.ok(t, s.url, root, "iam", "list-instance-profiles-for-role", "--role-name", "web")["InstanceProfiles"].([]any)
			if len(profiles) != 1 || str(profiles[0].(map[string]any), "Arn") != "arn:aws:iam::111122223333:instance-profile/ec2/web" {
				t.Fatalf("list-instance-profiles-for-role = %v", profiles)
			}
			c.fails(t, s.url, root, nil, "DeleteConflict", "iam", "delete-role", "--role-name", "web")
			c.ok(t, s.url, root, "iam", "remove-role-from-instance-profile", "--instance-profile-name", "web", "--role-name", "web")
			c.ok(t, s.url, root, "iam", "delete-role", "--role-name", "web")
			c.ok(t, s.url, root, "iam", "delete-instance-profile", "--instance-profile-name", "web")
			c.fails(t, s.url, root, nil, "NoSuchEntity", "iam", "get-instance-profile", "--instance-profile-name", "web")

			// Refusals, each with the contract's error.
			c.fails(t, s.url, keys{alice.id, strings.Repeat("A", 40), ""}, nil, "SignatureDoesNotMatch", "sts", "get-caller-identity")
			c.fails(t, s.url, keys{"AKIAUNKNOWNUNKNOWN00", "secret", ""}, nil, "InvalidClientTokenId", "sts", "get-caller-identity")
			c.fails(t, s.url, alice, []string{"faketime", "-f", "-20m"}, "RequestTimeTooSkewed", "sts", "get-caller-identity")
			c.fails(t, s.url, keys{session.id, session.secret, "forged-token"}, nil, "InvalidClientTokenId", "sts", "get-caller-identity")

			// A body changed in flight no longer matches its signature, and changes nothing.
			proxy := tamperingProxy(t, s.url, "UserName=tamper-a", "UserName=tamper-b")
			c.fails(t, proxy, root, nil, "SignatureDoesNotMatch", "iam", "create-user", "--user-name", "tamper-a")
			c.fails(t, s.url, root, nil, "NoSuchEntity", "iam", "get-user", "--user-name", "tamper-b")
			c.fails(t, s.url, root, nil, "NoSuchEntity", "iam", "get-user", "--user-name", "tamper-a")

			// An inactive key is refused.
			second := c.ok(t, s.url, root, "iam", "create-access-key", "--user-name", "alice")
			inactive := keys{str(second, "AccessKey", "AccessKeyId"), str(second, "AccessKey", "SecretAccessKey"), ""}
			c.ok(t, s.url, root, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", inactive.id, "--status", "Inactive")
			c.fails(t, s.url, inactive, nil, "InvalidClientTokenId", "sts", "get-caller-identity")

			// State survives a graceful restart…
			s.stop(t)
			s = startServer(t, data)
			c.ok(t, s.url, alice, "sts", "get-caller-identity")
			c.ok(t, s.url, session, "sts", "get-caller-identity")
			c.fails(t, s.url, inactive, nil, "InvalidClientTokenId", "sts", "get-caller-identity")

			// …and a kill -9 right after an acknowledged write.
			c.ok(t, s.url, root, "iam", "create-user", "--user-name", "bob")
			c.ok(t, s.url, root, "iam", "put-user-policy", "--user-name", "bob", "--policy-name", "p", "--policy-document", userPolicy)
			s.kill()
			s = startServer(t, data)
			if str(c.ok(t, s.url, root, "iam", "get-user", "--user-name", "bob"), "User", "UserName") != "bob" {
				t.Fatal("bob was lost by kill -9")
			}
			c.ok(t, s.url, root, "iam", "get-user-policy", "--user-name", "bob", "--policy-name", "p")

			// Temporary credentials past their expiry are refused. The server is stopped and the
			// session's persisted expiry moved into the past: the enforcement is the server's own.
			s.stop(t)
			expireSessions(t, data)
			s = startServer(t, data)
			c.fails(t, s.url, session, nil, "ExpiredToken", "sts", "get-caller-identity")
			c.ok(t, s.url, alice, "sts", "get-caller-identity")
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// tamperingProxy forwards requests to target, replacing from with to (same length) in bodies.
func tamperingProxy(t *testing.T, target, from, to string) string {
	t.Helper()
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		body = bytes.ReplaceAll(body, []byte(from), []byte(to))
		out, _ := http.NewRequest(r.Method, target+r.URL.RequestURI(), bytes.NewReader(body))
		out.Header = r.Header.Clone()
		out.Host = r.Host
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body) // a client gone mid-copy is not the proxy's failure
	}))
	t.Cleanup(p.Close)
	return p.URL
}

// expireSessions moves every STS session's expiry an hour into the past (server stopped).
func expireSessions(t *testing.T, data string) {
	t.Helper()
	db, err := bolt.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	err = db.Update(context.Background(), func(tx store.Tx) error {
		updated := map[string][]byte{}
		err := tx.Scan("sts.sessions", "", "", func(k string, v []byte) error {
			var rec map[string]any
			if err := json.Unmarshal(v, &rec); err != nil {
				return err
			}
			rec["expiration"] = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
			updated[k], err = json.Marshal(rec)
			return err
		})
		if err != nil {
			return err
		}
		for k, v := range updated {
			if err := tx.Put("sts.sessions", k, v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("expire sessions: %d updated, %v", n, err)
	}
}

// waitRefused waits until addr refuses connections: a server shutting down (http.Server.Shutdown)
// closes its listener first.
func waitRefused(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		c.Close()
	}
	t.Fatalf("%s still accepts connections", addr)
}

// TestShutdownFinishesInFlightRequests: a request whose body is still arriving when SIGTERM comes
// is answered in full, and the server then exits cleanly.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	s := startServer(t, t.TempDir())
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest("POST", s.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: "test"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sigv4.BodyHash([]byte(body)), "sts", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var head bytes.Buffer
	// Expect: 100-continue (not signed) makes the server say when the handler starts reading
	// the body: from then on the request is in flight.
	fmt.Fprintf(&head, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nExpect: 100-continue\r\n", req.Host, len(body))
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	head.WriteString("\r\n")
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = conn.Write(head.Bytes())
	check(t, err)
	br := bufioReader(conn)
	if cont, err := http.ReadResponse(br, nil); err != nil || cont.StatusCode != http.StatusContinue {
		t.Fatalf("before the body: %v %v", cont, err)
	}
	_, err = conn.Write([]byte(body[:10]))
	check(t, err)
	s.cmd.Process.Signal(syscall.SIGTERM)
	waitRefused(t, strings.TrimPrefix(s.url, "http://"))
	_, err = conn.Write([]byte(body[10:]))
	check(t, err)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "arn:aws:iam::111122223333:root") {
		t.Fatalf("in-flight response %d: %s", resp.StatusCode, b)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
		s.cmd = nil
	case <-time.After(30 * time.Second):
		t.Fatal("server did not exit after the in-flight request")
	}
	if _, err := http.Get(s.url + "/_keytrail/health"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}
