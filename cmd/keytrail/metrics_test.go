package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestServePprofFlag(t *testing.T) {
	m := &Main{Stderr: &bytes.Buffer{}, Getenv: env(nil)}
	if c, err := m.parseServe(nil); err != nil || c.Pprof {
		t.Fatalf("default: %+v %v", c, err)
	}
	if c, err := m.parseServe([]string{"--pprof"}); err != nil || !c.Pprof {
		t.Fatalf("--pprof: %+v %v", c, err)
	}
	m.Getenv = env(map[string]string{"KEYTRAIL_PPROF": "true"})
	if c, err := m.parseServe([]string{"--pprof=false"}); err != nil || c.Pprof {
		t.Fatalf("KEYTRAIL_PPROF=true --pprof=false: %+v %v", c, err)
	}
	m.Getenv = env(map[string]string{"KEYTRAIL_PPROF": "sometimes"})
	if _, err := m.parseServe(nil); err == nil {
		t.Fatal("KEYTRAIL_PPROF=sometimes accepted")
	}
}

// keytrail serve --log-format json --pprof: every log line is a JSON object, the request lines
// with the README's fields; /metrics and /debug/pprof/ answer on the one listener.
func TestServeJSONLogsMetricsAndPprof(t *testing.T) {
	var stderr bytes.Buffer
	ready := make(chan net.Addr, 1)
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: env(nil), Ready: func(a net.Addr) { ready <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-format", "json", "--pprof"})
	}()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, stderr.String())
	}
	base := "http://" + addr.String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	req, _ := http.NewRequest("POST", base+"/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService.ListKeys")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, `keytrail_authentication_failures_total{reason="missing_authentication"} 1`) {
		t.Errorf("/metrics: %d\n%s", code, body)
	}
	if code, body := get("/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile") {
		t.Errorf("/debug/pprof/goroutine: %d %q", code, body)
	}
	// The command line may carry --root-secret: not served.
	if code, body := get("/debug/pprof/cmdline"); code != 404 || strings.Contains(body, "--addr") {
		t.Errorf("/debug/pprof/cmdline: %d %q", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	var requests []map[string]any
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		if l["msg"] == "request" {
			requests = append(requests, l)
		}
	}
	if len(requests) != 4 {
		t.Fatalf("%d request lines, want 4", len(requests))
	}
	if l := requests[0]; l["code"] != "MissingAuthenticationTokenException" || l["auth_failure"] != "missing_authentication" || l["status"] != float64(400) {
		t.Errorf("unsigned call: %v", l)
	}
	if l := requests[1]; l["service"] != "keytrail" || l["operation"] != "metrics" || l["code"] != "" || l["status"] != float64(200) {
		t.Errorf("scrape: %v", l)
	}
	if l := requests[2]; l["operation"] != "pprof" || l["status"] != float64(200) {
		t.Errorf("pprof: %v", l)
	}
}
