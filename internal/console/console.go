package console

import (
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/sts"
)

// maxForm bounds the body of a console request.
const maxForm = 64 << 10

// Prefix is the path the console is served under.
const Prefix = "/console"

// Sign-in limits and session length (see docs/decisions.md, "Console").
const (
	DefaultSessionDuration = 12 * time.Hour   // an AWS console session's default length
	DefaultUserFailures    = 5                // failed sign-ins of one account and user name…
	DefaultIPFailures      = 20               // …or from one source IP…
	DefaultFailureWindow   = 15 * time.Minute // …within this window lock further sign-ins out
)

// Users checks IAM users' console passwords (iam.Service).
type Users interface {
	SignIn(ctx context.Context, account, user, password string) (identity.Principal, bool, error)
	EnsureAccount(ctx context.Context, account string) error
}

// Sessions mints and revokes console sessions' temporary credentials (sts.Service).
type Sessions interface {
	ConsoleSession(ctx context.Context, p identity.Principal, d time.Duration) (*sts.Credentials, error)
	EndSession(ctx context.Context, accessKeyID string) error
}

// SignIns records each sign-in attempt as CloudTrail's ConsoleLogin event (events.Recorder).
type SignIns interface {
	RecordSignIn(s events.SignIn) error
}

// Config configures a Console.
type Config struct {
	Users      Users
	Sessions   Sessions
	API        http.Handler // keytrail's gateway: where the console's SDK clients send their calls
	RootSecret string       // the password of every account's root (keytrail's --root-secret)
	Region     string       // the region the console's clients call
	Version    string
	Logger     *slog.Logger
	Now        func() time.Time
	Rand       io.Reader
	Explain    Explainer // the explanations of denials (explain.Store); none shown when nil
	SignIns    SignIns   // where sign-ins are recorded as ConsoleLogin events (events.Recorder); none when nil

	SessionDuration time.Duration // DefaultSessionDuration when zero
	UserFailures    int           // DefaultUserFailures when zero
	IPFailures      int           // DefaultIPFailures when zero
	FailureWindow   time.Duration // DefaultFailureWindow when zero
}

// Console is the web console's http.Handler, for paths under Prefix.
type Console struct {
	users      Users
	sts        Sessions
	api        http.Handler
	rootSecret string
	region     string
	version    string
	userAgent  string
	log        *slog.Logger
	now        func() time.Time
	rand       io.Reader
	duration   time.Duration
	explain    Explainer
	signIns    SignIns

	sessions sessions
	byUser   limiter
	byIP     limiter
	pages    map[string]*template.Template
	static   http.Handler
	mux      *http.ServeMux
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// New returns a Console.
func New(cfg Config) *Console {
	c := &Console{users: cfg.Users, sts: cfg.Sessions, api: cfg.API, rootSecret: cfg.RootSecret, region: cfg.Region,
		version: cfg.Version, log: cfg.Logger, now: cfg.Now, rand: cfg.Rand, duration: cfg.SessionDuration, explain: cfg.Explain,
		signIns: cfg.SignIns}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	if c.duration <= 0 {
		c.duration = DefaultSessionDuration
	}
	c.userAgent = "keytrail-console/" + c.version
	window := cfg.FailureWindow
	if window <= 0 {
		window = DefaultFailureWindow
	}
	c.byUser = limiter{max: orDefault(cfg.UserFailures, DefaultUserFailures), window: window}
	c.byIP = limiter{max: orDefault(cfg.IPFailures, DefaultIPFailures), window: window}
	c.pages = parsePages()
	sub, _ := fs.Sub(staticFiles, "static") // the embedded directory exists: a compile-time fact
	c.static = http.StripPrefix(Prefix+"/static/", http.FileServer(http.FS(sub)))
	c.routes()
	return c
}

func orDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

// routes builds the console's table of pages.
func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET "+Prefix+"/{$}", c.signedIn(c.home))
	m.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, Prefix+"/", http.StatusFound) })
	m.HandleFunc("GET "+Prefix+"/signin", c.signInPage)
	m.HandleFunc("POST "+Prefix+"/signin", c.signIn)
	m.HandleFunc("POST "+Prefix+"/signout", c.signedIn(c.signOut))
	m.HandleFunc("GET "+Prefix+"/password", c.signedIn(c.passwordPage))
	m.HandleFunc("POST "+Prefix+"/password", c.signedIn(c.changePassword))
	m.HandleFunc("GET "+Prefix+"/kms/keys", c.signedIn(c.keys))
	m.HandleFunc("GET "+Prefix+"/kms/keys/{id}", c.signedIn(c.key))
	c.trailRoutes(m)
	c.keyActionRoutes(m)
	m.HandleFunc("GET "+Prefix+"/s3/buckets", c.signedIn(c.buckets))
	m.HandleFunc("GET "+Prefix+"/s3/buckets/{bucket}", c.signedIn(c.folder))
	m.HandleFunc("GET "+Prefix+"/s3/buckets/{bucket}/object", c.signedIn(c.object))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/events", c.signedIn(c.history))
	m.HandleFunc("GET "+Prefix+"/explain/{id}", c.signedIn(c.explainPage))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/lake", c.signedIn(c.lakeStores))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/lake/create", c.signedIn(c.lakeCreatePage))
	m.HandleFunc("POST "+Prefix+"/cloudtrail/lake/create", c.signedIn(c.lakeCreate))
	m.HandleFunc("GET "+Prefix+"/cloudtrail/lake/query", c.signedIn(c.lakeQueryPage))
	m.HandleFunc("POST "+Prefix+"/cloudtrail/lake/query", c.signedIn(c.lakeQuery))
	m.Handle("GET "+Prefix+"/static/", c.static)
	m.HandleFunc(Prefix+"/", func(w http.ResponseWriter, _ *http.Request) {
		c.render(w, http.StatusNotFound, "notfound", &page{Title: "Not found"})
	})
	c.mux = m
}

// ServeHTTP implements http.Handler, with the security headers of every console answer.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, Prefix+"/static/") {
		h.Set("Cache-Control", "no-store")
	}
	// The console's forms are small: a larger body is refused as it is read.
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	c.mux.ServeHTTP(w, r)
}

// pageHandler is a handler of a signed-in page.
type pageHandler func(w http.ResponseWriter, r *http.Request, ss *session)

// signedIn runs h for a request of a signed-in browser, and sends any other to the sign-in
// page. Every POST must carry the session's CSRF token; one without it changes nothing.
func (c *Console) signedIn(h pageHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := c.session(r)
		if ss == nil {
			http.SetCookie(w, cookie(r, sessionCookie, "", time.Time{}))
			http.Redirect(w, r, Prefix+"/signin", http.StatusFound)
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), ss.csrf) {
			c.render(w, http.StatusForbidden, "error", &page{Title: "Request refused", Session: ss,
				Error: &apiError{Code: "InvalidCSRFToken", Message: "The form was not sent from this console session. Nothing was changed; reload the page and try again."}})
			return
		}
		h(w, r, ss)
	}
}

// session returns the browser's unexpired session, or nil.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return c.sessions.get(ck.Value, c.now())
}

// sourceIP is the browser's address without its port.
func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
