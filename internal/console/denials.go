package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/keytrail/keytrail/internal/explain"
)

// Explainer finds keytrail's explanation of a denied request (explain.Store): the denials of
// request id that account may read, false when there is none. The console's calls are the
// signed-in account's own, so it reads the explanation in process, as GET
// /_keytrail/explain/<id> would answer the same account.
type Explainer interface {
	Get(id, account string) (*explain.Explanation, bool)
}

// explanationView is an explanation as the error component shows it.
type explanationView struct {
	RequestID string
	Denials   []denialView
}

// denialView is one refused authorization: who, what, the rule that decided, each policy
// consulted statement by statement (with each condition against the request's values), and
// the smallest statements that would let it through.
type denialView struct {
	InvokedBy, InProcessID      string
	Caller, Action, Resource    string
	Decision, Rule, Missing     string
	Policies                    []policyView
	Fixes                       []fixView
	Explicit, NoPolicyForCaller bool
}

type policyView struct {
	Name, Type string
	Statements []statementView
}

type statementView struct {
	explain.Statement
	JSON string
}

type fixView struct {
	Policy, Statement, Note string
}

// explainError attaches to p's error the explanation of its request, when the refused call was
// a denial of the signed-in account.
func (c *Console) explainError(p *page) {
	if p.Session != nil {
		c.attachExplanation(p.Error, p.Session)
	}
}

// explained is an SDK call's error as a page section shows it (errorOf), with keytrail's
// explanation of the denial when there is one.
func (c *Console) explained(ss *session, err error) *apiError {
	e := c.errorOf(err)
	c.attachExplanation(e, ss)
	return e
}

func (c *Console) attachExplanation(e *apiError, ss *session) {
	if e == nil || ss == nil || e.RequestID == "" || e.Explanation != nil || c.explain == nil {
		return
	}
	x, ok := c.explain.Get(e.RequestID, ss.who.Account)
	if !ok {
		return
	}
	e.Explanation = viewOf(x)
}

// viewOf turns an explanation into what the template shows.
func viewOf(x *explain.Explanation) *explanationView {
	v := &explanationView{RequestID: x.RequestID}
	for _, d := range x.Denials {
		dv := denialView{InvokedBy: d.InvokedBy, Caller: d.Caller.ARN, Action: d.Action, Resource: d.Resource,
			Rule: d.Rule, Missing: d.Missing, Explicit: d.Explicit, NoPolicyForCaller: len(d.Policies) == 0}
		if d.InvokedBy != "" {
			dv.InProcessID = d.RequestID
		}
		if d.Caller.Service != "" {
			dv.Caller = d.Caller.Service
		}
		dv.Decision = "Implicit deny"
		if d.Explicit {
			dv.Decision = "Explicit deny"
		}
		if d.PolicyType != "" {
			dv.Decision += " (" + d.PolicyType + ")"
		}
		for _, p := range d.Policies {
			pv := policyView{Name: p.Name, Type: p.Type}
			for _, s := range p.Statements {
				pv.Statements = append(pv.Statements, statementView{Statement: s, JSON: indentJSON(s.Text)})
			}
			dv.Policies = append(dv.Policies, pv)
		}
		for _, f := range d.Fixes {
			fv := fixView{Policy: f.Policy, Note: f.Note}
			if f.Statement != nil {
				fv.Statement = indentJSON(f.Statement)
			}
			dv.Fixes = append(dv.Fixes, fv)
		}
		v.Denials = append(v.Denials, dv)
	}
	return v
}

// indentJSON is v as indented JSON; "" when it has none.
func indentJSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// explainPage shows keytrail's explanation of one denied request of the signed-in account, by
// request ID: where a list shows a denial in a line (a key's row, a trail's status), its "Why was
// this denied?" leads here. Another account's request, or one keytrail kept no explanation of,
// is not found.
func (c *Console) explainPage(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	var x *explain.Explanation
	ok := false
	if c.explain != nil && len(id) <= 128 {
		x, ok = c.explain.Get(id, ss.who.Account)
	}
	if !ok {
		c.render(w, http.StatusNotFound, "error", &page{Title: "Denial explanation", Session: ss,
			Error: &apiError{Code: "NotFound", Message: "keytrail has no explanation of a denied request " + id + " of this account."}})
		return
	}
	c.render(w, http.StatusOK, "explain", &page{Title: "Why keytrail denied it", Session: ss, Data: viewOf(x),
		CLI: []cliCommand{{What: "The same explanation from the command line", Command: "keytrail explain " + strings.Join(endpointFlag(r), " ") + " " + shellQuote(id)}}})
}
