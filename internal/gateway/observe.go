package gateway

import (
	"errors"
	"net/http"
	"net/http/pprof"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/sigv4"
)

// Observed is what the gateway tells its Observer of one answered request: the names its log
// line gives (see the README's "Logs").
type Observed struct {
	Service   string // kms, iam, sts, s3, cloudtrail; keytrail for its own endpoints
	Operation string // the AWS operation, or keytrail's endpoint
	Code      string // the AWS error code answered; "" when the request succeeded
	// AuthFailure is why authentication failed (AuthFailureReasons); "" when it did not.
	AuthFailure string
	Status      int
	Duration    time.Duration
}

// Observer is told of every request the gateway answered, after its answer (internal/metrics).
// It is called on every request: it must be cheap and must not block.
type Observer interface {
	Observe(Observed)
}

// MetricsPath and PprofPath are where an unsigned request reaches keytrail's metrics and, when
// enabled, Go's profiler; /_keytrail/metrics serves the same metrics at a path no bucket can
// take.
const (
	MetricsPath      = "/metrics"
	AdminMetricsPath = "/_keytrail/metrics"
	PprofPath        = "/debug/pprof/"
)

// Authentication failure reasons, as the request log line (auth_failure) and the metrics
// (keytrail_authentication_failures_total{reason}) name them. The secret key is never part of
// a reason, nor of the detail logged with it.
const (
	ReasonMissing          = "missing_authentication"
	ReasonMalformed        = "malformed_authorization"
	ReasonUnknownKey       = "unknown_access_key"
	ReasonInvalidToken     = "invalid_session_token"
	ReasonExpiredToken     = "expired_token"
	ReasonSignature        = "signature_mismatch"
	ReasonSkew             = "clock_skew"
	ReasonPresignExpired   = "presigned_url_expired"
	ReasonUnsignedHeader   = "unsigned_x_amz_header"
	ReasonPayloadHash      = "payload_hash_mismatch"
	ReasonMissingHash      = "missing_payload_hash"
	ReasonBody             = "malformed_body"
	ReasonUnsupported      = "unsupported_signature_version"
	ReasonMultiple         = "multiple_auth_mechanisms"
	ReasonMalformedPresign = "malformed_presigned_url"
)

// authReasons names each verification failure kind.
var authReasons = map[sigv4.Kind]string{
	sigv4.KindMalformed:             ReasonMalformed,
	sigv4.KindMalformedQuery:        ReasonMalformedPresign,
	sigv4.KindBadExpires:            ReasonMalformedPresign,
	sigv4.KindUnknownKey:            ReasonUnknownKey,
	sigv4.KindInvalidToken:          ReasonInvalidToken,
	sigv4.KindExpiredToken:          ReasonExpiredToken,
	sigv4.KindSignatureMismatch:     ReasonSignature,
	sigv4.KindSkew:                  ReasonSkew,
	sigv4.KindPresignExpired:        ReasonPresignExpired,
	sigv4.KindUnsignedHeaders:       ReasonUnsignedHeader,
	sigv4.KindContentSHA256Mismatch: ReasonPayloadHash,
	sigv4.KindMissingContentSHA256:  ReasonMissingHash,
	sigv4.KindIncompleteBody:        ReasonBody,
	sigv4.KindBadDigest:             ReasonBody,
	sigv4.KindInvalidRequest:        ReasonBody,
	sigv4.KindMalformedTrailer:      ReasonBody,
	sigv4.KindUnsupportedMechanism:  ReasonUnsupported,
	sigv4.KindMultipleMechanisms:    ReasonMultiple,
}

// authFailed is an authentication failure's AWS error, carrying for the request's log line and
// metrics why it failed: reason (authReasons) and detail, the rule broken in words.
type authFailed struct {
	err            error
	reason, detail string
}

func (a *authFailed) Error() string { return a.err.Error() }
func (a *authFailed) Unwrap() error { return a.err }

// noteAuth copies an authentication failure's reason and detail, if err is one, to the log line.
func (l *logLine) noteAuth(err error) {
	var a *authFailed
	if errors.As(err, &a) {
		l.authFailure, l.authDetail = a.reason, a.detail
	}
}

// unsigned reports whether r carries no SigV4 (or other) authentication at all.
func unsigned(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return false
	}
	q := r.URL.Query()
	return q.Get("X-Amz-Credential") == "" && q.Get("X-Amz-Signature") == "" && q.Get("Signature") == "" && q.Get("AWSAccessKeyId") == ""
}

// operational returns keytrail's operational endpoint an unsigned request is for, "metrics" or
// "pprof", or "" when the request is not for one. /metrics and /debug/pprof/ are taken only by
// unsigned requests, so that a signed request still reaches a bucket named metrics or debug
// (see docs/decisions.md).
func (g *Gateway) operational(r *http.Request) string {
	switch {
	case g.metrics != nil && r.URL.Path == MetricsPath && unsigned(r):
		return "metrics"
	case g.pprof && strings.HasPrefix(r.URL.Path, PprofPath) && unsigned(r):
		return "pprof"
	}
	return ""
}

// serveOperational serves GET /metrics (and /_keytrail/metrics) and, with Config.Pprof, Go's
// net/http/pprof handlers under /debug/pprof/, but for cmdline.
func (g *Gateway) serveOperational(w http.ResponseWriter, r *http.Request, what string) {
	if what == "metrics" {
		if g.metrics == nil {
			http.Error(w, "keytrail serves no metrics", http.StatusNotFound)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed: GET reads the metrics", http.StatusMethodNotAllowed)
			return
		}
		g.metrics.ServeHTTP(w, r)
		return
	}
	switch strings.TrimPrefix(r.URL.Path, PprofPath) {
	case "cmdline":
		// The command line may hold --root-secret: never served.
		http.Error(w, "keytrail does not serve its command line", http.StatusNotFound)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Index(w, r)
	}
}

// AuthFailureReasons lists every reason Observed.AuthFailure and the log line's auth_failure
// take.
var AuthFailureReasons = []string{ReasonMissing, ReasonMalformed, ReasonUnknownKey, ReasonInvalidToken, ReasonExpiredToken,
	ReasonSignature, ReasonSkew, ReasonPresignExpired, ReasonUnsignedHeader, ReasonPayloadHash, ReasonMissingHash, ReasonBody,
	ReasonUnsupported, ReasonMultiple, ReasonMalformedPresign}
