package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText writes the explanation for a reader: each denial with its rule, then the policies
// consulted, statement by statement, then the fixes.
func (e *Explanation) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Request %s (%s): %d denial(s)\n", e.RequestID, e.Time.UTC().Format("2006-01-02T15:04:05Z"), len(e.Denials))
	for i := range e.Denials {
		e.Denials[i].writeText(&b)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (d *Denial) writeText(b *strings.Builder) {
	b.WriteString("\n")
	if d.InvokedBy != "" {
		fmt.Fprintf(b, "In-process call %s made by %s\n", d.RequestID, d.InvokedBy)
	}
	caller := d.Caller.ARN
	if d.Caller.Service != "" {
		caller = d.Caller.Service
	}
	fmt.Fprintf(b, "Caller:   %s (%s)\n", caller, d.Caller.Type)
	fmt.Fprintf(b, "Action:   %s\nResource: %s\n", d.Action, d.Resource)
	fmt.Fprintf(b, "Message:  %s\n", d.Message)
	kind := "implicit deny"
	if d.Explicit {
		kind = "explicit deny"
	}
	fmt.Fprintf(b, "Decision: %s (%s)\n", kind, d.PolicyType)
	fmt.Fprintf(b, "Rule:     %s\n", d.Rule)
	if d.Missing != "" {
		fmt.Fprintf(b, "Missing:  %s\n", d.Missing)
	}
	if len(d.Policies) == 0 {
		b.WriteString("Policies: none applies to the caller\n")
	}
	for _, p := range d.Policies {
		fmt.Fprintf(b, "Policy %s (%s):\n", p.Name, p.Type)
		for _, s := range p.Statements {
			s.writeText(b)
		}
	}
	for _, f := range d.Fixes {
		if f.Statement == nil {
			fmt.Fprintf(b, "Fix in %s: %s\n", f.Policy, f.Note)
			continue
		}
		text, _ := json.MarshalIndent(f.Statement, "    ", "  ")
		fmt.Fprintf(b, "Fix: add to %s:\n    %s\n", f.Policy, text)
	}
}

func (s *Statement) writeText(b *strings.Builder) {
	verdict := "does not apply: " + s.Reason
	if s.Applies {
		verdict = "applies"
	}
	fmt.Fprintf(b, "  %s %s %s\n", s.Label, s.Effect, verdict)
	if !s.Action {
		return // a statement for other actions says nothing more of this request
	}
	if s.Principal != "" {
		fmt.Fprintf(b, "    principal: %s; ", s.Principal)
	} else {
		b.WriteString("    ")
	}
	fmt.Fprintf(b, "action: %s; resource: %s\n", yes(s.Action), yes(s.Resource))
	for _, c := range s.Conditions {
		req := "absent"
		if c.Request != nil {
			req = quoted(c.Request)
		}
		fmt.Fprintf(b, "    condition %s %s: request %s, expected %s: %s\n", c.Operator, c.Key, req, quoted(c.Expected), met(c.Met))
	}
}

func yes(ok bool) string {
	if ok {
		return "matches"
	}
	return "does not match"
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

func quoted(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = fmt.Sprintf("%q", v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
