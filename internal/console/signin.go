package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keytrail/keytrail/internal/events"
	"github.com/keytrail/keytrail/internal/iam"
	"github.com/keytrail/keytrail/internal/identity"
)

// signInForm is the sign-in page's form, as typed (never the password).
type signInForm struct {
	Kind    string // "iam" or "root"
	Account string
	User    string
	CSRF    string
}

// Messages of the sign-in page. A refused sign-in never says which part was wrong.
const (
	msgBadCredentials = "Your authentication information is incorrect. Please try again."
	msgTooMany        = "Too many failed sign-in attempts. Wait a few minutes before you try again."
	msgBadForm        = "The sign-in form expired. Please try again."
)

// signInPage shows the sign-in form, with a fresh form token in its own cookie.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if c.session(r) != nil {
		http.Redirect(w, r, Prefix+"/", http.StatusFound)
		return
	}
	form := &signInForm{Kind: "iam", Account: r.URL.Query().Get("account")}
	if !identityAccount(form.Account) {
		form.Account = ""
	}
	c.showSignIn(w, r, http.StatusOK, form, "")
}

// showSignIn renders the sign-in page with a new form token (and message, if any).
func (c *Console) showSignIn(w http.ResponseWriter, r *http.Request, status int, form *signInForm, msg string) {
	tok, err := token(c.rand, 32)
	if err != nil {
		c.log.Error("console: sign-in token", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	form.CSRF = tok
	http.SetCookie(w, cookie(r, signInCookie, tok, time.Time{}))
	p := &page{Title: "Sign in", Data: form}
	if msg != "" {
		p.Error = &apiError{Code: "SignInFailed", Message: msg}
	}
	c.render(w, status, "signin", p)
}

// signIn checks the sign-in form: an IAM user's account ID, name and console password, or an
// account's root and keytrail's root secret. A good one starts a session with temporary
// credentials from STS.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	now := c.now()
	form := &signInForm{Kind: r.PostFormValue("kind"), Account: strings.TrimSpace(r.PostFormValue("account")), User: strings.TrimSpace(r.PostFormValue("username"))}
	if form.Kind != "root" {
		form.Kind = "iam"
	}
	ck, err := r.Cookie(signInCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		c.showSignIn(w, r, http.StatusForbidden, form, msgBadForm)
		return
	}
	ip := "ip/" + sourceIP(r)
	userKey := "user/" + form.Account + "/" + strings.ToLower(form.User)
	if form.Kind == "root" {
		userKey = "root/" + form.Account
	}
	if c.byIP.blocked(ip, now) || c.byUser.blocked(userKey, now) {
		c.log.Warn("console: sign-in refused: too many failures", "source", sourceIP(r), "account", form.Account, "user", form.User)
		c.showSignIn(w, r, http.StatusTooManyRequests, form, msgTooMany)
		return
	}
	who, reset, err := c.check(r.Context(), form, r.PostFormValue("password"))
	if errors.Is(err, errBadCredentials) {
		c.recordSignIn(r, form, who, false)
		c.byIP.fail(ip, now)
		c.byUser.fail(userKey, now)
		c.showSignIn(w, r, http.StatusUnauthorized, form, msgBadCredentials)
		return
	}
	if err != nil {
		c.log.Error("console: sign-in", "err", err)
		c.showSignIn(w, r, http.StatusInternalServerError, form, "keytrail could not sign you in.")
		return
	}
	c.byUser.forget(userKey)
	ss, err := c.start(r.Context(), who, reset)
	if err != nil {
		c.log.Error("console: start session", "err", err)
		c.showSignIn(w, r, http.StatusInternalServerError, form, "keytrail could not sign you in.")
		return
	}
	c.recordSignIn(r, form, who, true)
	http.SetCookie(w, cookie(r, signInCookie, "", time.Time{}))
	http.SetCookie(w, cookie(r, sessionCookie, ss.id, ss.expires))
	if reset {
		// As AWS's sign-in asks for a new password first.
		http.Redirect(w, r, Prefix+"/password", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
}

var errBadCredentials = errors.New("console: bad credentials")

// maxLoginTo bounds the LoginTo recorded, which holds the request's Host.
const maxLoginTo = 1024

// recordSignIn records a sign-in attempt with a well-formed account ID as CloudTrail's
// ConsoleLogin event: who signed in (for a failure, the IAM user when it exists, the account's
// root, or the account alone), the browser's address and user agent, and the console page it
// leads to. A failure to record is logged; the sign-in is answered as it would be.
func (c *Console) recordSignIn(r *http.Request, form *signInForm, who identity.Principal, ok bool) {
	if c.signIns == nil || !identityAccount(form.Account) {
		return
	}
	switch {
	case form.Kind == "root":
		who = identity.AccountRoot(form.Account)
		who.AccessKeyID = ""
	case who.Account == "":
		who = identity.Principal{Type: identity.IAMUser, Account: form.Account}
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	loginTo := scheme + "://" + r.Host + Prefix + "/"
	if len(loginTo) > maxLoginTo {
		loginTo = loginTo[:maxLoginTo]
	}
	err := c.signIns.RecordSignIn(events.SignIn{Time: c.now(), Who: who, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
		LoginTo: loginTo, Success: ok})
	if err != nil {
		c.log.Error("console: record sign-in", "err", err)
	}
}

// check checks a sign-in form's credentials and returns who signs in.
func (c *Console) check(ctx context.Context, form *signInForm, password string) (identity.Principal, bool, error) {
	if !identityAccount(form.Account) || password == "" {
		return identity.Principal{}, false, errBadCredentials
	}
	if form.Kind == "root" {
		if subtle.ConstantTimeCompare([]byte(password), []byte(c.rootSecret)) != 1 {
			return identity.Principal{}, false, errBadCredentials
		}
		if err := c.users.EnsureAccount(ctx, form.Account); err != nil {
			return identity.Principal{}, false, err
		}
		return identity.AccountRoot(form.Account), false, nil
	}
	if form.User == "" || len(form.User) > 64 {
		return identity.Principal{}, false, errBadCredentials
	}
	p, reset, err := c.users.SignIn(ctx, form.Account, form.User, password)
	if errors.Is(err, iam.ErrSignIn) {
		return p, false, errBadCredentials
	}
	return p, reset, err
}

func identityAccount(s string) bool { return identity.IsAccountID(s) }

// start begins a session for who: temporary credentials from STS, a session ID and a CSRF token.
func (c *Console) start(ctx context.Context, who identity.Principal, reset bool) (*session, error) {
	creds, err := c.sts.ConsoleSession(ctx, who, c.duration)
	if err != nil {
		return nil, err
	}
	id, err := token(c.rand, 32)
	if err != nil {
		return nil, err
	}
	csrf, err := token(c.rand, 32)
	if err != nil {
		return nil, err
	}
	ss := &session{id: id, who: who, csrf: csrf, expires: creds.Expiration, reset: reset,
		creds: aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken,
			CanExpire: true, Expires: creds.Expiration, Source: "keytrail-console"}}
	c.sessions.put(ss, c.now())
	return ss, nil
}

// signOut ends the session: its credentials are revoked and its cookie cleared.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, ss *session) {
	c.sessions.remove(ss.id)
	if err := c.sts.EndSession(r.Context(), ss.creds.AccessKeyID); err != nil {
		c.log.Error("console: end session", "err", err)
	}
	http.SetCookie(w, cookie(r, sessionCookie, "", time.Time{}))
	// A path of this console; the account is the session's 12-digit ID, not request input.
	http.Redirect(w, r, Prefix+"/signin?account="+url.QueryEscape(ss.who.Account), http.StatusSeeOther) //nolint:gosec // see above
}
