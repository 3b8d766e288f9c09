package model

import (
	"encoding/base64"
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
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return awserr.New(code, "1 validation error detected: %s", msgs[0])
	}
	return awserr.New(code, "%d validation errors detected: %s", len(msgs), strings.Join(msgs, "; "))
}

// value is one input value in a protocol-neutral form: a string (query parameters, JSON
// strings), a number, a list, a map or a structure. Only what the shape defines is read.
type value interface {
	// scalar returns the value's text and whether it is a scalar of the kind the shape expects
	// (false for a value of the wrong JSON type: the decoder reports those).
	scalar(s *Shape) (string, bool)
	// member returns a structure member's value (nil when absent or null).
	member(name string) value
	// elems returns a list's elements (nil, false when the value is not a list).
	elems() ([]value, bool)
	// entries returns a map's keys and values (false when the value is not a map).
	entries() ([]string, []value, bool)
}

// checker collects violations while walking a value along its shape; bare collects the
// constraint sentences of one scalar ("Member must …") before they are placed at a path.
type checker struct {
	out  Violations
	bare []string
}

func (c *checker) add(quoted, path, constraint string) {
	msg := fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", quoted, path, constraint)
	if quoted == "" {
		msg = fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", path, constraint)
	}
	c.out = append(c.out, Violation{Path: path, Message: msg})
}

// structure checks a structure's members: required ones present, each present one by its shape.
func (c *checker) structure(s *Shape, v value, path string) {
	for i := range s.Members {
		m := &s.Members[i]
		p := memberPath(path, m.Name)
		mv := v.member(m.Name)
		if mv == nil {
			if m.Required {
				c.out = append(c.out, Violation{Path: p, Null: true,
					Message: fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", p)})
			}
			continue
		}
		c.check(m.Shape, mv, p)
	}
}

// memberPath names a member as AWS does in its messages: the member name with a lowercase first
// letter, after its parent's path ("tags.1.member.tagKey").
func memberPath(parent, name string) string {
	r, n := utf8.DecodeRuneInString(name)
	lower := strings.ToLower(string(r)) + name[n:]
	if parent == "" {
		return lower
	}
	return parent + "." + lower
}

// check validates one present value against its shape.
func (c *checker) check(s *Shape, v value, path string) {
	switch s.Type {
	case Structure:
		c.structure(s, v, path)
	case List:
		c.list(s, v, path)
	case Map:
		c.mapping(s, v, path)
	default:
		c.scalar(s, v, path)
	}
}

func (c *checker) list(s *Shape, v value, path string) {
	elems, ok := v.elems()
	if !ok {
		return
	}
	c.size(s, int64(len(elems)), listText(s, elems), path)
	for i, e := range elems {
		if e != nil {
			c.check(s.Elem, e, path+"."+strconv.Itoa(i+1)+".member")
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
		parts = append(parts, t)
	}
	return "'[" + strings.Join(parts, ", ") + "]'"
}

func (c *checker) mapping(s *Shape, v value, path string) {
	keys, vals, ok := v.entries()
	if !ok {
		return
	}
	c.size(s, int64(len(keys)), "", path)
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
		c.add("", path, "Map keys must satisfy constraint: ["+strings.Join(dedupe(keyErrs.bare), ", ")+"]")
	}
	if len(valErrs.bare) > 0 {
		c.add("", path, "Map value must satisfy constraint: ["+strings.Join(dedupe(valErrs.bare), ", ")+"]")
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

func (c *checker) scalar(s *Shape, v value, path string) {
	text, ok := v.scalar(s)
	if !ok {
		return
	}
	quoted := "'" + text + "'"
	if s.Sensitive || s.Type == Blob {
		quoted = ""
	}
	c.bare = c.bare[:0]
	c.constraints(s, text)
	for _, constraint := range c.bare {
		c.add(quoted, path, constraint)
	}
}

// constraints appends the bare constraints ("Member must …") the scalar text breaks.
func (c *checker) constraints(s *Shape, text string) {
	switch s.Type {
	case String:
		c.bound(s, int64(utf8.RuneCountInString(text)), "length")
		if s.re != nil && !s.re.MatchString(text) {
			c.bare = append(c.bare, "Member must satisfy regular expression pattern: "+s.Pattern)
		}
		if len(s.Enum) > 0 && !contains(s.Enum, text) {
			c.bare = append(c.bare, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		}
	case Blob:
		if n, err := base64.StdEncoding.DecodeString(text); err == nil {
			c.bound(s, int64(len(n)), "length")
		}
	case Integer, Long:
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			c.bound(s, n, "value")
		}
	}
}

func contains(set []string, s string) bool {
	for _, e := range set {
		if e == s {
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

// size checks a list's or map's number of entries.
func (c *checker) size(s *Shape, n int64, quoted, path string) {
	c.bare = c.bare[:0]
	c.bound(s, n, "length")
	for _, constraint := range c.bare {
		c.add(quoted, path, constraint)
	}
}
