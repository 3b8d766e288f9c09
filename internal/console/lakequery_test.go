//go:build cgo

package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestLakeQueries: with the engine (a cgo build), every sample query runs against a store of
// this keytrail's events and its results table shows; picking a store fills the FROM line; a
// statement Lake refuses shows its error with the query kept.
func TestLakeQueries(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	ct := cloudtrail.NewFromConfig(e.awsConfig())
	st, err := ct.CreateEventDataStore(ctx, &cloudtrail.CreateEventDataStoreInput{Name: aws.String("audit")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(st.EventDataStoreArn)
	id = id[strings.LastIndexByte(id, '/')+1:]
	// Events: keys made and used, a decrypt refused.
	kc := kms.NewFromConfig(e.awsConfig())
	key, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	ctext, err := kc.Encrypt(ctx, &kms.EncryptInput{KeyId: key.KeyMetadata.KeyId, Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	e.user("nobody", "")
	ak, err := iam.NewFromConfig(e.awsConfig()).CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	nobody := e.awsConfig()
	keyID, secret := aws.ToString(ak.AccessKey.AccessKeyId), aws.ToString(ak.AccessKey.SecretAccessKey)
	nobody.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, nil
	})
	if _, err := kms.NewFromConfig(nobody).Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: ctext.CiphertextBlob}); err == nil {
		t.Fatal("nobody decrypted")
	}
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	e.flush()

	_, _, editor := b.get("/console/cloudtrail/lake/query")
	contains(t, "the editor", editor, `<option value="`+id+`" selected>audit (`+id+`)</option>`, "FROM "+id, `id="sample-queries"`,
		"Who used my KMS keys", "aws cloudtrail start-query --query-statement")
	token := csrf(editor)
	if strings.Contains(editor, "$EDS_ID") {
		t.Error("the editor shows the store placeholder")
	}

	run := func(sql string) string {
		t.Helper()
		status, loc, body := b.post("/console/cloudtrail/lake/query", url.Values{"csrf": {token}, "store": {id}, "sql": {sql}, "action": {"run"}})
		if status != http.StatusSeeOther {
			t.Fatalf("run %q: %d\n%s", sql, status, body)
		}
		_, _, page := b.get(loc)
		return page
	}
	for i := range 5 {
		_, _, sample := b.get("/console/cloudtrail/lake/query?sample=" + strconv.Itoa(i) + "&store=" + id)
		m := regexp.MustCompile(`(?s)<textarea name="sql" id="sql"[^>]*>(.*?)</textarea>`).FindStringSubmatch(sample)
		if m == nil {
			t.Fatalf("sample %d: no editor", i)
		}
		sql := strings.NewReplacer("&#39;", "'", "&gt;", ">", "&lt;", "<", "&#34;", `"`, "&amp;", "&").Replace(m[1])
		page := run(sql)
		contains(t, "sample "+strconv.Itoa(i), page, `<dd id="query-status" class="valid">FINISHED</dd>`, "Query results", "aws cloudtrail get-query-results --query-id")
		if i == 1 {
			contains(t, "the refused decrypts", page, `id="results"`, "<td>arn:aws:iam::111122223333:user/nobody</td><td>AccessDeniedException</td>")
		}
	}
	page := run("SELECT eventName, count(*) AS calls FROM " + id + " WHERE eventSource = 'kms.amazonaws.com' GROUP BY eventName ORDER BY eventName")
	contains(t, "a query's results", page, `id="results"`, "<th>eventName</th><th>calls</th>", "<td>CreateKey</td><td>1</td>", "<td>Encrypt</td><td>1</td>")

	// The root's sign-in is in the store, as a sign-in event.
	page = run("SELECT eventType, eventSource, userIdentity.type FROM " + id + " WHERE eventName = 'ConsoleLogin'")
	contains(t, "the sign-in", page, `id="results"`, "<td>AwsConsoleSignIn</td><td>signin.amazonaws.com</td><td>Root</td>")

	// Results a page of 100 rows at a time.
	page = run("SELECT a.eventName, b.eventName, c.eventName FROM " + id + " a CROSS JOIN " + id + " b CROSS JOIN " + id + " c")
	next := regexp.MustCompile(`<a id="next-page" href="([^"]+)">`).FindStringSubmatch(page)
	if n := strings.Count(page, "<tr><td>"); n != 100 || next == nil {
		t.Fatalf("the first page of results: %d rows, next page %v\n%s", n, next, page)
	}
	_, _, second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(second, "<tr><td>"); n == 0 || n > 100 || strings.Contains(second, "Events matched</dt><dd>0<") {
		t.Errorf("the second page of results: %d rows", n)
	}

	status, _, filled := b.post("/console/cloudtrail/lake/query", url.Values{"csrf": {token}, "store": {id}, "sql": {"SELECT eventName FROM other LIMIT 1"}, "action": {"fill"}})
	if status != http.StatusOK {
		t.Errorf("fill: %d", status)
	}
	contains(t, "the FROM line filled", filled, "SELECT eventName FROM "+id+" LIMIT 1")

	status, _, bad := b.post("/console/cloudtrail/lake/query", url.Values{"csrf": {token}, "store": {id}, "sql": {"DELETE FROM " + id}, "action": {"run"}})
	if status != http.StatusOK {
		t.Errorf("a refused statement: %d", status)
	}
	contains(t, "a refused statement", bad, `id="error"`, "InvalidQueryStatementException", "DELETE FROM "+id)
	_, _, empty := b.post("/console/cloudtrail/lake/query", url.Values{"csrf": {token}, "store": {id}, "sql": {"  "}, "action": {"run"}})
	contains(t, "an empty query", empty, "Enter a query to run.")
	_, _, unknown := b.get("/console/cloudtrail/lake/query?id=00000000-0000-0000-0000-000000000000")
	contains(t, "an unknown query", unknown, `id="error"`, "QueryIdNotFoundException")

	// A user who may run queries but not read their results sees the query finished and the
	// refused results with keytrail's explanation.
	e.user("runner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudtrail:ListEventDataStores","cloudtrail:GetEventDataStore","cloudtrail:StartQuery","cloudtrail:DescribeQuery"],"Resource":"*"}]}`)
	rb := e.browser()
	rb.signIn("iam", account, "runner", password)
	_, _, editor = rb.get("/console/cloudtrail/lake/query?store=" + id)
	status, loc, body := rb.post("/console/cloudtrail/lake/query", url.Values{"csrf": {csrf(editor)}, "store": {id}, "sql": {"SELECT eventName FROM " + id + " LIMIT 1"}, "action": {"run"}})
	if status != http.StatusSeeOther {
		t.Fatalf("the runner's query: %d\n%s", status, body)
	}
	_, _, refused := rb.get(loc)
	contains(t, "the runner's results", refused, `<dd id="query-status" class="valid">FINISHED</dd>`, "AccessDeniedException",
		"cloudtrail:GetQueryResults", "Why keytrail denied it", "arn:aws:iam::111122223333:user/runner")
}
