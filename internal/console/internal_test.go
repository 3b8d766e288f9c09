package console

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestFlash: a POST's redirect leaves a notice that the next page of the session shows once.
func TestFlash(t *testing.T) {
	c := New(Config{Region: "eu-west-1", Version: "test"})
	ss := &session{id: "s", csrf: "tok", expires: time.Now().Add(time.Hour)}
	w := httptest.NewRecorder()
	redirect(w, httptest.NewRequest(http.MethodPost, "/console/kms/keys", nil), ss, "/console/kms/keys", `Key <1> disabled`)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/kms/keys" {
		t.Fatalf("redirect: %d → %q", w.Code, w.Header().Get("Location"))
	}
	for i, want := range []bool{true, false} {
		w := httptest.NewRecorder()
		c.render(w, http.StatusOK, "notfound", &page{Title: "t", Session: ss})
		if got := strings.Contains(w.Body.String(), `<div class="flash success" role="status" id="flash">Key &lt;1&gt; disabled</div>`); got != want {
			t.Errorf("page %d shows the escaped flash: %v; want %v\n%s", i+1, got, want, w.Body.String())
		}
	}
}

// TestCLI: CLI equivalents quote what a shell would split, and name the region and endpoint.
func TestCLI(t *testing.T) {
	c := New(Config{Region: "eu-west-1", Version: "test"})
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/console/kms/keys", nil)
	got := c.regional(r, "x", "kms", "describe-key", "--key-id", "alias/it's mine").Command
	want := `aws kms describe-key --key-id 'alias/it'\''s mine' --region eu-west-1 --endpoint-url http://127.0.0.1:4566`
	if got != want {
		t.Errorf("regional = %s\nwant %s", got, want)
	}
	if got := global(r, "x", "sts", "get-caller-identity").Command; got != "aws sts get-caller-identity --endpoint-url http://127.0.0.1:4566" {
		t.Errorf("global = %s", got)
	}
	if got := shellQuote(""); got != "''" {
		t.Errorf("shellQuote of nothing = %s", got)
	}
}

// TestLimiter: failures count within the window only; forget clears a key.
func TestLimiter(t *testing.T) {
	l := limiter{max: 2, window: time.Minute}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if l.blocked("k", now) {
		t.Fatal("a fresh limiter blocks")
	}
	l.fail("k", now)
	l.fail("k", now.Add(30*time.Second))
	if !l.blocked("k", now.Add(59*time.Second)) || l.blocked("other", now) {
		t.Error("two failures in a minute do not block k alone")
	}
	if l.blocked("k", now.Add(time.Minute)) {
		t.Error("the first failure is still counted a minute on")
	}
	l.forget("k")
	if l.blocked("k", now.Add(31*time.Second)) {
		t.Error("forget kept the failures")
	}
}

// TestPruning: expired sessions and old failures do not stay.
func TestPruning(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var s sessions
	s.put(&session{id: "old", expires: now.Add(time.Hour)}, now)
	s.put(&session{id: "new", expires: now.Add(3 * time.Hour)}, now.Add(2*time.Hour))
	if s.len() != 1 || s.get("new", now.Add(2*time.Hour)) == nil {
		t.Errorf("%d sessions held; want the unexpired one", s.len())
	}
	l := limiter{max: 5, window: time.Minute}
	for i := range pruneAt {
		l.fail(fmt.Sprint("user/", i), now)
	}
	l.fail("late", now.Add(2*time.Minute))
	if len(l.failures) != 1 {
		t.Errorf("%d keys kept; want the one with a recent failure", len(l.failures))
	}
}
