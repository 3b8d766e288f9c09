package gateway_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/keytrail/keytrail/internal/gateway"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// TestConsoleRouting: with a console, unsigned requests under /console and a browser's GET / go
// to it; signed and presigned requests, API-shaped requests and requests elsewhere do not.
func TestConsoleRouting(t *testing.T) {
	console := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	g := gateway.New(gateway.Config{Region: "us-east-1", Logger: slog.New(slog.DiscardHandler), Verifier: sigv4.NewVerifier(oneAccount{}, nil), Console: console})
	html := map[string]string{"Accept": "text/html,application/xhtml+xml"}
	for _, tc := range []struct {
		name, method, target string
		header               map[string]string
		want                 int // 418: the console; 302: the redirect; other: not the console
	}{
		{"console home", "GET", "/console/", nil, http.StatusTeapot},
		{"console without slash", "GET", "/console", nil, http.StatusTeapot},
		{"sign-in form", "POST", "/console/signin", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, http.StatusTeapot},
		{"a browser at /", "GET", "/", html, http.StatusFound},
		{"anonymous GET / without text/html", "GET", "/", nil, 0},
		{"a browser at / with a query", "GET", "/?list-type=2", html, 0},
		{"a browser POSTing /", "POST", "/", html, 0},
		{"signed under /console", "GET", "/console/key", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=111122223333/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00"}, 0},
		{"presigned under /console", "GET", "/console/key?X-Amz-Credential=x&X-Amz-Signature=00", nil, 0},
		{"another path", "GET", "/consoles/key", nil, 0},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		switch {
		case tc.want == http.StatusFound && (w.Code != http.StatusFound || w.Header().Get("Location") != "/console/"):
			t.Errorf("%s: %d → %q; want the redirect to /console/", tc.name, w.Code, w.Header().Get("Location"))
		case tc.want == http.StatusTeapot && w.Code != http.StatusTeapot:
			t.Errorf("%s: %d; want the console", tc.name, w.Code)
		case tc.want == 0 && (w.Code == http.StatusTeapot || w.Code == http.StatusFound):
			t.Errorf("%s: %d; want it kept from the console", tc.name, w.Code)
		}
	}
	// Without a console, / and /console are as before.
	off := gateway.New(gateway.Config{Region: "us-east-1", Logger: slog.New(slog.DiscardHandler), Verifier: sigv4.NewVerifier(oneAccount{}, nil)})
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept", "text/html")
	w := httptest.NewRecorder()
	off.ServeHTTP(w, r)
	if w.Code == http.StatusFound {
		t.Error("a gateway without a console redirects browsers")
	}
}
