//go:build e2e

package browser

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// readKeys may list and describe keys but not read their policies.
const readKeys = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases","kms:DescribeKey"],"Resource":"*"}]}`

// TestRootSignIn: a browser opening keytrail's address is sent to the console's sign-in page;
// the root signs in with the root secret and sees its home page.
func TestRootSignIn(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)
	do(ctx, t, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS("#signin-form")))
	if loc := location(ctx, t); loc != s.url+"/console/signin" {
		t.Errorf("a browser at / lands on %s", loc)
	}
	screenshot(ctx, t, "signin", true)
	signIn(ctx, t, s, "", rootSecret)
	wants(t, "home identity", text(ctx, t, "#home-arn"), "arn:aws:iam::111122223333:root")
	wants(t, "top bar", text(ctx, t, "#who"), "arn:aws:iam::111122223333:root")
	wants(t, "CLI equivalent", text(ctx, t, ".cli pre"), "aws sts get-caller-identity --endpoint-url "+s.url)
	screenshot(ctx, t, "home", true)
}

// TestIAMUserKeys: an IAM user signs in and reads the keys list and a key's details; the key
// policy her policies do not let her read shows AWS's AccessDeniedException.
func TestIAMUserKeys(t *testing.T) {
	s := startServer(t)
	id := s.key(t, "CloudTrail log files", "alias/trail-logs")
	s.user(t, "alice", readKeys)
	ctx := browser(t)
	signIn(ctx, t, s, "alice", password)
	wants(t, "home identity", text(ctx, t, "#home-arn"), "arn:aws:iam::111122223333:user/alice")
	do(ctx, t, chromedp.Click(chromedp.CSS("#link-kms")), chromedp.WaitVisible(chromedp.CSS("#keys")))
	wants(t, "keys list", text(ctx, t, "#keys"), id, "alias/trail-logs", "Enabled", "CloudTrail log files")
	screenshot(ctx, t, "keys", true)
	do(ctx, t, chromedp.Click(chromedp.CSS(`#keys a[href$="`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("#key-id")))
	wants(t, "key ID", text(ctx, t, "#key-id"), id)
	wants(t, "key state", text(ctx, t, "#key-state"), "Enabled")
	wants(t, "denied key policy", text(ctx, t, "#error"), "AccessDeniedException",
		"arn:aws:iam::111122223333:user/alice is not authorized to perform: kms:GetKeyPolicy")
	screenshot(ctx, t, "key-policy-denied", false)
}

// TestRootKeyPolicy: the root sees the key policy JSON on the key's page.
func TestRootKeyPolicy(t *testing.T) {
	s := startServer(t)
	id := s.key(t, "CloudTrail log files", "alias/trail-logs")
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	do(ctx, t, chromedp.Navigate(s.url+"/console/kms/keys/"+id), chromedp.WaitVisible(chromedp.CSS("#key-policy")))
	wants(t, "key policy", text(ctx, t, "#key-policy"), `"Sid": "Enable IAM User Permissions"`, `"AWS": "arn:aws:iam::111122223333:root"`)
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "aws kms get-key-policy --key-id "+id+" --policy-name default")
	screenshot(ctx, t, "key", true)
}

// TestAccessDenied: a user without KMS permissions sees AWS's error and message on the keys page.
func TestAccessDenied(t *testing.T) {
	s := startServer(t)
	s.key(t, "someone else's", "alias/other")
	s.user(t, "nobody", "")
	ctx := browser(t)
	signIn(ctx, t, s, "nobody", password)
	do(ctx, t, chromedp.Navigate(s.url+"/console/kms/keys"), chromedp.WaitVisible(chromedp.CSS("#error")))
	wants(t, "denied keys list", text(ctx, t, "#error"), "AccessDeniedException",
		"User: arn:aws:iam::111122223333:user/nobody is not authorized to perform: kms:ListKeys")
	screenshot(ctx, t, "access-denied", true)
}

// TestSignInFailures: a wrong password and an unknown user get the same message; five failures
// for a user lock her out, her right password included.
func TestSignInFailures(t *testing.T) {
	s := startServer(t)
	s.user(t, "alice", "")
	ctx := browser(t)
	signIn(ctx, t, s, "alice", "Wrong-passw0rd")
	wants(t, "wrong password", text(ctx, t, "#error"), "Your authentication information is incorrect.")
	if loc := location(ctx, t); !strings.HasSuffix(loc, "/console/signin") {
		t.Errorf("after a wrong password the browser is at %s", loc)
	}
	screenshot(ctx, t, "signin-failed", false)
	signIn(ctx, t, s, "mallory", password)
	wants(t, "unknown user", text(ctx, t, "#error"), "Your authentication information is incorrect.")
	for range 4 {
		signIn(ctx, t, s, "alice", "Wrong-passw0rd")
	}
	signIn(ctx, t, s, "alice", password)
	wants(t, "locked out", text(ctx, t, "#error"), "Too many failed sign-in attempts")
	screenshot(ctx, t, "signin-locked", false)
}

// TestCSRFRefused: a sign-out form whose token was tampered with is refused and the session
// stays; the right one signs out, after which the console asks for sign-in again.
func TestCSRFRefused(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS(`.topbar input[name=csrf]`), "forged", chromedp.NodeReady),
		chromedp.Click(chromedp.CSS("#signout")),
		chromedp.WaitVisible(chromedp.CSS("#error")),
	)
	wants(t, "forged form", text(ctx, t, "#error"), "InvalidCSRFToken", "Nothing was changed")
	screenshot(ctx, t, "csrf-refused", false)
	do(ctx, t, chromedp.Navigate(s.url+"/console/"), chromedp.WaitVisible(chromedp.CSS("#home-arn")))

	// Sign-out.
	do(ctx, t, chromedp.Click(chromedp.CSS("#signout")), chromedp.WaitVisible(chromedp.CSS("#signin-form")))
	if v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#account"))); err != nil || v != account {
		t.Errorf("the sign-in page after sign-out offers account %q (%v)", v, err)
	}
	do(ctx, t, chromedp.Navigate(s.url+"/console/kms/keys"), chromedp.WaitVisible(chromedp.CSS("#signin-form")))
	if loc := location(ctx, t); !strings.HasSuffix(loc, "/console/signin") {
		t.Errorf("after sign-out the keys page leads to %s", loc)
	}
}

// TestPasswordReset: a user whose password must be reset is sent to the change-password page at
// sign-in, changes it there, and is back on the home page with a notice.
func TestPasswordReset(t *testing.T) {
	s := startServer(t)
	s.user(t, "carol", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword","Resource":"arn:aws:iam::111122223333:user/${aws:username}"}]}`)
	s.resetRequired(t, "carol")
	ctx := browser(t)
	do(ctx, t,
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.CSS("#signin-form")),
		chromedp.SendKeys(chromedp.CSS("#account"), account),
		chromedp.SendKeys(chromedp.CSS("#username"), "carol"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#password-form")),
	)
	wants(t, "reset banner", text(ctx, t, "#reset-required"), "Your password must be reset")
	do(ctx, t,
		chromedp.SendKeys(chromedp.CSS("#old-password"), password),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "weak"),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), "weak"),
		chromedp.Click(chromedp.CSS("#change-password")),
		chromedp.WaitVisible(chromedp.CSS("#error")),
	)
	wants(t, "weak password", text(ctx, t, "#error"), "PasswordPolicyViolation")
	screenshot(ctx, t, "password-refused", false)
	do(ctx, t,
		chromedp.SendKeys(chromedp.CSS("#old-password"), password),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "N3w-password"),
		chromedp.SendKeys(chromedp.CSS("#confirm-password"), "N3w-password"),
		chromedp.Click(chromedp.CSS("#change-password")),
		chromedp.WaitVisible(chromedp.CSS("#flash")),
	)
	wants(t, "notice", text(ctx, t, "#flash"), "Your password has been changed.")
	wants(t, "home", text(ctx, t, "#home-arn"), "arn:aws:iam::111122223333:user/carol")
}
