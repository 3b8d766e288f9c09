// Command keytrail is a local, faithful implementation of AWS CloudTrail log encryption with KMS:
// KMS, IAM, STS, S3 and CloudTrail on one port, with real SigV4 and real policy evaluation.
//
//	keytrail serve [flags]                 run the server (flags also as KEYTRAIL_<NAME> variables)
//	keytrail policy validate [--kind K] F  check a policy document as keytrail (and AWS) would
//	keytrail flush [--endpoint-url URL]    deliver pending log files now
//	keytrail validate-logs --trail-arn …   check digests and log files as the AWS CLI does
//	keytrail explain REQUEST-ID            why a request was denied (signed with AWS credentials)
//	keytrail version                       print the version (also keytrail --version)
//	keytrail help [COMMAND]                list the commands, or print one command's help
//
// Each command prints its help with -h or --help (exit status 0). The commands that talk to a
// running keytrail (flush, validate-logs) take --endpoint-url, else AWS_ENDPOINT_URL, else
// http://127.0.0.1:4566.
//
// Exit status, the same for every command:
//
//	0  done; the check passed
//	1  the check failed: an invalid policy document, an invalid or missing digest or log file
//	2  usage error: unknown command, unknown flag, bad value, missing or extra argument
//	3  the command could not do its work: keytrail unreachable or answering an error, a file
//	   unreadable, the server unable to start or stopping with an error
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/keytrail/keytrail/internal/app"
	"github.com/keytrail/keytrail/internal/explain"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := m.Exit(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Exit runs the subcommand as Run does, prints its error (once) to Stderr, and returns the
// process's exit status (see the package doc).
func (m *Main) Exit(ctx context.Context, args []string) int {
	err := m.Run(ctx, args)
	code, report := exitCode(err)
	if report {
		fmt.Fprintln(m.Stderr, "keytrail:", err)
	}
	return code
}

// Main is the keytrail command: its subcommands and their flags, and nothing else.
type Main struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Ready, when set, receives the listening address once serve accepts connections.
	Ready func(addr net.Addr)
}

// Run runs the subcommand named by args[0] until it ends or ctx is cancelled. A command that
// printed its help returns nil; exitCode maps every other error to the process's exit status.
func (m *Main) Run(ctx context.Context, args []string) error {
	err := m.run(ctx, args)
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func (m *Main) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		listCommands(m.Stderr)
		return usagef("no command given")
	}
	switch args[0] {
	case "serve":
		cfg, err := m.parseServe(args[1:])
		if err != nil {
			return err
		}
		return m.serve(ctx, cfg)
	case "policy":
		return m.policy(args[1:])
	case "flush":
		return m.flush(ctx, args[1:])
	case "validate-logs":
		return m.validateLogs(ctx, args[1:])
	case "explain":
		return m.explainCmd(ctx, args[1:])
	case "version", "--version":
		return m.version(args[1:])
	case "help", "-h", "-help", "--help":
		return m.help(ctx, args[1:])
	}
	return usagef("unknown command %q (run keytrail help for the list)", args[0])
}

// version prints the version, the Go version and the platform.
func (m *Main) version(args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := m.parseNoArgs(fs, "version", args); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "keytrail %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

// help lists the commands, or prints one command's help as that command's --help does.
func (m *Main) help(ctx context.Context, args []string) error {
	switch {
	case len(args) == 0:
		listCommands(m.Stdout)
		return nil
	case len(args) > 1:
		return usagef("help takes one command, got %q", args)
	case args[0] == "help" || isHelpFlag(args[0]):
		printHelp(m.Stdout, "help", nil)
		return nil
	}
	if _, ok := lookup(args[0]); !ok {
		return usagef("help: no command %q (run keytrail help for the list)", args[0])
	}
	return m.run(ctx, []string{args[0], "--help"})
}

// ServeConfig is the configuration of keytrail serve.
type ServeConfig struct {
	Addr             string
	Data             string
	Region           string
	RootSecret       string
	DeliveryInterval time.Duration
	DigestInterval   time.Duration
	TLSCert, TLSKey  string
	LogFormat        string
	LogLevel         string
	RootKey          string // KEYTRAIL_ROOT_KEY only: never a flag, so it stays out of process listings
	// Explanations and ExplanationAge bound the denial explanations kept (keytrail explain).
	Explanations   int
	ExplanationAge time.Duration
	// Console serves the web console at /console: by default only on a loopback address, since
	// its root sign-in takes the root secret; --console=true serves it on any address.
	Console bool
	// Pprof serves Go's net/http/pprof under /debug/pprof/ on the same listener.
	Pprof bool
}

// parseServe reads serve's flags; each flag's default comes from KEYTRAIL_<NAME> when set.
func (m *Main) parseServe(args []string) (*ServeConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	env := func(name, def string) string {
		if v := m.Getenv("KEYTRAIL_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); v != "" {
			return v
		}
		return def
	}
	c := &ServeConfig{}
	var delivery, digest, explanations, explanationAge string
	fs.StringVar(&c.Addr, "addr", env("addr", "127.0.0.1:4566"), "listen address (KEYTRAIL_ADDR)")
	fs.StringVar(&c.Data, "data", env("data", "./keytrail-data"), "state directory (KEYTRAIL_DATA)")
	fs.StringVar(&c.Region, "region", env("region", "us-east-1"), "default region (KEYTRAIL_REGION)")
	fs.StringVar(&c.RootSecret, "root-secret", env("root-secret", "test"), "secret access key of every account's root credentials (KEYTRAIL_ROOT_SECRET)")
	fs.StringVar(&delivery, "delivery-interval", env("delivery-interval", "30s"), "how often trails deliver log files (KEYTRAIL_DELIVERY_INTERVAL)")
	fs.StringVar(&digest, "digest-interval", env("digest-interval", "1h"), "how often trails with log file validation deliver digests (KEYTRAIL_DIGEST_INTERVAL)")
	fs.StringVar(&c.TLSCert, "tls-cert", env("tls-cert", ""), "TLS certificate file; serve HTTPS when set with --tls-key (KEYTRAIL_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", env("tls-key", ""), "TLS private key file (KEYTRAIL_TLS_KEY)")
	fs.StringVar(&c.LogFormat, "log-format", env("log-format", "text"), "log format: text or json (KEYTRAIL_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("log-level", "info"), "log level: debug, info, warn or error (KEYTRAIL_LOG_LEVEL)")
	fs.StringVar(&explanations, "explanations", env("explanations", "1000"), "denied requests whose explanation is kept, the oldest dropped first (KEYTRAIL_EXPLANATIONS)")
	fs.StringVar(&explanationAge, "explanation-age", env("explanation-age", "1h"), "how long a denied request's explanation is kept (KEYTRAIL_EXPLANATION_AGE)")
	pprof := env("pprof", "false")
	pprofOn, err := strconv.ParseBool(pprof)
	if err != nil {
		return nil, usagef("KEYTRAIL_PPROF must be true or false, not %q", pprof)
	}
	fs.BoolVar(&c.Pprof, "pprof", pprofOn, "serve Go's net/http/pprof profiles under /debug/pprof/ on the same listener (KEYTRAIL_PPROF)")
	consoleMode := triState("auto")
	if err := consoleMode.Set(env("console", "auto")); err != nil {
		return nil, usagef("KEYTRAIL_CONSOLE must be true, false or auto, not %q", env("console", ""))
	}
	fs.Var(&consoleMode, "console", "serve the web console at /console: true, false, or auto: on when --addr is a loopback address (KEYTRAIL_CONSOLE)")
	if err := m.parseNoArgs(fs, "serve", args); err != nil {
		return nil, err
	}
	switch consoleMode {
	case "auto":
		c.Console = loopback(c.Addr)
	case "true":
		c.Console = true
	case "false":
	default:
		return nil, usagef("--console must be true, false or auto, not %q", string(consoleMode))
	}
	if c.ExplanationAge, err = positiveDuration("explanation-age", explanationAge); err != nil {
		return nil, err
	}
	if c.Explanations, err = strconv.Atoi(explanations); err != nil || c.Explanations < 1 {
		return nil, usagef("--explanations must be a positive number, not %q", explanations)
	}
	if c.DeliveryInterval, err = positiveDuration("delivery-interval", delivery); err != nil {
		return nil, err
	}
	if c.DigestInterval, err = positiveDuration("digest-interval", digest); err != nil {
		return nil, err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, usagef("--tls-cert and --tls-key must be given together")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, usagef("--log-format must be text or json, not %q", c.LogFormat)
	}
	if _, err := parseLevel(c.LogLevel); err != nil {
		return nil, &usageError{err.Error()}
	}
	if c.Region == "" || c.RootSecret == "" || c.Data == "" {
		return nil, usagef("--region, --root-secret and --data must not be empty")
	}
	c.RootKey = m.Getenv("KEYTRAIL_ROOT_KEY")
	return c, nil
}

// triState is a flag that is true, false or auto; given alone (--console) it is true.
type triState string

func (t *triState) String() string { return string(*t) }

// Set implements flag.Value.
func (t *triState) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "1", "t":
		*t = "true"
	case "false", "0", "f":
		*t = "false"
	case "auto":
		*t = "auto"
	default:
		return fmt.Errorf("must be true, false or auto")
	}
	return nil
}

// IsBoolFlag lets --console stand alone.
func (t *triState) IsBoolFlag() bool { return true }

// loopback reports whether a listen address is on a loopback interface only (127.0.0.0/8, ::1,
// localhost); an empty or unspecified host listens on every interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func positiveDuration(name, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, usagef("--%s must be a positive duration such as 30s or 1h, not %q", name, s)
	}
	return d, nil
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", s)
	}
	return l, nil
}

func (m *Main) logger(c *ServeConfig) *slog.Logger {
	level, _ := parseLevel(c.LogLevel)
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(m.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(m.Stderr, opts))
}

// serve runs the server until ctx is cancelled (SIGINT/SIGTERM), then stops accepting, lets
// in-flight requests finish, and closes the state store.
func (m *Main) serve(ctx context.Context, c *ServeConfig) error {
	log := m.logger(c)
	if m.Getenv("GOGC") == "" {
		// keytrail's live heap is small and its requests allocate briefly: collect when the heap
		// has grown fivefold rather than doubled, which spends far less CPU in the collector.
		debug.SetGCPercent(400)
	}
	a, err := app.Open(app.Config{Data: c.Data, Region: c.Region, RootSecret: c.RootSecret, RootKey: c.RootKey, Version: version, Logger: log,
		DeliveryInterval: c.DeliveryInterval, DigestInterval: c.DigestInterval, Console: c.Console,
		Explanations: explain.Config{MaxRequests: c.Explanations, MaxAge: c.ExplanationAge}, Pprof: c.Pprof})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		_ = a.Close() // the listener's error is the one to report
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 30 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() {
		if c.TLSCert != "" {
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	scheme := "http"
	if c.TLSCert != "" {
		scheme = "https"
	}
	log.Info("keytrail listening", "endpoint", scheme+"://"+ln.Addr().String(), "data", c.Data, "region", c.Region, "version", version)
	if c.Console {
		log.Info("web console", "url", scheme+"://"+ln.Addr().String()+"/console/")
		if !loopback(c.Addr) {
			log.Warn("the web console is served on a non-loopback address: anyone who can reach it may try the root secret")
		}
	}
	if m.Ready != nil {
		m.Ready(ln.Addr())
	}
	select {
	case err := <-errc:
		_ = a.Close() // the server's error is the one to report
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
	if err := a.Close(); err != nil {
		return err
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	log.Info("keytrail stopped")
	return nil
}
