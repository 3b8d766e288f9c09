//go:build e2e

package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/chromedp/chromedp"
)

// kmsCalls makes two keys and encrypts with one: events for the history and the Lake.
func (s *server) kmsCalls(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	c := kms.NewFromConfig(s.root())
	var id *string
	for range 2 {
		out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("history")})
		if err != nil {
			t.Fatal(err)
		}
		id = out.KeyMetadata.KeyId
	}
	if _, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: id, Plaintext: []byte("secret")}); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryFilter: Event history filtered by event name shows only those events, each one's
// record opening in place; a time range before them shows none.
func TestHistoryFilter(t *testing.T) {
	s := startServer(t)
	s.kmsCalls(t)
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	do(ctx, t, chromedp.Click(chromedp.CSS("#nav-history")), chromedp.WaitVisible(chromedp.CSS("#history-filter")))
	wants(t, "the whole history", text(ctx, t, "#events"), "CreateKey", "Encrypt", "kms.amazonaws.com")
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS("#lookup-key"), "EventName"),
		chromedp.SendKeys(chromedp.CSS("#lookup-value"), "CreateKey"),
		chromedp.Click(chromedp.CSS("#lookup")),
		chromedp.WaitVisible(chromedp.CSS(`#lookup-value[value="CreateKey"]`)),
	)
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#events tr.event").length`))
	if err != nil {
		t.Fatal(err)
	}
	got := text(ctx, t, "#events")
	if rows != 2 || strings.Contains(got, "Encrypt") {
		t.Errorf("the CreateKey events: %d rows\n%s", rows, got)
	}
	wants(t, "the CLI equivalent", text(ctx, t, ".cli"), "--lookup-attributes AttributeKey=EventName,AttributeValue=CreateKey")
	do(ctx, t, chromedp.Click(chromedp.CSS("#events details summary")), chromedp.WaitVisible(chromedp.CSS("#events details[open] pre")))
	wants(t, "an event's record", text(ctx, t, "#events details[open] pre"), `"eventName": "CreateKey"`, `"eventSource": "kms.amazonaws.com"`)
	screenshot(ctx, t, "event-history", true)

	before := time.Now().UTC().Add(-24 * time.Hour).Format("2006-01-02T15:04")
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS("#end-time"), before),
		chromedp.Click(chromedp.CSS("#lookup")),
		chromedp.WaitVisible(chromedp.CSS(`#end-time[value="`+before+`"]`)),
	)
	wants(t, "events before yesterday", text(ctx, t, "#events"), "No events match.")
}

// TestLakeEditor: an event data store created with "Use my own AWS KMS key" (New, an alias);
// the editor with the store picked, a query run and its results table; the picker filling the
// FROM line; a query saved in the browser and opened again after a reload.
func TestLakeEditor(t *testing.T) {
	s := startServer(t)
	ctx := browser(t)
	signIn(ctx, t, s, "", rootSecret)
	do(ctx, t, chromedp.Click(chromedp.CSS("#nav-lake")), chromedp.WaitVisible(chromedp.CSS("#stores")))
	if exists(ctx, t, "#no-engine") {
		t.Fatalf("the browser tests' keytrail has no Lake engine: %s", text(ctx, t, "#no-engine"))
	}
	do(ctx, t,
		chromedp.Click(chromedp.CSS("#create-store")),
		chromedp.WaitVisible(chromedp.CSS("#store-form")),
		chromedp.SendKeys(chromedp.CSS("#store-name"), "audit"),
		chromedp.Click(chromedp.CSS("#usekms")),
		chromedp.Click(chromedp.CSS("#kms-new")),
		chromedp.SendKeys(chromedp.CSS("#kms-alias"), "alias/lake-events"),
	)
	screenshot(ctx, t, "lake-create", true)
	do(ctx, t, chromedp.Click(chromedp.CSS("#create")), chromedp.WaitVisible(chromedp.CSS("#flash")))
	wants(t, "the notice", text(ctx, t, "#flash"), "Event data store audit created")
	wants(t, "the stores", text(ctx, t, "#stores"), "audit", "ENABLED", "arn:aws:kms:us-east-1:111122223333:key/")
	screenshot(ctx, t, "lake-stores", false)

	s.kmsCalls(t)
	s.deliverNow(t) // ingests the events into the store
	do(ctx, t, chromedp.Click(chromedp.CSS("#open-editor")), chromedp.WaitVisible(chromedp.CSS("#sql")))
	store, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#store-picker")))
	if err != nil || store == "" {
		t.Fatalf("the picked store: %q %v", store, err)
	}
	sql, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#sql")))
	if err != nil {
		t.Fatal(err)
	}
	wants(t, "the editor's query", sql, "FROM "+store)
	wants(t, "the sample queries", text(ctx, t, "#sample-queries"), "Who used my KMS keys", "Refused decrypts", "FROM "+store)

	// Picking a store fills the FROM line.
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS("#sql"), "SELECT eventName FROM somewhere LIMIT 5"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("store-picker").dispatchEvent(new Event("change"))`),
	)
	if sql, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#sql"))); sql != "SELECT eventName FROM "+store+" LIMIT 5" {
		t.Errorf("after picking the store the query is %q", sql)
	}

	query := "SELECT eventName, count(*) AS calls FROM " + store + " WHERE eventSource = 'kms.amazonaws.com' AND eventName IN ('CreateKey', 'Encrypt') GROUP BY eventName ORDER BY eventName"
	do(ctx, t,
		chromedp.SetValue(chromedp.CSS("#sql"), query),
		chromedp.Click(chromedp.CSS("#run")),
		chromedp.WaitVisible(chromedp.CSS("#query-status")),
	)
	wants(t, "the query's status", text(ctx, t, "#query-status"), "FINISHED")
	wants(t, "the results", text(ctx, t, "#results"), "eventName\tcalls", "CreateKey\t2", "Encrypt\t1")
	screenshot(ctx, t, "lake-query", true)

	// Saved in this browser's localStorage, there after a reload.
	do(ctx, t,
		chromedp.WaitVisible(chromedp.CSS("#save-box")),
		chromedp.SendKeys(chromedp.CSS("#save-name"), "KMS calls"),
		chromedp.SendKeys(chromedp.CSS("#save-description"), "by event name"),
		chromedp.Click(chromedp.CSS("#save-query")),
		chromedp.WaitVisible(chromedp.CSS("#saved-queries tr.saved-query")),
		chromedp.Navigate(s.url+"/console/cloudtrail/lake/query"),
		chromedp.WaitVisible(chromedp.CSS("#saved-queries tr.saved-query")),
	)
	wants(t, "the saved queries", text(ctx, t, "#saved-queries"), "KMS calls", "by event name", "GROUP BY eventName")
	do(ctx, t, chromedp.Click(chromedp.CSS("#saved-queries .open-saved")))
	if sql, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#sql"))); sql != query {
		t.Errorf("the saved query opens as %q", sql)
	}
	screenshot(ctx, t, "lake-saved", false)
}
