//go:build e2e

package browser

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

// submit clicks a form's button and waits for the page it leads to, with its notice or error:
// the page it leaves is marked so that its own notice does not count.
func submit(ctx context.Context, t *testing.T, button string) {
	t.Helper()
	do(ctx, t,
		chromedp.Evaluate[chromedp.Void](`void (document.body.dataset.left = "1")`),
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-left]) #flash, body:not([data-left]) #error`)),
	)
}

// TestKeyLifecycle: the key actions of the KMS pages in order, each a form with its notice and
// CLI equivalent: create a key with an alias, turn rotation on, disable, enable, schedule the
// deletion with a 7-day waiting period, cancel it (the key is then disabled, as KMS leaves it).
func TestKeyLifecycle(t *testing.T) {
	s := startServer(t)
	s.user(t, "admin", admin)
	ctx := browser(t)
	signIn(ctx, t, s, "admin", password)
	do(ctx, t,
		chromedp.Click(chromedp.CSS("#link-kms")),
		chromedp.WaitVisible(chromedp.CSS("#link-create-key")),
		chromedp.Click(chromedp.CSS("#link-create-key")),
		chromedp.WaitVisible(chromedp.CSS("#create-key-form")),
		chromedp.SendKeys(chromedp.CSS("#alias"), "alias/console-made"),
		chromedp.SendKeys(chromedp.CSS("#description"), "made in the console"),
	)
	submit(ctx, t, "#create-key")
	id := text(ctx, t, "#key-id")
	wants(t, "new key", text(ctx, t, "#key-state"), "Enabled")
	wants(t, "create CLI", text(ctx, t, ".cli"), "aws kms create-key --description 'made in the console'", "aws kms create-alias --alias-name alias/console-made --target-key-id "+id)

	do(ctx, t, chromedp.Click(chromedp.CSS("#rotation")))
	submit(ctx, t, "#save-rotation")
	wants(t, "rotation notice", text(ctx, t, "#flash"), "Automatic rotation of key "+id+" turned on.")
	wants(t, "rotation CLI", text(ctx, t, ".cli"), "aws kms enable-key-rotation --key-id "+id)
	if on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("rotation").checked`)); err != nil || !on {
		t.Errorf("rotation after saving it on: %v %v", on, err)
	}

	for _, step := range []struct{ button, state, cli string }{
		{"#disable-key", "Disabled", "aws kms disable-key --key-id " + id},
		{"#enable-key", "Enabled", "aws kms enable-key --key-id " + id},
	} {
		submit(ctx, t, step.button)
		wants(t, step.button, text(ctx, t, "#key-state"), step.state)
		wants(t, step.button+" CLI", text(ctx, t, ".cli"), step.cli)
	}
	do(ctx, t, chromedp.SetValue(chromedp.CSS("#deletion-days"), "7"))
	submit(ctx, t, "#schedule-deletion")
	wants(t, "scheduled", text(ctx, t, "#key-state"), "PendingDeletion")
	wants(t, "schedule CLI", text(ctx, t, ".cli"), "aws kms schedule-key-deletion --key-id "+id+" --pending-window-in-days 7")
	screenshot(ctx, t, "key-pending-deletion", false)
	submit(ctx, t, "#cancel-deletion")
	wants(t, "canceled", text(ctx, t, "#key-state"), "Disabled")
	wants(t, "cancel notice", text(ctx, t, "#flash"), "The key is disabled")
	wants(t, "cancel CLI", text(ctx, t, ".cli"), "aws kms cancel-key-deletion --key-id "+id)
}

// TestTrailLifecycle: a trail's logging stopped and started again from its page, then the
// trail deleted, each with its notice and CLI equivalent.
func TestTrailLifecycle(t *testing.T) {
	s := startServer(t)
	s.trail(t, "management", "alias/trail-logs")
	s.user(t, "admin", admin)
	ctx := browser(t)
	signIn(ctx, t, s, "admin", password)
	do(ctx, t, chromedp.Navigate(s.url+"/console/cloudtrail/trails/management"), chromedp.WaitVisible(chromedp.CSS("#logging")))
	wants(t, "logging", text(ctx, t, "#logging"), "Logging")
	submit(ctx, t, "#stop-logging")
	wants(t, "stopped", text(ctx, t, "#logging"), "Off")
	wants(t, "stop CLI", text(ctx, t, ".cli"), "aws cloudtrail stop-logging --name management")
	submit(ctx, t, "#start-logging")
	wants(t, "started", text(ctx, t, "#logging"), "Logging")
	wants(t, "start CLI", text(ctx, t, ".cli"), "aws cloudtrail start-logging --name management")
	submit(ctx, t, "#delete-trail")
	wants(t, "deleted", text(ctx, t, "#flash"), "Trail management deleted.")
	wants(t, "delete CLI", text(ctx, t, ".cli"), "aws cloudtrail delete-trail --name management")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#trails a[href$="/management"]').length`)); err != nil || n != 0 {
		t.Errorf("the trails list after the deletion links the trail %d times (%v)", n, err)
	}
}

// TestInlineDenialExplained: a key's row the user may not describe shows AWS's error in the
// keys list, and its "Why was this denied?" opens keytrail's explanation.
func TestInlineDenialExplained(t *testing.T) {
	s := startServer(t)
	id := s.key(t, "CloudTrail log files", "alias/trail-logs")
	s.user(t, "lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases"],"Resource":"*"}]}`)
	ctx := browser(t)
	signIn(ctx, t, s, "lister", password)
	do(ctx, t, chromedp.Navigate(s.url+"/console/kms/keys"), chromedp.WaitVisible(chromedp.CSS("#keys a.why")))
	wants(t, "the key's row", text(ctx, t, "#keys"), id, "AccessDeniedException", "kms:DescribeKey", "Why was this denied?")
	do(ctx, t, chromedp.Click(chromedp.CSS("#keys a.why")), chromedp.WaitVisible(chromedp.CSS("#explanation")))
	wants(t, "the explanation", text(ctx, t, "#explanation"), "arn:aws:iam::111122223333:user/lister", "kms:DescribeKey", "Implicit deny", "Fix: add to")
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "keytrail explain --endpoint-url "+s.url)
	screenshot(ctx, t, "denial-inline-explained", false)
}
