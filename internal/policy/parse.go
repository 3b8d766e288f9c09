package policy

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is a policy document that is not valid for its kind. Statement and Element locate the
// problem; the message becomes a MalformedPolicyDocument… message.
type Error struct {
	Code      string // "OverlyPermissiveCondition" for KMS's ForAllValues rule, else empty
	Statement string // the statement's Label, empty for the document itself
	Element   string // the element at fault, e.g. "Principal", "Condition"
	Reason    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Code != "" {
		b.WriteString(e.Code + ": ")
	}
	loc := e.Statement
	if e.Element != "" {
		if loc != "" {
			loc += ", "
		}
		loc += e.Element
	}
	if loc != "" {
		b.WriteString(loc + ": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Size quotas of the documents keytrail stores.
const (
	MaxUserPolicySize    = 2048   // IAM inline user policy, non-white-space characters
	MaxGroupPolicySize   = 5120   // IAM inline group policy
	MaxRolePolicySize    = 10240  // IAM inline role policy
	MaxManagedPolicySize = 6144   // IAM managed policy
	MaxTrustPolicySize   = 2048   // IAM role trust policy
	MaxSessionPolicySize = 2048   // STS session policy
	MaxKeyPolicySize     = 32768  // KMS key policy, bytes
	MaxBucketPolicySize  = 20480  // S3 bucket policy, bytes
	maxDocument          = 131072 // anything larger is refused before parsing
)

// SizeError is a document over its quota.
type SizeError struct {
	Kind        Kind
	Limit, Size int
}

func (e *SizeError) Error() string {
	return fmt.Sprintf("Cannot exceed quota for PolicySize: %d", e.Limit)
}

// CheckSize returns a *SizeError when doc exceeds limit: counted in characters other than white
// space for IAM and STS policies (as IAM counts), in bytes for key and bucket policies.
func CheckSize(doc string, kind Kind, limit int) error {
	n := len(doc)
	if kind != Key && kind != Bucket {
		n = 0
		for _, r := range doc {
			if !unicode.IsSpace(r) {
				n++
			}
		}
	}
	if n > limit {
		return &SizeError{Kind: kind, Limit: limit, Size: n}
	}
	return nil
}

// Parse parses, validates and compiles a policy document of the given kind.
func Parse(doc string, kind Kind) (*Policy, error) {
	if len(doc) > maxDocument {
		return nil, &SizeError{Kind: kind, Limit: maxDocument, Size: len(doc)}
	}
	if err := checkChars(doc, kind); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, syntaxError(doc, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{Reason: "Syntax errors in policy: unexpected data after the policy object"}
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, &Error{Reason: "Syntax errors in policy: the policy must be a JSON object"}
	}
	if k := unknownKey(obj, "Version", "Id", "Statement"); k != "" {
		return nil, &Error{Element: k, Reason: "unknown element " + quote(k) + " (a policy has Version, Id and Statement)"}
	}
	p := &Policy{Version: Version2008, Kind: kind}
	if v, ok := obj["Version"]; ok {
		s, _ := v.(string)
		if s != Version2012 && s != Version2008 {
			return nil, &Error{Element: "Version", Reason: "The policy must contain a valid version string: 2012-10-17 or 2008-10-17"}
		}
		p.Version = s
	}
	if v, ok := obj["Id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, &Error{Element: "Id", Reason: "must be a string"}
		}
		p.ID = s
	}
	raw, ok := obj["Statement"]
	if !ok {
		return nil, &Error{Element: "Statement", Reason: "missing required element Statement"}
	}
	list, isList := raw.([]any)
	if !isList {
		list = []any{raw}
	}
	if len(list) == 0 {
		return nil, &Error{Element: "Statement", Reason: "the policy must contain at least one statement"}
	}
	sids := map[string]bool{}
	for i, r := range list {
		s, err := p.parseStatement(i, r)
		if err != nil {
			return nil, err
		}
		if s.Sid != "" && kind != Key && kind != Bucket {
			if sids[s.Sid] {
				return nil, &Error{Statement: s.Label(), Element: "Sid", Reason: "Statement IDs (SID) in a single policy must be unique"}
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

// checkChars refuses control characters other than tab, LF and CR, and, for the IAM, STS and KMS
// kinds, characters beyond U+00FF (their API models' allowed set).
func checkChars(doc string, kind Kind) error {
	for i, r := range doc {
		bad := r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == utf8.RuneError || r > 0xFF && kind != Bucket
		if bad {
			return &Error{Reason: fmt.Sprintf("the policy contains a character that is not allowed (%U at byte %d)", r, i)}
		}
	}
	return nil
}

// syntaxError turns a JSON decoding error into a message with the line and column.
func syntaxError(doc string, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := 1, 1
		for _, c := range doc[:min(max(int(se.Offset)-1, 0), len(doc))] { // Offset counts the offending byte
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return &Error{Reason: fmt.Sprintf("Syntax errors in policy: %s (line %d, column %d)", se.Error(), line, col)}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Reason: "Syntax errors in policy: the document ends early"}
	}
	return &Error{Reason: "Syntax errors in policy: " + err.Error()}
}

func unknownKey(obj map[string]any, known ...string) string {
	var unknown []string
	for k := range obj {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	if len(unknown) > 0 {
		return unknown[0]
	}
	return ""
}

var (
	sidPattern    = regexp.MustCompile(`^[0-9A-Za-z]*$`)
	actionPattern = regexp.MustCompile(`^[A-Za-z0-9-]+:[A-Za-z0-9*?_-]+$`)
	condKey       = regexp.MustCompile(`^[A-Za-z0-9-]+:[^\s]+$`)
)

func (p *Policy) parseStatement(i int, raw any) (*Statement, error) {
	s := &Statement{Index: i, kind: p.Kind}
	obj, ok := raw.(map[string]any)
	if !ok {
		return nil, &Error{Statement: s.Label(), Reason: "a statement must be a JSON object"}
	}
	bad := func(element, reason string) error {
		return &Error{Statement: s.Label(), Element: element, Reason: reason}
	}
	if v, ok := obj["Sid"]; ok {
		sid, ok := v.(string)
		if !ok {
			return nil, bad("Sid", "must be a string")
		}
		s.Sid = sid
		if p.Kind == Identity && !sidPattern.MatchString(sid) {
			return nil, bad("Sid", "Statement IDs (SID) must be alpha-numeric")
		}
	}
	if k := unknownKey(obj, "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"); k != "" {
		return nil, bad(k, "unknown element "+quote(k))
	}
	switch e, _ := obj["Effect"].(string); e {
	case "Allow", "Deny":
		s.Effect = Effect(e)
	case "":
		if _, ok := obj["Effect"]; !ok {
			return nil, bad("Effect", "missing required element Effect")
		}
		fallthrough
	default:
		return nil, bad("Effect", "Effect must be Allow or Deny")
	}
	if err := s.parsePrincipal(obj, p.Kind, bad); err != nil {
		return nil, err
	}
	if err := s.parseActions(obj, p.Kind, bad); err != nil {
		return nil, err
	}
	if err := s.parseResources(obj, p, bad); err != nil {
		return nil, err
	}
	if v, ok := obj["Condition"]; ok {
		if err := s.parseConditions(v, p, bad); err != nil {
			return nil, err
		}
	}
	return s, nil
}

type badFunc func(element, reason string) error

// pick returns the element present of a pair (Principal/NotPrincipal…) and its name, refusing
// both.
func pick(obj map[string]any, name string, bad badFunc) (v any, element string, err error) {
	a, hasA := obj[name]
	b, hasB := obj["Not"+name]
	switch {
	case hasA && hasB:
		return nil, "", bad(name, "a statement cannot have both "+name+" and Not"+name)
	case hasA:
		return a, name, nil
	case hasB:
		return b, "Not" + name, nil
	}
	return nil, "", nil
}

// stringList reads a string or a non-empty list of strings.
func stringList(v any) ([]string, bool) {
	return oneOrList(v, func(e any) (string, bool) {
		s, ok := e.(string)
		return s, ok
	})
}

// oneOrList reads the policy language's "one value or a non-empty list of values", each value
// read by one (false for a value it does not take).
func oneOrList(v any, one func(any) (string, bool)) ([]string, bool) {
	list, isList := v.([]any)
	if !isList {
		s, ok := one(v)
		if !ok {
			return nil, false
		}
		return []string{s}, true
	}
	if len(list) == 0 {
		return nil, false
	}
	out := make([]string, len(list))
	for i, e := range list {
		s, ok := one(e)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

func (s *Statement) parsePrincipal(obj map[string]any, kind Kind, bad badFunc) error {
	v, name, err := pick(obj, "Principal", bad)
	present := name != ""
	switch {
	case err != nil:
		return err
	case present && !kind.resource():
		return bad(name, "Policy document should not specify a principal: the "+kind.String()+" applies to whoever holds it")
	case !present && kind.resource():
		return bad("Principal", "missing required element Principal (every statement of a "+kind.String()+" names its principals)")
	case !present:
		return nil
	}
	ps := &Principals{}
	if str, ok := v.(string); ok {
		if str != "*" {
			return bad(name, "invalid principal "+quote(str)+": a string principal can only be \"*\"")
		}
		ps.Any = true
	} else {
		m, ok := v.(map[string]any)
		if !ok || len(m) == 0 {
			return bad(name, "must be \"*\" or an object with AWS, Service, Federated or CanonicalUser")
		}
		for _, typ := range slices.Sorted(maps.Keys(m)) {
			list, ok := stringList(m[typ])
			if !ok {
				return bad(name, typ+" must be a string or a non-empty list of strings")
			}
			for _, e := range list {
				switch typ {
				case "AWS":
					if e == "*" {
						ps.AWSAny = true
						continue
					}
					n, ok := normaliseAWSPrincipal(e)
					if !ok {
						return bad(name, "invalid principal "+quote(e)+": expected an account ID, or an account root, user, role or assumed-role ARN")
					}
					ps.AWS = append(ps.AWS, n)
				case "Service", "Federated", "CanonicalUser":
					if !validPrincipal(typ, e) {
						return bad(name, "invalid "+typ+" principal "+quote(e))
					}
					switch typ {
					case "Service":
						ps.Service = append(ps.Service, e)
					case "Federated":
						ps.Federated = append(ps.Federated, e)
					default:
						ps.CanonicalUser = append(ps.CanonicalUser, e)
					}
				default:
					return bad(name, "unknown principal type "+quote(typ)+" (AWS, Service, Federated or CanonicalUser)")
				}
			}
		}
	}
	s.Principal, s.NotPrincipal = ps, name == "NotPrincipal"
	return nil
}

// trustActionReason is IAM's MalformedPolicyDocument message for a trust policy allowing an
// action that is not STS's (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html:
// a role trust policy's actions are sts:AssumeRole and its variants).
const trustActionReason = "AssumeRole policy may only specify STS AssumeRole actions."

func (s *Statement) parseActions(obj map[string]any, kind Kind, bad badFunc) error {
	v, name, err := pick(obj, "Action", bad)
	switch {
	case err != nil:
		return err
	case name == "" && kind == Key:
		return nil // KMS accepts a statement without Action; it has no effect
	case name == "":
		return bad("Action", "missing required element Action")
	}
	list, ok := stringList(v)
	if !ok {
		return bad(name, "must be a string or a non-empty list of strings")
	}
	for _, a := range list {
		if a != "*" && !actionPattern.MatchString(a) {
			return bad(name, "invalid action "+quote(a)+": actions are prefaced by a service, e.g. kms:Decrypt")
		}
		if kind == Trust && name == "Action" && !strings.HasPrefix(strings.ToLower(a), "sts:") {
			// IAM refuses a role trust policy that allows anything but STS's actions.
			return bad(name, trustActionReason)
		}
		s.actions = append(s.actions, pattern{text: strings.ToLower(a), any: a == "*", shape: shapeOf(a)})
	}
	s.Action, s.NotAction = list, name == "NotAction"
	return nil
}

func (s *Statement) parseResources(obj map[string]any, p *Policy, bad badFunc) error {
	v, name, err := pick(obj, "Resource", bad)
	switch {
	case err != nil:
		return err
	case name != "" && p.Kind == Trust:
		return bad(name, "a trust policy cannot name a Resource: the resource is the role")
	case name == "" && (p.Kind == Key || p.Kind == Trust):
		return nil
	case name == "":
		return bad("Resource", "missing required element Resource")
	}
	list, ok := stringList(v)
	if !ok {
		return bad(name, "must be a string or a non-empty list of strings")
	}
	vars := p.Version == Version2012
	for _, r := range list {
		if r != "*" && (!strings.HasPrefix(r, "arn:") || strings.Count(r, ":") < 5) {
			return bad(name, "Resource "+quote(r)+" must be in ARN format or \"*\"")
		}
		pt := pattern{text: r, any: r == "*", shape: shapeOf(r)}
		if vars && strings.Contains(r, "${") {
			if m, ok := checkVars(r); !ok {
				return bad(name, "malformed policy variable "+quote(m))
			}
			pt.vars = true
		}
		s.resources = append(s.resources, pt)
	}
	s.Resource, s.NotResource = list, name == "NotResource"
	return nil
}

func (s *Statement) parseConditions(v any, p *Policy, bad badFunc) error {
	ops, ok := v.(map[string]any)
	if !ok {
		return bad("Condition", "must be an object of condition operators")
	}
	for _, opName := range slices.Sorted(maps.Keys(ops)) {
		op, set, ifExists, ok := parseOperator(opName)
		if !ok {
			return bad("Condition", "unknown condition operator "+quote(opName))
		}
		keys, ok := ops[opName].(map[string]any)
		if !ok || len(keys) == 0 {
			return bad("Condition", opName+" must be an object of condition keys and values")
		}
		for _, key := range slices.Sorted(maps.Keys(keys)) {
			if !condKey.MatchString(key) {
				return bad("Condition", "invalid condition key "+quote(key)+": keys are prefaced by a service, e.g. aws:SourceArn")
			}
			lk := strings.ToLower(key)
			if p.Kind == Key && set == forAllValues && strings.HasPrefix(lk, "kms:encryptioncontext:") {
				return &Error{Code: "OverlyPermissiveCondition", Statement: s.Label(), Element: "Condition",
					Reason: opName + " with " + key + ": the ForAllValues set operator cannot be used with the single-valued kms:EncryptionContext:<key> condition key"}
			}
			vals, ok := conditionValues(keys[key])
			if !ok {
				return bad("Condition", opName+" "+key+": values must be strings, numbers or booleans, or a non-empty list of them")
			}
			c := &Condition{Operator: opName, Key: key, Values: vals, op: op, set: set, ifExists: ifExists}
			for _, text := range vals {
				cv, reason := compileValue(op, text, p.Version == Version2012)
				if reason != "" {
					return bad("Condition", opName+" "+key+": "+reason)
				}
				c.vals = append(c.vals, cv)
			}
			s.Conditions = append(s.Conditions, c)
		}
	}
	return nil
}

// conditionValues reads a condition's value or list of values (strings, numbers, booleans) as text.
func conditionValues(v any) ([]string, bool) {
	return oneOrList(v, func(e any) (string, bool) {
		switch t := e.(type) {
		case string:
			return t, true
		case json.Number:
			return t.String(), true
		case bool:
			return strconv.FormatBool(t), true
		}
		return "", false
	})
}
