package model

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/awserr"
)

// codes are the error codes each service answers a request that breaks its model's constraints
// with. KMS: ValidationException; IAM and STS (query): ValidationError; CloudTrail's model
// declares no ValidationException and answers InvalidParameterException ("The request includes a
// parameter that is not valid", botocore's cloudtrail model).
var codes = map[string]awserr.Code{
	"kms":        awserr.ValidationException,
	"cloudtrail": "InvalidParameterException",
	"iam":        awserr.ValidationError,
	"sts":        awserr.ValidationError,
}

// Violation is one constraint failure: the member's path ("tags.1.member.tagKey") and AWS's
// sentence for it.
type Violation struct {
	Path    string
	Message string
	Null    bool // a required member is missing
}

// Violations are the constraint failures of one request, in the model's member order.
type Violations []Violation

// Err returns the violations of service's operation as the service's error in AWS's words ("1
// validation error detected: …", "N validation errors detected: …; …"), or nil when there are
// none. Violations the service answers itself (see rules) are left out.
func (v Violations) Err(service, operation string) error {
	code, ok := codes[service]
	if !ok {
		code = awserr.ValidationException
	}
	var msgs []string
	for i, x := range v {
		c, keep := answer(service, operation, x)
		if !keep {
			continue
		}
		if len(msgs) == 0 && c != "" {
			code = c
		}
		msgs = append(msgs, v[i].Message)
	}
	return awserr.Detected(code, msgs...)
}

// Validation returns a builder of service's validation errors, for its own checks beyond its model
// (and for in-process callers, which no model check has seen).
func Validation(service string) *awserr.Validation {
	code, ok := codes[service]
	if !ok {
		code = awserr.ValidationException
	}
	return awserr.NewValidation(code)
}

// Error returns a service's own constraint messages ("Value 'x' at 'p' failed to satisfy
// constraint: …") as the service's validation error in AWS's words, or nil when there are none.
func Error(service string, messages ...string) error {
	v := Validation(service)
	for _, m := range messages {
		v.Message(m)
	}
	return v.Err()
}

// value is one input value in a protocol-neutral form: a string (query parameters, JSON
// strings), a number, a list, a map or a structure. Only what the shape defines is read.
type value interface {
	// scalar returns the value's text and whether it is a scalar of the kind the shape expects
	// (false for a value of the wrong JSON type: the decoder reports those).
	scalar(s *Shape) ([]byte, bool)
	// member returns a structure member's value (nil when absent or null).
	member(name string) value
	// elems returns a list's elements (nil, false when the value is not a list).
	elems() ([]value, bool)
	// entries returns a map's keys and values (false when the value is not a map).
	entries() ([][]byte, []value, bool)
}

// checker collects violations while walking a value along its shape; bare collects the
// constraint sentences of one scalar ("Member must …") before they are placed at a path.
type checker struct {
	out  Violations
	bare []string
	at   []segment // where the value being checked sits
}

func (c *checker) add(quoted string, constraint string) {
	p := c.path()
	msg := fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", quoted, p, constraint)
	if quoted == "" {
		msg = fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", p, constraint)
	}
	c.out = append(c.out, Violation{Path: p, Message: msg})
}

// structure checks a structure's members: required ones present, each present one by its shape.
func (c *checker) structure(s *Shape, v value) {
	for i := range s.Members {
		m := &s.Members[i]
		mv := v.member(m.Name)
		if mv == nil && !m.Required {
			continue
		}
		c.at = append(c.at, segment{member: m.Name})
		if mv == nil {
			p := c.path()
			c.out = append(c.out, Violation{Path: p, Null: true,
				Message: fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p)})
		} else {
			c.check(m.Shape, mv)
		}
		c.at = c.at[:len(c.at)-1]
	}
}

// segment is one step of a value's path: a structure member, or a list element (from 1).
type segment struct {
	member string
	index  int
}

// path names the value being checked as AWS does in its messages: member names with a lowercase
// first letter, list elements as N.member ("tags.1.member.tagKey").
func (c *checker) path() string {
	var b strings.Builder
	for i, seg := range c.at {
		if i > 0 {
			b.WriteByte('.')
		}
		if seg.member == "" {
			b.WriteString(strconv.Itoa(seg.index) + ".member")
			continue
		}
		r, n := utf8.DecodeRuneInString(seg.member)
		b.WriteString(strings.ToLower(string(r)))
		b.WriteString(seg.member[n:])
	}
	return b.String()
}

// check validates one present value against its shape.
func (c *checker) check(s *Shape, v value) {
	switch s.Type {
	case Structure:
		c.structure(s, v)
	case List:
		c.list(s, v)
	case Map:
		c.mapping(s, v)
	default:
		c.scalar(s, v)
	}
}

func (c *checker) list(s *Shape, v value) {
	elems, ok := v.elems()
	if !ok {
		return
	}
	c.bare = c.bare[:0]
	c.bound(s, int64(len(elems)), "length")
	if len(c.bare) > 0 {
		quoted := listText(s, elems)
		for _, constraint := range c.bare {
			c.add(quoted, constraint)
		}
	}
	for i, e := range elems {
		if e != nil {
			c.at = append(c.at, segment{index: i + 1})
			c.check(s.Elem, e)
			c.at = c.at[:len(c.at)-1]
		}
	}
}

// listText quotes a list of strings as AWS does ('[a, b]'); other lists are not quoted.
func listText(s *Shape, elems []value) string {
	if s.Elem.Type != String || s.Elem.Sensitive {
		return ""
	}
	parts := make([]string, 0, len(elems))
	for _, e := range elems {
		if e == nil {
			parts = append(parts, "null")
			continue
		}
		t, ok := e.scalar(s.Elem)
		if !ok {
			return ""
		}
		parts = append(parts, string(t))
	}
	return "'[" + strings.Join(parts, ", ") + "]'"
}

func (c *checker) mapping(s *Shape, v value) {
	keys, vals, ok := v.entries()
	if !ok {
		return
	}
	c.bare = c.bare[:0]
	c.bound(s, int64(len(keys)), "length")
	for _, constraint := range c.bare {
		c.add("", constraint)
	}
	keyErrs, valErrs := &checker{}, &checker{}
	for i, k := range keys {
		keyErrs.constraints(s.Key, k)
		if vals[i] == nil {
			continue
		}
		if t, ok := vals[i].scalar(s.Value); ok {
			valErrs.constraints(s.Value, t)
		}
	}
	if len(keyErrs.bare) > 0 {
		c.add("", "Map keys must satisfy constraint: ["+strings.Join(dedupe(keyErrs.bare), ", ")+"]")
	}
	if len(valErrs.bare) > 0 {
		c.add("", "Map value must satisfy constraint: ["+strings.Join(dedupe(valErrs.bare), ", ")+"]")
	}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func (c *checker) scalar(s *Shape, v value) {
	text, ok := v.scalar(s)
	if !ok {
		return
	}
	c.bare = c.bare[:0]
	c.constraints(s, text)
	if len(c.bare) == 0 {
		return
	}
	quoted := "'" + string(text) + "'"
	if s.Sensitive || s.Type == Blob {
		quoted = ""
	}
	for _, constraint := range c.bare {
		c.add(quoted, constraint)
	}
}

// constraints appends the bare constraints ("Member must …") the scalar text breaks.
func (c *checker) constraints(s *Shape, text []byte) {
	switch s.Type {
	case String:
		c.bound(s, int64(utf8.RuneCount(text)), "length")
		if s.re != nil && !s.re.Match(text) {
			c.bare = append(c.bare, "Member must satisfy regular expression pattern: "+s.Pattern)
		}
		if len(s.Enum) > 0 && !contains(s.Enum, text) {
			c.bare = append(c.bare, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
	case Blob:
		if n, ok := decodedLen(text); ok {
			c.bound(s, n, "length")
		}
	case Integer, Long:
		if n, err := strconv.ParseInt(string(text), 10, 64); err == nil {
			c.bound(s, n, "value")
		}
	}
}

// decodedLen returns the length of the bytes a padded base64 text holds; false when its length
// is not a multiple of 4 (the decoder reports such a blob).
func decodedLen(text []byte) (int64, bool) {
	if len(text)%4 != 0 {
		return 0, false
	}
	n := int64(len(text) / 4 * 3)
	for i := len(text) - 1; i >= 0 && i >= len(text)-2 && text[i] == '='; i-- {
		n--
	}
	return n, true
}

func contains(set []string, s []byte) bool {
	for _, e := range set {
		if e == string(s) {
			return true
		}
	}
	return false
}

// bound appends the min/max constraint n breaks, if any.
func (c *checker) bound(s *Shape, n int64, what string) {
	switch {
	case s.Min != nil && n < *s.Min:
		c.bare = append(c.bare, fmt.Sprintf("Member must have %s greater than or equal to %d", what, *s.Min))
	case s.Max != nil && n > *s.Max:
		c.bare = append(c.bare, fmt.Sprintf("Member must have %s less than or equal to %d", what, *s.Max))
	}
}
