package console_test

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

var whyLink = regexp.MustCompile(`<a href="(/console/explain/[^"]+)" class="why">Why was this denied\?</a>`)

// TestInlineDenialsExplained: a denial a page shows in a line (a key's row in the keys list, the
// key's rotation status) links to keytrail's explanation of it, a page of its own with the
// policies consulted; the explanation is the signed-in account's only, and an unknown request
// ID is not found.
func TestInlineDenialsExplained(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	key, err := kms.NewFromConfig(e.awsConfig()).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(key.KeyMetadata.KeyId)
	e.user("lister", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases"],"Resource":"*"}]}`)
	e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:ListKeys","kms:ListAliases","kms:DescribeKey","kms:GetKeyPolicy"],"Resource":"*"}]}`)

	for _, tc := range []struct{ user, path, action string }{
		{"lister", "/console/kms/keys", "kms:DescribeKey"},
		{"reader", "/console/kms/keys/" + id, "kms:GetKeyRotationStatus"},
	} {
		b := e.browser()
		b.signIn("iam", account, tc.user, password)
		status, _, body := b.get(tc.path)
		if status != http.StatusOK {
			t.Fatalf("%s %s: %d", tc.user, tc.path, status)
		}
		contains(t, tc.user+"'s "+tc.path, body, "AccessDeniedException", tc.action)
		m := whyLink.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("%s %s: no link to the explanation:\n%s", tc.user, tc.path, body)
		}
		status, _, why := b.get(html.UnescapeString(m[1]))
		if status != http.StatusOK {
			t.Fatalf("%s: the explanation page: %d", tc.user, status)
		}
		contains(t, tc.user+"'s explanation", why, "Why keytrail denied it", "arn:aws:iam::111122223333:user/"+tc.user, tc.action,
			"Implicit deny", "keytrail explain --endpoint-url "+e.url)

		other := e.browser()
		other.signIn("root", "444455556666", "", rootSecret)
		if status, _, body := other.get(html.UnescapeString(m[1])); status != http.StatusNotFound || regexp.MustCompile(`user/`+tc.user).MatchString(body) {
			t.Errorf("another account reads %s's explanation: %d", tc.user, status)
		}
	}
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	if status, _, body := b.get("/console/explain/no-such-request"); status != http.StatusNotFound {
		t.Errorf("an unknown request's explanation: %d\n%s", status, body)
	}
}
