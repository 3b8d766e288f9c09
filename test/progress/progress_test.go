package main

import (
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// stream is `go test -json` output of a package with a passing test whose subtest logs, a
// failing test, a package-level line from TestMain, and the package's failure.
const stream = `{"Action":"start","Package":"github.com/keytrail/keytrail/test/e2e"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Output":"built keytrail in 12s\n"}
{"Action":"run","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed","Output":"=== RUN   TestTerraformSeed\n"}
{"Action":"run","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed/seed"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed/seed","Output":"    terraform_test.go:129: terraform apply: 12.6s\n"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed/seed","Output":"--- PASS: TestTerraformSeed/seed (43.52s)\n"}
{"Action":"pass","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed/seed","Elapsed":43.52}
{"Action":"pass","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTerraformSeed","Elapsed":43.59}
{"Action":"run","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTrail"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTrail","Output":"    trail_test.go:10: get-trail = map[]\n"}
{"Action":"fail","Package":"github.com/keytrail/keytrail/test/e2e","Test":"TestTrail","Elapsed":1.25}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Output":"FAIL\n"}
{"Action":"output","Package":"github.com/keytrail/keytrail/test/e2e","Output":"FAIL\tgithub.com/keytrail/keytrail/test/e2e\t45.1s\n"}
{"Action":"fail","Package":"github.com/keytrail/keytrail/test/e2e","Elapsed":45.1}
`

func TestRun(t *testing.T) {
	var out strings.Builder
	now := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	ok := run(strings.NewReader(stream), &out, nil, func() time.Time { return now })
	want := `test/e2e: start
test/e2e: built keytrail in 12s
test/e2e: RUN  TestTerraformSeed
test/e2e:     terraform_test.go:129: terraform apply: 12.6s
test/e2e:   PASS TestTerraformSeed/seed (43.5s)
test/e2e: PASS TestTerraformSeed (43.6s)
test/e2e: RUN  TestTrail
test/e2e:     trail_test.go:10: get-trail = map[]
test/e2e: FAIL TestTrail (1.3s)
test/e2e: FAIL (45.1s)
`
	if ok || out.String() != want {
		t.Fatalf("run = %v, printed\n%s\nwant false and\n%s", ok, out.String(), want)
	}
}

func TestRunPasses(t *testing.T) {
	var out strings.Builder
	in := `{"Action":"pass","Package":"example.com/p","Elapsed":0.5}
not json: go test's own line
`
	if !run(strings.NewReader(in), &out, nil, time.Now) {
		t.Fatal("run of a passing package = false")
	}
	if want := "example.com/p: PASS (500ms)\nnot json: go test's own line\n"; out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}
}

func TestBuildFailure(t *testing.T) {
	var out strings.Builder
	in := `{"ImportPath":"github.com/keytrail/keytrail/test/e2e [github.com/keytrail/keytrail/test/e2e.test]","Action":"build-output","Output":"# github.com/keytrail/keytrail/test/e2e\n"}
{"ImportPath":"github.com/keytrail/keytrail/test/e2e [github.com/keytrail/keytrail/test/e2e.test]","Action":"build-fail"}
`
	if run(strings.NewReader(in), &out, nil, time.Now) {
		t.Fatal("run of a build failure = true")
	}
	if !strings.Contains(out.String(), "build failed") {
		t.Fatalf("printed %q", out.String())
	}
}

// TestIdle: after quiet without a printed line, progress names the innermost running tests and
// how long they have run, once per quiet period.
func TestIdle(t *testing.T) {
	start := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
	p := newProgress(start)
	for _, e := range []event{
		{Action: "run", Package: "example.com/p", Test: "TestA"},
		{Action: "run", Package: "example.com/p", Test: "TestA/sub"},
		{Action: "run", Package: "example.com/q", Test: "TestB"},
	} {
		p.event(e, start)
	}
	if got := p.idle(start.Add(quiet - time.Second)); got != nil {
		t.Fatalf("idle before quiet = %q", got)
	}
	got := p.idle(start.Add(quiet + 5*time.Second))
	want := []string{"example.com/p: ... TestA/sub still running (35s)", "example.com/q: ... TestB still running (35s)"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("idle = %q, want %q", got, want)
	}
	if got := p.idle(start.Add(quiet + 10*time.Second)); got != nil {
		t.Fatalf("idle right after saying so = %q", got)
	}
	p.event(event{Action: "pass", Package: "example.com/p", Test: "TestA/sub"}, start.Add(time.Minute))
	p.event(event{Action: "pass", Package: "example.com/p", Test: "TestA"}, start.Add(time.Minute))
	p.event(event{Action: "pass", Package: "example.com/q", Test: "TestB"}, start.Add(time.Minute))
	if got := p.idle(start.Add(10 * time.Minute)); got != nil {
		t.Fatalf("idle with nothing running = %q", got)
	}
}

// TestTick: run prints idle lines when its ticker fires while the input is silent.
func TestTick(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Date(2026, 12, 2, 18, 0, 0, 0, time.UTC)
		pr, pw := io.Pipe()
		tick := make(chan time.Time)
		var out strings.Builder
		done := make(chan bool)
		go func() { done <- run(pr, &out, tick, func() time.Time { return start }) }()
		if _, err := pw.Write([]byte(`{"Action":"run","Package":"example.com/p","Test":"TestSlow"}` + "\n")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // the event is read and printed; run waits for more
		tick <- start.Add(2 * time.Minute)
		pw.Close()
		if !<-done {
			t.Fatal("run = false")
		}
		want := "example.com/p: RUN  TestSlow\nexample.com/p: ... TestSlow still running (2m0s)\n"
		if out.String() != want {
			t.Fatalf("printed %q, want %q", out.String(), want)
		}
	})
}
