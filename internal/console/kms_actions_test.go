package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
)

// TestKeyActions: create a key with an alias, disable and enable it, turn rotation on and off,
// schedule and cancel its deletion; bad input changes nothing; a refused action shows AWS's
// error and keytrail's explanation.
func TestKeyActions(t *testing.T) {
	e := start(t, nil)
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, form := b.get("/console/kms/create")
	token := csrf(form)
	for _, alias := range []string{"alias/aws/mine", "alias/"} {
		if status, _, body := b.post("/console/kms/create", url.Values{"csrf": {token}, "alias": {alias}}); status != http.StatusBadRequest {
			t.Errorf("alias %q: %d", alias, status)
		} else {
			contains(t, "alias "+alias, body, `id="form-error"`)
		}
	}
	status, loc, _ := b.post("/console/kms/create", url.Values{"csrf": {token}, "alias": {"console-key"}, "description": {"made <here>"}})
	if status != http.StatusSeeOther {
		t.Fatalf("create key: %d", status)
	}
	id := strings.TrimPrefix(loc, "/console/kms/keys/")
	_, _, page := b.get(loc)
	contains(t, "new key", page, "created with alias alias/console-key", "made &lt;here&gt;", "aws kms create-key --description",
		"aws kms create-alias --alias-name alias/console-key --target-key-id "+id, `id="disable-key"`, `id="rotation" >`)
	// An alias taken: the key exists, the alias's error is shown on its page.
	_, _, page = b.post("/console/kms/create", url.Values{"csrf": {token}, "alias": {"console-key"}})
	contains(t, "a taken alias", page, "AlreadyExistsException", `id="key-id"`)

	kc := kms.NewFromConfig(e.awsConfig())
	state := func() string {
		d, err := kc.DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return string(d.KeyMetadata.KeyState)
	}
	for _, step := range []struct {
		action string
		form   url.Values
		says   string
		state  string
	}{
		{"disable", nil, "disabled.", "Disabled"},
		{"enable", nil, "enabled.", "Enabled"},
		{"rotation", url.Values{"enabled": {"on"}}, "rotation of key " + id + " turned on", "Enabled"},
		{"rotation", nil, "turned off", "Enabled"},
		{"schedule-deletion", url.Values{"days": {"7"}}, "scheduled for deletion on", "PendingDeletion"},
		{"cancel-deletion", nil, "canceled", "Disabled"},
	} {
		f := url.Values{"csrf": {token}}
		for k, v := range step.form {
			f[k] = v
		}
		status, loc, _ := b.post("/console/kms/keys/"+id+"/"+step.action, f)
		if status != http.StatusSeeOther {
			t.Fatalf("%s: %d", step.action, status)
		}
		_, _, page := b.get(loc)
		contains(t, step.action, page, step.says, "aws kms ")
		if got := state(); got != step.state {
			t.Errorf("after %s: %s; want %s", step.action, got, step.state)
		}
	}
	rot, err := kc.GetKeyRotationStatus(context.Background(), &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil || rot.KeyRotationEnabled {
		t.Errorf("rotation after off: %v %v", rot, err)
	}
	for _, days := range []string{"6", "31", "x"} {
		_, _, page := b.post("/console/kms/keys/"+id+"/schedule-deletion", url.Values{"csrf": {token}, "days": {days}})
		contains(t, "waiting period "+days, page, "ValidationException", "from 7 to 30")
	}
	if got := state(); got != "Disabled" {
		t.Errorf("refused schedules changed the key: %s", got)
	}
	if status, _, _ := b.post("/console/kms/keys/"+id+"/melt", url.Values{"csrf": {token}}); status != http.StatusNotFound {
		t.Errorf("an unknown key action: %d", status)
	}
	_, _, page = b.post("/console/kms/keys/00000000-0000-0000-0000-000000000000/enable", url.Values{"csrf": {token}})
	contains(t, "enable no key", page, "NotFoundException", "aws kms enable-key")

	// A user who may read keys but not disable them sees why.
	e.user("reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:Describe*","kms:List*","kms:Get*"],"Resource":"*"}]}`)
	rb := e.browser()
	rb.signIn("iam", account, "reader", password)
	_, _, kp := rb.get("/console/kms/keys/" + id)
	_, _, page = rb.post("/console/kms/keys/"+id+"/enable", url.Values{"csrf": {csrf(kp)}})
	contains(t, "the reader's enable", page, "AccessDeniedException", "Why keytrail denied it", "kms:EnableKey", "user/reader", "Fix: add to")
	if got := state(); got != "Disabled" {
		t.Errorf("a refused enable changed the key: %s", got)
	}
}

// TestKeyPolicyEditor: an invalid policy is shown with the parser's located error and is not
// saved; a valid one is saved with PutKeyPolicy and shown with its CLI equivalent; KMS's own
// refusal (the lockout check) is AWS's error.
func TestKeyPolicyEditor(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	kc := kms.NewFromConfig(e.awsConfig())
	k, err := kc.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	policy := func() string {
		out, err := kc.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.Policy)
	}
	before := policy()
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	_, _, form := b.get("/console/kms/keys/" + id + "/policy")
	token := csrf(form)
	contains(t, "editor", form, `id="policy"`, "Enable IAM User Permissions", "aws kms get-key-policy")
	for _, tc := range []struct{ name, doc, says string }{
		{"a syntax error", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"kms:*\"}\n  ]\n}", "line 4, column"},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Sid":"S1","Effect":"Allow","Action":"kms:*","Resource":"*"}]}`, "S1"},
		{"empty", "  ", "The key policy is empty."},
		{"oversized", `{"x":"` + strings.Repeat("a", 33000) + `"}`, "PolicySize"},
	} {
		status, _, page := b.post("/console/kms/keys/"+id+"/policy", url.Values{"csrf": {token}, "policy": {tc.doc}})
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d", tc.name, status)
		}
		contains(t, tc.name, page, `id="form-error"`, tc.says)
	}
	if policy() != before {
		t.Error("a refused policy was saved")
	}
	lockout := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/nobody-here"},"Action":"kms:Decrypt","Resource":"*"}]}`
	_, _, page := b.post("/console/kms/keys/"+id+"/policy", url.Values{"csrf": {token}, "policy": {lockout}})
	contains(t, "KMS's refusal", page, "MalformedPolicyDocumentException", "aws kms put-key-policy")
	good := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
	status, loc, _ := b.post("/console/kms/keys/"+id+"/policy", url.Values{"csrf": {token}, "policy": {good}})
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, _, page = b.get(loc)
	contains(t, "saved", page, "Key policy of "+id+" saved.", "aws kms put-key-policy --key-id "+id+" --policy-name default --policy file://policy.json", `&#34;Sid&#34;: &#34;Root&#34;`)
	if !strings.Contains(policy(), `"Sid":"Root"`) && !strings.Contains(policy(), `"Root"`) {
		t.Errorf("the saved policy: %s", policy())
	}
	_, _, page = b.get("/console/kms/keys/00000000-0000-0000-0000-000000000000/policy")
	contains(t, "no key", page, "NotFoundException")
}

// TestActionsNeedTheFormToken: the new forms without the session's CSRF token change nothing.
func TestActionsNeedTheFormToken(t *testing.T) {
	e := start(t, nil)
	k, err := kms.NewFromConfig(e.awsConfig()).CreateKey(context.Background(), &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	b := e.browser()
	b.signIn("root", account, "", rootSecret)
	for _, path := range []string{"/console/kms/create", "/console/kms/keys/" + id + "/disable", "/console/kms/keys/" + id + "/policy",
		"/console/cloudtrail/create", "/console/cloudtrail/trails/x/edit", "/console/cloudtrail/trails/x/delete"} {
		status, _, body := b.post(path, trailForm("forged", "forged", nil))
		if status != http.StatusForbidden {
			t.Errorf("%s without the token: %d", path, status)
		}
		contains(t, path, body, "InvalidCSRFToken")
	}
	d, err := kms.NewFromConfig(e.awsConfig()).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil || d.KeyMetadata.KeyState != "Enabled" {
		t.Errorf("the key after forged forms: %v %v", d, err)
	}
	keys, _ := kms.NewFromConfig(e.awsConfig()).ListKeys(context.Background(), &kms.ListKeysInput{})
	if len(keys.Keys) != 1 {
		t.Errorf("forged forms made keys: %d", len(keys.Keys))
	}
}
