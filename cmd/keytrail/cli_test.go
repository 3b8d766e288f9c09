package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// run runs keytrail as main does, with the environment vars: its exit status and outputs.
func run(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: env(vars)}
	code := m.Exit(context.Background(), args)
	return code, stdout.String(), stderr.String()
}

// TestHelp: every command's help, by -h, -help, --help and keytrail help COMMAND, goes to
// standard output with status 0 and names its usage, flags and exit statuses; nothing runs.
func TestHelp(t *testing.T) {
	flags := map[string]string{"serve": "-delivery-interval", "policy": "-kind", "flush": "-endpoint-url", "validate-logs": "-trail-arn"}
	for _, c := range commands {
		want := "Usage: keytrail " + c.name
		byHelp := ""
		for _, args := range [][]string{{c.name, "-h"}, {c.name, "-help"}, {c.name, "--help"}, {"help", c.name}} {
			code, out, errOut := run(t, nil, args...)
			if code != 0 || errOut != "" || !strings.HasPrefix(out, want) || !strings.Contains(out, "Exit status:\n  0  ") ||
				!strings.Contains(out, flags[c.name]) {
				t.Errorf("%v: status %d, stdout %q, stderr %q", args, code, out, errOut)
			}
			if byHelp == "" {
				byHelp = out
			} else if out != byHelp {
				t.Errorf("%v printed another help:\n%s\nthan\n%s", args, out, byHelp)
			}
		}
	}
	// Help flags after a subcommand's own arguments still print help and run nothing.
	for _, args := range [][]string{{"policy", "validate", "--help"}, {"flush", "--endpoint-url", "http://127.0.0.1:1", "-h"}} {
		if code, out, errOut := run(t, nil, args...); code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: keytrail") {
			t.Errorf("%v: status %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

// TestHelpList: keytrail help (and -h, --help) lists every command on standard output.
func TestHelpList(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
		code, out, errOut := run(t, nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: status %d, stderr %q", args, code, errOut)
		}
		for _, c := range commands {
			if !strings.Contains(out, "keytrail "+c.name+" ") {
				t.Errorf("%v does not list %s:\n%s", args, c.name, out)
			}
		}
	}
}

// TestUsageErrors: each is printed once, on standard error, and ends with status 2.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "keytrail: no command given"},
		{[]string{"nosuch"}, `keytrail: unknown command "nosuch"`},
		{[]string{"help", "nosuch"}, `keytrail: help: no command "nosuch"`},
		{[]string{"help", "serve", "flush"}, "keytrail: help takes one command"},
		{[]string{"serve", "--bogus"}, "keytrail: serve: flag provided but not defined: -bogus"},
		{[]string{"serve", "--delivery-interval", "soon"}, "keytrail: --delivery-interval must be a positive duration"},
		{[]string{"serve", "extra"}, "keytrail: serve takes no arguments"},
		{[]string{"flush", "--bogus"}, "keytrail: flush: flag provided but not defined: -bogus"},
		{[]string{"flush", "extra"}, "keytrail: flush takes no arguments"},
		{[]string{"flush", "--endpoint-url", "ftp://127.0.0.1"}, `keytrail: endpoint "ftp://127.0.0.1" is not an http:// or https:// URL`},
		{[]string{"policy"}, "keytrail: usage: keytrail policy validate"},
		{[]string{"policy", "validate", "--kind", "other", "-"}, `keytrail: --kind "other"`},
		{[]string{"policy", "validate", "--bogus"}, "keytrail: policy: flag provided but not defined: -bogus"},
		{[]string{"validate-logs", "--trail-arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t"}, "keytrail: validate-logs needs --trail-arn and --start-time"},
		{[]string{"validate-logs", "--trail-arn", "a", "--start-time", "yesterday"}, `keytrail: --start-time: "yesterday" is not a time`},
		{[]string{"version", "--bogus"}, "keytrail: version: flag provided but not defined: -bogus"},
		{[]string{"version", "extra"}, "keytrail: version takes no arguments"},
	} {
		code, out, errOut := run(t, nil, c.args...)
		if code != exitUsage || out != "" && c.args != nil {
			t.Errorf("%v: status %d, stdout %q", c.args, code, out)
		}
		if n := strings.Count(errOut, "keytrail: "); !strings.Contains(errOut, c.want) || n != 1 && c.args != nil {
			t.Errorf("%v: stderr %q, want %q once", c.args, errOut, c.want)
		}
		if c.args != nil && strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: stderr has more than the error: %q", c.args, errOut)
		}
	}
}

// TestVersionFlag: keytrail --version prints what keytrail version prints.
func TestVersionFlag(t *testing.T) {
	code, out, errOut := run(t, nil, "--version")
	_, want, _ := run(t, nil, "version")
	if code != 0 || errOut != "" || out != want || !strings.HasPrefix(out, "keytrail "+version+" (go") {
		t.Fatalf("--version: status %d, stdout %q (version: %q), stderr %q", code, out, want, errOut)
	}
}

// TestExitStatuses: a check that fails is 1, a command that cannot do its work is 3.
func TestExitStatuses(t *testing.T) {
	var stdout, stderr bytes.Buffer
	m := &Main{Stdin: strings.NewReader(`{"Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`), Stdout: &stdout, Stderr: &stderr, Getenv: env(nil)}
	if code := m.Exit(context.Background(), []string{"policy", "validate", "--kind", "identity", "-"}); code != exitInvalid || strings.Count(stderr.String(), "keytrail: ") != 1 {
		t.Errorf("invalid policy: status %d, stderr %q", code, stderr.String())
	}
	if code, _, errOut := run(t, nil, "policy", "validate", "/nonexistent/policy.json"); code != exitFailed || !strings.Contains(errOut, "no such file") {
		t.Errorf("unreadable policy: status %d, stderr %q", code, errOut)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	if code, _, errOut := run(t, nil, "flush", "--endpoint-url", closed.URL); code != exitFailed || strings.Count(errOut, "keytrail: ") != 1 {
		t.Errorf("flush against nothing: status %d, stderr %q", code, errOut)
	}
}

// recorder is an endpoint that counts the requests it gets and answers flush as keytrail does.
type recorder struct {
	*httptest.Server
	hits atomic.Int32
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.hits.Add(1)
		if req.URL.Path == "/_keytrail/flush" && req.Method == http.MethodPost {
			w.Write([]byte(`{"trails":0,"logFiles":0,"records":0,"errors":[]}`))
			return
		}
		http.Error(w, `{"__type":"TrailNotFoundException","message":"no trail"}`, http.StatusBadRequest)
	}))
	t.Cleanup(r.Close)
	return r
}

// TestEndpointResolution: flush and validate-logs go to --endpoint-url, else AWS_ENDPOINT_URL,
// else http://127.0.0.1:4566; flush's deprecated --endpoint still works, with a warning.
func TestEndpointResolution(t *testing.T) {
	byFlag, byEnv, byService := newRecorder(t), newRecorder(t), newRecorder(t)
	creds := map[string]string{"AWS_ACCESS_KEY_ID": "111122223333", "AWS_SECRET_ACCESS_KEY": "test"}
	with := func(vars map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range creds {
			out[k] = v
		}
		for k, v := range vars {
			out[k] = v
		}
		return out
	}
	validate := []string{"validate-logs", "--trail-arn", "arn:aws:cloudtrail:us-east-1:111122223333:trail/t", "--start-time", "2026-01-01"}
	for _, c := range []struct {
		name string
		vars map[string]string
		args []string
		want *recorder
		code int
	}{
		{"flush: the flag beats AWS_ENDPOINT_URL", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL}), []string{"flush", "--endpoint-url", byFlag.URL}, byFlag, 0},
		{"flush: AWS_ENDPOINT_URL without the flag", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL}), []string{"flush"}, byEnv, 0},
		{"flush: the deprecated --endpoint", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL}), []string{"flush", "--endpoint", byFlag.URL + "/"}, byFlag, 0},
		{"validate-logs: the flag beats AWS_ENDPOINT_URL", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL}), append(validate, "--endpoint-url", byFlag.URL), byFlag, exitFailed},
		{"validate-logs: AWS_ENDPOINT_URL without the flag", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL}), validate, byEnv, exitFailed},
		{"validate-logs: AWS_ENDPOINT_URL_CLOUDTRAIL beats AWS_ENDPOINT_URL", with(map[string]string{"AWS_ENDPOINT_URL": byEnv.URL, "AWS_ENDPOINT_URL_CLOUDTRAIL": byService.URL}), validate, byService, exitFailed},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := map[*recorder]int32{byFlag: byFlag.hits.Load(), byEnv: byEnv.hits.Load(), byService: byService.hits.Load()}
			code, _, errOut := run(t, c.vars, c.args...)
			if code != c.code {
				t.Fatalf("status %d, want %d; stderr %q", code, c.code, errOut)
			}
			for r, n := range before {
				if got := r.hits.Load() - n; (r == c.want) != (got > 0) {
					t.Errorf("%s got %d requests", r.URL, got)
				}
			}
			if deprecated := strings.Contains(errOut, "--endpoint is deprecated"); deprecated != strings.Contains(c.name, "deprecated") {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
	m := &Main{Getenv: env(nil)}
	if got, err := m.endpoint(""); err != nil || got != "http://127.0.0.1:4566" {
		t.Errorf("default endpoint %q, %v", got, err)
	}
	m.Getenv = env(map[string]string{"AWS_ENDPOINT_URL": "http://env:1/", "AWS_ENDPOINT_URL_S3": "http://s3:2"})
	for _, c := range []struct {
		flag, service, want string
	}{
		{"", "", "http://env:1"}, {"http://flag:3", "", "http://flag:3"}, {"", "AWS_ENDPOINT_URL_S3", "http://s3:2"},
		{"http://flag:3", "AWS_ENDPOINT_URL_S3", "http://flag:3"}, {"", "AWS_ENDPOINT_URL_CLOUDTRAIL", "http://env:1"},
	} {
		var vars []string
		if c.service != "" {
			vars = append(vars, c.service)
		}
		if got, err := m.endpoint(c.flag, vars...); err != nil || got != c.want {
			t.Errorf("endpoint(%q, %v) = %q, %v; want %s", c.flag, vars, got, err, c.want)
		}
	}
}
