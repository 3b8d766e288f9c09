package events

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keytrail/keytrail/internal/model"
)

// secretMembers are the request and response members that never enter a record, at any depth,
// compared case-insensitively: plaintexts, data keys, ciphertexts, secret keys, session tokens,
// passwords and key material.
var secretMembers = map[string]bool{}

func init() {
	for _, m := range strings.Fields(`plaintext ciphertextblob secretaccesskey sessiontoken password newpassword oldpassword
		privatekeyplaintext privatekeyciphertextblob message signature mac encryptedkeymaterial importtoken
		sourceciphertextblob ciphertextforrecipient body`) {
		secretMembers[m] = true
	}
}

// isSecret reports whether a member name names a secret.
func isSecret(name []byte) bool {
	if len(name) > 32 {
		return false
	}
	var buf [32]byte
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return secretMembers[string(buf[:len(name)])]
}

// mapMembers hold maps whose keys are the caller's data, kept as they are.
var mapMembers = map[string]bool{"EncryptionContext": true, "encryptionContext": true, "Metadata": true}

// MaxDepth bounds the nesting of objects and arrays a record's requestParameters and
// responseElements are rewritten from: the request bodies keytrail accepts nest at most as deep
// (awsjson.MaxDepth), and every record then parses with strict parsers (Python's json module
// stops near 1,000 levels, encoding/json at 10,000).
const MaxDepth = 64

// The reasons a rewrite yields nothing.
var (
	errInvalid  = errors.New("events: not a JSON object")
	errDepth    = fmt.Errorf("events: nested more than %d levels deep", MaxDepth)
	errTooLarge = errors.New("events: larger than a record's element may be")
)

// Rewrite turns AWS-shaped JSON (PascalCase members) into a record's requestParameters or
// responseElements: member names in lowerCamelCase, secret members dropped at every depth. It
// returns nil when src is not valid JSON, or is not an object, or nests deeper than MaxDepth, or
// nothing is left of it.
func Rewrite(dst, src []byte) []byte {
	out, _ := project(dst, src, nil, 0)
	return out
}

// project is Rewrite through an operation's input shape (nil: no shape, every member kept): only
// the members the shape defines are kept, at the depth it defines them, and values of the wrong
// JSON type for their shape are left out. When limit > 0 and the result would grow past limit
// bytes it stops with errTooLarge.
func project(dst, src []byte, sh *model.Shape, limit int) ([]byte, error) {
	r := rewriter{src: src, out: dst, start: len(dst), limit: limit}
	r.ws()
	if r.i >= len(r.src) || r.src[r.i] != '{' {
		return nil, errInvalid
	}
	r.value(sh, false)
	if r.ws(); r.err == nil && r.i != len(r.src) {
		r.err = errInvalid
	}
	if r.err != nil {
		return nil, r.err
	}
	if string(r.out[len(dst):]) == "{}" {
		return nil, nil
	}
	return r.out, nil
}

// rewriter copies a JSON document into out. While quiet > 0 it only reads (a dropped value).
type rewriter struct {
	src   []byte
	i     int
	out   []byte
	start int // where the rewrite began in out
	limit int
	depth int
	quiet int
	err   error
}

func (r *rewriter) fail(err error) bool {
	if r.err == nil {
		r.err = err
	}
	return false
}

// put appends b unless a dropped value is being read; it fails past the limit.
func (r *rewriter) put(b ...byte) bool {
	if r.quiet > 0 {
		return true
	}
	r.out = append(r.out, b...)
	if r.limit > 0 && len(r.out)-r.start > r.limit {
		return r.fail(errTooLarge)
	}
	return true
}

func (r *rewriter) ws() {
	for r.i < len(r.src) {
		switch r.src[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// value copies one JSON value of shape sh; keep means object member names are kept as they are
// (a map's keys, when there is no shape).
func (r *rewriter) value(sh *model.Shape, keep bool) bool {
	r.ws()
	if r.i >= len(r.src) {
		return r.fail(errInvalid)
	}
	switch r.src[r.i] {
	case '{':
		return r.object(sh, keep)
	case '[':
		return r.array(sh)
	case '"':
		start := r.i
		if !r.skipString() {
			return r.fail(errInvalid)
		}
		return r.put(r.src[start:r.i]...)
	default:
		return r.literal()
	}
}

// literal copies a number, true, false or null.
func (r *rewriter) literal() bool {
	start := r.i
	for r.i < len(r.src) {
		c := r.src[r.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= 'a' && c <= 'z') {
			return r.fail(errInvalid)
		}
		r.i++
	}
	lit := string(r.src[start:r.i])
	if lit == "true" || lit == "false" || lit == "null" {
		return r.put(r.src[start:r.i]...)
	}
	if !validNumber(lit) {
		return r.fail(errInvalid)
	}
	// A number beyond float64 (1e400) is valid JSON that encoding/json cannot read as a number:
	// it is recorded as null, so that the member is left out.
	if _, err := strconv.ParseFloat(lit, 64); err != nil {
		return r.put('n', 'u', 'l', 'l')
	}
	return r.put(r.src[start:r.i]...)
}

// enter opens an object or array: past MaxDepth the rewrite fails.
func (r *rewriter) enter() bool {
	if r.depth++; r.depth > MaxDepth {
		return r.fail(errDepth)
	}
	return true
}

// special marks the bytes that end the plain run of a JSON string: quote, backslash, controls.
var special = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

const (
	lo7  = 0x0101010101010101
	hi7  = 0x8080808080808080
	quot = 0x2222222222222222
	bsl  = 0x5c5c5c5c5c5c5c5c
)

// plain8 reports whether none of 8 bytes is special (SWAR: no byte below 0x20, no quote, no
// backslash).
func plain8(w uint64) bool {
	below := (w - 0x20*lo7) &^ w
	q := w ^ quot
	b := w ^ bsl
	return (below|((q-lo7)&^q)|((b-lo7)&^b))&hi7 == 0
}

// skipString moves past a JSON string starting at r.i.
func (r *rewriter) skipString() bool {
	src, i := r.src, r.i+1
	var high uint64 // the high bits seen: non-ASCII bytes to check as UTF-8
	for i+8 <= len(src) {
		w := binary.LittleEndian.Uint64(src[i:])
		if !plain8(w) {
			break
		}
		high |= w & hi7
		i += 8
	}
	for i < len(src) {
		c := src[i]
		if !special[c] {
			high |= uint64(c & 0x80)
			i++
			continue
		}
		switch c {
		case '\\':
			if i+1 >= len(src) {
				return false
			}
			switch src[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(src) || !isHex4(src[i+2:i+6]) {
					return false
				}
				i += 6
			default:
				return false
			}
		case '"':
			// A string must be UTF-8: a record is read by strict parsers.
			if high != 0 && !utf8.Valid(src[r.i+1:i]) {
				return false
			}
			r.i = i + 1
			return true
		default:
			return false
		}
	}
	return false
}

// validNumber reports whether s is a JSON number: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?
func validNumber(s string) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// member is what becomes of an object member named name in an object of shape sh: kept (under
// its own name when keepName) with the member's shape, or dropped.
func member(sh *model.Shape, name []byte, keep bool) (msh *model.Shape, keepName, mkeep, drop bool) {
	switch {
	case sh == nil:
		// No shape: every member but the secrets, maps' keys as they are.
		return nil, keep, keep || mapMembers[string(name)], !keep && isSecret(name)
	case sh.Type == model.Map:
		return sh.Value, true, false, false
	case sh.Type == model.Structure:
		m := sh.Member(string(name))
		if m == nil || m.Shape.Sensitive || isSecret(name) {
			return nil, false, false, true
		}
		return m.Shape, false, false, false
	}
	return nil, false, false, true
}

// fits reports whether the value at r.i is of the JSON type shape sh takes (nil takes any).
func (r *rewriter) fits(sh *model.Shape) bool {
	if r.ws(); sh == nil || r.i >= len(r.src) {
		return true
	}
	switch c := r.src[r.i]; sh.Type {
	case model.Structure, model.Map:
		return c == '{'
	case model.List:
		return c == '['
	default:
		return c != '{' && c != '['
	}
}

// drop reads a value without copying it.
func (r *rewriter) drop() bool {
	r.quiet++
	ok := r.value(nil, true)
	r.quiet--
	return ok
}

func (r *rewriter) object(sh *model.Shape, keep bool) bool {
	if !r.enter() {
		return false
	}
	defer func() { r.depth-- }()
	r.i++
	r.put('{')
	first, wrote := true, false
	for {
		r.ws()
		if r.i >= len(r.src) {
			return r.fail(errInvalid)
		}
		if r.src[r.i] == '}' {
			r.i++
			return r.put('}')
		}
		if !first {
			if r.src[r.i] != ',' {
				return r.fail(errInvalid)
			}
			r.i++
			r.ws()
		}
		first = false
		if r.i >= len(r.src) || r.src[r.i] != '"' {
			return r.fail(errInvalid)
		}
		start := r.i
		if !r.skipString() {
			return r.fail(errInvalid)
		}
		name := r.src[start+1 : r.i-1]
		r.ws()
		if r.i >= len(r.src) || r.src[r.i] != ':' {
			return r.fail(errInvalid)
		}
		r.i++
		msh, keepName, mkeep, drop := member(sh, name, keep)
		if drop || !r.fits(msh) {
			if !r.drop() {
				return false
			}
			continue
		}
		mark, markWrote := len(r.out), wrote
		if wrote {
			r.put(',')
		}
		wrote = true
		r.put('"')
		if keepName {
			r.put(name...)
		} else if r.quiet == 0 {
			r.out = appendLowerFirst(r.out, name)
		}
		r.put('"', ':')
		vstart := len(r.out)
		if !r.value(msh, mkeep) {
			return false
		}
		// A member with no value is left out, as in AWS's records: null always; an empty string
		// only in a response, since a request's "" is what the caller sent ("description": "" in
		// https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html).
		if v := r.out[vstart:]; r.quiet == 0 && !keepName && (string(v) == "null" || (msh == nil && string(v) == `""`)) {
			r.out, wrote = r.out[:mark], markWrote
		}
	}
}

func (r *rewriter) array(sh *model.Shape) bool {
	if !r.enter() {
		return false
	}
	defer func() { r.depth-- }()
	var elem *model.Shape
	if sh != nil {
		elem = sh.Elem
	}
	r.i++
	r.put('[')
	first, wrote := true, false
	for {
		r.ws()
		if r.i >= len(r.src) {
			return r.fail(errInvalid)
		}
		if r.src[r.i] == ']' {
			r.i++
			return r.put(']')
		}
		if !first {
			if r.src[r.i] != ',' {
				return r.fail(errInvalid)
			}
			r.i++
		}
		first = false
		if !r.fits(elem) {
			if !r.drop() {
				return false
			}
			continue
		}
		if wrote {
			r.put(',')
		}
		wrote = true
		if !r.value(elem, false) {
			return false
		}
	}
}

// appendLowerFirst appends name with its first letter in lower case, unless its first two letters
// are both capitals, which CloudTrail keeps as they are (Java's decapitalize rule):
// "AWSAccountId" stays, as in the keyMetadata of
// https://docs.aws.amazon.com/kms/latest/developerguide/ct-createkey.html.
func appendLowerFirst(b, name []byte) []byte {
	if len(name) > 1 && isUpper(name[0]) && isUpper(name[1]) {
		return append(b, name...)
	}
	if len(name) > 0 && isUpper(name[0]) {
		b = append(b, name[0]+'a'-'A')
		return append(b, name[1:]...)
	}
	return append(b, name...)
}

func isUpper(c byte) bool { return 'A' <= c && c <= 'Z' }
