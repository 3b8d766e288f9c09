package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// A command is one subcommand as its help describes it.
type command struct {
	name    string
	args    string // what follows the name in its usage line
	summary string // one line, for the command list
	about   string // what it does, for its own help
	exits   string // its exit statuses
}

// Exit statuses, the same for every subcommand (see the package doc).
const (
	exitOK      = 0 // done; the check passed
	exitInvalid = 1 // the check failed: an invalid policy document, an invalid or missing log file
	exitUsage   = 2 // a usage error: unknown command, bad flag or argument
	exitFailed  = 3 // the command could not do its work: keytrail unreachable, a file unreadable…
)

const exitUsageLine = "  2  usage error: unknown flag, bad value, missing or extra argument\n"

var commands = []command{
	{"serve", "[flags]", "run keytrail (each flag is also KEYTRAIL_<NAME>)",
		"Run KMS, IAM, STS, S3 and CloudTrail on one port until SIGINT or SIGTERM, which finish the\n" +
			"requests in flight. Each flag's default comes from KEYTRAIL_<NAME> when that is set\n" +
			"(KEYTRAIL_DELIVERY_INTERVAL for --delivery-interval); KEYTRAIL_ROOT_KEY gives the root key.",
		"  0  stopped cleanly after SIGINT or SIGTERM\n" + exitUsageLine +
			"  3  could not start (data directory, root key, address) or stopped with an error\n"},
	{"policy", "validate [--kind KIND] FILE|-", "check a policy document as keytrail and AWS would (policy check: against CloudTrail's needs)",
		"Parse and validate a policy document (FILE, or - for standard input) with the engine keytrail\n" +
			"serve uses, and check its size against the quota of its kind. keytrail policy check --help\n" +
			"describes the key policy advisor.",
		"  0  the document is valid\n  1  the document is invalid (the message names the statement and element)\n" +
			exitUsageLine + "  3  the file could not be read\n"},
	{"flush", "[--endpoint-url URL]", "deliver every pending log file and digest now",
		"Ask a running keytrail to deliver every trail's pending log files, and digests for trails\n" +
			"with log file validation, now (POST /_keytrail/flush), and print its summary.\n" + endpointHelp,
		"  0  delivered (the summary lists any trail whose delivery failed)\n" + exitUsageLine +
			"  3  keytrail could not be reached or answered an error\n"},
	{"validate-logs", "--trail-arn ARN --start-time T [flags]", "check digests and log files as aws cloudtrail validate-logs does",
		"Check a trail's digest files and log files as `aws cloudtrail validate-logs` does, with its\n" +
			"arguments and messages. Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and\n" +
			"AWS_SESSION_TOKEN.\n" + endpointHelp +
			"AWS_ENDPOINT_URL_CLOUDTRAIL and AWS_ENDPOINT_URL_S3, when set, come before AWS_ENDPOINT_URL.",
		"  0  every digest and log file is valid\n  1  a digest or log file is invalid or missing\n" + exitUsageLine +
			"  3  could not validate: keytrail unreachable, no such trail, access denied\n"},
	{"explain", "[flags] REQUEST-ID", "say why a request was denied, by its request ID",
		"Ask a running keytrail why the request REQUEST-ID (the x-amzn-RequestId or x-amz-request-id of\n" +
			"its error) was denied: the caller, action and resource, every policy consulted statement by\n" +
			"statement with each condition's values, the rule that decided and the statement that would\n" +
			"allow it. Only the denied account may ask. Credentials come from AWS_ACCESS_KEY_ID,\n" +
			"AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, else the profile (--profile, AWS_PROFILE) of\n" +
			"the shared credentials file.\n" + endpointHelp,
		"  0  printed\n  1  keytrail knows no denial of that request for the caller's account\n" + exitUsageLine +
			"  3  keytrail could not be reached, refused the signature, or answered an error\n"},
	{"version", "", "print the version (also keytrail --version)",
		"Print keytrail's version, the Go version and the platform.",
		"  0  printed\n" + exitUsageLine},
	{"help", "[COMMAND]", "list the commands, or print one command's help",
		"Without a command, list the commands; with one, print its help (as keytrail COMMAND --help).",
		"  0  printed\n  2  no such command\n"},
}

const endpointHelp = "keytrail's endpoint is --endpoint-url, else AWS_ENDPOINT_URL, else " + defaultEndpoint + ".\n"

func lookup(name string) (command, bool) {
	for _, c := range append(commands, subcommands...) {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// listCommands writes the commands with their one-line summaries and the exit statuses.
func listCommands(w io.Writer) {
	fmt.Fprint(w, "keytrail: AWS KMS, IAM, STS, S3 and CloudTrail on one port, for tests with real clients.\n\nUsage:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  keytrail %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "\nRun keytrail help COMMAND (or keytrail COMMAND --help) for a command's flags.\n"+
		"Exit status: 0 ok, 1 check failed (invalid policy, invalid logs), 2 usage error, 3 command failed.\n")
}

// printHelp writes the help of the command name, with the flags of fs, to w.
func printHelp(w io.Writer, name string, fs *flag.FlagSet) {
	c, _ := lookup(name)
	fmt.Fprintf(w, "Usage: keytrail %s %s\n\n%s\n", c.name, c.args, c.about)
	if fs != nil && hasFlags(fs) {
		fmt.Fprint(w, "\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	fmt.Fprintf(w, "\nExit status:\n%s", c.exits)
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// errHelp is returned once a command has printed its help: the command ends with status 0.
var errHelp = errors.New("help printed")

// usageError is a command line keytrail cannot run: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// invalidError is a check that failed, such as a document that is not a valid policy: exit
// status 1.
type invalidError struct{ err error }

func (e *invalidError) Error() string { return e.err.Error() }

// exitStatus ends the command with a status and nothing more to say.
type exitStatus int

func (e exitStatus) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// exitCode is the status a command's error ends the process with, and whether main should print
// the error.
func exitCode(err error) (code int, report bool) {
	var status exitStatus
	var usage *usageError
	var invalid *invalidError
	switch {
	case err == nil || errors.Is(err, errHelp):
		return exitOK, false
	case errors.As(err, &status):
		return int(status), false
	case errors.As(err, &usage):
		return exitUsage, true
	case errors.As(err, &invalid):
		return exitInvalid, true
	}
	return exitFailed, true
}

// parseFlags parses a command's flags. -h and --help print the command's help to standard output
// and return errHelp; a bad flag returns a usageError, which main prints once.
func (m *Main) parseFlags(fs *flag.FlagSet, name string, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		printHelp(m.Stdout, name, fs)
		return errHelp
	}
	if err != nil {
		return usagef("%s: %v (see keytrail help %s)", name, err, name)
	}
	return nil
}

// parseNoArgs is parseFlags for a command that takes flags only: an argument left over is a
// usageError.
func (m *Main) parseNoArgs(fs *flag.FlagSet, name string, args []string) error {
	if err := m.parseFlags(fs, name, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("%s takes no arguments, got %q", name, fs.Args())
	}
	return nil
}

// defaultEndpoint is where keytrail serve listens unless told otherwise.
const defaultEndpoint = "http://127.0.0.1:4566"

// endpoint is the URL of keytrail for a subcommand that talks to it: the --endpoint-url flag's
// value, else the first of serviceVars (AWS_ENDPOINT_URL_S3…) set, else AWS_ENDPOINT_URL, else
// defaultEndpoint. It must be an http or https URL.
func (m *Main) endpoint(flagValue string, serviceVars ...string) (string, error) {
	values := []string{flagValue}
	for _, name := range serviceVars {
		values = append(values, m.Getenv(name))
	}
	values = append(values, m.Getenv("AWS_ENDPOINT_URL"), defaultEndpoint)
	e := firstSet(values...)
	u, err := url.Parse(e)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", usagef("endpoint %q is not an http:// or https:// URL", e)
	}
	return strings.TrimSuffix(e, "/"), nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
