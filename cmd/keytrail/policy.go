package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/keytrail/keytrail/internal/policy"
)

// policy runs `keytrail policy validate [--kind K] FILE|-`: the document is parsed and validated by
// the same engine keytrail serve uses, and its size checked against the kind's quota; and
// `keytrail policy check` (policyCheck).
func (m *Main) policy(args []string) error {
	if len(args) > 0 && args[0] == "check" {
		return m.policyCheck(args[1:])
	}
	fs := flag.NewFlagSet("policy validate", flag.ContinueOnError)
	kindName := fs.String("kind", "key", "the kind of policy: identity, session, trust, key or bucket")
	switch {
	case len(args) > 0 && args[0] == "validate":
		args = args[1:]
	case len(args) == 0 || !isHelpFlag(args[0]):
		return usagef("usage: keytrail policy validate [--kind identity|session|trust|key|bucket] FILE|-, or keytrail policy check [flags] FILE|- (see keytrail help policy)")
	}
	if err := m.parseFlags(fs, "policy", args); err != nil {
		return err
	}
	kind, ok := policy.KindNamed(*kindName)
	if !ok {
		return usagef("--kind %q: want identity, session, trust, key or bucket", *kindName)
	}
	if fs.NArg() != 1 {
		return usagef("policy validate takes one file (or - for standard input)")
	}
	var doc []byte
	var err error
	if name := fs.Arg(0); name == "-" {
		doc, err = io.ReadAll(io.LimitReader(m.Stdin, 1<<20))
	} else {
		doc, err = os.ReadFile(name)
	}
	if err != nil {
		return err
	}
	if err := policy.CheckSize(string(doc), kind, quotas[kind]); err != nil {
		return &invalidError{fmt.Errorf("invalid %s: %w", kind, err)}
	}
	p, err := policy.Parse(string(doc), kind)
	if err != nil {
		return &invalidError{fmt.Errorf("invalid %s: %w", kind, err)}
	}
	fmt.Fprintf(m.Stdout, "valid %s: %d statement(s), version %s\n", kind, len(p.Statements), p.Version)
	return nil
}

func isHelpFlag(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// quotas are the largest documents of each kind (the role policy's for identity policies).
var quotas = map[policy.Kind]int{
	policy.Identity: policy.MaxRolePolicySize, policy.Session: policy.MaxSessionPolicySize, policy.Trust: policy.MaxTrustPolicySize,
	policy.Key: policy.MaxKeyPolicySize, policy.Bucket: policy.MaxBucketPolicySize,
}
