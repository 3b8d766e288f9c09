// Package gateway is keytrail's one HTTP endpoint: it gives every request an ID, verifies its
// SigV4 signature, routes it by the credential scope's service (and X-Amz-Target) to the wire
// protocol of kms, cloudtrail, s3, iam or sts, and writes one log line per request.
//
// The path of a request: ServeHTTP → request.Facts → sigv4.ParseRequest → family
// (JSON, query, S3) → body read and payload hash → sigv4.Verifier.Verify → identity in the context
// → the protocol's Serve (operation table) → the service method (which authorizes) → storage →
// the request.Outcome Serve returns → the recorder, before the answer's last byte.
package gateway

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/keytrail/keytrail/internal/awserr"
	"github.com/keytrail/keytrail/internal/identity"
	"github.com/keytrail/keytrail/internal/protocol/awsjson"
	"github.com/keytrail/keytrail/internal/protocol/awsquery"
	"github.com/keytrail/keytrail/internal/protocol/restxml"
	"github.com/keytrail/keytrail/internal/request"
	"github.com/keytrail/keytrail/internal/sigv4"
)

// DefaultMaxBody bounds JSON and query request bodies (S3 bodies stream).
const DefaultMaxBody = 8 << 20

// Config wires a Gateway.
type Config struct {
	Region   string // the default region, for requests whose scope names none
	Version  string
	Logger   *slog.Logger
	Verifier *sigv4.Verifier
	JSON     []*awsjson.Service  // kms, cloudtrail
	Query    []*awsquery.Service // iam, sts
	S3       *restxml.Service
	MaxBody  int64
	Now      func() time.Time
	Rand     io.Reader // request IDs; crypto/rand when nil
	// Recorder gets every authenticated call before its answer is written (CloudTrail).
	Recorder request.Recorder
	// Flush serves POST /_keytrail/flush: it delivers what is pending and returns a summary.
	Flush func(ctx context.Context) (any, error)
	// Explain serves GET /_keytrail/explain/<request-id> to a signed caller (internal/explain).
	Explain ExplainFunc
	// Console, when set, serves the web console: unsigned requests under /console, and a
	// browser's GET / (Accept: text/html) is redirected there.
	Console http.Handler
	// Observer is told of every answered request (internal/metrics); nil: none is.
	Observer Observer
	// Metrics serves GET /metrics and /_keytrail/metrics to unsigned requests; nil: not served.
	Metrics http.Handler
	// Pprof serves Go's net/http/pprof under /debug/pprof/ to unsigned requests.
	Pprof bool
}

// Gateway is the http.Handler of the one endpoint.
type Gateway struct {
	region   string
	version  string
	log      *slog.Logger
	verifier *sigv4.Verifier
	json     map[string]*awsjson.Service
	query    map[string]*awsquery.Service
	s3       *restxml.Service
	maxBody  int64
	now      func() time.Time
	rand     io.Reader
	started  time.Time
	recorder request.Recorder
	flush    func(ctx context.Context) (any, error)
	// explainFn answers GET /_keytrail/explain/<id>.
	explainFn ExplainFunc
	console   http.Handler
	observer  Observer
	metrics   http.Handler
	pprof     bool
}

// New returns a Gateway.
func New(cfg Config) *Gateway {
	g := &Gateway{region: cfg.Region, version: cfg.Version, log: cfg.Logger, verifier: cfg.Verifier,
		json: map[string]*awsjson.Service{}, query: map[string]*awsquery.Service{}, s3: cfg.S3,
		maxBody: cfg.MaxBody, now: cfg.Now, rand: cfg.Rand, recorder: cfg.Recorder, flush: cfg.Flush, explainFn: cfg.Explain,
		console: cfg.Console, observer: cfg.Observer, metrics: cfg.Metrics, pprof: cfg.Pprof}
	if g.log == nil {
		g.log = slog.New(slog.DiscardHandler)
	}
	if g.maxBody == 0 {
		g.maxBody = DefaultMaxBody
	}
	if g.now == nil {
		g.now = time.Now
	}
	if g.s3 == nil {
		g.s3 = &restxml.Service{}
	}
	for _, s := range cfg.JSON {
		g.json[s.Name] = s
	}
	for _, s := range cfg.Query {
		g.query[s.Name] = s
	}
	g.started = g.now()
	return g
}

// statusRecorder remembers the status written, for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers flush through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := g.now()
	f := request.Facts{ID: request.NewID(g.rand), Region: g.region, SourceIP: sourceIP(r), UserAgent: r.UserAgent(),
		Secure: r.TLS != nil, Host: r.Host, Time: start.UTC()}
	if r.TLS != nil {
		f.TLSVersion = strings.Replace(tls.VersionName(r.TLS.Version), "TLS 1", "TLSv1", 1)
		f.CipherSuite = tls.CipherSuiteName(r.TLS.CipherSuite)
	}
	rec := &statusRecorder{ResponseWriter: w}
	line := logLine{service: "keytrail", caller: "-"}
	defer func() {
		// A bug must not drop the connection or take the server down: answer 500, log it.
		if v := recover(); v != nil {
			g.log.Error("panic serving request", "request_id", f.ID, "panic", v, "stack", string(debug.Stack()))
			if rec.status == 0 {
				http.Error(rec, "internal error", http.StatusInternalServerError)
			}
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_keytrail/") {
		line.operation = strings.TrimPrefix(r.URL.Path, "/_keytrail/")
		switch {
		case strings.HasPrefix(r.URL.Path, ExplainPath):
			line.operation = "explain"
			g.explain(rec, r, f)
		case r.URL.Path == AdminMetricsPath:
			line.operation = "metrics"
			g.serveOperational(rec, r, "metrics")
		default:
			g.admin(rec, r)
		}
	} else if g.console != nil && consoleRequest(r) {
		line.service, line.operation = "console", r.Method+" "+r.URL.Path
		g.console.ServeHTTP(rec, r)
	} else if g.console != nil && browserHome(r) {
		line.service, line.operation = "console", "redirect"
		http.Redirect(rec, r, consolePrefix+"/", http.StatusFound)
	} else if r.URL.Path == localStackHealthPath {
		line.operation = "localstack-health"
		g.localStackHealth(rec, r)
	} else if what := g.operational(r); what != "" {
		line.operation = what
		g.serveOperational(rec, r, what)
	} else {
		held := &holdLast{ResponseWriter: rec}
		line = g.serve(held, r, f)
		held.release()
	}
	d := g.now().Sub(start)
	if line.authFailure != "" {
		g.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", f.ID),
			slog.String("service", line.service),
			slog.String("operation", line.operation),
			slog.String("caller", line.caller),
			slog.Int("status", rec.status),
			slog.String("code", line.code),
			slog.Duration("duration", d),
			slog.String("auth_failure", line.authFailure),
			slog.String("auth_detail", line.authDetail),
		)
	} else {
		g.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", f.ID),
			slog.String("service", line.service),
			slog.String("operation", line.operation),
			slog.String("caller", line.caller),
			slog.Int("status", rec.status),
			slog.String("code", line.code),
			slog.Duration("duration", d),
		)
	}
	if g.observer != nil {
		g.observer.Observe(Observed{Service: line.service, Operation: line.operation, Code: line.code,
			AuthFailure: line.authFailure, Status: rec.status, Duration: d})
	}
}

// consolePrefix is the path of the web console.
const consolePrefix = "/console"

// consoleRequest reports whether a request is the web console's: unsigned, under /console. A
// signed request there is S3's (a bucket named "console", path-style).
func consoleRequest(r *http.Request) bool {
	return (r.URL.Path == consolePrefix || strings.HasPrefix(r.URL.Path, consolePrefix+"/")) && !signed(r)
}

// browserHome reports whether a request is a browser opening keytrail's address: an unsigned
// GET of / without a query that accepts HTML. AWS clients never ask for text/html, so S3's
// ListBuckets and anonymous requests keep reaching S3.
func browserHome(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Path == "/" && r.URL.RawQuery == "" && !signed(r) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// signed reports whether a request carries any AWS authentication (header or presigned query).
func signed(r *http.Request) bool {
	if r.Header.Get("Authorization") != "" {
		return true
	}
	q := r.URL.Query()
	return q.Has("X-Amz-Credential") || q.Has("X-Amz-Signature") || q.Has("AWSAccessKeyId") || q.Has("Signature")
}

// logLine is what a request's log line says of it beyond its facts: code is the AWS error code
// answered ("" on success); authFailure and authDetail say why authentication failed.
type logLine struct {
	service, operation, caller string
	code                       string
	authFailure, authDetail    string
}

// serve authenticates and dispatches an AWS request, records an authenticated call that reached
// an operation, and returns what the log line says of it.
func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, f request.Facts) logLine {
	auth, perr := sigv4.ParseRequest(r)
	f.Service = serviceOf(r, auth)
	if auth != nil {
		f.Region = auth.Region
	}
	if js := g.jsonService(r, f.Service); js != nil {
		f.Service = js.Name
		return g.serveJSON(request.WithFacts(r.Context(), f), w, r, js, auth, perr, &f)
	}
	// Unsigned requests, and those whose authentication cannot be parsed (Signature Version 2, a
	// malformed credential), are S3's unless they are shaped like a call to a query service.
	if f.Service == "s3" || (auth == nil && g.query[f.Service] == nil && !looksLikeQuery(r)) {
		f.Service = "s3"
		return g.serveS3(request.WithFacts(r.Context(), f), w, r, auth, perr, &f)
	}
	return g.serveQuery(request.WithFacts(r.Context(), f), w, r, auth, perr, &f)
}

// serveJSON authenticates and serves a JSON-protocol request.
func (g *Gateway) serveJSON(ctx context.Context, w http.ResponseWriter, r *http.Request, js *awsjson.Service, auth *sigv4.Auth, perr error, f *request.Facts) logLine {
	target := r.Header.Get("X-Amz-Target")
	body, err := g.readBody(r)
	if err == nil {
		var p identity.Principal
		if p, err = g.authenticate(ctx, r, auth, perr, sigv4.BodyHash(body), familyJSON); err == nil {
			out := js.Serve(identity.WithPrincipal(ctx, p), w, target, body, f.ID, g.log)
			g.record(f, &out, p)
			return logLine{service: f.Service, operation: out.Operation, caller: p.ARN, code: out.ErrorCode}
		}
	}
	op, _ := js.Operation(target)
	line := logLine{service: f.Service, operation: op, caller: "-"}
	line.code, _ = awsjson.WriteError(w, err, f.ID, g.log)
	line.noteAuth(err)
	return line
}

// serveQuery authenticates and serves a query-protocol request.
func (g *Gateway) serveQuery(ctx context.Context, w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, perr error, f *request.Facts) logLine {
	qs := g.query[f.Service]
	namespace := "https://" + f.Service + ".amazonaws.com/doc/"
	if qs != nil {
		namespace = qs.Namespace
	}
	line := logLine{service: f.Service, caller: "-"}
	body, err := g.readBody(r)
	if err != nil {
		line.code, _ = awsquery.WriteError(w, namespace, err, f.ID, g.log)
		return line
	}
	form := r.URL.RawQuery
	if r.Method == http.MethodPost {
		form = string(body)
	}
	params, err := awsquery.Decode(form)
	if err != nil {
		line.code, _ = awsquery.WriteError(w, namespace, err, f.ID, g.log)
		return line
	}
	line.operation = params["Action"]
	p, err := g.authenticate(ctx, r, auth, perr, sigv4.BodyHash(body), familyQuery)
	if err != nil {
		line.code, _ = awsquery.WriteError(w, namespace, err, f.ID, g.log)
		line.noteAuth(err)
		return line
	}
	line.caller = p.ARN
	if qs == nil {
		// A call to a service keytrail does not serve is recorded, refused.
		out := request.Outcome{Operation: params["Action"], Form: []byte(form)}
		out.Fail(awsquery.WriteError(w, namespace, awserr.New(awserr.InvalidAction, "The service %q is not served by keytrail", f.Service), f.ID, g.log))
		g.record(f, &out, p)
		line.code = out.ErrorCode
		return line
	}
	out := qs.Serve(identity.WithPrincipal(ctx, p), w, params, []byte(form), f.ID, g.log)
	g.record(f, &out, p)
	line.operation, line.code = out.Operation, out.ErrorCode
	return line
}

// serveS3 authenticates an S3 request (anonymous when unsigned), checks its payload and serves it.
func (g *Gateway) serveS3(ctx context.Context, w http.ResponseWriter, r *http.Request, auth *sigv4.Auth, perr error, f *request.Facts) logLine {
	line := logLine{service: f.Service, caller: "-"}
	resource := r.URL.Path
	fail := func(err error) logLine {
		err = authFailure(err, familyS3)
		line.code, _ = restxml.WriteError(w, err, resource, f.ID, g.log)
		line.noteAuth(err)
		return line
	}
	if perr != nil {
		return fail(perr)
	}
	p := identity.Principal{Type: identity.Anonymous, ARN: "*", PrincipalID: "ANONYMOUS_PRINCIPAL"}
	var body io.Reader = r.Body
	if auth != nil {
		payload, err := sigv4.PayloadHash(r, auth)
		if err != nil {
			return fail(err)
		}
		vf, err := g.verifier.Verify(ctx, r, auth, payload)
		if err != nil {
			return fail(err)
		}
		decoded, err := vf.Body(r, payload)
		if err != nil {
			return fail(err)
		}
		p = vf.Principal
		body = bodyErrors{decoded}
	}
	out := g.s3.Serve(identity.WithPrincipal(ctx, p), w, r, body, f.ID, g.log)
	g.record(f, &out, p)
	line.operation, line.caller, line.code = out.Operation, p.ARN, out.ErrorCode
	return line
}

// record hands an authenticated call that reached an operation to the recorder: its facts, its
// outcome and its caller. It runs before the answer's last byte is written (holdLast), so the
// record is in the journal before the client has the answer.
func (g *Gateway) record(f *request.Facts, out *request.Outcome, p identity.Principal) {
	if g.recorder == nil || out.Operation == "" {
		return
	}
	if err := g.recorder.Record(f, out, p); err != nil {
		g.log.Error("recording the call for CloudTrail failed", "request_id", f.ID, "err", err)
	}
}

// holdLast passes an answer through but for its last byte, which it writes on release: the
// gateway records the call in between, so a client never has a whole answer whose call is not
// in the journal (net/http sends no header before the first body byte leaves or the handler
// returns).
type holdLast struct {
	http.ResponseWriter
	last    [1]byte
	holding bool
}

func (h *holdLast) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return h.ResponseWriter.Write(b)
	}
	if h.holding {
		h.holding = false
		if _, err := h.ResponseWriter.Write(h.last[:]); err != nil {
			return 0, err
		}
	}
	n, err := h.ResponseWriter.Write(b[:len(b)-1])
	if err != nil {
		return n, err
	}
	h.last[0], h.holding = b[len(b)-1], true
	return len(b), nil
}

// Flush lets streaming handlers flush what they wrote but the held byte.
func (h *holdLast) Flush() {
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// release writes the held byte.
func (h *holdLast) release() {
	if h.holding {
		h.holding = false
		h.ResponseWriter.Write(h.last[:])
	}
}

// bodyErrors turns the verifier's body errors (chunk signatures, checksums) into S3 errors.
type bodyErrors struct{ r io.Reader }

func (b bodyErrors) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = authError(err, familyS3)
	}
	return n, err
}

// authenticate verifies a JSON or query request whose body hashes to payload.
func (g *Gateway) authenticate(ctx context.Context, r *http.Request, auth *sigv4.Auth, perr error, payload string, f family) (identity.Principal, error) {
	if perr != nil {
		return identity.Principal{}, authFailure(perr, f)
	}
	if auth == nil {
		return identity.Principal{}, &authFailed{err: missingAuth(), reason: ReasonMissing, detail: "the request is not signed"}
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != sigv4.UnsignedPayload && !strings.EqualFold(h, payload) {
		return identity.Principal{}, authFailure(sigv4.ErrContentSHA256Mismatch, f)
	}
	vf, err := g.verifier.Verify(ctx, r, auth, payload)
	if err != nil {
		return identity.Principal{}, authFailure(err, f)
	}
	return vf.Principal, nil
}

func (g *Gateway) readBody(r *http.Request) ([]byte, error) {
	var body []byte
	var err error
	if n := r.ContentLength; n >= 0 && n <= g.maxBody {
		// The usual case: read exactly the declared length, then make sure nothing follows.
		body = make([]byte, n, n+1)
		if _, err = io.ReadFull(r.Body, body); err == nil {
			var extra [1]byte
			if m, _ := r.Body.Read(extra[:]); m > 0 {
				body = append(body, extra[0])
				rest, rerr := io.ReadAll(io.LimitReader(r.Body, g.maxBody))
				body, err = append(body, rest...), rerr
			}
		}
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, g.maxBody+1))
	}
	if err != nil {
		return nil, awserr.New(awserr.SerializationException, "The request body could not be read: %v", err)
	}
	if int64(len(body)) > g.maxBody {
		return nil, awserr.New(awserr.RequestEntityTooLarge, "The request body is larger than %d bytes", g.maxBody)
	}
	return body, nil
}

// jsonService returns the JSON service a request is for: by scope service, or, for a request
// carrying an X-Amz-Target, by the target's prefix. A target keytrail does not serve is answered
// in JSON by a service with no operations (UnknownOperationException).
func (g *Gateway) jsonService(r *http.Request, service string) *awsjson.Service {
	if js, ok := g.json[service]; ok {
		return js
	}
	target := r.Header.Get("X-Amz-Target")
	if target == "" || service == "s3" || g.query[service] != nil {
		return nil
	}
	for _, js := range g.json {
		if _, ok := js.Operation(target); ok && service == "" {
			return js
		}
	}
	if service == "" {
		service = "unknown"
	}
	return &awsjson.Service{Name: service}
}

var credentialService = regexp.MustCompile(`Credential=[^/,\s]*/[0-9]*/[^/,\s]*/([a-z0-9-]+)/`)

// serviceOf names the service a request is for: its credential scope's, or, when the
// authentication cannot be parsed, whatever the Authorization header or query still shows.
func serviceOf(r *http.Request, auth *sigv4.Auth) string {
	if auth != nil {
		return auth.Service
	}
	if m := credentialService.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	if c := r.URL.Query().Get("X-Amz-Credential"); c != "" {
		if parts := strings.Split(c, "/"); len(parts) >= 4 {
			return parts[3]
		}
	}
	return ""
}

// looksLikeQuery reports whether an unauthenticated request is shaped like a query-protocol call.
func looksLikeQuery(r *http.Request) bool {
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return true
	}
	return r.URL.Path == "/" && r.URL.Query().Get("Action") != ""
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// admin serves keytrail's own endpoints under /_keytrail/.
func (g *Gateway) admin(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/_keytrail/health":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		// A client gone mid-response is not an error of the server.
		_ = json.NewEncoder(w).Encode(map[string]any{
			"status":        "ok",
			"version":       g.version,
			"region":        g.region,
			"uptimeSeconds": g.uptimeSeconds(),
			"services":      g.serviceNames(),
		})
	case "/_keytrail/flush":
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed: POST delivers what is pending", http.StatusMethodNotAllowed)
			return
		}
		if g.flush == nil {
			http.Error(w, "keytrail has nothing to flush", http.StatusNotFound)
			return
		}
		sum, err := g.flush(r.Context())
		if err != nil {
			g.log.Error("flush", "err", err)
			http.Error(w, "flush failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sum) // a client gone mid-response is not an error of the server
	default:
		http.Error(w, fmt.Sprintf("no such keytrail endpoint %s", r.URL.Path), http.StatusNotFound)
	}
}

func (g *Gateway) serviceNames() []string {
	var out []string
	for n := range g.json {
		out = append(out, n)
	}
	for n := range g.query {
		out = append(out, n)
	}
	out = append(out, "s3")
	sort.Strings(out)
	return out
}
