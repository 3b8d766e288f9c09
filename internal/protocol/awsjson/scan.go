package awsjson

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Decoder is implemented by request types that decode themselves from a JSON body with a Scanner,
// without reflection: the hot operations (KMS cryptography). Member names match exactly, as AWS
// matches them; unknown members are skipped.
type Decoder interface {
	DecodeJSON(s *Scanner) error
}

// Decode reads a whole document into d. A document that is not valid JSON is a syntax error even
// when a member of the wrong type came first.
func Decode(body []byte, d Decoder) error {
	s := NewScanner(body)
	err := d.DecodeJSON(s)
	if err == nil {
		err = s.End()
	}
	var te *TypeError
	if errors.As(err, &te) {
		if err := CheckDepth(body); err != nil {
			return err
		}
		if !json.Valid(body) {
			return errSyntax
		}
	}
	return err
}

// MaxDepth bounds how deeply the objects and arrays of a request body may nest. The deepest input
// of an operation keytrail serves (CloudTrail's AdvancedEventSelectors) nests 6 deep; encoding/json
// allows 10,000 and Python's json module about 1,000, so a body keytrail accepts is one every
// strict parser reads, and reading it never recurses without bound.
const MaxDepth = 64

// ErrDepth is a body nested deeper than MaxDepth.
var ErrDepth = fmt.Errorf("the JSON document nests objects and arrays more than %d levels deep", MaxDepth)

// CheckDepth reports ErrDepth when the objects and arrays of doc nest deeper than MaxDepth,
// without recursion and without validating anything else.
func CheckDepth(doc []byte) error {
	depth := 0
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '{', '[':
			if depth++; depth > MaxDepth {
				return ErrDepth
			}
		case '}', ']':
			depth--
		case '"':
			for i++; i < len(doc) && doc[i] != '"'; i++ {
				if doc[i] == '\\' {
					i++
				}
			}
		}
	}
	return nil
}

// Scanner is a strict, allocation-light reader of one JSON document (RFC 8259). Strings without
// escapes share the input's memory: the input must not change once scanned.
type Scanner struct {
	b     []byte
	i     int
	depth int // the objects and arrays open
	err   error
}

// NewScanner returns a scanner over b.
func NewScanner(b []byte) *Scanner { return &Scanner{b: b} }

// errSyntax is any departure from RFC 8259.
var errSyntax = errors.New("invalid JSON")

// TypeError is a member of the wrong JSON type.
type TypeError struct{ Member, Want string }

func (e *TypeError) Error() string {
	return "Unexpected value for " + e.Member + ": expected " + e.Want
}

func (s *Scanner) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return s.err
}

func (s *Scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *Scanner) peek() byte {
	s.space()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *Scanner) expect(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	s.fail(errSyntax)
	return false
}

// enter opens an object or array: past MaxDepth it is ErrDepth.
func (s *Scanner) enter() bool {
	if s.depth++; s.depth > MaxDepth {
		s.fail(ErrDepth)
		return false
	}
	return true
}

func (s *Scanner) leave() { s.depth-- }

// End checks that nothing but white space follows the document.
func (s *Scanner) End() error {
	if s.err != nil {
		return s.err
	}
	if s.space(); s.i != len(s.b) {
		return s.fail(errSyntax)
	}
	return nil
}

// Object reads an object (null counts as an empty one), calling member for each member name;
// member must read the value.
func (s *Scanner) Object(member func(name string) error) error {
	if s.Null() {
		return s.err
	}
	if !s.expect('{') || !s.enter() {
		return s.err
	}
	defer s.leave()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		name, ok := s.str()
		if !ok || !s.expect(':') {
			return s.fail(errSyntax)
		}
		if err := member(name); err != nil {
			return s.fail(err)
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.fail(errSyntax)
		}
	}
}

// Null consumes a null, if that is what comes next.
func (s *Scanner) Null() bool {
	if s.peek() == 'n' && s.literal("null") {
		return true
	}
	return false
}

func (s *Scanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// String reads a string member (null leaves it empty).
func (s *Scanner) String(member string, dst *string) error {
	if s.Null() {
		return s.err
	}
	if s.peek() != '"' {
		return s.typeError(member, "string")
	}
	v, ok := s.str()
	if !ok {
		return s.fail(errSyntax)
	}
	*dst = v
	return nil
}

// Bytes reads a base64 string member as bytes.
func (s *Scanner) Bytes(member string, dst *[]byte) error {
	var v string
	if err := s.String(member, &v); err != nil {
		return err
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return s.fail(&TypeError{Member: member, Want: "base64 string"})
	}
	*dst = b
	return nil
}

// Bool reads a boolean member (null leaves it nil).
func (s *Scanner) Bool(member string, dst **bool) error {
	if s.Null() {
		return s.err
	}
	var v bool
	switch {
	case s.peek() == 't' && s.literal("true"):
		v = true
	case s.peek() == 'f' && s.literal("false"):
	default:
		return s.typeError(member, "boolean")
	}
	*dst = &v
	return nil
}

// Int32 reads an integer member (null leaves it nil).
func (s *Scanner) Int32(member string, dst **int32) error {
	if s.Null() {
		return s.err
	}
	start := s.i
	if !s.number() {
		if s.err != nil {
			return s.err
		}
		return s.typeError(member, "integer")
	}
	n, err := strconv.ParseInt(string(s.b[start:s.i]), 10, 32)
	if err != nil {
		return s.fail(&TypeError{Member: member, Want: "int32"})
	}
	v := int32(n)
	*dst = &v
	return nil
}

// StringMap reads an object of strings.
func (s *Scanner) StringMap(member string, dst *map[string]string) error {
	if s.peek() != '{' && s.peek() != 'n' {
		return s.typeError(member, "map")
	}
	m := map[string]string{}
	err := s.Object(func(k string) error {
		var v string
		if err := s.String(member, &v); err != nil {
			return err
		}
		m[k] = v
		return nil
	})
	if err != nil {
		return err
	}
	*dst = m
	return nil
}

// StringList reads an array of strings.
func (s *Scanner) StringList(member string, dst *[]string) error {
	if s.Null() {
		return s.err
	}
	if s.peek() != '[' {
		return s.typeError(member, "list")
	}
	out := []string{}
	err := s.array(func() error {
		var v string
		err := s.String(member, &v)
		out = append(out, v)
		return err
	})
	if err == nil {
		*dst = out
	}
	return err
}

// array reads an array whose next character is '[', calling elem for each element.
func (s *Scanner) array(elem func() error) error {
	s.i++
	if !s.enter() {
		return s.err
	}
	defer s.leave()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.fail(errSyntax)
		}
	}
}

// Present reads any value and reports whether it was not null (for members whose content
// keytrail does not use but whose presence matters).
func (s *Scanner) Present() (bool, error) {
	if s.Null() {
		return false, s.err
	}
	return true, s.Skip()
}

// Skip reads and discards any value.
func (s *Scanner) Skip() error {
	switch c := s.peek(); c {
	case '{':
		return s.Object(func(string) error { return s.Skip() })
	case '[':
		return s.array(s.Skip)
	case '"':
		if _, ok := s.str(); !ok {
			return s.fail(errSyntax)
		}
	case 't':
		if !s.literal("true") {
			return s.fail(errSyntax)
		}
	case 'f':
		if !s.literal("false") {
			return s.fail(errSyntax)
		}
	case 'n':
		if !s.literal("null") {
			return s.fail(errSyntax)
		}
	default:
		if !s.number() {
			return s.fail(errSyntax)
		}
	}
	return s.err
}

func (s *Scanner) typeError(member, want string) error {
	// A value of the wrong type must still be valid JSON for the type error to be the answer.
	if err := s.Skip(); err != nil {
		return err
	}
	return s.fail(&TypeError{Member: member, Want: want})
}

// number reads a JSON number.
func (s *Scanner) number() bool {
	b, i := s.b, s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	s.i = i
	return true
}

// str reads a string, unescaping it; it allocates only the result.
func (s *Scanner) str() (string, bool) {
	if s.peek() != '"' {
		return "", false
	}
	s.i++
	start := s.i
	for s.i < len(s.b) { // fast path: no escapes
		c := s.b[s.i]
		switch {
		case c == '"':
			v := unsafe.String(unsafe.SliceData(s.b[start:]), s.i-start)
			s.i++
			return v, utf8.ValidString(v)
		case c == '\\':
			return s.escaped(start)
		case c < 0x20:
			return "", false
		}
		s.i++
	}
	return "", false
}

func (s *Scanner) escaped(start int) (string, bool) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), utf8.Valid(out)
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			return "", false
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// As encoding/json: a valid pair makes one rune; anything else is U+FFFD, and a
				// second escape that does not complete the pair is read on its own.
				at := s.i
				r2 := rune(-1)
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					s.i += 2
					if r2, ok = s.hex4(); !ok {
						r2 = -1
					}
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
				} else {
					r, s.i = utf8.RuneError, at
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

func (s *Scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[s.i : s.i+4] {
		r <<= 4
		switch {
		case '0' <= c && c <= '9':
			r |= rune(c - '0')
		case 'a' <= c && c <= 'f':
			r |= rune(c-'a') + 10
		case 'A' <= c && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, false
		}
	}
	s.i += 4
	return r, true
}

// Encoder is implemented by response types that write themselves as JSON without reflection
// (the hot operations' responses).
type Encoder interface {
	AppendJSON(b []byte) []byte
}

// Object builds a JSON object by appending members.
type Object struct{ b []byte }

// NewObject starts an object in b.
func NewObject(b []byte) *Object { return &Object{b: append(b, '{')} }

func (o *Object) name(n string) {
	if o.b[len(o.b)-1] != '{' {
		o.b = append(o.b, ',')
	}
	o.b = AppendString(o.b, n)
	o.b = append(o.b, ':')
}

// String adds a string member; an empty one is left out when omitEmpty.
func (o *Object) String(n, v string, omitEmpty bool) *Object {
	if v == "" && omitEmpty {
		return o
	}
	o.name(n)
	o.b = AppendString(o.b, v)
	return o
}

// Bytes adds a base64 member; nil is left out.
func (o *Object) Bytes(n string, v []byte) *Object {
	if v == nil {
		return o
	}
	o.name(n)
	o.b = append(o.b, '"')
	o.b = base64.StdEncoding.AppendEncode(o.b, v)
	o.b = append(o.b, '"')
	return o
}

// End closes the object and returns the bytes.
func (o *Object) End() []byte { return append(o.b, '}') }

// AppendString appends s as a JSON string.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
