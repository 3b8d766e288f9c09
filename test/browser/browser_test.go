//go:build e2e

package browser

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/chromedp/chromedp"
)

const (
	account    = "111122223333"
	rootSecret = "test"
	password   = "Corr3ct-horse"
)

var (
	binary   string // the keytrail built for the tests
	chromium string // Debian's chromium
	shots    string // where screenshots go
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	var err error
	if chromium, err = exec.LookPath("chromium"); err != nil {
		fmt.Fprintln(os.Stderr, "the browser tests need Debian's chromium on PATH (scripts/install-test-deps.sh installs it):", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "keytrail-browser-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "keytrail")
	build := exec.Command("go", "build", "-o", binary, "../../cmd/keytrail")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build keytrail:", err)
		return 1
	}
	shots = os.Getenv("KEYTRAIL_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "keytrail-browser")
	}
	if err := os.MkdirAll(shots, 0o750); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// server is a running `keytrail serve` on a loopback port, where the console is on by default.
type server struct {
	url  string
	logs *bytes.Buffer
}

func startServer(t *testing.T) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{url: "http://" + addr, logs: &bytes.Buffer{}}
	cmd := exec.Command(binary, "serve", "--addr", addr, "--data", t.TempDir(), "--delivery-interval", "24h")
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("keytrail's log:\n%s", s.logs.String())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(s.url + "/_keytrail/health"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
	t.Fatalf("keytrail did not become healthy:\n%s", s.logs.String())
	return nil
}

// root is an SDK configuration signing as the account's root.
func (s *server) root() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}, nil
		})}
}

// user creates an IAM user with a console password and, unless "", an inline policy.
func (s *server) user(t *testing.T, name, policy string) {
	t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(s.root())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(password)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("console"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
}

// resetRequired sets PasswordResetRequired on a user's login profile.
func (s *server) resetRequired(t *testing.T, name string) {
	t.Helper()
	_, err := iam.NewFromConfig(s.root()).UpdateLoginProfile(context.Background(), &iam.UpdateLoginProfileInput{
		UserName: aws.String(name), PasswordResetRequired: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
}

// key creates a key with a description and an alias and returns its ID.
func (s *server) key(t *testing.T, description, alias string) string {
	t.Helper()
	ctx := context.Background()
	c := kms.NewFromConfig(s.root())
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(description)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// browser starts a headless chromium of its own (its own cookies) for a test.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1280, 860),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// do runs browser actions, failing the test on error.
func do(ctx context.Context, t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// text returns the text of the element sel selects.
func text(ctx context.Context, t *testing.T, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// location is the page's URL.
func location(ctx context.Context, t *testing.T) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// screenshot writes the viewport as name.png in the screenshot directory and, with
// KEYTRAIL_UPDATE_DOCS=1, in docs/console/ when doc is set.
func screenshot(ctx context.Context, t *testing.T, name string, doc bool) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(shots, name+".png")
	if err := os.WriteFile(path, png, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
	if doc && os.Getenv("KEYTRAIL_UPDATE_DOCS") == "1" {
		if err := os.WriteFile(filepath.Join("..", "..", "docs", "console", name+".png"), png, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// signIn fills in and submits the sign-in form from the page keytrail's address leads a browser
// to, and waits for the answer: the home page or the form's error (the fresh sign-in page has
// neither); user "" signs in as the root.
func signIn(ctx context.Context, t *testing.T, s *server, user, pw string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(s.url + "/"),
		chromedp.WaitVisible(chromedp.CSS("#signin-form")),
		chromedp.SendKeys(chromedp.CSS("#account"), account),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
	}
	if user == "" {
		steps = append(steps, chromedp.Click(chromedp.CSS(`input[name=kind][value=root]`)))
	} else {
		steps = append(steps, chromedp.SendKeys(chromedp.CSS("#username"), user))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#home-arn, #error")))
	do(ctx, t, steps...)
}

func wants(t *testing.T, what, got string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(got, sub) {
			t.Errorf("%s: %q does not contain %q", what, got, sub)
		}
	}
}
