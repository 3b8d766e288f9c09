package console

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/keytrail/keytrail/internal/identity"
)

// Cookie names. The session cookie holds only a random session ID; the pre-sign-in cookie holds
// only the sign-in form's CSRF token.
const (
	sessionCookie = "keytrail-console"
	signInCookie  = "keytrail-console-signin"
)

// session is one signed-in browser: who it acts as and the temporary credentials it signs with.
// Sessions live in memory only: restarting keytrail signs every browser out.
type session struct {
	id      string
	who     identity.Principal // the signed-in user or root (ARN, account, user name)
	creds   aws.Credentials    // the STS console session's credentials; never rendered
	csrf    string             // the token every form of this session carries
	expires time.Time
	reset   bool // the password must be reset (PasswordResetRequired)

	mu    sync.Mutex
	flash string // a notice for the next page this session renders

	flashCLI []cliCommand // the CLI equivalents of the POST that left the flash (redirectCLI)
}

// setFlash leaves a notice for the session's next page.
func (ss *session) setFlash(msg string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.flash = msg
}

// takeFlash returns the session's notice, if any, and clears it.
func (ss *session) takeFlash() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	msg := ss.flash
	ss.flash = ""
	return msg
}

// sessions are the console's signed-in browsers by session ID.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

// put adds a session, dropping the expired ones first (those never visited again after expiring
// would otherwise stay).
func (s *sessions) put(ss *session, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*session{}
	}
	for id, old := range s.m {
		if !now.Before(old.expires) {
			delete(s.m, id)
		}
	}
	s.m[ss.id] = ss
}

// len is the number of sessions held.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

// get returns the unexpired session with id, dropping expired ones it meets.
func (s *sessions) get(id string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[id]
	if ss != nil && !now.Before(ss.expires) {
		delete(s.m, id)
		return nil
	}
	return ss
}

// remove ends a session and returns it (nil if there was none).
func (s *sessions) remove(id string) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[id]
	delete(s.m, id)
	return ss
}

// token returns n random bytes, URL-safe base64 encoded.
func token(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("console: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sameToken compares a submitted token with the expected one in constant time; an empty
// expected token matches nothing.
func sameToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// cookie is a console cookie: Path /console, HttpOnly, SameSite=Strict, Secure under TLS.
func cookie(r *http.Request, name, value string, expires time.Time) *http.Cookie {
	// Secure only under TLS: keytrail serves plain HTTP on loopback by default, where a Secure
	// cookie would never come back.
	c := &http.Cookie{Name: name, Value: value, Path: Prefix, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil} //nolint:gosec // Secure is set under TLS; see above
	if value == "" {
		c.MaxAge = -1
	} else if !expires.IsZero() {
		c.Expires = expires
	}
	return c
}
