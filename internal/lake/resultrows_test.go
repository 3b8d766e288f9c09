package lake_test

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/keytrail/keytrail/internal/lake"
)

func ptrs(vs ...string) []*string {
	out := make([]*string, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// ResultRows marshal exactly as the API's shape, [][]map[string]*string, marshals with
// encoding/json: plain and escaped strings, NULL, an empty page.
func TestResultRowsJSON(t *testing.T) {
	for _, r := range []lake.ResultRows{
		{},
		{Columns: []string{"eventName", "n"}, Rows: [][]*string{ptrs("Decrypt", "3"), {nil, ptrs("0")[0]}}},
		{Columns: []string{`we"ird\col`, "<b>&", "ünï", "ctl"}, Rows: [][]*string{ptrs("a\"b\\c", "<script>&", "日本語 é", "tab\tnl\n\x01"), ptrs("", "", "\u2028", string([]byte{0xff, 'x'}))}},
	} {
		got, err := json.Marshal(struct {
			QueryResultRows lake.ResultRows
		}{r})
		if err != nil {
			t.Fatal(err)
		}
		maps := r.Maps()
		if maps == nil {
			maps = [][]map[string]*string{}
		}
		want, _ := json.Marshal(struct {
			QueryResultRows [][]map[string]*string
		}{maps})
		if string(got) != string(want) {
			t.Errorf("ResultRows %v:\n got %s\nwant %s", r, got, want)
		}
	}
}

// BenchmarkResultPage is one page of GetQueryResults (1,000 rows of three columns) written as
// JSON; BenchmarkResultPageMaps the same through the API's map shape, as it was written before.
func BenchmarkResultPage(b *testing.B) {
	r := page()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(struct{ QueryResultRows lake.ResultRows }{r}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResultPageMaps(b *testing.B) {
	r := page()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(struct{ QueryResultRows [][]map[string]*string }{r.Maps()}); err != nil {
			b.Fatal(err)
		}
	}
}

func page() lake.ResultRows {
	r := lake.ResultRows{Columns: []string{"eventName", "arn", "n"}}
	for i := range 1000 {
		r.Rows = append(r.Rows, ptrs("Decrypt"+strconv.Itoa(i%39), "arn:aws:iam::111122223333:user/u"+strconv.Itoa(i), strconv.Itoa(i)))
	}
	return r
}
