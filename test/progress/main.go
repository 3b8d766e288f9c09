// Command progress reads `go test -json` on standard input and prints, as the tests run, which
// test each package is running, each test's and subtest's result with its duration, everything
// the tests log (t.Log, failure messages), each package's result, and, when nothing was printed
// for a while, which tests are still running and for how long: the e2e tier (`make e2e`) is never
// silent for minutes, and its output stays short enough to read in CI. It exits 1 when a test,
// a package or a build failed.
//
// go test streams -json output as it comes even when it tests several packages at once, where
// -v output is held back until each package ends
// (https://pkg.go.dev/cmd/go#hdr-Testing_flags, https://pkg.go.dev/cmd/test2json).
//
//	go test -json -tags e2e ./test/e2e/ | go run ./test/progress
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"
)

// event is one line of `go test -json` (https://pkg.go.dev/cmd/test2json).
type event struct {
	Time        time.Time
	Action      string
	Package     string
	ImportPath  string
	Test        string
	Elapsed     float64
	Output      string
	FailedBuild string
}

// modulePrefix is cut from package paths in what progress prints.
const modulePrefix = "github.com/keytrail/keytrail/"

// quiet is how long progress may print nothing while tests run before it says which are
// running.
const quiet = 30 * time.Second

// progress turns events into lines. It keeps the tests that have started and not ended.
type progress struct {
	running map[string]time.Time // package + " " + test → when it started
	last    time.Time            // when a line was last printed
	failed  bool
}

func newProgress(now time.Time) *progress {
	return &progress{running: map[string]time.Time{}, last: now}
}

func short(pkg string) string { return strings.TrimPrefix(pkg, modulePrefix) }

func seconds(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(100 * time.Millisecond).String()
}

// event returns the lines to print for e, which arrived at now.
func (p *progress) event(e event, now time.Time) []string {
	pkg := short(e.Package)
	var out []string
	switch e.Action {
	case "start":
		out = append(out, pkg+": start")
	case "run":
		p.running[e.Package+" "+e.Test] = now
		if !strings.Contains(e.Test, "/") {
			out = append(out, fmt.Sprintf("%s: RUN  %s", pkg, e.Test))
		}
	case "pass", "fail", "skip":
		if e.Action == "fail" {
			p.failed = true
		}
		result := strings.ToUpper(e.Action)
		if e.Test == "" {
			out = append(out, fmt.Sprintf("%s: %s (%s)", pkg, result, seconds(e.Elapsed)))
			break
		}
		delete(p.running, e.Package+" "+e.Test)
		indent := strings.Repeat("  ", strings.Count(e.Test, "/"))
		out = append(out, fmt.Sprintf("%s: %s%s %s (%s)", pkg, indent, result, e.Test, seconds(e.Elapsed)))
	case "output":
		if line := strings.TrimRight(e.Output, "\n"); keep(line, e.Test) {
			out = append(out, pkg+": "+line)
		}
	case "build-output":
		out = append(out, strings.TrimRight(e.Output, "\n"))
	case "build-fail":
		p.failed = true
		out = append(out, short(e.ImportPath)+": build failed")
	}
	if len(out) > 0 {
		p.last = now
	}
	return out
}

// keep tells whether an output line is printed: not go test's framing of a test's run and
// result (=== RUN, --- PASS, …), nor a package's PASS/FAIL/ok summary, which progress prints in
// its own words.
func keep(line, test string) bool {
	trimmed := strings.TrimSpace(line)
	switch {
	case trimmed == "":
		return false
	case strings.HasPrefix(trimmed, "=== ") || strings.HasPrefix(trimmed, "--- "):
		return false
	case test == "" && (trimmed == "PASS" || trimmed == "FAIL" || strings.HasPrefix(line, "ok  \t") || strings.HasPrefix(line, "FAIL\t")):
		return false
	}
	return true
}

// idle returns, when nothing was printed for quiet, a line per innermost running test with how
// long it has run.
func (p *progress) idle(now time.Time) []string {
	if now.Sub(p.last) < quiet || len(p.running) == 0 {
		return nil
	}
	var names []string
	for name := range p.running {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []string
	for i, name := range names {
		if i+1 < len(names) && strings.HasPrefix(names[i+1], name+"/") {
			continue // a subtest of it is running: say which
		}
		pkg, test, _ := strings.Cut(name, " ")
		out = append(out, fmt.Sprintf("%s: ... %s still running (%s)", short(pkg), test, now.Sub(p.running[name]).Round(time.Second)))
	}
	p.last = now
	return out
}

// run copies r's events to w as progress lines until r ends, and says whether all passed.
func run(r io.Reader, w io.Writer, tick <-chan time.Time, now func() time.Time) bool {
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	p := newProgress(now())
	emit := func(out []string) {
		for _, l := range out {
			_, _ = fmt.Fprintln(w, l) // a closed output stops nothing: go test's own status still counts
		}
	}
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return !p.failed
			}
			var e event
			if err := json.Unmarshal([]byte(line), &e); err != nil || e.Action == "" {
				emit([]string{line}) // not an event: go test's own message
				continue
			}
			emit(p.event(e, now()))
		case t := <-tick:
			emit(p.idle(t))
		}
	}
}

func main() {
	ticker := time.NewTicker(5 * time.Second)
	defer ticker.Stop()
	if !run(os.Stdin, os.Stdout, ticker.C, time.Now) {
		os.Exit(1)
	}
}
