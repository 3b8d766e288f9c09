//go:build cgo

package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/keytrail/keytrail/internal/lake/engine"
)

// corpusStore is the store ID that replaces $EDS_ID in the corpus queries.
const corpusStore = "EXAMPLEf852-4e8f-8bd1-bcf6cEXAMPLE"

// corpusNow is the engine clock for the corpus: after every fixture event but the ones dated 2099
// (which stand for "recent" events), so relative windows give the same rows as on the day the
// expectations were computed.
var corpusNow = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

// corpusCase is one file of testdata/queries (format: testdata/queries/README.md).
type corpusCase struct {
	name    string
	header  map[string]string
	sql     string
	fixture string // the fixture file, relative to testdata
}

func readCase(dir fs.FS, name string) (corpusCase, error) {
	data, err := fs.ReadFile(dir, name)
	if err != nil {
		return corpusCase{}, err
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	head, body, ok := strings.Cut(text, "\n\n")
	if !ok {
		return corpusCase{}, errors.New("no empty line ends the header")
	}
	c := corpusCase{name: path.Base(name), header: map[string]string{}, sql: body, fixture: "fixture.jsonl"}
	for _, line := range strings.Split(head, "\n") {
		key, value, ok := strings.Cut(strings.TrimPrefix(line, "--"), ":")
		if !strings.HasPrefix(line, "--") || !ok {
			return corpusCase{}, errors.New("header line is not `-- key: value`: " + line)
		}
		c.header[strings.TrimSpace(key)] = strings.TrimSpace(value)
	}
	if f := c.header["fixture"]; f != "" {
		c.fixture = f
	}
	return c, nil
}

// TestCorpus runs every sample query of testdata/queries on its fixture: an ok query must return
// exactly its expected rows (or, marked unverified, its number of rows); a malformed or template
// query must be refused or fail with a message.
func TestCorpus(t *testing.T) {
	dir := os.DirFS("testdata")
	files, err := fs.Glob(dir, "queries/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata/queries (%v)", err)
	}
	engines := map[string]*engine.Engine{}
	kinds := map[string]int{}
	for _, f := range files {
		c, err := readCase(dir, f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		e := engines[c.fixture]
		if e == nil {
			e = corpusEngine(t, dir, c.fixture)
			engines[c.fixture] = e
		}
		kinds[c.header["kind"]]++
		t.Run(strings.TrimSuffix(c.name, ".sql"), func(t *testing.T) { c.run(t, e) })
	}
	t.Logf("corpus: %d files, kinds %v", len(files), kinds)
}

func corpusEngine(t *testing.T, dir fs.FS, fixture string) *engine.Engine {
	t.Helper()
	data, err := fs.ReadFile(dir, fixture)
	if err != nil {
		t.Fatal(err)
	}
	var records [][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			records = append(records, line)
		}
	}
	e, err := engine.Open(engine.Config{Now: func() time.Time { return corpusNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	if err := e.Load(context.Background(), corpusStore, records); err != nil {
		t.Fatalf("%s: %v", fixture, err)
	}
	return e
}

func (c corpusCase) run(t *testing.T, e *engine.Engine) {
	sql := strings.ReplaceAll(c.sql, "$EDS_ID", corpusStore)
	res, err := e.Query(context.Background(), sql, nil)
	switch kind := c.header["kind"]; kind {
	case "malformed", "template":
		if !errors.Is(err, engine.ErrInvalidStatement) && !errors.Is(err, engine.ErrQueryFailed) {
			t.Fatalf("%s query: err = %v, want a refusal or a failure", kind, err)
		}
		t.Logf("%s: %v", kind, err)
	case "ok":
		if err != nil {
			t.Fatalf("query failed: %v\n%s", err, sql)
		}
		c.check(t, res)
	default:
		t.Fatalf("kind %q is not ok, malformed or template", kind)
	}
}

// check compares an ok query's result with the header's columns and expect (or rows) lines.
func (c corpusCase) check(t *testing.T, res *engine.Result) {
	if cols := c.header["columns"]; cols != "*" {
		var want []string
		if err := json.Unmarshal([]byte(cols), &want); err != nil {
			t.Fatalf("columns: %v", err)
		}
		if diff := cmp.Diff(want, res.Columns); diff != "" {
			t.Errorf("columns (-want +got):\n%s", diff)
		}
	}
	expect := c.header["expect"]
	if expect == "unverified" {
		n, err := strconv.Atoi(c.header["rows"])
		if err != nil {
			t.Fatalf("expect: unverified needs a rows line: %v", err)
		}
		if len(res.Rows) != n {
			t.Errorf("%d rows, want %d", len(res.Rows), n)
		}
		return
	}
	var want [][]*string
	if err := json.Unmarshal([]byte(expect), &want); err != nil {
		t.Fatalf("expect: %v", err)
	}
	got := res.Rows
	if c.header["order"] == "any" {
		want, got = sortedRows(want), sortedRows(got)
	}
	if diff := cmp.Diff(want, got, cmp.Transformer("rows", rowText)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func rowText(rows [][]*string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		b, _ := json.Marshal(r)
		out[i] = string(b)
	}
	return out
}

func sortedRows(rows [][]*string) [][]*string {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b []*string) int {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return bytes.Compare(x, y)
	})
	return out
}
