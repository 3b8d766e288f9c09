package main

import (
	"bytes"
	"context"
	"errors"
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
		"KEYTRAIL_LOG_FORMAT": "json", "KEYTRAIL_ROOT_SECRET": "s3cr3t", "KEYTRAIL_ROOT_KEY": "abc", "KEYTRAIL_EXPLANATION_AGE": "10m",
	})}
	c, err := m.parseServe([]string{"--region", "ap-south-1", "--digest-interval", "10m"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.Region != "ap-south-1" || c.DeliveryInterval != 5*time.Second ||
		c.DigestInterval != 10*time.Minute || c.LogFormat != "json" || c.RootSecret != "s3cr3t" || c.RootKey != "abc" || c.Data != "./keytrail-data" ||
		c.Explanations != 1000 || c.ExplanationAge != 10*time.Minute {
		t.Fatalf("config = %+v", c)
	}
	for _, args := range [][]string{
		{"--delivery-interval", "soon"}, {"--digest-interval", "-1h"}, {"--log-format", "xml"},
		{"--log-level", "loud"}, {"--tls-cert", "c.pem"}, {"extra"}, {"--root-secret", ""},
		{"--explanations", "0"}, {"--explanations", "many"}, {"--explanation-age", "0s"},
	} {
		if _, err := m.parseServe(args); err == nil {
			t.Errorf("parseServe(%v) accepted", args)
		}
	}
}

// TestServeConsoleFlag: the console is on by default on a loopback address only; --console (or
// KEYTRAIL_CONSOLE) says otherwise.
func TestServeConsoleFlag(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want bool
	}{
		{nil, nil, true},
		{nil, []string{"--addr", "[::1]:4566"}, true},
		{nil, []string{"--addr", "localhost:4566"}, true},
		{nil, []string{"--addr", "0.0.0.0:4566"}, false},
		{nil, []string{"--addr", ":4566"}, false},
		{nil, []string{"--addr", "192.168.1.7:4566"}, false},
		{nil, []string{"--addr", ":4566", "--console"}, true},
		{nil, []string{"--addr", ":4566", "--console=true"}, true},
		{nil, []string{"--console=false"}, false},
		{map[string]string{"KEYTRAIL_CONSOLE": "FALSE"}, nil, false},
		{map[string]string{"KEYTRAIL_CONSOLE": "false"}, []string{"--console=auto"}, true},
	} {
		m := &Main{Stderr: &bytes.Buffer{}, Getenv: env(tc.env)}
		c, err := m.parseServe(tc.args)
		if err != nil || c.Console != tc.want {
			t.Errorf("parseServe(%v) with %v: console %v, %v; want %v", tc.args, tc.env, c != nil && c.Console, err, tc.want)
		}
	}
	for _, args := range [][]string{{"--console=maybe"}} {
		if _, err := (&Main{Stderr: &bytes.Buffer{}, Getenv: env(nil)}).parseServe(args); err == nil {
			t.Errorf("parseServe(%v) accepted", args)
		}
	}
	if _, err := (&Main{Stderr: &bytes.Buffer{}, Getenv: env(map[string]string{"KEYTRAIL_CONSOLE": "yes"})}).parseServe(nil); err == nil {
		t.Error("KEYTRAIL_CONSOLE=yes accepted")
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

func TestPolicyValidate(t *testing.T) {
	seedEDS := `{"Version":"2012-10-17","Statement":[{ "Sid": "Enable user key permissions for event data stores" "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::111111111111:user/Alice" }, "Action": [ "kms:Decrypt", "kms:GenerateDataKey" ], "Resource": "*" }]}`
	good := strings.Replace(seedEDS, `stores" "Effect"`, `stores", "Effect"`, 1)
	for _, c := range []struct {
		args    []string
		stdin   string
		wantOut string
		wantErr string
		invalid bool
	}{
		{[]string{"validate", "-"}, good, "valid key policy: 1 statement(s), version 2012-10-17", "", false},
		{[]string{"validate", "--kind", "bucket", "-"}, good, "valid bucket policy: 1 statement(s)", "", false},
		{[]string{"validate", "-"}, seedEDS, "", "invalid key policy: Syntax errors in policy: invalid character '\"' after object key:value pair (line 1, column 99)", true},
		{[]string{"validate", "--kind", "identity", "-"}, strings.Replace(good, "Enable user key permissions for event data stores", "EDS", 1), "", "Statement \"EDS\", Principal: Policy document should not specify a principal", true},
		{[]string{"validate", "--kind", "trust", "-"}, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringLike":{"aws:PrincipalArn":"` + strings.Repeat("x", 2100) + `"}}}]}`, "", "invalid trust policy: Cannot exceed quota for PolicySize: 2048", true},
		{[]string{"validate", "--kind", "other", "-"}, good, "", `--kind "other"`, false},
		{[]string{"validate"}, good, "", "one file", false},
		{[]string{"validate", "/nonexistent/policy.json"}, "", "", "no such file", false},
		{[]string{"lint"}, "", "", "usage: keytrail policy validate", false},
	} {
		var stdout bytes.Buffer
		m := &Main{Stdin: strings.NewReader(c.stdin), Stdout: &stdout, Stderr: &bytes.Buffer{}, Getenv: env(nil)}
		err := m.Run(context.Background(), append([]string{"policy"}, c.args...))
		if c.wantErr == "" {
			if err != nil || !strings.Contains(stdout.String(), c.wantOut) {
				t.Errorf("%v: %v, output %q", c.args, err, stdout.String())
			}
			continue
		}
		var invalid *invalidError
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || errors.As(err, &invalid) != c.invalid {
			t.Errorf("%v: error %v, want %q (invalid document: %v)", c.args, err, c.wantErr, c.invalid)
		}
	}
}
