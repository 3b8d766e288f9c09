package advisor

import (
	"fmt"
	"io"
	"strings"
)

// WriteText writes the report for people: one line per requirement, then for each one not met
// why, the statements that came closest, and the statement to add.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "key policy check for %s\n\n", r.Key)
	for _, f := range r.Findings {
		status := "ok     "
		if !f.Met {
			status = "NOT MET"
		}
		fmt.Fprintf(&b, "%s %s: %s\n", status, f.Requirement, f.Title)
		if f.Subject != "" {
			fmt.Fprintf(&b, "        for %s\n", f.Subject)
		}
		switch {
		case f.Met && f.Statement != "" && f.Delegated:
			fmt.Fprintf(&b, "        by %s, which names the caller's account: its IAM policies must allow it too\n", f.Statement)
		case f.Met && f.Statement != "":
			fmt.Fprintf(&b, "        by %s\n", f.Statement)
		}
		if f.Note != "" {
			fmt.Fprintf(&b, "        note: %s\n", f.Note)
		}
		if f.Met {
			continue
		}
		fmt.Fprintf(&b, "        %s\n", f.Problem)
		for _, d := range f.Details {
			fmt.Fprintf(&b, "          - %s\n", d)
		}
		switch {
		case len(f.Add) > 0 && f.Replaces != "":
			fmt.Fprintf(&b, "        replace %s of the key policy with this one (for every trail and reader given):\n", f.Replaces)
		case len(f.Add) > 0:
			b.WriteString("        add this statement to the key policy:\n")
		}
		if len(f.Add) > 0 {
			for _, line := range strings.Split(string(f.Add), "\n") {
				b.WriteString("          " + line + "\n")
			}
		}
	}
	b.WriteString("\n")
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	fmt.Fprintf(&b, "%d requirement(s): %d met, %d not met\n", r.Met+r.NotMet, r.Met, r.NotMet)
	_, err := io.WriteString(w, b.String())
	return err
}
