package console_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/console"
)

const (
	account    = "111122223333"
	rootSecret = "test"
	password   = "Corr3ct-horse"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a wired keytrail with its console, served by httptest.
type env struct {
	t     *testing.T
	url   string
	clock *clock
	app   *app.App
}

func start(t *testing.T, change func(*app.Config)) *env {
	t.Helper()
	clk := &clock{now: time.Now()} // the SDK clients sign with the real time
	cfg := app.Config{Data: t.TempDir(), Region: "us-east-1", RootSecret: rootSecret, Version: "test", Now: clk.Now,
		PasswordIterations: 1000, Console: true}
	if change != nil {
		change(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, url: srv.URL, clock: clk, app: a}
}

// awsConfig is an SDK configuration signing as the account's root.
func (e *env) awsConfig() aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: account, SecretAccessKey: rootSecret}, nil
		})}
}

// user creates an IAM user with a console password and an inline policy (none when "").
func (e *env) user(name, policy string) {
	e.t.Helper()
	ctx := context.Background()
	c := iam.NewFromConfig(e.awsConfig())
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		e.t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String(name), Password: aws.String(password)}); err != nil {
		e.t.Fatal(err)
	}
	if policy != "" {
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			e.t.Fatal(err)
		}
	}
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// get fetches a console path and returns the status, Location and body.
func (b *browser) get(path string) (int, string, string) {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.e.url+path, nil)
	req.Header.Set("Accept", "text/html")
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (int, string, string) {
	b.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) do(req *http.Request) (int, string, string) {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the form token of a page.
func csrf(body string) string {
	if m := csrfField.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// signIn fills in the sign-in form and returns the answer to it.
func (b *browser) signIn(kind, acct, user, pw string) (int, string, string) {
	b.e.t.Helper()
	_, _, page := b.get("/console/signin")
	return b.post("/console/signin", url.Values{"csrf": {csrf(page)}, "kind": {kind}, "account": {acct}, "username": {user}, "password": {pw}})
}

func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s does not contain %q:\n%s", what, w, body)
		}
	}
}

// TestRouting: a browser's GET / goes to the console; AWS clients, signed or anonymous, keep
// reaching S3, under /console too; with the console off, /console is S3's.
func TestRouting(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	if status, loc, _ := b.get("/"); status != http.StatusFound || loc != "/console/" {
		t.Errorf("GET / as a browser: %d → %q; want 302 → /console/", status, loc)
	}
	if status, loc, _ := b.get("/console/"); status != http.StatusFound || loc != "/console/signin" {
		t.Errorf("GET /console/ signed out: %d → %q; want 302 → /console/signin", status, loc)
	}
	req, _ := http.NewRequest(http.MethodGet, e.url+"/", nil)
	if status, _, body := b.do(req); status != http.StatusForbidden || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Errorf("anonymous GET / without Accept: text/html: %d %s; want S3's AccessDenied", status, body)
	}
	ctx := context.Background()
	s3c := s3.NewFromConfig(e.awsConfig(), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets: %v", err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("console")}); err != nil {
		t.Fatalf("a bucket named console: %v", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("console"), Key: aws.String("signin"), Body: strings.NewReader("s3")}); err != nil {
		t.Errorf("a signed request under /console is S3's: %v", err)
	}
	if status, _, body := b.get("/console/static/console.css"); status != http.StatusOK || !strings.Contains(body, "--accent") {
		t.Errorf("the embedded stylesheet: %d", status)
	}
	if status, _, body := b.get("/console/nowhere"); status != http.StatusNotFound || !strings.Contains(body, "no page at this address") {
		t.Errorf("an unknown console page: %d", status)
	}
	off := start(t, func(c *app.Config) { c.Console = false })
	ob := off.browser()
	if status, _, body := ob.get("/console/signin"); status == http.StatusOK || !strings.Contains(body, "<Error>") {
		t.Errorf("console off: /console/signin answered %d %s; want S3's error", status, body)
	}
}

// TestSignIn: IAM users and roots sign in; wrong passwords, unknown users, malformed accounts
// and forms without their token are refused alike, and too many failures lock sign-in out.
func TestSignIn(t *testing.T) {
	e := start(t, func(c *app.Config) { c.ConsoleConfig = console.Config{UserFailures: 3, IPFailures: 100} })
	e.user("alice", "")

	b := e.browser()
	status, _, page := b.get("/console/signin")
	if status != http.StatusOK || csrf(page) == "" {
		t.Fatalf("sign-in page: %d, token %q", status, csrf(page))
	}
	contains(t, "sign-in page", page, `name="account"`, `name="password"`, `type="password"`)

	for _, tc := range []struct{ name, kind, acct, user, pw string }{
		{"wrong password", "iam", account, "alice", "wrong-Passw0rd"},
		{"unknown user", "iam", account, "mallory", password},
		{"malformed account", "iam", "1234", "alice", password},
		{"root with a wrong secret", "root", account, "", "nope"},
		{"empty password", "iam", account, "alice", ""},
	} {
		status, _, body := e.browser().signIn(tc.kind, tc.acct, tc.user, tc.pw)
		if status != http.StatusUnauthorized {
			t.Errorf("%s: status %d; want 401", tc.name, status)
		}
		contains(t, tc.name, body, "Your authentication information is incorrect.")
		if strings.Contains(body, tc.pw) && tc.pw != "" {
			t.Errorf("%s: the page shows the password", tc.name)
		}
	}

	// A form without the token its page set is refused.
	nb := e.browser()
	if status, _, body := nb.post("/console/signin", url.Values{"kind": {"root"}, "account": {account}, "password": {rootSecret}}); status != http.StatusForbidden {
		t.Errorf("sign-in without a token: %d %s", status, body)
	}

	// A body past the console's bound is refused as a bad form, not read.
	bb := e.browser()
	_, _, page = bb.get("/console/signin")
	if status, _, _ := bb.post("/console/signin", url.Values{"csrf": {csrf(page)}, "kind": {"root"}, "account": {account}, "password": {rootSecret}, "pad": {strings.Repeat("x", 100<<10)}}); status != http.StatusForbidden {
		t.Errorf("an oversized sign-in form: %d; want 403", status)
	}

	// The root signs in.
	rb := e.browser()
	if status, loc, _ := rb.signIn("root", account, "", rootSecret); status != http.StatusSeeOther || loc != "/console/" {
		t.Fatalf("root sign-in: %d → %q", status, loc)
	}
	_, _, home := rb.get("/console/")
	contains(t, "root's home", home, "arn:aws:iam::111122223333:root", "aws sts get-caller-identity")

	// Alice signs in; her cookie is HttpOnly and SameSite=Strict.
	ab := e.browser()
	_, _, page = ab.get("/console/signin")
	req, _ := http.NewRequest(http.MethodPost, e.url+"/console/signin", strings.NewReader(url.Values{"csrf": {csrf(page)}, "kind": {"iam"}, "account": {account}, "username": {"alice"}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ab.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "keytrail-console" {
			session = c
		}
	}
	if resp.StatusCode != http.StatusSeeOther || session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/console" {
		t.Fatalf("alice's sign-in: %d, cookie %+v", resp.StatusCode, session)
	}
	_, _, home = ab.get("/console/")
	contains(t, "alice's home", home, "arn:aws:iam::111122223333:user/alice")
	for _, secret := range []string{password, "ASIA"} {
		if strings.Contains(home, secret) {
			t.Errorf("the home page shows %q", secret)
		}
	}

	// Three failures for alice lock her sign-in, her right password included.
	lb := e.browser()
	for range 3 {
		lb.signIn("iam", account, "alice", "wrong-Passw0rd")
	}
	status, _, body := lb.signIn("iam", account, "alice", password)
	if status != http.StatusTooManyRequests {
		t.Errorf("after 3 failures: %d; want 429", status)
	}
	contains(t, "locked sign-in", body, "Too many failed sign-in attempts")
	e.clock.Advance(console.DefaultFailureWindow)
	if status, _, _ := lb.signIn("iam", account, "alice", password); status != http.StatusSeeOther {
		t.Errorf("after the window: %d; want 303", status)
	}
}

// TestSignInPerIP: failures from one source address lock it out for every user.
func TestSignInPerIP(t *testing.T) {
	e := start(t, func(c *app.Config) { c.ConsoleConfig = console.Config{UserFailures: 100, IPFailures: 2} })
	b := e.browser()
	b.signIn("iam", account, "u1", "x")
	b.signIn("iam", account, "u2", "x")
	if status, _, _ := b.signIn("root", account, "", rootSecret); status != http.StatusTooManyRequests {
		t.Errorf("third sign-in from the address: %d; want 429", status)
	}
}

// TestSessionSecurity: forms without the session's token change nothing; sign-out revokes the
// session's credentials; sessions expire.
func TestSessionSecurity(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	status, _, page := b.get("/console/")
	token := csrf(page)
	if status != http.StatusOK || token == "" {
		t.Fatalf("home: %d, token %q", status, token)
	}
	if status, _, body := b.post("/console/signout", url.Values{"csrf": {"forged"}}); status != http.StatusForbidden {
		t.Errorf("sign-out with a forged token: %d", status)
	} else {
		contains(t, "refused form", body, "InvalidCSRFToken")
	}
	if status, _, _ := b.get("/console/"); status != http.StatusOK {
		t.Errorf("the session ended without its token: %d", status)
	}
	if status, loc, _ := b.post("/console/signout", url.Values{"csrf": {token}}); status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/signin") {
		t.Errorf("sign-out: %d → %q", status, loc)
	}
	if status, loc, _ := b.get("/console/"); status != http.StatusFound || loc != "/console/signin" {
		t.Errorf("after sign-out: %d → %q", status, loc)
	}

	b.signIn("root", account, "", rootSecret)
	if status, _, _ := b.get("/console/kms/keys"); status != http.StatusOK {
		t.Fatalf("keys: %d", status)
	}
	e.clock.Advance(console.DefaultSessionDuration)
	if status, loc, _ := b.get("/console/kms/keys"); status != http.StatusFound || loc != "/console/signin" {
		t.Errorf("an expired session: %d → %q", status, loc)
	}
}

// TestKeysPages: the keys list and key details as the signed-in identity: output escaped, the
// key policy shown, AWS's errors shown where the API refuses, each call recorded as a console
// session's.
func TestKeysPages(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	kc := kms.NewFromConfig(e.awsConfig())
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String(`<script>alert("x")</script>`)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(key.KeyMetadata.KeyId)
	if _, err := kc.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/trail-key"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases","kms:DescribeKey"],"Resource":"*"}]}`)
	e.user("nobody", "")

	rb := e.browser()
	rb.signIn("root", account, "", rootSecret)
	_, _, list := rb.get("/console/kms/keys")
	contains(t, "keys list", list, id, "alias/trail-key", "Enabled", "&lt;script&gt;", "aws kms list-keys --region us-east-1")
	if strings.Contains(list, `<script>alert`) {
		t.Error("the keys list renders a description unescaped")
	}
	_, _, details := rb.get("/console/kms/keys/" + id)
	contains(t, "key details", details, `id="key-policy"`, "Enable IAM User Permissions", "arn:aws:iam::111122223333:root", "aws kms get-key-policy --key-id "+id, "<dt>Multi-Region</dt><dd>No</dd>")
	_, _, missing := rb.get("/console/kms/keys/00000000-0000-0000-0000-000000000000")
	contains(t, "an unknown key", missing, "NotFoundException")
	_, _, odd := rb.get("/console/kms/keys/" + url.PathEscape(`"><b>x`))
	if strings.Contains(odd, `"><b>x`) {
		t.Error("a key ID from the path is rendered unescaped")
	}

	reader := e.browser()
	reader.signIn("iam", account, "reader", password)
	_, _, details = reader.get("/console/kms/keys/" + id)
	contains(t, "the reader's key details", details, "Enabled", "AccessDeniedException", "kms:GetKeyPolicy", "Why keytrail denied it")

	nb := e.browser()
	nb.signIn("iam", account, "nobody", password)
	_, _, list = nb.get("/console/kms/keys")
	contains(t, "nobody's keys list", list, `id="error"`, "AccessDeniedException", `<p class="request-id">Request ID: <code>`,
		"User: arn:aws:iam::111122223333:user/nobody is not authorized to perform: kms:ListKeys")

	// The calls are CloudTrail events of a console session.
	out, err := cloudtrail.NewFromConfig(e.awsConfig()).LookupEvents(ctx, &cloudtrail.LookupEventsInput{
		LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("ListKeys")}}})
	if err != nil {
		t.Fatal(err)
	}
	var denied bool
	for _, ev := range out.Events {
		var rec struct {
			RequestID                    string `json:"requestID"`
			UserAgent                    string `json:"userAgent"`
			ErrorCode                    string `json:"errorCode"`
			SessionCredentialFromConsole string `json:"sessionCredentialFromConsole"`
			UserIdentity                 struct {
				ARN            string `json:"arn"`
				SessionContext struct {
					Attributes struct{ CreationDate string } `json:"attributes"`
				} `json:"sessionContext"`
			} `json:"userIdentity"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(ev.CloudTrailEvent)), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.UserAgent != "keytrail-console/test" || rec.SessionCredentialFromConsole != "true" || rec.UserIdentity.SessionContext.Attributes.CreationDate == "" {
			t.Errorf("a console ListKeys event: %s", aws.ToString(ev.CloudTrailEvent))
		}
		if rec.ErrorCode == "AccessDeniedException" && strings.HasSuffix(rec.UserIdentity.ARN, "user/nobody") {
			denied = true
			contains(t, "nobody's keys list", list, "Request ID: <code>"+rec.RequestID+"</code>")
		}
	}
	if len(out.Events) != 2 || !denied {
		t.Errorf("%d ListKeys events, nobody's denied one among them: %v", len(out.Events), denied)
	}
}

// TestChangePassword: a user whose password must be reset is sent to the change-password page
// at sign-in; refused changes (new passwords that differ, a wrong current password, a weak one,
// no form token) change nothing; a good one clears the reset and the new password signs in.
func TestChangePassword(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	c := iam.NewFromConfig(e.awsConfig())
	for _, step := range []func() error{
		func() error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("carol")})
			return err
		},
		func() error {
			_, err := c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String(password), PasswordResetRequired: true})
			return err
		},
		func() error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("carol"), PolicyName: aws.String("self"),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`)})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	if status, loc, _ := b.signIn("iam", account, "carol", password); status != http.StatusSeeOther || loc != "/console/password" {
		t.Fatalf("sign-in with a reset required: %d → %q", status, loc)
	}
	_, _, home := b.get("/console/")
	contains(t, "home", home, `id="reset-required"`)
	_, _, form := b.get("/console/password")
	token := csrf(form)
	change := func(tok, old, next, confirm string) (int, string, string) {
		return b.post("/console/password", url.Values{"csrf": {tok}, "old": {old}, "new": {next}, "confirm": {confirm}})
	}
	for _, tc := range []struct {
		name, tok, old, next, confirm string
		status                        int
		says                          string
	}{
		{"new passwords differ", token, password, "N3w-password", "N3w-passw0rd", http.StatusBadRequest, "PasswordMismatch"},
		{"a wrong current password", token, "Wrong-passw0rd", "N3w-password", "N3w-password", http.StatusBadRequest, "The old password is incorrect."},
		{"a weak new password", token, password, "weak", "weak", http.StatusBadRequest, "PasswordPolicyViolation"},
		{"no form token", "", password, "N3w-password", "N3w-password", http.StatusForbidden, "InvalidCSRFToken"},
	} {
		status, _, body := change(tc.tok, tc.old, tc.next, tc.confirm)
		if status != tc.status {
			t.Errorf("%s: %d; want %d", tc.name, status, tc.status)
		}
		contains(t, tc.name, body, tc.says)
	}
	if status, loc, _ := change(token, password, "N3w-password", "N3w-password"); status != http.StatusSeeOther || loc != "/console/" {
		t.Fatalf("the change: %d → %q", status, loc)
	}
	_, _, home = b.get("/console/")
	contains(t, "home after the change", home, "Your password has been changed.")
	if strings.Contains(home, `id="reset-required"`) {
		t.Error("the reset banner stays after the change")
	}
	_, _, home = b.get("/console/")
	if strings.Contains(home, "Your password has been changed.") {
		t.Error("the flash shows twice")
	}
	if status, loc, _ := e.browser().signIn("iam", account, "carol", "N3w-password"); status != http.StatusSeeOther || loc != "/console/" {
		t.Errorf("sign-in with the new password: %d → %q", status, loc)
	}
	if status, _, _ := e.browser().signIn("iam", account, "carol", password); status != http.StatusUnauthorized {
		t.Errorf("sign-in with the old password: %d", status)
	}

	// The root has no password to change here.
	rb := e.browser()
	rb.signIn("root", account, "", rootSecret)
	_, _, form = rb.get("/console/password")
	contains(t, "root's password page", form, "InvalidUserType")
	if status, _, _ := rb.post("/console/password", url.Values{"csrf": {csrf(form)}, "old": {"x"}, "new": {"N3w-password"}, "confirm": {"N3w-password"}}); status != http.StatusBadRequest {
		t.Errorf("root's change: %d; want 400", status)
	}
}
