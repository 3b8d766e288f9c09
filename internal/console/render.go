package console

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/keytrail/keytrail/internal/identity"
)

// page is what every template gets: the shared layout's fields and the page's own Data.
type page struct {
	Title   string
	Session *session // nil on the sign-in page
	Flash   string   // a one-line notice (success)
	Error   *apiError
	CLI     []cliCommand
	Data    any
}

// Who is the signed-in identity's ARN, for the layout.
func (p *page) Who() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.who.ARN
}

// Account is the signed-in account, for the layout.
func (p *page) Account() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.who.Account
}

// CSRF is the session's form token, for the layout's sign-out form and the pages' forms.
func (p *page) CSRF() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.csrf
}

// ResetRequired says whether the signed-in user's password must be reset.
func (p *page) ResetRequired() bool {
	if p.Session == nil {
		return false
	}
	p.Session.mu.Lock()
	defer p.Session.mu.Unlock()
	return p.Session.reset
}

// IAMUser says whether the signed-in identity is an IAM user (who has a password to change).
func (p *page) IAMUser() bool { return p.Session != nil && p.Session.who.Type == identity.IAMUser }

// apiError is an error as the console shows it: AWS's code and message, and the request ID of
// the refused call when there was one (what `keytrail explain` takes to say why it was denied).
type apiError struct {
	Code      string
	Message   string
	RequestID string

	Explanation *explanationView // keytrail's explanation when the call was denied (denials.go)
}

// errorOf is an SDK call's error as a page shows it: the API's error code and message, as the
// AWS console shows them; anything else is an internal error whose detail is logged, not shown.
func (c *Console) errorOf(err error) *apiError {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		out := &apiError{Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			out.RequestID = re.ServiceRequestID()
		}
		return out
	}
	c.log.Error("console: call failed", "err", err)
	return &apiError{Code: "InternalError", Message: "keytrail could not complete the request."}
}

// cliCommand is the AWS CLI command equivalent to what a page did, ready to copy.
type cliCommand struct {
	What    string
	Command string
}

// cli builds an aws CLI command line from its words, quoting those the shell would split.
func cli(words ...string) string {
	var b strings.Builder
	b.WriteString("aws")
	for _, w := range words {
		b.WriteByte(' ')
		b.WriteString(shellQuote(w))
	}
	return b.String()
}

// shellQuote quotes a word for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// endpointFlag is the --endpoint-url of the CLI commands shown for r.
func endpointFlag(r *http.Request) []string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return []string{"--endpoint-url", scheme + "://" + r.Host}
}

// regional is the CLI equivalent of a call to a regional service (kms, cloudtrail, s3): the
// words, then the console's --region and r's --endpoint-url.
func (c *Console) regional(r *http.Request, what string, words ...string) cliCommand {
	return cliCommand{What: what, Command: cli(append(append(words, "--region", c.region), endpointFlag(r)...)...)}
}

// global is the CLI equivalent of a call to a global service (iam, sts): the words, then r's
// --endpoint-url.
func global(r *http.Request, what string, words ...string) cliCommand {
	return cliCommand{What: what, Command: cli(append(words, endpointFlag(r)...)...)}
}

// redirect ends a POST that changed something as the console's pages do (POST, redirect, GET):
// the page at target shows msg once, as its flash.
func redirect(w http.ResponseWriter, r *http.Request, ss *session, target, msg string) {
	ss.setFlash(msg)
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// parsePages parses each page of templates/ (every file but layout.html, named by its base name)
// with the shared layout and components: a new page is a new template file.
func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	files, _ := fs.Glob(templateFiles, "templates/*.html") // the pattern is valid: a compile-time fact
	for _, file := range files {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.New("page-"+name).ParseFS(templateFiles, "templates/layout.html", file))
	}
	return out
}

// render writes a page with status; a template failure is logged and answered 500 without
// half a page. A signed-in page shows (and so uses up) the session's flash.
func (c *Console) render(w http.ResponseWriter, status int, name string, p *page) {
	if p.Session != nil && p.Flash == "" {
		p.Flash = p.Session.takeFlash()
		p.CLI = append(p.Session.takeFlashCLI(), p.CLI...)
	}
	c.explainError(p)
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // a browser gone mid-answer is not the server's error
}
