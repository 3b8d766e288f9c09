package app_test

import (
	"bufio"
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/keytrail/keytrail/internal/app"
)

// startInBubble starts keytrail as startWith does, for a test inside synctest.Test: the app is
// opened in the bubble, so its delivery and KMS tickers run on the bubble's fake clock (and
// app.Config.Now, left at time.Now, reads it), and it serves no socket. The SDK clients and
// flush reach its handler through an in-memory transport, so the test never waits on network
// I/O, which would keep the bubble's clock from advancing. The app closes, in the bubble, when
// the test ends.
func startInBubble(t *testing.T, dir string, change func(*app.Config)) *env {
	t.Helper()
	logs := &syncBuffer{}
	cfg := app.Config{Data: dir, Region: "us-east-1", RootSecret: rootSecret, Version: "test",
		Logger: slog.New(slog.NewTextHandler(logs, nil))}
	if change != nil {
		change(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	// The address is only a name for the SDK's endpoint and the Host header; nothing listens on it.
	e := &env{t: t, url: "http://127.0.0.1:4566", dir: dir, logs: logs, app: a,
		mem: &http.Client{Transport: handlerTransport{h: a.Handler(), remoteAddr: "127.0.0.1:50000"}}}
	t.Cleanup(e.stop)
	return e
}

// httpClient is the HTTP client for e's SDK clients: e's in-memory transport when e runs in a
// bubble, else network (nil: the SDK's default client).
func (e *env) httpClient(network aws.HTTPClient) aws.HTTPClient {
	if e.mem != nil {
		return e.mem
	}
	return network
}

// web is the plain HTTP client for e's own endpoints (/_keytrail/flush).
func (e *env) web() *http.Client {
	if e.mem != nil {
		return e.mem
	}
	return http.DefaultClient
}

// handlerTransport is an http.RoundTripper that serves each request with h in the caller's
// goroutine. The request passes through its wire form (http.Request.Write, then
// http.ReadRequest), so h sees what a server reads off a connection: RequestURI, Host, the
// Content-Length header, a decoded chunked body.
type handlerTransport struct {
	h          http.Handler
	remoteAddr string // the client's address, as the server would see it
}

func (tr handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil { // closes r.Body, as a RoundTripper must
		return nil, err
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		return nil, err
	}
	sr.RemoteAddr = tr.remoteAddr
	rec := httptest.NewRecorder()
	tr.h.ServeHTTP(rec, sr)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}
