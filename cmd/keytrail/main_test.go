package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeFlagsAndEnvironment(t *testing.T) {
	m := &Main{Stderr: &bytes.Buffer{}, Getenv: env(map[string]string{
		"KEYTRAIL_ADDR": "127.0.0.1:9999", "KEYTRAIL_REGION": "eu-west-1", "KEYTRAIL_DELIVERY_INTERVAL": "5s",
		"KEYTRAIL_LOG_FORMAT": "json", "KEYTRAIL_ROOT_SECRET": "s3cr3t", "KEYTRAIL_ROOT_KEY": "abc",
	})}
	c, err := m.parseServe([]string{"--region", "ap-south-1", "--digest-interval", "10m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.Region != "ap-south-1" || c.DeliveryInterval != 5*time.Second ||
		c.DigestInterval != 10*time.Minute || c.LogFormat != "json" || c.RootSecret != "s3cr3t" || c.RootKey != "abc" || c.Data != "./keytrail-data" {
		t.Fatalf("config = %+v", c)
	}
	for _, args := range [][]string{
		{"--delivery-interval", "soon"}, {"--digest-interval", "-1h"}, {"--log-format", "xml"},
		{"--log-level", "loud"}, {"--tls-cert", "c.pem"}, {"extra"}, {"--root-secret", ""},
	} {
		if _, err := m.parseServe(args); err == nil {
			t.Errorf("parseServe(%v) accepted", args)
		}
	}
}

func TestServeRunsAndStopsOnCancel(t *testing.T) {
	var stderr bytes.Buffer
	ready := make(chan net.Addr, 1)
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: env(nil), Ready: func(a net.Addr) { ready <- a }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}) }()
	var addr net.Addr
	select {
	case addr = <-ready:
	case err := <-done:
		t.Fatalf("serve ended: %v\n%s", err, stderr.String())
	}
	resp, err := http.Get("http://" + addr.String() + "/_keytrail/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve after cancel: %v", err)
	}
	if !strings.Contains(stderr.String(), "keytrail stopped") {
		t.Fatalf("no clean stop logged:\n%s", stderr.String())
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := (&Main{Stdout: &out, Stderr: &out, Getenv: env(nil)}).Run(context.Background(), []string{"version"}); err != nil || !strings.HasPrefix(out.String(), "keytrail ") {
		t.Fatalf("version: %q %v", out.String(), err)
	}
}
