package policy

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// mapContext is a condition-key context for tests; names match regardless of case.
type mapContext map[string][]string

func (m mapContext) Lookup(key string) ([]string, bool) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func TestOperatorCorpus(t *testing.T) {
	b, err := os.ReadFile("testdata/operators.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus struct {
		Source string `json:"source"`
		Cases  []struct {
			Name      string          `json:"name"`
			Version   string          `json:"version"`
			Condition json.RawMessage `json:"condition"`
			Context   mapContext      `json:"context"`
			Want      *bool           `json:"want"`
		} `json:"cases"`
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&corpus); err != nil {
		t.Fatal(err)
	}
	if corpus.Source == "" || len(corpus.Cases) < 50 {
		t.Fatalf("the operator corpus names its source and holds the cases (%d)", len(corpus.Cases))
	}
	seen := map[string]bool{}
	for _, c := range corpus.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if c.Want == nil || c.Condition == nil {
				t.Fatal("the case asserts nothing: it needs condition and want")
			}
			version := c.Version
			if version == "" {
				version = Version2012
			}
			doc := `{"Version":"` + version + `","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + string(c.Condition) + `}]}`
			p, err := Parse(doc, Identity)
			if err != nil {
				t.Fatal(err)
			}
			for _, cond := range p.Statements[0].Conditions {
				seen[cond.op.name] = true
			}
			r := p.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: c.Context})
			if got := r.Allow != nil; got != *c.Want {
				t.Errorf("condition %s with context %v = %v, want %v (%s)", c.Condition, c.Context, got, *c.Want, p.Explain(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: c.Context})[0].Reason)
			}
		})
	}
	for _, o := range operators {
		if !seen[o.name] {
			t.Errorf("the corpus has no case for %s", o.name)
		}
	}
}
