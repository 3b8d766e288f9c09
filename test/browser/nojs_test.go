//go:build e2e

package browser

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// noScript switches the page's JavaScript off, as a browser with JavaScript disabled: the
// console's own scripts do not run (the test's queries still do, through DevTools).
func noScript() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
}

// TestWithoutJavaScript: with JavaScript disabled, a user signs in and follows the seed's
// Edit-trail flow to an existing key by alias, forms only; the console's script has not run
// (its copy buttons stay hidden), and a refused form still shows its error.
func TestWithoutJavaScript(t *testing.T) {
	s := startServer(t)
	keyARN := s.trail(t, "management", "alias/trail-logs")
	s.user(t, "admin", admin)
	ctx := browser(t)
	do(ctx, t, noScript())
	signIn(ctx, t, s, "admin", "Wrong-passw0rd")
	wants(t, "wrong password", text(ctx, t, "#error"), "Your authentication information is incorrect.")
	signIn(ctx, t, s, "admin", password)
	wants(t, "home identity", text(ctx, t, "#home-arn"), "arn:aws:iam::111122223333:user/admin")
	editToExistingKey(ctx, t, s, "management", "alias/trail-logs", "")
	wants(t, "notice", text(ctx, t, "#flash"), "Trail management updated.")
	wants(t, "trail key", text(ctx, t, "#trail-key"), keyARN)
	wants(t, "CLI equivalent", text(ctx, t, ".cli"), "--kms-key-id alias/trail-logs")
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const bs = [...document.querySelectorAll(".cli button.copy")]; return bs.length > 0 && bs.every(b => b.hidden); })()`))
	if err != nil {
		t.Fatal(err)
	}
	if !hidden {
		t.Error("no copy button, or one shown: the console's script ran")
	}
	screenshot(ctx, t, "trail-nojs", false)

	// Event history's filter is a form too: the two sign-ins are ConsoleLogin events, the
	// failure and the success.
	do(ctx, t,
		chromedp.Click(chromedp.CSS("#nav-history")),
		chromedp.WaitVisible(chromedp.CSS("#history-filter")),
		chromedp.SetValue(chromedp.CSS("#lookup-key"), "EventName"),
		chromedp.SendKeys(chromedp.CSS("#lookup-value"), "ConsoleLogin"),
		chromedp.Click(chromedp.CSS("#lookup")),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-value[value="ConsoleLogin"]`)),
	)
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#events tr.event").length`))
	if err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Errorf("%d ConsoleLogin events; want 2:\n%s", rows, text(ctx, t, "#events"))
	}
	wants(t, "sign-in events", text(ctx, t, "#events"), "signin.amazonaws.com", "admin")
	do(ctx, t, chromedp.Click(chromedp.CSS("#events details summary")), chromedp.WaitVisible(chromedp.CSS("#events details[open] pre")))
	wants(t, "a sign-in record", text(ctx, t, "#events details[open] pre"), `"eventType": "AwsConsoleSignIn"`, `"ConsoleLogin": "`, `"MFAUsed": "No"`)
	screenshot(ctx, t, "event-history-signin", false)
}
